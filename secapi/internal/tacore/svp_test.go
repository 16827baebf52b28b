package tacore_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi/internal/cenctest"
	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/secapi/internal/tacore"
	"github.com/gotee/gotee/secapi/tasa"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

var probeUUID = tee.MustParseUUID("7a5a0000-0000-4000-8000-0000000005f0")

// The probe TA runs a test's function in its Invoke entry point, so the test is a
// Secure Application: the only kind of caller the SecAPI TA lets check SVP contents.
var (
	fns  sync.Map // uint32 → func(*ta.Session)
	next atomic.Uint32
)

type probe struct{ ta.Base }

func (probe) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	fn, ok := fns.Load(p[0].Value.A)
	if !ok {
		return tee.ErrItemNotFound
	}
	fn.(func(*ta.Session))(s)
	return nil
}

type env struct {
	c    *client.Context
	core atomic.Pointer[tacore.Core]
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{}
	srv := tatest.Start(t,
		tatest.TA{UUID: protocol.TAUUID, Name: "secapi", SingleInstance: true, MultiSession: true, InstanceKeepAlive: true,
			New: func() ta.TA { c := tacore.New(nil); e.core.Store(c); return c }},
		tatest.TA{UUID: probeUUID, Name: "probe", New: func() ta.TA { return probe{} }},
	)
	e.c = srv.NewContext(t)
	return e
}

// inTA runs fn inside the probe TA with a SecAPI session of its own.
func (e *env) inTA(t *testing.T, fn func(c *tasa.Client)) {
	t.Helper()
	id := next.Add(1)
	fns.Store(id, func(s *ta.Session) {
		c, err := tasa.Open(s, ta.TimeoutInfinite)
		if err != nil {
			t.Errorf("open SecAPI session: %v", err)
			return
		}
		defer c.Close()
		fn(c)
	})
	defer fns.Delete(id)
	s, err := e.c.OpenSession(context.Background(), probeUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Invoke(context.Background(), 0, &client.Operation{Params: [4]client.Param{
		&client.Value{Type: tee.ValueInput, A: id}}}); err != nil {
		t.Fatalf("probe TA: %v", err)
	}
}

// ree is a normal-world session speaking the raw protocol.
type ree struct{ s *client.Session }

func (e *env) ree(t *testing.T) *ree {
	t.Helper()
	s, err := e.c.OpenSession(context.Background(), protocol.TAUUID, client.Login{Method: tee.LoginUser}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &ree{s}
}

// call runs cmd and returns its status and reply (outLen 0: no parameter 3).
func (r *ree) call(t *testing.T, cmd uint32, req, in []byte, outLen int) (protocol.Status, []byte) {
	t.Helper()
	v := &client.Value{Type: tee.ValueInout, A: protocol.Version}
	op := &client.Operation{}
	op.Params[0] = v
	if req != nil {
		op.Params[1] = &client.TempMemory{Type: tee.MemrefTempInput, Buffer: req}
	}
	if in != nil {
		op.Params[2] = &client.TempMemory{Type: tee.MemrefTempInput, Buffer: in, Size: len(in)}
	}
	var out *client.TempMemory
	if outLen > 0 {
		out = &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, outLen)}
		op.Params[3] = out
	}
	if err := r.s.Invoke(context.Background(), cmd, op); err != nil {
		t.Fatalf("command %d: %v", cmd, err)
	}
	if out == nil {
		return protocol.Status(v.A), nil
	}
	return protocol.Status(v.A), out.Buffer[:out.Size]
}

func (r *ree) u64(t *testing.T, cmd uint32, req, in []byte) uint64 {
	t.Helper()
	st, b := r.call(t, cmd, req, in, 8)
	if st != protocol.StatusOK || len(b) != 8 {
		t.Fatalf("command %d: %v", cmd, st)
	}
	return binary.LittleEndian.Uint64(b)
}

func u64s(vs ...uint64) []byte {
	var w protocol.Writer
	for _, v := range vs {
		w.U64(v)
	}
	return w.Buf
}

