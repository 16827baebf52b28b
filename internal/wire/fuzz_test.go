package wire

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every refusal wraps ErrMalformed,
// and that the encoding is canonical: whatever decodes re-encodes to the very same
// bytes, so no two datagrams mean the same message.
func FuzzDecode(f *testing.F) {
	for _, s := range samples() {
		f.Add(Append(nil, s.id, s.m))
	}
	f.Add([]byte{})
	f.Add(createWith(2, [2]string{"gpd.ta.appID", "x"}, [2]string{"k", ""}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, m, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if m != nil {
				t.Fatalf("message %#v returned with error %v", m, err)
			}
			return
		}
		if m.Kind() != h.Kind {
			t.Fatalf("header kind %d, message kind %d", h.Kind, m.Kind())
		}
		if n := m.FDs(); n < 0 || n > MaxFDs {
			t.Fatalf("message announces %d descriptors", n)
		}
		if got := Append(nil, h.ID, m); !bytes.Equal(got, b) {
			t.Fatalf("not canonical:\n  in %x\n out %x", b, got)
		}
	})
}
