package crypto

// Asymmetric operations and key derivation.
//
// The asymmetric classes (TEE_OPERATION_ASYMMETRIC_CIPHER and _SIGNATURE, GP TEE
// Internal Core API 1.3.1 §6.8) and key derivation (TEE_OPERATION_KEY_DERIVATION, §6.9)
// are single-stage: no Init, no Update, one call that does the whole job. So an
// Operation of these classes has no engine; SetKey parses the key object's attributes
// once into Go keys (crypto/rsa, crypto/ecdsa, crypto/ecdh, crypto/ed25519, crypto/dsa,
// gmsm's sm2, circl's ed448 and x448) and each call uses them. Keys arrive as GP
// attributes (big-endian integers, fixed-size Curve25519 and Curve448 strings, value
// attributes for curves) in Key.Attrs.
//
// Where a scheme has no function in Go's standard library, it is composed from the
// primitive Go does provide, never reimplemented:
//   - RSA_NOPAD is the RSA primitive itself (RFC 8017 RSAEP/RSADP): m^e mod n and
//     c^d mod n with math/big. Go offers no raw RSA; math/big's Exp is not constant time,
//     so RSA_NOPAD decryption may leak timing about d — as OP-TEE's libtomcrypt, it exists
//     for TAs that build their own padding, and should be avoided otherwise.
//   - DH_DERIVE_SHARED_SECRET is finite-field Diffie-Hellman (PKCS #3) with math/big's
//     Exp, likewise not constant time.
//   - Concat KDF is NIST SP 800-56A §5.8.1's one-step KDF: hashes of counter || Z ||
//     OtherInfo concatenated.

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"errors"
	"hash"

	"github.com/cloudflare/circl/dh/x448"
	"github.com/cloudflare/circl/sign/ed448"

	"github.com/gotee/gotee/tee"
)

// scheme is what an asymmetric or derivation algorithm computes.
type scheme int

const (
	schRSANoPad scheme = iota + 1
	schRSAESPKCS1
	schRSAOAEP
	schRSAPKCS1
	schRSAPSS
	schDSA
	schECDSA
	schEd25519
	schEd448
	schSM2DSA
	schSM2PKE
	schSM2KEP
	schDH
	schECDH
	schX25519
	schX448
	schHKDF   // OP-TEE's HKDF_<hash>_DERIVE_KEY
	schGPHKDF // GP 1.3.1 TEE_ALG_HKDF
	schConcatKDF
	schPBKDF2
)

// asymSpec is what the asymmetric and derivation algorithms need beyond spec.
type asymSpec struct {
	scheme scheme
	pair   tee.ObjectType // the key type for the private side (spec.keyType too)
	pub    tee.ObjectType // the public key type accepted for encrypt/verify; 0: none
	hash   crypto.Hash    // signature, OAEP or KDF hash; 0 if none
	// maxSize says which maxKeySize values Allocate accepts; nil: ValidObjectSize(pair).
	maxSize func(bits int) bool
}

// asymSpecs holds every asymmetric and key derivation algorithm; each is in specs too.
var asymSpecs = map[tee.Algorithm]*asymSpec{}

var (
	asymCipherModes = []tee.Mode{tee.ModeEncrypt, tee.ModeDecrypt}
	signModes       = []tee.Mode{tee.ModeSign, tee.ModeVerify}
	deriveModes     = []tee.Mode{tee.ModeDerive}
)

func registerAsym(alg tee.Algorithm, class tee.Class, as *asymSpec) {
	s := &spec{class: class, keyType: as.pair}
	switch class {
	case tee.ClassAsymmetricCipher:
		s.modes = asymCipherModes
	case tee.ClassAsymmetricSignature:
		s.modes = signModes
		if as.hash != 0 {
			s.digestLen = as.hash.Size()
		}
	default:
		s.modes = deriveModes
	}
	specs[alg] = s
	asymSpecs[alg] = as
}

