// Command probe is a TA for the end-to-end tests: it reports what its sandbox lets
// it do, and misbehaves on request.
package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

const (
	cmdOpenFile = iota // value a = errno of opening a file (0: it opened)
	cmdExec            // value a = errno of running a program
	cmdEnvFDs          // value a = number of environment variables, b = sockets open, p1 a = other fds that are not the runtime's
	cmdPanic           // TEE_Panic
	cmdExit            // the process exits in the middle of an invoke
	cmdSleep           // sleeps 10s with cancellation unmasked; CANCEL if cancelled
	cmdDeviceID        // p1 MEMREF_OUTPUT: gpd.tee.deviceID
	cmdTimeSet         // sets the TA persistent time to p0.a seconds
	cmdTimeGet         // p0: a = persistent time's seconds, b = its result code
)

type probe struct{ ta.Base }

func errno(err error) uint32 {
	var e syscall.Errno
	if errors.As(err, &e) {
		return uint32(e)
	}
	if err != nil {
		return 0xffff
	}
	return 0
}

func (probe) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdOpenFile:
		f, err := os.Open("/etc/passwd")
		if err == nil {
			f.Close()
		}
		p[0].Value.A = errno(err)
	case cmdExec:
		p[0].Value.A = errno(exec.Command("/bin/true").Run())
	case cmdEnvFDs:
		p[0].Value.A = uint32(len(os.Environ()))
		sockets, other := 0, 0
		for fd := 3; fd < 1024; fd++ {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
				continue
			}
			target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
			switch {
			case strings.HasPrefix(target, "socket:"):
				sockets++
			case strings.HasPrefix(target, "anon_inode:"), strings.HasPrefix(target, "/sys/fs/cgroup/"):
				// Go's runtime: the network poller, and GOMAXPROCS's cgroup files.
			default:
				os.Stderr.WriteString("probe: unexpected descriptor " + target + "\n")
				other++
			}
		}
		p[0].Value.B = uint32(sockets)
		p[1].Value.A = uint32(other)
	case cmdPanic:
		ta.Panic(0xdead)
	case cmdExit:
		os.Exit(0)
	case cmdDeviceID:
		id, err := s.Properties(ta.PropsetTEEImplementation).UUID("gpd.tee.deviceID")
		if err != nil {
			return err
		}
		p[1].Size = copy(p[1].Mem, id[:])
	case cmdTimeSet:
		return s.SetTAPersistentTime(ta.Time{Seconds: p[0].Value.A})
	case cmdTimeGet:
		t, err := s.TAPersistentTime()
		code, _ := tee.Code(err, tee.OriginTrustedApp)
		p[0].Value = tee.Value{A: t.Seconds, B: uint32(code)}
	case cmdSleep:
		s.UnmaskCancellation()
		return s.Wait(10 * time.Second)
	default:
		return tee.ErrNotSupported
	}
	return nil
}

func main() { ta.Main(probe{}) }
