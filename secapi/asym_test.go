package secapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/cloudflare/circl/dh/x448"
	"github.com/cloudflare/circl/sign/ed448"

	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

var ctxb = context.Background()

func rsaKey(t testing.TB, bits int) (*rsa.PrivateKey, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, der
}

func hashFor(d secapi.Digest) crypto.Hash {
	return [...]crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512}[d]
}

func digestOf(d secapi.Digest, msg []byte) []byte {
	h := hashFor(d).New()
	h.Write(msg)
	return h.Sum(nil)
}

// verifyPSS is EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with separate message and MGF1
// digests, which Go's rsa.VerifyPSS cannot check.
func verifyPSS(pub *rsa.PublicKey, h, mgf crypto.Hash, sLen int, mHash, sig []byte) bool {
	s := new(big.Int).SetBytes(sig)
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	em := m.FillBytes(make([]byte, emLen))
	hLen := h.Size()
	if em[emLen-1] != 0xbc || emLen < hLen+sLen+2 {
		return false
	}
	db := append([]byte(nil), em[:emLen-hLen-1]...)
	hh := em[emLen-hLen-1 : emLen-1]
	// MGF1
	var mask []byte
	for c := uint32(0); len(mask) < len(db); c++ {
		d := mgf.New()
		d.Write(hh)
		d.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		mask = d.Sum(mask)
	}
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	ps := emLen - hLen - sLen - 2
	for i := range ps {
		if db[i] != 0 {
			return false
		}
	}
	if db[ps] != 1 {
		return false
	}
	d := h.New()
	d.Write(make([]byte, 8))
	d.Write(mHash)
	d.Write(db[len(db)-sLen:])
	return bytes.Equal(d.Sum(nil), hh)
}

func TestSignRSA(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	for _, bits := range []int{1024, 2048} {
		priv, der := rsaKey(t, bits)
		k, err := c.ImportRSA(ctxb, secapi.AllRights(), der)
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte("sign me")
		for d := secapi.SHA1; d <= secapi.SHA512; d++ {
			for _, pre := range []bool{false, true} {
				in := msg
				if pre {
					in = digestOf(d, msg)
				}
				p := secapi.SignParams{Digest: d, Precomputed: pre}
				sig, err := k.Sign(ctxb, secapi.RSAPKCS1v15, in, p)
				if err != nil {
					t.Fatalf("%d pkcs1 %v: %v", bits, d, err)
				}
				// PKCS#1 v1.5 is deterministic: the same as Go's.
				want, _ := rsa.SignPKCS1v15(nil, priv, hashFor(d), digestOf(d, msg))
				if !bytes.Equal(sig, want) {
					t.Fatalf("%d pkcs1 %v differs from Go", bits, d)
				}
				for mgf := secapi.SHA1; mgf <= secapi.SHA512; mgf++ {
					for _, salt := range []int{0, 20, 32} {
						p := secapi.SignParams{Digest: d, MGF1: mgf, Precomputed: pre, SaltLength: salt}
						if bits == 1024 && d == secapi.SHA512 && salt > 62 {
							continue
						}
						sig, err := k.Sign(ctxb, secapi.RSAPSS, in, p)
						if err != nil {
							t.Fatalf("%d pss %+v: %v", bits, p, err)
						}
						if len(sig) != bits/8 || !verifyPSS(&priv.PublicKey, hashFor(d), hashFor(mgf), salt, digestOf(d, msg), sig) {
							t.Fatalf("%d pss %+v: bad signature", bits, p)
						}
						if d == mgf && salt > 0 {
							if err := rsa.VerifyPSS(&priv.PublicKey, hashFor(d), digestOf(d, msg), sig, &rsa.PSSOptions{SaltLength: salt}); err != nil {
								t.Fatalf("%d pss %+v: Go rejects: %v", bits, p, err)
							}
						}
					}
				}
			}
		}
		// out == NULL gives the length; max salt is k - hLen - 2.
		if n, err := k.SignLength(ctxb, secapi.RSAPSS, secapi.SignParams{Digest: secapi.SHA256, MGF1: secapi.SHA256}); err != nil || n != bits/8 {
			t.Fatalf("length %d, %v", n, err)
		}
		_, err = k.Sign(ctxb, secapi.RSAPSS, msg, secapi.SignParams{Digest: secapi.SHA256, MGF1: secapi.SHA256, SaltLength: bits/8 - 32 - 1})
		if !errors.Is(err, secapi.StatusInvalidParameter) {
			t.Fatalf("salt too long: %v", err)
		}
		if _, err := k.Sign(ctxb, secapi.ECDSA, msg, secapi.SignParams{Digest: secapi.SHA256}); !errors.Is(err, secapi.StatusInvalidKeyType) {
			t.Fatalf("ECDSA with RSA key: %v", err)
		}
	}
}

