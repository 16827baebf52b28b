package crypto

import (
	"crypto/sha3"
	"hash"

	"github.com/gotee/gotee/tee"
)

// digestEngine runs a digest: a fixed-length hash.Hash, or for SHAKE128/256 an
// extendable-output function whose output length is whatever TEE_DigestDoFinal asks for.
type digestEngine struct {
	h      hash.Hash
	xof    *sha3.SHAKE
	newXOF func() *sha3.SHAKE
}

func newDigestEngine(s *spec) *digestEngine {
	if s.newXOF != nil {
		return &digestEngine{xof: s.newXOF(), newXOF: s.newXOF}
	}
	return &digestEngine{h: s.newHash()}
}

func (d *digestEngine) clone() engine {
	if d.xof != nil {
		return &digestEngine{xof: cloneSHAKE(d.xof, d.newXOF()), newXOF: d.newXOF}
	}
	return &digestEngine{h: cloneHash(d.h)}
}

func (d *digestEngine) wipe() {
	if d.xof != nil {
		d.xof.Reset()
		return
	}
	d.h.Reset()
}

func (d *digestEngine) write(p []byte) {
	if d.xof != nil {
		d.xof.Write(p)
		return
	}
	d.h.Write(p)
}

// cloneHash copies a running hash. Every hash this package builds implements
// hash.Cloner (Go's own, HMAC over them, sha3Hash and sm3Hash); a failure is a bug here.
func cloneHash(h hash.Hash) hash.Hash {
	c, err := h.(hash.Cloner).Clone()
	if err != nil {
		panic("crypto: cloning a hash: " + err.Error())
	}
	return c
}

// cloneSHAKE copies the running state of s into c, a fresh SHAKE of the same kind,
// through binary marshaling, which is all crypto/sha3 offers for that.
func cloneSHAKE(s, c *sha3.SHAKE) *sha3.SHAKE {
	state, err := s.MarshalBinary()
	if err == nil {
		if err = c.UnmarshalBinary(state); err == nil {
			clear(state)
			return c
		}
	}
	panic("crypto: cloning SHAKE: " + err.Error())
}

// DigestUpdate feeds chunk to a digest operation (TEE_DigestUpdate, §6.3.1).
func (op *Operation) DigestUpdate(chunk []byte) {
	const fn = "TEE_DigestUpdate"
	op.requireClass(fn, tee.ClassDigest)
	op.eng.(*digestEngine).write(chunk)
	op.state = tee.StateActive
}

// DigestDoFinal feeds chunk, writes the digest to dst and returns its length
// (TEE_DigestDoFinal, §6.3.2). The operation is then back in the initial state, ready for
// a new message. If dst is shorter than the digest it returns the digest length and
// tee.ErrShortBuffer without consuming chunk.
//
// SHAKE128 and SHAKE256 are extendable-output functions: they fill all of dst, whatever
// its length (zero included), and never return ErrShortBuffer; their Info().DigestLength
// is 0. This is what OP-TEE does.
func (op *Operation) DigestDoFinal(dst, chunk []byte) (int, error) {
	const fn = "TEE_DigestDoFinal"
	op.requireClass(fn, tee.ClassDigest)
	d := op.eng.(*digestEngine)
	if d.xof != nil {
		d.xof.Write(chunk)
		d.xof.Read(dst)
		d.xof.Reset()
		op.state = tee.StateInitial
		return len(dst), nil
	}
	n := op.digestLen
	if len(dst) < n {
		return n, tee.ErrShortBuffer
	}
	d.h.Write(chunk)
	d.h.Sum(dst[:0])
	d.h.Reset()
	op.state = tee.StateInitial
	return n, nil
}
