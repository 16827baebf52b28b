package secapi_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/secapi/internal/cenctest"
)

func rnd(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func wantStatus(t testing.TB, what string, err error, want secapi.Status) {
	t.Helper()
	if want == secapi.StatusOK {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// svpOnlyRights are AllRights without SVP_OPTIONAL: clear output is refused.
func svpOnlyRights() secapi.Rights {
	r := secapi.AllRights()
	r.Usage &^= secapi.UsageSVPOptional
	return r
}

func TestSVPBuffers(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	wantStatus(t, "supported", c.SVPSupported(ctx), secapi.StatusOK)

	m, err := c.AllocSVPMemory(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.NewBuffer(ctx, 8, 32)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.NewBuffer(ctx, 40, 32)
	wantStatus(t, "window past the region", err, secapi.StatusInvalidSVPBuffer)
	wantStatus(t, "write", b.Write(ctx, rnd(32), []secapi.SVPOffset{{Out: 0, In: 0, Length: 32}}), secapi.StatusOK)
	wantStatus(t, "write past the end", b.Write(ctx, rnd(32), []secapi.SVPOffset{{Out: 1, In: 0, Length: 32}}), secapi.StatusInvalidSVPBuffer)
	wantStatus(t, "write from past the input", b.Write(ctx, rnd(32), []secapi.SVPOffset{{Out: 0, In: ^uint64(0) - 4, Length: 16}}), secapi.StatusInvalidSVPBuffer)
	wantStatus(t, "write without offsets", b.Write(ctx, rnd(32), nil), secapi.StatusNullParameter)
	wantStatus(t, "check from the REE", b.Check(ctx, 0, 32, secapi.SHA256, make([]byte, 32)), secapi.StatusOperationNotAllowed)
	// Sparse offsets: only their span of the input travels.
	in := rnd(1024)
	wantStatus(t, "sparse write", b.Write(ctx, in, []secapi.SVPOffset{{Out: 0, In: 500, Length: 10}, {Out: 20, In: 900, Length: 12}}), secapi.StatusOK)

	b2, m2, err := c.AllocSVPBuffer(ctx, 32)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "copy", b2.Copy(ctx, b, []secapi.SVPOffset{{Out: 0, In: 0, Length: 32}}), secapi.StatusOK)
	wantStatus(t, "copy past the input", b2.Copy(ctx, b, []secapi.SVPOffset{{Out: 0, In: 1, Length: 32}}), secapi.StatusInvalidSVPBuffer)
	wantStatus(t, "copy from a stale buffer", b2.Copy(ctx, secapi.ForeignSVPBuffer(c, 12345), []secapi.SVPOffset{{Length: 1}}), secapi.StatusInvalidParameter)

	rm, off, size, err := b.Release(ctx)
	if err != nil || rm.Handle() != m.Handle() || off != 8 || size != 32 {
		t.Errorf("release: %v %d %d %v", rm, off, size, err)
	}
	_, _, _, err = b.Release(ctx)
	wantStatus(t, "release twice", err, secapi.StatusInvalidParameter)
	wantStatus(t, "memory free", m.Free(ctx), secapi.StatusOK)
	wantStatus(t, "memory free twice", m.Free(ctx), secapi.StatusInvalidParameter)
	freed, err := b2.Free(ctx)
	if err != nil || freed == nil || freed.Handle() != m2.Handle() {
		t.Errorf("buffer free: %v %v", freed, err)
	}
}

func TestSVPKeyCheck(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	raw, clearText := rnd(16), rnd(16)
	blk, _ := aes.NewCipher(raw)
	ct := make([]byte, 16)
	blk.Encrypt(ct, clearText)
	k := mustKey(t, c, secapi.AllRights(), raw)
	svpOnly := mustKey(t, c, svpOnlyRights(), raw)
	noDecrypt := secapi.AllRights()
	noDecrypt.Usage &^= secapi.UsageDecrypt
	nd := mustKey(t, c, noDecrypt, raw)
	ec, err := c.GenerateEC(ctx, secapi.AllRights(), secapi.CurveP256)
	if err != nil {
		t.Fatal(err)
	}
	sb, _, err := c.AllocSVPBuffer(ctx, 16)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "write", sb.Write(ctx, ct, []secapi.SVPOffset{{Length: 16}}), secapi.StatusOK)
	for _, tc := range []struct {
		name     string
		k        *secapi.Key
		in       *secapi.Buffer
		n        uint64
		expected []byte
		want     secapi.Status
	}{
		{"clear", k, &secapi.Buffer{Clear: ct}, 16, clearText, secapi.StatusOK},
		{"wrong expected", k, &secapi.Buffer{Clear: ct}, 16, ct, secapi.StatusVerificationFailed},
		{"clear, SVP-only key", svpOnly, &secapi.Buffer{Clear: ct}, 16, clearText, secapi.StatusOperationNotAllowed},
		{"SVP from the REE", k, &secapi.Buffer{SVP: sb}, 16, clearText, secapi.StatusOperationNotAllowed},
		{"17 bytes", k, &secapi.Buffer{Clear: ct}, 17, append(clearText, 1), secapi.StatusInvalidParameter},
		{"expected length", k, &secapi.Buffer{Clear: ct}, 16, clearText[:15], secapi.StatusInvalidParameter},
		{"no decrypt", nd, &secapi.Buffer{Clear: ct}, 16, clearText, secapi.StatusOperationNotAllowed},
		{"EC key", ec, &secapi.Buffer{Clear: ct}, 16, clearText, secapi.StatusInvalidKeyType},
		{"nil in", k, nil, 16, clearText, secapi.StatusNullParameter},
	} {
		wantStatus(t, tc.name, c.SVPKeyCheck(ctx, tc.k, tc.in, tc.n, tc.expected), tc.want)
	}
}

func TestCipherBuffers(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	raw, iv := rnd(16), rnd(16)
	k := mustKey(t, c, svpOnlyRights(), raw)
	blk, _ := aes.NewCipher(raw)
	plain := rnd(64)
	ct := make([]byte, 64)
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(ct, plain)
	x, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Decrypt, k, secapi.CipherParams{IV: iv})
	if err != nil {
		t.Fatal(err)
	}
	sb, _, err := c.AllocSVPBuffer(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	out := &secapi.Buffer{SVP: sb}
	in := &secapi.Buffer{Clear: ct}
	n, err := x.ProcessBuffer(ctx, out, in, 32)
	if err != nil || n != 32 || out.Offset != 32 || in.Offset != 32 {
		t.Fatalf("clear → SVP: %d %v, offsets %d %d", n, err, out.Offset, in.Offset)
	}
	n, _, err = x.ProcessLastBuffer(ctx, out, in, 32, 0, nil)
	if err != nil || n != 32 || out.Offset != 64 {
		t.Fatalf("process last clear → SVP: %d %v", n, err)
	}
	wantStatus(t, "update IV", x.UpdateIV(ctx, iv), secapi.StatusOK) // process-last ended the message
	_, err = x.ProcessBuffer(ctx, out, &secapi.Buffer{Clear: ct}, 16)
	wantStatus(t, "SVP buffer full", err, secapi.StatusInvalidParameter)
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{Clear: make([]byte, 64)}, &secapi.Buffer{Clear: ct}, 16)
	wantStatus(t, "clear output of an SVP-only key", err, secapi.StatusOperationNotAllowed)
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{Clear: make([]byte, 64)}, &secapi.Buffer{SVP: sb}, 16)
	wantStatus(t, "SVP → clear", err, secapi.StatusInvalidParameter)
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{SVP: sb, Offset: ^uint64(0) - 4}, &secapi.Buffer{Clear: ct}, 16)
	wantStatus(t, "out offset overflow", err, secapi.StatusInvalidParameter)
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{SVP: sb}, &secapi.Buffer{SVP: sb, Offset: ^uint64(0) - 4}, 16)
	wantStatus(t, "in offset overflow", err, secapi.StatusInvalidParameter)
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{SVP: secapi.ForeignSVPBuffer(c, 99)}, &secapi.Buffer{Clear: ct}, 16)
	wantStatus(t, "invalid SVP handle", err, secapi.StatusInvalidParameter)
	n, err = x.ProcessBuffer(ctx, &secapi.Buffer{SVP: sb}, &secapi.Buffer{SVP: sb}, 16)
	wantStatus(t, "SVP → SVP", err, secapi.StatusOK)
	if n != 16 {
		t.Errorf("SVP → SVP wrote %d", n)
	}

	g, err := c.NewCipher(ctx, secapi.AESGCM, secapi.Decrypt, k, secapi.CipherParams{IV: iv[:12]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.ProcessBuffer(ctx, &secapi.Buffer{SVP: sb}, &secapi.Buffer{Clear: ct}, 16)
	wantStatus(t, "GCM into SVP", err, secapi.StatusOperationNotAllowed)

	// A key with SVP_OPTIONAL decrypts clear to clear through the same call.
	k2 := mustKey(t, c, secapi.AllRights(), raw)
	x2, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Decrypt, k2, secapi.CipherParams{IV: iv})
	if err != nil {
		t.Fatal(err)
	}
	o := &secapi.Buffer{Clear: make([]byte, 70), Offset: 3}
	if _, err := x2.ProcessBuffer(ctx, o, &secapi.Buffer{Clear: ct}, 64); err != nil || !bytes.Equal(o.Clear[3:67], plain) || o.Offset != 67 {
		t.Errorf("clear → clear: %v", err)
	}
}

