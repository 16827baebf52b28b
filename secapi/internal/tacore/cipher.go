package tacore

import (
	"crypto/subtle"
	"errors"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	aesBlock = 16
	gcmIV    = 12
	// maxGCM bounds a GCM message: the tag is computed over the buffered plaintext
	// (see gcmState), and it keeps the counter far from GCM's 2^32-block limit, below
	// which a 128-bit CTR counter and GCM's 32-bit one agree.
	maxGCM = 64 << 20
)

// cipherCtx is a cipher context: the SDK operation holds the expanded key for the
// context's lifetime, as the reference's context does.
type cipherCtx struct {
	alg, mode uint32
	rights    protocol.Rights
	pad       bool
	op        *ta.Operation // ECB/CBC/CTR, and GCM's keystream
	gcm       *gcmState
	done      bool
	ext       *extCipher // ChaCha20, RSA, EC ElGamal (cipher_ext.go)
	// held is PKCS#7 decryption's last plaintext block, kept back by process as the
	// reference's OpenSSL context keeps it (it may be the padding) and given out by
	// the next process or, unpadded, by process-last.
	held []byte
}

// gcmState streams GCM: the payload goes through AES-CTR from J0+1 as it arrives, as
// SecAPI's process returns output at once; the SDK's GCM, which is one-shot, computes
// the tag at the end over the plaintext kept here.
type gcmState struct {
	ae    *ta.Operation
	plain []byte
}

func (c *cipherCtx) free() {
	if c.ext != nil {
		c.ext.free()
	}
	if c.op != nil {
		c.op.Free()
	}
	if c.gcm != nil {
		c.gcm.ae.Free()
		clear(c.gcm.plain)
	}
	clear(c.held)
}

func aesOp(alg tee.Algorithm, mode tee.Mode, k []byte) (*ta.Operation, error) {
	bits := len(k) * 8
	obj, err := ta.AllocateTransientObject(tee.TypeAES, bits)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	defer obj.Free()
	if err := obj.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: k}); err != nil {
		return nil, protocol.StatusInternalError
	}
	op, err := ta.AllocateOperation(alg, mode, bits)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	if err := op.SetKey(obj); err != nil {
		op.Free()
		return nil, protocol.StatusInternalError
	}
	return op, nil
}

func usageFor(mode uint32) int {
	if mode == protocol.CipherModeEncrypt {
		return protocol.UsageEncrypt
	}
	return protocol.UsageDecrypt
}

func (s *slot) cipherInit(r *req_, now uint64) error {
	alg := r.rd.U32()
	if isExtCipher(alg) {
		return s.cipherInitExt(r, now, alg)
	}
	mode := r.rd.U32()
	kh := r.rd.U64()
	iv := r.rd.Var(protocol.MaxIV)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if alg > protocol.CipherAESGCM {
		if alg <= 10 {
			return protocol.StatusOperationNotSupported // RSA, EC ElGamal, ChaCha20: phase 2
		}
		return protocol.StatusInvalidParameter
	}
	if mode != protocol.CipherModeEncrypt && mode != protocol.CipherModeDecrypt {
		return protocol.StatusInvalidParameter
	}
	k, plain, err := s.use(kh, now, -1)
	if err != nil {
		return err
	}
	defer clear(plain)
	if k.hdr.Type != protocol.KeyTypeSymmetric || (len(plain) != 16 && len(plain) != 32) {
		return protocol.StatusInvalidKeyType
	}
	if !k.hdr.Rights.Has(usageFor(mode)) {
		return protocol.StatusOperationNotAllowed
	}
	c := &cipherCtx{alg: alg, mode: mode, rights: k.hdr.Rights}
	gmode := tee.ModeEncrypt
	if mode == protocol.CipherModeDecrypt {
		gmode = tee.ModeDecrypt
	}
	switch alg {
	case protocol.CipherAESECB, protocol.CipherAESECBPKCS7:
		c.pad = alg == protocol.CipherAESECBPKCS7
		if c.op, err = aesOp(tee.AlgAESECBNoPad, gmode, plain); err != nil {
			return err
		}
		c.op.CipherInit(nil)
	case protocol.CipherAESCBC, protocol.CipherAESCBCPKCS7, protocol.CipherAESCTR:
		if len(iv) != aesBlock {
			return protocol.StatusInvalidParameter
		}
		c.pad = alg == protocol.CipherAESCBCPKCS7
		galg := tee.AlgAESCBCNoPad
		if alg == protocol.CipherAESCTR {
			galg, gmode = tee.AlgAESCTR, tee.ModeEncrypt
		}
		if c.op, err = aesOp(galg, gmode, plain); err != nil {
			return err
		}
		c.op.CipherInit(iv)
	case protocol.CipherAESGCM:
		if len(iv) != gcmIV {
			return protocol.StatusInvalidParameter
		}
		if len(r.in) > protocol.MaxAAD {
			return protocol.StatusInvalidParameter
		}
		if c.op, err = aesOp(tee.AlgAESCTR, tee.ModeEncrypt, plain); err != nil {
			return err
		}
		ctr := make([]byte, aesBlock)
		copy(ctr, iv)
		ctr[15] = 2
		c.op.CipherInit(ctr)
		ae, err := aesOp(tee.AlgAESGCM, tee.ModeEncrypt, plain)
		if err != nil {
			c.op.Free()
			return err
		}
		if err := ae.AEInit(iv, 128, len(r.in), 0); err != nil {
			ae.Free()
			c.op.Free()
			return protocol.StatusInternalError
		}
		if len(r.in) > 0 {
			ae.AEUpdateAAD(append([]byte(nil), r.in...))
		}
		c.gcm = &gcmState{ae: ae}
	}
	h, err := s.ciphers.add(c)
	if err != nil {
		c.free()
		return err
	}
	return r.replyU64(h)
}

