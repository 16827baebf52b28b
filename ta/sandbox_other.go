//go:build !amd64 && !arm64

package ta

const auditArch = 0

var deniedSyscalls []uintptr
