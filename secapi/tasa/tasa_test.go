package tasa_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi/internal/tacore"
	"github.com/gotee/gotee/secapi/tasa"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

var (
	probeUUID = tee.MustParseUUID("7a5a0000-0000-4000-8000-000000000001")
	otherUUID = tee.MustParseUUID("7a5a0000-0000-4000-8000-000000000002")
)

// The probe TA runs a test's function inside its Invoke entry point, so the test
// body is a Secure Application: command 0 runs the function registered under p0.a;
// command 1 opens a SecAPI session and keeps it for the session's lifetime;
// command 2 panics, killing the instance with the SecAPI session it holds.
var (
	fns  sync.Map // uint32 → func(*ta.Session)
	next atomic.Uint32
)

type probe struct{ ta.Base }

func (probe) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case 0:
		fn, ok := fns.Load(p[0].Value.A)
		if !ok {
			return tee.ErrItemNotFound
		}
		fn.(func(*ta.Session))(s)
		return nil
	case 1:
		c, err := tasa.Open(s, ta.TimeoutInfinite)
		if err != nil {
			return err
		}
		s.Data = c
		return nil
	case 2:
		ta.Panic(tee.ErrGeneric)
	}
	return tee.ErrBadParameters
}

func (probe) CloseSession(s *ta.Session) {
	if c, ok := s.Data.(*tasa.Client); ok {
		c.Close()
	}
}

type env struct {
	c    *client.Context
	core atomic.Pointer[tacore.Core]
}

// start hosts the SecAPI TA (one instance holding every slot, so the test can count
// them) and the probe TA.
func start(t *testing.T) *env {
	t.Helper()
	e := &env{}
	srv := tatest.Start(t,
		tatest.TA{UUID: tasa.TAUUID, Name: "secapi", SingleInstance: true, MultiSession: true, InstanceKeepAlive: true,
			New: func() ta.TA { c := tacore.New(nil); e.core.Store(c); return c }},
		tatest.TA{UUID: probeUUID, Name: "probe", New: func() ta.TA { return probe{} }},
	)
	e.c = srv.NewContext(t)
	return e
}

