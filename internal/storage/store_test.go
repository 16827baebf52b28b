package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/tee"
)

var (
	testKey = bytes.Repeat([]byte{0x5a}, 32)
	taA     = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")
	taB     = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51c")
	bg      = context.Background()
)

func openStore(t testing.TB, dir string, opts *Options) *Store {
	t.Helper()
	s, err := Open(bg, dir, testKey, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

// newStore opens a store in a fresh directory and closes it at the end of the test.
func newStore(t testing.TB, opts *Options) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, opts)
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func mustCreate(t testing.TB, s *Store, ta tee.UUID, sid StorageID, id string, header, data []byte) {
	t.Helper()
	if err := s.Create(bg, ta, sid, []byte(id), header, data, false); err != nil {
		t.Fatalf("Create(%q): %v", id, err)
	}
}

// readAll reads the whole data stream of an object.
func readAll(t testing.TB, s *Store, ta tee.UUID, sid StorageID, id string) ([]byte, error) {
	t.Helper()
	info, err := s.Stat(bg, ta, sid, []byte(id))
	if err != nil {
		return nil, err
	}
	b := make([]byte, info.DataSize+7)
	n, err := s.ReadAt(bg, ta, sid, []byte(id), b, 0)
	if err != nil {
		return nil, err
	}
	if int64(n) != info.DataSize {
		t.Fatalf("ReadAt(%q) read %d bytes of %d", id, n, info.DataSize)
	}
	return b[:n], nil
}

func mustRead(t testing.TB, s *Store, ta tee.UUID, sid StorageID, id string) []byte {
	t.Helper()
	b, err := readAll(t, s, ta, sid, id)
	if err != nil {
		t.Fatalf("read %q: %v", id, err)
	}
	return b
}

func wantCode(t testing.TB, what string, err error, code tee.Result) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Fatalf("%s: got %v, want %v", what, err, code)
	}
}