func ecPKCS8(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestSignEC(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	msg := []byte("the quick brown fox")
	for _, tc := range []struct {
		curve secapi.Curve
		ec    elliptic.Curve
		size  int
	}{
		{secapi.CurveP224, elliptic.P224(), 28},
		{secapi.CurveP256, elliptic.P256(), 32},
		{secapi.CurveP384, elliptic.P384(), 48},
		{secapi.CurveP521, elliptic.P521(), 66},
	} {
		priv, _ := ecdsa.GenerateKey(tc.ec, rand.Reader)
		k, err := c.ImportEC(ctxb, secapi.AllRights(), tc.curve, ecPKCS8(t, priv))
		if err != nil {
			t.Fatalf("import %v: %v", tc.curve, err)
		}
		for d := secapi.SHA1; d <= secapi.SHA512; d++ {
			for _, pre := range []bool{false, true} {
				in := msg
				if pre {
					in = digestOf(d, msg)
				}
				sig, err := k.Sign(ctxb, secapi.ECDSA, in, secapi.SignParams{Digest: d, Precomputed: pre})
				if err != nil || len(sig) != 2*tc.size {
					t.Fatalf("%v %v: %d bytes, %v", tc.curve, d, len(sig), err)
				}
				r, s := new(big.Int).SetBytes(sig[:tc.size]), new(big.Int).SetBytes(sig[tc.size:])
				if !ecdsa.Verify(&priv.PublicKey, digestOf(d, msg), r, s) {
					t.Fatalf("%v %v: bad signature", tc.curve, d)
				}
			}
		}
		if _, err := k.Sign(ctxb, secapi.EdDSA, msg, secapi.SignParams{}); !errors.Is(err, secapi.StatusInvalidParameter) {
			t.Fatalf("EdDSA with %v: %v", tc.curve, err)
		}
		// A wrong curve for the bytes is INVALID_PARAMETER on import.
		if _, err := c.ImportEC(ctxb, secapi.AllRights(), tc.curve+1, ecPKCS8(t, priv)); err == nil && tc.curve != secapi.CurveP521 {
			t.Fatalf("import %v bytes as %v accepted", tc.curve, tc.curve+1)
		}
	}

	// RFC 8032 §7.1 test 1: Ed25519 is deterministic.
	seed := unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	k, err := c.ImportEC(ctxb, secapi.AllRights(), secapi.CurveEd25519, ecPKCS8(t, ed25519.NewKeyFromSeed(seed)))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := k.Sign(ctxb, secapi.EdDSA, nil, secapi.SignParams{})
	want := unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
	if err != nil || !bytes.Equal(sig, want) {
		t.Fatalf("Ed25519 RFC 8032 test 1: %x, %v", sig, err)
	}
	if _, err := k.Sign(ctxb, secapi.ECDSA, msg, secapi.SignParams{Digest: secapi.SHA256}); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("ECDSA with Ed25519: %v", err)
	}
	// Ed448: generated in the TA, verified with circl against the SPKI.
	k448, err := c.GenerateEC(ctxb, secapi.AllRights(), secapi.CurveEd448)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := k448.PublicKey(ctxb)
	if err != nil {
		t.Fatal(err)
	}
	pub448 := ed448.PublicKey(spki[len(spki)-ed448.PublicKeySize:])
	sig, err = k448.Sign(ctxb, secapi.EdDSA, msg, secapi.SignParams{})
	if err != nil || len(sig) != 114 || !ed448.Verify(pub448, msg, sig, "") {
		t.Fatalf("Ed448: %d bytes, %v", len(sig), err)
	}
	if n, err := k448.SignLength(ctxb, secapi.EdDSA, secapi.SignParams{}); n != 114 || err != nil {
		t.Fatalf("Ed448 length %d, %v", n, err)
	}

	// Rights: no SIGN is OPERATION_NOT_ALLOWED.
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageSign
	kn, err := c.GenerateEC(ctxb, r, secapi.CurveP256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kn.Sign(ctxb, secapi.ECDSA, msg, secapi.SignParams{Digest: secapi.SHA256}); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("sign without SIGN: %v", err)
	}
	// Symmetric keys do not sign.
	ks := mustKey(t, c, secapi.AllRights(), make([]byte, 16))
	if _, err := ks.Sign(ctxb, secapi.RSAPKCS1v15, msg, secapi.SignParams{}); !errors.Is(err, secapi.StatusInvalidKeyType) {
		t.Fatalf("sign with AES key: %v", err)
	}
	if _, err := ks.Sign(ctxb, 4, msg, secapi.SignParams{}); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("unknown algorithm: %v", err)
	}
}

