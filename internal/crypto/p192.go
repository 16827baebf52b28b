package crypto

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/rand"
	"math/big"

	"github.com/gotee/gotee/tee"
)

// NIST P-192 (TEE_ECC_CURVE_NIST_P192) is the one curve here without a constant-time
// implementation. Go's crypto/ecdh and crypto/internal/fips140/nistec stop at P-224, and
// no module we allow has a reviewed P-192. What Go does have is its generic curve
// arithmetic: crypto/elliptic's CurveParams methods, which crypto/ecdsa falls back to
// for a curve that is not one of its own (its "legacy" path: GenerateKey, Sign and
// Verify over math/big). That is Go's own reviewed code, but it is variable time, so
// timing may leak the private scalar of a P-192 key to an observer. P-192 is still
// supported because OP-TEE supports it by default and TAs use it (OP-TEE's ecdsa
// example signs with ECDSA_SHA1 on P-192); the leak is acceptable for a legacy curve
// that NIST has deprecated (SP 800-186 allows it for verifying old signatures only),
// and TAs that care should use P-256. ECDH on P-192 is the same CurveParams'
// ScalarMult, after the peer's point has been checked to be on the curve.
//
// In FIPS 140-only mode (GODEBUG=fips140=only) Go refuses custom curves, and so does
// this package: P-192 is then NOT_SUPPORTED.

// p192 is FIPS 186-4 §D.1.2.1 (SEC 2 secp192r1): y² = x³ - 3x + b over GF(p).
var p192 = &elliptic.CurveParams{
	Name:    "P-192",
	BitSize: 192,
	P:       bigHex("fffffffffffffffffffffffffffffffeffffffffffffffff"),
	N:       bigHex("ffffffffffffffffffffffff99def836146bc9b1b4d22831"),
	B:       bigHex("64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"),
	Gx:      bigHex("188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012"),
	Gy:      bigHex("07192b95ffc8da78631011ed6b24cdd573f977a11e794811"),
}

func bigHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("crypto: bad curve constant " + s)
	}
	return n
}

// genericAllowed reports whether the generic curve arithmetic may be used: not in FIPS
// 140-only mode, where crypto/ecdsa refuses it.
func genericAllowed() bool { return !fips140.Enforced() }

// genericPublicKey parses an uncompressed point on a generic curve. IsOnCurve checks
// that both coordinates are below p and satisfy the curve equation, which also rules out
// the point at infinity (it has no affine coordinates; Go's stand-in (0, 0) is not on a
// curve with b ≠ 0).
func genericPublicKey(c *curveInfo, pt []byte) (*ecdsa.PublicKey, error) {
	n := c.bytes
	if len(pt) != 1+2*n || pt[0] != 4 {
		return nil, errBadKey
	}
	x, y := new(big.Int).SetBytes(pt[1:1+n]), new(big.Int).SetBytes(pt[1+n:])
	//lint:ignore SA1019 P-192 has only the generic (variable-time) arithmetic; see above.
	if !c.ec.IsOnCurve(x, y) {
		return nil, errBadKey
	}
	//lint:ignore SA1019 the legacy crypto/ecdsa path takes big.Int coordinates.
	return &ecdsa.PublicKey{Curve: c.ec, X: x, Y: y}, nil
}

// genericPrivateKey checks that d (curve-sized, big-endian) is in [1, n-1] and gives
// pub, and builds the key crypto/ecdsa's legacy path signs with.
func genericPrivateKey(c *curveInfo, d []byte, pub *ecdsa.PublicKey) (*ecdsa.PrivateKey, error) {
	k := new(big.Int).SetBytes(d)
	if k.Sign() <= 0 || k.Cmp(c.ec.Params().N) >= 0 {
		return nil, errBadKey
	}
	//lint:ignore SA1019 P-192 has only the generic (variable-time) arithmetic; see above.
	x, y := c.ec.ScalarBaseMult(d)
	//lint:ignore SA1019 the legacy crypto/ecdsa path takes big.Int coordinates.
	if x.Cmp(pub.X) != 0 || y.Cmp(pub.Y) != 0 {
		return nil, errBadKey // the private value does not give the public point
	}
	//lint:ignore SA1019 the legacy crypto/ecdsa path takes a big.Int scalar.
	return &ecdsa.PrivateKey{PublicKey: *pub, D: k}, nil
}

// ecdhGeneric is ECDH (SEC 1 §3.3.1) on a generic curve: the x coordinate of d·peer.
// The peer's point is validated first; with a prime order and cofactor 1, d·peer is
// never the point at infinity for a valid point, but that is checked too.
func (k *asymKey) ecdhGeneric(pt []byte) ([]byte, error) {
	peer, err := genericPublicKey(k.curve, pt)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	//lint:ignore SA1019 the legacy crypto/ecdsa path keeps the scalar as a big.Int.
	d := k.ecPriv.D.FillBytes(make([]byte, k.curve.bytes))
	defer clear(d)
	//lint:ignore SA1019 P-192 has only the generic (variable-time) arithmetic; see above.
	x, y := k.curve.ec.ScalarMult(peer.X, peer.Y, d)
	if x.Sign() == 0 && y.Sign() == 0 {
		return nil, tee.ErrBadParameters
	}
	return x.FillBytes(make([]byte, k.curve.bytes)), nil
}

// generateGeneric makes a key pair on a generic curve with crypto/ecdsa's legacy
// GenerateKey (a uniform scalar from crypto/rand, FIPS 186-4 B.5.2), returning the
// curve-sized private scalar and coordinates.
func generateGeneric(c *curveInfo) (d, x, y []byte, err error) {
	priv, err := ecdsa.GenerateKey(c.ec, rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	n := c.bytes
	//lint:ignore SA1019 the legacy crypto/ecdsa path keeps the key as big.Ints.
	return priv.D.FillBytes(make([]byte, n)), priv.X.FillBytes(make([]byte, n)), priv.Y.FillBytes(make([]byte, n)), nil
}