func (s *slot) cipherUpdateIV(r *req_) error {
	h := r.rd.U64()
	iv := r.rd.Var(protocol.MaxIV)
	if err := r.rd.Err(); err != nil {
		return err
	}
	c, err := s.ciphers.get(h)
	if err != nil {
		return err
	}
	switch c.alg {
	case protocol.CipherAESCBC, protocol.CipherAESCBCPKCS7, protocol.CipherAESCTR:
		if len(iv) != aesBlock {
			return protocol.StatusInvalidParameter
		}
		c.op.CipherInit(iv)
		c.done = false
		clear(c.held)
		c.held = nil
		return nil
	}
	return protocol.StatusInvalidParameter
}

// processAllowed is the check of every process call: the usage flag and validity of
// the key's rights as at init, output protection, and clear output needing
// SVP_OPTIONAL (a key without it decrypts, and encrypts, only into SVP buffers).
func (c *cipherCtx) processAllowed(now uint64, clearOut bool) bool {
	return c.rights.Has(usageFor(c.mode)) && allowedTime(&c.rights, now) &&
		allowedVideo(&c.rights, pollVideo()) && (!clearOut || c.rights.Has(protocol.UsageSVPOptional))
}

// svpRefused lists the algorithms the reference never lets touch an SVP buffer: the
// authenticated and asymmetric ones, whose output is not a stream of the input.
func svpRefused(alg uint32) bool {
	switch alg {
	case protocol.CipherAESGCM, protocol.CipherRSAPKCS1v15, protocol.CipherRSAOAEP,
		protocol.CipherECElGamal, protocol.CipherChaCha20Poly1305:
		return true
	}
	return false
}

// bindBuffers resolves the sa_buffers of CipherProcessBuffers in the reference's
// order of checks. An SVP input becomes r.in (TA memory, never seen by the REE); an
// SVP output replaces r.out by the buffer's window from its offset on, so that
// r.reply, the one path every cipher's output takes, writes into SVP memory, and
// r.outCap is what the window holds.
func (s *slot) bindBuffers(r *req_, c *cipherCtx, in, out protocol.BufferSpec, n uint64) (svpOut bool, err error) {
	switch {
	case in.Type > protocol.BufferSVP || out.Type > protocol.BufferSVP:
		return false, protocol.StatusInvalidParameter
	case (in.Type == protocol.BufferSVP || out.Type == protocol.BufferSVP) && svpRefused(c.alg):
		return false, protocol.StatusOperationNotAllowed
	case out.Type == protocol.BufferClear && in.Type != protocol.BufferClear:
		return false, protocol.StatusInvalidParameter
	case out.Type == protocol.BufferClear && !c.rights.Has(protocol.UsageSVPOptional):
		return false, protocol.StatusOperationNotAllowed
	}
	if out.Type == protocol.BufferSVP {
		b, err := s.svps.get(out.Handle)
		if err != nil {
			return false, protocol.StatusInvalidParameter
		}
		w := b.bytes()
		if w == nil || out.Offset > b.size {
			return false, protocol.StatusInvalidParameter
		}
		r.out, r.outCap, r.noOut = w[out.Offset:], int(b.size-out.Offset), false
	}
	if in.Type == protocol.BufferSVP {
		w, err := s.svpWindow(in.Handle, in.Offset, n)
		if err != nil {
			return false, err
		}
		r.in = w
	} else if r.in == nil || uint64(len(r.in)) != n {
		return false, protocol.StatusInvalidParameter
	}
	return out.Type == protocol.BufferSVP, nil
}