func init() {
	rsaSig := func(a tee.Algorithm, sch scheme, h crypto.Hash) {
		registerAsym(a, tee.ClassAsymmetricSignature, &asymSpec{scheme: sch, pair: tee.TypeRSAKeypair, pub: tee.TypeRSAPublicKey, hash: h})
	}
	rsaSig(tee.AlgRSASSAPKCS1v15MD5, schRSAPKCS1, crypto.MD5)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA1, schRSAPKCS1, crypto.SHA1)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA224, schRSAPKCS1, crypto.SHA224)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA256, schRSAPKCS1, crypto.SHA256)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA384, schRSAPKCS1, crypto.SHA384)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA512, schRSAPKCS1, crypto.SHA512)
	rsaSig(tee.AlgRSASSAPKCS1v15MD5SHA1, schRSAPKCS1, crypto.MD5SHA1)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA3_224, schRSAPKCS1, crypto.SHA3_224)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA3_256, schRSAPKCS1, crypto.SHA3_256)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA3_384, schRSAPKCS1, crypto.SHA3_384)
	rsaSig(tee.AlgRSASSAPKCS1v15SHA3_512, schRSAPKCS1, crypto.SHA3_512)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA1, schRSAPSS, crypto.SHA1)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA224, schRSAPSS, crypto.SHA224)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA256, schRSAPSS, crypto.SHA256)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA384, schRSAPSS, crypto.SHA384)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA512, schRSAPSS, crypto.SHA512)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA3_224, schRSAPSS, crypto.SHA3_224)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA3_256, schRSAPSS, crypto.SHA3_256)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA3_384, schRSAPSS, crypto.SHA3_384)
	rsaSig(tee.AlgRSASSAPKCS1PSSMGF1SHA3_512, schRSAPSS, crypto.SHA3_512)

	rsaEnc := func(a tee.Algorithm, sch scheme, h crypto.Hash) {
		registerAsym(a, tee.ClassAsymmetricCipher, &asymSpec{scheme: sch, pair: tee.TypeRSAKeypair, pub: tee.TypeRSAPublicKey, hash: h})
	}
	rsaEnc(tee.AlgRSANoPad, schRSANoPad, 0)
	rsaEnc(tee.AlgRSAESPKCS1v15, schRSAESPKCS1, 0)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA1, schRSAOAEP, crypto.SHA1)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA224, schRSAOAEP, crypto.SHA224)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA256, schRSAOAEP, crypto.SHA256)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA384, schRSAOAEP, crypto.SHA384)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA512, schRSAOAEP, crypto.SHA512)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA3_224, schRSAOAEP, crypto.SHA3_224)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA3_256, schRSAOAEP, crypto.SHA3_256)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA3_384, schRSAOAEP, crypto.SHA3_384)
	rsaEnc(tee.AlgRSAESPKCS1OAEPMGF1SHA3_512, schRSAOAEP, crypto.SHA3_512)

	// DSA: OP-TEE's TEE_AllocateOperation limits (FIPS 186 L,N pairs per hash).
	dsaAlg := func(a tee.Algorithm, h crypto.Hash, max func(int) bool) {
		registerAsym(a, tee.ClassAsymmetricSignature, &asymSpec{scheme: schDSA, pair: tee.TypeDSAKeypair, pub: tee.TypeDSAPublicKey, hash: h, maxSize: max})
	}
	dsaAlg(tee.AlgDSASHA1, crypto.SHA1, func(b int) bool { return b >= 512 && b <= 1024 && b%64 == 0 })
	dsaAlg(tee.AlgDSASHA224, crypto.SHA224, func(b int) bool { return b == 2048 })
	dsaAlg(tee.AlgDSASHA256, crypto.SHA256, func(b int) bool { return b == 2048 || b == 3072 })
	dsaAlg(tee.AlgDSASHA3_224, crypto.SHA3_224, nil)
	dsaAlg(tee.AlgDSASHA3_256, crypto.SHA3_256, nil)
	dsaAlg(tee.AlgDSASHA3_384, crypto.SHA3_384, nil)
	dsaAlg(tee.AlgDSASHA3_512, crypto.SHA3_512, nil)

	// ECDSA: GP 1.3.1 takes the curve from the key, whatever the hash, so maxKeySize may
	// be any supported curve's size.
	ecdsaAlg := func(a tee.Algorithm, h crypto.Hash) {
		registerAsym(a, tee.ClassAsymmetricSignature, &asymSpec{scheme: schECDSA, pair: tee.TypeECDSAKeypair, pub: tee.TypeECDSAPublicKey, hash: h, maxSize: nistCurveSize})
	}
	ecdsaAlg(tee.AlgECDSASHA1, crypto.SHA1)
	ecdsaAlg(tee.AlgECDSASHA224, crypto.SHA224)
	ecdsaAlg(tee.AlgECDSASHA256, crypto.SHA256)
	ecdsaAlg(tee.AlgECDSASHA384, crypto.SHA384)
	ecdsaAlg(tee.AlgECDSASHA512, crypto.SHA512)
	ecdsaAlg(tee.AlgECDSASHA3_224, crypto.SHA3_224)
	ecdsaAlg(tee.AlgECDSASHA3_256, crypto.SHA3_256)
	ecdsaAlg(tee.AlgECDSASHA3_384, crypto.SHA3_384)
	ecdsaAlg(tee.AlgECDSASHA3_512, crypto.SHA3_512)

	is256 := func(b int) bool { return b == 256 }
	registerAsym(tee.AlgEd25519, tee.ClassAsymmetricSignature, &asymSpec{scheme: schEd25519, pair: tee.TypeEd25519Keypair, pub: tee.TypeEd25519PublicKey, maxSize: is256})
	registerAsym(tee.AlgECDHDeriveSharedSecret, tee.ClassKeyDerivation, &asymSpec{scheme: schECDH, pair: tee.TypeECDHKeypair, maxSize: func(b int) bool { return ValidObjectSize(tee.TypeECDHKeypair, b) }})
	registerAsym(tee.AlgX25519, tee.ClassKeyDerivation, &asymSpec{scheme: schX25519, pair: tee.TypeX25519Keypair, maxSize: is256})
	registerAsym(tee.AlgEd448, tee.ClassAsymmetricSignature, &asymSpec{scheme: schEd448, pair: tee.TypeEd448Keypair, pub: tee.TypeEd448PublicKey, maxSize: isEd448Size})
	registerAsym(tee.AlgX448, tee.ClassKeyDerivation, &asymSpec{scheme: schX448, pair: tee.TypeX448Keypair, maxSize: func(b int) bool { return b == 448 }})
	registerAsym(tee.AlgSM2DSASM3, tee.ClassAsymmetricSignature, &asymSpec{scheme: schSM2DSA, pair: tee.TypeSM2DSAKeypair, pub: tee.TypeSM2DSAPublicKey, maxSize: is256})
	specs[tee.AlgSM2DSASM3].digestLen = 32 // SM3
	registerAsym(tee.AlgSM2PKE, tee.ClassAsymmetricCipher, &asymSpec{scheme: schSM2PKE, pair: tee.TypeSM2PKEKeypair, pub: tee.TypeSM2PKEPublicKey, maxSize: is256})
	// SM2_KEP takes two 256-bit key pairs (static and ephemeral): maxKeySize is 512, as
	// OP-TEE requires. Its ID has the asymmetric cipher class bits; it derives keys.
	registerAsym(tee.AlgSM2KEP, tee.ClassKeyDerivation, &asymSpec{scheme: schSM2KEP, pair: tee.TypeSM2KEPKeypair, maxSize: func(b int) bool { return b == 512 }})
	specs[tee.AlgSM2KEP].twoKeys = true
	registerAsym(tee.AlgDHDeriveSharedSecret, tee.ClassKeyDerivation, &asymSpec{scheme: schDH, pair: tee.TypeDHKeypair})

	kdf := func(a tee.Algorithm, sch scheme, t tee.ObjectType, h crypto.Hash) {
		registerAsym(a, tee.ClassKeyDerivation, &asymSpec{scheme: sch, pair: t, hash: h})
	}
	kdf(tee.AlgHKDFMD5DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.MD5)
	kdf(tee.AlgHKDFSHA1DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.SHA1)
	kdf(tee.AlgHKDFSHA224DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.SHA224)
	kdf(tee.AlgHKDFSHA256DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.SHA256)
	kdf(tee.AlgHKDFSHA384DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.SHA384)
	kdf(tee.AlgHKDFSHA512DeriveKey, schHKDF, tee.TypeHKDFIKM, crypto.SHA512)
	kdf(tee.AlgHKDF, schGPHKDF, tee.TypeHKDF, crypto.SHA256)
	kdf(tee.AlgConcatKDFSHA1DeriveKey, schConcatKDF, tee.TypeConcatKDFZ, crypto.SHA1)
	kdf(tee.AlgConcatKDFSHA224DeriveKey, schConcatKDF, tee.TypeConcatKDFZ, crypto.SHA224)
	kdf(tee.AlgConcatKDFSHA256DeriveKey, schConcatKDF, tee.TypeConcatKDFZ, crypto.SHA256)
	kdf(tee.AlgConcatKDFSHA384DeriveKey, schConcatKDF, tee.TypeConcatKDFZ, crypto.SHA384)
	kdf(tee.AlgConcatKDFSHA512DeriveKey, schConcatKDF, tee.TypeConcatKDFZ, crypto.SHA512)
	kdf(tee.AlgPBKDF2HMACSHA1DeriveKey, schPBKDF2, tee.TypePBKDF2Password, crypto.SHA1)
	kdf(tee.AlgPBKDF2HMACSHA224DeriveKey, schPBKDF2, tee.TypePBKDF2Password, crypto.SHA224)
	kdf(tee.AlgPBKDF2HMACSHA256DeriveKey, schPBKDF2, tee.TypePBKDF2Password, crypto.SHA256)
	kdf(tee.AlgPBKDF2HMACSHA384DeriveKey, schPBKDF2, tee.TypePBKDF2Password, crypto.SHA384)
	kdf(tee.AlgPBKDF2HMACSHA512DeriveKey, schPBKDF2, tee.TypePBKDF2Password, crypto.SHA512)
}

