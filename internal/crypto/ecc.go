package crypto

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"math/big"

	"github.com/gotee/gotee/tee"
)

// ECDSA and ECDH over the NIST curves P-224, P-256, P-384 and P-521 are crypto/ecdsa and
// crypto/ecdh (constant time, FIPS 140-3 validated). P-192 (TEE_ECC_CURVE_NIST_P192) is
// crypto/ecdsa's generic, variable-time path over crypto/elliptic's CurveParams; p192.go
// says why that is acceptable.

// curveInfo describes one TEE_ECC_CURVE_*.
type curveInfo struct {
	id    tee.Element
	bits  int
	bytes int
	ec    elliptic.Curve // nil for curves ECDSA/ECDH cannot use
	dh    ecdh.Curve
	// generic: ec is a bare *elliptic.CurveParams, so crypto/ecdsa uses its legacy
	// math/big path and ECDH is CurveParams.ScalarMult (P-192).
	generic bool
}

// usable reports whether ECDSA and ECDH work on c here.
func (c *curveInfo) usable() bool { return c.ec != nil && (!c.generic || genericAllowed()) }

// curves are the TEE_ECC_CURVE_* values an object may name. Curve 25519 and SM2 have
// their own key types; they are here for their sizes.
var curves = map[tee.Element]*curveInfo{
	tee.CurveNISTP192: {id: tee.CurveNISTP192, bits: 192, bytes: 24, ec: p192, generic: true},
	tee.CurveNISTP224: {id: tee.CurveNISTP224, bits: 224, bytes: 28, ec: elliptic.P224()},
	tee.CurveNISTP256: {id: tee.CurveNISTP256, bits: 256, bytes: 32, ec: elliptic.P256(), dh: ecdh.P256()},
	tee.CurveNISTP384: {id: tee.CurveNISTP384, bits: 384, bytes: 48, ec: elliptic.P384(), dh: ecdh.P384()},
	tee.CurveNISTP521: {id: tee.CurveNISTP521, bits: 521, bytes: 66, ec: elliptic.P521(), dh: ecdh.P521()},
	tee.Curve25519:    {id: tee.Curve25519, bits: 256, bytes: 32},
	tee.CurveSM2:      {id: tee.CurveSM2, bits: 256, bytes: 32},
}

// nistCurveSize reports whether bits is the size of a supported NIST curve.
func nistCurveSize(bits int) bool {
	for _, c := range curves {
		if c.usable() && c.bits == bits {
			return true
		}
	}
	return false
}

// supportsElement is the element half of TEE_IsAlgorithmSupported for the asymmetric
// algorithms: handled says alg is one of them; ok whether element is a curve (or
// TEE_CRYPTO_ELEMENT_NONE) it works with here.
func supportsElement(alg tee.Algorithm, element tee.Element) (handled, ok bool) {
	as, found := asymSpecs[alg]
	if !found {
		return false, false
	}
	switch as.scheme {
	case schECDSA, schECDH:
		c, found := curves[element]
		return true, found && c.usable()
	case schEd25519, schX25519:
		return true, element == tee.Curve25519
	case schEd448, schX448:
		return true, element == tee.Curve448
	case schSM2DSA, schSM2PKE, schSM2KEP:
		return true, element == tee.CurveSM2
	}
	return true, element == tee.ElementNone
}

// ecPoint builds the uncompressed SEC 1 encoding of (x, y) on c, or nil if a coordinate
// is too long.
func ecPoint(c *curveInfo, x, y []byte) []byte {
	xb, yb := leftPad(x, c.bytes), leftPad(y, c.bytes)
	if xb == nil || yb == nil {
		return nil
	}
	return append(append([]byte{4}, xb...), yb...)
}

func (k *asymKey) parseECC(a []tee.Attribute) error {
	ca, ok := attr(a, tee.AttrECCCurve)
	if !ok {
		return errBadKey
	}
	c, ok := curves[tee.Element(ca.A)]
	if !ok || !c.usable() {
		return errBadKey
	}
	if k.bits == 0 {
		k.bits = c.bits
	} else if k.bits != c.bits {
		return errBadKey
	}
	k.curve = c
	x, _ := attr(a, tee.AttrECCPublicValueX)
	y, _ := attr(a, tee.AttrECCPublicValueY)
	pt := ecPoint(c, x.Ref, y.Ref)
	if pt == nil {
		return errBadKey
	}
	var pub *ecdsa.PublicKey
	var err error
	if c.generic {
		pub, err = genericPublicKey(c, pt)
	} else {
		pub, err = ecdsa.ParseUncompressedPublicKey(c.ec, pt) // checks the point is on the curve
	}
	if err != nil {
		return errBadKey
	}
	k.ecPub = pub
	if k.typ == tee.TypeECDSAKeypair || k.typ == tee.TypeECDHKeypair {
		d, _ := attr(a, tee.AttrECCPrivateValue)
		db := leftPad(d.Ref, c.bytes)
		if db == nil {
			return errBadKey
		}
		var priv *ecdsa.PrivateKey
		if c.generic {
			priv, err = genericPrivateKey(c, db, pub)
		} else if priv, err = ecdsa.ParseRawPrivateKey(c.ec, db); err == nil && !priv.PublicKey.Equal(pub) {
			err = errBadKey // the private value does not give the public point
		}
		clear(db)
		if err != nil {
			return errBadKey
		}
		k.ecPriv = priv
		if k.typ == tee.TypeECDHKeypair && c.dh != nil {
			if k.ecdhPriv, err = priv.ECDH(); err != nil {
				return errBadKey
			}
		}
	}
	return nil
}

