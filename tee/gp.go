package tee

import "fmt"

// Algorithm is a GP algorithm identifier (TEE_ALG_*), TEE Internal Core API 1.3.1 §6.10.1
// Table 6-11. The values are the spec's (and OP-TEE's tee_api_defines.h); bits 31..28
// give the operation class, the low byte the primitive.
type Algorithm uint32

// Symmetric ciphers, MACs and authenticated encryption.
const (
	AlgAESECBNoPad     Algorithm = 0x10000010
	AlgAESCBCNoPad     Algorithm = 0x10000110
	AlgAESCTR          Algorithm = 0x10000210
	AlgAESCTS          Algorithm = 0x10000310
	AlgAESXTS          Algorithm = 0x10000410
	AlgAESCBCMACNoPad  Algorithm = 0x30000110
	AlgAESCBCMACPKCS5  Algorithm = 0x30000510
	AlgAESCMAC         Algorithm = 0x30000610
	AlgAESCCM          Algorithm = 0x40000710
	AlgAESGCM          Algorithm = 0x40000810
	AlgDESECBNoPad     Algorithm = 0x10000011
	AlgDESCBCNoPad     Algorithm = 0x10000111
	AlgDESCBCMACNoPad  Algorithm = 0x30000111
	AlgDESCBCMACPKCS5  Algorithm = 0x30000511
	AlgDES3ECBNoPad    Algorithm = 0x10000013
	AlgDES3CBCNoPad    Algorithm = 0x10000113
	AlgDES3CBCMACNoPad Algorithm = 0x30000113
	AlgDES3CBCMACPKCS5 Algorithm = 0x30000513
	AlgSM4ECBNoPad     Algorithm = 0x10000014
	AlgSM4CBCNoPad     Algorithm = 0x10000114
	AlgSM4CTR          Algorithm = 0x10000214
	AlgSM4ECBPKCS5     Algorithm = 0x10000015
	AlgSM4CBCPKCS5     Algorithm = 0x10000115
	AlgIllegalValue    Algorithm = 0xEFFFFFFF
)

// Digests and HMACs.
const (
	AlgMD5          Algorithm = 0x50000001
	AlgSHA1         Algorithm = 0x50000002
	AlgSHA224       Algorithm = 0x50000003
	AlgSHA256       Algorithm = 0x50000004
	AlgSHA384       Algorithm = 0x50000005
	AlgSHA512       Algorithm = 0x50000006
	AlgSM3          Algorithm = 0x50000007
	AlgSHA3_224     Algorithm = 0x50000008
	AlgSHA3_256     Algorithm = 0x50000009
	AlgSHA3_384     Algorithm = 0x5000000A
	AlgSHA3_512     Algorithm = 0x5000000B
	AlgMD5SHA1      Algorithm = 0x5000000F
	AlgSHAKE128     Algorithm = 0x50000101
	AlgSHAKE256     Algorithm = 0x50000102
	AlgHMACMD5      Algorithm = 0x30000001
	AlgHMACSHA1     Algorithm = 0x30000002
	AlgHMACSHA224   Algorithm = 0x30000003
	AlgHMACSHA256   Algorithm = 0x30000004
	AlgHMACSHA384   Algorithm = 0x30000005
	AlgHMACSHA512   Algorithm = 0x30000006
	AlgHMACSM3      Algorithm = 0x30000007
	AlgHMACSHA3_224 Algorithm = 0x30000008
	AlgHMACSHA3_256 Algorithm = 0x30000009
	AlgHMACSHA3_384 Algorithm = 0x3000000A
	AlgHMACSHA3_512 Algorithm = 0x3000000B
)

