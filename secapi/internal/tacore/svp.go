package tacore

import (
	"crypto/subtle"

	"golang.org/x/sys/unix"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Simulated secure video path. SVP memory is TA memory: a region lives in the slot
// that allocated it and no command ever returns its bytes. What enters a region
// comes from sa_svp_buffer_write, sa_svp_buffer_copy, cipher output and common
// encryption; what a caller can learn is only whether a digest (buffer check, for
// calling TAs only, as the reference) or a key check matches. The REE library
// stands for a region with an address range it reserves PROT_NONE, so a stray read of
// "SVP memory" in the normal world faults as it would on a device.

// svpMemory is one region (sa_svp_memory_alloc). Its bytes are a mapping of their
// own, outside the Go heap, as a device's secure carve-out is memory apart, and a
// region no larger than one operation's output (protocol.MaxData) is populated when
// allocated, as a carve-out is there before it is used: a fresh heap slice faulted
// its pages in during the first cipher or cenc into it, which in a virtual machine
// cost a 1 MB sample up to 25 ms (RDK's cenc tests allocate, process once and free;
// their limit is 10 ms). Larger regions fault in as they are used, so that one small
// request cannot commit a slot's whole 256 MiB at once. Freed, a region is unmapped
// at once, leaving the garbage collector nothing; the mapping is also kept out of
// core dumps.
type svpMemory struct {
	b     []byte
	freed bool // set by free; buffers still on the region then fail
}

// mapSVP maps a zeroed region of size bytes (none for 0), size at most
// protocol.MaxSVPBytes.
func mapSVP(size uint64) ([]byte, error) {
	if size == 0 {
		return []byte{}, nil
	}
	flags := unix.MAP_PRIVATE | unix.MAP_ANONYMOUS
	if size <= protocol.MaxData {
		flags |= unix.MAP_POPULATE
	}
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return nil, protocol.StatusNoAvailableResourceSlot
	}
	unix.Madvise(b, unix.MADV_DONTDUMP) // advice only: a kernel without it still works
	return b, nil
}

func unmapSVP(b []byte) {
	if len(b) > 0 {
		unix.Munmap(b)
	}
}

// svpBuffer is an SVP buffer (sa_svp_buffer): a window [off, off+size) of a region.
type svpBuffer struct {
	mem       *svpMemory
	memHandle uint64
	off, size uint64
}

// bytes is the buffer's window, nil if its region is gone.
func (b *svpBuffer) bytes() []byte {
	if b.mem.freed {
		return nil
	}
	return b.mem.b[b.off : b.off+b.size]
}

func (s *slot) freeSVPMemory(m *svpMemory) {
	if m.freed {
		return
	}
	s.svpBytes -= uint64(len(m.b))
	unmapSVP(m.b) // the pages go back to the kernel; nothing can read them again
	m.b, m.freed = nil, true
}

// isREE reports whether the slot's caller is a normal-world client, to which the
// reference refuses the checks that would let it probe SVP contents.
func (s *slot) isREE() bool { return s.identity.Login != tee.LoginTrustedApp }

// rangeIn reports whether [off, off+n) lies within size, without overflow.
func rangeIn(off, n, size uint64) bool { return off <= size && n <= size-off }

// svpWindow resolves an SVP sa_buffer for a cipher or cenc operation of n bytes at
// off, as the reference's buffer conversion: an unknown handle, a buffer whose
// memory is gone or a range past its end are all INVALID_PARAMETER.
func (s *slot) svpWindow(h, off, n uint64) ([]byte, error) {
	b, err := s.svps.get(h)
	if err != nil {
		return nil, protocol.StatusInvalidParameter
	}
	w := b.bytes()
	if w == nil || !rangeIn(off, n, b.size) {
		return nil, protocol.StatusInvalidParameter
	}
	return w[off : off+n], nil
}

func (s *slot) svpMemoryAlloc(size uint64) (uint64, *svpMemory, error) {
	if size > protocol.MaxSVPBytes-s.svpBytes {
		return 0, nil, protocol.StatusNoAvailableResourceSlot
	}
	b, err := mapSVP(size)
	if err != nil {
		return 0, nil, err
	}
	m := &svpMemory{b: b}
	h, err := s.svpMem.add(m)
	if err != nil {
		unmapSVP(b)
		return 0, nil, err
	}
	s.svpBytes += size
	return h, m, nil
}