func rnd(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// svpOnly is a content key without SVP_OPTIONAL: it decrypts only into SVP buffers.
var svpOnly = tasa.Rights{ID: "svp", Usage: tasa.UsageDecrypt | tasa.UsageEncrypt, AllowedTAs: []tee.UUID{tasa.AllTAs}}

// TestCencIndependent checks the test's own encryptor against plain CTR and CBC from
// crypto/cipher where the schemes coincide with them, so the encryptor is not merely
// the TA's mirror image.
func TestCencIndependent(t *testing.T) {
	key, iv, plain := rnd(16), rnd(16), rnd(160)
	iv[8] = 0 // no wrap of the low 64 bits within the message
	blk, _ := aes.NewCipher(key)
	want := make([]byte, len(plain))
	cipher.NewCTR(blk, iv).XORKeyStream(want, plain)
	if got := cenctest.Encrypt(key, iv, true, 0, 0, cenctest.Subs(0, 60, 0, 100), plain); !bytes.Equal(got, want) {
		t.Errorf("cenc over two subsamples differs from CTR over the whole")
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(want, plain)
	if got := cenctest.Encrypt(key, iv, false, 0, 0, cenctest.Subs(0, 64, 0, 96), plain); !bytes.Equal(got, want) {
		t.Errorf("cbc1 over two subsamples differs from CBC over the whole")
	}
	// cbcs 1:9 over 160 bytes encrypts only the first block: CBC of one block.
	got := cenctest.Encrypt(key, iv, false, 1, 9, cenctest.Subs(0, 160), plain)
	if !bytes.Equal(got[:16], want[:16]) || !bytes.Equal(got[16:], plain[16:]) {
		t.Errorf("cbcs 1:9 is not one CBC block then clear")
	}
	// The 64-bit counter wraps without carrying into the nonce.
	iv2 := append([]byte(nil), iv...)
	binary.BigEndian.PutUint64(iv2[8:], ^uint64(0))
	got = cenctest.Encrypt(key, iv2, true, 0, 0, cenctest.Subs(0, 32), make([]byte, 32))
	c0 := append(iv2[:8:8], make([]byte, 8)...)
	var ks [16]byte
	blk.Encrypt(ks[:], c0)
	if !bytes.Equal(got[16:], ks[:]) {
		t.Errorf("block after counter FF..FF is not AES(nonce ‖ 0)")
	}
}

// TestCommonEncryptionSVP decrypts every scheme into SVP memory from a Secure
// Application and checks the result by digest, the only way out of SVP memory.
func TestCommonEncryptionSVP(t *testing.T) {
	e := start(t)
	shapes := [][]cenctest.Subsample{
		cenctest.Subs(0, 256),
		cenctest.Subs(16, 100, 20, 50, 0, 33, 7, 0),
		cenctest.Subs(5, 1000),
		cenctest.Subs(0, 15, 0, 17, 3, 160),
	}
	patterns := [][2]int{{0, 0}, {1, 9}, {5, 5}, {9, 1}, {1, 0}, {2, 3}}
	lows := []uint64{0x0123456789abcdef, ^uint64(0) - 1, ^uint64(0), ^uint64(0) - 20}
	e.inTA(t, func(c *tasa.Client) {
		key := rnd(16)
		k, err := c.ImportSymmetric(svpOnly, key)
		if err != nil {
			t.Errorf("import: %v", err)
			return
		}
		for _, ctr := range []bool{true, false} {
			alg, name := tasa.AESCTR, "cen"
			if !ctr {
				alg, name = tasa.AESCBC, "cb"
			}
			x, err := c.NewCipher(alg, tasa.Decrypt, k, tasa.CipherParams{IV: make([]byte, 16)})
			if err != nil {
				t.Errorf("cipher: %v", err)
				return
			}
			for si, shape := range shapes {
				for _, pat := range patterns {
					for _, low := range lows {
						iv := rnd(16)
						binary.BigEndian.PutUint64(iv[8:], low)
						n := 0
						var subs []tasa.Subsample
						for _, s := range shape {
							n += s.Clear + s.Protected
							subs = append(subs, tasa.Subsample{Clear: uint64(s.Clear), Protected: uint64(s.Protected)})
						}
						plain := rnd(n)
						enc := cenctest.Encrypt(key, iv, ctr, pat[0], pat[1], shape, plain)
						t.Run(fmt.Sprintf("%s/shape%d/%d:%d/%x", name, si, pat[0], pat[1], low), func(t *testing.T) {
							b, err := c.AllocSVPBuffer(uint64(n + 12))
							if err != nil {
								t.Fatal(err)
							}
							defer b.Free()
							if err := c.DecryptSample(tasa.Sample{IV: iv, CryptByteBlock: uint64(pat[0]), SkipByteBlock: uint64(pat[1]),
								Subsamples: subs, Cipher: x, In: enc, Out: b, OutOffset: 7}); err != nil {
								t.Fatal(err)
							}
							if err := b.Check(7, uint64(n), tasa.SHA256, sha(plain)); err != nil {
								t.Errorf("SVP contents are not the plaintext: %v", err)
							}
						})
					}
				}
			}
			x.Release()
		}
		t.Run("wrong hash", func(t *testing.T) {
			b, err := c.AllocSVPBuffer(32)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Free()
			if err := b.Write(0, make([]byte, 32)); err != nil {
				t.Fatal(err)
			}
			if err := b.Check(0, 32, tasa.SHA256, sha(make([]byte, 32))); err != nil {
				t.Errorf("check of zeros: %v", err)
			}
			if err := b.Check(0, 32, tasa.SHA256, sha(make([]byte, 31))); !errors.Is(err, tasa.StatusVerificationFailed) {
				t.Errorf("wrong hash: %v", err)
			}
			if err := b.Check(1, 32, tasa.SHA256, sha(make([]byte, 31))); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("range past the end: %v", err)
			}
			if err := b.Check(0, 32, tasa.SHA1, sha(make([]byte, 32))); !errors.Is(err, tasa.StatusInvalidParameter) {
				t.Errorf("hash of the wrong length: %v", err)
			}
		})
	})
}

// TestCipherToSVP: a key without SVP_OPTIONAL decrypts into SVP buffers only.
func TestCipherToSVP(t *testing.T) {
	e := start(t)
	e.inTA(t, func(c *tasa.Client) {
		key, iv := rnd(16), rnd(16)
		k, err := c.ImportSymmetric(svpOnly, key)
		if err != nil {
			t.Errorf("import: %v", err)
			return
		}
		blk, _ := aes.NewCipher(key)
		plain := rnd(100)
		ct := make([]byte, len(plain))
		cipher.NewCTR(blk, iv).XORKeyStream(ct, plain)
		x, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv})
		if err != nil {
			t.Errorf("cipher: %v", err)
			return
		}
		defer x.Release()
		if _, err := x.Process(ct); !errors.Is(err, tasa.StatusOperationNotAllowed) {
			t.Errorf("clear output of an SVP-only key: %v", err)
		}
		b, err := c.AllocSVPBuffer(200)
		if err != nil {
			t.Errorf("alloc: %v", err)
			return
		}
		defer b.Free()
		n1, err := x.ProcessToSVP(b, 10, ct[:37])
		if err != nil || n1 != 37 {
			t.Errorf("process into SVP: %d, %v", n1, err)
		}
		n2, err := x.ProcessToSVP(b, 10+n1, ct[37:])
		if err != nil || n2 != 63 {
			t.Errorf("process into SVP: %d, %v", n2, err)
		}
		if err := b.Check(10, 100, tasa.SHA256, sha(plain)); err != nil {
			t.Errorf("SVP contents: %v", err)
		}
		if _, err := x.ProcessToSVP(b, 150, ct); !errors.Is(err, tasa.StatusInvalidParameter) {
			t.Errorf("past the SVP buffer's end: %v", err)
		}
		g, err := c.NewCipher(tasa.AESGCM, tasa.Decrypt, k, tasa.CipherParams{IV: iv[:12]})
		if err != nil {
			t.Errorf("gcm: %v", err)
			return
		}
		defer g.Release()
		if _, err := g.ProcessToSVP(b, 0, ct[:16]); !errors.Is(err, tasa.StatusOperationNotAllowed) {
			t.Errorf("GCM into SVP: %v", err)
		}
	})
}