// Asymmetric algorithms and key derivation.
const (
	AlgRSASSAPKCS1v15MD5          Algorithm = 0x70001830
	AlgRSASSAPKCS1v15SHA1         Algorithm = 0x70002830
	AlgRSASSAPKCS1v15SHA224       Algorithm = 0x70003830
	AlgRSASSAPKCS1v15SHA256       Algorithm = 0x70004830
	AlgRSASSAPKCS1v15SHA384       Algorithm = 0x70005830
	AlgRSASSAPKCS1v15SHA512       Algorithm = 0x70006830
	AlgRSASSAPKCS1v15MD5SHA1      Algorithm = 0x7000F830
	AlgRSASSAPKCS1v15SHA3_224     Algorithm = 0x70008830
	AlgRSASSAPKCS1v15SHA3_256     Algorithm = 0x70009830
	AlgRSASSAPKCS1v15SHA3_384     Algorithm = 0x7000A830
	AlgRSASSAPKCS1v15SHA3_512     Algorithm = 0x7000B830
	AlgRSASSAPKCS1PSSMGF1SHA1     Algorithm = 0x70212930
	AlgRSASSAPKCS1PSSMGF1SHA224   Algorithm = 0x70313930
	AlgRSASSAPKCS1PSSMGF1SHA256   Algorithm = 0x70414930
	AlgRSASSAPKCS1PSSMGF1SHA384   Algorithm = 0x70515930
	AlgRSASSAPKCS1PSSMGF1SHA512   Algorithm = 0x70616930
	AlgRSASSAPKCS1PSSMGF1SHA3_224 Algorithm = 0x70818930
	AlgRSASSAPKCS1PSSMGF1SHA3_256 Algorithm = 0x70919930
	AlgRSASSAPKCS1PSSMGF1SHA3_384 Algorithm = 0x70A1A930
	AlgRSASSAPKCS1PSSMGF1SHA3_512 Algorithm = 0x70B1B930
	AlgRSAESPKCS1v15              Algorithm = 0x60000130
	AlgRSAESPKCS1OAEPMGF1SHA1     Algorithm = 0x60210230
	AlgRSAESPKCS1OAEPMGF1SHA224   Algorithm = 0x60310230
	AlgRSAESPKCS1OAEPMGF1SHA256   Algorithm = 0x60410230
	AlgRSAESPKCS1OAEPMGF1SHA384   Algorithm = 0x60510230
	AlgRSAESPKCS1OAEPMGF1SHA512   Algorithm = 0x60610230
	AlgRSAESPKCS1OAEPMGF1SHA3_224 Algorithm = 0x60810230
	AlgRSAESPKCS1OAEPMGF1SHA3_256 Algorithm = 0x60910230
	AlgRSAESPKCS1OAEPMGF1SHA3_384 Algorithm = 0x60A10230
	AlgRSAESPKCS1OAEPMGF1SHA3_512 Algorithm = 0x60B10230
	AlgRSANoPad                   Algorithm = 0x60000030
	AlgDSASHA1                    Algorithm = 0x70002131
	AlgDSASHA224                  Algorithm = 0x70003131
	AlgDSASHA256                  Algorithm = 0x70004131
	AlgDSASHA3_224                Algorithm = 0x70008131
	AlgDSASHA3_256                Algorithm = 0x70009131
	AlgDSASHA3_384                Algorithm = 0x7000A131
	AlgDSASHA3_512                Algorithm = 0x7000B131
	AlgDHDeriveSharedSecret       Algorithm = 0x80000032
	AlgECDSASHA1                  Algorithm = 0x70001042
	AlgECDSASHA224                Algorithm = 0x70002042
	AlgECDSASHA256                Algorithm = 0x70003042
	AlgECDSASHA384                Algorithm = 0x70004042
	AlgECDSASHA512                Algorithm = 0x70005042
	AlgECDSASHA3_224              Algorithm = 0x70006042
	AlgECDSASHA3_256              Algorithm = 0x70007042
	AlgECDSASHA3_384              Algorithm = 0x70008042
	AlgECDSASHA3_512              Algorithm = 0x70009042
	AlgECDHDeriveSharedSecret     Algorithm = 0x80000042
	AlgEd25519                    Algorithm = 0x70006043
	AlgEd448                      Algorithm = 0x70006044
	AlgX25519                     Algorithm = 0x80000044
	AlgX448                       Algorithm = 0x80000045
	AlgSM2DSASM3                  Algorithm = 0x70006045
	AlgSM2KEP                     Algorithm = 0x60000045
	AlgSM2PKE                     Algorithm = 0x80000046
	AlgHKDF                       Algorithm = 0x80000047

	// OP-TEE extensions outside GP's numbering (tee_api_defines_extensions.h),
	// enabled in OP-TEE's default configuration.
	AlgDES3CMAC Algorithm = 0xF0000613 // CMAC over 3DES
	AlgSM4XTS   Algorithm = 0xF0000414 // XTS over SM4, two 128-bit keys
)

