package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/gotee/gotee/tee"
)

type tamperObj struct {
	ta           tee.UUID
	sid          StorageID
	id           string
	header, data []byte
}

// tamperFixture is a closed store holding objects of several shapes in two TAs
// and both namespaces.
func tamperFixture(t testing.TB) (string, []tamperObj) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	objs := []tamperObj{
		{taA, StoragePrivate, "small", []byte("small header"), []byte("a small object of one chunk")},
		{taA, StoragePrivate, "multi", []byte("h"), pattern(1, 9*chunkSize+77)},
		{taA, StoragePrivate, "fat-header", pattern(2, 9000), pattern(3, 100)},
		{taA, StoragePrivate, "empty", nil, nil},
		{taA, StoragePrivateRPMB, "rpmb", []byte("r"), pattern(4, 2*chunkSize)},
		{taB, StoragePrivate, "small", []byte("B"), []byte("B's object")},
		{taB, StoragePrivate, "holes", nil, nil},
	}
	for _, o := range objs {
		if err := s.Create(bg, o.ta, o.sid, []byte(o.id), o.header, o.data, false); err != nil {
			t.Fatal(err)
		}
	}
	// An object with a hole in the middle.
	p := pattern(5, 100)
	if err := s.WriteAt(bg, taB, StoragePrivate, []byte("holes"), p, 3*chunkSize); err != nil {
		t.Fatal(err)
	}
	objs[6].data = append(make([]byte, 3*chunkSize), p...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, objs
}

// checkObjects reads every object: each must read back exactly, or fail with
// CORRUPT_OBJECT. It returns the indexes of the corrupt ones.
func checkObjects(t testing.TB, s *Store, objs []tamperObj) []int {
	t.Helper()
	var bad []int
	for i, o := range objs {
		h, err := s.ReadHeader(bg, o.ta, o.sid, []byte(o.id))
		var d []byte
		if err == nil {
			d, err = readAllOf(s, o.ta, o.sid, []byte(o.id))
		}
		if err != nil {
			if !errors.Is(err, tee.ErrCorruptObject) {
				t.Fatalf("object %s: %v, want the content or CORRUPT_OBJECT", o.id, err)
			}
			bad = append(bad, i)
			continue
		}
		if !bytes.Equal(h, o.header) || !bytes.Equal(d, o.data) {
			t.Fatalf("object %s read back wrong content", o.id)
		}
	}
	for _, ta := range []tee.UUID{taA, taB} {
		for _, sid := range []StorageID{StoragePrivate, StoragePrivateRPMB} {
			if _, err := s.Enumerate(bg, ta, sid); err != nil && !errors.Is(err, tee.ErrCorruptObject) {
				t.Fatalf("Enumerate: %v", err)
			}
		}
	}
	return bad
}

func readAllOf(s *Store, ta tee.UUID, sid StorageID, id []byte) ([]byte, error) {
	info, err := s.Stat(bg, ta, sid, id)
	if err != nil {
		return nil, err
	}
	b := make([]byte, info.DataSize)
	n, err := s.ReadAt(bg, ta, sid, id, b, 0)
	return b[:n], err
}

// records returns key||value of every record in the namespace bucket of
// (ta, sid), as bbolt lays them out in a leaf page.
func records(t testing.TB, dir string, ta tee.UUID, sid StorageID) map[string][]byte {
	t.Helper()
	db, err := bolt.Open(dbPath(dir), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ns, _ := nsOf(sid)
	k := newKeyring(testKey)
	out := map[string][]byte{}
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(nsName(k.namespace(ta, ns))).ForEach(func(key, v []byte) error {
			out[string(key)] = append(append([]byte{}, key...), v...)
			return nil
		})
	})
	return out
}

