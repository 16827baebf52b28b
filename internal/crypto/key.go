package crypto

import "github.com/gotee/gotee/tee"

// Key is the key material an operation is keyed with: what TEE_SetOperationKey reads out
// of a TEE_ObjectHandle. The object system (transient and persistent objects) hands one
// out through KeyObject; tests and built-in code may build one directly.
//
// This session's engines use only symmetric keys (TEE_ATTR_SECRET_VALUE). Asymmetric key
// attributes will be added as fields when the asymmetric classes land.
type Key struct {
	Type tee.ObjectType // TEE_ObjectInfo.objectType
	// Size is TEE_ObjectInfo.objectSize in bits (for DES and 3DES it counts the parity
	// bits, as GP does: 64, 128 or 192). Zero means 8*len(Secret).
	Size int
	// Usage is TEE_ObjectInfo.objectUsage; it must include the operation's
	// requiredKeyUsage. A transient object starts with UsageAll.
	Usage tee.Usage
	// Secret is TEE_ATTR_SECRET_VALUE. SetKey copies it.
	Secret []byte
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
	if k.Size != 0 {
		return k.Size
	}
	return 8 * len(k.Secret)
}

// validKeySize reports whether bits is a size GP allows for a key object of type t
// (TEE Internal Core API 1.3.1 Table 5-9, as OP-TEE's tee_svc_cryp.c applies it).
func validKeySize(t tee.ObjectType, bits int) bool {
	between := func(lo, hi int) bool { return bits >= lo && bits <= hi && bits%8 == 0 }
	switch t {
	case tee.TypeAES:
		return bits == 128 || bits == 192 || bits == 256
	case tee.TypeSM4:
		return bits == 128
	case tee.TypeDES:
		return bits == 64
	case tee.TypeDES3:
		return bits == 128 || bits == 192
	case tee.TypeHMACMD5:
		return between(64, 512)
	case tee.TypeHMACSHA1:
		return between(80, 512)
	case tee.TypeHMACSHA224:
		return between(112, 512)
	case tee.TypeHMACSHA256:
		return between(192, 1024)
	case tee.TypeHMACSHA384, tee.TypeHMACSHA512:
		return between(256, 1024)
	case tee.TypeHMACSHA3_224:
		return between(192, 1024)
	case tee.TypeHMACSHA3_256, tee.TypeHMACSHA3_384, tee.TypeHMACSHA3_512:
		return between(256, 1024)
	case tee.TypeHMACSM3:
		return between(80, 1024)
	case tee.TypeGenericSecret:
		return between(8, 4096)
	}
	return false
}
