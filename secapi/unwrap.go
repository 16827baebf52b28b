package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// The cipher algorithms past AES. RSA and EC ElGamal decrypt only: their Process
// takes exactly one ciphertext block (the modulus; two points for ElGamal) and there
// is no ProcessLast.
const (
	CipherRSAPKCS1v15 CipherAlgorithm = protocol.CipherRSAPKCS1v15
	CipherRSAOAEP     CipherAlgorithm = protocol.CipherRSAOAEP
	ECElGamal         CipherAlgorithm = protocol.CipherECElGamal
	ChaCha20          CipherAlgorithm = protocol.CipherChaCha20
	// ChaCha20Poly1305 is the RFC 8439 AEAD: ProcessLast takes (decrypt) or returns
	// (encrypt, tagLen 16) the 16-byte tag.
	ChaCha20Poly1305 CipherAlgorithm = protocol.CipherChaCha20Poly1305
)

func isExtCipher(alg CipherAlgorithm) bool {
	return alg >= CipherRSAPKCS1v15 && alg <= ChaCha20Poly1305
}

// newExtCipher is NewCipher for the algorithms above. ChaCha20 takes p.Counter (4
// bytes, little endian) and p.Nonce (12); ChaCha20-Poly1305 p.Nonce and p.AAD; RSA
// OAEP p.Digest, p.MGF1 and p.Label.
func (c *Client) newExtCipher(ctx context.Context, alg CipherAlgorithm, mode CipherMode, k *Key, p CipherParams) (*Cipher, error) {
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U32(uint32(mode))
	w.U64(k.h)
	var in []byte
	switch alg {
	case ChaCha20:
		if len(p.Counter) > protocol.MaxIV || len(p.Nonce) > protocol.MaxIV {
			return nil, StatusInvalidParameter
		}
		w.Var(p.Counter)
		w.Var(p.Nonce)
	case ChaCha20Poly1305:
		if len(p.Nonce) > protocol.MaxIV {
			return nil, StatusInvalidParameter
		}
		w.Var(p.Nonce)
		in = p.AAD
	case CipherRSAOAEP:
		w.U32(uint32(p.Digest))
		w.U32(uint32(p.MGF1))
		in = p.Label
	}
	h, err := c.callU64(ctx, protocol.CmdCipherInit, w.Buf, in)
	if err != nil {
		return nil, err
	}
	return &Cipher{c, h, mode}, nil
}

// KeyType is sa_key_type.
type KeyType uint32

// The key types.
const (
	KeySymmetric KeyType = protocol.KeyTypeSymmetric
	KeyEC        KeyType = protocol.KeyTypeEC
	KeyRSA       KeyType = protocol.KeyTypeRSA
	KeyDH        KeyType = protocol.KeyTypeDH
)

// Wrapping is the algorithm a key was wrapped with and its parameters
// (sa_unwrap_parameters_*); make one with the functions below.
type Wrapping struct {
	alg CipherAlgorithm
	put func(*protocol.Writer)
}

func vars(bs ...[]byte) func(*protocol.Writer) {
	return func(w *protocol.Writer) {
		for _, b := range bs {
			w.Var(b)
		}
	}
}

// AESECBWrap is SA_CIPHER_ALGORITHM_AES_ECB, or AES_ECB_PKCS7 with pkcs7.
func AESECBWrap(pkcs7 bool) Wrapping {
	if pkcs7 {
		return Wrapping{AESECBPKCS7, vars()}
	}
	return Wrapping{AESECB, vars()}
}

// AESCBCWrap is SA_CIPHER_ALGORITHM_AES_CBC, or AES_CBC_PKCS7 with pkcs7.
func AESCBCWrap(iv []byte, pkcs7 bool) Wrapping {
	if pkcs7 {
		return Wrapping{AESCBCPKCS7, vars(iv)}
	}
	return Wrapping{AESCBC, vars(iv)}
}

// AESCTRWrap is SA_CIPHER_ALGORITHM_AES_CTR with the 16-byte counter block.
func AESCTRWrap(ctr []byte) Wrapping { return Wrapping{AESCTR, vars(ctr)} }

// AESGCMWrap is SA_CIPHER_ALGORITHM_AES_GCM: a 12-byte IV, the AAD and a tag of 1 to
// 16 bytes.
func AESGCMWrap(iv, aad, tag []byte) Wrapping { return Wrapping{AESGCM, vars(iv, aad, tag)} }

// ChaCha20Wrap is SA_CIPHER_ALGORITHM_CHACHA20: a 4-byte little-endian block counter
// and a 12-byte nonce.
func ChaCha20Wrap(counter, nonce []byte) Wrapping {
	return Wrapping{ChaCha20, vars(counter, nonce)}
}

// ChaCha20Poly1305Wrap is SA_CIPHER_ALGORITHM_CHACHA20_POLY1305: a 12-byte nonce, the
// AAD and the 16-byte tag.
func ChaCha20Poly1305Wrap(nonce, aad, tag []byte) Wrapping {
	return Wrapping{ChaCha20Poly1305, vars(nonce, aad, tag)}
}

// RSAPKCS1v15Wrap is SA_CIPHER_ALGORITHM_RSA_PKCS1V15.
func RSAPKCS1v15Wrap() Wrapping { return Wrapping{CipherRSAPKCS1v15, vars()} }

// RSAOAEPWrap is SA_CIPHER_ALGORITHM_RSA_OAEP with its digest, MGF1 digest and label.
func RSAOAEPWrap(d, mgf1 Digest, label []byte) Wrapping {
	return Wrapping{CipherRSAOAEP, func(w *protocol.Writer) {
		w.U32(uint32(d))
		w.U32(uint32(mgf1))
		w.Var(label)
	}}
}

// ECElGamalWrap is SA_CIPHER_ALGORITHM_EC_ELGAMAL: the key is keyLength bytes at
// offset in the decrypted message (the message point's x coordinate).
func ECElGamalWrap(offset, keyLength uint64) Wrapping {
	return Wrapping{ECElGamal, func(w *protocol.Writer) {
		w.U64(offset)
		w.U64(keyLength)
	}}
}

// WrapWith is a Wrapping of any algorithm value with no parameters, for callers
// that pass an algorithm through (the TA refuses unknown ones).
func WrapWith(alg CipherAlgorithm) Wrapping { return Wrapping{alg, vars()} }

// Unwrap is sa_key_unwrap: the key wrapped in `in` under wrappingKey (which needs
// UNWRAP) becomes a key of type typ (curve for EC keys; EC and RSA keys as PKCS#8)
// with rights r, restricted by the wrapping key's child rules as derived keys are.
// RSA and EC ElGamal wrap symmetric keys only.
func (c *Client) Unwrap(ctx context.Context, r Rights, typ KeyType, curve Curve, wrap Wrapping, wrappingKey *Key, in []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	if wrap.put == nil {
		return nil, StatusNullParameter
	}
	var w protocol.Writer
	wr.Put(&w)
	w.U32(uint32(typ))
	w.U32(uint32(curve))
	w.U32(uint32(wrap.alg))
	w.U64(wrappingKey.h)
	wrap.put(&w)
	if len(w.Buf) > protocol.MaxRequest {
		return nil, StatusInvalidParameter
	}
	if in == nil {
		in = []byte{}
	}
	return c.keyCall(ctx, protocol.CmdKeyUnwrap, w.Buf, in)
}
