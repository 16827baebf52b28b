// Package crypto is the cryptographic operation engine of the secure world: the
// GlobalPlatform TEE Internal Core API 1.3.1 operation model (§6: TEE_AllocateOperation,
// TEE_SetOperationKey, TEE_CipherInit and the rest) implemented over Go's standard
// library crypto and, where the standard library lacks an algorithm, golang.org/x/crypto,
// github.com/emmansun/gmsm (SM2, SM3, SM4) and github.com/cloudflare/circl (Curve448).
//
// In the picture of DESIGN.md it sits inside each TA instance: the Go TA SDK (package ta)
// will expose these operations to Trusted Applications, and a host for C TAs will map the C
// TEE_OperationHandle API onto them. Keys come from the object system (transient and
// persistent objects, trusted storage) through the KeyObject interface; this package
// never stores keys beyond the operation that holds a copy.
//
// # State machines
//
// An Operation follows GP's state machine exactly, with OP-TEE's choices where GP is
// silent: the handle flags (KEY_SET, INITIALIZED, EXPECT_TWO_KEYS), the initial and
// active states, which calls reset an active operation (CipherInit, MACInit) and which
// require the initial state (SetKey, AEInit, AEUpdateAAD). Everything GP says is a
// TEE_Panic — wrong class, wrong state, missing or unsuitable key, a NOPAD input that is
// not whole blocks — panics with a *MisuseError, which the TA runtime turns into
// TEE_Panic. Everything that depends on data rather than on the TA's logic is a
// tee.Result error: ErrShortBuffer with the required size, ErrMACInvalid for a bad MAC or
// tag (with decrypted output zeroed), ErrNotSupported from Allocate and AEInit. The model
// is Go's crypto/cipher: misuse panics, bad data returns an opaque error.
//
// # Algorithms
//
// Digests: MD5, SHA-1, SHA-224/256/384/512, SHA3-224/256/384/512, SM3, and the
// extendable-output SHAKE128/256, whose DigestDoFinal fills the whole output buffer
// (digestLength 0, as in OP-TEE). DigestExtract (TEE_DigestExtract) hands out any
// digest piecewise in GP's extracting state, SHAKE's without end. MACs: HMAC over each fixed-length digest; AES CBC-MAC
// (no padding, PKCS#5), AES-CMAC; DES and 3DES CBC-MAC; 3DES-CMAC (OP-TEE's
// TEE_ALG_DES3_CMAC). Ciphers: AES ECB/CBC without padding, CTR, CTS (CBC-CS3), XTS; DES
// and 3DES ECB/CBC; SM4 ECB/CBC without padding, CTR and XTS (OP-TEE's TEE_ALG_SM4_XTS).
// AE: AES-GCM and AES-CCM. Primitives are Go's, except SM2, SM3, SM4 and the CCM
// construction, which come from github.com/emmansun/gmsm because neither Go nor x/crypto
// has them. ECB, CTS, CBC-MAC and CMAC are thin compositions of a block cipher and CBC
// mode. As in OP-TEE, SM4 with PKCS#5 padding and MD5SHA1 are defined but not supported.
//
// Asymmetric operations and key derivation are single-stage, so they have no engine:
// SetKey (SetKey2 for SM2 key exchange) parses the key object's GP attributes
// (Key.Attrs) once into Go keys — crypto/rsa, crypto/ecdsa and crypto/ecdh (NIST P-192
// to P-521), crypto/ed25519 and X25519, circl's Ed448 and X448, crypto/dsa, and gmsm's
// sm2 — which AsymmetricEncrypt/Decrypt, AsymmetricSignDigest/VerifyDigest and
// DeriveKey use. Key derivation covers DH, ECDH, X25519 and X448, SM2 key exchange
// (TEE_ALG_SM2_KEP: GB/T 32918.3 over gmsm's SM2-MQV, SM3 and KDF, with key
// confirmation; DeriveKeySized, since OP-TEE sizes its output by the derived object),
// OP-TEE's HKDF, Concat KDF and PBKDF2 extensions, and GP's TEE_ALG_HKDF (crypto/hkdf,
// crypto/pbkdf2). The object system shares the type table: ValidObjectSize,
// CheckAttributes (TEE_PopulateTransientObject's checks) and GenerateKey. RSA_NOPAD and
// finite-field DH are the bare modular exponentiations of math/big and are not constant
// time.
//
// NIST P-192 (ECDSA, ECDH, key generation) is the one curve on Go's generic,
// variable-time arithmetic: crypto/elliptic's CurveParams, through crypto/ecdsa's legacy
// math/big path and CurveParams.ScalarMult for ECDH, with every peer point checked to be
// on the curve. Go has no constant-time P-192 (crypto/ecdh and its nistec stop at
// P-224) and no module we allow has a reviewed one, but OP-TEE supports P-192 by default
// and TAs use it (OP-TEE's ecdsa example signs with ECDSA_SHA1 on P-192). Timing may
// leak a P-192 private key to an observer; for a legacy curve that NIST has deprecated
// (SP 800-186 keeps it for verifying old signatures) that is acceptable, and TAs that
// care use P-256. In FIPS 140-only mode P-192 is not supported, as Go refuses custom
// curves there.
//
// Everything is checked against published vectors: NIST SP 800-38A/B/C, NIST CAVS ECC
// CDH (P-192), RFC 3610, 3962, 4493, 6979 (P-192), 7518 and 8032 (Ed25519 and Ed448),
// GB/T 32905 and 32907, GM/T 0003.5 (SM2 signature, key exchange and encryption), FIPS
// 202, and Project Wycheproof (including P-192 ECDSA, Ed448 and X448).
//
// Not supported: RSA keys under 1024 bits unless the TA sets GODEBUG rsa1024min=0, and
// the algorithms OP-TEE defines but does not implement (SM4 with PKCS#5 padding,
// MD5SHA1).
//
// Differences from OP-TEE a TA may notice, all within what GP allows:
//   - AES-GCM and AES-CCM buffer AAD and payload: AEUpdate outputs 0 bytes and the final
//     call outputs the whole message, because Go's AEADs are one-shot. Plaintext is never
//     released before the tag is verified. For CCM the lengths given to AEInit are
//     binding, as in OP-TEE; a payload too long for the nonce's length field panics
//     where OP-TEE silently shortens the nonce.
//   - AES-XTS buffers the data unit until CipherDoFinal, because x/crypto/xts encrypts a
//     data unit in one call; it has no ciphertext stealing (lengths must be whole
//     blocks) and takes the tweak as a 64-bit little-endian data unit number, so an IV
//     with nonzero upper 8 bytes panics with NOT_SUPPORTED.
//   - ECDSA accepts any supported curve with any hash, as GP says; OP-TEE ties each hash
//     to one curve. A signature of the wrong length is SIGNATURE_INVALID, not a panic.
//   - SM2_KEP wants both keys to be key pairs at SetKey2 (a public ephemeral key, which
//     OP-TEE's TEE_SetOperationKey2 accepts but its TEE_DeriveKey cannot use, panics
//     there), and refuses a repeated parameter.
//   - TEE_HANDLE_FLAG_EXTRACTING is cleared when a digest leaves the extracting state
//     (OP-TEE leaves it set), and DigestUpdate while extracting panics (OP-TEE carries on
//     with an undefined result).
//   - Ed448, which OP-TEE lacks, follows GP 1.3.1 (attribute IDs, TEE_ECC_CURVE_448) and
//     accepts both sizes GP's tables are read as, 448 and 456 bits.
package crypto
