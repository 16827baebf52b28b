package crypto

import (
	"bytes"
	"testing"

	"github.com/gotee/gotee/tee"
)

// FIPS 202 / NIST CSRC example values: SHAKE128 and SHAKE256 of "" and "abc".
func TestSHAKEVectors(t *testing.T) {
	tests := []struct {
		alg  tee.Algorithm
		msg  string
		want string
	}{
		{tee.AlgSHAKE128, "", "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26"},
		{tee.AlgSHAKE128, "abc", "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8"},
		{tee.AlgSHAKE256, "", "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be"},
		{tee.AlgSHAKE256, "abc", "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4"},
	}
	for _, tc := range tests {
		t.Run(tc.alg.String()+"/"+tc.msg, func(t *testing.T) {
			want := unhex(t, tc.want)
			op := alloc(t, tc.alg, tee.ModeDigest, 0)
			defer op.Free()
			if info := op.Info(); info.DigestLength != 0 || info.HandleState != tee.FlagKeySet|tee.FlagInitialized {
				t.Fatalf("info %+v", info)
			}
			// The output is as long as the buffer: every prefix length, zero included.
			for _, n := range []int{0, 1, 7, len(want)} {
				msg := []byte(tc.msg)
				if len(msg) > 0 {
					op.DigestUpdate(msg[:1])
					msg = msg[1:]
				}
				got := make([]byte, n)
				m, err := op.DigestDoFinal(got, msg)
				if err != nil || m != n || !bytes.Equal(got, want[:n]) {
					t.Fatalf("%d bytes: %x, %d, %v; want %x", n, got, m, err, want[:n])
				}
				if op.State() != tee.StateInitial {
					t.Fatalf("state %v after DoFinal", op.State())
				}
			}
			// A copy mid-message finishes the same way.
			op.DigestUpdate([]byte(tc.msg))
			cp := alloc(t, tc.alg, tee.ModeDigest, 0)
			Copy(cp, op)
			a, b := make([]byte, 200), make([]byte, 200)
			op.DigestDoFinal(a, nil)
			cp.DigestDoFinal(b, nil)
			if !bytes.Equal(a, b) || !bytes.Equal(a[:len(want)], want) {
				t.Fatalf("copy: %x vs %x", a, b)
			}
		})
	}
}
