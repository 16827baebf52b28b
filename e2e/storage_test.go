package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/teedtest"
	"github.com/gotee/gotee/tee"
)

// Trusted storage through a real teed, driven by the secure_storage example TA:
// WRITE_RAW creates an object with its data in one atomic step, READ_RAW reads it.

var secureStorageUUID = tee.MustParseUUID("f4e750bb-1437-4fbf-8785-8d3580c34994")

const (
	ssReadRaw  = 0
	ssWriteRaw = 1
)

// startStore starts teed on the storage directory dir (created if needed).
func startStore(t *testing.T, dir string, extra ...string) *Teed {
	t.Helper()
	return teedtest.Start(t, append([]string{"--log-level", "warn", "--storage", dir}, extra...)...)
}

func writeRaw(ctx context.Context, s *client.Session, id string, data []byte) error {
	return s.Invoke(ctx, ssWriteRaw, &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(id)},
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: data},
	}})
}

func readRaw(ctx context.Context, s *client.Session, id string) ([]byte, error) {
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 64<<10)}
	err := s.Invoke(ctx, ssReadRaw, &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(id)}, out,
	}})
	if err != nil {
		return nil, err
	}
	return out.Buffer[:out.Size], nil
}

// version is the content of version v of an object: its number, then bytes derived
// from it, of a length that varies with it (1 to 40 KiB, so some versions span
// several storage chunks and wire messages).
func version(id string, v uint64) []byte {
	n := 1024 + int(v*7919%(39<<10))
	b := make([]byte, n)
	binary.BigEndian.PutUint64(b, v)
	r := rand.NewChaCha8([32]byte{byte(v), byte(v >> 8), byte(v >> 16), id[len(id)-1]})
	r.Read(b[8:])
	return b
}

// versionOf returns the version content b is, or an error if it is none.
func versionOf(id string, b []byte) (uint64, error) {
	if len(b) < 8 {
		return 0, fmt.Errorf("%d bytes: no version", len(b))
	}
	v := binary.BigEndian.Uint64(b)
	if !bytes.Equal(b, version(id, v)) {
		return v, fmt.Errorf("%d bytes claiming version %d are not that version", len(b), v)
	}
	return v, nil
}

func crashRounds() int {
	if n, err := strconv.Atoi(os.Getenv("GOTEE_CRASH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 25
}

// TestStorageSurvivesSIGKILL kills teed with SIGKILL at random moments while
// clients overwrite objects, restarts it on the same storage, and checks that
// every object reads back as one whole version, no older than the last write teed
// acknowledged — never a mix of two, never an error.
func TestStorageSurvivesSIGKILL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "storage")
	ids := []string{"obj-a", "obj-b", "obj-c", "obj-d"}
	acked := map[string]uint64{} // last acknowledged version of each object
	next := uint64(1)
	writes := 0
	rounds := crashRounds()
	perRound := (100 + rounds - 1) / rounds // the writes each round waits for
	for round := range rounds {
		td := startStore(t, dir)
		c := td.Connect(t)
		ctx := context.Background()
		s, err := c.OpenSession(ctx, secureStorageUUID, client.Public, nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// What the previous round left must be whole and at least what was acknowledged.
		for _, id := range ids {
			want, ok := acked[id]
			b, err := readRaw(ctx, s, id)
			if !ok {
				continue
			}
			if err != nil {
				t.Fatalf("round %d: %s: %v (acknowledged version %d)", round, id, err, want)
			}
			v, err := versionOf(id, b)
			if err != nil {
				t.Fatalf("round %d: %s: %v", round, id, err)
			}
			if v < want {
				t.Fatalf("round %d: %s is version %d, but version %d was acknowledged", round, id, v, want)
			}
			acked[id] = v
		}

		// Overwrite from one goroutine per object until teed dies.
		var mu sync.Mutex
		var wg sync.WaitGroup
		mu.Lock()
		before := writes
		mu.Unlock()
		for _, id := range ids {
			sess, err := c.OpenSession(ctx, secureStorageUUID, client.Public, nil)
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					v := next
					next++
					mu.Unlock()
					if err := writeRaw(ctx, sess, id, version(id, v)); err != nil {
						return // teed is gone
					}
					mu.Lock()
					acked[id] = v
					writes++
					mu.Unlock()
				}
			}()
		}
		// Enough writes a round that the rounds write 100 times however slow the
		// disk's syncs; then the kill comes at a random moment.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
			mu.Lock()
			n := writes - before
			mu.Unlock()
			if n >= perRound {
				break
			}
			if time.Now().After(deadline) {
				syscall.Kill(td.Pid(), syscall.SIGKILL)
				wg.Wait()
				t.Fatalf("round %d: %d writes acknowledged in 30 s", round, n)
			}
		}
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
		syscall.Kill(td.Pid(), syscall.SIGKILL)
		wg.Wait()
		td.ExitCode()
	}
	// Each round waited for its share of 100 writes before its kill.
	t.Logf("%d acknowledged writes across %d SIGKILLs", writes, rounds)
}

