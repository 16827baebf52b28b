package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func FuzzRecord(f *testing.F) {
	r := record{kind: kindChunk, gen: 7, epoch: 9, nonce: [12]byte{1, 2, 3}}
	f.Add(append(r.appendHeader(nil), make([]byte, tagSize+5)...))
	f.Add([]byte{recVersion, kindMeta})
	f.Fuzz(func(t *testing.T, v []byte) {
		r, sealed, err := parseRecord(v)
		if err != nil {
			return
		}
		if got := append(r.appendHeader(nil), sealed...); !bytes.Equal(got, v) {
			t.Fatalf("round trip: %x, want %x", got, v)
		}
		if len(sealed) < tagSize {
			t.Fatal("accepted a record without room for a tag")
		}
	})
}

func FuzzMeta(f *testing.F) {
	f.Add(encodeMeta(&meta{id: []byte("id")}))
	f.Add(encodeMeta(&meta{id: bytes.Repeat([]byte{1}, 64), size: 5 * chunkSize * indexFanout, headerLen: 3, headerTag: tag{1},
		index: []tag{{1}, {}, {3}, {4}, {5}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMeta(b)
		if err != nil {
			return
		}
		if got := encodeMeta(m); !bytes.Equal(got, b) {
			t.Fatalf("round trip: %x, want %x", got, b)
		}
		if m.size > MaxDataSize || len(m.id) > MaxObjectIDLen || m.headerLen > MaxHeaderSize || len(m.index) > maxIndexes {
			t.Fatalf("accepted out-of-range meta %+v", m)
		}
	})
}

func FuzzIndex(f *testing.F) {
	f.Add(encodeIndex([]tag{{1}, {}, {2}}), 3)
	f.Add([]byte{}, 0)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > indexFanout {
			return
		}
		refs, err := decodeIndex(b, max)
		if err != nil {
			return
		}
		if len(refs) > max || !bytes.Equal(encodeIndex(refs), b) || len(trimRefs(refs)) != len(refs) {
			t.Fatalf("bad index accepted: %d refs, max %d", len(refs), max)
		}
	})
}

func FuzzCounterAndRoot(f *testing.F) {
	k := newKeyring(testKey)
	f.Add(k.encodeSlot(slot{storeID: [16]byte{1}, n: 3, gen: 4, commit: [32]byte{5}}))
	f.Add(k.encodeRoot(&rootRecord{storeID: [16]byte{1}, gen: 4, acc: accum{1, 2, 3, 4}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, ok := k.decodeSlot(b); ok {
			if got := k.encodeSlot(s); !bytes.Equal(got[:slotLen], b[:slotLen]) {
				t.Fatal("slot round trip")
			}
		}
		if r, err := k.decodeRoot(b); err == nil {
			if got := k.encodeRoot(r); !bytes.Equal(got, b) {
				t.Fatal("root round trip")
			}
		}
	})
}

// FuzzCheckBolt feeds damaged store files to the bbolt structure check and,
// when it passes one, to Open and the read paths: nothing may panic or crash.
func FuzzCheckBolt(f *testing.F) {
	dir := f.TempDir()
	s := openStore(f, dir, nil)
	mustCreate(f, s, taA, StoragePrivate, "one", []byte("h"), pattern(1, 2*chunkSize))
	mustCreate(f, s, taB, StoragePrivateRPMB, "two", nil, []byte("x"))
	s.Close()
	seed, err := os.ReadFile(dbPath(dir))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, 0, byte(0))
	f.Add(seed, 4096+16, byte(0x10))
	f.Add(seed[:8192], 100, byte(1))
	f.Fuzz(func(t *testing.T, file []byte, at int, x byte) {
		if at >= 0 && at < len(file) {
			file = append([]byte{}, file...)
			file[at] ^= x
		}
		if _, _, err := checkBolt(bytes.NewReader(file), int64(len(file))); err != nil || len(file) == 0 {
			return
		}
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, dbName), file, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(bg, d, testKey, &Options{ResetRollbackCounter: true})
		if err != nil {
			return
		}
		defer s.Close()
		for _, ta := range [](struct {
			ta  [16]byte
			sid StorageID
			id  string
		}){{taA, StoragePrivate, "one"}, {taB, StoragePrivateRPMB, "two"}} {
			s.Enumerate(bg, ta.ta, ta.sid)
			readAllOf(s, ta.ta, ta.sid, []byte(ta.id))
			s.WriteAt(bg, ta.ta, ta.sid, []byte(ta.id), []byte("w"), 5000)
		}
	})
}