// cipherProcessBuffers is CipherProcess(Last)Buffers: the request of
// CipherProcess(Last) followed by the in and out sa_buffers and the byte count.
// With an SVP output the reply is the u64 count written into the buffer.
func (s *slot) cipherProcessBuffers(r *req_, now uint64, last bool) error {
	reply, outCap := r.out, r.outCap
	var svpOut, noReply, svpLocked bool
	defer func() {
		if svpLocked {
			s.svpMu.Unlock()
		}
	}()
	err := s.cipherProcessWith(r, now, last, func(c *cipherCtx, in, out protocol.BufferSpec, n uint64) (err error) {
		if in.Type == protocol.BufferSVP || out.Type == protocol.BufferSVP {
			// Held until the output is written; the context's use lock came first.
			s.svpMu.Lock()
			svpLocked = true
		}
		if out.Type == protocol.BufferSVP && outCap < 8 {
			r.need, noReply = 8, true
			return tee.ErrShortBuffer // no room for the reply: before anything happens
		}
		svpOut, err = s.bindBuffers(r, c, in, out, n)
		return err
	})
	if !svpOut {
		if errors.Is(err, tee.ErrShortBuffer) && !noReply {
			// An sa_buffer's length is what the caller has, not a size query.
			return protocol.StatusInvalidParameter
		}
		return err
	}
	written := r.n
	r.out, r.outCap, r.n = reply, outCap, 0
	if errors.Is(err, tee.ErrShortBuffer) {
		return protocol.StatusInvalidParameter // the SVP buffer is too small
	}
	if err != nil {
		return err
	}
	return r.replyU64(uint64(written))
}

func (s *slot) cipherProcess(r *req_, now uint64, last bool) error {
	return s.cipherProcessWith(r, now, last, nil)
}

// binder resolves the sa_buffers of a CipherProcessBuffers request (bindBuffers).
type binder func(c *cipherCtx, in, out protocol.BufferSpec, n uint64) error

