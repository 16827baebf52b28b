package secapi_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"github.com/gotee/gotee/secapi"
)

// The library hands a clear sa_buffer's own bytes to the TA as the output, so
// whatever fails — a status from the TA, a layout the TA refuses, a size past what
// one call carries — must leave the caller's buffer as it was, and a buffer with
// more room than one call carries (16 MiB) still works.
func TestProcessBufferOutputInPlace(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	key, iv, msg := rnd(16), rnd(16), rnd(64)
	k := mustKey(t, c, secapi.AllRights(), key)
	blk, _ := aes.NewCipher(key)
	want := make([]byte, len(msg))
	cipher.NewCTR(blk, iv).XORKeyStream(want, msg)
	const fill = 0xAA
	untouched := func(t *testing.T, what string, b []byte) {
		t.Helper()
		for i, v := range b {
			if v != fill {
				t.Fatalf("%s: byte %d of the caller's buffer changed to %#x", what, i, v)
			}
		}
	}

	x, err := c.NewCipher(ctx, secapi.AESCTR, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
	if err != nil {
		t.Fatal(err)
	}
	room := bytes.Repeat([]byte{fill}, 16<<20+100) // more than one call carries
	out := &secapi.Buffer{Clear: room, Offset: 10}
	n, err := x.ProcessBuffer(ctx, out, &secapi.Buffer{Clear: msg}, uint64(len(msg)))
	if err != nil || n != uint64(len(msg)) || out.Offset != 10+n {
		t.Fatalf("process into 16 MiB of room: %d, %v, offset %d", n, err, out.Offset)
	}
	if !bytes.Equal(room[10:10+n], want) {
		t.Fatal("output differs from Go's AES-CTR")
	}
	untouched(t, "bytes around the output", append(bytes.Clone(room[:10]), room[10+n:]...))

	// An input larger than one call carries: the TA refuses the layout.
	room = bytes.Repeat([]byte{fill}, 1<<20)
	big := make([]byte, 16<<20+16)
	if _, err := x.ProcessBuffer(ctx, &secapi.Buffer{Clear: room}, &secapi.Buffer{Clear: big}, uint64(len(big))); err == nil {
		t.Fatal("process of 16 MiB + 16 bytes succeeded")
	}
	untouched(t, "input past 16 MiB", room)

	// A status from the TA: the context is released.
	if err := x.Release(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = x.ProcessBuffer(ctx, &secapi.Buffer{Clear: room}, &secapi.Buffer{Clear: msg}, uint64(len(msg)))
	mustStatus(t, "released context", err, secapi.StatusInvalidParameter)
	untouched(t, "released context", room)

	// cenc into a clear buffer that fails at the TA (a decrypt sample on an encrypt
	// context) leaves it alone too.
	y, err := c.NewCipher(ctx, secapi.AESCTR, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Release(ctx)
	room = bytes.Repeat([]byte{fill}, len(msg))
	err = c.ProcessCommonEncryption(ctx, []secapi.Sample{{IV: iv, Subsamples: []secapi.Subsample{{Protected: uint64(len(msg))}},
		Cipher: y, Out: &secapi.Buffer{Clear: room}, In: &secapi.Buffer{Clear: want}}})
	mustStatus(t, "cenc on an encrypt context", err, secapi.StatusInvalidParameter)
	untouched(t, "cenc on an encrypt context", room)
}
