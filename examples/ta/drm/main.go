// Command drm is a DRM-style Secure Application: a TA that keeps content keys in the
// SecAPI TA (secapi/ta) and decrypts content samples for its client, without the
// client, or anyone but this TA, ever being able to use those keys.
//
// Every session opens its own SecAPI session, TA to TA (package secapi/tasa), in
// which the SecAPI TA sees this TA's UUID as the caller. A license from the client
// carries a content key; the TA imports it with rights whose allowed-TA list is this
// TA's UUID alone, so the key works in this TA's slot and for this TA only. Closing
// the session, or the instance dying, closes the SecAPI session and releases the
// keys with it.
//
// Commands:
//
//	0 PROVISION      p0 memref in: license; p1 value out: the SecAPI key handle (a low, b high 32 bits)
//	1 DECRYPT        p0 memref in: KID[16] ‖ IV; p1 memref in: encrypted sample; p2 memref out: clear sample
//	2 SECAPI_UUID    p0 memref out: the caller UUID the SecAPI TA sees for this TA (16 bytes)
//	3 CHECK_BINDING  p0 memref in: a UUID (16 bytes); p1 value out a: the sa_status of starting
//	                 a decryption with a fresh key restricted to that UUID
//	4 RELEASE        p0 memref in: KID[16]
//
// The license (little-endian) is "GDL1", KID[16], u32 scheme (1 AES-CBC with PKCS#7
// padding, 2 AES-CTR, 3 AES-GCM), u64 expiry (Unix seconds; 0 is none), u32 key
// length (16 or 32) and the key. Here the key travels in the clear, as a test
// license server hands it out; a real license wraps it under a key provisioned for
// the device, and the TA unwraps it inside the SecAPI TA (tasa.UnwrapSymmetric,
// sa_key_unwrap), so that even this TA never holds the plain key.
//
// A sample's IV is 16 bytes for CBC and CTR (the initial counter block) and 12 for
// GCM, where the encrypted sample ends with the 16-byte tag. The output must hold
// the encrypted sample's length (less the tag), else SHORT_BUFFER with that size.
// SecAPI refusals come back as GP codes: OPERATION_NOT_ALLOWED (an expired license,
// a key not bound to this TA) as ACCESS_DENIED, VERIFICATION_FAILED (bad padding, a
// wrong GCM tag) as MAC_INVALID, INVALID_PARAMETER as BAD_PARAMETERS.
package main

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gotee/gotee/secapi/tasa"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdProvision    = 0
	cmdDecrypt      = 1
	cmdSecAPIUUID   = 2
	cmdCheckBinding = 3
	cmdRelease      = 4
)

const (
	schemeCBC = 1
	schemeCTR = 2
	schemeGCM = 3
)

const (
	kidSize     = 16
	tagSize     = 16
	maxKeys     = 16      // content keys per session
	maxSample   = 8 << 20 // bytes of one sample
	licenseHead = 4 + kidSize + 4 + 8 + 4
)

type contentKey struct {
	key    *tasa.Key
	scheme uint32
}

type session struct {
	self tee.UUID
	sa   *tasa.Client
	keys map[[kidSize]byte]*contentKey
}

type drmTA struct{ ta.Base }

func (drmTA) OpenSession(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.ParamNone, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	self, err := s.Properties(ta.PropsetCurrentTA).UUID("gpd.ta.appID")
	if err != nil {
		return err
	}
	sa, err := tasa.Open(s, ta.TimeoutInfinite)
	if errors.Is(err, tasa.StatusNoAvailableResourceSlot) {
		return tee.ErrBusy
	}
	if err != nil {
		return err
	}
	s.Data = &session{self: self, sa: sa, keys: map[[kidSize]byte]*contentKey{}}
	return nil
}

// CloseSession closes the SecAPI session, which releases every key of its slot.
func (drmTA) CloseSession(s *ta.Session) {
	if d, ok := s.Data.(*session); ok {
		d.sa.Close()
	}
}