// TestCommonEncryptionClear decrypts every scheme into clear memory (the key has
// SVP_OPTIONAL) and compares with the plaintext the independent encryptor started
// from; the SVP destination is checked from a Secure Application in tacore's tests.
func TestCommonEncryptionClear(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	raw := rnd(16)
	k := mustKey(t, c, secapi.AllRights(), raw)
	shapes := [][]cenctest.Subsample{cenctest.Subs(0, 1000), cenctest.Subs(16, 84, 20, 80, 0, 31), cenctest.Subs(100, 0, 3, 45)}
	for _, alg := range []secapi.CipherAlgorithm{secapi.AESCTR, secapi.AESCBC} {
		x, err := c.NewCipher(ctx, alg, secapi.Decrypt, k, secapi.CipherParams{IV: make([]byte, 16)})
		if err != nil {
			t.Fatal(err)
		}
		for si, shape := range shapes {
			for _, pat := range [][2]int{{0, 0}, {1, 9}, {5, 5}, {9, 1}} {
				t.Run(fmt.Sprintf("%d/%d/%d:%d", alg, si, pat[0], pat[1]), func(t *testing.T) {
					iv := rnd(16)
					copy(iv[8:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe})
					var subs []secapi.Subsample
					n := 0
					for _, s := range shape {
						subs = append(subs, secapi.Subsample{Clear: uint64(s.Clear), Protected: uint64(s.Protected)})
						n += s.Clear + s.Protected
					}
					plain := rnd(n)
					enc := cenctest.Encrypt(raw, iv, alg == secapi.AESCTR, pat[0], pat[1], shape, plain)
					// Two samples in one buffer, one after the other.
					in := &secapi.Buffer{Clear: append(append([]byte(nil), enc...), enc...)}
					out := &secapi.Buffer{Clear: make([]byte, 2*n)}
					s := secapi.Sample{IV: iv, CryptByteBlock: uint64(pat[0]), SkipByteBlock: uint64(pat[1]),
						Subsamples: subs, Cipher: x, Out: out, In: in}
					if err := c.ProcessCommonEncryption(ctx, []secapi.Sample{s, s}); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(out.Clear[:n], plain) || !bytes.Equal(out.Clear[n:], plain) || out.Offset != uint64(2*n) || in.Offset != uint64(2*n) {
						t.Errorf("decrypted sample differs from the plaintext")
					}
				})
			}
		}
	}
}