// pattern returns n bytes derived from seed.
func pattern(seed, n int) []byte {
	var k [32]byte
	binary.LittleEndian.PutUint64(k[:], uint64(seed))
	b := make([]byte, n)
	rand.NewChaCha8(k).Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	s, dir := newStore(t, nil)
	h := []byte("header of the object")
	data := pattern(1, 3*chunkSize+123)
	mustCreate(t, s, taA, StoragePrivate, "obj", h, data)

	if info, err := s.Stat(bg, taA, StoragePrivate, []byte("obj")); err != nil || info != (Info{int64(len(data)), len(h)}) {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	if got, err := s.ReadHeader(bg, taA, StoragePrivate, []byte("obj")); err != nil || !bytes.Equal(got, h) {
		t.Fatalf("ReadHeader = %q, %v", got, err)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "obj"); !bytes.Equal(got, data) {
		t.Fatal("data differs")
	}
	h2 := bytes.Repeat([]byte{'H'}, MaxHeaderSize)
	if err := s.SetHeader(bg, taA, StoragePrivate, []byte("obj"), h2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHeader(bg, taA, StoragePrivate, []byte("obj"), append(h2, 'x')); !errors.Is(err, tee.ErrBadParameters) {
		t.Fatalf("oversized header: %v", err)
	}
	if err := s.Rename(bg, taA, StoragePrivate, []byte("obj"), []byte("renamed")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Stat(bg, taA, StoragePrivate, []byte("obj"))
	wantCode(t, "Stat of old ID", err, tee.ErrItemNotFound)

	s.Close()
	s = openStore(t, dir, nil)
	defer s.Close()
	if got := mustRead(t, s, taA, StoragePrivate, "renamed"); !bytes.Equal(got, data) {
		t.Fatal("data differs after rename and reopen")
	}
	if got, _ := s.ReadHeader(bg, taA, StoragePrivate, []byte("renamed")); !bytes.Equal(got, h2) {
		t.Fatal("header differs after rename and reopen")
	}
	if err := s.SetHeader(bg, taA, StoragePrivate, []byte("renamed"), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadHeader(bg, taA, StoragePrivate, []byte("renamed")); err != nil || len(got) != 0 {
		t.Fatalf("empty header: %q, %v", got, err)
	}
	if err := s.Delete(bg, taA, StoragePrivate, []byte("renamed")); err != nil {
		t.Fatal(err)
	}
	err = s.Delete(bg, taA, StoragePrivate, []byte("renamed"))
	wantCode(t, "second Delete", err, tee.ErrItemNotFound)
	if l, err := s.Enumerate(bg, taA, StoragePrivate); err != nil || len(l) != 0 {
		t.Fatalf("Enumerate after delete: %v, %v", l, err)
	}
}

// TestDataModel drives random writes, truncations and reads across chunk and
// index boundaries against a byte-slice model, reopening the store on the way.
func TestDataModel(t *testing.T) {
	s, dir := newStore(t, nil)
	const id = "model"
	mustCreate(t, s, taA, StoragePrivate, id, nil, nil)
	var model []byte
	r := rand.New(rand.NewPCG(7, 7))
	limit := 6 * chunkSize * indexFanout / 4 // crosses the first index boundary
	if testing.Short() {
		limit = 40 * chunkSize
	}
	for step := 0; step < 150; step++ {
		switch op := r.IntN(10); {
		case op < 5: // write somewhere, sometimes past the end
			off := r.IntN(min(len(model)+3*chunkSize, limit))
			n := r.IntN(3*chunkSize) + 1
			if r.IntN(8) == 0 {
				n = r.IntN(2*chunkSize*indexFanout) + 1
			}
			n = min(n, limit-off)
			p := pattern(step, n)
			if r.IntN(5) == 0 {
				clear(p) // a run of zeros is stored as holes
			}
			if err := s.WriteAt(bg, taA, StoragePrivate, []byte(id), p, int64(off)); err != nil {
				t.Fatalf("step %d: WriteAt(%d, %d): %v", step, off, n, err)
			}
			if off > len(model) {
				model = append(model, make([]byte, off-len(model))...)
			}
			if off+n > len(model) {
				model = append(model, make([]byte, off+n-len(model))...)
			}
			copy(model[off:], p)
		case op < 8: // truncate, shrinking or growing
			size := r.IntN(limit)
			if r.IntN(2) == 0 {
				size = r.IntN(len(model) + 1)
			}
			if err := s.Truncate(bg, taA, StoragePrivate, []byte(id), int64(size)); err != nil {
				t.Fatalf("step %d: Truncate(%d): %v", step, size, err)
			}
			if size < len(model) {
				model = model[:size]
			} else {
				model = append(model, make([]byte, size-len(model))...)
			}
		case op < 9: // read a random range
			off := r.IntN(len(model) + 2*chunkSize)
			p := make([]byte, r.IntN(3*chunkSize))
			n, err := s.ReadAt(bg, taA, StoragePrivate, []byte(id), p, int64(off))
			if err != nil {
				t.Fatalf("step %d: ReadAt: %v", step, err)
			}
			want := 0
			if off < len(model) {
				want = min(len(p), len(model)-off)
			}
			if n != want {
				t.Fatalf("step %d: ReadAt(%d, %d) = %d bytes, want %d (size %d)", step, off, len(p), n, want, len(model))
			}
			if n > 0 && !bytes.Equal(p[:n], model[off:off+n]) {
				t.Fatalf("step %d: ReadAt(%d, %d): content differs", step, off, len(p))
			}
		default:
			s.Close()
			s = openStore(t, dir, nil)
		}
		if step%10 == 9 {
			if got := mustRead(t, s, taA, StoragePrivate, id); !bytes.Equal(got, model) {
				t.Fatalf("step %d: object differs from the model (%d vs %d bytes)", step, len(got), len(model))
			}
		}
	}
	s.Close()
}

func TestReadAtEnd(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", nil, []byte("0123456789"))
	for _, tt := range []struct {
		off, n, want int
	}{{0, 4, 4}, {8, 4, 2}, {10, 4, 0}, {100, 4, 0}, {0, 0, 0}} {
		p := make([]byte, tt.n)
		n, err := s.ReadAt(bg, taA, StoragePrivate, []byte("o"), p, int64(tt.off))
		if err != nil || n != tt.want {
			t.Errorf("ReadAt(%d, %d) = %d, %v; want %d", tt.off, tt.n, n, err, tt.want)
		}
	}
	_, err := s.ReadAt(bg, taA, StoragePrivate, []byte("o"), make([]byte, 1), -1)
	wantCode(t, "negative offset", err, tee.ErrBadParameters)
}

func TestWriteGapAndLimits(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", nil, []byte("abc"))
	if err := s.WriteAt(bg, taA, StoragePrivate, []byte("o"), []byte("Z"), 2*chunkSize+5); err != nil {
		t.Fatal(err)
	}
	got := mustRead(t, s, taA, StoragePrivate, "o")
	want := append([]byte("abc"), make([]byte, 2*chunkSize+2)...)
	want = append(want, 'Z')
	if !bytes.Equal(got, want) {
		t.Fatal("gap not zero-filled")
	}
	// Shrinking and growing again must expose zeros, not the old bytes.
	if err := s.Truncate(bg, taA, StoragePrivate, []byte("o"), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Truncate(bg, taA, StoragePrivate, []byte("o"), 5); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "o"); !bytes.Equal(got, []byte("a\x00\x00\x00\x00")) {
		t.Fatalf("after shrink and grow: %q", got)
	}
	err := s.WriteAt(bg, taA, StoragePrivate, []byte("o"), []byte("xy"), MaxDataSize-1)
	wantCode(t, "write past TEE_DATA_MAX_POSITION", err, tee.ErrOverflow)
	err = s.Truncate(bg, taA, StoragePrivate, []byte("o"), MaxDataSize+1)
	wantCode(t, "truncate past TEE_DATA_MAX_POSITION", err, tee.ErrStorageNoSpace)
	err = s.Truncate(bg, taA, StoragePrivate, []byte("o"), -1)
	wantCode(t, "negative truncate", err, tee.ErrBadParameters)
	err = s.WriteAt(bg, taA, StoragePrivate, []byte("missing"), []byte("x"), 0)
	wantCode(t, "write to missing object", err, tee.ErrItemNotFound)
	err = s.WriteAt(bg, taA, StoragePrivate, []byte("missing"), nil, 0)
	wantCode(t, "empty write to missing object", err, tee.ErrItemNotFound)
}

func TestCreateSemantics(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", []byte("h1"), []byte("first"))
	err := s.Create(bg, taA, StoragePrivate, []byte("o"), []byte("h2"), []byte("second"), false)
	wantCode(t, "Create over an existing object", err, tee.ErrAccessConflict)
	if got := mustRead(t, s, taA, StoragePrivate, "o"); string(got) != "first" {
		t.Fatalf("failed create changed the object: %q", got)
	}
	if err := s.Create(bg, taA, StoragePrivate, []byte("o"), []byte("h2"), pattern(3, 5*chunkSize), true); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(bg, taA, StoragePrivate, []byte("o"), []byte("h3"), []byte("third"), true); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "o"); string(got) != "third" {
		t.Fatalf("overwrite: %q", got)
	}
	if h, _ := s.ReadHeader(bg, taA, StoragePrivate, []byte("o")); string(h) != "h3" {
		t.Fatalf("overwrite header: %q", h)
	}
	if u, _ := s.Usage(bg, taA); u != (Usage{Bytes: 7, Objects: 1}) {
		t.Fatalf("usage after overwrites: %+v", u)
	}
}

func TestObjectIDLimits(t *testing.T) {
	s, _ := newStore(t, nil)
	for _, tt := range []struct {
		n    int
		want tee.Result
	}{{0, tee.Success}, {1, tee.Success}, {MaxObjectIDLen, tee.Success}, {MaxObjectIDLen + 1, tee.ErrBadParameters}} {
		id := bytes.Repeat([]byte{0xA5}, tt.n)
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			errs := map[string]error{}
			errs["Create"] = s.Create(bg, taA, StoragePrivate, id, nil, []byte("x"), false)
			h, err := s.Open(bg, taA, StoragePrivate, id, FlagAccessRead)
			errs["Open"] = err
			if h != nil {
				h.Close()
			}
			_, errs["Stat"] = s.Stat(bg, taA, StoragePrivate, id)
			errs["Rename to"] = s.Rename(bg, taA, StoragePrivate, []byte("other"), id)
			errs["Delete"] = s.Delete(bg, taA, StoragePrivate, id)
			for op, err := range errs {
				if op == "Rename to" && tt.want == tee.Success {
					continue // "other" does not exist
				}
				if code, _ := tee.Code(err, tee.OriginTEE); code != tt.want {
					t.Errorf("%s with a %d-byte ID: %v, want %v", op, tt.n, err, tt.want)
				}
			}
		})
	}
	mustCreate(t, s, taA, StoragePrivate, "src", nil, nil)
	err := s.Rename(bg, taA, StoragePrivate, []byte("src"), bytes.Repeat([]byte{1}, 65))
	wantCode(t, "rename to a 65-byte ID", err, tee.ErrBadParameters)
}

func TestStorageIDs(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "p", nil, []byte("private"))
	if got := mustRead(t, s, taA, StoragePrivateREE, "p"); string(got) != "private" {
		t.Fatalf("PRIVATE and PRIVATE_REE differ: %q", got)
	}
	_, err := s.Stat(bg, taA, StoragePrivateRPMB, []byte("p"))
	wantCode(t, "RPMB sees REE object", err, tee.ErrItemNotFound)
	mustCreate(t, s, taA, StoragePrivateRPMB, "p", nil, []byte("rpmb"))
	if got := mustRead(t, s, taA, StoragePrivateRPMB, "p"); string(got) != "rpmb" {
		t.Fatalf("RPMB object: %q", got)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "p"); string(got) != "private" {
		t.Fatalf("REE object changed: %q", got)
	}
	for _, sid := range []StorageID{0, 2, 3, 0x80000001, 0x80000200, 0xFFFFFFFF} {
		var errs []error
		errs = append(errs, s.Create(bg, taA, sid, []byte("p"), nil, nil, true))
		_, err := s.Open(bg, taA, sid, []byte("p"), FlagAccessRead)
		errs = append(errs, err)
		_, err = s.Enumerate(bg, taA, sid)
		errs = append(errs, err)
		errs = append(errs, s.Delete(bg, taA, sid, []byte("p")))
		for i, err := range errs {
			if !errors.Is(err, tee.ErrItemNotFound) {
				t.Errorf("storage ID %#x, op %d: %v, want ITEM_NOT_FOUND", uint32(sid), i, err)
			}
		}
	}
}