// OP-TEE's key derivation extensions (lib/libutee/include/tee_api_defines_extensions.h):
// HKDF (RFC 5869), Concat KDF (NIST SP 800-56A §5.8.1) and PBKDF2 (RFC 8018), each with
// the hash in bits 15..12 as GP's algorithm encoding does.
const (
	AlgHKDFMD5DeriveKey          Algorithm = 0x800010C0
	AlgHKDFSHA1DeriveKey         Algorithm = 0x800020C0
	AlgHKDFSHA224DeriveKey       Algorithm = 0x800030C0
	AlgHKDFSHA256DeriveKey       Algorithm = 0x800040C0
	AlgHKDFSHA384DeriveKey       Algorithm = 0x800050C0
	AlgHKDFSHA512DeriveKey       Algorithm = 0x800060C0
	AlgConcatKDFSHA1DeriveKey    Algorithm = 0x800020C1
	AlgConcatKDFSHA224DeriveKey  Algorithm = 0x800030C1
	AlgConcatKDFSHA256DeriveKey  Algorithm = 0x800040C1
	AlgConcatKDFSHA384DeriveKey  Algorithm = 0x800050C1
	AlgConcatKDFSHA512DeriveKey  Algorithm = 0x800060C1
	AlgPBKDF2HMACSHA1DeriveKey   Algorithm = 0x800020C2
	AlgPBKDF2HMACSHA224DeriveKey Algorithm = 0x800030C2
	AlgPBKDF2HMACSHA256DeriveKey Algorithm = 0x800040C2
	AlgPBKDF2HMACSHA384DeriveKey Algorithm = 0x800050C2
	AlgPBKDF2HMACSHA512DeriveKey Algorithm = 0x800060C2
	AlgPBKDF2HMACSM3DeriveKey    Algorithm = 0x800070C2
)

// String returns the algorithm's GP name without the TEE_ALG_ prefix.
func (a Algorithm) String() string {
	if s, ok := algorithmNames[a]; ok {
		return s
	}
	return fmt.Sprintf("alg(0x%08x)", uint32(a))
}

