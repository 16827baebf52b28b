package protocol

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary requests to the decoder: it must never panic, and what
// it decodes must encode back to the same bytes (rights, headers, Var fields).
func FuzzDecode(f *testing.F) {
	var w Writer
	r := Rights{Usage: 7, NotOnOrAfter: ^uint64(0)}
	r.Put(&w)
	f.Add(w.Buf)
	f.Add((&Header{Type: KeyTypeDH, DHP: []byte{23}, DHG: []byte{5}, Size: 1}).Marshal())
	f.Add((&Header{Type: KeyTypeEC, Curve: CurveP384, Size: 48}).Marshal())
	f.Add([]byte{3, 0, 0, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Rights.
		rd := NewReader(b)
		var r Rights
		r.Get(rd)
		if rd.Err() == nil {
			var w Writer
			r.Put(&w)
			if !bytes.Equal(w.Buf, b) {
				t.Fatalf("rights round trip %x -> %x", b, w.Buf)
			}
		}
		// Header.
		if h, err := UnmarshalHeader(b); err == nil {
			h2, err := UnmarshalHeader(h.Marshal())
			if err != nil || h2.Rights != h.Rights || h2.Type != h.Type || h2.Size != h.Size ||
				h2.Curve != h.Curve || !bytes.Equal(h2.DHP, h.DHP) || !bytes.Equal(h2.DHG, h.DHG) {
				t.Fatalf("header round trip %+v -> %+v, %v", h, h2, err)
			}
		}
		// A sequence of Var fields.
		rd = NewReader(b)
		var vs [][]byte
		for range 4 {
			vs = append(vs, rd.Var(64))
		}
		if rd.Err() == nil {
			var w Writer
			for _, v := range vs {
				w.Var(v)
			}
			if !bytes.Equal(w.Buf, b) {
				t.Fatalf("var round trip %x -> %x", b, w.Buf)
			}
		}
	})
}

func TestReaderLimits(t *testing.T) {
	rd := NewReader([]byte{1, 2, 3})
	rd.U64()
	if rd.Err() == nil {
		t.Fatal("read past the end accepted")
	}
	rd = NewReader([]byte{0xff, 0xff, 0xff, 0xff})
	if rd.Var(16) != nil || rd.Err() == nil {
		t.Fatal("over-long Var accepted")
	}
	rd = NewReader([]byte{0, 0, 0, 0, 9})
	rd.Var(16)
	if rd.Err() == nil {
		t.Fatal("trailing byte accepted")
	}
}