func TestKeyTypes(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	k, err := c.GenerateRSA(ctxb, secapi.AllRights(), 128)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := k.PublicKey(ctxb)
	if err != nil {
		t.Fatal(err)
	}
	if pk, err := x509.ParsePKIXPublicKey(spki); err != nil || pk.(*rsa.PublicKey).Size() != 128 {
		t.Fatalf("RSA SPKI: %v", err)
	}
	if h, _ := k.Header(ctxb); h.Type != 2 || h.Size != 128 {
		t.Fatalf("RSA header %+v", h)
	}
	if _, err := c.GenerateRSA(ctxb, secapi.AllRights(), 100); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("RSA 800 bits: %v", err)
	}
	if _, err := c.ImportRSA(ctxb, secapi.AllRights(), []byte("junk")); !errors.Is(err, secapi.StatusInvalidKeyFormat) {
		t.Fatalf("RSA junk: %v", err)
	}
	sizes := map[secapi.Curve]int{secapi.CurveP224: 28, secapi.CurveP256: 32, secapi.CurveP384: 48, secapi.CurveP521: 66,
		secapi.CurveEd25519: 32, secapi.CurveX25519: 32, secapi.CurveEd448: 57, secapi.CurveX448: 56}
	for curve, size := range sizes {
		k, err := c.GenerateEC(ctxb, secapi.AllRights(), curve)
		if err != nil {
			t.Fatalf("generate %v: %v", curve, err)
		}
		h, err := k.Header(ctxb)
		if err != nil || h.Curve != uint32(curve) || int(h.Size) != size {
			t.Fatalf("%v header %+v, %v", curve, h, err)
		}
		spki, err := k.PublicKey(ctxb)
		if err != nil {
			t.Fatal(err)
		}
		if curve != secapi.CurveEd448 && curve != secapi.CurveX448 {
			if _, err := x509.ParsePKIXPublicKey(spki); err != nil {
				t.Fatalf("%v SPKI: %v", curve, err)
			}
		}
	}
	// Ed25519 / X25519 import round trip: the SPKI is the public key of the bytes.
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	k, err = c.ImportEC(ctxb, secapi.AllRights(), secapi.CurveEd25519, ecPKCS8(t, edPriv))
	if err != nil {
		t.Fatal(err)
	}
	spki, _ = k.PublicKey(ctxb)
	if pk, err := x509.ParsePKIXPublicKey(spki); err != nil || !edPub.Equal(pk) {
		t.Fatalf("Ed25519 SPKI %v", err)
	}
	// DH with a given p, g.
	p, _ := rand.Prime(rand.Reader, 512)
	k, err = c.GenerateDH(ctxb, secapi.AllRights(), p.Bytes(), []byte{2})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := k.Header(ctxb); err != nil || h.Type != 3 || int(h.Size) != 64 || !bytes.Equal(h.DHP, p.Bytes()) || !bytes.Equal(h.DHG, []byte{2}) {
		t.Fatalf("DH header %+v, %v", h, err)
	}
	if _, err := k.PublicKey(ctxb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GenerateDH(ctxb, secapi.AllRights(), p.Bytes(), make([]byte, 65)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("DH g longer than p: %v", err)
	}
	// Asymmetric keys cannot be MACed as key bytes, and symmetric keys have no public
	// part: both INVALID_PARAMETER, as the reference answers.
	sym, err := c.ImportSymmetric(ctxb, secapi.AllRights(), make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sym.PublicKey(ctxb); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("public key of a symmetric key: %v", err)
	}
	m, err := c.NewMAC(ctxb, secapi.CMAC, sym, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release(ctxb)
	if err := m.ProcessKey(ctxb, k); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("MAC of a DH key's bytes: %v", err)
	}
}