func TestIsolation(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "secret", []byte("A's header"), []byte("A's data"))
	mustCreate(t, s, taB, StoragePrivate, "mine", nil, []byte("B's data"))

	// B sees exactly what it would see if A's object did not exist.
	_, err := s.Open(bg, taB, StoragePrivate, []byte("secret"), FlagAccessRead)
	wantCode(t, "B opens A's object", err, tee.ErrItemNotFound)
	_, err = s.Stat(bg, taB, StoragePrivate, []byte("secret"))
	wantCode(t, "B stats A's object", err, tee.ErrItemNotFound)
	err = s.Delete(bg, taB, StoragePrivate, []byte("secret"))
	wantCode(t, "B deletes A's object", err, tee.ErrItemNotFound)
	for _, sid := range []StorageID{StoragePrivate, StoragePrivateRPMB} {
		l, err := s.Enumerate(bg, taB, sid)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l {
			if string(e.ID) != "mine" {
				t.Fatalf("B enumerates %q", e.ID)
			}
		}
	}
	// B may take the same ID; it is another object.
	if err := s.Rename(bg, taB, StoragePrivate, []byte("mine"), []byte("secret")); err != nil {
		t.Fatalf("B renames onto an ID A uses: %v", err)
	}
	if err := s.WriteAt(bg, taB, StoragePrivate, []byte("secret"), []byte("XXX"), 0); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "secret"); string(got) != "A's data" {
		t.Fatalf("A's object changed: %q", got)
	}
	if got := mustRead(t, s, taB, StoragePrivate, "secret"); string(got) != "XXX data" {
		t.Fatalf("B's object: %q", got)
	}
	// A handle of A on the ID does not conflict with B's.
	h, err := s.Open(bg, taA, StoragePrivate, []byte("secret"), FlagAccessWriteMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := s.WriteAt(bg, taB, StoragePrivate, []byte("secret"), []byte("Y"), 0); err != nil {
		t.Fatalf("B blocked by A's handle: %v", err)
	}
	// On disk, neither the IDs nor the data appear.
	s.Close()
	raw, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"secret", "mine", "A's data", "A's header", "B's data"} {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("%q appears in the store file", w)
		}
	}
}

