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
	cmdCallTAs         // asks hello_world to increment p0.a and random for p1's bytes
)

var (
	helloWorld = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")
	random     = tee.MustParseUUID("b6c53aba-9669-4668-a7f2-205629d00f86")
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
	case cmdCallTAs:
		hw, err := s.OpenTASession(helloWorld, ta.TimeoutInfinite, nil)
		if err != nil {
			return err
		}
		defer hw.Close()
		v := &ta.Params{{Type: tee.ValueInout, Value: p[0].Value}}
		if err := hw.Invoke(ta.TimeoutInfinite, 0, v); err != nil {
			return err
		}
		p[0].Value = v[0].Value
		rnd, err := s.OpenTASession(random, ta.TimeoutInfinite, nil)
		if err != nil {
			return err
		}
		defer rnd.Close()
		buf := make([]byte, len(p[1].Mem))
		if err := rnd.Invoke(ta.TimeoutInfinite, 0, &ta.Params{{Type: tee.MemrefOutput, Mem: buf, Size: len(buf)}}); err != nil {
			return err
		}
		p[1].Size = copy(p[1].Mem, buf)
	case cmdSleep:
		s.UnmaskCancellation()
		return s.Wait(10 * time.Second)
	default:
		return tee.ErrNotSupported
	}
	return nil
}

func main() { ta.Main(probe{}) }
