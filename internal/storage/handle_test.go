package storage

import (
	"errors"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/gotee/gotee/tee"
)

const (
	R  = FlagAccessRead
	W  = FlagAccessWrite
	M  = FlagAccessWriteMeta
	SR = FlagShareRead
	SW = FlagShareWrite
)

func flagString(f Flags) string {
	s := ""
	for _, n := range []struct {
		f    Flags
		name string
	}{{R, "R"}, {W, "W"}, {M, "M"}, {SR, "SR"}, {SW, "SW"}} {
		if f&n.f != 0 {
			s += n.name + "|"
		}
	}
	if s == "" {
		return "0"
	}
	return s[:len(s)-1]
}

// gpAllows states GP §5.7.1 for a set of handles, the way the specification
// words it: if any handle was opened with ACCESS_READ, all must have
// SHARE_READ; likewise for writing; WRITE_META is never shared.
func gpAllows(set ...Flags) bool {
	if len(set) < 2 {
		return true
	}
	var any, all Flags = 0, ^Flags(0)
	for _, f := range set {
		any |= f
		all &= f
	}
	return any&M == 0 &&
		(any&R == 0 || all&SR != 0) &&
		(any&W == 0 || all&SW != 0)
}

func TestSharingTable(t *testing.T) {
	// Cases worked out by hand from the specification's text.
	table := []struct {
		first, second Flags
		ok            bool
	}{
		{R | SR, R | SR, true},
		{R, R | SR, false},      // the first does not share reading
		{R | SR, R, false},      // the second does not share reading
		{R | SR, W | SR, false}, // a writer needs SHARE_WRITE from everyone
		{R | SR | SW, W | SR | SW, true},
		{W | SW, W | SW, true},
		{W | SW, R | SW, false},  // reading needs SHARE_READ from both
		{SR, R | SR, true},       // share flags only: locks against writing...
		{SR, W | SR | SW, false}, // ...as here
		{0, R | SR, false},       // no flags: locks everything
		{0, W | SW, false},
		{0, 0, true},        // nobody reads or writes
		{SR, SR | SW, true}, // GP allows it; OP-TEE wants equal share flags
		{M, 0, false},       // WRITE_META is exclusive...
		{0, M, false},       // ...both ways
		{M | SR | SW, R | SR | SW, false},
		{R | W | SR | SW, R | W | SR | SW, true},
	}
	for _, tt := range table {
		name := flagString(tt.first) + "+" + flagString(tt.second)
		t.Run(name, func(t *testing.T) {
			if got := gpAllows(tt.first, tt.second); got != tt.ok {
				t.Fatalf("table disagrees with the rule: %v", got)
			}
			s, _ := newStore(t, nil)
			mustCreate(t, s, taA, StoragePrivate, "o", nil, nil)
			h1, err := s.Open(bg, taA, StoragePrivate, []byte("o"), tt.first)
			if err != nil {
				t.Fatal(err)
			}
			defer h1.Close()
			h2, err := s.Open(bg, taA, StoragePrivate, []byte("o"), tt.second)
			if tt.ok != (err == nil) {
				t.Fatalf("second open: %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				wantCode(t, "conflict", err, tee.ErrAccessConflict)
				return
			}
			h2.Close()
		})
	}
}

// TestSharingExhaustive checks every pair and a sample of triples of flag
// combinations against gpAllows, through the engine's table.
func TestSharingExhaustive(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", nil, nil)
	var all []Flags
	for f := Flags(0); f < 32; f++ {
		all = append(all, f&7|(f>>3)<<4)
	}
	open := func(f Flags) (*Handle, error) { return s.Open(bg, taA, StoragePrivate, []byte("o"), f) }
	for _, a := range all {
		for _, b := range all {
			ha, err := open(a)
			if err != nil {
				t.Fatal(err)
			}
			hb, err := open(b)
			if (err == nil) != gpAllows(a, b) {
				t.Errorf("%s then %s: %v", flagString(a), flagString(b), err)
			}
			for _, c := range []Flags{R | SR | SW, W | SR | SW, SR} {
				if hb == nil {
					break
				}
				hc, err := open(c)
				if (err == nil) != gpAllows(a, b, c) {
					t.Errorf("%s, %s then %s: %v", flagString(a), flagString(b), flagString(c), err)
				}
				if hc != nil {
					hc.Close()
				}
			}
			if hb != nil {
				hb.Close()
			}
			ha.Close()
		}
	}
}

func TestHandleAccess(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", []byte("h"), []byte("data"))
	ops := []struct {
		name string
		need Flags
		want error
		op   func(h *Handle) error
	}{
		{"ReadAt", R, ErrNoReadAccess, func(h *Handle) error { _, err := h.ReadAt(bg, make([]byte, 4), 0); return err }},
		{"WriteAt", W, ErrNoWriteAccess, func(h *Handle) error { return h.WriteAt(bg, []byte("D"), 0) }},
		{"Truncate", W, ErrNoWriteAccess, func(h *Handle) error { return h.Truncate(bg, 4) }},
		{"Rename", M, ErrNoWriteMeta, func(h *Handle) error { return h.Rename(bg, []byte("o2")) }},
		{"CloseAndDelete", M, ErrNoWriteMeta, func(h *Handle) error { return h.CloseAndDelete(bg) }},
	}
	for _, op := range ops {
		for _, flags := range []Flags{0, R, W, M, R | W, R | W | M} {
			t.Run(fmt.Sprintf("%s/%s", op.name, flagString(flags)), func(t *testing.T) {
				h, err := s.Open(bg, taA, StoragePrivate, []byte("o"), flags)
				if err != nil {
					t.Fatal(err)
				}
				err = op.op(h)
				if flags&op.need == 0 {
					if !errors.Is(err, op.want) || !errors.Is(err, ErrMisuse) {
						t.Fatalf("got %v, want %v (a misuse)", err, op.want)
					}
					if code, _ := tee.Code(err, tee.OriginTEE); code != tee.ErrAccessConflict {
						t.Fatalf("code %v, want ACCESS_CONFLICT as OP-TEE's syscall", code)
					}
					// The handle stays usable.
					if _, err := h.Stat(bg); err != nil {
						t.Fatalf("Stat after refused op: %v", err)
					}
					h.Close()
					return
				}
				if err != nil {
					t.Fatalf("with the flag: %v", err)
				}
				switch op.name {
				case "CloseAndDelete":
					mustCreate(t, s, taA, StoragePrivate, "o", []byte("h"), []byte("data"))
					if err := h.Close(); !errors.Is(err, ErrHandleClosed) {
						t.Fatalf("Close after CloseAndDelete: %v", err)
					}
					return
				case "Rename":
					if err := h.Rename(bg, []byte("o")); err != nil {
						t.Fatalf("rename back: %v", err)
					}
				}
				h.Close()
			})
		}
	}
	h, err := s.Open(bg, taA, StoragePrivate, []byte("o"), R)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Close":   h.Close(),
		"ReadAt":  func() error { _, err := h.ReadAt(bg, nil, 0); return err }(),
		"Stat":    func() error { _, err := h.Stat(bg); return err }(),
		"Header":  h.SetHeader(bg, nil),
		"Rename":  h.Rename(bg, []byte("x")),
		"Deleted": h.CloseAndDelete(bg),
	} {
		if !errors.Is(err, ErrHandleClosed) || !errors.Is(err, ErrMisuse) {
			t.Errorf("%s on a closed handle: %v", name, err)
		}
	}
}