func TestQuota(t *testing.T) {
	opts := &Options{MaxBytesPerTA: 10000, MaxObjectsPerTA: 3}
	s, dir := newStore(t, opts)
	mustCreate(t, s, taA, StoragePrivate, "a", []byte("hh"), make([]byte, 4000))
	mustCreate(t, s, taA, StoragePrivateRPMB, "b", nil, pattern(1, 4000))
	mustCreate(t, s, taB, StoragePrivate, "big", nil, pattern(2, 9000)) // B has its own quota

	cases := []struct {
		name string
		op   func() error
	}{
		{"create past bytes", func() error { return s.Create(bg, taA, StoragePrivate, []byte("c"), nil, make([]byte, 2001), false) }},
		{"overwrite past bytes", func() error { return s.Create(bg, taA, StoragePrivate, []byte("a"), nil, make([]byte, 6001), true) }},
		{"write past bytes", func() error { return s.WriteAt(bg, taA, StoragePrivateRPMB, []byte("b"), []byte("x"), 5999) }},
		{"truncate past bytes", func() error { return s.Truncate(bg, taA, StoragePrivateRPMB, []byte("b"), 6000) }},
		{"header past bytes", func() error {
			return s.SetHeader(bg, taA, StoragePrivate, []byte("a"), make([]byte, 2003))
		}},
	}
	for _, c := range cases {
		wantCode(t, c.name, c.op(), tee.ErrStorageNoSpace)
	}
	if u, _ := s.Usage(bg, taA); u != (Usage{Bytes: 8002, Objects: 2}) {
		t.Fatalf("usage after refused ops: %+v", u)
	}
	if got := mustRead(t, s, taA, StoragePrivateRPMB, "b"); !bytes.Equal(got, pattern(1, 4000)) {
		t.Fatal("refused write changed the object")
	}
	_, err := s.Stat(bg, taA, StoragePrivate, []byte("c"))
	wantCode(t, "refused create left an object", err, tee.ErrItemNotFound)
	// Exactly at the limit is fine; one more object is not.
	mustCreate(t, s, taA, StoragePrivate, "c", nil, make([]byte, 1998))
	err = s.Create(bg, taA, StoragePrivate, []byte("d"), nil, nil, false)
	wantCode(t, "fourth object", err, tee.ErrStorageNoSpace)
	// Usage is recomputed from the store after a restart, and freed by deletes.
	s.Close()
	opts.MaxBytesPerTA = 5000 // lowered: shrinking is still allowed, growing is not
	s = openStore(t, dir, opts)
	defer s.Close()
	if u, _ := s.Usage(bg, taA); u != (Usage{Bytes: 10000, Objects: 3}) {
		t.Fatalf("usage after reopen: %+v", u)
	}
	if err := s.Truncate(bg, taA, StoragePrivate, []byte("c"), 1000); err != nil {
		t.Fatalf("shrinking over the quota: %v", err)
	}
	err = s.Truncate(bg, taA, StoragePrivate, []byte("c"), 1001)
	wantCode(t, "growing over the quota", err, tee.ErrStorageNoSpace)
	if err := s.Delete(bg, taA, StoragePrivate, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Usage(bg, taA); u != (Usage{Bytes: 5000, Objects: 2}) {
		t.Fatalf("usage after delete: %+v", u)
	}
}

func TestEnumerate(t *testing.T) {
	s, _ := newStore(t, nil)
	ids := []string{"zeta", "", "alpha", "\x00\x01", "beta"}
	for i, id := range ids {
		mustCreate(t, s, taA, StoragePrivate, id, []byte(id+"-h"), make([]byte, i*1000))
	}
	mustCreate(t, s, taA, StoragePrivateRPMB, "rpmb-only", nil, nil)
	l, err := s.Enumerate(bg, taA, StoragePrivateREE)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "\x00\x01", "alpha", "beta", "zeta"}
	if len(l) != len(want) {
		t.Fatalf("enumerated %d objects, want %d", len(l), len(want))
	}
	for i, e := range l {
		if string(e.ID) != want[i] || string(e.Header) != want[i]+"-h" || e.Info.HeaderSize != len(e.Header) {
			t.Errorf("entry %d: %q %q %+v", i, e.ID, e.Header, e.Info)
		}
	}
}

