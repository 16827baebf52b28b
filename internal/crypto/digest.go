package crypto

import (
	"crypto/sha3"
	"hash"
	"slices"

	"github.com/gotee/gotee/tee"
)

// digestEngine runs a digest: a fixed-length hash.Hash, or for SHAKE128/256 an
// extendable-output function whose output length is whatever TEE_DigestDoFinal asks for.
// Once TEE_DigestExtract has begun, a fixed-length digest is held in sum and handed out
// from off; a SHAKE is simply squeezed further.
type digestEngine struct {
	h      hash.Hash
	xof    *sha3.SHAKE
	newXOF func() *sha3.SHAKE
	sum    []byte // the finished digest while extracting (fixed-length hashes)
	off    int    // how much of sum has been extracted
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
	return &digestEngine{h: cloneHash(d.h), sum: slices.Clone(d.sum), off: d.off}
}

func (d *digestEngine) wipe() {
	clear(d.sum)
	d.sum, d.off = nil, 0
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

// DigestUpdate feeds chunk to a digest operation (TEE_DigestUpdate, §6.3.1). Once
// DigestExtract has begun, the message is closed: DigestUpdate panics until DigestDoFinal
// or Reset starts a new one.
func (op *Operation) DigestUpdate(chunk []byte) {
	const fn = "TEE_DigestUpdate"
	op.requireClass(fn, tee.ClassDigest)
	if op.state == tee.StateExtracting {
		misuse(fn, "the operation is extracting its digest")
	}
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
//
// After DigestExtract, chunk must be empty (else it panics, as in OP-TEE) and
// DigestDoFinal hands out what is left: the rest of a fixed-length digest, as much as
// fits in dst (never ErrShortBuffer), or len(dst) more bytes of a SHAKE's output.
func (op *Operation) DigestDoFinal(dst, chunk []byte) (int, error) {
	const fn = "TEE_DigestDoFinal"
	op.requireClass(fn, tee.ClassDigest)
	d := op.eng.(*digestEngine)
	if op.state == tee.StateExtracting {
		if len(chunk) != 0 {
			misuse(fn, "the operation is extracting its digest: no more input")
		}
		var n int
		if d.xof != nil {
			d.xof.Read(dst)
			n = len(dst)
		} else {
			n = copy(dst, d.sum[d.off:])
		}
		op.reset()
		return n, nil
	}
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

// DigestExtract writes the next len(dst) bytes of the digest of the message fed so far
// into dst and returns how many it wrote (TEE_DigestExtract, GP 1.3.1 §6.3). The first
// call closes the message and puts the operation in the extracting state
// (tee.StateExtracting, handle flag tee.FlagExtracting); later calls continue where the
// last stopped. A fixed-length digest runs out: once all of it is extracted, DigestExtract
// writes 0 bytes. SHAKE128 and SHAKE256 never run out: each call squeezes len(dst) more
// bytes, and the concatenation is the output DigestDoFinal would have given in one
// buffer. In the extracting state DigestUpdate panics, DigestDoFinal (with no chunk)
// returns the rest, and Reset starts over. This is OP-TEE's TEE_DigestExtract, except
// that FlagExtracting is cleared again when the operation returns to the initial state.
func (op *Operation) DigestExtract(dst []byte) int {
	const fn = "TEE_DigestExtract"
	op.requireClass(fn, tee.ClassDigest)
	d := op.eng.(*digestEngine)
	if op.state != tee.StateExtracting {
		if d.xof == nil {
			d.sum = d.h.Sum(nil)
			d.off = 0
		}
		op.state = tee.StateExtracting
		op.handle |= tee.FlagExtracting
	}
	if d.xof != nil {
		d.xof.Read(dst)
		return len(dst)
	}
	n := copy(dst, d.sum[d.off:])
	d.off += n
	return n
}
