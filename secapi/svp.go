package secapi

import (
	"context"
	"encoding/binary"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// Secure video path (sa_svp.h). SVP memory and buffers live in the SecAPI TA, in the
// client's slot, and are released with it; no call returns their contents. The
// only observations are SVPBuffer.Check (calling TAs only) and Client.SVPKeyCheck.

// SVPMemory is a region of SVP memory (sa_svp_memory_alloc). It is safe for
// concurrent use as far as the Client is.
type SVPMemory struct {
	c *Client
	h uint64
}

// Handle is the TA's handle of the region.
func (m *SVPMemory) Handle() uint64 { return m.h }

// ForeignSVPMemory names a region by its TA handle, e.g. one a caller of the C
// library holds.
func ForeignSVPMemory(c *Client, h uint64) *SVPMemory { return &SVPMemory{c, h} }

// SVPBuffer is an SVP buffer (sa_svp_buffer): a window of a region.
type SVPBuffer struct {
	c *Client
	h uint64
}

// Handle is the TA's handle of the buffer (the sa_svp_buffer value).
func (b *SVPBuffer) Handle() uint64 { return b.h }

// ForeignSVPBuffer names a buffer by its TA handle.
func ForeignSVPBuffer(c *Client, h uint64) *SVPBuffer { return &SVPBuffer{c, h} }

// SVPOffset is sa_svp_offset: Length bytes from In in the source to Out in the
// destination.
type SVPOffset struct{ Out, In, Length uint64 }

// SVPSupported is sa_svp_supported: nil when SVP is available.
func (c *Client) SVPSupported(ctx context.Context) error {
	_, err := c.call(ctx, protocol.CmdSVPSupported, nil, nil, 0)
	return err
}

// AllocSVPMemory is sa_svp_memory_alloc. A slot holds at most 256 regions and 256
// MiB of SVP memory (StatusNoAvailableResourceSlot past either).
func (c *Client) AllocSVPMemory(ctx context.Context, size uint64) (*SVPMemory, error) {
	h, err := c.callU64(ctx, protocol.CmdSVPMemoryAlloc, handleReq(size), nil)
	if err != nil {
		return nil, err
	}
	return &SVPMemory{c, h}, nil
}

// Free is sa_svp_memory_free. Buffers still on the region fail from then on with
// StatusInvalidSVPBuffer (or StatusInvalidParameter where the reference reports a
// buffer outside SVP memory so).
func (m *SVPMemory) Free(ctx context.Context) error {
	_, err := m.c.call(ctx, protocol.CmdSVPMemoryFree, handleReq(m.h), nil, 0)
	return err
}

// NewBuffer is sa_svp_buffer_create over size bytes of the region from offset; a
// window not wholly inside the region is StatusInvalidSVPBuffer.
func (m *SVPMemory) NewBuffer(ctx context.Context, offset, size uint64) (*SVPBuffer, error) {
	h, err := m.c.callU64(ctx, protocol.CmdSVPBufferCreate, handleReq(m.h, offset, size), nil)
	if err != nil {
		return nil, err
	}
	return &SVPBuffer{m.c, h}, nil
}

// AllocSVPBuffer is sa_svp_buffer_alloc: a new region of size bytes and a buffer over
// all of it, in one call. It also returns the region.
func (c *Client) AllocSVPBuffer(ctx context.Context, size uint64) (*SVPBuffer, *SVPMemory, error) {
	b, err := c.call(ctx, protocol.CmdSVPBufferAlloc, handleReq(size), nil, 16)
	if err != nil {
		return nil, nil, err
	}
	if len(b) != 16 {
		return nil, nil, StatusInternalError
	}
	return &SVPBuffer{c, binary.LittleEndian.Uint64(b)}, &SVPMemory{c, binary.LittleEndian.Uint64(b[8:])}, nil
}

// Free is sa_svp_buffer_free: it releases the buffer and frees its region. It
// returns the region freed (nil if the region had been freed before).
func (b *SVPBuffer) Free(ctx context.Context) (*SVPMemory, error) {
	h, err := b.c.callU64(ctx, protocol.CmdSVPBufferFree, handleReq(b.h), nil)
	if err != nil || h == ^uint64(0) {
		return nil, err
	}
	return &SVPMemory{b.c, h}, nil
}

// Release is sa_svp_buffer_release: the buffer is gone, its region stays; it
// returns the region and the window the buffer had.
func (b *SVPBuffer) Release(ctx context.Context) (m *SVPMemory, offset, size uint64, err error) {
	r, err := b.c.call(ctx, protocol.CmdSVPBufferRelease, handleReq(b.h), nil, 24)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(r) != 24 {
		return nil, 0, 0, StatusInternalError
	}
	rd := protocol.NewReader(r)
	m = &SVPMemory{b.c, rd.U64()}
	return m, rd.U64(), rd.U64(), rd.Err()
}

func wireOffsets(offs []SVPOffset) []protocol.Offset {
	out := make([]protocol.Offset, len(offs))
	for i, o := range offs {
		out[i] = protocol.Offset(o)
	}
	return out
}

// Write is sa_svp_buffer_write: for each offset, Length bytes of in from In go to
// Out in the buffer. Every range is checked before anything is written; one outside
// its buffer is StatusInvalidSVPBuffer. Only the span of in the offsets name is
// sent to the TA, at most protocol.MaxData bytes with the offsets.
func (b *SVPBuffer) Write(ctx context.Context, in []byte, offsets []SVPOffset) error {
	if in == nil || offsets == nil {
		return StatusNullParameter
	}
	lo, hi := uint64(len(in)), uint64(0)
	for _, o := range offsets {
		if o.In > uint64(len(in)) || o.Length > uint64(len(in))-o.In {
			return StatusInvalidSVPBuffer
		}
		if o.Length > 0 {
			lo, hi = min(lo, o.In), max(hi, o.In+o.Length)
		}
	}
	if hi < lo {
		lo, hi = 0, 0
	}
	if uint64(len(offsets))*protocol.OffsetSize+(hi-lo) > protocol.MaxData {
		return StatusInvalidParameter
	}
	var w protocol.Writer
	sent := make([]protocol.Offset, len(offsets))
	for i, o := range offsets {
		sent[i] = protocol.Offset{Out: o.Out, In: o.In - min(o.In, lo), Length: o.Length}
	}
	protocol.PutOffsets(&w, sent)
	w.Bytes(in[lo:hi])
	var req protocol.Writer
	req.U64(b.h)
	req.U32(uint32(len(offsets)))
	_, err := b.c.call(ctx, protocol.CmdSVPBufferWrite, req.Buf, w.Buf, 0)
	return err
}

// Copy is sa_svp_buffer_copy: for each offset, Length bytes of from at In go to Out
// in b. A range outside its buffer is StatusInvalidSVPBuffer.
func (b *SVPBuffer) Copy(ctx context.Context, from *SVPBuffer, offsets []SVPOffset) error {
	if offsets == nil {
		return StatusNullParameter
	}
	if from == nil {
		return StatusInvalidParameter
	}
	if uint64(len(offsets))*protocol.OffsetSize > protocol.MaxData {
		return StatusInvalidParameter
	}
	var w protocol.Writer
	protocol.PutOffsets(&w, wireOffsets(offsets))
	var req protocol.Writer
	req.U64(b.h)
	req.U64(from.h)
	req.U32(uint32(len(offsets)))
	_, err := b.c.call(ctx, protocol.CmdSVPBufferCopy, req.Buf, append([]byte{}, w.Buf...), 0)
	return err
}

// Check is sa_svp_buffer_check: nil if the digest of length bytes from offset equals
// hash, StatusVerificationFailed if not. The SecAPI TA answers it only to calling TAs
// (StatusOperationNotAllowed to a normal-world client, as the reference).
func (b *SVPBuffer) Check(ctx context.Context, offset, length uint64, d Digest, hash []byte) error {
	if hash == nil {
		return StatusNullParameter
	}
	if len(hash) > 64 {
		return StatusInvalidParameter
	}
	var req protocol.Writer
	req.U64(b.h)
	req.U64(offset)
	req.U64(length)
	req.U32(uint32(d))
	_, err := b.c.call(ctx, protocol.CmdSVPBufferCheck, req.Buf, append([]byte{}, hash...), 0)
	return err
}

// Buffer is an sa_buffer: clear bytes (Clear) or an SVP buffer (SVP), with the
// offset at which the next operation reads or writes. Operations advance Offset
// past what they consumed or produced, as the reference does.
type Buffer struct {
	Clear  []byte
	SVP    *SVPBuffer
	Offset uint64
}

// spec is b's wire form; for a clear buffer the bytes travel separately.
func (b *Buffer) spec() protocol.BufferSpec {
	if b.SVP != nil {
		return protocol.BufferSpec{Type: protocol.BufferSVP, Handle: b.SVP.h, Offset: b.Offset}
	}
	return protocol.BufferSpec{Type: protocol.BufferClear}
}

// clearRange is n bytes of a clear buffer from its offset: StatusNullParameter
// without bytes, StatusInvalidParameter past its end.
func (b *Buffer) clearRange(n uint64) ([]byte, error) {
	if b.Clear == nil {
		return nil, StatusNullParameter
	}
	if b.Offset > uint64(len(b.Clear)) || n > uint64(len(b.Clear))-b.Offset {
		return nil, StatusInvalidParameter
	}
	return b.Clear[b.Offset : b.Offset+n], nil
}

// SVPKeyCheck is sa_svp_key_check: the key (which needs DECRYPT) decrypts n bytes of
// in with AES-ECB inside the TA and the result is compared with expected
// (StatusVerificationFailed if different). A clear in needs a key with
// SVP_OPTIONAL; an SVP in is refused to normal-world clients, as the reference.
func (c *Client) SVPKeyCheck(ctx context.Context, k *Key, in *Buffer, n uint64, expected []byte) error {
	if in == nil || expected == nil {
		return StatusNullParameter
	}
	if n%16 != 0 || uint64(len(expected)) != n {
		return StatusInvalidParameter
	}
	var data []byte
	if in.SVP == nil {
		b, err := in.clearRange(n)
		if err != nil {
			return err
		}
		data = append(data, b...)
	}
	data = append(data, expected...)
	if len(data) > protocol.MaxData {
		return StatusInvalidParameter
	}
	var req protocol.Writer
	req.U64(k.h)
	in.spec().Put(&req)
	req.U64(n)
	req.U64(uint64(len(expected)))
	_, err := c.call(ctx, protocol.CmdSVPKeyCheck, req.Buf, data, 0)
	return err
}

// ProcessBuffer is sa_crypto_cipher_process over sa_buffers: n bytes of in at its
// offset are processed into out at its offset, both offsets advance, and the count
// written is returned. Output into an SVP buffer is what a key without SVP_OPTIONAL
// allows; clear output of SVP input is StatusInvalidParameter; GCM, ChaCha20-Poly1305,
// RSA and EC ElGamal never touch SVP buffers (StatusOperationNotAllowed).
func (x *Cipher) ProcessBuffer(ctx context.Context, out, in *Buffer, n uint64) (uint64, error) {
	return x.processBuffers(ctx, out, in, n, false, 0, nil)
}

// ProcessLastBuffer is sa_crypto_cipher_process_last over sa_buffers (see
// ProcessBuffer and ProcessLast).
func (x *Cipher) ProcessLastBuffer(ctx context.Context, out, in *Buffer, n uint64, tagLen int, tag []byte) (written uint64, outTag []byte, err error) {
	if tagLen < 0 || tagLen > protocol.MaxTag || len(tag) > protocol.MaxTag {
		return 0, nil, StatusInvalidParameter
	}
	if out != nil && in != nil && out.SVP == nil && in.SVP == nil {
		src, err := in.clearRange(n)
		if err != nil {
			return 0, nil, err
		}
		if _, err := out.clearRange(0); err != nil {
			return 0, nil, err
		}
		res, outTag, err := x.ProcessLast(ctx, src, tagLen, tag)
		if err != nil {
			return 0, nil, err
		}
		if uint64(len(res)) > uint64(len(out.Clear))-out.Offset {
			clear(res)
			return 0, nil, StatusInvalidParameter
		}
		copy(out.Clear[out.Offset:], res)
		clear(res)
		in.Offset += n
		out.Offset += uint64(len(res))
		return uint64(len(res)), outTag, nil
	}
	w, err := x.processBuffers(ctx, out, in, n, true, tagLen, tag)
	return w, nil, err
}

func (x *Cipher) processBuffers(ctx context.Context, out, in *Buffer, n uint64, last bool, tagLen int, tag []byte) (uint64, error) {
	if out == nil || in == nil {
		return 0, StatusNullParameter
	}
	var data []byte
	if in.SVP == nil {
		b, err := in.clearRange(n)
		if err != nil {
			return 0, err
		}
		data = append([]byte{}, b...)
		defer clear(data)
	}
	outLen := 8
	if out.SVP == nil {
		if _, err := out.clearRange(0); err != nil {
			return 0, err
		}
		// The TA writes at most this much: a short buffer is its
		// StatusInvalidParameter, after its rights checks, as the reference. No
		// call writes more than MaxData, so more room is not handed over.
		outLen = min(len(out.Clear)-int(out.Offset), protocol.MaxData)
	}
	var w protocol.Writer
	w.U64(x.h)
	cmd := protocol.CmdCipherProcessBuffers
	if last {
		cmd = protocol.CmdCipherProcessLastBuffers
		w.U32(uint32(tagLen))
		w.Var(tag)
	}
	in.spec().Put(&w)
	out.spec().Put(&w)
	w.U64(n)
	var res []byte
	var err error
	if out.SVP == nil && outLen > 0 {
		res, err = x.c.callInto(ctx, cmd, w.Buf, data, out.Clear[out.Offset:][:outLen])
	} else {
		res, err = x.c.call(ctx, cmd, w.Buf, data, outLen)
	}
	if err != nil {
		return 0, err
	}
	var written uint64
	if out.SVP != nil {
		if len(res) != 8 {
			return 0, StatusInternalError
		}
		written = binary.LittleEndian.Uint64(res)
	} else {
		written = uint64(len(res)) // in place: res is out.Clear's own bytes
	}
	in.Offset += n
	out.Offset += written
	return written, nil
}
