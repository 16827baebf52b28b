package tasa

import (
	"encoding/binary"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// The secure video path for a Secure Application: SVP buffers in its slot, cipher
// and common-encryption output into them, and sa_svp_buffer_check, which the SecAPI
// TA answers only to calling TAs.

// SVPBuffer is an SVP buffer (sa_svp_buffer) over a region of its own.
type SVPBuffer struct {
	c *Client
	h uint64
}

// Handle is the buffer's handle within its Client's slot.
func (b *SVPBuffer) Handle() uint64 { return b.h }

// AllocSVPBuffer is sa_svp_buffer_alloc.
func (c *Client) AllocSVPBuffer(size uint64) (*SVPBuffer, error) {
	r, err := c.call(protocol.CmdSVPBufferAlloc, handleReq(size), nil, 16)
	if err != nil {
		return nil, err
	}
	if len(r) != 16 {
		return nil, StatusInternalError
	}
	return &SVPBuffer{c, binary.LittleEndian.Uint64(r)}, nil
}

// Free is sa_svp_buffer_free: the buffer and its region.
func (b *SVPBuffer) Free() error {
	_, err := b.c.call(protocol.CmdSVPBufferFree, handleReq(b.h), nil, 8)
	return err
}

// Write is sa_svp_buffer_write of all of data at offset.
func (b *SVPBuffer) Write(offset uint64, data []byte) error {
	var w protocol.Writer
	protocol.PutOffsets(&w, []protocol.Offset{{Out: offset, In: 0, Length: uint64(len(data))}})
	w.Bytes(data)
	var req protocol.Writer
	req.U64(b.h)
	req.U32(1)
	_, err := b.c.call(protocol.CmdSVPBufferWrite, req.Buf, w.Buf, 0)
	return err
}

// Digest is sa_digest_algorithm.
type Digest uint32

// The digests.
const (
	SHA1   Digest = protocol.DigestSHA1
	SHA256 Digest = protocol.DigestSHA256
	SHA384 Digest = protocol.DigestSHA384
	SHA512 Digest = protocol.DigestSHA512
)

// Check is sa_svp_buffer_check: nil if the digest of length bytes from offset is
// hash, StatusVerificationFailed if not.
func (b *SVPBuffer) Check(offset, length uint64, d Digest, hash []byte) error {
	if hash == nil {
		return StatusNullParameter
	}
	var req protocol.Writer
	req.U64(b.h)
	req.U64(offset)
	req.U64(length)
	req.U32(uint32(d))
	_, err := b.c.call(protocol.CmdSVPBufferCheck, req.Buf, append([]byte{}, hash...), 0)
	return err
}

// ProcessToSVP is sa_crypto_cipher_process of clear input into out at offset; it
// returns the bytes written.
func (x *Cipher) ProcessToSVP(out *SVPBuffer, offset uint64, in []byte) (uint64, error) {
	if in == nil {
		in = []byte{}
	}
	var w protocol.Writer
	w.U64(x.h)
	protocol.BufferSpec{Type: protocol.BufferClear}.Put(&w)
	protocol.BufferSpec{Type: protocol.BufferSVP, Handle: out.h, Offset: offset}.Put(&w)
	w.U64(uint64(len(in)))
	return x.c.callU64(protocol.CmdCipherProcessBuffers, w.Buf, in)
}

// Subsample is sa_subsample_length.
type Subsample struct{ Clear, Protected uint64 }

// Sample is an sa_sample with clear input In and the SVP buffer Out (at OutOffset)
// as its destination.
type Sample struct {
	IV                            []byte
	CryptByteBlock, SkipByteBlock uint64
	Subsamples                    []Subsample
	Cipher                        *Cipher
	In                            []byte
	Out                           *SVPBuffer
	OutOffset                     uint64
}

// DecryptSample is sa_process_common_encryption of one sample into SVP memory.
func (c *Client) DecryptSample(s Sample) error {
	if s.IV == nil || s.Subsamples == nil || s.In == nil || s.Out == nil || s.Cipher == nil {
		return StatusNullParameter
	}
	ws := protocol.Sample{IV: s.IV, CryptBlocks: s.CryptByteBlock, SkipBlocks: s.SkipByteBlock, Cipher: s.Cipher.h,
		Out: protocol.BufferSpec{Type: protocol.BufferSVP, Handle: s.Out.h, Offset: s.OutOffset},
		In:  protocol.BufferSpec{Type: protocol.BufferClear}}
	for _, ss := range s.Subsamples {
		ws.Subsamples = append(ws.Subsamples, protocol.Subsample(ss))
	}
	var w protocol.Writer
	ws.Put(&w)
	_, err := c.call(protocol.CmdProcessCommonEncryption, w.Buf, s.In, 0)
	return err
}