func (drmTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	d := s.Data.(*session)
	switch cmd {
	case cmdProvision:
		if err := p.Expect(tee.MemrefInput, tee.ValueOutput, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		h, err := d.provision(append([]byte(nil), p[0].Mem...))
		if err != nil {
			return gpError(err)
		}
		p[1].Value = tee.Value{A: uint32(h), B: uint32(h >> 32)}
		return nil
	case cmdDecrypt:
		if err := p.Expect(tee.MemrefInput, tee.MemrefInput, tee.MemrefOutput, tee.ParamNone); err != nil {
			return err
		}
		return d.decrypt(p)
	case cmdSecAPIUUID:
		if err := p.Expect(tee.MemrefOutput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		u, err := d.sa.TAUUID()
		if err != nil {
			return gpError(err)
		}
		if len(p[0].Mem) < len(u) {
			p[0].Size = len(u)
			return tee.ErrShortBuffer
		}
		p[0].Size = copy(p[0].Mem, u[:])
		return nil
	case cmdCheckBinding:
		if err := p.Expect(tee.MemrefInput, tee.ValueOutput, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		if len(p[0].Mem) != len(tee.UUID{}) {
			return tee.ErrBadParameters
		}
		st, err := d.checkBinding(tee.UUID(p[0].Mem))
		if err != nil {
			return gpError(err)
		}
		p[1].Value.A = uint32(st)
		return nil
	case cmdRelease:
		if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		if len(p[0].Mem) != kidSize {
			return tee.ErrBadParameters
		}
		kid := [kidSize]byte(p[0].Mem)
		ck := d.keys[kid]
		if ck == nil {
			return tee.ErrItemNotFound
		}
		delete(d.keys, kid)
		return gpError(ck.key.Release())
	}
	return tee.ErrNotSupported
}

// provision imports the license's content key into this session's SecAPI slot, for
// this TA only, until the license expires.
func (d *session) provision(lic []byte) (uint64, error) {
	defer clear(lic)
	if len(lic) < licenseHead || string(lic[:4]) != "GDL1" {
		return 0, tee.ErrBadFormat
	}
	kid := [kidSize]byte(lic[4:])
	scheme := binary.LittleEndian.Uint32(lic[20:])
	expiry := binary.LittleEndian.Uint64(lic[24:])
	n := binary.LittleEndian.Uint32(lic[32:])
	key := lic[licenseHead:]
	if scheme < schemeCBC || scheme > schemeGCM || (n != 16 && n != 32) || uint32(len(key)) != n {
		return 0, tee.ErrBadFormat
	}
	old := d.keys[kid]
	if old == nil && len(d.keys) >= maxKeys {
		return 0, tee.ErrOutOfMemory
	}
	r := tasa.Rights{
		ID: "drm:" + hex.EncodeToString(kid[:]),
		// Decrypt only, into clear memory (SVP_OPTIONAL): there is no secure video
		// path for the output yet.
		Usage:      tasa.UsageDecrypt | tasa.UsageSVPOptional,
		AllowedTAs: []tee.UUID{d.self},
	}
	if expiry != 0 {
		r.NotOnOrAfter = time.Unix(int64(min(expiry, 1<<62)), 0)
	}
	k, err := d.sa.ImportSymmetric(r, key)
	if err != nil {
		return 0, err
	}
	if old != nil {
		old.key.Release()
	}
	d.keys[kid] = &contentKey{key: k, scheme: scheme}
	return k.Handle(), nil
}

func (d *session) decrypt(p *ta.Params) error {
	// The descriptor decides which key and how: copy it out of shared memory first.
	desc := append([]byte(nil), p[0].Mem...)
	if len(desc) < kidSize {
		return tee.ErrBadParameters
	}
	ck := d.keys[[kidSize]byte(desc)]
	if ck == nil {
		return tee.ErrItemNotFound
	}
	iv := desc[kidSize:]
	in := append([]byte(nil), p[1].Mem...)
	if len(in) > maxSample {
		return tee.ErrBadParameters
	}
	var tag []byte
	if ck.scheme == schemeGCM {
		if len(in) < tagSize {
			return tee.ErrBadParameters
		}
		in, tag = in[:len(in)-tagSize], in[len(in)-tagSize:]
	}
	if ck.scheme == schemeCBC && (len(in) == 0 || len(in)%16 != 0) {
		return tee.ErrBadParameters
	}
	if p[2].Size < len(in) || len(p[2].Mem) < len(in) {
		p[2].Size = len(in)
		return tee.ErrShortBuffer
	}
	out, err := d.run(ck, iv, in, tag)
	if err != nil {
		clear(p[2].Mem)
		p[2].Size = 0
		return gpError(err)
	}
	p[2].Size = copy(p[2].Mem, out)
	clear(out)
	return nil
}

// run decrypts one sample through the SecAPI TA. The cipher context is per sample:
// each sample has its own IV.
func (d *session) run(ck *contentKey, iv, in, tag []byte) ([]byte, error) {
	alg := map[uint32]tasa.CipherAlgorithm{schemeCBC: tasa.AESCBCPKCS7, schemeCTR: tasa.AESCTR, schemeGCM: tasa.AESGCM}[ck.scheme]
	x, err := d.sa.NewCipher(alg, tasa.Decrypt, ck.key, tasa.CipherParams{IV: iv})
	if err != nil {
		return nil, err
	}
	defer x.Release()
	var head []byte
	if ck.scheme == schemeCBC {
		// PKCS#7 process-last takes exactly the final block.
		if len(in) > 16 {
			if head, err = x.Process(in[:len(in)-16]); err != nil {
				return nil, err
			}
		}
		in = in[len(in)-16:]
	}
	last, _, err := x.ProcessLast(in, len(tag), tag)
	if err != nil {
		clear(head)
		return nil, err
	}
	return append(head, last...), nil
}

// checkBinding imports a random key whose rights allow only the TA u and reports
// whether this TA may start a decryption with it: StatusOK for this TA's own UUID,
// StatusOperationNotAllowed for any other.
func (d *session) checkBinding(u tee.UUID) (tasa.Status, error) {
	raw := make([]byte, 16)
	if err := d.sa.Random(raw); err != nil {
		return 0, err
	}
	defer clear(raw)
	k, err := d.sa.ImportSymmetric(tasa.Rights{ID: "drm:binding-check", Usage: tasa.UsageDecrypt | tasa.UsageSVPOptional,
		AllowedTAs: []tee.UUID{u}}, raw)
	if err != nil {
		return 0, err
	}
	defer k.Release()
	x, err := d.sa.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: make([]byte, 16)})
	var st tasa.Status
	switch {
	case err == nil:
		x.Release()
		return tasa.StatusOK, nil
	case errors.As(err, &st):
		return st, nil
	}
	return 0, err
}

// gpError is the GP result the client sees for a SecAPI refusal.
func gpError(err error) error {
	var st tasa.Status
	if !errors.As(err, &st) {
		return err
	}
	switch st {
	case tasa.StatusOK:
		return nil
	case tasa.StatusOperationNotAllowed:
		return tee.ErrAccessDenied
	case tasa.StatusVerificationFailed:
		return tee.ErrMACInvalid
	case tasa.StatusInvalidParameter, tasa.StatusNullParameter, tasa.StatusInvalidKeyType:
		return tee.ErrBadParameters
	case tasa.StatusNoAvailableResourceSlot:
		return tee.ErrOutOfMemory
	}
	return tee.ErrGeneric
}

func main() { ta.Main(drmTA{}) }