// hashNew returns a constructor for h. The SHA-3 hashes are built with crypto/sha3
// directly (which also registers them for crypto/rsa).
func hashNew(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.MD5:
		return md5.New
	case crypto.SHA1:
		return sha1.New
	case crypto.SHA224:
		return sha256.New224
	case crypto.SHA256:
		return sha256.New
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	case crypto.SHA3_224:
		return func() hash.Hash { return sha3.New224() }
	case crypto.SHA3_256:
		return func() hash.Hash { return sha3.New256() }
	case crypto.SHA3_384:
		return func() hash.Hash { return sha3.New384() }
	case crypto.SHA3_512:
		return func() hash.Hash { return sha3.New512() }
	}
	return nil
}

// gpHash maps a GP digest algorithm ID (as TEE_ATTR_RSA_OAEP_MGF_HASH and
// TEE_ATTR_HKDF_HASH_ALGORITHM carry it) to a Go hash.
func gpHash(a tee.Algorithm) (crypto.Hash, bool) {
	switch a {
	case tee.AlgMD5:
		return crypto.MD5, true
	case tee.AlgSHA1:
		return crypto.SHA1, true
	case tee.AlgSHA224:
		return crypto.SHA224, true
	case tee.AlgSHA256:
		return crypto.SHA256, true
	case tee.AlgSHA384:
		return crypto.SHA384, true
	case tee.AlgSHA512:
		return crypto.SHA512, true
	case tee.AlgSHA3_224:
		return crypto.SHA3_224, true
	case tee.AlgSHA3_256:
		return crypto.SHA3_256, true
	case tee.AlgSHA3_384:
		return crypto.SHA3_384, true
	case tee.AlgSHA3_512:
		return crypto.SHA3_512, true
	}
	return 0, false
}

