//lint:file-ignore SA1019 EC ElGamal and P-192 need crypto/elliptic's point arithmetic and big.Int coordinates; SecAPI's RSA_PKCS1V15 needs PKCS#1 v1.5 ciphertexts.

package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotee/gotee/internal/teedtest"
)

// TestSecAPICUnwrap runs e2e/c/sa_unwrap_test.c against a real teed, with RSA and EC
// ElGamal ciphertexts made here with Go's crypto (the C test has no crypto library).
func TestSecAPICUnwrap(t *testing.T) {
	needSALib(t)
	lib := filepath.Join(buildDir, "lib")
	dir := t.TempDir()
	prog := filepath.Join(dir, "sa_unwrap_test")
	runCC(t, prog, []string{"-Wall", "-Werror", "-I", filepath.Join(buildDir, "include"), "-o", prog,
		filepath.Join(repoDir, "e2e/c/sa_unwrap_test.c"), "-L", lib, "-lsaclient", "-Wl,-rpath," + lib})
	inputs := filepath.Join(dir, "inputs")
	if err := os.WriteFile(inputs, []byte(unwrapInputs(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	td := teedtest.Start(t, "--log-level", "warn", "--storage", t.TempDir())
	out, err := td.Run(prog, inputs)
	if err != nil || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("sa_unwrap_test: %v\n%s", err, out)
	}
	t.Logf("sa_unwrap_test: %s", lastLine(out))
}

// unwrapInputs is the C test's input file: a 16-byte secret wrapped with RSA
// PKCS#1 v1.5 and OAEP (SHA-256, MGF1 SHA-1, label "label") under an RSA-2048 key,
// and with EC ElGamal under a P-256 and a P-192 key, at the reference tests' offsets.
func unwrapInputs(t *testing.T) string {
	t.Helper()
	secret := make([]byte, 16)
	rand.Read(secret)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rk)
	pkcs1, err := rsa.EncryptPKCS1v15(rand.Reader, &rk.PublicKey, secret)
	if err != nil {
		t.Fatal(err)
	}
	oaep, err := rsa.EncryptOAEPWithOptions(rand.Reader, &rk.PublicKey, secret,
		&rsa.OAEPOptions{Hash: crypto.SHA256, MGFHash: crypto.SHA1, Label: []byte("label")})
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ek)
	p192 := p192Params()
	pk, err := ecdsa.GenerateKey(p192, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	put := func(name string, v []byte) { fmt.Fprintf(&b, "%s %s\n", name, hex.EncodeToString(v)) }
	put("secret", secret)
	put("rsa_pkcs8", rsaDER)
	put("rsa_pkcs1", pkcs1)
	put("rsa_oaep", oaep)
	put("ec_pkcs8", ecDER)
	put("elgamal", elgamalWrap(t, &ek.PublicKey, secret, 8))
	fmt.Fprintf(&b, "elgamal_offset 8\n")
	put("p192_pkcs8", p192DER(t, pk))
	put("p192_elgamal", elgamalWrap(t, &pk.PublicKey, secret, 0))
	fmt.Fprintf(&b, "p192_offset 0\n")
	return b.String()
}

// elgamalWrap is EC ElGamal as the reference's tests make it: the secret at offset in
// a random message whose last four bytes count up until it is an x coordinate;
// C1 = rG, C2 = M + rQ, written x ‖ y ‖ x ‖ y.
func elgamalWrap(t *testing.T, pub *ecdsa.PublicKey, secret []byte, offset int) []byte {
	t.Helper()
	c := pub.Curve
	p := c.Params()
	n := (p.BitSize + 7) / 8
	m := make([]byte, n)
	rand.Read(m)
	m[0] = 0
	copy(m[offset:], secret)
	var mx, my *big.Int
	for {
		mx = new(big.Int).SetBytes(m)
		y2 := new(big.Int).Exp(mx, big.NewInt(3), p.P)
		y2.Sub(y2, new(big.Int).Mul(mx, big.NewInt(3)))
		y2.Add(y2, p.B)
		y2.Mod(y2, p.P)
		if my = new(big.Int).ModSqrt(y2, p.P); my != nil {
			break
		}
		for i := n - 1; i >= n-4; i-- {
			if m[i]++; m[i] != 0 {
				break
			}
		}
	}
	r, _ := rand.Int(rand.Reader, p.N)
	c1x, c1y := c.ScalarBaseMult(r.Bytes())
	sx, sy := c.ScalarMult(pub.X, pub.Y, r.Bytes())
	c2x, c2y := c.Add(mx, my, sx, sy)
	var out []byte
	for _, v := range []*big.Int{c1x, c1y, c2x, c2y} {
		out = append(out, v.FillBytes(make([]byte, n))...)
	}
	return out
}

// p192Params is secp192r1 (FIPS 186-4 §D.1.2.1).
func p192Params() *elliptic.CurveParams {
	h := func(s string) *big.Int { n, _ := new(big.Int).SetString(s, 16); return n }
	return &elliptic.CurveParams{Name: "P-192", BitSize: 192,
		P:  h("fffffffffffffffffffffffffffffffeffffffffffffffff"),
		N:  h("ffffffffffffffffffffffff99def836146bc9b1b4d22831"),
		B:  h("64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"),
		Gx: h("188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012"),
		Gy: h("07192b95ffc8da78631011ed6b24cdd573f977a11e794811")}
}

// p192DER is a P-192 key's PKCS#8 (RFC 5915 inside), which crypto/x509 cannot write.
func p192DER(t *testing.T, k *ecdsa.PrivateKey) []byte {
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
	params, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1})
	der, err := asn1.Marshal(struct {
		V    int
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1},
		Parameters: asn1.RawValue{FullBytes: params}}, inner})
	if err != nil {
		t.Fatal(err)
	}
	return der
}