// ecdsaSign signs with ECDSA (FIPS 186-5; Go mixes the key and digest into its nonce
// generation, hedging against a weak RNG) and returns r||s, each curve-sized.
func (k *asymKey) ecdsaSign(fn string, digest []byte) []byte {
	r, s, err := ecdsa.Sign(rand.Reader, k.ecPriv, digest)
	if err != nil {
		misuse(fn, "ECDSA: %v", err)
	}
	n := k.curve.bytes
	sig := make([]byte, 2*n)
	r.FillBytes(sig[:n])
	s.FillBytes(sig[n:])
	return sig
}

func (k *asymKey) ecdsaVerify(digest, sig []byte) bool {
	n := k.curve.bytes
	if len(sig) != 2*n {
		return false
	}
	r := new(big.Int).SetBytes(sig[:n])
	s := new(big.Int).SetBytes(sig[n:])
	return ecdsa.Verify(k.ecPub, digest, r, s)
}

// ecdhDerive computes the ECDH shared secret (the x coordinate, curve-sized) with the
// peer's point (x, y), which must be on the key's curve.
func (k *asymKey) ecdhDerive(x, y []byte) ([]byte, error) {
	c := k.curve
	pt := ecPoint(c, x, y)
	if pt == nil {
		return nil, tee.ErrBadParameters
	}
	switch {
	case c.generic:
		return k.ecdhGeneric(pt)
	case c.dh == nil:
		return k.ecdhP224(pt)
	}
	peer, err := c.dh.NewPublicKey(pt) // rejects points off the curve and infinity
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	s, err := k.ecdhPriv.ECDH(peer)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return s, nil
}

// ecdhP224 is ECDH on P-224, which crypto/ecdh lacks. crypto/elliptic's P224 is backed
// by the same constant-time crypto/internal/fips140/nistec code as crypto/ecdsa, so its
// (deprecated) point API is a reviewed implementation; the peer point is validated by
// ecdsa.ParseUncompressedPublicKey first.
func (k *asymKey) ecdhP224(pt []byte) ([]byte, error) {
	peer, err := ecdsa.ParseUncompressedPublicKey(k.curve.ec, pt)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	d, err := k.ecPriv.Bytes()
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	defer clear(d)
	//lint:ignore SA1019 crypto/ecdh has no P-224; elliptic.P224 is constant-time nistec.
	x, _ := k.curve.ec.ScalarMult(peer.X, peer.Y, d)
	if x.Sign() == 0 {
		return nil, tee.ErrBadParameters
	}
	return x.FillBytes(make([]byte, k.curve.bytes)), nil
}

// generateECC makes a key pair on the curve named by params' TEE_ATTR_ECC_CURVE.
func generateECC(bits int, params []tee.Attribute) ([]tee.Attribute, error) {
	ca, ok := attr(params, tee.AttrECCCurve)
	if !ok {
		misuseCode(tee.ErrItemNotFound, "TEE_GenerateKey", "missing TEE_ATTR_ECC_CURVE")
	}
	c, ok := curves[tee.Element(ca.A)]
	if !ok || !c.usable() {
		return nil, tee.ErrNotSupported
	}
	if c.bits != bits {
		return nil, tee.ErrBadParameters
	}
	if c.generic {
		d, x, y, err := generateGeneric(c)
		if err != nil {
			return nil, err
		}
		defer clear(d)
		return []tee.Attribute{
			bigAttr(tee.AttrECCPrivateValue, new(big.Int).SetBytes(d)),
			bigAttr(tee.AttrECCPublicValueX, new(big.Int).SetBytes(x)),
			bigAttr(tee.AttrECCPublicValueY, new(big.Int).SetBytes(y)),
			{ID: tee.AttrECCCurve, A: uint32(c.id)},
		}, nil
	}
	priv, err := ecdsa.GenerateKey(c.ec, rand.Reader)
	if err != nil {
		return nil, err
	}
	d, err := priv.Bytes()
	if err != nil {
		return nil, err
	}
	pt, err := priv.PublicKey.Bytes()
	if err != nil {
		return nil, err
	}
	n := c.bytes
	return []tee.Attribute{
		bigAttr(tee.AttrECCPrivateValue, new(big.Int).SetBytes(d)),
		bigAttr(tee.AttrECCPublicValueX, new(big.Int).SetBytes(pt[1:1+n])),
		bigAttr(tee.AttrECCPublicValueY, new(big.Int).SetBytes(pt[1+n:])),
		{ID: tee.AttrECCCurve, A: uint32(c.id)},
	}, nil
}