// macOf is HMAC-SHA256 under the TA key k, to compare a TA-held key with its expected bytes.
func macOf(t testing.TB, c *secapi.Client, k *secapi.Key) []byte {
	t.Helper()
	m, err := c.NewMAC(ctxb, secapi.HMAC, k, secapi.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release(ctxb)
	if err := m.Process(ctxb, []byte("probe")); err != nil {
		t.Fatal(err)
	}
	out, err := m.Compute(ctxb)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hmacOf(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("probe"))
	return m.Sum(nil)
}

func TestKeyExchange(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	check := func(name string, k *secapi.Key, peerSPKI, want []byte) {
		t.Helper()
		z, err := k.Exchange(ctxb, secapi.ECDH, secapi.AllRights(), peerSPKI)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(macOf(t, c, z), hmacOf(want)) {
			t.Fatalf("%s: shared secret differs", name)
		}
	}
	for _, tc := range []struct {
		curve secapi.Curve
		ec    ecdh.Curve
	}{{secapi.CurveP256, ecdh.P256()}, {secapi.CurveP384, ecdh.P384()}, {secapi.CurveP521, ecdh.P521()}, {secapi.CurveX25519, ecdh.X25519()}} {
		k, err := c.GenerateEC(ctxb, secapi.AllRights(), tc.curve)
		if err != nil {
			t.Fatal(err)
		}
		spki, _ := k.PublicKey(ctxb)
		pk, err := x509.ParsePKIXPublicKey(spki)
		if err != nil {
			t.Fatal(err)
		}
		var mine *ecdh.PublicKey
		switch pk := pk.(type) {
		case *ecdsa.PublicKey:
			mine, _ = pk.ECDH()
		case *ecdh.PublicKey:
			mine = pk
		}
		peer, _ := tc.ec.GenerateKey(rand.Reader)
		want, _ := peer.ECDH(mine)
		peerSPKI, _ := x509.MarshalPKIXPublicKey(peer.PublicKey())
		check(fmt.Sprint(tc.curve), k, peerSPKI, want)
		// A peer on another curve is INVALID_PARAMETER.
		other, _ := ecdh.P256().GenerateKey(rand.Reader)
		if tc.curve != secapi.CurveP256 {
			o, _ := x509.MarshalPKIXPublicKey(other.PublicKey())
			if _, err := k.Exchange(ctxb, secapi.ECDH, secapi.AllRights(), o); !errors.Is(err, secapi.StatusInvalidParameter) {
				t.Fatalf("%v with P-256 peer: %v", tc.curve, err)
			}
		}
	}
	// X448, RFC 7748 §6.2 keys: Alice's private key in the TA, Bob's public key.
	alice := unhex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b")
	bob := unhex("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609")
	shared := unhex("07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d")
	der, _ := asn1PKCS8X448(alice)
	k, err := c.ImportEC(ctxb, secapi.AllRights(), secapi.CurveX448, der)
	if err != nil {
		t.Fatal(err)
	}
	check("X448", k, spkiX448(bob), shared)
	var pub, priv x448.Key
	copy(priv[:], alice)
	x448.KeyGen(&pub, &priv)
	if got, _ := k.PublicKey(ctxb); !bytes.Equal(got, spkiX448(pub[:])) {
		t.Fatal("X448 SPKI")
	}

	// DH: the TA's key against a Go-side key of the same group.
	p, _ := rand.Prime(rand.Reader, 512)
	g := big.NewInt(2)
	kd, err := c.GenerateDH(ctxb, secapi.AllRights(), p.Bytes(), g.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	taPub, _ := kd.PublicKey(ctxb)
	y := parseDHSPKI(t, taPub)
	x, _ := rand.Int(rand.Reader, new(big.Int).Sub(p, big.NewInt(3)))
	x.Add(x, big.NewInt(2))
	want := new(big.Int).Exp(y, x, p).FillBytes(make([]byte, 64))
	z, err := kd.Exchange(ctxb, secapi.DH, secapi.AllRights(), dhSPKI(t, p, g, new(big.Int).Exp(g, x, p)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(macOf(t, c, z), hmacOf(want)) {
		t.Fatal("DH shared secret differs")
	}
	if _, err := kd.Exchange(ctxb, secapi.DH, secapi.AllRights(), dhSPKI(t, p, g, big.NewInt(1))); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("DH peer 1: %v", err)
	}
	if _, err := kd.Exchange(ctxb, secapi.ECDH, secapi.AllRights(), taPub); !errors.Is(err, secapi.StatusInvalidKeyType) {
		t.Fatalf("ECDH with DH key: %v", err)
	}
	// Rights: KEY_EXCHANGE is needed.
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageKeyExchange
	kn, _ := c.GenerateEC(ctxb, r, secapi.CurveX25519)
	other, _ := ecdh.X25519().GenerateKey(rand.Reader)
	o, _ := x509.MarshalPKIXPublicKey(other.PublicKey())
	if _, err := kn.Exchange(ctxb, secapi.ECDH, secapi.AllRights(), o); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("exchange without KEY_EXCHANGE: %v", err)
	}
}

func TestDerive(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	// RFC 5869 A.1 (SHA-256) and A.4 (SHA-1); the IKM of 22 and 11 bytes: A.4's is
	// below SecAPI's 16-byte minimum, so A.1 and A.2 are used.
	for _, v := range []struct {
		d                    secapi.Digest
		ikm, salt, info, okm string
	}{
		{secapi.SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
			"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
		{secapi.SHA256, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
			"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
			"b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
			"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
	} {
		parent := mustKey(t, c, secapi.AllRights(), unhex(v.ikm))
		k, err := c.Derive(ctxb, secapi.AllRights(), secapi.HKDF(parent, v.d, len(v.okm)/2, unhex(v.salt), unhex(v.info)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(macOf(t, c, k), hmacOf(unhex(v.okm))) {
			t.Fatalf("HKDF %s", v.okm[:8])
		}
	}

	z := bytes.Repeat([]byte{0x5a}, 32)
	info := []byte("other info")
	parent := mustKey(t, c, secapi.AllRights(), z)
	oneStep := func(d secapi.Digest, n int, x963 bool) []byte {
		var out []byte
		for i := uint32(1); len(out) < n; i++ {
			h := hashFor(d).New()
			ctr := []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
			if x963 {
				h.Write(z)
				h.Write(ctr)
			} else {
				h.Write(ctr)
				h.Write(z)
			}
			h.Write(info)
			out = h.Sum(out)
		}
		return out[:n]
	}
	for d := secapi.SHA1; d <= secapi.SHA512; d++ {
		for _, n := range []int{16, 32, 100} {
			k, err := c.Derive(ctxb, secapi.AllRights(), secapi.ConcatKDF(parent, d, n, info))
			if err != nil || !bytes.Equal(macOf(t, c, k), hmacOf(oneStep(d, n, false))) {
				t.Fatalf("concat %v %d: %v", d, n, err)
			}
			k, err = c.Derive(ctxb, secapi.AllRights(), secapi.ANSIX963KDF(parent, d, n, info))
			if err != nil || !bytes.Equal(macOf(t, c, k), hmacOf(oneStep(d, n, true))) {
				t.Fatalf("x963 %v %d: %v", d, n, err)
			}
		}
	}
	_ = sha1.New
	_ = sha512.New

	// CMAC KDF: block i is CMAC(K, i || other data); checked against the TA's CMAC.
	aesKey := mustKey(t, c, secapi.AllRights(), bytes.Repeat([]byte{7}, 16))
	other := []byte("label and context")
	var full []byte
	for i := byte(1); i <= 4; i++ {
		m, _ := c.NewMAC(ctxb, secapi.CMAC, aesKey, 0)
		m.Process(ctxb, append([]byte{i}, other...))
		b, _ := m.Compute(ctxb)
		full = append(full, b...)
	}
	for counter := 1; counter <= 4; counter++ {
		for n := 16; n <= 16*(5-counter); n += 16 {
			k, err := c.Derive(ctxb, secapi.AllRights(), secapi.CMACKDF(aesKey, n, other, counter))
			if err != nil || !bytes.Equal(macOf(t, c, k), hmacOf(full[(counter-1)*16:(counter-1)*16+n])) {
				t.Fatalf("cmac counter %d length %d: %v", counter, n, err)
			}
		}
	}
	if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.CMACKDF(aesKey, 32, other, 4)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("cmac past block 4: %v", err)
	}
	if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.CMACKDF(parent, 16, other, 0)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("cmac counter 0: %v", err)
	}

	// Root key ladder: deterministic per installation, different per input.
	c16 := func(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }
	l1, err := c.Derive(ctxb, secapi.AllRights(), secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), false))
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := newClient(t, srv).Derive(ctxb, secapi.AllRights(), secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), false))
	_ = l2
	d1, _ := l1.Digest(ctxb, secapi.SHA256)
	lc, _ := c.Derive(ctxb, secapi.AllRights(), secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), true))
	dc, _ := lc.Digest(ctxb, secapi.SHA256)
	l3, _ := c.Derive(ctxb, secapi.AllRights(), secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), false))
	d3, _ := l3.Digest(ctxb, secapi.SHA256)
	if !bytes.Equal(d1, d3) || bytes.Equal(d1, dc) {
		t.Fatal("root key ladder not deterministic, or unique == common")
	}
	if h, _ := l1.Header(ctxb); h.Size != 16 {
		t.Fatalf("ladder key of %d bytes", h.Size)
	}
	if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.RootKeyLadder(c16(1), c16(2), c16(3), make([]byte, 15), false)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("ladder c4 of 15 bytes: %v", err)
	}

	// Parent rights: DERIVE is needed; the child loses output protections the parent lacks.
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageDerive
	nd := mustKey(t, c, r, z)
	if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.ConcatKDF(nd, secapi.SHA256, 16, nil)); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("derive without DERIVE: %v", err)
	}
	r = secapi.AllRights()
	r.Usage &^= secapi.UsageSVPOptional | secapi.UsageDigitalHDCP14
	np := mustKey(t, c, r, z)
	child, err := c.Derive(ctxb, secapi.AllRights(), secapi.ConcatKDF(np, secapi.SHA256, 16, nil))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := child.Header(ctxb)
	if h.Rights.Usage&(secapi.UsageSVPOptional|secapi.UsageDigitalHDCP14) != 0 || h.Rights.Usage&secapi.UsageDecrypt == 0 {
		t.Fatalf("child usage %#x", h.Rights.Usage)
	}
	ks, _ := c.GenerateEC(ctxb, secapi.AllRights(), secapi.CurveP256)
	if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.HKDF(ks, secapi.SHA256, 16, nil, nil)); !errors.Is(err, secapi.StatusInvalidKeyType) {
		t.Fatalf("HKDF from EC key: %v", err)
	}
}

