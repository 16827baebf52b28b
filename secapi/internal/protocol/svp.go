package protocol

// Secure video path and common encryption commands (numbers 40–59 are reserved for
// them; none is ever renumbered). Their layouts are in docs/secapi.md.
const (
	CmdSVPSupported             uint32 = 40
	CmdSVPMemoryAlloc           uint32 = 41 // u64 size → u64 memory
	CmdSVPMemoryFree            uint32 = 42 // u64 memory
	CmdSVPBufferCreate          uint32 = 43 // u64 memory, u64 offset, u64 size → u64 buffer
	CmdSVPBufferAlloc           uint32 = 44 // u64 size → u64 buffer, u64 memory
	CmdSVPBufferFree            uint32 = 45 // u64 buffer → u64 memory freed (buffer released, its memory freed)
	CmdSVPBufferRelease         uint32 = 46 // u64 buffer → u64 memory, u64 offset, u64 size
	CmdSVPBufferWrite           uint32 = 47 // u64 buffer, u32 n; param 2: n offsets ‖ data
	CmdSVPBufferCopy            uint32 = 48 // u64 out, u64 in, u32 n; param 2: n offsets
	CmdSVPKeyCheck              uint32 = 49 // u64 key, buffer spec, u64 length; param 2: [clear input ‖] expected
	CmdSVPBufferCheck           uint32 = 50 // u64 buffer, u64 offset, u64 length, u32 digest; param 2: hash
	CmdCipherProcessBuffers     uint32 = 51 // CipherProcess's request ‖ in spec ‖ out spec ‖ u64 length
	CmdCipherProcessLastBuffers uint32 = 52 // CipherProcessLast's request ‖ in spec ‖ out spec ‖ u64 length
	CmdProcessCommonEncryption  uint32 = 53 // one sample (see PutSample)
)

// Buffer types (sa_buffer_type).
const (
	BufferClear = 0
	BufferSVP   = 1
)

// SVP limits per slot, as the reference's store sizes (256 objects) plus a byte cap
// that keeps a normal-world client from exhausting the TA's memory.
const (
	MaxSVPBytes   = 256 << 20 // all SVP memory of one slot
	OffsetSize    = 24        // one sa_svp_offset on the wire: u64 out, u64 in, u64 length
	MaxSubsamples = (MaxRequest - 128) / 16
)

// Offset is sa_svp_offset.
type Offset struct{ Out, In, Length uint64 }

// PutOffsets appends the wire form of offs.
func PutOffsets(w *Writer, offs []Offset) {
	for _, o := range offs {
		w.U64(o.Out)
		w.U64(o.In)
		w.U64(o.Length)
	}
}

// GetOffsets decodes n offsets from the first n×OffsetSize bytes of b; ok is false if b
// is shorter.
func GetOffsets(b []byte, n uint32) ([]Offset, bool) {
	if uint64(n)*OffsetSize > uint64(len(b)) {
		return nil, false
	}
	rd := NewReader(b[:int(n)*OffsetSize])
	offs := make([]Offset, n)
	for i := range offs {
		offs[i] = Offset{rd.U64(), rd.U64(), rd.U64()}
	}
	return offs, rd.Err() == nil
}

// BufferSpec is an sa_buffer on the wire: u32 type, u64 SVP buffer handle, u64 offset.
// A clear buffer's bytes travel in parameter 2 (input) or 3 (output); its handle and
// offset are 0.
type BufferSpec struct {
	Type   uint32
	Handle uint64
	Offset uint64
}

// Put appends b.
func (b BufferSpec) Put(w *Writer) {
	w.U32(b.Type)
	w.U64(b.Handle)
	w.U64(b.Offset)
}

// GetBufferSpec reads a BufferSpec.
func GetBufferSpec(rd *Reader) BufferSpec {
	return BufferSpec{rd.U32(), rd.U64(), rd.U64()}
}

// Subsample is sa_subsample_length.
type Subsample struct{ Clear, Protected uint64 }

// Sample is an sa_sample on the wire: Var iv (≤ 16), u64 crypt_byte_block,
// u64 skip_byte_block, u32 n subsamples × (u64 clear, u64 protected), u64 cipher
// context, out spec, in spec. A clear input's bytes are parameter 2; a clear
// output comes back in parameter 3.
type Sample struct {
	IV          []byte
	CryptBlocks uint64
	SkipBlocks  uint64
	Subsamples  []Subsample
	Cipher      uint64
	Out, In     BufferSpec
}

// Put appends s.
func (s *Sample) Put(w *Writer) {
	w.Var(s.IV)
	w.U64(s.CryptBlocks)
	w.U64(s.SkipBlocks)
	w.U32(uint32(len(s.Subsamples)))
	for _, ss := range s.Subsamples {
		w.U64(ss.Clear)
		w.U64(ss.Protected)
	}
	w.U64(s.Cipher)
	s.Out.Put(w)
	s.In.Put(w)
}

// GetSample reads a Sample; the IV may be longer than 16 bytes only up to MaxIV+1,
// so that a wrong length is reported as the reference reports it.
func GetSample(rd *Reader) Sample {
	var s Sample
	s.IV = rd.Var(MaxIV + 1)
	s.CryptBlocks = rd.U64()
	s.SkipBlocks = rd.U64()
	n := rd.U32()
	if n > MaxSubsamples {
		rd.bad = true
		rd.b = nil
		n = 0
	}
	s.Subsamples = make([]Subsample, n)
	for i := range s.Subsamples {
		s.Subsamples[i] = Subsample{rd.U64(), rd.U64()}
	}
	s.Cipher = rd.U64()
	s.Out = GetBufferSpec(rd)
	s.In = GetBufferSpec(rd)
	return s
}
