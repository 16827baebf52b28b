package ta

import (
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// DeviceSecret returns 32 bytes that teed derives from the installation's device key,
// this TA's UUID and label: the same for the same TA and label across restarts of
// teed, different for every other TA, label or installation, and never revealing the
// device key. It plays the part of OP-TEE's hardware unique key (huk_subkey_derive):
// a TA's root for keys that must survive without being stored, such as a key ladder's
// root. Labels are at most 255 bytes; a longer one is a panic.
//
// This is a gotee extension; GP's Internal Core API has no such function.
func (s *Session) DeviceSecret(label string) ([]byte, error) {
	if len(label) > wire.MaxSecretLabel {
		misuse("DeviceSecret", "label of %d bytes exceeds %d", len(label), wire.MaxSecretLabel)
	}
	r, ok := s.inst.request(&wire.SecretGet{Label: []byte(label)}).(*wire.SecretResp)
	if !ok {
		return nil, tee.ErrTargetDead
	}
	if r.Result != tee.Success {
		return nil, r.Result
	}
	return r.Secret, nil
}
