package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
	bolt "go.etcd.io/bbolt"
)

const objectSize = 4 << 10

// rawStore is the baseline trusted storage is measured against: bbolt, the store
// it is built on, in this process, on the same file system, durable (an fsync per
// commit, as teed's store), writing and reading one 4 KiB value under one key.
func rawStore(b *testing.B) (*bolt.DB, []byte) {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	key := []byte("bench")
	if err := db.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte("objects"))
		if err != nil {
			return err
		}
		return bk.Put(key, make([]byte, objectSize))
	}); err != nil {
		b.Fatal(err)
	}
	return db, key
}

// BenchmarkStorageWrite is a durable 4 KiB write of a persistent object from inside
// the bench TA (TEE_WriteObjectData at offset 0: TA → teed → the storage engine,
// encrypted and authenticated, committed with an fsync, the rollback counter
// advanced) beside bbolt writing 4 KiB durably in this process. Goal: ≥ 50 % of the
// raw store's rate, that is ≤ 2× its ns/op.
func BenchmarkStorageWrite(b *testing.B) {
	data := make([]byte, objectSize)
	rand.Read(data)
	var base float64
	b.Run("bolt", func(b *testing.B) {
		db, key := rawStore(b)
		for b.Loop() {
			if err := db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket([]byte("objects")).Put(key, data)
			}); err != nil {
				b.Fatal(err)
			}
		}
		base = nsPerOp(b)
	})
	b.Run("gotee", func(b *testing.B) {
		s := storageSession(b)
		op := &client.Operation{Params: [4]client.Param{&client.TempMemory{Type: tee.MemrefTempInput, Buffer: data}}}
		ctx := context.Background()
		for b.Loop() {
			if err := s.Invoke(ctx, cmdStoreWrite, op); err != nil {
				b.Fatal(err)
			}
		}
		compare(b, comparison{baseline: "bolt", baseNs: base, maxRatio: 2})
	})
}

// BenchmarkStorageRead reads the 4 KiB object back from inside the bench TA
// (TEE_ReadObjectData: TA → teed → the engine, which authenticates and decrypts it)
// beside bbolt reading and copying out 4 KiB in this process. Goal: ≥ 80 % of the
// raw store's rate, that is ≤ 1.25× its ns/op.
func BenchmarkStorageRead(b *testing.B) {
	var base float64
	b.Run("bolt", func(b *testing.B) {
		db, key := rawStore(b)
		out := make([]byte, objectSize)
		for b.Loop() {
			if err := db.View(func(tx *bolt.Tx) error {
				copy(out, tx.Bucket([]byte("objects")).Get(key))
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		base = nsPerOp(b)
	})
	b.Run("gotee", func(b *testing.B) {
		s := storageSession(b)
		ctx := context.Background()
		data := make([]byte, objectSize)
		rand.Read(data)
		in := &client.Operation{Params: [4]client.Param{&client.TempMemory{Type: tee.MemrefTempInput, Buffer: data}}}
		if err := s.Invoke(ctx, cmdStoreWrite, in); err != nil {
			b.Fatal(err)
		}
		out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, objectSize)}
		op := &client.Operation{Params: [4]client.Param{out}}
		if err := s.Invoke(ctx, cmdStoreRead, op); err != nil || !bytes.Equal(out.Buffer, data) {
			b.Fatalf("read back: %v", err)
		}
		for b.Loop() {
			if err := s.Invoke(ctx, cmdStoreRead, op); err != nil {
				b.Fatal(err)
			}
		}
		compare(b, comparison{baseline: "bolt", baseNs: base, maxRatio: 1.25})
	})
}

// storageSession starts teed with its storage in the benchmark's temporary
// directory — the file system the raw store uses — and opens a bench session.
func storageSession(b *testing.B) *client.Session {
	b.Helper()
	td := startTeed(b)
	return open(b, td.Connect(b), benchUUID)
}