// TestTamper flips a byte at offsets all over the store file, and at every
// offset of one object's records, and checks each time that the store either
// refuses to open with CORRUPT_OBJECT or opens with every object reading back
// exactly, except at most the one the flip hit, which reads CORRUPT_OBJECT.
func TestTamper(t *testing.T) {
	dir, objs := tamperFixture(t)
	path := dbPath(dir)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Every byte of the records of object "small" (index 0): keys and values.
	type region struct {
		off, n int
		value  bool // a record's value, as opposed to its key
	}
	var target []region
	kOf := newKeyring(testKey).object(taA, nsREE, []byte("small"))
	recs := records(t, dir, taA, StoragePrivate)
	var uidOf uid
	for key := range recs {
		if ok, u, _, valid := parseMetaKey([]byte(key)); valid && ok == kOf {
			uidOf = u
		}
	}
	for key, kv := range recs {
		if ok, _, _, valid := parseMetaKey([]byte(key)); !(valid && ok == kOf) && !bytes.HasPrefix([]byte(key[1:]), uidOf[:]) {
			continue
		}
		at := bytes.Index(orig, kv)
		if at < 0 || bytes.Contains(orig[at+1:], kv) {
			t.Fatalf("record %x not found once in the file", key)
		}
		target = append(target, region{at, len(key), false}, region{at + len(key), len(kv) - len(key), true})
	}
	if len(target) != 8 { // meta, header, index and chunk records: key and value each
		t.Fatalf("object 'small' has %d regions, want 8", len(target))
	}

	stride := len(orig) / 600
	if n, err := strconv.Atoi(os.Getenv("GOTEE_TAMPER_STRIDE")); err == nil && n > 0 {
		stride = n
	}
	if testing.Short() {
		stride *= 4
	}
	type flip struct {
		off    int
		region *region
	}
	var flips []flip
	for off := 0; off < len(orig); off += stride + off%7 {
		flips = append(flips, flip{off: off})
	}
	for i := range target {
		r := &target[i]
		for off := r.off; off < r.off+r.n; off++ {
			flips = append(flips, flip{off, r})
		}
	}

	file, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var refused, hit, clean int
	for _, f := range flips {
		b := []byte{orig[f.off] ^ 1<<(f.off%8)}
		if _, err := file.WriteAt(b, int64(f.off)); err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("flip at %d (page %d, offset %d)", f.off, f.off/4096, f.off%4096)
		s, err := Open(bg, dir, testKey, nil)
		if err != nil {
			if !errors.Is(err, tee.ErrCorruptObject) {
				t.Fatalf("%s: Open: %v, want CORRUPT_OBJECT", what, err)
			}
			if f.region != nil && f.region.value {
				t.Fatalf("%s: a flip in a record's value refused the whole store: %v", what, err)
			}
			refused++
			file.WriteAt(orig[f.off:f.off+1], int64(f.off))
			continue
		}
		bad := checkObjects(t, s, objs)
		s.Close()
		if len(bad) > 1 {
			t.Fatalf("%s: %d objects corrupt, at most the one hit may be", what, len(bad))
		}
		if f.region != nil && (len(bad) != 1 || bad[0] != 0) {
			t.Fatalf("%s: a flip in object 'small' went unnoticed (corrupt: %v)", what, bad)
		}
		if len(bad) == 1 {
			hit++
		} else {
			clean++
		}
		file.WriteAt(orig[f.off:f.off+1], int64(f.off))
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Fatal("opening and reading the damaged store changed the file")
	}
	t.Logf("%d flips in a %d-byte file: %d refused at Open, %d made one object corrupt, %d harmless (free or slack space)",
		len(flips), len(orig), refused, hit, clean)
	s := openStore(t, dir, nil)
	defer s.Close()
	if bad := checkObjects(t, s, objs); len(bad) != 0 {
		t.Fatalf("restored file: corrupt %v", bad)
	}
}