// stopped runs teed on dir, lets f use it, and stops it cleanly.
func stopped(t *testing.T, dir string, f func(ctx context.Context, s *client.Session)) {
	t.Helper()
	td := startStore(t, dir)
	c := td.Connect(t)
	s, err := c.OpenSession(context.Background(), secureStorageUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	f(context.Background(), s)
	s.Close()
	td.Stop(t)
}

// teedFails runs teed on dir and expects it to refuse to start with a line
// containing want.
func teedFails(t *testing.T, dir, want string) {
	t.Helper()
	td, err := tryStart(t, dir)
	if err == nil {
		td.Stop(t)
		t.Fatalf("teed started on the store; want a refusal mentioning %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("teed refused the store, but not for %q: %v", want, err)
	}
}

func copyFile(t *testing.T, dst, src string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestStorageRollbackDetected copies the store back from an earlier moment: teed
// refuses it at start, and takes it only when the operator says so.
func TestStorageRollbackDetected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "storage")
	db := filepath.Join(dir, "objects", "objects.db")
	old := filepath.Join(t.TempDir(), "objects.db.old")
	stopped(t, dir, func(ctx context.Context, s *client.Session) {
		if err := writeRaw(ctx, s, "obj-a", version("obj-a", 1)); err != nil {
			t.Fatal(err)
		}
	})
	copyFile(t, old, db)
	stopped(t, dir, func(ctx context.Context, s *client.Session) {
		if err := writeRaw(ctx, s, "obj-a", version("obj-a", 2)); err != nil {
			t.Fatal(err)
		}
	})
	copyFile(t, db, old)
	teedFails(t, dir, "rollback")

	// The operator restored it on purpose.
	td := startStore(t, dir, "--reset-rollback-counter")
	c := td.Connect(t)
	s, err := c.OpenSession(context.Background(), secureStorageUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readRaw(context.Background(), s, "obj-a")
	if v, verr := versionOf("obj-a", b); err != nil || verr != nil || v != 1 {
		t.Fatalf("restored store: version %d, %v, %v; want version 1", v, err, verr)
	}
	// Logged at start, but read through a pipe: wait for it.
	waitFor(t, "teed to log that it accepted the store", func() bool { return strings.Contains(td.Log(), "rollback counter was reset") })
}

// TestStorageTamperDetected flips bytes of the store on disk between runs of teed.
// Each time teed either refuses the store, naming the damage, or serves it with
// the damaged object reading CORRUPT_OBJECT and the others intact. It never serves
// wrong content and never crashes.
func TestStorageTamperDetected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "storage")
	db := filepath.Join(dir, "objects", "objects.db")
	ids := []string{"obj-a", "obj-b", "obj-c"}
	stopped(t, dir, func(ctx context.Context, s *client.Session) {
		for i, id := range ids {
			if err := writeRaw(ctx, s, id, version(id, uint64(100+i))); err != nil {
				t.Fatal(err)
			}
		}
	})
	pristine, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	refused, granular := 0, 0
	r := rand.New(rand.NewPCG(1, 2))
	for flip := range 24 {
		// Flip a bit of a byte that is in use: bbolt's file has unused pages, which
		// hold zeros, and a flip there changes nothing anyone reads.
		b := bytes.Clone(pristine)
		off := r.IntN(len(b))
		for b[off] == 0 {
			off = r.IntN(len(b))
		}
		b[off] ^= 1 << r.IntN(8)
		if err := os.WriteFile(db, b, 0o600); err != nil {
			t.Fatal(err)
		}
		td, err := tryStart(t, dir)
		if err != nil {
			if !strings.Contains(err.Error(), "corrupt") && !strings.Contains(err.Error(), "CORRUPT") {
				t.Fatalf("flip %d at %d: teed refused the store without saying it is corrupt: %v", flip, off, err)
			}
			refused++
			continue
		}
		c := td.Connect(t)
		s, err := c.OpenSession(context.Background(), secureStorageUUID, client.Public, nil)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for i, id := range ids {
			got, err := readRaw(context.Background(), s, id)
			switch {
			case errors.Is(err, tee.ErrCorruptObject):
				bad++
			case err != nil:
				t.Fatalf("flip %d at %d: %s: %v, want its content or CORRUPT_OBJECT", flip, off, id, err)
			case !bytes.Equal(got, version(id, uint64(100+i))):
				t.Fatalf("flip %d at %d: %s read back wrong content", flip, off, id)
			}
		}
		if bad > 0 && bad < len(ids) {
			granular++
		}
		td.Stop(t)
		if !td.Alive() && td.ExitCode() != 0 {
			t.Fatalf("flip %d at %d: teed exited with %d:\n%s", flip, off, td.ExitCode(), td.Log())
		}
	}
	t.Logf("24 flips: %d refused at start, %d detected on one object with the others intact", refused, granular)
	if granular == 0 {
		t.Errorf("no flip was confined to the object it hit")
	}
	// The undamaged store serves again: nothing was rewritten by a damaged run.
	if err := os.WriteFile(db, pristine, 0o600); err != nil {
		t.Fatal(err)
	}
	stopped(t, dir, func(ctx context.Context, s *client.Session) {
		for i, id := range ids {
			got, err := readRaw(ctx, s, id)
			if err != nil || !bytes.Equal(got, version(id, uint64(100+i))) {
				t.Fatalf("pristine store: %s: %v", id, err)
			}
		}
	})
}

// tryStart starts teed on dir, returning its complaint if it refuses to start.
func tryStart(t *testing.T, dir string) (*Teed, error) {
	t.Helper()
	return teedtest.Launch(t, "--log-level", "warn", "--storage", dir)
}