// asymKey is a key object's attributes parsed once into Go keys. Go's keys are immutable
// after construction, so copies of an operation share them.
type asymKey struct {
	typ  tee.ObjectType
	bits int

	rsaPub  *rsa.PublicKey
	rsaPriv *rsa.PrivateKey // nil for a public key

	curve  *curveInfo
	ecPub  *ecdsa.PublicKey
	ecPriv *ecdsa.PrivateKey // nil for a public key
	// ecdhPriv is ecPriv for crypto/ecdh (ECDH key pairs on curves it has).
	ecdhPriv *ecdh.PrivateKey

	edPub  ed25519.PublicKey
	edPriv ed25519.PrivateKey

	xPriv *ecdh.PrivateKey
	xPub  *ecdh.PublicKey

	ed448Pub  ed448.PublicKey
	ed448Priv ed448.PrivateKey
	x448Pub   *x448.Key
	x448Priv  *x448.Key

	dsa *dsaKey
	dh  *dhKey
	sm2 *sm2Key

	secret []byte // the KDF types' input secret
}

func (k *asymKey) wipe() {
	clear(k.secret)
	clear(k.edPriv)
	clear(k.ed448Priv)
	if k.x448Priv != nil {
		clear(k.x448Priv[:])
	}
	if k.dh != nil {
		k.dh.x.SetInt64(0)
	}
}

var errBadKey = errors.New("invalid key material")

