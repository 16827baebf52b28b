package crypto

import (
	"crypto/rand"

	"github.com/gotee/gotee/tee"
)

// GenerateKey generates the attributes of a random key or key pair of type t and size
// bits (TEE_GenerateKey, §5.5.7), given the type's generation parameters:
//
//   - secret types (AES, DES, DES3, SM4, HMAC, GENERIC_SECRET, HKDF and OP-TEE's KDF
//     input types): no params; bits/8 random bytes as the type's secret attribute. DES
//     keys get random parity bits, as in OP-TEE (DES ignores them).
//   - RSA_KEYPAIR: optional TEE_ATTR_RSA_PUBLIC_EXPONENT, which must be 65537 (the only
//     exponent crypto/rsa generates); all eight attributes, CRT values included.
//   - DSA_KEYPAIR: TEE_ATTR_DSA_PRIME, _SUBPRIME and _BASE (mandatory).
//   - DH_KEYPAIR: TEE_ATTR_DH_PRIME and _BASE (mandatory), _SUBPRIME and _X_BITS
//     (optional).
//   - ECDSA_KEYPAIR, ECDH_KEYPAIR: TEE_ATTR_ECC_CURVE (mandatory), whose size must be bits.
//   - ED25519_KEYPAIR, X25519_KEYPAIR, ED448_KEYPAIR, X448_KEYPAIR, SM2 key pairs: no
//     params.
//
// It returns every attribute of the new object, parameters included, in the form
// CheckAttributes accepts. As in OP-TEE, a parameter foreign to the type, repeated, or a
// mandatory one missing panics (*MisuseError with ITEM_NOT_FOUND), as does an unknown
// type (NOT_SUPPORTED) or a size the type does not allow; a parameter with a bad value
// (a curve of another size, an exponent other than 65537, an inconsistent domain) is
// tee.ErrBadParameters, which TEE_GenerateKey returns; tee.ErrNotSupported (an RSA key
// under 1024 bits without GODEBUG=rsa1024min=0, P-192 in FIPS 140-only mode) must be
// turned into a panic by the caller, as TEE_GenerateKey may only return BAD_PARAMETERS.
func GenerateKey(t tee.ObjectType, bits int, params []tee.Attribute) ([]tee.Attribute, error) {
	const fn = "TEE_GenerateKey"
	ot, ok := objTypes[t]
	if !ok {
		misuseCode(tee.ErrNotSupported, fn, "cannot generate keys of type 0x%08x", uint32(t))
	}
	if !ValidObjectSize(t, bits) {
		misuseCode(tee.ErrNotSupported, fn, "key size %d bits is not allowed for type 0x%08x", bits, uint32(t))
	}
	checkGenParams(fn, t, ot, params)
	if ot.secret != 0 {
		b := make([]byte, bits/8)
		rand.Read(b)
		return []tee.Attribute{{ID: ot.secret, Ref: b}}, nil
	}
	switch t {
	case tee.TypeRSAKeypair:
		return generateRSA(bits, params)
	case tee.TypeDSAKeypair:
		return generateDSA(bits, params)
	case tee.TypeDHKeypair:
		return generateDH(bits, params)
	case tee.TypeECDSAKeypair, tee.TypeECDHKeypair:
		return generateECC(bits, params)
	case tee.TypeEd25519Keypair:
		return generateEd25519()
	case tee.TypeX25519Keypair:
		return generateX25519()
	case tee.TypeEd448Keypair:
		return generateEd448()
	case tee.TypeX448Keypair:
		return generateX448()
	case tee.TypeSM2DSAKeypair, tee.TypeSM2PKEKeypair, tee.TypeSM2KEPKeypair:
		return generateSM2()
	}
	// Public-key types: OP-TEE's syscall answers BAD_FORMAT, which libutee panics on.
	misuseCode(tee.ErrBadFormat, fn, "cannot generate a public key object (type 0x%08x)", uint32(t))
	return nil, nil
}

// checkGenParams is OP-TEE's tee_svc_cryp_check_attr for generation: every mandatory
// parameter once, optional ones at most once, nothing else.
func checkGenParams(fn string, t tee.ObjectType, ot *objType, params []tee.Attribute) {
	var found, req uint32
	for i, a := range ot.attrs {
		if a.flags&attrGenReq != 0 {
			req |= 1 << i
		}
	}
	for _, p := range params {
		i, ok := ot.find(p.ID)
		if !ok || ot.attrs[i].flags&(attrGenReq|attrGenOpt) == 0 {
			misuseCode(tee.ErrItemNotFound, fn, "attribute 0x%08x is no key generation parameter of type 0x%08x", uint32(p.ID), uint32(t))
		}
		if found&(1<<i) != 0 {
			misuseCode(tee.ErrItemNotFound, fn, "parameter 0x%08x given twice", uint32(p.ID))
		}
		found |= 1 << i
	}
	if found&req != req {
		misuseCode(tee.ErrItemNotFound, fn, "a mandatory key generation parameter of type 0x%08x is missing", uint32(t))
	}
}
