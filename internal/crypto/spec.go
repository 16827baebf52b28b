package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"hash"

	"github.com/gotee/gotee/tee"
)

// chaining says how a block-cipher algorithm uses its block cipher.
type chaining int

const (
	chainNone chaining = iota
	chainECB
	chainCBC
	chainCTR
	chainCTS
	chainXTS
	chainCBCMACNoPad
	chainCBCMACPKCS5
	chainCMAC
	chainGCM
)

// spec is what the engine knows about one supported algorithm.
type spec struct {
	name      string
	class     Class
	modes     []Mode
	keyType   ObjectType // zero for digests
	twoKeys   bool       // AES-XTS: key1 is the data key, key2 the tweak key
	digestLen int        // TEE_OperationInfo.digestLength (AE: set by AEInit)
	blockSize int
	chain     chaining
	newHash   func() hash.Hash
	newBlock  func(key []byte) (cipher.Block, error)
}

var (
	cipherModes = []Mode{ModeEncrypt, ModeDecrypt}
	macModes    = []Mode{ModeMAC}
	digestModes = []Mode{ModeDigest}
)

// sha3Hash hides *sha3.SHA3 from crypto/hmac, which otherwise unwraps it into an internal
// digest that cannot be cloned (Go 1.26: hmac.Clone fails for SHA-3). Cloning is what
// TEE_CopyOperation needs, so HMAC-SHA3 goes through this wrapper.
type sha3Hash struct{ *sha3.SHA3 }

func (h sha3Hash) Clone() (hash.Cloner, error) {
	c, err := h.SHA3.Clone()
	if err != nil {
		return nil, err
	}
	return sha3Hash{c.(*sha3.SHA3)}, nil
}

func newSHA3(n func() *sha3.SHA3) func() hash.Hash {
	return func() hash.Hash { return sha3Hash{n()} }
}

func newDES(key []byte) (cipher.Block, error) { return des.NewCipher(key) }

// newDES3 accepts two-key (128-bit, K1 K2 K1) and three-key (192-bit) 3DES keys.
func newDES3(key []byte) (cipher.Block, error) {
	if len(key) == 16 {
		k := make([]byte, 0, 24)
		k = append(append(k, key...), key[:8]...)
		return des.NewTripleDESCipher(k)
	}
	return des.NewTripleDESCipher(key)
}

var specs = map[Algorithm]*spec{}

