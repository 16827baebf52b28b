package secapi_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/secapi/internal/tacore"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

// start serves the SecAPI TA: multi-instance as shipped, or single-instance
// multi-session with one Core, which makes the slot table observable.
func start(t testing.TB, single bool) (*tatest.Server, *tacore.Core) {
	t.Helper()
	core := tacore.New(nil)
	def := tatest.TA{UUID: secapi.TAUUID, Name: "secapi", New: func() ta.TA { return tacore.New(nil) },
		Concurrent: true, MaxInstances: tacore.MaxSlots} // as secapi/ta/manifest.toml
	if single {
		def.SingleInstance, def.MultiSession, def.InstanceKeepAlive, def.MaxInstances = true, true, true, 0
		def.New = func() ta.TA { return core }
	}
	return tatest.Start(t, def), core
}

func newClient(t testing.TB, srv *tatest.Server) *secapi.Client {
	t.Helper()
	c := secapi.NewClient(srv.NewContext(t), client.Login{Method: tee.LoginUser})
	t.Cleanup(func() { c.Close() })
	return c
}

func mustKey(t testing.TB, c *secapi.Client, r secapi.Rights, key []byte) *secapi.Key {
	t.Helper()
	k, err := c.ImportSymmetric(context.Background(), r, key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestInfo(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v.SpecificationMajor != 3 || v.SpecificationMinor != 4 || v.SpecificationRevision != 1 {
		t.Fatalf("version %+v, %v", v, err)
	}
	if n, err := c.Name(ctx); err != nil || n == "" {
		t.Fatalf("name %q, %v", n, err)
	}
	id1, err := c.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id2, _ := newClient(t, srv).DeviceID(ctx); id2 != id1 {
		t.Fatalf("device id %x then %x", id1, id2)
	}
	u, err := c.TAUUID(ctx)
	if err != nil || u != secapi.REE {
		t.Fatalf("caller uuid %v, %v; want the REE's %v", u, err, secapi.REE)
	}
	b := make([]byte, 100)
	if err := c.Random(ctx, b); err != nil || bytes.Equal(b, make([]byte, 100)) {
		t.Fatalf("random: %v", err)
	}
}

// TestCiphers checks every AES mode against Go's crypto, in several chunks.
func TestCiphers(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	for _, size := range []int{16, 32} {
		raw := bytes.Repeat([]byte{byte(size)}, size)
		k := mustKey(t, c, secapi.AllRights(), raw)
		blk, _ := aes.NewCipher(raw)
		iv := unhex("000102030405060708090a0b0c0d0e0f")
		msg := bytes.Repeat([]byte("0123456789abcdef"), 5)
		msg = append(msg, "tail"...)
		aligned := msg[:64]
		for _, tc := range []struct {
			name string
			alg  secapi.CipherAlgorithm
			in   []byte
			want func() []byte
		}{
			{"ecb", secapi.AESECB, aligned, func() []byte {
				out := make([]byte, len(aligned))
				for i := 0; i < len(aligned); i += 16 {
					blk.Encrypt(out[i:], aligned[i:])
				}
				return out
			}},
			{"cbc", secapi.AESCBC, aligned, func() []byte {
				out := make([]byte, len(aligned))
				cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, aligned)
				return out
			}},
			{"cbc-pkcs7", secapi.AESCBCPKCS7, msg, func() []byte {
				p := append([]byte(nil), msg...)
				n := 16 - len(p)%16
				p = append(p, bytes.Repeat([]byte{byte(n)}, n)...)
				out := make([]byte, len(p))
				cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, p)
				return out
			}},
			{"ctr", secapi.AESCTR, msg, func() []byte {
				out := make([]byte, len(msg))
				cipher.NewCTR(blk, iv).XORKeyStream(out, msg)
				return out
			}},
		} {
			t.Run(fmt.Sprintf("%s-%d", tc.name, size), func(t *testing.T) {
				got := run(t, c, tc.alg, secapi.Encrypt, k, iv, tc.in)
				if want := tc.want(); !bytes.Equal(got, want) {
					t.Fatalf("encrypt\n got %x\nwant %x", got, want)
				}
				back := run(t, c, tc.alg, secapi.Decrypt, k, iv, got)
				if !bytes.Equal(back, tc.in) {
					t.Fatalf("decrypt\n got %x\nwant %x", back, tc.in)
				}
			})
		}
		t.Run(fmt.Sprintf("gcm-%d", size), func(t *testing.T) {
			nonce, aad := iv[:12], []byte("header")
			g, _ := cipher.NewGCM(blk)
			want := g.Seal(nil, nonce, msg, aad)
			x, err := c.NewCipher(ctx, secapi.AESGCM, secapi.Encrypt, k, secapi.CipherParams{IV: nonce, AAD: aad})
			if err != nil {
				t.Fatal(err)
			}
			a, err := x.Process(ctx, msg[:33])
			if err != nil {
				t.Fatal(err)
			}
			b, tag, err := x.ProcessLast(ctx, msg[33:], 16, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(append(a, b...), tag...); !bytes.Equal(got, want) {
				t.Fatalf("gcm\n got %x\nwant %x", got, want)
			}
			x.Release(ctx)
			d, _ := c.NewCipher(ctx, secapi.AESGCM, secapi.Decrypt, k, secapi.CipherParams{IV: nonce, AAD: aad})
			pt, _, err := d.ProcessLast(ctx, want[:len(msg)], 12, want[len(msg):len(msg)+12])
			if err != nil || !bytes.Equal(pt, msg) {
				t.Fatalf("gcm open %x, %v", pt, err)
			}
			d.Release(ctx)
			d, _ = c.NewCipher(ctx, secapi.AESGCM, secapi.Decrypt, k, secapi.CipherParams{IV: nonce, AAD: aad})
			bad := append([]byte(nil), want[len(msg):]...)
			bad[0] ^= 1
			if _, _, err := d.ProcessLast(ctx, want[:len(msg)], 16, bad); !errors.Is(err, secapi.StatusVerificationFailed) {
				t.Fatalf("bad tag: %v", err)
			}
		})
	}
}

func run(t testing.TB, c *secapi.Client, alg secapi.CipherAlgorithm, mode secapi.CipherMode, k *secapi.Key, iv, in []byte) []byte {
	t.Helper()
	ctx := context.Background()
	var p secapi.CipherParams
	if alg != secapi.AESECB && alg != secapi.AESECBPKCS7 {
		p.IV = iv
	}
	x, err := c.NewCipher(ctx, alg, mode, k, p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Release(ctx)
	split := len(in) / 32 * 16
	if alg == secapi.AESCBCPKCS7 || alg == secapi.AESECBPKCS7 {
		split = (len(in) - 1) / 16 * 16 // process_last takes at most one block
		if mode == secapi.Decrypt {
			split = len(in) - 16
		}
	}
	a, err := x.Process(ctx, in[:split])
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := x.ProcessLast(ctx, in[split:], 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return append(a, b...)
}

// TestPKCS7DecryptHoldsLastBlock checks the reference's PKCS#7 decryption stream:
// process keeps the last block back (it may be the padding), the next call gives it
// out, and process-last, with or without more input, removes the padding.
func TestPKCS7DecryptHoldsLastBlock(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	raw := bytes.Repeat([]byte{7}, 16)
	k := mustKey(t, c, secapi.AllRights(), raw)
	blk, _ := aes.NewCipher(raw)
	iv := make([]byte, 16)
	plain := bytes.Repeat([]byte("0123456789abcdef"), 2) // a whole padding block follows
	padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{16}, 16)...)
	enc := make([]byte, len(padded))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(enc, padded)
	for _, tc := range []struct {
		name        string
		chunks      [][]byte // process calls
		last        []byte   // process-last input
		wantOutputs []int    // output length of each process call
	}{
		{"all then nothing", [][]byte{enc}, []byte{}, []int{32}},
		{"block by block", [][]byte{enc[:16], enc[16:32]}, enc[32:], []int{0, 16}},
		{"two then one", [][]byte{enc[:32], enc[32:]}, []byte{}, []int{16, 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := c.NewCipher(ctx, secapi.AESCBCPKCS7, secapi.Decrypt, k, secapi.CipherParams{IV: iv})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Release(ctx)
			var got []byte
			for i, in := range tc.chunks {
				out, err := x.Process(ctx, in)
				if err != nil || len(out) != tc.wantOutputs[i] {
					t.Fatalf("process %d: %d bytes, %v; want %d", i, len(out), err, tc.wantOutputs[i])
				}
				got = append(got, out...)
			}
			out, _, err := x.ProcessLast(ctx, tc.last, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, out...); !bytes.Equal(got, plain) {
				t.Fatalf("got %x, want %x", got, plain)
			}
		})
	}
	// Nothing held and nothing given: nothing to unpad.
	x, _ := c.NewCipher(ctx, secapi.AESCBCPKCS7, secapi.Decrypt, k, secapi.CipherParams{IV: iv})
	defer x.Release(ctx)
	if _, _, err := x.ProcessLast(ctx, []byte{}, 0, nil); !errors.Is(err, secapi.StatusVerificationFailed) {
		t.Fatalf("process-last of nothing: %v", err)
	}
}

// TestGCMVector is NIST GCM test case 4 (AES-128, 60-byte plaintext, 20-byte AAD).
func TestGCMVector(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	k := mustKey(t, c, secapi.AllRights(), unhex("feffe9928665731c6d6a8f9467308308"))
	pt := unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
	aad := unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
	x, err := c.NewCipher(ctx, secapi.AESGCM, secapi.Encrypt, k, secapi.CipherParams{IV: unhex("cafebabefacedbaddecaf888"), AAD: aad})
	if err != nil {
		t.Fatal(err)
	}
	ct, tag, err := x.ProcessLast(ctx, pt, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"; hex.EncodeToString(ct) != want {
		t.Fatalf("ct %x", ct)
	}
	if want := "5bc94fbc3221a5db94fae95ae7121a47"; hex.EncodeToString(tag) != want {
		t.Fatalf("tag %x", tag)
	}
}

// TestMACs: CMAC against NIST SP 800-38B (AES-128, example 2) and HMAC against Go.
func TestMACs(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	k := mustKey(t, c, secapi.AllRights(), unhex("2b7e151628aed2a6abf7158809cf4f3c"))
	m, err := c.NewMAC(ctx, secapi.CMAC, k, 0)
	if err != nil {
		t.Fatal(err)
	}
	msg := unhex("6bc1bee22e409f96e93d7e117393172a")
	if err := m.Process(ctx, msg); err != nil {
		t.Fatal(err)
	}
	tag, err := m.Compute(ctx)
	if err != nil || hex.EncodeToString(tag) != "070a16b46b4d4144f79bdd9dd04a287c" {
		t.Fatalf("cmac %x, %v", tag, err)
	}
	if _, err := m.Compute(ctx); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("second compute: %v", err)
	}
	raw := []byte("a sixteen+ byte hmac key")
	hk := mustKey(t, c, secapi.AllRights(), raw)
	hm, err := c.NewMAC(ctx, secapi.HMAC, hk, secapi.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	hm.Process(ctx, []byte("hello "))
	hm.ProcessKey(ctx, k)
	got, err := hm.Compute(ctx)
	want := hmac.New(sha256.New, raw)
	want.Write([]byte("hello "))
	want.Write(unhex("2b7e151628aed2a6abf7158809cf4f3c"))
	if err != nil || !bytes.Equal(got, want.Sum(nil)) {
		t.Fatalf("hmac %x, %v", got, err)
	}
	d, err := hk.Digest(ctx, secapi.SHA256)
	if s := sha256.Sum256(raw); err != nil || !bytes.Equal(d, s[:]) {
		t.Fatalf("digest %x, %v", d, err)
	}
}

func TestRights(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	me, err := c.TAUUID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 16)
	iv := make([]byte, 16)
	other := tee.MustParseUUID("11111111-2222-3333-4444-555555555555")
	now := time.Now()
	for _, tc := range []struct {
		name   string
		rights func(*secapi.Rights)
		ok     bool
	}{
		{"all", func(*secapi.Rights) {}, true},
		{"mine", func(r *secapi.Rights) { r.AllowedTAs = []tee.UUID{other, me} }, true},
		{"other TA", func(r *secapi.Rights) { r.AllowedTAs = []tee.UUID{other} }, false},
		{"no TA", func(r *secapi.Rights) { r.AllowedTAs = nil }, false},
		{"not yet", func(r *secapi.Rights) { r.NotBefore = now.Add(time.Hour) }, false},
		{"expired", func(r *secapi.Rights) { r.NotOnOrAfter = now.Add(-time.Hour) }, false},
		{"no encrypt", func(r *secapi.Rights) { r.Usage &^= secapi.UsageEncrypt }, false},
		{"SVP required", func(r *secapi.Rights) { r.Usage &^= secapi.UsageSVPOptional }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := secapi.AllRights()
			tc.rights(&r)
			k := mustKey(t, c, r, raw)
			defer k.Release(ctx)
			x, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
			if err == nil {
				_, err = x.Process(ctx, make([]byte, 16))
				x.Release(ctx)
			}
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, secapi.StatusOperationNotAllowed) {
				t.Fatalf("got %v", err)
			}
		})
	}
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageSign
	k := mustKey(t, c, r, raw)
	if _, err := c.NewMAC(ctx, secapi.CMAC, k, 0); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("mac without SIGN: %v", err)
	}
}

