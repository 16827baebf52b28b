//lint:file-ignore SA1019 P-192 exists in Go only as crypto/elliptic's generic CurveParams, with big.Int coordinates.

package secapi_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/gotee/gotee/secapi"
)

// p192 is secp192r1 for Go's generic (legacy) ECDSA, which verifies the TA's
// signatures independently of the SDK that makes them.
var p192 = func() *elliptic.CurveParams {
	h := func(s string) *big.Int { n, _ := new(big.Int).SetString(s, 16); return n }
	return &elliptic.CurveParams{Name: "P-192", BitSize: 192,
		P:  h("fffffffffffffffffffffffffffffffeffffffffffffffff"),
		N:  h("ffffffffffffffffffffffff99def836146bc9b1b4d22831"),
		B:  h("64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"),
		Gx: h("188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012"),
		Gy: h("07192b95ffc8da78631011ed6b24cdd573f977a11e794811")}
}()

var (
	oidEC   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP192 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}
)

// p192PKCS8 is the PKCS#8 OpenSSL writes for a P-192 key (RFC 5915 inside, the
// public key included).
func p192PKCS8(t testing.TB, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	pub := append(append([]byte{4}, k.X.FillBytes(make([]byte, 24))...), k.Y.FillBytes(make([]byte, 24))...)
	inner, err := asn1.Marshal(struct {
		V   int
		D   []byte
		Pub asn1.BitString `asn1:"optional,explicit,tag:1"`
	}{1, k.D.FillBytes(make([]byte, 24)), asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		t.Fatal(err)
	}
	params, _ := asn1.Marshal(oidP192)
	der, err := asn1.Marshal(struct {
		V    int
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: oidEC, Parameters: asn1.RawValue{FullBytes: params}}, inner})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// p192Public parses the TA's SubjectPublicKeyInfo of a P-192 key.
func p192Public(t testing.TB, der []byte) *ecdsa.PublicKey {
	t.Helper()
	var s struct {
		Algo pkix.AlgorithmIdentifier
		Pub  asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &s); err != nil || !s.Algo.Algorithm.Equal(oidEC) {
		t.Fatalf("SPKI: %v", err)
	}
	var curve asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(s.Algo.Parameters.FullBytes, &curve); err != nil || !curve.Equal(oidP192) {
		t.Fatalf("SPKI curve %v: %v", curve, err)
	}
	pt := s.Pub.RightAlign()
	if len(pt) != 49 || pt[0] != 4 {
		t.Fatalf("SPKI point %x", pt)
	}
	x, y := new(big.Int).SetBytes(pt[1:25]), new(big.Int).SetBytes(pt[25:])
	//lint:ignore SA1019 P-192 is only in the generic arithmetic.
	if !p192.IsOnCurve(x, y) {
		t.Fatal("public point off the curve")
	}
	return &ecdsa.PublicKey{Curve: p192, X: x, Y: y}
}

func TestP192(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	all := secapi.AllRights()

	gen, err := c.GenerateEC(ctx, all, secapi.CurveP192)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := gen.Header(ctx)
	if h.Curve != uint32(secapi.CurveP192) || h.Size != 24 {
		t.Fatalf("header curve %d size %d", h.Curve, h.Size)
	}
	spki, err := gen.PublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	genPub := p192Public(t, spki)

	priv, err := ecdsa.GenerateKey(p192, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := c.ImportEC(ctx, all, secapi.CurveP192, p192PKCS8(t, priv))
	if err != nil {
		t.Fatal(err)
	}
	spki, _ = imp.PublicKey(ctx)
	if pub := p192Public(t, spki); pub.X.Cmp(priv.X) != 0 || pub.Y.Cmp(priv.Y) != 0 {
		t.Fatal("imported key's public key differs")
	}
	if _, err := c.ImportEC(ctx, all, secapi.CurveP256, p192PKCS8(t, priv)); err == nil {
		t.Fatal("P-192 key imported as P-256")
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(p256)
	_, err = c.ImportEC(ctx, all, secapi.CurveP192, der)
	mustStatus(t, "P-256 key as P-192", err, secapi.StatusInvalidParameter)

	// ECDSA, checked with Go's generic ECDSA.
	msg := []byte("P-192 message")
	for _, k := range []struct {
		key *secapi.Key
		pub *ecdsa.PublicKey
	}{{gen, genPub}, {imp, &priv.PublicKey}} {
		sig, err := k.key.Sign(ctx, secapi.ECDSA, msg, secapi.SignParams{Digest: secapi.SHA256})
		if err != nil || len(sig) != 48 {
			t.Fatalf("sign: %d bytes, %v", len(sig), err)
		}
		d := sha256.Sum256(msg)
		r, s := new(big.Int).SetBytes(sig[:24]), new(big.Int).SetBytes(sig[24:])
		if !ecdsa.Verify(k.pub, d[:], r, s) {
			t.Fatal("P-192 signature does not verify")
		}
	}

	// ECDH both ways between the two keys, and against Go's arithmetic.
	pubGen, _ := gen.PublicKey(ctx)
	pubImp, _ := imp.PublicKey(ctx)
	z1, err := imp.Exchange(ctx, secapi.ECDH, all, pubGen)
	if err != nil {
		t.Fatal(err)
	}
	z2, err := gen.Exchange(ctx, secapi.ECDH, all, pubImp)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 as above.
	zx, _ := p192.ScalarMult(genPub.X, genPub.Y, priv.D.Bytes())
	checkSym(t, z1, zx.FillBytes(make([]byte, 24)))
	checkSym(t, z2, zx.FillBytes(make([]byte, 24)))
	bad := bytes.Clone(pubGen)
	bad[len(bad)-1] ^= 1
	_, err = imp.Exchange(ctx, secapi.ECDH, all, bad)
	mustStatus(t, "peer off the curve", err, secapi.StatusInvalidParameter)

	// EC ElGamal on P-192.
	m := make([]byte, 24)
	rand.Read(m)
	ct, want := elgamalEncrypt(t, &priv.PublicKey, m)
	x, err := c.NewCipher(ctx, secapi.ECElGamal, secapi.Decrypt, imp, secapi.CipherParams{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := x.Process(ctx, ct); err != nil || !bytes.Equal(out, want) {
		t.Fatalf("ElGamal: %x, %v", out, err)
	}
}

// TestP224ECDH checks ECDH on P-224 (the SDK's, as crypto/ecdh has none) against Go.
func TestP224ECDH(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	priv, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	k, err := c.ImportEC(ctx, secapi.AllRights(), secapi.CurveP224, ecPKCS8(t, priv))
	if err != nil {
		t.Fatal(err)
	}
	peer, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	peerDER, _ := x509.MarshalPKIXPublicKey(&peer.PublicKey)
	z, err := k.Exchange(ctx, secapi.ECDH, secapi.AllRights(), peerDER)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 P-224 ECDH has no other Go API.
	zx, _ := elliptic.P224().ScalarMult(peer.X, peer.Y, priv.D.Bytes())
	checkSym(t, z, zx.FillBytes(make([]byte, 28)))
}
