package wire

import "github.com/gotee/gotee/tee"

// Device secrets: a TA asks teed for a secret derived from the installation's device
// key, its own UUID and a label of its choosing — the role of OP-TEE's hardware unique
// key and its huk_subkey_derive. teed takes the UUID from the instance, so a TA only
// ever gets its own secrets, and no TA ever sees the device key.

// Device secret limits.
const (
	MaxSecretLabel = 255 // bytes of a label
	SecretSize     = 32  // bytes of a secret
)

// Device secret kinds.
const (
	KindSecretGet  Kind = 80
	KindSecretResp Kind = 81
)

// SecretGet asks for the secret of Label; teed answers SecretResp.
type SecretGet struct{ Label []byte }

// SecretResp answers SecretGet: SecretSize bytes with Success, none otherwise.
type SecretResp struct {
	Result tee.Result
	Secret []byte
}

func (*SecretGet) Kind() Kind  { return KindSecretGet }
func (*SecretResp) Kind() Kind { return KindSecretResp }
func (*SecretGet) FDs() int    { return 0 }
func (*SecretResp) FDs() int   { return 0 }

func (m *SecretGet) appendTo(b []byte) []byte { return appendBytes(b, m.Label) }
func (m *SecretGet) decode(r *reader)         { m.Label = r.bytes(MaxSecretLabel, "label") }

func (m *SecretResp) appendTo(b []byte) []byte {
	return appendBytes(le.AppendUint32(b, uint32(m.Result)), m.Secret)
}

func (m *SecretResp) decode(r *reader) {
	m.Result = tee.Result(r.u32())
	m.Secret = r.bytes(SecretSize, "secret")
	if r.err == nil && m.Result == tee.Success && len(m.Secret) != SecretSize {
		r.fail("secret of the wrong size")
	}
}

func init() {
	newMessage[KindSecretGet] = func() Message { return new(SecretGet) }
	newMessage[KindSecretResp] = func() Message { return new(SecretResp) }
}