func TestLockTimeout(t *testing.T) {
	s, dir := newStore(t, nil)
	_ = s
	start := time.Now()
	_, err := Open(bg, dir, testKey, &Options{LockTimeout: 200 * time.Millisecond})
	wantCode(t, "second Open", err, tee.ErrStorageNotAvail)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second Open took %v", d)
	}
	t.Logf("second Open: %v", err)
}

func TestBadDeviceKey(t *testing.T) {
	_, err := Open(bg, t.TempDir(), make([]byte, 16), nil)
	wantCode(t, "short device key", err, tee.ErrBadParameters)
	// Another device key cannot use the store (its counter does not verify).
	_, dir := newStore(t, nil)
	_, err = Open(bg, dir, bytes.Repeat([]byte{1}, 32), &Options{LockTimeout: 10 * time.Millisecond})
	if err == nil {
		t.Fatal("store opened with another device key")
	}
}

func TestClosed(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", nil, []byte("x"))
	h, err := s.Open(bg, taA, StoragePrivate, []byte("o"), FlagAccessRead)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = h.ReadAt(bg, make([]byte, 1), 0)
	wantCode(t, "read after Close", err, tee.ErrStorageNotAvail)
	err = s.Create(bg, taA, StoragePrivate, []byte("p"), nil, nil, false)
	wantCode(t, "create after Close", err, tee.ErrStorageNotAvail)
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestIOErrorMapping(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want tee.Result
	}{
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, tee.ErrStorageNoSpace},
		{fmt.Errorf("commit: %w", syscall.EDQUOT), tee.ErrStorageNoSpace},
		{syscall.EIO, tee.ErrStorageNotAvail},
		{fmt.Errorf("x: %w", tee.ErrAccessConflict), tee.ErrAccessConflict},
	} {
		if code, _ := tee.Code(ioError(tt.err), tee.OriginTEE); code != tt.want {
			t.Errorf("ioError(%v) gives %v, want %v", tt.err, code, tt.want)
		}
	}
	if !errors.Is(ioError(context.Canceled), context.Canceled) {
		t.Error("context error lost")
	}
}