var algorithmNames = map[Algorithm]string{
	AlgAESECBNoPad:                "AES_ECB_NOPAD",
	AlgAESCBCNoPad:                "AES_CBC_NOPAD",
	AlgAESCTR:                     "AES_CTR",
	AlgAESCTS:                     "AES_CTS",
	AlgAESXTS:                     "AES_XTS",
	AlgAESCBCMACNoPad:             "AES_CBC_MAC_NOPAD",
	AlgAESCBCMACPKCS5:             "AES_CBC_MAC_PKCS5",
	AlgAESCMAC:                    "AES_CMAC",
	AlgAESCCM:                     "AES_CCM",
	AlgAESGCM:                     "AES_GCM",
	AlgDESECBNoPad:                "DES_ECB_NOPAD",
	AlgDESCBCNoPad:                "DES_CBC_NOPAD",
	AlgDESCBCMACNoPad:             "DES_CBC_MAC_NOPAD",
	AlgDESCBCMACPKCS5:             "DES_CBC_MAC_PKCS5",
	AlgDES3ECBNoPad:               "DES3_ECB_NOPAD",
	AlgDES3CBCNoPad:               "DES3_CBC_NOPAD",
	AlgDES3CBCMACNoPad:            "DES3_CBC_MAC_NOPAD",
	AlgDES3CBCMACPKCS5:            "DES3_CBC_MAC_PKCS5",
	AlgSM4ECBNoPad:                "SM4_ECB_NOPAD",
	AlgSM4CBCNoPad:                "SM4_CBC_NOPAD",
	AlgSM4CTR:                     "SM4_CTR",
	AlgSM4ECBPKCS5:                "SM4_ECB_PKCS5",
	AlgSM4CBCPKCS5:                "SM4_CBC_PKCS5",
	AlgIllegalValue:               "ILLEGAL_VALUE",
	AlgMD5:                        "MD5",
	AlgSHA1:                       "SHA1",
	AlgSHA224:                     "SHA224",
	AlgSHA256:                     "SHA256",
	AlgSHA384:                     "SHA384",
	AlgSHA512:                     "SHA512",
	AlgSM3:                        "SM3",
	AlgSHA3_224:                   "SHA3_224",
	AlgSHA3_256:                   "SHA3_256",
	AlgSHA3_384:                   "SHA3_384",
	AlgSHA3_512:                   "SHA3_512",
	AlgMD5SHA1:                    "MD5_SHA1",
	AlgSHAKE128:                   "SHAKE128",
	AlgSHAKE256:                   "SHAKE256",
	AlgHMACMD5:                    "HMAC_MD5",
	AlgHMACSHA1:                   "HMAC_SHA1",
	AlgHMACSHA224:                 "HMAC_SHA224",
	AlgHMACSHA256:                 "HMAC_SHA256",
	AlgHMACSHA384:                 "HMAC_SHA384",
	AlgHMACSHA512:                 "HMAC_SHA512",
	AlgHMACSM3:                    "HMAC_SM3",
	AlgHMACSHA3_224:               "HMAC_SHA3_224",
	AlgHMACSHA3_256:               "HMAC_SHA3_256",
	AlgHMACSHA3_384:               "HMAC_SHA3_384",
	AlgHMACSHA3_512:               "HMAC_SHA3_512",
	AlgRSASSAPKCS1v15MD5:          "RSASSA_PKCS1_V1_5_MD5",
	AlgRSASSAPKCS1v15SHA1:         "RSASSA_PKCS1_V1_5_SHA1",
	AlgRSASSAPKCS1v15SHA224:       "RSASSA_PKCS1_V1_5_SHA224",
	AlgRSASSAPKCS1v15SHA256:       "RSASSA_PKCS1_V1_5_SHA256",
	AlgRSASSAPKCS1v15SHA384:       "RSASSA_PKCS1_V1_5_SHA384",
	AlgRSASSAPKCS1v15SHA512:       "RSASSA_PKCS1_V1_5_SHA512",
	AlgRSASSAPKCS1v15MD5SHA1:      "RSASSA_PKCS1_V1_5_MD5_SHA1",
	AlgRSASSAPKCS1v15SHA3_224:     "RSASSA_PKCS1_V1_5_SHA3_224",
	AlgRSASSAPKCS1v15SHA3_256:     "RSASSA_PKCS1_V1_5_SHA3_256",
	AlgRSASSAPKCS1v15SHA3_384:     "RSASSA_PKCS1_V1_5_SHA3_384",
	AlgRSASSAPKCS1v15SHA3_512:     "RSASSA_PKCS1_V1_5_SHA3_512",
	AlgRSASSAPKCS1PSSMGF1SHA1:     "RSASSA_PKCS1_PSS_MGF1_SHA1",
	AlgRSASSAPKCS1PSSMGF1SHA224:   "RSASSA_PKCS1_PSS_MGF1_SHA224",
	AlgRSASSAPKCS1PSSMGF1SHA256:   "RSASSA_PKCS1_PSS_MGF1_SHA256",
	AlgRSASSAPKCS1PSSMGF1SHA384:   "RSASSA_PKCS1_PSS_MGF1_SHA384",
	AlgRSASSAPKCS1PSSMGF1SHA512:   "RSASSA_PKCS1_PSS_MGF1_SHA512",
	AlgRSASSAPKCS1PSSMGF1SHA3_224: "RSASSA_PKCS1_PSS_MGF1_SHA3_224",
	AlgRSASSAPKCS1PSSMGF1SHA3_256: "RSASSA_PKCS1_PSS_MGF1_SHA3_256",
	AlgRSASSAPKCS1PSSMGF1SHA3_384: "RSASSA_PKCS1_PSS_MGF1_SHA3_384",
	AlgRSASSAPKCS1PSSMGF1SHA3_512: "RSASSA_PKCS1_PSS_MGF1_SHA3_512",
	AlgRSAESPKCS1v15:              "RSAES_PKCS1_V1_5",
	AlgRSAESPKCS1OAEPMGF1SHA1:     "RSAES_PKCS1_OAEP_MGF1_SHA1",
	AlgRSAESPKCS1OAEPMGF1SHA224:   "RSAES_PKCS1_OAEP_MGF1_SHA224",
	AlgRSAESPKCS1OAEPMGF1SHA256:   "RSAES_PKCS1_OAEP_MGF1_SHA256",
	AlgRSAESPKCS1OAEPMGF1SHA384:   "RSAES_PKCS1_OAEP_MGF1_SHA384",
	AlgRSAESPKCS1OAEPMGF1SHA512:   "RSAES_PKCS1_OAEP_MGF1_SHA512",
	AlgRSAESPKCS1OAEPMGF1SHA3_224: "RSAES_PKCS1_OAEP_MGF1_SHA3_224",
	AlgRSAESPKCS1OAEPMGF1SHA3_256: "RSAES_PKCS1_OAEP_MGF1_SHA3_256",
	AlgRSAESPKCS1OAEPMGF1SHA3_384: "RSAES_PKCS1_OAEP_MGF1_SHA3_384",
	AlgRSAESPKCS1OAEPMGF1SHA3_512: "RSAES_PKCS1_OAEP_MGF1_SHA3_512",
	AlgRSANoPad:                   "RSA_NOPAD",
	AlgDSASHA1:                    "DSA_SHA1",
	AlgDSASHA224:                  "DSA_SHA224",
	AlgDSASHA256:                  "DSA_SHA256",
	AlgDSASHA3_224:                "DSA_SHA3_224",
	AlgDSASHA3_256:                "DSA_SHA3_256",
	AlgDSASHA3_384:                "DSA_SHA3_384",
	AlgDSASHA3_512:                "DSA_SHA3_512",
	AlgDHDeriveSharedSecret:       "DH_DERIVE_SHARED_SECRET",
	AlgECDSASHA1:                  "ECDSA_SHA1",
	AlgECDSASHA224:                "ECDSA_SHA224",
	AlgECDSASHA256:                "ECDSA_SHA256",
	AlgECDSASHA384:                "ECDSA_SHA384",
	AlgECDSASHA512:                "ECDSA_SHA512",
	AlgECDSASHA3_224:              "ECDSA_SHA3_224",
	AlgECDSASHA3_256:              "ECDSA_SHA3_256",
	AlgECDSASHA3_384:              "ECDSA_SHA3_384",
	AlgECDSASHA3_512:              "ECDSA_SHA3_512",
	AlgECDHDeriveSharedSecret:     "ECDH_DERIVE_SHARED_SECRET",
	AlgEd25519:                    "ED25519",
	AlgEd448:                      "ED448",
	AlgX25519:                     "X25519",
	AlgX448:                       "X448",
	AlgSM2DSASM3:                  "SM2_DSA_SM3",
	AlgSM2KEP:                     "SM2_KEP",
	AlgSM2PKE:                     "SM2_PKE",
	AlgHKDF:                       "HKDF",
	AlgHKDFMD5DeriveKey:           "HKDF_MD5_DERIVE_KEY",
	AlgHKDFSHA1DeriveKey:          "HKDF_SHA1_DERIVE_KEY",
	AlgHKDFSHA224DeriveKey:        "HKDF_SHA224_DERIVE_KEY",
	AlgHKDFSHA256DeriveKey:        "HKDF_SHA256_DERIVE_KEY",
	AlgHKDFSHA384DeriveKey:        "HKDF_SHA384_DERIVE_KEY",
	AlgHKDFSHA512DeriveKey:        "HKDF_SHA512_DERIVE_KEY",
	AlgConcatKDFSHA1DeriveKey:     "CONCAT_KDF_SHA1_DERIVE_KEY",
	AlgConcatKDFSHA224DeriveKey:   "CONCAT_KDF_SHA224_DERIVE_KEY",
	AlgConcatKDFSHA256DeriveKey:   "CONCAT_KDF_SHA256_DERIVE_KEY",
	AlgConcatKDFSHA384DeriveKey:   "CONCAT_KDF_SHA384_DERIVE_KEY",
	AlgConcatKDFSHA512DeriveKey:   "CONCAT_KDF_SHA512_DERIVE_KEY",
	AlgPBKDF2HMACSHA1DeriveKey:    "PBKDF2_HMAC_SHA1_DERIVE_KEY",
	AlgPBKDF2HMACSHA224DeriveKey:  "PBKDF2_HMAC_SHA224_DERIVE_KEY",
	AlgPBKDF2HMACSHA256DeriveKey:  "PBKDF2_HMAC_SHA256_DERIVE_KEY",
	AlgPBKDF2HMACSHA384DeriveKey:  "PBKDF2_HMAC_SHA384_DERIVE_KEY",
	AlgPBKDF2HMACSHA512DeriveKey:  "PBKDF2_HMAC_SHA512_DERIVE_KEY",
	AlgPBKDF2HMACSM3DeriveKey:     "PBKDF2_HMAC_SM3_DERIVE_KEY",
}

