package ta

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// confine is what a TA process does to itself before it serves anything: no new
// privileges (so no setuid binary can lift it), and a seccomp filter that refuses
// the system calls a TA never needs — it reaches the world only through the
// descriptors teed gave it, so it may not open files, make sockets, execute
// programs, trace other processes or change the system. The filter applies to all
// threads (TSYNC); a refused call fails with EPERM instead of killing the TA, so a
// TA that tries gets an error it can report. Where the kernel lacks seccomp, the
// TA runs without the filter and says so on stderr, which teed logs.
func confine() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if len(deniedSyscalls) == 0 {
		return fmt.Errorf("no seccomp filter for this architecture")
	}
	prog := denyFilter(auditArch, deniedSyscalls)
	if err := installFilter(prog); err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	return nil
}

// denyFilter builds a classic BPF program: a call from another architecture is
// killed (its numbers mean other calls), a denied call returns EPERM, and anything
// else is allowed.
func denyFilter(arch uint32, denied []uintptr) []unix.SockFilter {
	const (
		offNR   = 0 // struct seccomp_data: int nr; __u32 arch; ...
		offArch = 4
	)
	ret := func(k uint32) unix.SockFilter { return unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: k} }
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: offArch},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 1, Jf: 0, K: arch},
		ret(unix.SECCOMP_RET_KILL_PROCESS),
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: offNR},
	}
	for i, nr := range denied {
		// Jump to the EPERM return after the remaining comparisons and the allow.
		toDeny := uint8(len(denied) - i)
		prog = append(prog, unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: toDeny, Jf: 0, K: uint32(nr)})
	}
	return append(prog, ret(unix.SECCOMP_RET_ALLOW), ret(unix.SECCOMP_RET_ERRNO|uint32(unix.EPERM)))
}