func init() {
	digest := func(a Algorithm, name string, n func() hash.Hash) {
		specs[a] = &spec{name: name, class: ClassDigest, modes: digestModes, digestLen: n().Size(), newHash: n}
	}
	hmacAlg := func(a Algorithm, name string, t ObjectType, n func() hash.Hash) {
		specs[a] = &spec{name: name, class: ClassMAC, modes: macModes, keyType: t, digestLen: n().Size(), newHash: n}
	}
	block := func(a Algorithm, name string, c Class, modes []Mode, t ObjectType, bs int, ch chaining, nb func([]byte) (cipher.Block, error)) {
		s := &spec{name: name, class: c, modes: modes, keyType: t, blockSize: bs, chain: ch, newBlock: nb, twoKeys: ch == chainXTS}
		if c == ClassMAC {
			s.digestLen = bs
		}
		specs[a] = s
	}
	sha3_224 := func() *sha3.SHA3 { return sha3.New224() }

	digest(AlgMD5, "MD5", md5.New)
	digest(AlgSHA1, "SHA1", sha1.New)
	digest(AlgSHA224, "SHA224", sha256.New224)
	digest(AlgSHA256, "SHA256", sha256.New)
	digest(AlgSHA384, "SHA384", sha512.New384)
	digest(AlgSHA512, "SHA512", sha512.New)
	digest(AlgSHA3_224, "SHA3_224", func() hash.Hash { return sha3_224() })
	digest(AlgSHA3_256, "SHA3_256", func() hash.Hash { return sha3.New256() })
	digest(AlgSHA3_384, "SHA3_384", func() hash.Hash { return sha3.New384() })
	digest(AlgSHA3_512, "SHA3_512", func() hash.Hash { return sha3.New512() })

	hmacAlg(AlgHMACMD5, "HMAC_MD5", TypeHMACMD5, md5.New)
	hmacAlg(AlgHMACSHA1, "HMAC_SHA1", TypeHMACSHA1, sha1.New)
	hmacAlg(AlgHMACSHA224, "HMAC_SHA224", TypeHMACSHA224, sha256.New224)
	hmacAlg(AlgHMACSHA256, "HMAC_SHA256", TypeHMACSHA256, sha256.New)
	hmacAlg(AlgHMACSHA384, "HMAC_SHA384", TypeHMACSHA384, sha512.New384)
	hmacAlg(AlgHMACSHA512, "HMAC_SHA512", TypeHMACSHA512, sha512.New)
	hmacAlg(AlgHMACSHA3_224, "HMAC_SHA3_224", TypeHMACSHA3_224, newSHA3(sha3.New224))
	hmacAlg(AlgHMACSHA3_256, "HMAC_SHA3_256", TypeHMACSHA3_256, newSHA3(sha3.New256))
	hmacAlg(AlgHMACSHA3_384, "HMAC_SHA3_384", TypeHMACSHA3_384, newSHA3(sha3.New384))
	hmacAlg(AlgHMACSHA3_512, "HMAC_SHA3_512", TypeHMACSHA3_512, newSHA3(sha3.New512))

	block(AlgAESECBNoPad, "AES_ECB_NOPAD", ClassCipher, cipherModes, TypeAES, 16, chainECB, aes.NewCipher)
	block(AlgAESCBCNoPad, "AES_CBC_NOPAD", ClassCipher, cipherModes, TypeAES, 16, chainCBC, aes.NewCipher)
	block(AlgAESCTR, "AES_CTR", ClassCipher, cipherModes, TypeAES, 16, chainCTR, aes.NewCipher)
	block(AlgAESCTS, "AES_CTS", ClassCipher, cipherModes, TypeAES, 16, chainCTS, aes.NewCipher)
	block(AlgAESXTS, "AES_XTS", ClassCipher, cipherModes, TypeAES, 16, chainXTS, aes.NewCipher)
	block(AlgAESCBCMACNoPad, "AES_CBC_MAC_NOPAD", ClassMAC, macModes, TypeAES, 16, chainCBCMACNoPad, aes.NewCipher)
	block(AlgAESCBCMACPKCS5, "AES_CBC_MAC_PKCS5", ClassMAC, macModes, TypeAES, 16, chainCBCMACPKCS5, aes.NewCipher)
	block(AlgAESCMAC, "AES_CMAC", ClassMAC, macModes, TypeAES, 16, chainCMAC, aes.NewCipher)
	block(AlgAESGCM, "AES_GCM", ClassAE, cipherModes, TypeAES, 16, chainGCM, aes.NewCipher)
	block(AlgDESECBNoPad, "DES_ECB_NOPAD", ClassCipher, cipherModes, TypeDES, 8, chainECB, newDES)
	block(AlgDESCBCNoPad, "DES_CBC_NOPAD", ClassCipher, cipherModes, TypeDES, 8, chainCBC, newDES)
	block(AlgDESCBCMACNoPad, "DES_CBC_MAC_NOPAD", ClassMAC, macModes, TypeDES, 8, chainCBCMACNoPad, newDES)
	block(AlgDESCBCMACPKCS5, "DES_CBC_MAC_PKCS5", ClassMAC, macModes, TypeDES, 8, chainCBCMACPKCS5, newDES)
	block(AlgDES3ECBNoPad, "DES3_ECB_NOPAD", ClassCipher, cipherModes, TypeDES3, 8, chainECB, newDES3)
	block(AlgDES3CBCNoPad, "DES3_CBC_NOPAD", ClassCipher, cipherModes, TypeDES3, 8, chainCBC, newDES3)
	block(AlgDES3CBCMACNoPad, "DES3_CBC_MAC_NOPAD", ClassMAC, macModes, TypeDES3, 8, chainCBCMACNoPad, newDES3)
	block(AlgDES3CBCMACPKCS5, "DES3_CBC_MAC_PKCS5", ClassMAC, macModes, TypeDES3, 8, chainCBCMACPKCS5, newDES3)
}

// IsAlgorithmSupported reports whether this implementation supports alg with element
// (TEE_IsAlgorithmSupported, §6.2.9): nil, or tee.ErrNotSupported. Element must be
// ElementNone for every algorithm this engine implements (none of them is elliptic-curve).
func IsAlgorithmSupported(alg Algorithm, element Element) error {
	if _, ok := specs[alg]; !ok || element != ElementNone {
		return tee.ErrNotSupported
	}
	return nil
}

func (s *spec) allowsMode(m Mode) bool {
	for _, x := range s.modes {
		if x == m {
			return true
		}
	}
	return false
}

// requiredUsage is TEE_OperationInfo.requiredKeyUsage for an operation of s in mode m.
func (s *spec) requiredUsage(m Mode) Usage {
	switch m {
	case ModeEncrypt:
		return UsageEncrypt
	case ModeDecrypt:
		return UsageDecrypt
	case ModeMAC:
		return UsageMAC
	case ModeSign:
		return UsageSign
	case ModeVerify:
		return UsageVerify
	case ModeDerive:
		return UsageDerive
	}
	return 0
}
