package secapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"
	"testing"

	"github.com/gotee/gotee/secapi"
)

// netflixWrapOf is MSL's Kwrap derivation, computed here from its description.
func netflixWrapOf(enc, mac []byte) []byte {
	salt := []byte{0x02, 0x76, 0x17, 0x98, 0x4f, 0x62, 0x27, 0x53, 0x9a, 0x63, 0x0b, 0x89, 0x7c, 0x01, 0x7d, 0x69}
	info := []byte{0x80, 0x9f, 0x82, 0xa7, 0xad, 0xdf, 0x54, 0x8d, 0x3e, 0xa9, 0xdd, 0x06, 0x7f, 0xf9, 0xbb, 0x91}
	m := hmac.New(sha256.New, salt)
	m.Write(append(bytes.Clone(enc), mac...))
	m = hmac.New(sha256.New, m.Sum(nil))
	m.Write(info)
	return m.Sum(nil)[:16]
}

func digest256(t *testing.T, k *secapi.Key) []byte {
	t.Helper()
	d, err := k.Digest(ctxb, secapi.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNetflix(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	encRaw, macRaw := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 32)
	enc := mustKey(t, c, secapi.AllRights(), encRaw)
	mac := mustKey(t, c, secapi.AllRights(), macRaw)
	w, err := c.Derive(ctxb, secapi.AllRights(), secapi.NetflixKDF(enc, mac))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(netflixWrapOf(encRaw, macRaw))
	if !bytes.Equal(digest256(t, w), want[:]) {
		t.Fatal("Kwrap differs")
	}
	noDerive := secapi.AllRights()
	noDerive.Usage &^= secapi.UsageDerive
	ec, _ := c.GenerateEC(ctxb, secapi.AllRights(), secapi.CurveP256)
	for _, tc := range []struct {
		name       string
		enc, hmac  *secapi.Key
		wantStatus secapi.Status
	}{
		{"enc without DERIVE", mustKey(t, c, noDerive, encRaw), mac, secapi.StatusOperationNotAllowed},
		{"hmac without DERIVE", enc, mustKey(t, c, noDerive, macRaw), secapi.StatusOperationNotAllowed},
		{"enc not symmetric", ec, mac, secapi.StatusInvalidKeyType},
		{"enc of 32 bytes", mac, mac, secapi.StatusInvalidParameter},
		{"hmac of 16 bytes", enc, enc, secapi.StatusInvalidParameter},
		{"unknown key", secapi.ForeignKey(c, 1<<40), mac, secapi.StatusInvalidParameter},
	} {
		if _, err := c.Derive(ctxb, secapi.AllRights(), secapi.NetflixKDF(tc.enc, tc.hmac)); !errors.Is(err, tc.wantStatus) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.wantStatus)
		}
	}

	// Authenticated DH: Kenc ‖ Khmac = HMAC-SHA384(SHA-384(Kw), 0x00 ‖ Z), then Kwrap.
	p, _ := rand.Prime(rand.Reader, 512)
	g := big.NewInt(2)
	kd, err := c.GenerateDH(ctxb, secapi.AllRights(), p.Bytes(), g.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	taPub, _ := kd.PublicKey(ctxb)
	x, _ := rand.Int(rand.Reader, new(big.Int).Sub(p, big.NewInt(3)))
	x.Add(x, big.NewInt(2))
	z := new(big.Int).Exp(parseDHSPKI(t, taPub), x, p).FillBytes(make([]byte, 64))
	kwRaw := bytes.Repeat([]byte{3}, 16)
	kw := mustKey(t, c, secapi.AllRights(), kwRaw)
	peer := dhSPKI(t, p, g, new(big.Int).Exp(g, x, p))
	keys, err := kd.ExchangeNetflix(ctxb, secapi.AllRights(), peer, kw, secapi.AllRights(), secapi.AllRights())
	if err != nil {
		t.Fatal(err)
	}
	d := sha512.Sum384(kwRaw)
	m := hmac.New(sha512.New384, d[:])
	if z[0] != 0 {
		m.Write([]byte{0})
	}
	m.Write(z)
	ks := m.Sum(nil)
	for name, tc := range map[string]struct {
		k    *secapi.Key
		want []byte
	}{"Kenc": {keys.Enc, ks[:16]}, "Khmac": {keys.HMAC, ks[16:48]}, "Kwrap": {keys.Wrap, netflixWrapOf(ks[:16], ks[16:48])}} {
		w := sha256.Sum256(tc.want)
		if !bytes.Equal(digest256(t, tc.k), w[:]) {
			t.Errorf("%s differs", name)
		}
	}
	noKX := secapi.AllRights()
	noKX.Usage &^= secapi.UsageKeyExchange
	kdNoKX, _ := c.GenerateDH(ctxb, noKX, p.Bytes(), g.Bytes())
	for _, tc := range []struct {
		name   string
		k, kw  *secapi.Key
		peer   []byte
		status secapi.Status
	}{
		{"kw without DERIVE", kd, mustKey(t, c, noDerive, kwRaw), peer, secapi.StatusOperationNotAllowed},
		{"kw not symmetric", kd, ec, peer, secapi.StatusInvalidKeyType},
		{"kw of 32 bytes", kd, mac, peer, secapi.StatusInvalidParameter},
		{"key without KEY_EXCHANGE", kdNoKX, kw, peer, secapi.StatusOperationNotAllowed},
		{"EC key", ec, kw, peer, secapi.StatusInvalidKeyType},
		{"bad peer", kd, kw, dhSPKI(t, p, g, big.NewInt(1)), secapi.StatusInvalidParameter},
		{"unknown kw", kd, secapi.ForeignKey(c, 1<<40), peer, secapi.StatusInvalidParameter},
	} {
		if _, err := tc.k.ExchangeNetflix(ctxb, secapi.AllRights(), tc.peer, tc.kw, secapi.AllRights(), secapi.AllRights()); !errors.Is(err, tc.status) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.status)
		}
	}
}
