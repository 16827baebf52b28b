package tacore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"math/big"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// asymDecrypter is an RSA (PKCS#1 v1.5, OAEP) or EC ElGamal decryption context. It
// holds the parsed private key for the context's lifetime, as the reference's
// context holds its stored key: releasing the key does not end the context.
type asymDecrypter struct {
	size int // key size: RSA modulus bytes, EC private key bytes
	rsa  *rsa.PrivateKey
	oaep *rsa.OAEPOptions // nil: PKCS#1 v1.5
	ec   *elgamalKey
}

func (a *asymDecrypter) free() {
	a.rsa, a.ec = nil, nil
	if a.oaep != nil {
		clear(a.oaep.Label)
	}
}

// inSize is the ciphertext size: the modulus for RSA, two uncompressed points without
// their 04 prefix (C1.x ‖ C1.y ‖ C2.x ‖ C2.y) for ElGamal.
func (a *asymDecrypter) inSize() int {
	if a.ec != nil {
		return 4 * a.size
	}
	return a.size
}

// outSize is the output buffer the reference requires: the key size.
func (a *asymDecrypter) outSize() int { return a.size }

func (a *asymDecrypter) decrypt(in []byte) ([]byte, error) {
	if a.ec != nil {
		return a.ec.decrypt(in)
	}
	return rsaDecrypt(a.rsa, a.oaep, in)
}

// newAsymDecrypter checks a key and the parameters for an RSA or EC ElGamal context,
// in the reference's order: key type (INVALID_KEY_TYPE), mode (decrypt only,
// INVALID_PARAMETER), then the curve (Ed/X curves: OPERATION_NOT_ALLOWED). The OAEP
// digests must be SHA-1…SHA-512 (INVALID_PARAMETER; the reference fails them only
// at process, as INTERNAL_ERROR).
func newAsymDecrypter(alg, mode uint32, hdr *protocol.Header, plain []byte, digest, mgf1 uint32, label []byte) (*asymDecrypter, error) {
	a := &asymDecrypter{size: int(hdr.Size)}
	if alg == protocol.CipherECElGamal {
		if hdr.Type != protocol.KeyTypeEC || ecSize(hdr.Curve) != int(hdr.Size) {
			return nil, protocol.StatusInvalidKeyType
		}
		if mode != protocol.CipherModeDecrypt {
			return nil, protocol.StatusInvalidParameter
		}
		if !isPCurve(hdr.Curve) {
			return nil, protocol.StatusOperationNotAllowed
		}
		ek, err := parseElGamal(hdr, plain)
		if err != nil {
			return nil, err
		}
		a.ec = ek
		return a, nil
	}
	if hdr.Type != protocol.KeyTypeRSA || !validRSASize(int(hdr.Size)) {
		return nil, protocol.StatusInvalidKeyType
	}
	if mode != protocol.CipherModeDecrypt {
		return nil, protocol.StatusInvalidParameter
	}
	if alg == protocol.CipherRSAOAEP {
		if !validDigest(digest) || !validDigest(mgf1) {
			return nil, protocol.StatusInvalidParameter
		}
		a.oaep = &rsa.OAEPOptions{Hash: hashOf(digest), MGFHash: hashOf(mgf1), Label: append([]byte(nil), label...)}
	}
	key, err := parseKey(hdr, plain)
	if err != nil {
		return nil, err
	}
	a.rsa = key.(*rsa.PrivateKey)
	a.rsa.Precompute()
	return a, nil
}

// elgamalKey is an EC private key for ElGamal decryption on a NIST curve.
type elgamalKey struct {
	curve elliptic.Curve
	d     []byte // private scalar, big-endian, the curve's size
	size  int
}

// parseElGamal takes the scalar out of a stored EC key.
func parseElGamal(hdr *protocol.Header, plain []byte) (*elgamalKey, error) {
	key, err := parseKey(hdr, plain)
	if err != nil {
		return nil, err
	}
	if pk, ok := key.(*p192Key); ok {
		return &elgamalKey{curve: p192Curve, d: pk.d, size: p192Size}, nil
	}
	k, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, protocol.StatusInternalError
	}
	d, err := k.Bytes()
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	return &elgamalKey{curve: k.Curve, d: d, size: int(hdr.Size)}, nil
}

// decrypt is the reference's EC ElGamal: in is C1 ‖ C2, two uncompressed points
// without their 04 prefix; the message point is M = C2 − d·C1, and the plaintext is
// M's x coordinate (the curve's size). Points off the curve, and a message point at
// infinity, are VERIFICATION_FAILED (as the reference's cipher process reports any
// ElGamal failure).
//
// The arithmetic is crypto/elliptic's: Go has no other API for adding points. For
// P-224…P-521 it runs on Go's constant-time nistec implementations.
func (k *elgamalKey) decrypt(in []byte) ([]byte, error) {
	n := k.size
	if len(in) != 4*n {
		return nil, protocol.StatusInvalidParameter
	}
	num := func(i int) *big.Int { return new(big.Int).SetBytes(in[i*n : (i+1)*n]) }
	x1, y1, x2, y2 := num(0), num(1), num(2), num(3)
	//lint:ignore SA1019 crypto/elliptic's point arithmetic is the only one Go offers.
	if !k.curve.IsOnCurve(x1, y1) || !k.curve.IsOnCurve(x2, y2) {
		return nil, protocol.StatusVerificationFailed
	}
	//lint:ignore SA1019 as above; C1 is on the curve and not the identity.
	sx, sy := k.curve.ScalarMult(x1, y1, k.d)
	// −S = (x, p − y); S is not the identity, since C1 is not and 0 < d < n.
	sy.Sub(k.curve.Params().P, sy)
	//lint:ignore SA1019 as above.
	mx, my := k.curve.Add(x2, y2, sx, sy)
	if mx.Sign() == 0 && my.Sign() == 0 {
		return nil, protocol.StatusVerificationFailed
	}
	return mx.FillBytes(make([]byte, n)), nil
}
