package crypto

import (
	"bytes"
	"testing"

	"github.com/gotee/gotee/tee"
)

// extractAll feeds msg, then extracts in pieces of the given sizes.
func extractAll(tb testing.TB, op *Operation, msg []byte, sizes ...int) []byte {
	tb.Helper()
	op.DigestUpdate(msg)
	var out []byte
	for _, n := range sizes {
		buf := make([]byte, n)
		got := op.DigestExtract(buf)
		out = append(out, buf[:got]...)
		if op.State() != tee.StateExtracting || op.Info().HandleState&tee.FlagExtracting == 0 {
			tb.Fatalf("after extract: state %v, flags %#x", op.State(), op.Info().HandleState)
		}
	}
	return out
}

func TestDigestExtractFixed(t *testing.T) {
	// FIPS 180-2 B.1: SHA-256("abc").
	want := unhex(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	op := alloc(t, tee.AlgSHA256, tee.ModeDigest, 0)
	if got := extractAll(t, op, []byte("abc"), 5, 0, 10, 100, 3); !bytes.Equal(got, want) {
		t.Fatalf("extracted %x, want %x", got, want)
	}
	if n := op.DigestExtract(make([]byte, 8)); n != 0 {
		t.Fatalf("extract after the end: %d", n)
	}
	// The message is closed while extracting.
	mustPanic(t, func() { op.DigestUpdate([]byte("d")) })
	mustPanic(t, func() { op.DigestDoFinal(make([]byte, 32), []byte("d")) })
	// DoFinal hands out the rest (here nothing) and starts over.
	if n, err := op.DigestDoFinal(make([]byte, 32), nil); n != 0 || err != nil {
		t.Fatalf("DoFinal after extracting all: %d, %v", n, err)
	}
	if op.State() != tee.StateInitial || op.Info().HandleState != tee.FlagKeySet|tee.FlagInitialized {
		t.Fatalf("after DoFinal: state %v, flags %#x", op.State(), op.Info().HandleState)
	}
	// Part extracted, the rest through DoFinal, even into a short buffer.
	first := extractAll(t, op, []byte("abc"), 12)
	rest := make([]byte, 64)
	n, err := op.DigestDoFinal(rest, nil)
	if err != nil || n != 20 || !bytes.Equal(append(first, rest[:n]...), want) {
		t.Fatalf("rest: %d, %v: %x", n, err, rest[:n])
	}
	extractAll(t, op, []byte("abc"), 4)
	short := make([]byte, 8)
	if n, err := op.DigestDoFinal(short, nil); n != 8 || err != nil || !bytes.Equal(short, want[4:12]) {
		t.Fatalf("short rest: %d, %v, %x", n, err, short)
	}
	// A copy mid-extraction continues the same way; Reset starts a new message.
	a := extractAll(t, op, []byte("abc"), 10)
	cp := alloc(t, tee.AlgSHA256, tee.ModeDigest, 0)
	Copy(cp, op)
	b := make([]byte, 32)
	b = b[:cp.DigestExtract(b)]
	if !bytes.Equal(append(a, b...), want) || cp.State() != tee.StateExtracting {
		t.Fatalf("copy: %x %x", a, b)
	}
	op.Reset()
	if op.State() != tee.StateInitial || op.Info().HandleState&tee.FlagExtracting != 0 {
		t.Fatalf("after Reset: %v %#x", op.State(), op.Info().HandleState)
	}
	sum := make([]byte, 32)
	if _, err := op.DigestDoFinal(sum, []byte("abc")); err != nil || !bytes.Equal(sum, want) {
		t.Fatalf("after Reset: %x, %v", sum, err)
	}
	// Extracting without any input is the digest of the empty message.
	empty := make([]byte, 32)
	op.DigestExtract(empty)
	if !bytes.Equal(empty, unhex(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) {
		t.Fatalf("empty: %x", empty)
	}
	mustPanic(t, func() { alloc(t, tee.AlgHMACSHA256, tee.ModeMAC, 256).DigestExtract(empty) })
}

func TestDigestExtractSHAKE(t *testing.T) {
	// FIPS 202 example value: the first 32 bytes of SHAKE128("abc").
	prefix := unhex(t, "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8")
	whole := make([]byte, 200)
	ref := alloc(t, tee.AlgSHAKE128, tee.ModeDigest, 0)
	ref.DigestDoFinal(whole, []byte("abc"))
	if !bytes.Equal(whole[:32], prefix) {
		t.Fatalf("SHAKE128(abc) = %x", whole[:32])
	}
	op := alloc(t, tee.AlgSHAKE128, tee.ModeDigest, 0)
	got := extractAll(t, op, []byte("abc"), 7, 0, 25, 1, 167) // the output never runs out
	if !bytes.Equal(got, whole) {
		t.Fatalf("extracted %x\nwant %x", got, whole)
	}
	mustPanic(t, func() { op.DigestUpdate([]byte("x")) })

	// A copy squeezes on from the same point, and DoFinal continues the stream too.
	op.Reset()
	a := extractAll(t, op, []byte("abc"), 50)
	cp := alloc(t, tee.AlgSHAKE128, tee.ModeDigest, 0)
	Copy(cp, op)
	b, c := make([]byte, 30), make([]byte, 30)
	cp.DigestExtract(b)
	if n, err := op.DigestDoFinal(c, nil); n != 30 || err != nil {
		t.Fatalf("DoFinal: %d, %v", n, err)
	}
	if !bytes.Equal(b, c) || !bytes.Equal(append(a, b...), whole[:80]) {
		t.Fatalf("copy %x, DoFinal %x", b, c)
	}
	if op.State() != tee.StateInitial || op.Info().HandleState&tee.FlagExtracting != 0 {
		t.Fatalf("after DoFinal: %v %#x", op.State(), op.Info().HandleState)
	}
	// After DoFinal the operation digests a new message from scratch.
	again := make([]byte, 32)
	op.DigestDoFinal(again, []byte("abc"))
	if !bytes.Equal(again, prefix) {
		t.Fatalf("new message: %x", again)
	}
}
