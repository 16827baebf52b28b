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
	chainCCM
)

// spec is what the engine knows about one supported algorithm.
type spec struct {
	class     tee.Class
	modes     []tee.Mode
	keyType   tee.ObjectType // zero for digests
	twoKeys   bool           // AES-XTS: key1 is the data key, key2 the tweak key
	digestLen int            // TEE_OperationInfo.digestLength (AE: set by AEInit)
	blockSize int
	chain     chaining
	// ctrBlocks makes CTR updates output whole blocks only, as OP-TEE does for SM4-CTR
	// (its AES-CTR streams).
	ctrBlocks bool
	newHash   func() hash.Hash
	newXOF    func() *sha3.SHAKE // SHAKE128/256 instead of newHash
	newBlock  func(key []byte) (cipher.Block, error)
}

var (
	cipherModes = []tee.Mode{tee.ModeEncrypt, tee.ModeDecrypt}
	macModes    = []tee.Mode{tee.ModeMAC}
	digestModes = []tee.Mode{tee.ModeDigest}
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

var specs = map[tee.Algorithm]*spec{}

func init() {
	digest := func(a tee.Algorithm, n func() hash.Hash) {
		specs[a] = &spec{class: tee.ClassDigest, modes: digestModes, digestLen: n().Size(), newHash: n}
	}
	hmacAlg := func(a tee.Algorithm, t tee.ObjectType, n func() hash.Hash) {
		specs[a] = &spec{class: tee.ClassMAC, modes: macModes, keyType: t, digestLen: n().Size(), newHash: n}
	}
	block := func(a tee.Algorithm, c tee.Class, modes []tee.Mode, t tee.ObjectType, bs int, ch chaining, nb func([]byte) (cipher.Block, error)) {
		s := &spec{class: c, modes: modes, keyType: t, blockSize: bs, chain: ch, newBlock: nb, twoKeys: ch == chainXTS}
		if c == tee.ClassMAC {
			s.digestLen = bs
		}
		specs[a] = s
	}
	sha3_224 := func() *sha3.SHA3 { return sha3.New224() }

	digest(tee.AlgMD5, md5.New)
	digest(tee.AlgSHA1, sha1.New)
	digest(tee.AlgSHA224, sha256.New224)
	digest(tee.AlgSHA256, sha256.New)
	digest(tee.AlgSHA384, sha512.New384)
	digest(tee.AlgSHA512, sha512.New)
	digest(tee.AlgSHA3_224, func() hash.Hash { return sha3_224() })
	digest(tee.AlgSHA3_256, func() hash.Hash { return sha3.New256() })
	digest(tee.AlgSHA3_384, func() hash.Hash { return sha3.New384() })
	digest(tee.AlgSHA3_512, func() hash.Hash { return sha3.New512() })
	digest(tee.AlgSM3, newSM3)
	// GP 1.3.1 and OP-TEE: the output length of an XOF is the TA's buffer, digestLength 0.
	specs[tee.AlgSHAKE128] = &spec{class: tee.ClassDigest, modes: digestModes, newXOF: sha3.NewSHAKE128}
	specs[tee.AlgSHAKE256] = &spec{class: tee.ClassDigest, modes: digestModes, newXOF: sha3.NewSHAKE256}

	hmacAlg(tee.AlgHMACMD5, tee.TypeHMACMD5, md5.New)
	hmacAlg(tee.AlgHMACSHA1, tee.TypeHMACSHA1, sha1.New)
	hmacAlg(tee.AlgHMACSHA224, tee.TypeHMACSHA224, sha256.New224)
	hmacAlg(tee.AlgHMACSHA256, tee.TypeHMACSHA256, sha256.New)
	hmacAlg(tee.AlgHMACSHA384, tee.TypeHMACSHA384, sha512.New384)
	hmacAlg(tee.AlgHMACSHA512, tee.TypeHMACSHA512, sha512.New)
	hmacAlg(tee.AlgHMACSHA3_224, tee.TypeHMACSHA3_224, newSHA3(sha3.New224))
	hmacAlg(tee.AlgHMACSHA3_256, tee.TypeHMACSHA3_256, newSHA3(sha3.New256))
	hmacAlg(tee.AlgHMACSHA3_384, tee.TypeHMACSHA3_384, newSHA3(sha3.New384))
	hmacAlg(tee.AlgHMACSHA3_512, tee.TypeHMACSHA3_512, newSHA3(sha3.New512))
	hmacAlg(tee.AlgHMACSM3, tee.TypeHMACSM3, newSM3)

	block(tee.AlgAESECBNoPad, tee.ClassCipher, cipherModes, tee.TypeAES, 16, chainECB, aes.NewCipher)
	block(tee.AlgAESCBCNoPad, tee.ClassCipher, cipherModes, tee.TypeAES, 16, chainCBC, aes.NewCipher)
	block(tee.AlgAESCTR, tee.ClassCipher, cipherModes, tee.TypeAES, 16, chainCTR, aes.NewCipher)
	block(tee.AlgAESCTS, tee.ClassCipher, cipherModes, tee.TypeAES, 16, chainCTS, aes.NewCipher)
	block(tee.AlgAESXTS, tee.ClassCipher, cipherModes, tee.TypeAES, 16, chainXTS, aes.NewCipher)
	block(tee.AlgAESCBCMACNoPad, tee.ClassMAC, macModes, tee.TypeAES, 16, chainCBCMACNoPad, aes.NewCipher)
	block(tee.AlgAESCBCMACPKCS5, tee.ClassMAC, macModes, tee.TypeAES, 16, chainCBCMACPKCS5, aes.NewCipher)
	block(tee.AlgAESCMAC, tee.ClassMAC, macModes, tee.TypeAES, 16, chainCMAC, aes.NewCipher)
	block(tee.AlgAESGCM, tee.ClassAE, cipherModes, tee.TypeAES, 16, chainGCM, aes.NewCipher)
	block(tee.AlgAESCCM, tee.ClassAE, cipherModes, tee.TypeAES, 16, chainCCM, aes.NewCipher)
	block(tee.AlgDESECBNoPad, tee.ClassCipher, cipherModes, tee.TypeDES, 8, chainECB, newDES)
	block(tee.AlgDESCBCNoPad, tee.ClassCipher, cipherModes, tee.TypeDES, 8, chainCBC, newDES)
	block(tee.AlgDESCBCMACNoPad, tee.ClassMAC, macModes, tee.TypeDES, 8, chainCBCMACNoPad, newDES)
	block(tee.AlgDESCBCMACPKCS5, tee.ClassMAC, macModes, tee.TypeDES, 8, chainCBCMACPKCS5, newDES)
	block(tee.AlgDES3ECBNoPad, tee.ClassCipher, cipherModes, tee.TypeDES3, 8, chainECB, newDES3)
	block(tee.AlgDES3CBCNoPad, tee.ClassCipher, cipherModes, tee.TypeDES3, 8, chainCBC, newDES3)
	block(tee.AlgDES3CBCMACNoPad, tee.ClassMAC, macModes, tee.TypeDES3, 8, chainCBCMACNoPad, newDES3)
	block(tee.AlgDES3CBCMACPKCS5, tee.ClassMAC, macModes, tee.TypeDES3, 8, chainCBCMACPKCS5, newDES3)
	block(tee.AlgDES3CMAC, tee.ClassMAC, macModes, tee.TypeDES3, 8, chainCMAC, newDES3)
	block(tee.AlgSM4ECBNoPad, tee.ClassCipher, cipherModes, tee.TypeSM4, 16, chainECB, newSM4)
	block(tee.AlgSM4CBCNoPad, tee.ClassCipher, cipherModes, tee.TypeSM4, 16, chainCBC, newSM4)
	block(tee.AlgSM4CTR, tee.ClassCipher, cipherModes, tee.TypeSM4, 16, chainCTR, newSM4)
	specs[tee.AlgSM4CTR].ctrBlocks = true
	block(tee.AlgSM4XTS, tee.ClassCipher, cipherModes, tee.TypeSM4, 16, chainXTS, newSM4)
	// Not registered, as in OP-TEE (which defines the IDs but whose TEE_AllocateOperation
	// refuses them): TEE_ALG_SM4_ECB_PKCS5, TEE_ALG_SM4_CBC_PKCS5 and TEE_ALG_MD5SHA1.
}

// IsAlgorithmSupported reports whether this implementation supports alg with element
// (TEE_IsAlgorithmSupported, §6.2.9): nil, or tee.ErrNotSupported. Element is an ECC
// curve for the elliptic-curve algorithms and ElementNone for every other.
func IsAlgorithmSupported(alg tee.Algorithm, element tee.Element) error {
	if handled, ok := supportsElement(alg, element); handled {
		if !ok {
			return tee.ErrNotSupported
		}
		return nil
	}
	if _, ok := specs[alg]; !ok || element != tee.ElementNone {
		return tee.ErrNotSupported
	}
	return nil
}

func (s *spec) allowsMode(m tee.Mode) bool {
	for _, x := range s.modes {
		if x == m {
			return true
		}
	}
	return false
}

// requiredUsage is TEE_OperationInfo.requiredKeyUsage for an operation of s in mode m.
func (s *spec) requiredUsage(m tee.Mode) tee.Usage {
	switch m {
	case tee.ModeEncrypt:
		return tee.UsageEncrypt
	case tee.ModeDecrypt:
		return tee.UsageDecrypt
	case tee.ModeMAC:
		return tee.UsageMAC
	case tee.ModeSign:
		return tee.UsageSign
	case tee.ModeVerify:
		return tee.UsageVerify
	case tee.ModeDerive:
		return tee.UsageDerive
	}
	return 0
}