func (s *slot) svpBufferCreate(mh uint64, off, size uint64) (uint64, error) {
	m, err := s.svpMem.get(mh)
	if err != nil {
		return 0, err
	}
	if !rangeIn(off, size, uint64(len(m.b))) {
		return 0, protocol.StatusInvalidSVPBuffer
	}
	return s.svps.add(&svpBuffer{mem: m, memHandle: mh, off: off, size: size})
}

func (s *slot) svpCommand(cmd uint32, r *req_, now uint64) error {
	switch cmd {
	case protocol.CmdSVPSupported:
		return r.rd.Err()
	case protocol.CmdSVPMemoryAlloc:
		size := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		h, _, err := s.svpMemoryAlloc(size)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case protocol.CmdSVPMemoryFree:
		h := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		m, err := s.svpMem.remove(h)
		if err != nil {
			return err
		}
		s.freeSVPMemory(m)
		return nil
	case protocol.CmdSVPBufferCreate:
		mh, off, size := r.rd.U64(), r.rd.U64(), r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		h, err := s.svpBufferCreate(mh, off, size)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case protocol.CmdSVPBufferAlloc:
		size := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		if r.outCap < 16 {
			r.need = 16
			return tee.ErrShortBuffer // before anything is allocated
		}
		mh, m, err := s.svpMemoryAlloc(size)
		if err != nil {
			return err
		}
		h, err := s.svpBufferCreate(mh, 0, size)
		if err != nil {
			s.svpMem.remove(mh)
			s.freeSVPMemory(m)
			return err
		}
		var w protocol.Writer
		w.U64(h)
		w.U64(mh)
		return r.reply(w.Buf)
	case protocol.CmdSVPBufferFree:
		h := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		if r.outCap < 8 {
			r.need = 8
			return tee.ErrShortBuffer
		}
		b, err := s.svps.remove(h)
		if err != nil {
			return err
		}
		// The reply names the memory freed (INVALID_HANDLE if it was gone), so the
		// library can drop its address range.
		freed := ^uint64(0)
		if m, err := s.svpMem.get(b.memHandle); err == nil && m == b.mem {
			s.svpMem.remove(b.memHandle)
			s.freeSVPMemory(m)
			freed = b.memHandle
		}
		return r.replyU64(freed)
	case protocol.CmdSVPBufferRelease:
		h := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		if r.outCap < 24 {
			r.need = 24
			return tee.ErrShortBuffer
		}
		b, err := s.svps.remove(h)
		if err != nil {
			return err
		}
		var w protocol.Writer
		w.U64(b.memHandle)
		w.U64(b.off)
		w.U64(b.size)
		return r.reply(w.Buf)
	case protocol.CmdSVPBufferWrite:
		return s.svpWrite(r)
	case protocol.CmdSVPBufferCopy:
		return s.svpCopy(r)
	case protocol.CmdSVPKeyCheck:
		return s.svpKeyCheck(r, now)
	case protocol.CmdSVPBufferCheck:
		return s.svpBufferCheck(r)
	}
	return protocol.StatusOperationNotSupported
}

// offsetsOK checks every offset before anything is copied, as the reference: both
// ranges inside their buffers, without overflow.
func offsetsOK(offs []protocol.Offset, outSize, inSize uint64) bool {
	for _, o := range offs {
		if !rangeIn(o.Out, o.Length, outSize) || !rangeIn(o.In, o.Length, inSize) {
			return false
		}
	}
	return true
}

func (s *slot) svpWrite(r *req_) error {
	h := r.rd.U64()
	n := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	need := uint64(n) * protocol.OffsetSize
	if need > uint64(len(r.in)) {
		return protocol.StatusInvalidParameter
	}
	// The offsets decide what is written where: copy them out of shared memory.
	offs, ok := protocol.GetOffsets(append([]byte(nil), r.in[:need]...), n)
	if !ok {
		return protocol.StatusInvalidParameter
	}
	data := r.in[need:]
	b, err := s.svps.get(h)
	if err != nil {
		return err
	}
	w := b.bytes()
	if w == nil || !offsetsOK(offs, b.size, uint64(len(data))) {
		return protocol.StatusInvalidSVPBuffer
	}
	for _, o := range offs {
		copy(w[o.Out:o.Out+o.Length], data[o.In:o.In+o.Length])
	}
	return nil
}

