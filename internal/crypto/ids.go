package crypto

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

// Asymmetric algorithms and key derivation. Defined here so the whole GP vocabulary lives
// in one place; the operation engine does not implement them yet (Allocate returns
// NOT_SUPPORTED).
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
)

func (a Algorithm) String() string {
	if s, ok := specs[a]; ok {
		return s.name
	}
	return fmt.Sprintf("alg(0x%08x)", uint32(a))
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
	TypeIllegalValue  ObjectType = 0xEFFFFFFF
)

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
	CurveSM2      Element = 0x00000400
)