// Mode is a TEE_OperationMode (§6.1.1 Table 6-3).
type Mode uint32

const (
	ModeEncrypt Mode = 0
	ModeDecrypt Mode = 1
	ModeSign    Mode = 2
	ModeVerify  Mode = 3
	ModeMAC     Mode = 4
	ModeDigest  Mode = 5
	ModeDerive  Mode = 6
	// ModeIllegalValue is TEE_MODE_ILLEGAL_VALUE; never a valid mode.
	ModeIllegalValue Mode = 0x7FFFFFFF
)

func (m Mode) String() string {
	switch m {
	case ModeEncrypt:
		return "ENCRYPT"
	case ModeDecrypt:
		return "DECRYPT"
	case ModeSign:
		return "SIGN"
	case ModeVerify:
		return "VERIFY"
	case ModeMAC:
		return "MAC"
	case ModeDigest:
		return "DIGEST"
	case ModeDerive:
		return "DERIVE"
	}
	return fmt.Sprintf("mode(%d)", uint32(m))
}

// Class is an operation class (TEE_OPERATION_*, §6.1.1 Table 6-4).
type Class uint32

const (
	ClassCipher              Class = 1
	ClassMAC                 Class = 3
	ClassAE                  Class = 4
	ClassDigest              Class = 5
	ClassAsymmetricCipher    Class = 6
	ClassAsymmetricSignature Class = 7
	ClassKeyDerivation       Class = 8
)

