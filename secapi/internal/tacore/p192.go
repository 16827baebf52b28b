package tacore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"math/big"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// NIST P-192 keys. Go's crypto/ecdsa, crypto/ecdh and crypto/x509 stop at P-224, so a
// P-192 key is a p192Key: generation, ECDSA and ECDH run on the SDK's GP operations
// (TEE_ECC_CURVE_NIST_P192), and the PKCS#8 and SubjectPublicKeyInfo encodings are
// written here (RFC 5915, RFC 5480). The public point of an imported key, and
// ElGamal, take crypto/elliptic's generic arithmetic over the curve's parameters, as
// the SDK does for P-192 itself: it is variable time, which the SDK accepts for this
// legacy curve (internal/crypto/p192.go says why), and so does the TA.

// p192Key is a P-192 key pair: d, x, y big-endian, 24 bytes each.
type p192Key struct{ d, x, y []byte }

const p192Size = 24

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP192        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}
)

// p192Curve is FIPS 186-4 §D.1.2.1 (secp192r1).
var p192Curve = func() *elliptic.CurveParams {
	h := func(s string) *big.Int { n, _ := new(big.Int).SetString(s, 16); return n }
	return &elliptic.CurveParams{
		Name: "P-192", BitSize: 192,
		P:  h("fffffffffffffffffffffffffffffffeffffffffffffffff"),
		N:  h("ffffffffffffffffffffffff99def836146bc9b1b4d22831"),
		B:  h("64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"),
		Gx: h("188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012"),
		Gy: h("07192b95ffc8da78631011ed6b24cdd573f977a11e794811"),
	}
}()

// ecPrivateKey is RFC 5915's ECPrivateKey.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

func pad24(b []byte) []byte {
	out := make([]byte, p192Size)
	copy(out[p192Size-len(b):], b)
	return out
}

// parseP192 reads PKCS#8 DER of a P-192 key (ecPublicKey with the secp192r1 named
// curve); the private scalar must be in [1, n−1] and a public key in it must match.
func parseP192(der []byte) (*p192Key, bool) {
	var p pkcs8
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 || !p.Algo.Algorithm.Equal(oidECPublicKey) {
		return nil, false
	}
	var curve asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(p.Algo.Parameters.FullBytes, &curve); err != nil || len(rest) != 0 || !curve.Equal(oidP192) {
		return nil, false
	}
	var ec ecPrivateKey
	if rest, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil || len(rest) != 0 || ec.Version != 1 || len(ec.PrivateKey) > p192Size {
		return nil, false
	}
	if ec.Curve != nil && !ec.Curve.Equal(oidP192) {
		return nil, false
	}
	d := new(big.Int).SetBytes(ec.PrivateKey)
	if d.Sign() <= 0 || d.Cmp(p192Curve.N) >= 0 {
		return nil, false
	}
	k := &p192Key{d: pad24(ec.PrivateKey)}
	//lint:ignore SA1019 P-192 has only the generic arithmetic (see above).
	x, y := p192Curve.ScalarBaseMult(k.d)
	k.x, k.y = x.FillBytes(make([]byte, p192Size)), y.FillBytes(make([]byte, p192Size))
	if ec.PublicKey.BitLength != 0 && !bytes.Equal(ec.PublicKey.RightAlign(), k.point()) {
		return nil, false
	}
	return k, true
}

func (k *p192Key) point() []byte { return append(append([]byte{4}, k.x...), k.y...) }

func curveParam() asn1.RawValue {
	b, _ := asn1.Marshal(oidP192)
	return asn1.RawValue{FullBytes: b}
}

