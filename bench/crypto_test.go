package bench

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

// Commands of the bench TA that exercise the Internal Core API.
const (
	cmdAESGCM     = 3
	cmdSHA256     = 4
	cmdStoreWrite = 5
	cmdStoreRead  = 6
)

const cryptoSize = 1 << 20

// BenchmarkAESGCM encrypts 1 MiB with AES-256-GCM inside the bench TA — the
// message in allocated shared memory (zero copy), encrypted in place through
// TEE_AEInit and TEE_AEEncryptFinal — beside Go's own AES-256-GCM sealing 1 MiB in
// place in this process. Goal: ≥ 90 % of Go's throughput, that is ≤ 1.11× its
// ns/op, invoke included.
func BenchmarkAESGCM(b *testing.B) {
	var base float64
	b.Run("go", func(b *testing.B) {
		key := make([]byte, 32)
		rand.Read(key)
		block, _ := aes.NewCipher(key)
		g, _ := cipher.NewGCM(block)
		buf := make([]byte, cryptoSize, cryptoSize+g.Overhead())
		nonce := make([]byte, 12)
		var n uint64
		b.SetBytes(cryptoSize)
		for b.Loop() {
			n++
			binary.BigEndian.PutUint64(nonce[4:], n)
			buf = g.Seal(buf[:0], nonce, buf[:cryptoSize], nil)
		}
		base = nsPerOp(b)
	})
	b.Run("gotee", func(b *testing.B) {
		td := startTeed(b)
		c := td.Connect(b)
		s := open(b, c, benchUUID)
		m, err := c.AllocateSharedMemory(cryptoSize, tee.MemInput|tee.MemOutput)
		if err != nil {
			b.Fatal(err)
		}
		defer m.Release()
		tag := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
		op := &client.Operation{Params: [4]client.Param{&client.RegisteredMemory{Type: tee.MemrefWhole, Mem: m}, tag}}
		ctx := context.Background()
		if err := s.Invoke(ctx, cmdAESGCM, op); err != nil { // key, operation and memfd set up
			b.Fatal(err)
		}
		b.SetBytes(cryptoSize)
		for b.Loop() {
			if err := s.Invoke(ctx, cmdAESGCM, op); err != nil {
				b.Fatal(err)
			}
		}
		compare(b, comparison{baseline: "go", baseNs: base, maxRatio: 1 / 0.9})
	})
}

// BenchmarkSHA256 digests 1 MiB with SHA-256 inside the bench TA (TEE_DigestDoFinal
// over allocated shared memory) beside Go's own SHA-256 of 1 MiB in this process.
// Goal: ≥ 90 % of Go's throughput.
func BenchmarkSHA256(b *testing.B) {
	var base float64
	b.Run("go", func(b *testing.B) {
		buf := make([]byte, cryptoSize)
		b.SetBytes(cryptoSize)
		for b.Loop() {
			sha256.Sum256(buf)
		}
		base = nsPerOp(b)
	})
	b.Run("gotee", func(b *testing.B) {
		td := startTeed(b)
		c := td.Connect(b)
		s := open(b, c, benchUUID)
		m, err := c.AllocateSharedMemory(cryptoSize, tee.MemInput)
		if err != nil {
			b.Fatal(err)
		}
		defer m.Release()
		digest := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 32)}
		op := &client.Operation{Params: [4]client.Param{&client.RegisteredMemory{Type: tee.MemrefWhole, Mem: m}, digest}}
		ctx := context.Background()
		if err := s.Invoke(ctx, cmdSHA256, op); err != nil {
			b.Fatal(err)
		}
		if want := sha256.Sum256(m.Bytes()); string(digest.Buffer) != string(want[:]) {
			b.Fatal("the TA's digest is not SHA-256")
		}
		b.SetBytes(cryptoSize)
		for b.Loop() {
			if err := s.Invoke(ctx, cmdSHA256, op); err != nil {
				b.Fatal(err)
			}
		}
		compare(b, comparison{baseline: "go", baseNs: base, maxRatio: 1 / 0.9})
	})
}