func (c Class) String() string {
	switch c {
	case ClassCipher:
		return "CIPHER"
	case ClassMAC:
		return "MAC"
	case ClassAE:
		return "AE"
	case ClassDigest:
		return "DIGEST"
	case ClassAsymmetricCipher:
		return "ASYMMETRIC_CIPHER"
	case ClassAsymmetricSignature:
		return "ASYMMETRIC_SIGNATURE"
	case ClassKeyDerivation:
		return "KEY_DERIVATION"
	}
	return fmt.Sprintf("class(%d)", uint32(c))
}

// State is an operation state (TEE_OPERATION_STATE_*, §6.2.2).
type State uint32

const (
	StateInitial    State = 0
	StateActive     State = 1
	StateExtracting State = 2
)

func (s State) String() string {
	switch s {
	case StateInitial:
		return "INITIAL"
	case StateActive:
		return "ACTIVE"
	case StateExtracting:
		return "EXTRACTING"
	}
	return fmt.Sprintf("state(%d)", uint32(s))
}

// HandleFlags are the TEE_HANDLE_FLAG_* bits of TEE_OperationInfo.handleState.
type HandleFlags uint32

const (
	FlagPersistent    HandleFlags = 0x00010000
	FlagInitialized   HandleFlags = 0x00020000
	FlagKeySet        HandleFlags = 0x00040000
	FlagExpectTwoKeys HandleFlags = 0x00080000
	FlagExtracting    HandleFlags = 0x00100000
)

// Usage is a set of TEE_USAGE_* flags: what a key object may be used for.
type Usage uint32

const (
	UsageExtractable Usage = 0x00000001
	UsageEncrypt     Usage = 0x00000002
	UsageDecrypt     Usage = 0x00000004
	UsageMAC         Usage = 0x00000008
	UsageSign        Usage = 0x00000010
	UsageVerify      Usage = 0x00000020
	UsageDerive      Usage = 0x00000040
	// UsageAll is what a freshly allocated transient object allows (0xFFFFFFFF).
	UsageAll Usage = 0xFFFFFFFF
)

// ObjectType is a TEE_TYPE_* object type (§6.11 Table 6-13); operations check a key's
// type against the algorithm.
type ObjectType uint32

