package ta

import "unsafe"

// span returns the address range [lo, hi) that b occupies.
func span(b []byte) (lo, hi uintptr) {
	lo = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return lo, lo + uintptr(len(b))
}
