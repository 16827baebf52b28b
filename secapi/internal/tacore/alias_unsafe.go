package tacore

import "unsafe"

// overlaps reports whether a and b share any byte of memory. A cipher's input and
// output can be two windows of one SVP buffer; Go's ciphers work in place only on
// exactly aliased slices, so any other overlap is worked around with a copy.
func overlaps(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return pa < pb+uintptr(len(b)) && pb < pa+uintptr(len(a))
}
