// Package crypto is the cryptographic operation engine of the secure world: the
// GlobalPlatform TEE Internal Core API 1.3.1 operation model (§6: TEE_AllocateOperation,
// TEE_SetOperationKey, TEE_CipherInit and the rest) implemented over Go's standard
// library crypto and, where the standard library lacks an algorithm, golang.org/x/crypto.
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
// Digests: MD5, SHA-1, SHA-224/256/384/512, SHA3-224/256/384/512. MACs: HMAC over each
// of those; AES CBC-MAC (no padding, PKCS#5), AES-CMAC; DES and 3DES CBC-MAC. Ciphers:
// AES ECB/CBC without padding, CTR, CTS (CBC-CS3), XTS; DES and 3DES ECB/CBC. AE:
// AES-GCM. Primitives are always Go's; ECB, CTS, CBC-MAC and CMAC, which neither Go nor
// x/crypto offer as modes, are thin compositions of Go's block cipher and CBC mode and
// are checked against published vectors (NIST SP 800-38A/B, RFC 3962, RFC 4493,
// Wycheproof).
//
// Differences from OP-TEE a TA may notice, all within what GP allows:
//   - AES-GCM buffers AAD and payload: AEUpdate outputs 0 bytes and the final call
//     outputs the whole message, because Go's GCM is one-shot. Plaintext is never
//     released before the tag is verified.
//   - AES-XTS buffers the data unit until CipherDoFinal, because x/crypto/xts encrypts a
//     data unit in one call; it has no ciphertext stealing (lengths must be whole
//     blocks) and takes the tweak as a 64-bit little-endian data unit number, so an IV
//     with nonzero upper 8 bytes panics with NOT_SUPPORTED.
//   - AES-CCM, SM3, SM4 and the asymmetric, derivation and extendable-output algorithms
//     are not implemented yet: Allocate returns NOT_SUPPORTED.
package crypto
