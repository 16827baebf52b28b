package secapi

import (
	"context"
	"encoding/binary"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// GenerateRSA is sa_key_generate for SA_KEY_TYPE_RSA: a key with a modulus of
// modulusBytes bytes (128, 256, 384 or 512).
func (c *Client) GenerateRSA(ctx context.Context, r Rights, modulusBytes int) (*Key, error) {
	if modulusBytes < 0 || modulusBytes > 1<<16 {
		return nil, StatusInvalidParameter
	}
	return c.generate(ctx, protocol.KeyTypeRSA, r, uint32(modulusBytes))
}

// GenerateDH is sa_key_generate for SA_KEY_TYPE_DH with prime p and generator g (big
// endian, p at most 512 bytes).
func (c *Client) GenerateDH(ctx context.Context, r Rights, p, g []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	if len(p) > protocol.MaxDHModulus+1 || len(g) > protocol.MaxDHModulus+1 {
		return nil, StatusInvalidParameter
	}
	var w protocol.Writer
	w.U32(protocol.KeyTypeDH)
	wr.Put(&w)
	w.U32(0)
	w.Var(p)
	w.Var(g)
	return c.keyCall(ctx, protocol.CmdKeyGenerate, w.Buf, nil)
}

func (c *Client) keyCall(ctx context.Context, cmd uint32, req, in []byte) (*Key, error) {
	h, err := c.callU64(ctx, cmd, req, in)
	if err != nil {
		return nil, err
	}
	return &Key{c, h}, nil
}

func (c *Client) importKey(ctx context.Context, format uint32, r Rights, curve *Curve, der []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	var w protocol.Writer
	w.U32(format)
	wr.Put(&w)
	if curve != nil {
		w.U32(uint32(*curve))
	}
	if der == nil {
		der = []byte{}
	}
	return c.keyCall(ctx, protocol.CmdKeyImport, w.Buf, der)
}

// ImportEC is sa_key_import with SA_KEY_FORMAT_EC_PRIVATE_BYTES: a private key of
// curve as PKCS#8 DER (what the reference takes with OpenSSL 3; Ed448 and X448 as in
// RFC 8410).
func (c *Client) ImportEC(ctx context.Context, r Rights, curve Curve, pkcs8 []byte) (*Key, error) {
	return c.importKey(ctx, protocol.FormatECPrivateBytes, r, &curve, pkcs8)
}

// ImportRSA is sa_key_import with SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO (PKCS#8 DER).
func (c *Client) ImportRSA(ctx context.Context, r Rights, pkcs8 []byte) (*Key, error) {
	return c.importKey(ctx, protocol.FormatRSAPrivateKeyInfo, r, nil, pkcs8)
}

// ImportExported is sa_key_import with SA_KEY_FORMAT_EXPORTED: a key that Export made
// on this installation.
func (c *Client) ImportExported(ctx context.Context, exported []byte) (*Key, error) {
	return c.importKey(ctx, protocol.FormatExported, Rights{}, nil, exported)
}

// SignatureAlgorithm is sa_signature_algorithm.
type SignatureAlgorithm uint32

// The signature algorithms.
const (
	RSAPKCS1v15 SignatureAlgorithm = protocol.SignRSAPKCS1v15
	RSAPSS      SignatureAlgorithm = protocol.SignRSAPSS
	ECDSA       SignatureAlgorithm = protocol.SignECDSA
	EdDSA       SignatureAlgorithm = protocol.SignEdDSA
)

// SignParams are the parameters of sa_crypto_sign: Digest for RSA and ECDSA, MGF1 and
// SaltLength for PSS, Precomputed when the input is already the digest. EdDSA takes
// none (pure Ed25519 / Ed448).
type SignParams struct {
	Digest      Digest
	MGF1        Digest
	Precomputed bool
	SaltLength  int
}

func (k *Key) signReq(alg SignatureAlgorithm, p SignParams, hasOut bool, outLen uint64) []byte {
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U64(k.h)
	w.U32(uint32(p.Digest))
	w.U32(uint32(p.MGF1))
	w.U32(b2u(p.Precomputed))
	w.U64(uint64(p.SaltLength))
	w.U32(b2u(hasOut))
	w.U64(outLen)
	return w.Buf
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Sign is sa_crypto_sign: the signature of in (ECDSA as r||s, each the curve's size).
func (k *Key) Sign(ctx context.Context, alg SignatureAlgorithm, in []byte, p SignParams) ([]byte, error) {
	if p.SaltLength < 0 {
		return nil, StatusInvalidParameter
	}
	if in == nil {
		in = []byte{}
	}
	return k.c.call(ctx, protocol.CmdSign, k.signReq(alg, p, true, ^uint64(0)), in, 512)
}

// SignLength is sa_crypto_sign with out == NULL: the signature's length.
func (k *Key) SignLength(ctx context.Context, alg SignatureAlgorithm, p SignParams) (int, error) {
	return k.c.lengthCall(ctx, protocol.CmdSign, k.signReq(alg, p, false, 0))
}

func (c *Client) lengthCall(ctx context.Context, cmd uint32, req []byte) (int, error) {
	b, err := c.call(ctx, cmd, req, nil, 8)
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, StatusInternalError
	}
	return int(binary.LittleEndian.Uint64(b)), nil
}

// KeyExchangeAlgorithm is sa_key_exchange_algorithm.
type KeyExchangeAlgorithm uint32

// The key exchange algorithms.
const (
	DH   KeyExchangeAlgorithm = protocol.ExchangeDH
	ECDH KeyExchangeAlgorithm = protocol.ExchangeECDH
)

// Exchange is sa_key_exchange: the shared secret of k and the other party's public key
// (SubjectPublicKeyInfo DER), as a symmetric key with rights r (restricted by k's child
// usage rules).
func (k *Key) Exchange(ctx context.Context, alg KeyExchangeAlgorithm, r Rights, otherPublic []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U64(k.h)
	wr.Put(&w)
	if otherPublic == nil {
		otherPublic = []byte{}
	}
	return k.c.keyCall(ctx, protocol.CmdKeyExchange, w.Buf, otherPublic)
}

// KDF is a key derivation of sa_key_derive; make one with RootKeyLadder, HKDF,
// ConcatKDF, ANSIX963KDF or CMACKDF.
type KDF struct {
	alg uint32
	put func(*protocol.Writer)
}

// RootKeyLadder is SA_KDF_ALGORITHM_ROOT_KEY_LADDER (common: the
// COMMON_ROOT_KEY_LADDER): four 16-byte inputs through the AES-ECB ladder from the
// installation's root key.
func RootKeyLadder(c1, c2, c3, c4 []byte, common bool) KDF {
	alg := uint32(protocol.KDFRootKeyLadder)
	if common {
		alg = protocol.KDFCommonRootKeyLadder
	}
	return KDF{alg, func(w *protocol.Writer) {
		for _, c := range [][]byte{c1, c2, c3, c4} {
			w.Var(c)
		}
	}}
}

// HKDF is SA_KDF_ALGORITHM_HKDF (RFC 5869) from parent.
func HKDF(parent *Key, d Digest, keyLength int, salt, info []byte) KDF {
	return KDF{protocol.KDFHKDF, func(w *protocol.Writer) {
		w.U64(uint64(keyLength))
		w.U32(uint32(d))
		w.U64(parent.h)
		w.Var(salt)
		w.Var(info)
	}}
}

// ConcatKDF is SA_KDF_ALGORITHM_CONCAT (NIST SP 800-56A one-step KDF) from parent.
func ConcatKDF(parent *Key, d Digest, keyLength int, info []byte) KDF {
	return KDF{protocol.KDFConcat, func(w *protocol.Writer) {
		w.U64(uint64(keyLength))
		w.U32(uint32(d))
		w.U64(parent.h)
		w.Var(info)
	}}
}

// ANSIX963KDF is SA_KDF_ALGORITHM_ANSI_X963 from parent.
func ANSIX963KDF(parent *Key, d Digest, keyLength int, info []byte) KDF {
	k := ConcatKDF(parent, d, keyLength, info)
	k.alg = protocol.KDFANSIX963
	return k
}

// CMACKDF is SA_KDF_ALGORITHM_CMAC (NIST SP 800-108 counter mode with AES-CMAC) from
// parent: keyLength bytes starting at block counter (1..4).
func CMACKDF(parent *Key, keyLength int, otherData []byte, counter int) KDF {
	return KDF{protocol.KDFCMAC, func(w *protocol.Writer) {
		w.U64(uint64(keyLength))
		w.U64(parent.h)
		w.Var(otherData)
		w.U32(uint32(counter))
	}}
}

// Derive is sa_key_derive: a symmetric key with rights r.
func (c *Client) Derive(ctx context.Context, r Rights, kdf KDF) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	if kdf.put == nil {
		return nil, StatusNullParameter
	}
	var w protocol.Writer
	w.U32(kdf.alg)
	wr.Put(&w)
	kdf.put(&w)
	if len(w.Buf) > protocol.MaxRequest {
		return nil, StatusInvalidParameter
	}
	return c.keyCall(ctx, protocol.CmdKeyDerive, w.Buf, nil)
}

func (k *Key) exportReq(mixin []byte, hasOut bool, outLen uint64) []byte {
	var w protocol.Writer
	w.U64(k.h)
	w.U32(b2u(mixin != nil))
	w.Var(mixin)
	w.U32(b2u(hasOut))
	w.U64(outLen)
	return w.Buf
}

// Export is sa_key_export: k (which must be CACHEABLE) sealed to this installation,
// diversified by mixin (nil, or 16 bytes). ImportExported takes it back.
func (k *Key) Export(ctx context.Context, mixin []byte) ([]byte, error) {
	if len(mixin) > 64 {
		return nil, StatusInvalidParameter
	}
	return k.c.call(ctx, protocol.CmdKeyExport, k.exportReq(mixin, true, ^uint64(0)), nil, 2048)
}

// ExportLength is sa_key_export with out == NULL.
func (k *Key) ExportLength(ctx context.Context, mixin []byte) (int, error) {
	if len(mixin) > 64 {
		return 0, StatusInvalidParameter
	}
	return k.c.lengthCall(ctx, protocol.CmdKeyExport, k.exportReq(mixin, false, 0))
}