func (s *slot) svpCopy(r *req_) error {
	oh, ih := r.rd.U64(), r.rd.U64()
	n := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if uint64(len(r.in)) != uint64(n)*protocol.OffsetSize {
		return protocol.StatusInvalidParameter
	}
	offs, ok := protocol.GetOffsets(append([]byte(nil), r.in...), n)
	if !ok {
		return protocol.StatusInvalidParameter
	}
	out, err := s.svps.get(oh)
	if err != nil {
		return err
	}
	in, err := s.svps.get(ih)
	if err != nil {
		return err
	}
	ow, iw := out.bytes(), in.bytes()
	if ow == nil || iw == nil || !offsetsOK(offs, out.size, in.size) {
		return protocol.StatusInvalidSVPBuffer
	}
	for _, o := range offs {
		copy(ow[o.Out:o.Out+o.Length], iw[o.In:o.In+o.Length])
	}
	return nil
}

// svpKeyCheck is sa_svp_key_check: AES-ECB decryption of the input into TA memory,
// compared with the expected bytes. Statuses and their order are the reference's.
func (s *slot) svpKeyCheck(r *req_, now uint64) error {
	kh := r.rd.U64()
	spec := protocol.GetBufferSpec(r.rd)
	n := r.rd.U64()
	expLen := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if n%aesBlock != 0 || expLen != n {
		return protocol.StatusInvalidParameter
	}
	clearLen := uint64(0)
	if spec.Type == protocol.BufferClear {
		clearLen = n
	}
	if uint64(len(r.in)) != clearLen+expLen {
		return protocol.StatusInvalidParameter
	}
	k, plain, err := s.use(kh, now, protocol.UsageDecrypt)
	if err != nil {
		return err
	}
	defer clear(plain)
	switch {
	case spec.Type == protocol.BufferClear && !k.hdr.Rights.Has(protocol.UsageSVPOptional),
		spec.Type == protocol.BufferSVP && s.isREE():
		return protocol.StatusOperationNotAllowed
	case spec.Type != protocol.BufferClear && spec.Type != protocol.BufferSVP:
		return protocol.StatusInvalidParameter
	}
	if k.hdr.Type != protocol.KeyTypeSymmetric || (len(plain) != 16 && len(plain) != 32) {
		return protocol.StatusInvalidKeyType
	}
	var in []byte
	if spec.Type == protocol.BufferSVP {
		if in, err = s.svpWindow(spec.Handle, spec.Offset, n); err != nil {
			return err
		}
	} else {
		in = r.in[:n]
	}
	src := append([]byte(nil), in...)
	defer clear(src)
	expected := append([]byte(nil), r.in[clearLen:]...)
	op, err := aesOp(tee.AlgAESECBNoPad, tee.ModeDecrypt, plain)
	if err != nil {
		return err
	}
	defer op.Free()
	op.CipherInit(nil)
	out, err := update(op, src)
	if err != nil {
		return err
	}
	defer clear(out)
	if subtle.ConstantTimeCompare(out, expected) != 1 {
		return protocol.StatusVerificationFailed
	}
	return nil
}

// svpBufferCheck is sa_svp_buffer_check: only a calling TA may compare a digest of SVP
// contents, as the reference refuses the REE.
func (s *slot) svpBufferCheck(r *req_) error {
	h, off, n := r.rd.U64(), r.rd.U64(), r.rd.U64()
	alg := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if s.isREE() {
		return protocol.StatusOperationNotAllowed
	}
	newHash := digestOf(alg)
	if newHash == nil {
		return protocol.StatusInvalidParameter
	}
	d := newHash()
	if len(r.in) != d.Size() {
		return protocol.StatusInvalidParameter
	}
	b, err := s.svps.get(h)
	if err != nil {
		return err
	}
	w := b.bytes()
	if w == nil {
		return protocol.StatusInvalidSVPBuffer
	}
	if !rangeIn(off, n, b.size) {
		return protocol.StatusInvalidParameter
	}
	d.Write(w[off : off+n])
	if subtle.ConstantTimeCompare(d.Sum(nil), append([]byte(nil), r.in...)) != 1 {
		return protocol.StatusVerificationFailed
	}
	return nil
}