// cipherProcessWith runs a process call. Every cipher's output leaves through
// r.reply: with bind set, that is where an SVP destination takes it (bindBuffers),
// so a cipher kind that replies through r.reply and reads r.in works with SVP
// buffers unchanged.
func (s *slot) cipherProcessWith(r *req_, now uint64, last bool, bind binder) error {
	h := r.rd.U64()
	var tagLen uint32
	var tag []byte
	if last {
		tagLen = r.rd.U32()
		tag = r.rd.Var(protocol.MaxTag)
	}
	var inSpec, outSpec protocol.BufferSpec
	var n uint64
	if bind != nil {
		inSpec, outSpec = protocol.GetBufferSpec(r.rd), protocol.GetBufferSpec(r.rd)
		n = r.rd.U64()
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	c, err := s.ciphers.get(h)
	if err != nil {
		return err
	}
	clearOut := true
	if bind != nil {
		if err := bind(c, inSpec, outSpec, n); err != nil {
			return err
		}
		clearOut = outSpec.Type == protocol.BufferClear
	}
	if c.ext != nil {
		return s.cipherProcessExt(r, c, now, last, tagLen, tag, clearOut)
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if c.done {
		return protocol.StatusInvalidParameter
	}
	in := r.in
	block := c.alg <= protocol.CipherAESCBCPKCS7
	switch {
	case block && !c.pad && len(in)%aesBlock != 0,
		block && c.pad && !last && len(in)%aesBlock != 0,
		c.pad && last && c.mode == protocol.CipherModeEncrypt && len(in) > aesBlock,
		c.pad && last && c.mode == protocol.CipherModeDecrypt && len(in) != aesBlock && len(in) != 0:
		return protocol.StatusInvalidParameter
	}
	if c.gcm != nil && (len(c.gcm.plain)+len(in) > maxGCM || last && tagLen > protocol.MaxTag) {
		return protocol.StatusInvalidParameter
	}
	if c.gcm != nil && last && c.mode == protocol.CipherModeDecrypt && int(tagLen) != len(tag) {
		return protocol.StatusInvalidParameter
	}
	if !c.processAllowed(now, clearOut) {
		return protocol.StatusOperationNotAllowed
	}
	if r.noOut {
		return protocol.StatusNullParameter
	}
	need := len(in)
	switch {
	case c.pad && last && c.mode == protocol.CipherModeEncrypt:
		need = len(in)/aesBlock*aesBlock + aesBlock
	case c.pad && last:
		need = len(c.held) + len(in)
	case c.gcm != nil && last && c.mode == protocol.CipherModeEncrypt:
		need += int(tagLen)
	}
	if need > r.outCap {
		// Before any state changes, so the caller can retry with a larger buffer.
		r.need = need
		return tee.ErrShortBuffer
	}
	if c.gcm == nil && (!c.pad || !last && c.mode == protocol.CipherModeEncrypt) {
		// Block or stream output with nothing decided on the input: it goes straight
		// from the input to the output, read in place unless the two overlap (two
		// windows of one SVP buffer), which Go's ciphers refuse.
		src, dst := in, r.out[:len(in)]
		if overlaps(src, dst) {
			src = append([]byte(nil), in...)
			defer clear(src)
		}
		if n, err := c.op.CipherUpdate(dst, src); err != nil || n != len(src) {
			return protocol.StatusInternalError
		}
		if last {
			c.done = true
		}
		r.n = len(in)
		return nil
	}
	// Padding and GCM decide on the input (or keep it for the tag): work on a private
	// copy, since shared memory can change under us.
	src := append([]byte(nil), in...)
	defer clear(src)
	switch {
	case c.pad && last && c.mode == protocol.CipherModeEncrypt:
		n := aesBlock - len(src)%aesBlock
		for range n {
			src = append(src, byte(n))
		}
		out, err := update(c.op, src)
		if err != nil {
			return err
		}
		c.done = true
		return r.reply(out)
	case c.pad && !last: // decrypting: everything but the last block goes out
		plain, err := update(c.op, src)
		if err != nil {
			return err
		}
		out := append(append([]byte(nil), c.held...), plain...)
		clear(plain)
		clear(c.held)
		defer clear(out)
		c.held = append([]byte(nil), out[len(out)-aesBlock:]...)
		return r.reply(out[:len(out)-aesBlock])
	case c.pad && last:
		plain, err := update(c.op, src)
		if err != nil {
			return err
		}
		out := append(append([]byte(nil), c.held...), plain...)
		clear(plain)
		clear(c.held)
		c.held = nil
		defer clear(out)
		if len(out) < aesBlock {
			return protocol.StatusVerificationFailed // nothing to unpad
		}
		tail := out[len(out)-aesBlock:]
		n := int(tail[aesBlock-1])
		good := 1
		if n == 0 || n > aesBlock {
			good, n = 0, aesBlock
		}
		for i := aesBlock - n; i < aesBlock; i++ {
			good &= subtle.ConstantTimeByteEq(tail[i], byte(n))
		}
		if good != 1 {
			return protocol.StatusVerificationFailed
		}
		c.done = true
		return r.reply(out[:len(out)-n])
	case c.gcm != nil:
		return s.gcmProcess(r, c, src, last, int(tagLen), tag)
	default:
		out, err := update(c.op, src)
		if err != nil {
			return err
		}
		if last {
			c.done = true
		}
		return r.reply(out)
	}
}

func update(op *ta.Operation, src []byte) ([]byte, error) {
	out := make([]byte, len(src))
	n, err := op.CipherUpdate(out, src)
	if err != nil || n != len(src) {
		return nil, protocol.StatusInternalError
	}
	return out, nil
}

func (s *slot) gcmProcess(r *req_, c *cipherCtx, src []byte, last bool, tagLen int, tag []byte) error {
	if last && len(c.gcm.plain) == 0 && c.mode == protocol.CipherModeEncrypt {
		// The whole message at once, the common case: the SDK's GCM writes the
		// ciphertext straight into the output, one pass instead of keystream,
		// buffering and a second encryption for the tag.
		c.done = true
		full := make([]byte, aesBlock)
		out := r.out[:len(src)+tagLen]
		if _, _, err := c.gcm.ae.AEEncryptFinal(out[:len(src)], full, src); err != nil {
			return protocol.StatusInternalError
		}
		copy(out[len(src):], full[:tagLen])
		r.n = len(out)
		return nil
	}
	out, err := update(c.op, src)
	if err != nil {
		return err
	}
	if c.mode == protocol.CipherModeEncrypt {
		c.gcm.plain = append(c.gcm.plain, src...)
	} else {
		c.gcm.plain = append(c.gcm.plain, out...)
	}
	if !last {
		return r.reply(out)
	}
	c.done = true
	full := make([]byte, aesBlock)
	scratch := make([]byte, len(c.gcm.plain))
	_, _, err = c.gcm.ae.AEEncryptFinal(scratch, full, c.gcm.plain)
	clear(c.gcm.plain)
	c.gcm.plain = nil
	if err != nil {
		return protocol.StatusInternalError
	}
	if c.mode == protocol.CipherModeDecrypt {
		if subtle.ConstantTimeCompare(full[:tagLen], tag) != 1 {
			clear(out)
			return protocol.StatusVerificationFailed
		}
		return r.reply(out)
	}
	return r.reply(append(out, full[:tagLen]...))
}
