package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"math/big"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"

	"github.com/gotee/gotee/tee"
)

// SM2 (GB/T 32918) signatures (TEE_ALG_SM2_DSA_SM3) and public-key encryption
// (TEE_ALG_SM2_PKE) are github.com/emmansun/gmsm's sm2 package; neither Go nor x/crypto
// has SM2. As in OP-TEE, the signed digest is SM3(Z_A || M), which the caller computes,
// signatures are r||s of 32 bytes each, and ciphertexts are C1 || C2 || C3 with C1 an
// uncompressed point: the order of GM/T 0003.4-2012 and of OP-TEE, not the C1 || C3 ||
// C2 of GB/T 32918.4-2016 that gmsm defaults to. Key exchange (TEE_ALG_SM2_KEP) is in
// sm2kep.go.
//
// gmsm's API takes crypto/ecdsa keys with big.Int coordinates, which Go 1.26
// deprecates; sm2Pub and sm2Priv are the only places that fill them in, after gmsm's
// crypto/ecdh conversion has validated the point.

type sm2Key struct {
	pub  *ecdsa.PublicKey
	priv *sm2.PrivateKey // nil for a public key
	// ecdh is priv as gmsm's constant-time ecdh key (key exchange), nil for a public key.
	ecdh *ecdh.PrivateKey
}

// sm2EncOpts and sm2DecOpts give the ciphertext layout of TEE_ALG_SM2_PKE (C1 || C2 || C3, as OP-TEE).
var (
	sm2EncOpts = sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C2C3)
	sm2DecOpts = sm2.NewPlainDecrypterOpts(sm2.C1C2C3)
)

func sm2Point(x, y []byte) []byte {
	xb, yb := leftPad(x, 32), leftPad(y, 32)
	if xb == nil || yb == nil {
		return nil
	}
	return append(append([]byte{4}, xb...), yb...)
}

// sm2Pub builds a public key on the SM2 curve, checking the point.
func sm2Pub(pt []byte) (*ecdsa.PublicKey, error) {
	//lint:ignore SA1019 gmsm's sm2 API takes big.Int coordinates.
	pub := &ecdsa.PublicKey{Curve: sm2.P256(), X: new(big.Int).SetBytes(pt[1:33]), Y: new(big.Int).SetBytes(pt[33:])}
	if _, err := sm2.PublicKeyToECDH(pub); err != nil { // rejects points off the curve
		return nil, errBadKey
	}
	return pub, nil
}

func (k *asymKey) parseSM2(a []tee.Attribute) error {
	if k.bits == 0 {
		k.bits = 256
	} else if k.bits != 256 {
		return errBadKey
	}
	x, _ := attr(a, tee.AttrECCPublicValueX)
	y, _ := attr(a, tee.AttrECCPublicValueY)
	pt := sm2Point(x.Ref, y.Ref)
	if pt == nil {
		return errBadKey
	}
	pub, err := sm2Pub(pt)
	if err != nil {
		return err
	}
	k.sm2 = &sm2Key{pub: pub}
	switch k.typ {
	case tee.TypeSM2DSAKeypair, tee.TypeSM2PKEKeypair, tee.TypeSM2KEPKeypair:
		d, _ := attr(a, tee.AttrECCPrivateValue)
		priv := &sm2.PrivateKey{}
		priv.PublicKey = *pub
		priv.D = new(big.Int).SetBytes(d.Ref)
		e, err := priv.ECDH() // checks 0 < d < n
		if err != nil || !bytes.Equal(e.PublicKey().Bytes(), pt) {
			return errBadKey
		}
		k.sm2.priv, k.sm2.ecdh = priv, e
	}
	return nil
}

func (k *asymKey) sm2Encrypt(src []byte) ([]byte, error) {
	out, err := sm2.Encrypt(rand.Reader, k.sm2.pub, src, sm2EncOpts)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return out, nil
}

func (k *asymKey) sm2Decrypt(src []byte) ([]byte, error) {
	if k.sm2.priv == nil {
		misuse("TEE_AsymmetricDecrypt", "decryption needs an SM2 key pair")
	}
	if len(src) == 0 || src[0] != 4 {
		// gmsm also reads compressed and ASN.1 forms; OP-TEE takes only C1 uncompressed.
		return nil, tee.ErrBadParameters
	}
	out, err := k.sm2.priv.Decrypt(nil, src, sm2DecOpts)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return out, nil
}

func (k *asymKey) sm2Sign(fn string, digest []byte) []byte {
	if k.sm2.priv == nil {
		misuse(fn, "signing needs an SM2 key pair")
	}
	r, s, err := sm2.Sign(rand.Reader, &k.sm2.priv.PrivateKey, digest)
	if err != nil {
		misuse(fn, "SM2: %v", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

func (k *asymKey) sm2Verify(digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	return sm2.Verify(k.sm2.pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

func generateSM2() ([]tee.Attribute, error) {
	priv, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	e, err := priv.ECDH()
	if err != nil {
		return nil, err
	}
	pt := e.PublicKey().Bytes()
	return []tee.Attribute{
		{ID: tee.AttrECCPrivateValue, Ref: e.Bytes()},
		bigAttr(tee.AttrECCPublicValueX, new(big.Int).SetBytes(pt[1:33])),
		bigAttr(tee.AttrECCPublicValueY, new(big.Int).SetBytes(pt[33:])),
	}, nil
}
