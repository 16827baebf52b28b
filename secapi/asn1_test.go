package secapi_test

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
)

// Test-side encodings of the key formats Go's crypto/x509 does not write (X448,
// PKCS #3 DH), written independently of the TA's.

var (
	oidX448 = asn1.ObjectIdentifier{1, 3, 101, 111}
	oidDH   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 3, 1}
)

func asn1PKCS8X448(priv []byte) ([]byte, error) {
	inner, _ := asn1.Marshal(priv)
	return asn1.Marshal(struct {
		V    int
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: oidX448}, inner})
}

type testSPKI struct {
	Algo pkix.AlgorithmIdentifier
	Pub  asn1.BitString
}

func spkiX448(pub []byte) []byte {
	b, _ := asn1.Marshal(testSPKI{pkix.AlgorithmIdentifier{Algorithm: oidX448}, asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	return b
}

func dhSPKI(t testing.TB, p, g, y *big.Int) []byte {
	t.Helper()
	params, _ := asn1.Marshal(struct{ P, G *big.Int }{p, g})
	yb, _ := asn1.Marshal(y)
	b, err := asn1.Marshal(testSPKI{pkix.AlgorithmIdentifier{Algorithm: oidDH, Parameters: asn1.RawValue{FullBytes: params}},
		asn1.BitString{Bytes: yb, BitLength: 8 * len(yb)}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseDHSPKI(t testing.TB, der []byte) *big.Int {
	t.Helper()
	var s testSPKI
	if _, err := asn1.Unmarshal(der, &s); err != nil || !s.Algo.Algorithm.Equal(oidDH) {
		t.Fatalf("DH SPKI: %v", err)
	}
	y := new(big.Int)
	if _, err := asn1.Unmarshal(s.Pub.Bytes, &y); err != nil {
		t.Fatal(err)
	}
	return y
}
