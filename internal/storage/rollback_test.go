package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotee/gotee/tee"
)

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func dbPath(dir string) string      { return filepath.Join(dir, dbName) }
func counterPath(dir string) string { return filepath.Join(dir, "rpmb", counterName) }

// commit makes n commits in the store in dir.
func commit(t testing.TB, dir string, n int) {
	t.Helper()
	s := openStore(t, dir, nil)
	defer s.Close()
	for i := 0; i < n; i++ {
		if err := s.Create(bg, taA, StoragePrivate, []byte("o"), nil, pattern(i, 100), true); err != nil {
			t.Fatal(err)
		}
	}
}

func wantOpenErr(t testing.TB, dir string, opts *Options, want error) {
	t.Helper()
	s, err := Open(bg, dir, testKey, opts)
	if err == nil {
		s.Close()
		t.Fatalf("Open succeeded, want %v", want)
	}
	if !errors.Is(err, want) || !errors.Is(err, tee.ErrCorruptObject) {
		t.Fatalf("Open: %v, want %v (and CORRUPT_OBJECT)", err, want)
	}
	t.Logf("refused: %v", err)
}

func flipFile(t testing.TB, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x80
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRollbackDetected(t *testing.T) {
	dir := t.TempDir()
	commit(t, dir, 3)
	old := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, dbPath(dir), old)
	commit(t, dir, 2)
	copyFile(t, old, dbPath(dir))
	wantOpenErr(t, dir, nil, ErrRollback)
	// The operator may accept it on purpose.
	s := openStore(t, dir, &Options{ResetRollbackCounter: true})
	s.Close()
	commit(t, dir, 1)
}

func TestRollbackCrashWindow(t *testing.T) {
	dir := t.TempDir()
	commit(t, dir, 2)
	aside := filepath.Join(t.TempDir(), "counter")
	copyFile(t, counterPath(dir), aside)
	// One commit whose counter update is lost: the crash window.
	commit(t, dir, 1)
	copyFile(t, aside, counterPath(dir))
	commit(t, dir, 1) // accepted, and the counter is brought up to date
	commit(t, dir, 1)
	// Two commits behind is not a crash: the counter was replaced.
	copyFile(t, aside, counterPath(dir))
	wantOpenErr(t, dir, nil, ErrCounter)
}

func TestRollbackCounterSlots(t *testing.T) {
	dir := t.TempDir()
	commit(t, dir, 3)
	oldDB := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, dbPath(dir), oldDB)
	commit(t, dir, 1)
	slots, err := readCounter(counterPath(dir), newKeyring(testKey))
	if err != nil || len(slots) != 2 {
		t.Fatalf("counter: %v, %d slots", err, len(slots))
	}
	newest := int64(slots[1].n%2) * slotSize
	good := filepath.Join(t.TempDir(), "counter")
	copyFile(t, counterPath(dir), good)

	// A torn newest slot with the store one commit ahead of the older slot
	// is the crash window: accepted.
	flipFile(t, counterPath(dir), newest+40)
	commit(t, dir, 1)

	// A damaged newest slot does not let an older store in.
	copyFile(t, good, counterPath(dir))
	flipFile(t, counterPath(dir), newest+40)
	copyFile(t, oldDB, dbPath(dir))
	wantOpenErr(t, dir, nil, ErrRollback)

	// Both slots damaged: nothing vouches for the store.
	copyFile(t, good, counterPath(dir))
	flipFile(t, counterPath(dir), 5)
	flipFile(t, counterPath(dir), slotSize+5)
	wantOpenErr(t, dir, nil, ErrCounter)
}

func TestRollbackCounterMissing(t *testing.T) {
	dir := t.TempDir()
	commit(t, dir, 2)
	if err := os.Remove(counterPath(dir)); err != nil {
		t.Fatal(err)
	}
	wantOpenErr(t, dir, nil, ErrCounter)
	s := openStore(t, dir, &Options{ResetRollbackCounter: true})
	if got := mustRead(t, s, taA, StoragePrivate, "o"); len(got) != 100 {
		t.Fatalf("object after reset: %d bytes", len(got))
	}
	s.Close()
	commit(t, dir, 1)

	// A store that only ever committed its creation may lose its counter in
	// a crash right after creating it.
	fresh := t.TempDir()
	s = openStore(t, fresh, nil)
	s.Close()
	os.Remove(counterPath(fresh))
	commit(t, fresh, 1)
}

func TestRollbackReplacedStore(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	commit(t, dir, 2)
	commit(t, other, 2)
	// The store of another installation with the same key, or an older
	// store of this one: the counter belongs to another store.
	copyFile(t, dbPath(other), dbPath(dir))
	wantOpenErr(t, dir, nil, ErrRollback)
	// A deleted store with its counter left behind.
	os.Remove(dbPath(dir))
	wantOpenErr(t, dir, nil, ErrRollback)
	// A counter written with another key fails authentication.
	dir2 := t.TempDir()
	commit(t, dir2, 1)
	k := newKeyring(make([]byte, 32))
	var sl slot
	c, err := createCounter(counterPath(dir2), k, sl)
	if err != nil {
		t.Fatal(err)
	}
	c.close()
	wantOpenErr(t, dir2, nil, ErrCounter)
}