func (k *p192Key) marshalPKCS8() ([]byte, error) {
	pub := k.point()
	inner, err := asn1.Marshal(ecPrivateKey{Version: 1, PrivateKey: k.d, PublicKey: asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		return nil, err
	}
	defer clear(inner)
	var a pkcs8
	a.Algo.Algorithm, a.Algo.Parameters, a.PrivateKey = oidECPublicKey, curveParam(), inner
	return asn1.Marshal(a)
}

func (k *p192Key) spki() ([]byte, error) { return marshalSPKI(oidECPublicKey, curveParam(), k.point()) }

// parseP192Public reads a peer's P-192 SubjectPublicKeyInfo (uncompressed point);
// the SDK checks that the point is on the curve.
func parseP192Public(der []byte) (x, y []byte, ok bool) {
	var s spki
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 || !s.Algo.Algorithm.Equal(oidECPublicKey) {
		return nil, nil, false
	}
	var curve asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(s.Algo.Parameters.FullBytes, &curve); err != nil || len(rest) != 0 || !curve.Equal(oidP192) {
		return nil, nil, false
	}
	pt := s.PublicKey.RightAlign()
	if len(pt) != 1+2*p192Size || pt[0] != 4 {
		return nil, nil, false
	}
	return pt[1 : 1+p192Size], pt[1+p192Size:], true
}

func curveAttr(c tee.Element) tee.Attribute { return tee.Attribute{ID: tee.AttrECCCurve, A: uint32(c)} }

// generateP192 makes a key pair with the SDK's TEE_GenerateKey.
func generateP192() (*p192Key, error) {
	obj, err := ta.AllocateTransientObject(tee.TypeECDSAKeypair, 192)
	if err != nil {
		return nil, err
	}
	defer obj.Free()
	if err := obj.GenerateKey(192, curveAttr(tee.CurveNISTP192)); err != nil {
		return nil, err
	}
	get := func(id tee.AttributeID) ([]byte, error) {
		b := make([]byte, 66)
		n, err := obj.BufferAttribute(id, b)
		if err != nil || n > p192Size {
			return nil, protocol.StatusInternalError
		}
		defer clear(b)
		return pad24(b[:n]), nil
	}
	k := &p192Key{}
	if k.d, err = get(tee.AttrECCPrivateValue); err != nil {
		return nil, err
	}
	if k.x, err = get(tee.AttrECCPublicValueX); err != nil {
		return nil, err
	}
	if k.y, err = get(tee.AttrECCPublicValueY); err != nil {
		return nil, err
	}
	return k, nil
}

// sdkECKey is a GP ECC key pair object of type t for the curve's d, x, y.
func sdkECKey(t tee.ObjectType, c tee.Element, bits int, d, x, y []byte) (*ta.Object, error) {
	obj, err := ta.AllocateTransientObject(t, bits)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	if err := obj.Populate(
		tee.Attribute{ID: tee.AttrECCPrivateValue, Ref: d},
		tee.Attribute{ID: tee.AttrECCPublicValueX, Ref: x},
		tee.Attribute{ID: tee.AttrECCPublicValueY, Ref: y},
		curveAttr(c),
	); err != nil {
		obj.Free()
		return nil, protocol.StatusInternalError
	}
	return obj, nil
}

var ecdsaAlgs = map[uint32]tee.Algorithm{
	protocol.DigestSHA1: tee.AlgECDSASHA1, protocol.DigestSHA256: tee.AlgECDSASHA256,
	protocol.DigestSHA384: tee.AlgECDSASHA384, protocol.DigestSHA512: tee.AlgECDSASHA512,
}

// sign is ECDSA over digest (of the SecAPI digest algorithm) with the SDK: r ‖ s, 24
// bytes each.
func (k *p192Key) sign(digestAlg uint32, digest []byte) ([]byte, error) {
	alg, ok := ecdsaAlgs[digestAlg]
	if !ok {
		return nil, protocol.StatusInvalidParameter
	}
	obj, err := sdkECKey(tee.TypeECDSAKeypair, tee.CurveNISTP192, 192, k.d, k.x, k.y)
	if err != nil {
		return nil, err
	}
	defer obj.Free()
	op, err := ta.AllocateOperation(alg, tee.ModeSign, 192)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	defer op.Free()
	if err := op.SetKey(obj); err != nil {
		return nil, protocol.StatusInternalError
	}
	sig := make([]byte, 2*p192Size)
	n, err := op.AsymmetricSignDigest(sig, nil, digest)
	if err != nil || n != len(sig) {
		return nil, protocol.StatusInternalError
	}
	return sig, nil
}

// sdkECDH is the ECDH shared secret (the x coordinate) of d, x, y and the peer's
// point px, py on curve c, with the SDK's TEE_ALG_ECDH_DERIVE_SHARED_SECRET. A peer
// point off the curve is INVALID_PARAMETER.
func sdkECDH(c tee.Element, bits int, d, x, y, px, py []byte) ([]byte, error) {
	obj, err := sdkECKey(tee.TypeECDHKeypair, c, bits, d, x, y)
	if err != nil {
		return nil, err
	}
	defer obj.Free()
	op, err := ta.AllocateOperation(tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, bits)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	defer op.Free()
	if err := op.SetKey(obj); err != nil {
		return nil, protocol.StatusInternalError
	}
	z, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: px}, {ID: tee.AttrECCPublicValueY, Ref: py}})
	if err != nil {
		return nil, protocol.StatusInvalidParameter
	}
	return z, nil
}

func (k *p192Key) ecdh(peer []byte) ([]byte, error) {
	px, py, ok := parseP192Public(peer)
	if !ok {
		return nil, protocol.StatusInvalidParameter
	}
	return sdkECDH(tee.CurveNISTP192, 192, k.d, k.x, k.y, px, py)
}

// p224ECDH is ECDH on P-224 with the SDK, since crypto/ecdh has no P-224.
func p224ECDH(k *ecdsa.PrivateKey, peer *ecdsa.PublicKey) ([]byte, error) {
	const n = 28
	d, err := k.Bytes()
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	defer clear(d)
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	pp, err := peer.Bytes()
	if err != nil || len(pp) != 1+2*n {
		return nil, protocol.StatusInvalidParameter
	}
	return sdkECDH(tee.CurveNISTP224, 224, d, pub[1:1+n], pub[1+n:], pp[1:1+n], pp[1+n:])
}