func TestKeys(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	r := secapi.AllRights()
	r.ID = "my key"
	k, err := c.GenerateSymmetric(ctx, r, 32)
	if err != nil {
		t.Fatal(err)
	}
	h, err := k.Header(ctx)
	if err != nil || h.Type != 0 || h.Size != 32 || string(h.Rights.ID[:6]) != "my key" {
		t.Fatalf("header %+v, %v", h, err)
	}
	for _, size := range []int{0, 15, 513} {
		if _, err := c.GenerateSymmetric(ctx, r, size); !errors.Is(err, secapi.StatusInvalidParameter) {
			t.Fatalf("size %d: %v", size, err)
		}
	}
	if _, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Encrypt, k, secapi.CipherParams{IV: make([]byte, 8)}); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("short iv: %v", err)
	}
	k24, _ := c.GenerateSymmetric(ctx, r, 24)
	if _, err := c.NewCipher(ctx, secapi.AESECB, secapi.Encrypt, k24, secapi.CipherParams{}); !errors.Is(err, secapi.StatusInvalidKeyType) {
		t.Fatalf("24-byte AES key: %v", err)
	}
	for _, curve := range []secapi.Curve{secapi.CurveP256, secapi.CurveP384, secapi.CurveP521} {
		ek, err := c.GenerateEC(ctx, r, curve)
		if err != nil {
			t.Fatal(err)
		}
		der, err := ek.PublicKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x509.ParsePKIXPublicKey(der); err != nil {
			t.Fatalf("curve %d: %v", curve, err)
		}
	}
	// A released handle is refused, and never names the key made after it.
	if err := k.Release(ctx); err != nil {
		t.Fatal(err)
	}
	k2, _ := c.GenerateSymmetric(ctx, r, 16)
	if k2.Handle() == k.Handle() {
		t.Fatal("handle reused")
	}
	if _, err := k.Header(ctx); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("stale handle: %v", err)
	}
	if err := k.Release(ctx); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("double release: %v", err)
	}
}