func TestExport(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	raw := bytes.Repeat([]byte{9}, 32)
	k := mustKey(t, c, secapi.AllRights(), raw)
	mixin := bytes.Repeat([]byte{3}, 16)
	for _, m := range [][]byte{nil, mixin} {
		blob, err := k.Export(ctxb, m)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := k.ExportLength(ctxb, m); err != nil || n != len(blob) {
			t.Fatalf("length %d for %d, %v", n, len(blob), err)
		}
		// Another session of the same installation imports it.
		o := newClient(t, srv)
		k2, err := o.ImportExported(ctxb, blob)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(macOf(t, o, k2), hmacOf(raw)) {
			t.Fatal("imported key differs")
		}
		h1, _ := k.Header(ctxb)
		h2, _ := k2.Header(ctxb)
		if h1.Rights != h2.Rights {
			t.Fatal("rights changed")
		}
		// Any change is INVALID_KEY_FORMAT, the mixin and the header included.
		for _, i := range []int{0, 5, 30, len(blob) - 1} {
			bad := append([]byte(nil), blob...)
			bad[i] ^= 1
			if _, err := o.ImportExported(ctxb, bad); !errors.Is(err, secapi.StatusInvalidKeyFormat) {
				t.Fatalf("tampered at %d: %v", i, err)
			}
		}
		// Another installation (another device key) cannot open it.
		srv2, _ := start(t, false)
		if _, err := newClient(t, srv2).ImportExported(ctxb, blob); !errors.Is(err, secapi.StatusInvalidKeyFormat) {
			t.Fatalf("import on another installation: %v", err)
		}
	}
	if _, err := k.Export(ctxb, make([]byte, 15)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("mixin of 15 bytes: %v", err)
	}
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageCacheable
	nc := mustKey(t, c, r, raw)
	if _, err := nc.Export(ctxb, nil); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("export of non-cacheable key: %v", err)
	}
	// Export is not a use: a cacheable key bound to another TA exports (as the
	// reference), and the key imported back is still refused to this client.
	bound := secapi.AllRights()
	bound.AllowedTAs = []tee.UUID{tee.MustParseUUID("11111111-2222-3333-4444-555555555555")}
	bk := mustKey(t, c, bound, raw)
	bblob, err := bk.Export(ctxb, nil)
	if err != nil {
		t.Fatalf("export of a key bound to another TA: %v", err)
	}
	bk2, err := c.ImportExported(ctxb, bblob)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewCipher(ctxb, secapi.AESECB, secapi.Encrypt, bk2, secapi.CipherParams{}); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("a reimported key bound to another TA: %v", err)
	}
	// Asymmetric keys round trip too.
	ek, _ := c.GenerateEC(ctxb, secapi.AllRights(), secapi.CurveEd25519)
	blob, err := ek.Export(ctxb, nil)
	if err != nil {
		t.Fatal(err)
	}
	ek2, err := c.ImportExported(ctxb, blob)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := ek.PublicKey(ctxb)
	p2, _ := ek2.PublicKey(ctxb)
	if !bytes.Equal(p1, p2) {
		t.Fatal("exported Ed25519 key has another public key")
	}
}
