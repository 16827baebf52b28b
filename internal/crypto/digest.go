package crypto

import (
	"hash"

	"github.com/gotee/gotee/tee"
)

type digestEngine struct{ h hash.Hash }

func newDigestEngine(s *spec) *digestEngine { return &digestEngine{h: s.newHash()} }

func (d *digestEngine) clone() engine { return &digestEngine{h: cloneHash(d.h)} }
func (d *digestEngine) wipe()         { d.h.Reset() }

// cloneHash copies a running hash. Every hash this package builds implements
// hash.Cloner (Go's own, HMAC over them, and sha3Hash); a failure is a bug here.
func cloneHash(h hash.Hash) hash.Hash {
	c, err := h.(hash.Cloner).Clone()
	if err != nil {
		panic("crypto: cloning a hash: " + err.Error())
	}
	return c
}

// DigestUpdate feeds chunk to a digest operation (TEE_DigestUpdate, §6.3.1).
func (op *Operation) DigestUpdate(chunk []byte) {
	const fn = "TEE_DigestUpdate"
	op.requireClass(fn, tee.ClassDigest)
	op.eng.(*digestEngine).h.Write(chunk)
	op.state = tee.StateActive
}

// DigestDoFinal feeds chunk, writes the digest to dst and returns its length
// (TEE_DigestDoFinal, §6.3.2). The operation is then back in the initial state, ready for
// a new message. If dst is shorter than the digest it returns the digest length and
// tee.ErrShortBuffer without consuming chunk.
func (op *Operation) DigestDoFinal(dst, chunk []byte) (int, error) {
	const fn = "TEE_DigestDoFinal"
	op.requireClass(fn, tee.ClassDigest)
	n := op.digestLen
	if len(dst) < n {
		return n, tee.ErrShortBuffer
	}
	h := op.eng.(*digestEngine).h
	h.Write(chunk)
	h.Sum(dst[:0])
	h.Reset()
	op.state = tee.StateInitial
	return n, nil
}