// TestSlots: sessions cannot reach each other's objects, limits hold, and closing a
// session releases its slot.
func TestSlots(t *testing.T) {
	srv, core := start(t, true)
	ctx := context.Background()
	a, b := newClient(t, srv), newClient(t, srv)
	ka := mustKey(t, a, secapi.AllRights(), make([]byte, 16))
	kb := mustKey(t, b, secapi.AllRights(), make([]byte, 16))
	if ka.Handle() != kb.Handle() {
		t.Logf("handles %x %x", ka.Handle(), kb.Handle())
	}
	ka2, _ := a.GenerateSymmetric(ctx, secapi.AllRights(), 16)
	// b's client, with a's handle: b's slot has no such key.
	if _, err := b.NewCipher(ctx, secapi.AESECB, secapi.Encrypt, keyIn(b, ka2), secapi.CipherParams{}); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("other slot's key: %v", err)
	}
	var keys []*secapi.Key
	for {
		k, err := a.GenerateSymmetric(ctx, secapi.AllRights(), 16)
		if errors.Is(err, secapi.StatusNoAvailableResourceSlot) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if n := len(keys) + 2; n != tacore.MaxObjects {
		t.Fatalf("%d keys fit", n)
	}
	if core.Slots() != 2 {
		t.Fatalf("%d slots", core.Slots())
	}
	a.Close()
	if core.Slots() != 1 {
		t.Fatalf("%d slots after close", core.Slots())
	}
	for i := 0; i < 2000; i++ {
		c := secapi.NewClient(srv.NewContext(t), client.Public)
		k, err := c.GenerateSymmetric(ctx, secapi.AllRights(), 16)
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.NewMAC(ctx, secapi.CMAC, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		m.Process(ctx, []byte("x"))
		c.Close()
		if i%500 == 0 && core.Slots() != 1 {
			t.Fatalf("cycle %d: %d slots", i, core.Slots())
		}
	}
	if core.Slots() != 1 {
		t.Fatalf("%d slots after cycles", core.Slots())
	}
}

func TestSlotLimit(t *testing.T) {
	srv, core := start(t, true)
	ctx := context.Background()
	tc := srv.NewContext(t)
	var cs []*secapi.Client
	for range tacore.MaxSlots {
		c := secapi.NewClient(tc, client.Public)
		if _, err := c.Name(ctx); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	extra := secapi.NewClient(tc, client.Public)
	if _, err := extra.Name(ctx); !errors.Is(err, secapi.StatusNoAvailableResourceSlot) {
		t.Fatalf("slot %d: %v", tacore.MaxSlots+1, err)
	}
	cs[0].Close()
	if _, err := extra.Name(ctx); err != nil {
		t.Fatalf("after a close: %v", err)
	}
	for _, c := range cs[1:] {
		c.Close()
	}
	extra.Close()
	if core.Slots() != 0 {
		t.Fatalf("%d slots", core.Slots())
	}
}

// keyIn is a Key value of client c with k's handle: a caller trying another slot's
// handle on its own session.
func keyIn(c *secapi.Client, k *secapi.Key) *secapi.Key { return secapi.ForeignKey(c, k.Handle()) }

func TestConcurrency(t *testing.T) {
	srv, _ := start(t, false)
	ctx := context.Background()
	raw := bytes.Repeat([]byte{7}, 16)
	blk, _ := aes.NewCipher(raw)
	iv := make([]byte, 16)
	msg := bytes.Repeat([]byte("concurrent"), 100)
	want := make([]byte, len(msg))
	cipher.NewCTR(blk, iv).XORKeyStream(want, msg)
	shared := newClient(t, srv)
	sk := mustKey(t, shared, secapi.AllRights(), raw)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, k := shared, sk
			if i%2 == 0 { // its own session
				c = secapi.NewClient(srv.NewContext(t), client.Public)
				defer c.Close()
				var err error
				if k, err = c.ImportSymmetric(ctx, secapi.AllRights(), raw); err != nil {
					errs <- err
					return
				}
			}
			for range 10 {
				x, err := c.NewCipher(ctx, secapi.AESCTR, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
				if err != nil {
					errs <- err
					return
				}
				var got []byte
				for off := 0; off < len(msg); off += 100 {
					b, err := x.Process(ctx, msg[off:off+100])
					if err != nil {
						errs <- err
						return
					}
					got = append(got, b...)
				}
				x.Release(ctx)
				if !bytes.Equal(got, want) {
					errs <- errors.New("wrong ciphertext")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
