package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotee/gotee/secapi"
)

// Many goroutines share ONE SecAPI session (as RDK's library shares one per
// process), each with its own key, cipher and MAC contexts, on the packed TA under
// the built teed: every result is Go's.
func TestSecAPIOneSessionManyGoroutines(t *testing.T) {
	_, c := startSecAPI(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				for round := range 4 {
					raw, iv, msg := make([]byte, 16), make([]byte, 16), make([]byte, 1024*(g+1)+32*round)
					rand.Read(raw)
					rand.Read(iv)
					rand.Read(msg)
					k, err := c.ImportSymmetric(ctx, secapi.AllRights(), raw)
					if err != nil {
						return err
					}
					x, err := c.NewCipher(ctx, secapi.AESCTR, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
					if err != nil {
						return err
					}
					m, err := c.NewMAC(ctx, secapi.HMAC, k, secapi.SHA256)
					if err != nil {
						return err
					}
					var got []byte
					for off := 0; off < len(msg); off += 512 {
						part := msg[off:min(off+512, len(msg))]
						b, err := x.Process(ctx, part)
						if err != nil {
							return err
						}
						got = append(got, b...)
						if err := m.Process(ctx, part); err != nil {
							return err
						}
					}
					tag, err := m.Compute(ctx)
					if err != nil {
						return err
					}
					blk, _ := aes.NewCipher(raw)
					want := make([]byte, len(msg))
					cipher.NewCTR(blk, iv).XORKeyStream(want, msg)
					h := hmac.New(sha256.New, raw)
					h.Write(msg)
					if !bytes.Equal(got, want) || !bytes.Equal(tag, h.Sum(nil)) {
						return fmt.Errorf("goroutine %d round %d: results differ from Go's", g, round)
					}
					if err := x.Release(ctx); err != nil {
						return err
					}
					if err := m.Release(ctx); err != nil {
						return err
					}
					if err := k.Release(ctx); err != nil {
						return err
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
}

// While one long command of a session runs in the TA (an RSA-4096 key generation),
// other commands of the same session complete. Were the session's commands
// serialized, none sent after the long one could finish before it; no timing is
// compared. A key generation's length is random (a lucky prime search can end it
// within the first 50 ms, or a few commands later), so one that ends too soon to
// tell is run again, up to five times: a serialized session fails every time.
func TestSecAPISessionOverlap(t *testing.T) {
	_, c := startSecAPI(t)
	ctx := context.Background()
	if err := c.Random(ctx, make([]byte, 16)); err != nil { // opens the session
		t.Fatal(err)
	}
	const attempts = 5
	for attempt := 1; ; attempt++ {
		during := overlapKeyGeneration(t, c)
		t.Logf("attempt %d: %d commands finished during the key generation", attempt, during)
		if during >= 3 {
			return
		}
		if attempt == attempts {
			t.Fatalf("%d key generations, each with fewer than 3 commands finished while it ran on the same session", attempts)
		}
	}
}

// overlapKeyGeneration runs an RSA-4096 key generation on c's session and counts the
// commands of the same session that finish while it runs.
func overlapKeyGeneration(t *testing.T, c *secapi.Client) int {
	t.Helper()
	ctx := context.Background()
	var longDone atomic.Bool
	finished := make(chan error, 1)
	go func() {
		k, err := c.GenerateRSA(ctx, secapi.AllRights(), 512)
		longDone.Store(true)
		if err == nil {
			err = k.Release(ctx)
		}
		finished <- err
	}()
	// Let the long command reach the TA first; commands sent before it would
	// finish before it even in a serialized session.
	time.Sleep(50 * time.Millisecond)
	during := 0
	for !longDone.Load() {
		if err := c.Random(ctx, make([]byte, 16)); err != nil {
			t.Fatal(err)
		}
		if !longDone.Load() {
			during++
		}
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	return during
}

// As many threads on one session as RDK's multiple-thread test starts (255): the
// session's lanes stay few (each costs the TA a thread), the rest wait for one, and
// the TA lives.
func TestSecAPIOneSessionManyThreads(t *testing.T) {
	_, c := startSecAPI(t)
	ctx := context.Background()
	raw := make([]byte, 16)
	rand.Read(raw)
	k, err := c.ImportSymmetric(ctx, secapi.AllRights(), raw)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := aes.NewCipher(raw)
	var wg sync.WaitGroup
	errs := make(chan error, 255)
	for range 255 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, 64<<10)
			rand.Read(msg)
			x, err := c.NewCipher(ctx, secapi.AESECB, secapi.Encrypt, k, secapi.CipherParams{})
			if err != nil {
				errs <- err
				return
			}
			defer x.Release(ctx)
			want := make([]byte, len(msg))
			for i := 0; i < len(msg); i += 16 {
				blk.Encrypt(want[i:], msg[i:])
			}
			for range 8 { // long enough for the invokes to pile up
				got, err := x.Process(ctx, msg)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want) {
					errs <- fmt.Errorf("AES-ECB differs from Go's")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := c.Version(ctx); err != nil {
		t.Fatalf("the TA after 255 threads: %v", err)
	}
}