// TestSVPREE covers the normal-world side of the raw protocol: limits, handles,
// ranges, and the checks the REE is refused.
func TestSVPREE(t *testing.T) {
	e := start(t)
	r := e.ree(t)
	if st, _ := r.call(t, protocol.CmdSVPSupported, nil, nil, 0); st != protocol.StatusOK {
		t.Fatalf("supported: %v", st)
	}
	alloc := func(size uint64) (buf, mem uint64, st protocol.Status) {
		st, b := r.call(t, protocol.CmdSVPBufferAlloc, u64s(size), nil, 16)
		if st != protocol.StatusOK {
			return 0, 0, st
		}
		return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), st
	}
	t.Run("limit", func(t *testing.T) {
		var bufs []uint64
		for {
			b, _, st := alloc(16)
			if st != protocol.StatusOK {
				if st != protocol.StatusNoAvailableResourceSlot || len(bufs) != 256 {
					t.Fatalf("after %d buffers: %v", len(bufs), st)
				}
				break
			}
			bufs = append(bufs, b)
		}
		for _, b := range bufs {
			if st, _ := r.call(t, protocol.CmdSVPBufferFree, u64s(b), nil, 8); st != protocol.StatusOK {
				t.Fatalf("free: %v", st)
			}
		}
		if st, _ := r.call(t, protocol.CmdSVPBufferFree, u64s(bufs[0]), nil, 8); st != protocol.StatusInvalidParameter {
			t.Errorf("stale handle: %v", st)
		}
		if _, _, st := alloc(protocol.MaxSVPBytes + 1); st != protocol.StatusNoAvailableResourceSlot {
			t.Errorf("past the byte cap: %v", st)
		}
	})
	t.Run("release", func(t *testing.T) {
		mem := r.u64(t, protocol.CmdSVPMemoryAlloc, u64s(64), nil)
		if st, _ := r.call(t, protocol.CmdSVPBufferCreate, u64s(mem, 60, 5), nil, 8); st != protocol.StatusInvalidSVPBuffer {
			t.Errorf("window past the region: %v", st)
		}
		if st, _ := r.call(t, protocol.CmdSVPBufferCreate, u64s(mem, ^uint64(0), 2), nil, 8); st != protocol.StatusInvalidSVPBuffer {
			t.Errorf("window overflowing: %v", st)
		}
		b := r.u64(t, protocol.CmdSVPBufferCreate, u64s(mem, 16, 32), nil)
		st, rel := r.call(t, protocol.CmdSVPBufferRelease, u64s(b), nil, 24)
		if st != protocol.StatusOK || !bytes.Equal(rel, u64s(mem, 16, 32)) {
			t.Errorf("release: %v %x", st, rel)
		}
		b = r.u64(t, protocol.CmdSVPBufferCreate, u64s(mem, 0, 64), nil)
		if st, _ := r.call(t, protocol.CmdSVPMemoryFree, u64s(mem), nil, 0); st != protocol.StatusOK {
			t.Fatalf("memory free: %v", st)
		}
		write := append(u64s(0, 0, 4), 1, 2, 3, 4)
		if st, _ := r.call(t, protocol.CmdSVPBufferWrite, append(u64s(b), 1, 0, 0, 0), write, 0); st != protocol.StatusInvalidSVPBuffer {
			t.Errorf("write to a buffer whose memory is freed: %v", st)
		}
		if st, _ := r.call(t, protocol.CmdSVPKeyCheck, u64s(b), nil, 0); st != protocol.StatusInvalidParameter {
			t.Errorf("truncated request: %v", st)
		}
	})
	t.Run("write and copy ranges", func(t *testing.T) {
		b, _, _ := alloc(16)
		b2, _, _ := alloc(16)
		n1 := []byte{1, 0, 0, 0}
		for _, tc := range []struct {
			name string
			offs []uint64
			want protocol.Status
		}{
			{"nominal", []uint64{0, 0, 16}, protocol.StatusOK},
			{"out too small", []uint64{1, 0, 16}, protocol.StatusInvalidSVPBuffer},
			{"out overflow", []uint64{^uint64(0) - 4, 0, 16}, protocol.StatusInvalidSVPBuffer},
			{"in overflow", []uint64{0, ^uint64(0) - 4, 16}, protocol.StatusInvalidSVPBuffer},
		} {
			st, _ := r.call(t, protocol.CmdSVPBufferWrite, append(u64s(b), n1...), append(u64s(tc.offs...), rnd(16)...), 0)
			if st != tc.want {
				t.Errorf("write %s: %v, want %v", tc.name, st, tc.want)
			}
			st, _ = r.call(t, protocol.CmdSVPBufferCopy, append(u64s(b2, b), n1...), u64s(tc.offs...), 0)
			if st != tc.want {
				t.Errorf("copy %s: %v, want %v", tc.name, st, tc.want)
			}
		}
		if st, _ := r.call(t, protocol.CmdSVPBufferCopy, append(u64s(b2, 12345), n1...), u64s(0, 0, 1), 0); st != protocol.StatusInvalidParameter {
			t.Errorf("copy from an invalid handle: %v", st)
		}
		var w protocol.Writer
		w.U64(b)
		w.U64(0)
		w.U64(16)
		w.U32(protocol.DigestSHA256)
		if st, _ := r.call(t, protocol.CmdSVPBufferCheck, w.Buf, sha(make([]byte, 16)), 0); st != protocol.StatusOperationNotAllowed {
			t.Errorf("buffer check from the REE: %v", st)
		}
	})
	t.Run("released with the session", func(t *testing.T) {
		r2 := e.ree(t)
		for range 256 {
			if st, _ := r2.call(t, protocol.CmdSVPBufferAlloc, u64s(4096), nil, 16); st != protocol.StatusOK {
				t.Fatalf("alloc: %v", st)
			}
		}
		slots := e.core.Load().Slots()
		r2.s.Close()
		deadline := time.Now().Add(5 * time.Second)
		for e.core.Load().Slots() != slots-1 {
			if time.Now().After(deadline) {
				t.Fatal("slot not released")
			}
			time.Sleep(10 * time.Millisecond)
		}
		r3 := e.ree(t)
		for range 256 {
			if st, _ := r3.call(t, protocol.CmdSVPBufferAlloc, u64s(4096), nil, 16); st != protocol.StatusOK {
				t.Fatalf("alloc after the first slot closed: %v", st)
			}
		}
	})
}
