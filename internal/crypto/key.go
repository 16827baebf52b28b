package crypto

import "github.com/gotee/gotee/tee"

// Key is the key material an operation is keyed with: what TEE_SetOperationKey reads out
// of a TEE_ObjectHandle. The object system (transient and persistent objects) hands one
// out through KeyObject; tests and built-in code may build one directly.
//
// A symmetric key is its Secret; every other key is its attributes (Attrs), which SetKey
// copies, checks and parses. Which attributes each type has is GP's Table 5-10 (see
// CheckAttributes).
type Key struct {
	Type tee.ObjectType // TEE_ObjectInfo.objectType
	// Size is TEE_ObjectInfo.objectSize in bits (for DES and 3DES it counts the parity
	// bits, as GP does: 64, 128 or 192; RSA the modulus bits, DSA and DH the prime bits,
	// ECC the curve's size). Zero means 8*len(Secret), or for an asymmetric key the size
	// its attributes give.
	Size int
	// Usage is TEE_ObjectInfo.objectUsage; it must include the operation's
	// requiredKeyUsage. A transient object starts with UsageAll.
	Usage tee.Usage
	// Secret is TEE_ATTR_SECRET_VALUE. SetKey copies it. The input secret of the key
	// derivation types (TEE_ATTR_HKDF_IKM, TEE_ATTR_CONCAT_KDF_Z,
	// TEE_ATTR_PBKDF2_PASSWORD) may be given here or in Attrs.
	Secret []byte
	// Attrs are all the other attributes of the object: RSA modulus and exponents, ECC
	// curve (a value attribute) and coordinates, DSA and DH domain and values, Ed25519 and
	// X25519 public and private values. Big integers are big-endian; leading zero bytes
	// are allowed.
	Attrs []tee.Attribute
}

// KeyObject is what SetKey and SetKey2 accept: anything that can produce the key material
// of an initialized key object. The object system's handles implement it; an error (for
// example tee.ErrCorruptObject or tee.ErrStorageNotAvail for a persistent object) is
// passed back to the TA, as TEE_SetOperationKey does.
type KeyObject interface {
	OperationKey() (*Key, error)
}

// OperationKey returns k itself, so a *Key can be passed wherever a KeyObject is expected.
func (k *Key) OperationKey() (*Key, error) { return k, nil }

func (k *Key) bits() int {
	switch {
	case k.Size != 0:
		return k.Size
	case len(k.Secret) != 0 || len(k.Attrs) == 0:
		return 8 * len(k.Secret)
	}
	if ak, err := parseAsymKey(k); err == nil {
		return ak.bits
	}
	return 0
}
