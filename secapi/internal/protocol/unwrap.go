package protocol

// The cipher algorithms beyond AES (sa_cipher_algorithm), with the values of
// sa_types.h. Their CipherInit requests go on after the u64 key with a layout of
// their own (docs/secapi.md): the AES layout's IV field cannot carry ChaCha20's two
// separately sized fields or OAEP's digests.
const (
	CipherRSAPKCS1v15      = 6
	CipherRSAOAEP          = 7
	CipherECElGamal        = 8
	CipherChaCha20         = 9
	CipherChaCha20Poly1305 = 10
)

// Field sizes of the ChaCha20 algorithms (RFC 8439): SecAPI's counter is the 32-bit
// little-endian block counter, the nonce 96 bits, the Poly1305 tag 128 bits.
const (
	ChaChaCounter = 4
	ChaChaNonce   = 12
	ChaChaTag     = 16
	ChaChaKey     = 32
)

// MaxUnwrapVar bounds each variable field of a KeyUnwrap request (IV, counter,
// nonce, tag, AAD, OAEP label); the whole request is at most MaxRequest.
const MaxUnwrapVar = MaxRequest
