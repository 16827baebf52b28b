package storage

import (
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The emulated RPMB: a small file, kept in a directory of its own (in production
// on another file system than the store), holding the store's identity, a write
// counter and the generation and MAC of the store's latest commit, authenticated
// with a key derived from the device key.
//
// The file has two 512-byte slots. An update writes the slot that does not hold
// the current state with one pwrite and one fdatasync, so an update costs one
// sync instead of the three (file, rename, directory) of a replace-by-rename,
// which alone would cost more than a bbolt commit. A torn update can damage only
// the slot being written; the other slot still holds the previous state, which
// is the crash window doc.go describes. The file is created (and reset) by
// writing a temporary file, syncing it, renaming it into place and syncing the
// directory.
const (
	slotSize    = 512
	counterSize = 2 * slotSize
	slotLen     = 4 + 1 + 16 + 8 + 8 + 32 + 32
)

var slotMagic = []byte("GTRC")

type slot struct {
	storeID [16]byte
	n       uint64   // write counter: how many times the counter was written
	gen     uint64   // generation of the store's latest commit
	commit  [32]byte // MAC of that commit's root record
}

func (k *keyring) encodeSlot(s slot) []byte {
	b := make([]byte, 0, slotSize)
	b = append(b, slotMagic...)
	b = append(b, 1)
	b = append(b, s.storeID[:]...)
	b = binary.BigEndian.AppendUint64(b, s.n)
	b = binary.BigEndian.AppendUint64(b, s.gen)
	b = append(b, s.commit[:]...)
	b = append(b, k.mac(k.rpmb, b)...)
	return append(b, make([]byte, slotSize-len(b))...)
}

func (k *keyring) decodeSlot(b []byte) (slot, bool) {
	var s slot
	if len(b) < slotLen || string(b[:4]) != string(slotMagic) || b[4] != 1 {
		return s, false
	}
	body := b[:slotLen-32]
	if !hmac.Equal(b[len(body):slotLen], k.mac(k.rpmb, body)) {
		return s, false
	}
	copy(s.storeID[:], b[5:])
	s.n = binary.BigEndian.Uint64(b[21:])
	s.gen = binary.BigEndian.Uint64(b[29:])
	copy(s.commit[:], b[37:])
	return s, true
}

// counter is an open counter file. Its fields are guarded by Store.wmu.
type counter struct {
	path string
	f    *os.File
	k    *keyring
	cur  slot
}

// readCounter returns the valid slots of the counter file at path;
// fs.ErrNotExist if there is none.
func readCounter(path string, k *keyring) ([]slot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var valid []slot
	for i := 0; i < 2; i++ {
		if len(b) >= (i+1)*slotSize {
			if s, ok := k.decodeSlot(b[i*slotSize : (i+1)*slotSize]); ok {
				valid = append(valid, s)
			}
		}
	}
	if len(valid) == 2 && valid[0].n > valid[1].n {
		valid[0], valid[1] = valid[1], valid[0]
	}
	return valid, nil
}

// createCounter writes a new counter file holding s in both slots (write
// counters s.n and s.n+1) and opens it.
func createCounter(path string, k *keyring, s slot) (*counter, error) {
	dir := filepath.Dir(path)
	first, second := s, s
	second.n++
	buf := append(k.encodeSlot(first), k.encodeSlot(second)...)
	tmp, err := os.CreateTemp(dir, ".counter-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return openCounter(path, k, second)
}

func openCounter(path string, k *keyring, cur slot) (*counter, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != counterSize {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s: %d bytes, want %d", path, fi.Size(), counterSize)
		}
		return nil, err
	}
	return &counter{path: path, f: f, k: k, cur: cur}, nil
}

// advance records a new commit: it writes the slot that does not hold the
// current state and syncs it.
func (c *counter) advance(gen uint64, commit [32]byte) error {
	next := c.cur
	next.n++
	next.gen = gen
	next.commit = commit
	off := int64(next.n%2) * slotSize
	if _, err := c.f.WriteAt(c.k.encodeSlot(next), off); err != nil {
		return fmt.Errorf("rollback counter %s: %w", c.path, err)
	}
	if err := unix.Fdatasync(int(c.f.Fd())); err != nil {
		return fmt.Errorf("rollback counter %s: %w", c.path, err)
	}
	c.cur = next
	return nil
}

func (c *counter) close() error { return c.f.Close() }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// reconcile checks the store's latest commit (root) against the counter file at
// path and returns the open counter, brought up to date. fresh says that the
// store was created by this Open. The rules, for a counter whose latest valid
// slot records generation c:
//
//   - both slots valid: the store must be at c (with the same commit MAC) or at
//     c+1, the crash window between a commit and its counter update;
//   - one slot valid: the other one was torn while being written, which happens
//     only after a commit, so the store must be at exactly c+1;
//   - a store behind c was rolled back (ErrRollback); a store further ahead,
//     a counter that fails authentication or is missing while the store holds
//     commits, means the counter was replaced, damaged or lost (ErrCounter).
//
// reset makes reconcile accept the store as it is and write a new counter.
func reconcile(path string, k *keyring, root *rootRecord, fresh, reset bool) (*counter, error) {
	now := slot{storeID: root.storeID, gen: root.gen, commit: root.mac}
	slots, err := readCounter(path, k)
	if reset {
		return createCounter(path, k, now)
	}
	if errors.Is(err, fs.ErrNotExist) {
		// A store that never committed anything but its creation (generation
		// 1) may have lost its counter in a crash right after being created.
		if root.gen <= 1 {
			return createCounter(path, k, now)
		}
		return nil, fmt.Errorf("%w: %s does not exist, but the store has %d commits; "+
			"if the counter was lost, reopen with ResetRollbackCounter to accept the store as it is",
			ErrCounter, path, root.gen)
	}
	if err != nil {
		return nil, fmt.Errorf("rollback counter %s: %w", path, err)
	}
	if len(slots) == 0 {
		return nil, fmt.Errorf("%w: %s fails authentication (tampered with, or written with another device key)", ErrCounter, path)
	}
	cur := slots[len(slots)-1]
	if cur.storeID != root.storeID {
		if fresh {
			return nil, fmt.Errorf("%w: the store is empty, but %s records %d commits of a store that was deleted or replaced",
				ErrRollback, path, cur.gen)
		}
		return nil, fmt.Errorf("%w: %s belongs to another store: this store was replaced", ErrRollback, path)
	}
	switch {
	case root.gen < cur.gen:
		// bbolt reads the previous commit when the newest one's meta page is
		// damaged, which looks the same from here as a store copied back.
		return nil, fmt.Errorf("%w: the store is at commit %d, but %s records commit %d: "+
			"the store was copied back from an earlier state, or its newest commit is corrupt",
			ErrRollback, root.gen, path, cur.gen)
	case len(slots) == 1 && root.gen == cur.gen:
		return nil, fmt.Errorf("%w: the newest slot of %s is damaged and the store is not ahead of the older one (commit %d)",
			ErrRollback, path, cur.gen)
	case root.gen == cur.gen && root.mac != cur.commit:
		return nil, fmt.Errorf("%w: the store's commit %d is not the one %s records", ErrRollback, root.gen, path)
	case root.gen > cur.gen+1:
		return nil, fmt.Errorf("%w: %s records commit %d, but the store is at commit %d: the counter was replaced by an older copy",
			ErrCounter, path, cur.gen, root.gen)
	}
	c, err := openCounter(path, k, cur)
	if err != nil {
		return nil, fmt.Errorf("rollback counter: %w", err)
	}
	if root.gen != cur.gen || len(slots) == 1 {
		// The crash window: the last commit never reached the counter.
		if err := c.advance(root.gen, root.mac); err != nil {
			c.close()
			return nil, err
		}
	}
	return c, nil
}