// parseAsymKey turns the attributes of a key object of any non-symmetric type into Go
// keys, checking that they form a valid key. The error is for CheckAttributes (which
// reports tee.ErrBadParameters) and for SetKey (which panics).
func parseAsymKey(key *Key) (*asymKey, error) {
	k := &asymKey{typ: key.Type, bits: key.Size}
	a := key.Attrs
	var err error
	switch key.Type {
	case tee.TypeRSAPublicKey, tee.TypeRSAKeypair:
		err = k.parseRSA(a)
	case tee.TypeECDSAPublicKey, tee.TypeECDSAKeypair, tee.TypeECDHPublicKey, tee.TypeECDHKeypair:
		err = k.parseECC(a)
	case tee.TypeEd25519PublicKey, tee.TypeEd25519Keypair:
		err = k.parseEd25519(a)
	case tee.TypeX25519PublicKey, tee.TypeX25519Keypair:
		err = k.parseX25519(a)
	case tee.TypeEd448PublicKey, tee.TypeEd448Keypair:
		err = k.parseEd448(a)
	case tee.TypeX448PublicKey, tee.TypeX448Keypair:
		err = k.parseX448(a)
	case tee.TypeDSAPublicKey, tee.TypeDSAKeypair:
		err = k.parseDSA(a)
	case tee.TypeDHKeypair:
		err = k.parseDH(a)
	case tee.TypeSM2DSAPublicKey, tee.TypeSM2DSAKeypair, tee.TypeSM2PKEPublicKey, tee.TypeSM2PKEKeypair,
		tee.TypeSM2KEPPublicKey, tee.TypeSM2KEPKeypair:
		err = k.parseSM2(a)
	default:
		ot, ok := objTypes[key.Type]
		if !ok || ot.secret == 0 {
			return nil, errBadKey
		}
		k.secret = append([]byte{}, key.Secret...)
		if len(key.Secret) == 0 {
			if s, ok := attr(a, ot.secret); ok {
				k.secret = append([]byte{}, s.Ref...)
			}
		}
		if k.bits == 0 {
			k.bits = 8 * len(k.secret)
		}
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// requiredUsage is requiredKeyUsage; RSA_NOPAD needs both the encryption and the
// signature usage of its direction, as in OP-TEE.
func (op *Operation) requiredUsage() tee.Usage {
	u := op.spec.requiredUsage(op.mode)
	if op.alg == tee.AlgRSANoPad {
		switch op.mode {
		case tee.ModeEncrypt:
			u |= tee.UsageVerify
		case tee.ModeDecrypt:
			u |= tee.UsageSign
		}
	}
	return u
}

// checkAsymKey panics unless key suits an asymmetric or derivation operation: the type
// (the key pair, or the public key for encryption and verification), a valid size no
// larger than max bits, and the usage.
func (op *Operation) checkAsymKey(fn string, as *asymSpec, key *Key, max int) *asymKey {
	okType := key.Type == as.pair
	if as.pub != 0 && key.Type == as.pub && (op.mode == tee.ModeEncrypt || op.mode == tee.ModeVerify) {
		okType = true
	}
	if !okType {
		misuse(fn, "key type 0x%08x does not fit %v in %v mode", uint32(key.Type), op.alg, op.mode)
	}
	k, err := parseAsymKey(key)
	if err != nil {
		misuse(fn, "key object: %v", err)
	}
	switch {
	case !ValidObjectSize(key.Type, k.bits):
		misuse(fn, "invalid key size %d bits", k.bits)
	case k.bits > max:
		misuse(fn, "key size %d exceeds the operation's maximum %d", k.bits, max)
	}
	if req := op.requiredUsage(); key.Usage&req != req {
		misuse(fn, "key usage 0x%x lacks required 0x%x", uint32(key.Usage), uint32(req))
	}
	return k
}

// asymReady returns the operation's parsed key after GP's common checks of the
// single-stage functions: the class, the mode, and a key.
func (op *Operation) asymReady(fn string, c tee.Class, mode tee.Mode) *asymKey {
	op.requireClass(fn, c)
	if op.mode != mode {
		misuse(fn, "operation is in %v mode", op.mode)
	}
	if op.handle&tee.FlagKeySet == 0 || op.akey == nil {
		misuse(fn, "no key set")
	}
	return op.akey
}

// paramSet reads the params of one call: each ID at most once (a repeat panics, as a
// second EdDSA context does in OP-TEE), none outside allowed.
func paramSet(fn string, params []tee.Attribute, allowed ...tee.AttributeID) map[tee.AttributeID]tee.Attribute {
	m := make(map[tee.AttributeID]tee.Attribute, len(params))
	for _, p := range params {
		ok := false
		for _, id := range allowed {
			ok = ok || p.ID == id
		}
		if !ok {
			misuse(fn, "unexpected parameter attribute 0x%08x", uint32(p.ID))
		}
		if _, dup := m[p.ID]; dup {
			misuse(fn, "parameter attribute 0x%08x given twice", uint32(p.ID))
		}
		m[p.ID] = p
	}
	return m
}

// AsymmetricEncrypt encrypts src into dst with the operation's public key
// (TEE_AsymmetricEncrypt, §6.8.1) and returns the bytes written. Params: the OAEP label
// (TEE_ATTR_RSA_OAEP_LABEL) and, as OP-TEE allows, an MGF1 hash other than the OAEP hash
// (TEE_ATTR_RSA_OAEP_MGF_HASH: a 4-byte buffer holding a TEE_ALG_* digest ID in host
// byte order). A dst shorter than the output gets the required size and
// tee.ErrShortBuffer. A message too long for the key, or a bad parameter value, is
// tee.ErrBadParameters; a key size Go refuses (RSA under 1024 bits without
// GODEBUG=rsa1024min=0) is tee.ErrNotSupported. The wrong class or mode, or no key,
// panics.
func (op *Operation) AsymmetricEncrypt(dst []byte, params []tee.Attribute, src []byte) (int, error) {
	const fn = "TEE_AsymmetricEncrypt"
	k := op.asymReady(fn, tee.ClassAsymmetricCipher, tee.ModeEncrypt)
	as := asymSpecs[op.alg]
	var out []byte
	var err error
	switch as.scheme {
	case schSM2PKE:
		paramSet(fn, params)
		out, err = k.sm2Encrypt(src)
	default:
		out, err = op.rsaEncrypt(fn, as, k, params, src)
	}
	return finishOutput(dst, out, err)
}

// AsymmetricDecrypt decrypts src into dst with the operation's private key
// (TEE_AsymmetricDecrypt, §6.8.1) and returns the bytes written. Params are those of
// AsymmetricEncrypt. A dst shorter than the plaintext gets the required size and
// tee.ErrShortBuffer. A ciphertext that does not decrypt (bad padding, wrong length) is
// tee.ErrBadParameters, as in OP-TEE. The wrong class or mode, or no private key, panics.
func (op *Operation) AsymmetricDecrypt(dst []byte, params []tee.Attribute, src []byte) (int, error) {
	const fn = "TEE_AsymmetricDecrypt"
	k := op.asymReady(fn, tee.ClassAsymmetricCipher, tee.ModeDecrypt)
	as := asymSpecs[op.alg]
	var out []byte
	var err error
	switch as.scheme {
	case schSM2PKE:
		paramSet(fn, params)
		out, err = k.sm2Decrypt(src)
	default:
		out, err = op.rsaDecrypt(fn, as, k, params, src)
	}
	return finishOutput(dst, out, err)
}

// finishOutput copies out to dst under GP's SHORT_BUFFER rule and wipes it.
func finishOutput(dst, out []byte, err error) (int, error) {
	defer clear(out)
	if err != nil {
		return 0, err
	}
	if len(dst) < len(out) {
		return len(out), tee.ErrShortBuffer
	}
	return copy(dst, out), nil
}

// AsymmetricSignDigest signs digest into dst and returns the signature length
// (TEE_AsymmetricSignDigest, §6.8.2). The digest must be the algorithm's hash of the
// message (DSA also accepts the length of the subprime; ECDSA any length, which it
// truncates as FIPS 186 says); for ED25519 and ED448 it is the message itself, as GP
// 1.3.1 says, with params TEE_ATTR_EDDSA_CTX (Ed25519ctx; Ed448's context) and
// TEE_ATTR_EDDSA_PREHASH (1: Ed25519ph over SHA-512 of the message computed here, as
// OP-TEE; Ed448ph over SHAKE256). RSASSA-PSS takes the salt length
// (TEE_ATTR_RSA_PSS_SALT_LENGTH, default the hash length). Signatures are RSA
// modulus-sized, DSA and ECDSA r||s with each half left-padded to the subprime or curve
// size, SM2 r||s of 32 bytes each, Ed25519 64 bytes, Ed448 114. A dst shorter than the signature
// gets the size and tee.ErrShortBuffer; everything else GP makes a panic (wrong digest
// length, bad parameters, wrong class, mode or key) panics, since TEE_AsymmetricSignDigest
// may return nothing else.
func (op *Operation) AsymmetricSignDigest(dst []byte, params []tee.Attribute, digest []byte) (int, error) {
	const fn = "TEE_AsymmetricSignDigest"
	k := op.asymReady(fn, tee.ClassAsymmetricSignature, tee.ModeSign)
	as := asymSpecs[op.alg]
	var need int
	switch as.scheme {
	case schRSAPKCS1, schRSAPSS:
		need = (k.rsaPub.N.BitLen() + 7) / 8
	case schECDSA:
		need = 2 * k.curve.bytes
	case schDSA:
		need = 2 * k.dsa.qBytes()
	case schEd25519:
		need = ed25519.SignatureSize
	case schEd448:
		need = ed448.SignatureSize
	case schSM2DSA:
		need = 64
	}
	if len(dst) < need {
		// Check the parameters first, so a bad call panics before SHORT_BUFFER.
		op.signParams(fn, as, params, digest)
		return need, tee.ErrShortBuffer
	}
	var sig []byte
	switch as.scheme {
	case schRSAPKCS1, schRSAPSS:
		sig = op.rsaSign(fn, as, k, params, digest)
	case schECDSA:
		paramSet(fn, params)
		sig = k.ecdsaSign(fn, digest)
	case schDSA:
		paramSet(fn, params)
		k.checkDSADigest(fn, as, digest)
		sig = k.dsaSign(fn, digest)
	case schEd25519:
		sig = k.ed25519Sign(fn, params, digest)
	case schEd448:
		sig = k.ed448Sign(fn, params, digest)
	case schSM2DSA:
		paramSet(fn, params)
		op.checkDigestLen(fn, 32, digest)
		sig = k.sm2Sign(fn, digest)
	}
	return copy(dst, sig), nil
}

// signParams runs the parameter checks of AsymmetricSignDigest without signing.
func (op *Operation) signParams(fn string, as *asymSpec, params []tee.Attribute, digest []byte) {
	switch as.scheme {
	case schRSAPKCS1, schRSAPSS:
		op.rsaSignParams(fn, as, params, digest)
	case schDSA:
		paramSet(fn, params)
		op.akey.checkDSADigest(fn, as, digest)
	case schEd25519, schEd448:
		eddsaOptions(fn, params)
	case schSM2DSA:
		paramSet(fn, params)
		op.checkDigestLen(fn, 32, digest)
	default:
		paramSet(fn, params)
	}
}

func (op *Operation) checkDigestLen(fn string, n int, digest []byte) {
	if len(digest) != n {
		misuse(fn, "%v: digest is %d bytes, want %d", op.alg, len(digest), n)
	}
}

// AsymmetricVerifyDigest verifies sig over digest (TEE_AsymmetricVerifyDigest, §6.8.3):
// nil, or tee.ErrSignatureInvalid for a signature that does not verify, including one
// of the wrong length (OP-TEE panics on a wrong-length ECDSA signature; GP lets us
// report it as invalid). Digest and params are as for AsymmetricSignDigest, and the same
// misuse panics.
func (op *Operation) AsymmetricVerifyDigest(params []tee.Attribute, digest, sig []byte) error {
	const fn = "TEE_AsymmetricVerifyDigest"
	k := op.asymReady(fn, tee.ClassAsymmetricSignature, tee.ModeVerify)
	as := asymSpecs[op.alg]
	var ok bool
	switch as.scheme {
	case schRSAPKCS1, schRSAPSS:
		ok = op.rsaVerify(fn, as, k, params, digest, sig)
	case schECDSA:
		paramSet(fn, params)
		ok = k.ecdsaVerify(digest, sig)
	case schDSA:
		paramSet(fn, params)
		k.checkDSADigest(fn, as, digest)
		ok = k.dsaVerify(digest, sig)
	case schEd25519:
		ok = k.ed25519Verify(fn, params, digest, sig)
	case schEd448:
		ok = k.ed448Verify(fn, params, digest, sig)
	case schSM2DSA:
		paramSet(fn, params)
		op.checkDigestLen(fn, 32, digest)
		ok = k.sm2Verify(digest, sig)
	}
	if !ok {
		return tee.ErrSignatureInvalid
	}
	return nil
}

// DeriveKey computes the secret of TEE_DeriveKey (§6.9.1); the object system stores it in
// the derived object (a TEE_TYPE_GENERIC_SECRET) as TEE_ATTR_SECRET_VALUE, and must check
// that it fits the object's maximum size.
//
//   - DH_DERIVE_SHARED_SECRET: param TEE_ATTR_DH_PUBLIC_VALUE; the secret is
//     peer^x mod p without leading zero bytes, as OP-TEE gives it.
//   - ECDH_DERIVE_SHARED_SECRET: params TEE_ATTR_ECC_PUBLIC_VALUE_X and _Y on the key's
//     curve; the secret is the x coordinate, curve-sized.
//   - X25519: param TEE_ATTR_X25519_PUBLIC_VALUE (32 bytes); the 32-byte shared secret.
//   - X448: param TEE_ATTR_X448_PUBLIC_VALUE (56 bytes); the 56-byte shared secret.
//   - HKDF_<hash>_DERIVE_KEY (OP-TEE): key TEE_TYPE_HKDF_IKM; params TEE_ATTR_HKDF_SALT
//     and _INFO (optional; GP's IDs or OP-TEE's older ones) and TEE_ATTR_HKDF_OKM_LENGTH
//     (bytes, mandatory).
//   - HKDF (GP 1.3.1 TEE_ALG_HKDF): key TEE_TYPE_HKDF; the same salt and info, the hash
//     from TEE_ATTR_HKDF_HASH_ALGORITHM (a TEE_ALG_* digest, default SHA-256) and the
//     length from TEE_ATTR_KDF_KEY_SIZE (bytes), as OP-TEE parses them.
//   - CONCAT_KDF_<hash>_DERIVE_KEY: key TEE_TYPE_CONCAT_KDF_Z; params
//     TEE_ATTR_CONCAT_KDF_OTHER_INFO (optional) and _DKM_LENGTH (bytes, mandatory).
//   - PBKDF2_HMAC_<hash>_DERIVE_KEY: key TEE_TYPE_PBKDF2_PASSWORD; params
//     TEE_ATTR_PBKDF2_SALT (optional), _ITERATION_COUNT and _DKM_LENGTH (mandatory).
//   - SM2_KEP takes its length from the derived object: use DeriveKeySized. DeriveKey
//     panics for it.
//
// TEE_DeriveKey returns nothing: in GP every failure is a TEE_Panic. Misuse (wrong class
// or mode, no key, a missing, repeated or foreign parameter) panics here with a
// *MisuseError; a bad value the TA passed (a peer public key off the curve or out of
// range, a zero or oversized length) is returned as tee.ErrBadParameters, and a failed
// SM2 key confirmation as tee.ErrBadState, which the caller must turn into TEE_Panic
// with that code, as OP-TEE does.
func (op *Operation) DeriveKey(params []tee.Attribute) (secret []byte, err error) {
	return op.deriveKey("TEE_DeriveKey", params, 0)
}

// DeriveKeySized is DeriveKey for the object system to call with size, the derived
// object's maxObjectSize as the TA gave it to TEE_AllocateTransientObject. Only
// TEE_ALG_SM2_KEP uses it: OP-TEE derives that many bytes (it reads the object's
// maxObjectSize, a bit count in GP, as a byte count, and xtest 4014 allocates the
// derived object with the key's length in bytes), so the derived secret is size bytes
// and the object system must size the object from the secret it gets. The other
// algorithms ignore size. A size outside 1..512 is tee.ErrBadParameters.
//
// SM2_KEP (GB/T 32918.3 key exchange; keys from SetKey2: the static key pair, then the
// ephemeral key pair, both TEE_TYPE_SM2_KEP_KEYPAIR) takes the params OP-TEE does:
// TEE_ATTR_SM2_KEP_USER (value a: 0 for the initiator, user A; anything else for the
// responder), the peer's static point TEE_ATTR_ECC_PUBLIC_VALUE_X and _Y, its ephemeral
// point TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X and _Y (or OP-TEE's older IDs for them),
// TEE_ATTR_SM2_ID_INITIATOR and _RESPONDER (all mandatory), and optionally
// TEE_ATTR_SM2_KEP_CONFIRMATION_IN, the peer's confirmation to check, and
// TEE_ATTR_SM2_KEP_CONFIRMATION_OUT, a buffer of at least 32 bytes into which this side's
// confirmation is written (the attribute's Ref is the TA's buffer). A peer point that is
// not on the curve, or a confirmation buffer under 32 bytes, is tee.ErrBadParameters; a
// confirmation that does not check, or an exchange that ends in the point at infinity,
// is tee.ErrBadState — what OP-TEE's TEE_DeriveKey panics with.
func (op *Operation) DeriveKeySized(params []tee.Attribute, size int) (secret []byte, err error) {
	return op.deriveKey("TEE_DeriveKey", params, size)
}

func (op *Operation) deriveKey(fn string, params []tee.Attribute, size int) (secret []byte, err error) {
	k := op.asymReady(fn, tee.ClassKeyDerivation, tee.ModeDerive)
	as := asymSpecs[op.alg]
	switch as.scheme {
	case schSM2KEP:
		if size == 0 {
			misuse(fn, "SM2_KEP derives as many bytes as the derived object holds: call DeriveKeySized")
		}
		return sm2KEPDerive(fn, k, op.akey2, params, size)
	case schDH:
		p := paramSet(fn, params, tee.AttrDHPublicValue)
		pub, ok := p[tee.AttrDHPublicValue]
		if !ok {
			misuse(fn, "missing TEE_ATTR_DH_PUBLIC_VALUE")
		}
		return k.dhDerive(pub.Ref)
	case schECDH:
		p := paramSet(fn, params, tee.AttrECCPublicValueX, tee.AttrECCPublicValueY)
		x, okx := p[tee.AttrECCPublicValueX]
		y, oky := p[tee.AttrECCPublicValueY]
		if !okx || !oky {
			misuse(fn, "ECDH needs TEE_ATTR_ECC_PUBLIC_VALUE_X and _Y")
		}
		return k.ecdhDerive(x.Ref, y.Ref)
	case schX25519:
		p := paramSet(fn, params, tee.AttrX25519PublicValue)
		pub, ok := p[tee.AttrX25519PublicValue]
		if !ok {
			misuse(fn, "missing TEE_ATTR_X25519_PUBLIC_VALUE")
		}
		return k.x25519Derive(pub.Ref)
	case schX448:
		p := paramSet(fn, params, tee.AttrX448PublicValue)
		pub, ok := p[tee.AttrX448PublicValue]
		if !ok {
			misuse(fn, "missing TEE_ATTR_X448_PUBLIC_VALUE")
		}
		return k.x448Derive(pub.Ref)
	case schHKDF, schGPHKDF:
		return hkdfDerive(fn, as, k.secret, params)
	case schConcatKDF:
		return concatKDFDerive(fn, as, k.secret, params)
	case schPBKDF2:
		return pbkdf2Derive(fn, as, k.secret, params)
	}
	misuse(fn, "%v cannot derive keys", op.alg)
	return nil, nil
}