const (
	TypeAES           ObjectType = 0xA0000010
	TypeDES           ObjectType = 0xA0000011
	TypeDES3          ObjectType = 0xA0000013
	TypeSM4           ObjectType = 0xA0000014
	TypeHMACMD5       ObjectType = 0xA0000001
	TypeHMACSHA1      ObjectType = 0xA0000002
	TypeHMACSHA224    ObjectType = 0xA0000003
	TypeHMACSHA256    ObjectType = 0xA0000004
	TypeHMACSHA384    ObjectType = 0xA0000005
	TypeHMACSHA512    ObjectType = 0xA0000006
	TypeHMACSM3       ObjectType = 0xA0000007
	TypeHMACSHA3_224  ObjectType = 0xA0000008
	TypeHMACSHA3_256  ObjectType = 0xA0000009
	TypeHMACSHA3_384  ObjectType = 0xA000000A
	TypeHMACSHA3_512  ObjectType = 0xA000000B
	TypeGenericSecret ObjectType = 0xA0000000
	TypeHKDF          ObjectType = 0xA000004A
	// OP-TEE's key derivation extensions: the input secret of HKDF, Concat KDF and PBKDF2.
	TypeHKDFIKM        ObjectType = 0xA10000C0
	TypeConcatKDFZ     ObjectType = 0xA10000C1
	TypePBKDF2Password ObjectType = 0xA10000C2
	TypeIllegalValue   ObjectType = 0xEFFFFFFF

	TypeRSAPublicKey     ObjectType = 0xA0000030
	TypeRSAKeypair       ObjectType = 0xA1000030
	TypeDSAPublicKey     ObjectType = 0xA0000031
	TypeDSAKeypair       ObjectType = 0xA1000031
	TypeDHKeypair        ObjectType = 0xA1000032
	TypeECDSAPublicKey   ObjectType = 0xA0000041
	TypeECDSAKeypair     ObjectType = 0xA1000041
	TypeECDHPublicKey    ObjectType = 0xA0000042
	TypeECDHKeypair      ObjectType = 0xA1000042
	TypeEd25519PublicKey ObjectType = 0xA0000043
	TypeEd25519Keypair   ObjectType = 0xA1000043
	TypeX25519PublicKey  ObjectType = 0xA0000044
	TypeX25519Keypair    ObjectType = 0xA1000044
	TypeSM2DSAPublicKey  ObjectType = 0xA0000045
	TypeSM2DSAKeypair    ObjectType = 0xA1000045
	TypeSM2KEPPublicKey  ObjectType = 0xA0000046
	TypeSM2KEPKeypair    ObjectType = 0xA1000046
	TypeSM2PKEPublicKey  ObjectType = 0xA0000047
	TypeSM2PKEKeypair    ObjectType = 0xA1000047
	TypeEd448PublicKey   ObjectType = 0xA0000048
	TypeEd448Keypair     ObjectType = 0xA1000048
	TypeX448PublicKey    ObjectType = 0xA0000049
	TypeX448Keypair      ObjectType = 0xA1000049
	// TypeData is a persistent object with a data stream and no key
	// (TEE_TYPE_DATA, what a TEE_HANDLE_NULL attributes object creates).
	TypeData ObjectType = 0xA00000BF
	// TypeCorruptedObject is what OP-TEE reports for an object it cannot read.
	TypeCorruptedObject ObjectType = 0xA00000BE
)

// AttributeID is a TEE_ATTR_* identifier (§6.11 Table 6-15). Bit 29 says the attribute
// is a value (two 32-bit integers) rather than a buffer; bit 28 says it is public, so
// TEE_GetObjectBufferAttribute gives it out even when the object is not extractable.
type AttributeID uint32

// Attribute ID flags.
const (
	AttrFlagPublic AttributeID = 1 << 28
	AttrFlagValue  AttributeID = 1 << 29
)

// IsValue reports whether the attribute is a value attribute (A and B) rather than a
// buffer attribute (Ref).
func (id AttributeID) IsValue() bool { return id&AttrFlagValue != 0 }

// IsPublic reports whether the attribute may be read from a non-extractable object.
func (id AttributeID) IsPublic() bool { return id&AttrFlagPublic != 0 }