func TestCommonEncryptionChecks(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	raw, iv := rnd(16), rnd(16)
	k := mustKey(t, c, secapi.AllRights(), raw)
	svpOnly := mustKey(t, c, svpOnlyRights(), raw)
	newCipher := func(alg secapi.CipherAlgorithm, mode secapi.CipherMode, k *secapi.Key) *secapi.Cipher {
		p := secapi.CipherParams{IV: iv}
		if alg == secapi.AESGCM {
			p.IV = iv[:12]
		}
		x, err := c.NewCipher(ctx, alg, mode, k, p)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cbc := newCipher(secapi.AESCBC, secapi.Decrypt, k)
	sb, _, err := c.AllocSVPBuffer(ctx, 256)
	if err != nil {
		t.Fatal(err)
	}
	sample := func(mod func(*secapi.Sample)) []secapi.Sample {
		s := secapi.Sample{IV: iv, Subsamples: []secapi.Subsample{{Protected: 256}}, Cipher: cbc,
			Out: &secapi.Buffer{Clear: make([]byte, 256)}, In: &secapi.Buffer{Clear: rnd(256)}}
		mod(&s)
		return []secapi.Sample{s}
	}
	for _, tc := range []struct {
		name string
		mod  func(*secapi.Sample)
		want secapi.Status
	}{
		{"nominal", func(*secapi.Sample) {}, secapi.StatusOK},
		{"nil IV", func(s *secapi.Sample) { s.IV = nil }, secapi.StatusNullParameter},
		{"IV of 17", func(s *secapi.Sample) { s.IV = append(iv, 0) }, secapi.StatusInvalidParameter},
		{"nil subsamples", func(s *secapi.Sample) { s.Subsamples = nil }, secapi.StatusNullParameter},
		{"no subsamples", func(s *secapi.Sample) { s.Subsamples = []secapi.Subsample{} }, secapi.StatusInvalidParameter},
		{"nil out", func(s *secapi.Sample) { s.Out = nil }, secapi.StatusNullParameter},
		{"nil out bytes", func(s *secapi.Sample) { s.Out.Clear = nil }, secapi.StatusNullParameter},
		{"nil in", func(s *secapi.Sample) { s.In = nil }, secapi.StatusNullParameter},
		{"skip without crypt", func(s *secapi.Sample) { s.SkipByteBlock = 1 }, secapi.StatusInvalidParameter},
		{"encrypt context", func(s *secapi.Sample) { s.Cipher = newCipher(secapi.AESCBC, secapi.Encrypt, k) }, secapi.StatusInvalidParameter},
		{"GCM context", func(s *secapi.Sample) { s.Cipher = newCipher(secapi.AESGCM, secapi.Decrypt, k) }, secapi.StatusInvalidParameter},
		{"ECB context", func(s *secapi.Sample) { s.Cipher = newCipher(secapi.AESECB, secapi.Decrypt, k) }, secapi.StatusInvalidParameter},
		{"clear out, SVP-only key", func(s *secapi.Sample) { s.Cipher = newCipher(secapi.AESCBC, secapi.Decrypt, svpOnly) }, secapi.StatusOperationNotAllowed},
		{"SVP-only key into SVP", func(s *secapi.Sample) {
			s.Cipher = newCipher(secapi.AESCBC, secapi.Decrypt, svpOnly)
			s.Out = &secapi.Buffer{SVP: sb}
		}, secapi.StatusOK},
		{"invalid out SVP buffer", func(s *secapi.Sample) { s.Out = &secapi.Buffer{SVP: secapi.ForeignSVPBuffer(c, 7)} }, secapi.StatusInvalidParameter},
		{"invalid in SVP buffer", func(s *secapi.Sample) {
			s.Out = &secapi.Buffer{SVP: sb}
			s.In = &secapi.Buffer{SVP: secapi.ForeignSVPBuffer(c, 7)}
		}, secapi.StatusInvalidParameter},
		{"SVP in, clear out", func(s *secapi.Sample) { s.In = &secapi.Buffer{SVP: sb} }, secapi.StatusInvalidParameter},
		{"SVP overlap", func(s *secapi.Sample) { s.In = &secapi.Buffer{SVP: sb}; s.Out = s.In }, secapi.StatusInvalidParameter},
		{"out too short", func(s *secapi.Sample) { s.Out.Offset = 1 }, secapi.StatusInvalidParameter},
		{"out overflow", func(s *secapi.Sample) { s.Out.Offset = ^uint64(0) - 4 }, secapi.StatusInvalidParameter},
		{"in too short", func(s *secapi.Sample) { s.In.Offset = 1 }, secapi.StatusInvalidParameter},
		{"SVP out too short", func(s *secapi.Sample) { s.Out = &secapi.Buffer{SVP: sb, Offset: 1} }, secapi.StatusInvalidParameter},
		{"length overflow", func(s *secapi.Sample) {
			s.Subsamples = []secapi.Subsample{{Clear: ^uint64(0), Protected: 2}}
		}, secapi.StatusInvalidParameter},
		{"invalid context", func(s *secapi.Sample) { s.Cipher = nil }, secapi.StatusInvalidParameter},
	} {
		wantStatus(t, tc.name, c.ProcessCommonEncryption(ctx, sample(tc.mod)), tc.want)
	}
}