// TestConcurrent runs writers and readers of shared and separate objects at
// once; every read must see one complete version.
func TestConcurrent(t *testing.T) {
	s, _ := newStore(t, nil)
	const size = 3*chunkSize + 10
	version := func(v int) []byte {
		b := pattern(v, size)
		copy(b, fmt.Sprintf("%08d", v))
		return b
	}
	mustCreate(t, s, taA, StoragePrivate, "shared", nil, version(0))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				v := w*1000 + i + 1
				if err := s.WriteAt(bg, taA, StoragePrivate, []byte("shared"), version(v), 0); err != nil {
					errs <- err
					return
				}
				id := []byte(fmt.Sprintf("own-%d-%d", w, i))
				if err := s.Create(bg, taB, StoragePrivate, id, nil, version(v), false); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, size)
			for i := 0; i < 40; i++ {
				if _, err := s.ReadAt(bg, taA, StoragePrivate, []byte("shared"), p, 0); err != nil {
					errs <- err
					return
				}
				var v int
				fmt.Sscanf(string(p[:8]), "%d", &v)
				if !bytes.Equal(p, version(v)) {
					errs <- fmt.Errorf("read a mix of versions (header says %d)", v)
					return
				}
				if _, err := s.Enumerate(bg, taB, StoragePrivate); err != nil {
					errs <- err
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
	if l, _ := s.Enumerate(bg, taB, StoragePrivate); len(l) != 45 {
		t.Errorf("B has %d objects, want 45", len(l))
	}
}

func TestOpenCreatesDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	cdir := filepath.Join(t.TempDir(), "rpmb-elsewhere")
	s, err := Open(bg, dir, testKey, &Options{CounterDir: cdir})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(cdir, counterName)); err != nil {
		t.Fatalf("counter not in CounterDir: %v", err)
	}
}