// Object and operation attributes. The values are GP's (OP-TEE's tee_api_defines.h),
// including OP-TEE's HKDF, KDF and EdDSA extensions.
const (
	AttrSecretValue              AttributeID = 0xC0000000
	AttrRSAModulus               AttributeID = 0xD0000130
	AttrRSAPublicExponent        AttributeID = 0xD0000230
	AttrRSAPrivateExponent       AttributeID = 0xC0000330
	AttrRSAPrime1                AttributeID = 0xC0000430
	AttrRSAPrime2                AttributeID = 0xC0000530
	AttrRSAExponent1             AttributeID = 0xC0000630
	AttrRSAExponent2             AttributeID = 0xC0000730
	AttrRSACoefficient           AttributeID = 0xC0000830
	AttrDSAPrime                 AttributeID = 0xD0001031
	AttrDSASubprime              AttributeID = 0xD0001131
	AttrDSABase                  AttributeID = 0xD0001231
	AttrDSAPublicValue           AttributeID = 0xD0000131
	AttrDSAPrivateValue          AttributeID = 0xC0000231
	AttrDHPrime                  AttributeID = 0xD0001032
	AttrDHSubprime               AttributeID = 0xD0001132
	AttrDHBase                   AttributeID = 0xD0001232
	AttrDHXBits                  AttributeID = 0xF0001332
	AttrDHPublicValue            AttributeID = 0xD0000132
	AttrDHPrivateValue           AttributeID = 0xC0000232
	AttrRSAOAEPLabel             AttributeID = 0xD0000930
	AttrRSAOAEPMGFHash           AttributeID = 0xD0000931
	AttrRSAPSSSaltLength         AttributeID = 0xF0000A30
	AttrECCPublicValueX          AttributeID = 0xD0000141
	AttrECCPublicValueY          AttributeID = 0xD0000241
	AttrECCPrivateValue          AttributeID = 0xC0000341
	AttrECCCurve                 AttributeID = 0xF0000441
	AttrSM2IDInitiator           AttributeID = 0xD0000446
	AttrSM2IDResponder           AttributeID = 0xD0000546
	AttrSM2KEPUser               AttributeID = 0xF0000646
	AttrSM2KEPConfirmationIn     AttributeID = 0xD0000746
	AttrSM2KEPConfirmationOut    AttributeID = 0xD0000846
	AttrECCEphemeralPublicValueX AttributeID = 0xD0000146
	AttrECCEphemeralPublicValueY AttributeID = 0xD0000246
	AttrEdDSACtx                 AttributeID = 0xD0000643
	AttrEd25519PublicValue       AttributeID = 0xD0000743
	AttrEd25519PrivateValue      AttributeID = 0xC0000843
	AttrX25519PublicValue        AttributeID = 0xD0000944
	AttrX25519PrivateValue       AttributeID = 0xC0000A44
	AttrEdDSAPrehash             AttributeID = 0xF0000004
	AttrX448PublicValue          AttributeID = 0xD0000A45
	AttrX448PrivateValue         AttributeID = 0xC0000A46
	AttrHKDFSalt                 AttributeID = 0xD0000946
	AttrHKDFInfo                 AttributeID = 0xD0000A46
	AttrHKDFHashAlgorithm        AttributeID = 0xF0000B46
	AttrKDFKeySize               AttributeID = 0xF0000C46

	// Ed448's are GP 1.3.1's values (Table 6-17); OP-TEE's tee_api_defines.h omits them
	// because OP-TEE has no Ed448.
	AttrEd448PublicValue  AttributeID = 0xD0000002
	AttrEd448PrivateValue AttributeID = 0xC0000003
)

// OP-TEE's key derivation extension attributes (tee_api_defines_extensions.h). OP-TEE's
// HKDF salt and info IDs were renamed (__OPTEE_*) because GP 1.3.1 later gave the
// TEE_ATTR_HKDF_SALT and TEE_ATTR_HKDF_INFO names other values; OP-TEE accepts both.
const (
	AttrHKDFIKM              AttributeID = 0xC00001C0
	AttrOPTEEHKDFSalt        AttributeID = 0xD00002C0
	AttrOPTEEHKDFInfo        AttributeID = 0xD00003C0
	AttrHKDFOKMLength        AttributeID = 0xF00004C0
	AttrConcatKDFZ           AttributeID = 0xC00001C1
	AttrConcatKDFOtherInfo   AttributeID = 0xD00002C1
	AttrConcatKDFDKMLength   AttributeID = 0xF00003C1
	AttrPBKDF2Password       AttributeID = 0xC00001C2
	AttrPBKDF2Salt           AttributeID = 0xD00002C2
	AttrPBKDF2IterationCount AttributeID = 0xF00003C2
	AttrPBKDF2DKMLength      AttributeID = 0xF00004C2

	// OP-TEE first gave TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X and _Y these values by
	// mistake (__OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X, _Y); its TEE_ALG_SM2_KEP
	// still accepts them beside GP's. They equal TEE_ATTR_HKDF_SALT and _INFO.
	AttrOPTEESM2KEPEphemeralPublicValueX AttributeID = 0xD0000946
	AttrOPTEESM2KEPEphemeralPublicValueY AttributeID = 0xD0000A46
)

// Attribute is one TEE_Attribute: an ID with either a buffer (Ref) or, when ID.IsValue(),
// two 32-bit values. Buffers hold big-endian unsigned integers for the numeric
// attributes (RSA, DSA, DH, ECC), as GP specifies.
type Attribute struct {
	ID   AttributeID
	Ref  []byte
	A, B uint32
}

// Element is a cryptographic element for IsAlgorithmSupported: TEE_CRYPTO_ELEMENT_NONE or
// a TEE_ECC_CURVE_* value.
type Element uint32

const (
	ElementNone   Element = 0x00000000
	CurveNISTP192 Element = 0x00000001
	CurveNISTP224 Element = 0x00000002
	CurveNISTP256 Element = 0x00000003
	CurveNISTP384 Element = 0x00000004
	CurveNISTP521 Element = 0x00000005
	Curve25519    Element = 0x00000300
	Curve448      Element = 0x00000301
	CurveSM2      Element = 0x00000400
)