func (e *env) open(t *testing.T) *client.Session {
	t.Helper()
	s, err := e.c.OpenSession(context.Background(), probeUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// inTA runs fn inside the probe TA, as a Secure Application.
func (e *env) inTA(t *testing.T, fn func(s *ta.Session)) {
	t.Helper()
	id := next.Add(1)
	fns.Store(id, fn)
	defer fns.Delete(id)
	err := e.open(t).Invoke(context.Background(), 0, &client.Operation{Params: [4]client.Param{
		&client.Value{Type: tee.ValueInput, A: id}}})
	if err != nil {
		t.Fatalf("probe TA: %v", err)
	}
}

// withClient runs fn inside the probe TA with a SecAPI session of its own, closed
// after fn.
func (e *env) withClient(t *testing.T, fn func(c *tasa.Client)) {
	t.Helper()
	e.inTA(t, func(s *ta.Session) {
		c, err := tasa.Open(s, ta.TimeoutInfinite)
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		defer c.Close()
		fn(c)
	})
}

func (e *env) slots() int {
	if c := e.core.Load(); c != nil {
		return c.Slots()
	}
	return 0
}

func waitSlots(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.slots() != n {
		if time.Now().After(deadline) {
			t.Fatalf("SecAPI TA has %d slots, want %d", e.slots(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func contentRights(allowed ...tee.UUID) tasa.Rights {
	return tasa.Rights{ID: "content", Usage: tasa.UsageEncrypt | tasa.UsageDecrypt | tasa.UsageSVPOptional, AllowedTAs: allowed}
}

func TestSecureApplication(t *testing.T) {
	e := start(t)
	key := bytes.Repeat([]byte{0x5a}, 16)
	blk, _ := aes.NewCipher(key)
	msg := []byte("a sample of premium content, not block aligned")

	e.withClient(t, func(c *tasa.Client) {
		if u, err := c.TAUUID(); err != nil || u != probeUUID {
			t.Errorf("caller UUID %v, %v; want the probe's %v", u, err, probeUUID)
		}
		buf := make([]byte, 100)
		if err := c.Random(buf); err != nil || bytes.Equal(buf, make([]byte, 100)) {
			t.Errorf("random %x, %v", buf, err)
		}

		k, err := c.ImportSymmetric(contentRights(probeUUID), key)
		if err != nil {
			t.Errorf("import: %v", err)
			return
		}
		iv := bytes.Repeat([]byte{7}, 16)

		t.Run("CTR", func(t *testing.T) {
			want := make([]byte, len(msg))
			cipher.NewCTR(blk, iv).XORKeyStream(want, msg)
			x, err := c.NewCipher(tasa.AESCTR, tasa.Encrypt, k, tasa.CipherParams{IV: iv})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Release()
			a, err := x.Process(msg[:16])
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := x.ProcessLast(msg[16:], 0, nil)
			if err != nil || !bytes.Equal(append(a, b...), want) {
				t.Fatalf("CTR %x, %v; want %x", append(a, b...), err, want)
			}
		})
		t.Run("CBC PKCS#7 decrypt", func(t *testing.T) {
			pad := 16 - len(msg)%16
			padded := append(append([]byte(nil), msg...), bytes.Repeat([]byte{byte(pad)}, pad)...)
			ct := make([]byte, len(padded))
			cipher.NewCBCEncrypter(blk, iv).CryptBlocks(ct, padded)
			x, err := c.NewCipher(tasa.AESCBCPKCS7, tasa.Decrypt, k, tasa.CipherParams{IV: iv})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Release()
			a, err := x.Process(ct[:len(ct)-16])
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := x.ProcessLast(ct[len(ct)-16:], 0, nil)
			if err != nil || !bytes.Equal(append(a, b...), msg) {
				t.Fatalf("CBC %q, %v", append(a, b...), err)
			}
		})
		t.Run("GCM", func(t *testing.T) {
			g, _ := cipher.NewGCM(blk)
			nonce, aad := iv[:12], []byte("header")
			want := g.Seal(nil, nonce, msg, aad)
			x, err := c.NewCipher(tasa.AESGCM, tasa.Encrypt, k, tasa.CipherParams{IV: nonce, AAD: aad})
			if err != nil {
				t.Fatal(err)
			}
			ct, tag, err := x.ProcessLast(msg, 16, nil)
			x.Release()
			if err != nil || !bytes.Equal(append(ct, tag...), want) {
				t.Fatalf("GCM seal %x %x, %v", ct, tag, err)
			}
			x, err = c.NewCipher(tasa.AESGCM, tasa.Decrypt, k, tasa.CipherParams{IV: nonce, AAD: aad})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Release()
			bad := append([]byte(nil), tag...)
			bad[0] ^= 1
			if _, _, err := x.ProcessLast(ct, 16, bad); !errors.Is(err, tasa.StatusVerificationFailed) {
				t.Fatalf("GCM open with a wrong tag: %v", err)
			}
			if err := x.Release(); err != nil {
				t.Fatal(err)
			}
			x, err = c.NewCipher(tasa.AESGCM, tasa.Decrypt, k, tasa.CipherParams{IV: nonce, AAD: aad})
			if err != nil {
				t.Fatal(err)
			}
			if pt, _, err := x.ProcessLast(ct, 16, tag); err != nil || !bytes.Equal(pt, msg) {
				t.Fatalf("GCM open %q, %v", pt, err)
			}
		})
		t.Run("rights", func(t *testing.T) {
			for _, tt := range []struct {
				name    string
				allowed []tee.UUID
				want    error
			}{
				{"another TA only", []tee.UUID{otherUUID}, tasa.StatusOperationNotAllowed},
				{"no TA", nil, tasa.StatusOperationNotAllowed},
				{"every TA", []tee.UUID{tasa.AllTAs}, nil},
				{"this TA among others", []tee.UUID{otherUUID, probeUUID}, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					k, err := c.ImportSymmetric(contentRights(tt.allowed...), key)
					if err != nil {
						t.Fatal(err)
					}
					defer k.Release()
					x, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv})
					if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
						t.Fatalf("cipher init: %v, want %v", err, tt.want)
					}
					if x != nil {
						x.Release()
					}
				})
			}
			noSVP := contentRights(probeUUID)
			noSVP.Usage &^= tasa.UsageSVPOptional
			k, err := c.ImportSymmetric(noSVP, key)
			if err != nil {
				t.Fatal(err)
			}
			x, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := x.Process(msg); !errors.Is(err, tasa.StatusOperationNotAllowed) {
				t.Fatalf("clear output without SVP_OPTIONAL: %v", err)
			}
			expired := contentRights(probeUUID)
			expired.NotOnOrAfter = time.Now().Add(-time.Hour)
			k, err = c.ImportSymmetric(expired, key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv}); !errors.Is(err, tasa.StatusOperationNotAllowed) {
				t.Fatalf("expired key: %v", err)
			}
		})
		t.Run("bad calls", func(t *testing.T) {
			if _, err := c.ImportSymmetric(contentRights(probeUUID), nil); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("empty key: %v", err)
			}
			if _, err := c.ImportSymmetric(tasa.Rights{ID: string(make([]byte, 64))}, key); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("64-byte ID: %v", err)
			}
			if _, err := c.NewCipher(tasa.AESGCM, tasa.Decrypt, k, tasa.CipherParams{IV: iv}); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("GCM with a 16-byte IV: %v", err)
			}
			k2, err := c.ImportSymmetric(contentRights(probeUUID), key)
			if err != nil {
				t.Fatal(err)
			}
			if err := k2.Release(); err != nil {
				t.Fatal(err)
			}
			if _, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k2, tasa.CipherParams{IV: iv}); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("released key: %v", err)
			}
		})
	})
	waitSlots(t, e, 0)
}

// TestSlotLifetime: the slot of a Secure Application goes away when it closes its
// Client, when its session closes, and when its instance dies.
func TestSlotLifetime(t *testing.T) {
	e := start(t)
	e.inTA(t, func(s *ta.Session) {
		c, err := tasa.Open(s, ta.TimeoutInfinite)
		if err != nil {
			t.Error(err)
			return
		}
		if n := e.slots(); n != 1 {
			t.Errorf("%d slots with one client", n)
		}
		c.Close()
		c.Close()
		if n := e.slots(); n != 0 {
			t.Errorf("%d slots after close", n)
		}
		if _, err := c.TAUUID(); !errors.Is(err, tasa.ErrClosed) {
			t.Errorf("call after close: %v", err)
		}
	})

	ctx := context.Background()
	for _, end := range []string{"close", "panic"} {
		t.Run(end, func(t *testing.T) {
			s := e.open(t)
			if err := s.Invoke(ctx, 1, &client.Operation{}); err != nil {
				t.Fatal(err)
			}
			waitSlots(t, e, 1)
			if end == "close" {
				s.Close()
			} else if err := s.Invoke(ctx, 2, &client.Operation{}); !errors.Is(err, tee.ErrTargetDead) {
				t.Fatalf("panic: %v", err)
			}
			waitSlots(t, e, 0)
		})
	}
}
