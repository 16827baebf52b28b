package tacore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// testSlot is a slot as OpenSession makes it, with a wrapping key of the test's.
func testSlot(t *testing.T) (*Core, *slot) {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	b, err := aes.NewCipher(k)
	if err != nil {
		t.Fatal(err)
	}
	w, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return New(nil), newSlot(tee.Identity{Login: tee.LoginUser}, w)
}

// cmd runs one command on sl as Invoke would, with an output of outCap bytes.
func cmd(c *Core, sl *slot, id uint32, req, in []byte, outCap int) ([]byte, error) {
	r := &req_{rd: protocol.NewReader(req), raw: req, in: in, out: make([]byte, outCap), outCap: outCap}
	if err := c.run(nil, sl, id, r); err != nil {
		return nil, err
	}
	return r.out[:r.n], nil
}

func cmdU64(c *Core, sl *slot, id uint32, req, in []byte) (uint64, error) {
	b, err := cmd(c, sl, id, req, in, 8)
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("command %d: %d bytes, want a handle", id, len(b))
	}
	return binary.LittleEndian.Uint64(b), nil
}

func handle(hs ...uint64) []byte {
	var w protocol.Writer
	for _, h := range hs {
		w.U64(h)
	}
	return w.Buf
}

func importKey(c *Core, sl *slot, raw []byte) (uint64, error) {
	r := protocol.Rights{Usage: 1<<(protocol.UsageCacheable+1) - 1, NotOnOrAfter: ^uint64(0)}
	r.AllowedTAs[0] = protocol.AllMatch
	var w protocol.Writer
	w.U32(protocol.FormatSymmetricBytes)
	r.Put(&w)
	return cmdU64(c, sl, protocol.CmdKeyImport, w.Buf, raw)
}

// One slot, many goroutines, each with its own key, cipher and MAC contexts, while
// others release theirs: every result is Go's, and the race detector sees no race.
func TestSlotConcurrentCommands(t *testing.T) {
	c, sl := testSlot(t)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				for round := range 5 {
					raw, iv, msg := make([]byte, 16), make([]byte, 16), make([]byte, 64*(g+1)+16*round)
					rand.Read(raw)
					rand.Read(iv)
					rand.Read(msg)
					kh, err := importKey(c, sl, raw)
					if err != nil {
						return err
					}
					var w protocol.Writer
					w.U32(protocol.CipherAESCBC)
					w.U32(protocol.CipherModeEncrypt)
					w.U64(kh)
					w.Var(iv)
					ch, err := cmdU64(c, sl, protocol.CmdCipherInit, w.Buf, nil)
					if err != nil {
						return err
					}
					var w2 protocol.Writer
					w2.U32(protocol.MACHMAC)
					w2.U64(kh)
					w2.U32(protocol.DigestSHA256)
					mh, err := cmdU64(c, sl, protocol.CmdMACInit, w2.Buf, nil)
					if err != nil {
						return err
					}
					var got []byte
					for off := 0; off < len(msg); off += 16 {
						out, err := cmd(c, sl, protocol.CmdCipherProcess, handle(ch), msg[off:off+16], 16)
						if err != nil {
							return err
						}
						got = append(got, out...)
						if _, err := cmd(c, sl, protocol.CmdMACProcess, handle(mh), msg[off:off+16], 0); err != nil {
							return err
						}
					}
					tag, err := cmd(c, sl, protocol.CmdMACCompute, handle(mh), nil, 64)
					if err != nil {
						return err
					}
					blk, _ := aes.NewCipher(raw)
					want := make([]byte, len(msg))
					cipher.NewCBCEncrypter(blk, iv).CryptBlocks(want, msg)
					m := hmac.New(sha256.New, raw)
					m.Write(msg)
					if !bytes.Equal(got, want) || !bytes.Equal(tag, m.Sum(nil)) {
						return fmt.Errorf("goroutine %d round %d: results differ from Go's", g, round)
					}
					for _, rel := range []struct {
						id uint32
						h  uint64
					}{{protocol.CmdCipherRelease, ch}, {protocol.CmdMACRelease, mh}, {protocol.CmdKeyRelease, kh}} {
						if _, err := cmd(c, sl, rel.id, handle(rel.h), nil, 0); err != nil {
							return err
						}
					}
				}
				return nil
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.keys.n != 0 || sl.ciphers.n != 0 || sl.macs.n != 0 {
		t.Errorf("left: %d keys, %d ciphers, %d MACs", sl.keys.n, sl.ciphers.n, sl.macs.n)
	}
}

// A release waits for the command using the context, and a command that waited on
// a context released meanwhile finds nothing.
func TestReleaseWaitsForUse(t *testing.T) {
	c, sl := testSlot(t)
	raw := make([]byte, 16)
	kh, err := importKey(c, sl, raw)
	if err != nil {
		t.Fatal(err)
	}
	var w protocol.Writer
	w.U32(protocol.CipherAESECB)
	w.U32(protocol.CipherModeEncrypt)
	w.U64(kh)
	w.Var(nil)
	ch, err := cmdU64(c, sl, protocol.CmdCipherInit, w.Buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, unlock, err := sl.ciphers.hold(ch, true) // as a long CipherProcess would
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan error, 1)
	go func() {
		_, err := cmd(c, sl, protocol.CmdCipherRelease, handle(ch), nil, 0)
		released <- err
	}()
	// The process must queue for the context behind the release: started only once
	// the release waits, and the context let go only once both wait.
	waitBlocked(t, ").remove(", 1)
	processed := make(chan error, 1)
	go func() {
		_, err := cmd(c, sl, protocol.CmdCipherProcess, handle(ch), make([]byte, 16), 16)
		processed <- err
	}()
	waitBlocked(t, ").hold(", 2)
	// Commands on other objects of the slot go on meanwhile.
	if _, err := cmd(c, sl, protocol.CmdKeyHeader, handle(kh), nil, 4096); err != nil {
		t.Errorf("key header while a context is held: %v", err)
	}
	select {
	case err := <-released:
		t.Fatalf("release returned (%v) while the context was in use", err)
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	if err := <-released; err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := <-processed; err != protocol.StatusInvalidParameter {
		t.Errorf("process of a released context: %v, want INVALID_PARAMETER", err)
	}
	// A key release waits for no context: contexts hold their key expanded.
	if _, err := cmd(c, sl, protocol.CmdKeyRelease, handle(kh), nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(c, sl, protocol.CmdKeyRelease, handle(kh), nil, 0); err != protocol.StatusInvalidParameter {
		t.Errorf("second release: %v, want INVALID_PARAMETER", err)
	}
}

// waitBlocked waits until n goroutines are blocked on a lock (their state in
// runtime.Stack is sync.…) with a function whose name contains fn on their stack.
func waitBlocked(t *testing.T, fn string, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if head, _, _ := strings.Cut(g, "\n"); strings.Contains(head, "[sync.") && strings.Contains(g, fn) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines blocked in %s after 10 s, want %d", got, fn, n)
		}
		time.Sleep(time.Millisecond)
	}
}