func TestOpenFlagsAndMissing(t *testing.T) {
	s, _ := newStore(t, nil)
	_, err := s.Open(bg, taA, StoragePrivate, []byte("o"), R)
	wantCode(t, "open a missing object", err, tee.ErrItemNotFound)
	mustCreate(t, s, taA, StoragePrivate, "o", nil, nil)
	_, err = s.Open(bg, taA, StoragePrivate, []byte("o"), R|FlagOverwrite)
	wantCode(t, "open with OVERWRITE", err, tee.ErrBadParameters)
	_, err = s.Open(bg, taA, StoragePrivate, []byte("o"), 0x100)
	wantCode(t, "open with an unknown flag", err, tee.ErrBadParameters)
	_, err = s.CreateOpen(bg, taA, StoragePrivate, []byte("o"), R|0x800, nil, nil)
	wantCode(t, "create with an unknown flag", err, tee.ErrBadParameters)
	// A failed open leaves nothing in the table.
	h, err := s.Open(bg, taA, StoragePrivate, []byte("o"), M)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
}

func TestCreateWhileOpen(t *testing.T) {
	s, _ := newStore(t, nil)
	h, err := s.CreateOpen(bg, taA, StoragePrivate, []byte("o"), R|SR|SW|FlagOverwrite, []byte("h"), []byte("old"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Flags() != R|SR|SW {
		t.Fatalf("handle flags %#x", h.Flags())
	}
	err = s.Create(bg, taA, StoragePrivate, []byte("o"), nil, []byte("new"), true)
	wantCode(t, "overwrite an open object", err, tee.ErrAccessConflict)
	_, err = s.CreateOpen(bg, taA, StoragePrivate, []byte("o"), R|SR|SW|FlagOverwrite, nil, []byte("new"))
	wantCode(t, "overwrite an open object with a sharing handle", err, tee.ErrAccessConflict)
	err = s.Delete(bg, taA, StoragePrivate, []byte("o"))
	wantCode(t, "delete an open object", err, tee.ErrAccessConflict)
	err = s.Rename(bg, taA, StoragePrivate, []byte("o"), []byte("p"))
	wantCode(t, "rename an open object", err, tee.ErrAccessConflict)
	// Sharing store-level access works alongside the sharing handle.
	if err := s.WriteAt(bg, taA, StoragePrivate, []byte("o"), []byte("OLD"), 0); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 3)
	if _, err := h.ReadAt(bg, p, 0); err != nil || string(p) != "OLD" {
		t.Fatalf("read through the handle: %q, %v", p, err)
	}
	h.Close()
	if err := s.Create(bg, taA, StoragePrivate, []byte("o"), nil, []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	// An exclusive handle keeps even sharing store-level access out.
	h, err = s.Open(bg, taA, StoragePrivate, []byte("o"), R)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	_, err = s.ReadAt(bg, taA, StoragePrivate, []byte("o"), p, 0)
	wantCode(t, "read next to a non-sharing handle", err, tee.ErrAccessConflict)
	if _, err := s.Stat(bg, taA, StoragePrivate, []byte("o")); err != nil {
		t.Fatalf("Stat takes no part in sharing: %v", err)
	}
}

func TestHandleRename(t *testing.T) {
	s, dir := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "taken", nil, []byte("other"))
	h, err := s.CreateOpen(bg, taA, StoragePrivate, []byte("a"), R|W|M, []byte("hdr"), []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "rename onto an existing object", h.Rename(bg, []byte("taken")), tee.ErrAccessConflict)
	wantCode(t, "rename onto itself", h.Rename(bg, []byte("a")), tee.ErrAccessConflict)
	other, err := s.Open(bg, taA, StoragePrivate, []byte("taken"), SR)
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if err := h.Rename(bg, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if string(h.ID()) != "b" {
		t.Fatalf("handle ID %q", h.ID())
	}
	if err := h.WriteAt(bg, []byte("P"), 0); err != nil {
		t.Fatal(err)
	}
	_, err = s.Open(bg, taA, StoragePrivate, []byte("a"), R)
	wantCode(t, "open the old ID", err, tee.ErrItemNotFound)
	// The handle now holds "b" exclusively, and "a" is free.
	_, err = s.Open(bg, taA, StoragePrivate, []byte("b"), SR)
	wantCode(t, "open next to the renamed WRITE_META handle", err, tee.ErrAccessConflict)
	mustCreate(t, s, taA, StoragePrivate, "a", nil, []byte("new a"))
	h.Close()
	s.Close()
	s = openStore(t, dir, nil)
	defer s.Close()
	if got := mustRead(t, s, taA, StoragePrivate, "b"); string(got) != "Payload" {
		t.Fatalf("renamed object: %q", got)
	}
	if got, _ := s.ReadHeader(bg, taA, StoragePrivate, []byte("b")); string(got) != "hdr" {
		t.Fatalf("renamed header: %q", got)
	}
	if got := mustRead(t, s, taA, StoragePrivate, "a"); string(got) != "new a" {
		t.Fatalf("new a: %q", got)
	}
}

func TestCloseAndDelete(t *testing.T) {
	s, _ := newStore(t, nil)
	mustCreate(t, s, taA, StoragePrivate, "o", []byte("h"), pattern(1, 10*chunkSize))
	h, err := s.Open(bg, taA, StoragePrivate, []byte("o"), M)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CloseAndDelete(bg); err != nil {
		t.Fatal(err)
	}
	_, err = s.Stat(bg, taA, StoragePrivate, []byte("o"))
	wantCode(t, "Stat after CloseAndDelete", err, tee.ErrItemNotFound)
	if u, _ := s.Usage(bg, taA); u != (Usage{}) {
		t.Fatalf("usage after delete: %+v", u)
	}
	// No record of the object is left behind.
	var keys int
	s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if name[0] == nsPrefix {
				keys += b.Stats().KeyN
			}
			return nil
		})
	})
	if keys != 0 {
		t.Fatalf("%d records left after delete", keys)
	}
}
