package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// The baseline peer is this test binary run again with peerEnv set (the
// TestHelperProcess pattern): it inherits n connected SOCK_SEQPACKET sockets as
// fds 3..3+n-1 and, when peerMemEnv gives a size, a memfd of that size as fd 3+n
// that it maps shared. It serves each socket on its own goroutine, blocking in
// recvmsg exactly like a TA's session reader, and echoes every datagram. A datagram
// whose first four bytes (little endian) are k > 0 first has the peer write the
// first k bytes of the shared mapping, with the same loop the bench TA's touch
// command runs. It exits when all its sockets are closed.
const (
	peerEnv    = "GOTEE_BENCH_PEER"     // number of sockets
	peerMemEnv = "GOTEE_BENCH_PEER_MEM" // bytes of shared memory, or absent
)

func peerMain(mode string) int {
	n, err := strconv.Atoi(mode)
	if err != nil || n < 1 {
		fmt.Fprintf(os.Stderr, "bench peer: bad %s=%q\n", peerEnv, mode)
		return 2
	}
	var mem []byte
	if s := os.Getenv(peerMemEnv); s != "" {
		size, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench peer: bad %s=%q\n", peerMemEnv, s)
			return 2
		}
		if mem, err = unix.Mmap(3+n, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
			fmt.Fprintf(os.Stderr, "bench peer: mmap: %v\n", err)
			return 2
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- echo(3+i, mem)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench peer:", err)
			return 1
		}
	}
	return 0
}

// echo serves one socket of the peer until the other end closes it.
func echo(fd int, mem []byte) error {
	buf := make([]byte, wire.MaxMessage)
	for {
		n, _, _, _, err := unix.Recvmsg(fd, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("recvmsg: %w", err)
		}
		if n == 0 {
			return nil
		}
		if n >= 4 {
			if k := int(binary.LittleEndian.Uint32(buf)); k > 0 && k <= len(mem) {
				touch(mem[:k])
			}
		}
		if err := sendmsg(fd, buf[:n]); err != nil {
			return err
		}
	}
}

// touch writes every byte of m, as the bench TA's touch command does with an output
// memref.
func touch(m []byte) {
	for j := range m {
		m[j] = byte(j)
	}
}

func sendmsg(fd int, b []byte) error {
	for {
		err := unix.Sendmsg(fd, b, nil, nil, unix.MSG_NOSIGNAL)
		if err != unix.EINTR {
			if err != nil {
				return fmt.Errorf("sendmsg: %w", err)
			}
			return nil
		}
	}
}

// invokeSize is the size of the datagram that carries an invoke with one value
// parameter: the baselines ping-pong messages of this size, so the kernel copies the
// same number of bytes as for a real invoke.
var invokeSize = len(wire.Append(nil, 1, &wire.Invoke{Op: wire.Operation{Params: [4]wire.Param{{Type: tee.ValueInout}}}}))

// peer is a running baseline peer and the client ends of its sockets (blocking).
type peer struct {
	cmd  *exec.Cmd
	fds  []int
	mem  []byte // shared with the peer, nil if none
	msg  [][]byte
	recv [][]byte

	stopOnce sync.Once
	stopErr  error
}

// startPeer starts a peer with n sockets and, if memSize > 0, that much shared
// memory; it is stopped when tb ends.
func startPeer(tb testing.TB, n, memSize int) *peer {
	tb.Helper()
	p := &peer{}
	var theirs []*os.File
	defer func() {
		for _, f := range theirs {
			f.Close()
		}
	}()
	for range n {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			tb.Fatal(err)
		}
		p.fds = append(p.fds, fds[0])
		theirs = append(theirs, os.NewFile(uintptr(fds[1]), "peer"))
		p.msg = append(p.msg, make([]byte, invokeSize))
		p.recv = append(p.recv, make([]byte, wire.MaxMessage))
	}
	env := append(os.Environ(), peerEnv+"="+strconv.Itoa(n))
	if memSize > 0 {
		fd, err := unix.MemfdCreate("bench-peer", unix.MFD_CLOEXEC)
		if err != nil {
			tb.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), "memfd")
		theirs = append(theirs, f)
		if err := f.Truncate(int64(memSize)); err != nil {
			tb.Fatal(err)
		}
		if p.mem, err = unix.Mmap(fd, 0, memSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
			tb.Fatal(err)
		}
		env = append(env, peerMemEnv+"="+strconv.Itoa(memSize))
	}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	p.cmd.Env = env
	p.cmd.ExtraFiles = theirs
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.stop(); err != nil {
			tb.Errorf("baseline peer: %v", err)
		}
	})
	return p
}

// stop closes the sockets, which ends the peer, and waits for it.
func (p *peer) stop() error {
	p.stopOnce.Do(func() {
		for _, fd := range p.fds {
			unix.Close(fd)
		}
		p.fds = nil
		if p.mem != nil {
			unix.Munmap(p.mem)
			p.mem = nil
		}
		p.stopErr = p.cmd.Wait()
	})
	return p.stopErr
}

// roundTrip sends one invoke-sized datagram on socket i, asking the peer to touch
// the first k bytes of the shared memory, and waits for the echo.
func (p *peer) roundTrip(i, k int) error {
	binary.LittleEndian.PutUint32(p.msg[i], uint32(k))
	if err := sendmsg(p.fds[i], p.msg[i]); err != nil {
		return err
	}
	for {
		n, _, _, _, err := unix.Recvmsg(p.fds[i], p.recv[i], nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("recvmsg: %w", err)
		}
		if n != len(p.msg[i]) {
			return errors.New("echo of the wrong size")
		}
		return nil
	}
}

// pingPong is the basic baseline: b.N round trips of an invoke-sized datagram
// between this process and the peer.
func pingPong(b *testing.B) float64 {
	p := startPeer(b, 1, 0)
	if err := p.roundTrip(0, 0); err != nil { // the peer is up
		b.Fatal(err)
	}
	for b.Loop() {
		if err := p.roundTrip(0, 0); err != nil {
			b.Fatal(err)
		}
	}
	return nsPerOp(b)
}

func TestPeerEchoes(t *testing.T) {
	const size = 4096
	p := startPeer(t, 2, size)
	for i := range 2 {
		for _, k := range []int{0, 1, size} {
			copy(p.msg[i][4:], "gotee")
			clear(p.mem)
			if err := p.roundTrip(i, k); err != nil {
				t.Fatal(err)
			}
			if string(p.recv[i][4:9]) != "gotee" || binary.LittleEndian.Uint32(p.recv[i]) != uint32(k) {
				t.Fatalf("socket %d: echo %q differs from %q", i, p.recv[i][:9], p.msg[i][:9])
			}
			for j := range size {
				want := byte(0)
				if j < k {
					want = byte(j)
				}
				if p.mem[j] != want {
					t.Fatalf("socket %d, touch %d: byte %d is %d, want %d", i, k, j, p.mem[j], want)
				}
			}
		}
	}
	if err := p.stop(); err != nil {
		t.Fatalf("peer exit: %v", err)
	}
}

func TestInvokeSize(t *testing.T) {
	if invokeSize < 64 || invokeSize > 512 {
		t.Fatalf("an invoke with a value is %d bytes on the wire: the baseline message size looks wrong", invokeSize)
	}
	t.Logf("invoke datagram: %d bytes", invokeSize)
}
