package protocol

import (
	"bytes"
	"testing"
)

// FuzzSample checks that the sample decoder never panics and that what it accepts
// encodes back to the same bytes; offsets likewise.
func FuzzSample(f *testing.F) {
	var w Writer
	(&Sample{IV: make([]byte, 16), CryptBlocks: 1, SkipBlocks: 9, Subsamples: []Subsample{{16, 100}},
		Cipher: 5, Out: BufferSpec{Type: BufferSVP, Handle: 7, Offset: 3}}).Put(&w)
	f.Add(w.Buf)
	f.Add([]byte{17, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := NewReader(b)
		s := GetSample(rd)
		if rd.Err() == nil {
			var w Writer
			s.Put(&w)
			if !bytes.Equal(w.Buf, b) {
				t.Fatalf("sample round trip %x -> %x", b, w.Buf)
			}
		}
		if offs, ok := GetOffsets(b, uint32(len(b)/OffsetSize)); ok {
			var w Writer
			PutOffsets(&w, offs)
			if !bytes.Equal(w.Buf, b[:len(offs)*OffsetSize]) {
				t.Fatalf("offsets round trip")
			}
		}
	})
}
