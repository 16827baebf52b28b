package crypto

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gotee/gotee/tee"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// mustPanic runs f and returns the *MisuseError it panics with; it fails the test if f
// returns normally or panics with anything else.
func mustPanic(tb testing.TB, f func()) (me *MisuseError) {
	tb.Helper()
	defer func() {
		tb.Helper()
		r := recover()
		if r == nil {
			tb.Fatalf("no panic")
		}
		var ok bool
		if me, ok = r.(*MisuseError); !ok {
			tb.Fatalf("panic with %T %v, want *MisuseError", r, r)
		}
	}()
	f()
	return nil
}

func alloc(tb testing.TB, alg tee.Algorithm, mode tee.Mode, max int) *Operation {
	tb.Helper()
	op, err := Allocate(alg, mode, max)
	if err != nil {
		tb.Fatalf("Allocate(%v, %v, %d): %v", alg, mode, max, err)
	}
	return op
}

func secretKey(t tee.ObjectType, secret []byte) *Key {
	return &Key{Type: t, Usage: tee.UsageAll, Secret: secret}
}

func keyed(tb testing.TB, alg tee.Algorithm, mode tee.Mode, k *Key) *Operation {
	tb.Helper()
	op := alloc(tb, alg, mode, k.bits())
	if err := op.SetKey(k); err != nil {
		tb.Fatal(err)
	}
	return op
}

func isResult(err error, r tee.Result) bool { return errors.Is(err, r) }

// cipherChunks runs a whole cipher operation feeding src in chunks of the given sizes
// (cycled), the last piece through CipherDoFinal, using exactly the sizes the operation
// asks for.
func cipherChunks(tb testing.TB, op *Operation, iv, src []byte, chunks []int) []byte {
	tb.Helper()
	op.CipherInit(iv)
	var out []byte
	i := 0
	for c := 0; len(chunks) > 0 && i < len(src); c++ {
		n := min(chunks[c%len(chunks)], len(src)-i)
		need, err := op.CipherUpdate(nil, src[i:i+n])
		if err == nil {
			if need != 0 {
				tb.Fatalf("CipherUpdate(nil) = %d, nil", need)
			}
			i += n
			continue
		}
		if !isResult(err, tee.ErrShortBuffer) {
			tb.Fatalf("CipherUpdate(nil) = %d, %v; want SHORT_BUFFER", need, err)
		}
		dst := make([]byte, need)
		got, err := op.CipherUpdate(dst, src[i:i+n])
		if err != nil || got != need {
			tb.Fatalf("CipherUpdate = %d, %v; want %d", got, err, need)
		}
		out = append(out, dst...)
		i += n
	}
	need, err := op.CipherDoFinal(nil, src[i:])
	if err == nil {
		if need != 0 {
			tb.Fatalf("CipherDoFinal(nil) = %d, nil", need)
		}
		return out
	}
	if !isResult(err, tee.ErrShortBuffer) {
		tb.Fatalf("CipherDoFinal(nil) = %d, %v; want SHORT_BUFFER", need, err)
	}
	dst := make([]byte, need)
	got, err := op.CipherDoFinal(dst, src[i:])
	if err != nil || got != need {
		tb.Fatalf("CipherDoFinal = %d, %v; want %d", got, err, need)
	}
	return append(out, dst...)
}

var chunkings = [][]int{nil, {1}, {3, 7}, {15}, {16}, {17, 1}, {31, 33}, {5, 0, 64}}