// TestSplice moves and replays whole records with bbolt, as an attacker who
// knows the format would, and checks that each is detected.
func TestSplice(t *testing.T) {
	type edit func(t testing.TB, tx *bolt.Tx, k *keyring)
	bucket := func(tx *bolt.Tx, k *keyring, ta tee.UUID, ns byte) *bolt.Bucket {
		return tx.Bucket(nsName(k.namespace(ta, ns)))
	}
	find := func(b *bolt.Bucket, kind byte, k *keyring, ta tee.UUID, ns byte, id string, n int) ([]byte, []byte) {
		ok := k.object(ta, ns, []byte(id))
		var u []byte
		b.ForEach(func(key, v []byte) error {
			if key[0] == kindMeta && bytes.Equal(key[1:1+keySize], ok[:]) {
				u = append([]byte{}, key[1+keySize:1+keySize+uidSize]...)
			}
			return nil
		})
		var kk []byte
		switch kind {
		case kindMeta:
			c := b.Cursor()
			kk, _ = c.Seek(append([]byte{kindMeta}, ok[:]...))
		case kindHeader:
			kk = append([]byte{kindHeader}, u...)
		default:
			kk = append(append([]byte{kind}, u...), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		kk = append([]byte{}, kk...)
		return kk, append([]byte{}, b.Get(kk)...)
	}
	swapValues := func(kind byte, ta1 tee.UUID, id1 string, n1 int, ta2 tee.UUID, id2 string, n2 int) edit {
		return func(t testing.TB, tx *bolt.Tx, k *keyring) {
			b1, b2 := bucket(tx, k, ta1, nsREE), bucket(tx, k, ta2, nsREE)
			k1, v1 := find(b1, kind, k, ta1, nsREE, id1, n1)
			k2, v2 := find(b2, kind, k, ta2, nsREE, id2, n2)
			if v1 == nil || v2 == nil {
				t.Fatalf("records to swap not found")
			}
			b1.Put(k1, v2)
			b2.Put(k2, v1)
		}
	}
	cases := []struct {
		name       string
		edit       edit
		refuseOpen bool
		victim     string
	}{
		{"chunks swapped within an object", swapValues(kindChunk, taA, "multi", 1, taA, "multi", 2), false, "multi"},
		{"chunk from another object", swapValues(kindChunk, taA, "multi", 0, taA, "small", 0), false, "multi"},
		{"chunk from another TA", swapValues(kindChunk, taA, "small", 0, taB, "small", 0), false, "small"},
		{"headers swapped", swapValues(kindHeader, taA, "small", 0, taA, "multi", 0), false, "small"},
		{"index from another object", swapValues(kindIndex, taA, "small", 0, taA, "multi", 0), false, "small"},
		{"meta values swapped", swapValues(kindMeta, taA, "small", 0, taA, "multi", 0), false, "small"},
		{"meta record deleted", func(t testing.TB, tx *bolt.Tx, k *keyring) {
			b := bucket(tx, k, taA, nsREE)
			key, _ := find(b, kindMeta, k, taA, nsREE, "small", 0)
			b.Delete(key)
		}, true, ""},
		{"meta record moved to another namespace", func(t testing.TB, tx *bolt.Tx, k *keyring) {
			b := bucket(tx, k, taA, nsREE)
			key, v := find(b, kindMeta, k, taA, nsREE, "small", 0)
			b.Delete(key)
			bucket(tx, k, taA, nsRPMB).Put(key, v)
		}, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, objs := tamperFixture(t)
			rawEdit(t, dir, c.edit)
			s, err := Open(bg, dir, testKey, nil)
			if c.refuseOpen {
				if !errors.Is(err, tee.ErrCorruptObject) {
					t.Fatalf("Open: %v, want CORRUPT_OBJECT", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			bad := checkObjects(t, s, objs)
			found := false
			for _, i := range bad {
				found = found || objs[i].id == c.victim
			}
			if !found {
				t.Fatalf("splice not detected (corrupt: %v)", bad)
			}
		})
	}
}

// TestReplay puts records of an earlier version of an object back into the
// current file: a chunk alone is caught when read, a whole object (meta and
// all) when the store opens.
func TestReplay(t *testing.T) {
	for _, whole := range []bool{false, true} {
		t.Run(fmt.Sprintf("whole=%v", whole), func(t *testing.T) {
			dir, objs := tamperFixture(t)
			old := map[string][]byte{}
			db, err := bolt.Open(dbPath(dir), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			k := newKeyring(testKey)
			name := nsName(k.namespace(taA, nsREE))
			db.View(func(tx *bolt.Tx) error {
				return tx.Bucket(name).ForEach(func(key, v []byte) error {
					old[string(key)] = append([]byte{}, v...)
					return nil
				})
			})
			db.Close()
			// A new version of the first chunk of "multi".
			s := openStore(t, dir, nil)
			if err := s.WriteAt(bg, taA, StoragePrivate, []byte("multi"), []byte("NEW"), 10); err != nil {
				t.Fatal(err)
			}
			s.Close()
			rawEdit(t, dir, func(t testing.TB, tx *bolt.Tx, _ *keyring) {
				b := tx.Bucket(name)
				if whole {
					c := b.Cursor()
					for key, _ := c.First(); key != nil; key, _ = c.First() {
						c.Delete()
					}
				}
				for key, v := range old {
					if whole || key[0] == kindChunk {
						b.Put([]byte(key), v)
					}
				}
			})
			s, err = Open(bg, dir, testKey, nil)
			if whole {
				if !errors.Is(err, tee.ErrCorruptObject) {
					t.Fatalf("Open after replaying a whole namespace: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			objs[1].data = append([]byte{}, objs[1].data...)
			copy(objs[1].data[10:], "NEW")
			if bad := checkObjects(t, s, objs); len(bad) != 1 || objs[bad[0]].id != "multi" {
				t.Fatalf("replayed chunk not detected: corrupt %v", bad)
			}
		})
	}
}

// TestDeleteCorrupt deletes objects whose records fail verification: a TA (or
// its runtime, as OP-TEE does) must be able to get rid of them.
func TestDeleteCorrupt(t *testing.T) {
	dir, objs := tamperFixture(t)
	rawEdit(t, dir, func(t testing.TB, tx *bolt.Tx, k *keyring) {
		b := tx.Bucket(nsName(k.namespace(taA, nsREE)))
		b.ForEach(func(key, v []byte) error {
			if key[0] == kindMeta || key[0] == kindChunk {
				v = append([]byte{}, v...)
				v[len(v)/2] ^= 1
				b.Put(append([]byte{}, key...), v)
			}
			return nil
		})
	})
	s := openStore(t, dir, nil)
	defer s.Close()
	if bad := checkObjects(t, s, objs); len(bad) != 4 {
		t.Fatalf("corrupt objects %v, want A's four private ones", bad)
	}
	if u, err := s.Usage(bg, taA); err != nil || u.Objects != 5 {
		t.Fatalf("usage with corrupt objects: %+v, %v", u, err)
	}
	for _, id := range []string{"small", "multi", "fat-header", "empty"} {
		if err := s.Delete(bg, taA, StoragePrivate, []byte(id)); err != nil {
			t.Fatalf("delete corrupt %q: %v", id, err)
		}
	}
	if bad := checkObjects(t, s, objs[4:]); len(bad) != 0 {
		t.Fatalf("other objects after the deletes: corrupt %v", bad)
	}
	if l, _ := s.Enumerate(bg, taA, StoragePrivate); len(l) != 0 {
		t.Fatalf("%d objects left", len(l))
	}
	if u, _ := s.Usage(bg, taA); u.Objects != 1 {
		t.Fatalf("usage after deletes: %+v", u)
	}
}

// rawEdit changes the closed store's file with bbolt directly.
func rawEdit(t testing.TB, dir string, fn func(t testing.TB, tx *bolt.Tx, k *keyring)) {
	t.Helper()
	db, err := bolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { fn(t, tx, newKeyring(testKey)); return nil }); err != nil {
		t.Fatal(err)
	}
}
