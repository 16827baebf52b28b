package core

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// peerGroups reads SO_PEERGROUPS, which x/sys/unix has no typed helper for.
func peerGroups(fd int) ([]uint32, error) {
	groups := make([]uint32, 256)
	for {
		n := uint32(len(groups) * 4)
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&groups[0])), uintptr(unsafe.Pointer(&n)), 0)
		if errno == unix.ERANGE && int(n/4) > len(groups) && n/4 <= 65536 {
			groups = make([]uint32, n/4)
			continue
		}
		if errno != 0 {
			return nil, errno
		}
		return groups[:n/4], nil
	}
}
