package tee

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

// UUID identifies a Trusted Application (and a client identity). It is stored in the
// RFC 4122 byte order, which is also the order TEEC_UUID's fields take on the wire.
type UUID [16]byte

// NilUUID is the identity of a client that logged in with [LoginPublic].
var NilUUID UUID

// ParseUUID parses the canonical 8-4-4-4-12 hexadecimal form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("uuid %q: want the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	hexed := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(hexed)); err != nil {
		return UUID{}, fmt.Errorf("uuid %q: %w", s, err)
	}
	return u, nil
}

// MustParseUUID is ParseUUID for constants; it panics on a malformed string.
func MustParseUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// MarshalText and UnmarshalText let UUIDs appear as strings in TOML manifests and configs.
func (u UUID) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText parses the canonical form.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// NewUUIDv5 returns the name-based (SHA-1) UUID of name in namespace ns (RFC 4122 §4.3).
func NewUUIDv5(ns UUID, name []byte) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}
