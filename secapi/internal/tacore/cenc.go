package tacore

import (
	"encoding/binary"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Common encryption (ISO/IEC 23001-7): sa_process_common_encryption decrypts one
// sample per command with the sample's cipher context, which must be an AES-CTR
// (cenc, cens) or AES-CBC (cbc1, cbcs) decryption context. Within a sample:
//   - the clear bytes of each subsample are copied as they are;
//   - crypt_byte_block 0 (cenc, cbc1) decrypts each subsample's protected bytes
//     whole; CBC leaves a trailing partial block clear;
//   - otherwise (cens, cbcs) the protected bytes are stripes of crypt_byte_block
//     encrypted and skip_byte_block clear 16-byte blocks, the pattern restarting at
//     each subsample, and a trailing partial block is clear;
//   - CTR's keystream runs on across subsamples and stripes, byte by byte; its counter
//     is the IV's low 64 bits, which wrap without carrying into the high 64 (the IV is
//     an 8-byte nonce and an 8-byte block counter);
//   - CBC chains across the whole sample for cbc1, and restarts from the sample's
//     constant IV at each subsample for cbcs, chaining over the encrypted stripes.
// These are the reference's rules (and RDK's test vectors are built by them).

// ctrStream is cenc's AES-CTR with a 64-bit counter, over the context's SDK CTR
// operation.
type ctrStream struct {
	op     *ta.Operation
	ctr    [aesBlock]byte // the next counter block
	ks     [aesBlock]byte // keystream of the block before ctr
	used   int            // bytes of ks consumed (aesBlock: none left)
	synced bool           // op's own counter is at ctr
}

func (st *ctrStream) advance(blocks uint64) {
	low := binary.BigEndian.Uint64(st.ctr[8:])
	binary.BigEndian.PutUint64(st.ctr[8:], low+blocks)
}

// xor writes src XOR keystream to dst (same length, not overlapping).
func (st *ctrStream) xor(dst, src []byte) error {
	for len(src) > 0 && st.used < aesBlock {
		dst[0] = src[0] ^ st.ks[st.used]
		st.used++
		dst, src = dst[1:], src[1:]
	}
	for full := len(src) / aesBlock; full > 0; {
		low := binary.BigEndian.Uint64(st.ctr[8:])
		n := uint64(full)
		toWrap := -low // blocks until the low half wraps; 0 means 2^64
		if toWrap != 0 && toWrap < n {
			n = toWrap
		}
		if !st.synced {
			st.op.CipherInit(st.ctr[:])
		}
		k := int(n) * aesBlock
		if c, err := st.op.CipherUpdate(dst[:k], src[:k]); err != nil || c != k {
			return protocol.StatusInternalError
		}
		st.advance(n)
		// At the wrap the SDK's 128-bit counter carries, ours does not.
		st.synced = n != toWrap
		dst, src, full = dst[k:], src[k:], full-int(n)
	}
	if len(src) > 0 {
		if !st.synced {
			st.op.CipherInit(st.ctr[:])
		}
		var zero [aesBlock]byte
		if c, err := st.op.CipherUpdate(st.ks[:], zero[:]); err != nil || c != aesBlock {
			return protocol.StatusInternalError
		}
		st.synced = binary.BigEndian.Uint64(st.ctr[8:]) != ^uint64(0)
		st.advance(1)
		st.used = 0
		for i := range src {
			dst[i] = src[i] ^ st.ks[i]
		}
		st.used = len(src)
	}
	return nil
}

func (st *ctrStream) wipe() { clear(st.ks[:]); clear(st.ctr[:]) }

// cencRequired is the sample's length: the sum of its subsamples, or ok false on
// overflow.
func cencRequired(subs []protocol.Subsample) (uint64, bool) {
	var n uint64
	for _, ss := range subs {
		l := ss.Clear + ss.Protected
		if l < ss.Clear || n+l < n {
			return 0, false
		}
		n += l
	}
	return n, true
}

// svpOverlap reports whether two validated SVP windows of n bytes share a byte of one
// region (a common start counts even when empty), as the reference refuses.
func (s *slot) svpOverlap(a, b protocol.BufferSpec, n uint64) bool {
	ab, err1 := s.svps.get(a.Handle)
	bb, err2 := s.svps.get(b.Handle)
	if err1 != nil || err2 != nil || ab.mem != bb.mem {
		return false
	}
	x, y := ab.off+a.Offset, bb.off+b.Offset
	return x == y || x < y+n && y < x+n
}

func (s *slot) processCommonEncryption(r *req_, now uint64) error {
	sm := protocol.GetSample(r.rd)
	if err := r.rd.Err(); err != nil {
		return err
	}
	switch {
	case len(sm.IV) != aesBlock, len(sm.Subsamples) < 1, sm.CryptBlocks == 0 && sm.SkipBlocks != 0:
		return protocol.StatusInvalidParameter
	}
	// The context's use lock, then the SVP lock: the order cipher process takes them.
	c, unlock, err := s.ciphers.hold(sm.Cipher, true)
	if err != nil {
		return protocol.StatusInvalidParameter
	}
	defer unlock()
	s.svpMu.Lock()
	defer s.svpMu.Unlock()
	if c.mode != protocol.CipherModeDecrypt {
		return protocol.StatusInvalidParameter
	}
	if !c.rights.Has(protocol.UsageDecrypt) || !allowedTime(&c.rights, now) || !allowedVideo(&c.rights, pollVideo()) {
		return protocol.StatusOperationNotAllowed
	}
	switch {
	case sm.Out.Type > protocol.BufferSVP, sm.In.Type > protocol.BufferSVP,
		c.alg != protocol.CipherAESCTR && c.alg != protocol.CipherAESCBC,
		sm.Out.Type == protocol.BufferClear && sm.In.Type != protocol.BufferClear:
		return protocol.StatusInvalidParameter
	case sm.Out.Type == protocol.BufferClear && !c.rights.Has(protocol.UsageSVPOptional):
		return protocol.StatusOperationNotAllowed
	}
	need, ok := cencRequired(sm.Subsamples)
	if !ok || need > protocol.MaxData {
		return protocol.StatusInvalidParameter
	}
	var dst, src []byte
	if sm.Out.Type == protocol.BufferSVP {
		if dst, err = s.svpWindow(sm.Out.Handle, sm.Out.Offset, need); err != nil {
			return err
		}
	} else {
		if r.noOut {
			return protocol.StatusNullParameter
		}
		if int(need) > r.outCap {
			r.need = int(need)
			return tee.ErrShortBuffer
		}
		dst = r.out[:need]
	}
	if sm.In.Type == protocol.BufferSVP {
		if src, err = s.svpWindow(sm.In.Handle, sm.In.Offset, need); err != nil {
			return err
		}
		if sm.Out.Type == protocol.BufferSVP && s.svpOverlap(sm.Out, sm.In, need) {
			return protocol.StatusInvalidParameter
		}
	} else {
		if r.in == nil {
			return protocol.StatusNullParameter
		}
		if uint64(len(r.in)) != need {
			return protocol.StatusInvalidParameter
		}
	}
	// A private copy: the input may be shared memory, and SVP input may be the same
	// region as the output.
	in := append(s.cencIn[:0], src...)
	if sm.In.Type == protocol.BufferClear {
		in = append(in, r.in...)
	}
	s.cencIn = in
	defer clear(in)
	if err := cencDecrypt(c, &sm, dst, in); err != nil {
		clear(dst)
		return err
	}
	if sm.Out.Type == protocol.BufferClear {
		r.n = int(need)
	}
	return nil
}

// cencDecrypt decrypts the sample in into out (both the sample's length).
func cencDecrypt(c *cipherCtx, sm *protocol.Sample, out, in []byte) error {
	ctr := c.alg == protocol.CipherAESCTR
	var st ctrStream
	if ctr {
		st = ctrStream{op: c.op, used: aesBlock}
		copy(st.ctr[:], sm.IV)
		defer st.wipe()
	} else {
		c.op.CipherInit(sm.IV)
	}
	// dec decrypts the next n bytes (whole blocks for CBC).
	dec := func(o, i []byte) error {
		if ctr {
			return st.xor(o, i)
		}
		if n, err := c.op.CipherUpdate(o, i); err != nil || n != len(i) {
			return protocol.StatusInternalError
		}
		return nil
	}
	pos := uint64(0)
	for _, ss := range sm.Subsamples {
		copy(out[pos:pos+ss.Clear], in[pos:pos+ss.Clear])
		pos += ss.Clear
		end := pos + ss.Protected
		if sm.CryptBlocks == 0 {
			body := ss.Protected
			if !ctr {
				body -= body % aesBlock
			}
			if err := dec(out[pos:pos+body], in[pos:pos+body]); err != nil {
				return err
			}
			pos += body
		} else {
			if !ctr {
				c.op.CipherInit(sm.IV)
			}
			for end-pos >= aesBlock {
				whole := (end - pos) / aesBlock * aesBlock
				k := stripe(sm.CryptBlocks, whole)
				if err := dec(out[pos:pos+k], in[pos:pos+k]); err != nil {
					return err
				}
				pos += k
				k = stripe(sm.SkipBlocks, whole-k)
				copy(out[pos:pos+k], in[pos:pos+k])
				pos += k
			}
		}
		copy(out[pos:end], in[pos:end])
		pos = end
	}
	return nil
}

// stripe is the length of a pattern stripe of blocks 16-byte blocks with whole bytes
// of whole blocks left, without overflow for any block count.
func stripe(blocks, whole uint64) uint64 {
	if blocks >= whole/aesBlock {
		return whole
	}
	return blocks * aesBlock
}
