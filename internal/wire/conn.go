package wire

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Conn is one end of a SEQPACKET channel. Send may be called from many goroutines at
// once (each datagram is written atomically by the kernel); Recv from one at a time.
//
// A Conn over a non-blocking descriptor waits in Go's network poller; one over a
// blocking descriptor waits in the recvmsg system call itself, which is what the
// session channels use: a ping-pong is then two system calls per side and no
// scheduler round trip. Close is safe against a concurrent Recv in both modes: it
// shuts the socket down, which wakes the reader, and the descriptor is released only
// when the reader has let go of it.
type Conn struct {
	f  *os.File
	rc syscall.RawConn

	closed    atomic.Bool // set before the descriptor is released
	closeOnce sync.Once
	closeErr  error
}

// NewConn takes ownership of f, which must be a connected SEQPACKET socket.
func NewConn(f *os.File) (*Conn, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Conn{f: f, rc: rc}, nil
}

// FDConn wraps a raw descriptor, taking ownership of it.
func FDConn(fd int, name string) (*Conn, error) {
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		unix.Close(fd)
		return nil, fmt.Errorf("wire: bad descriptor %d", fd)
	}
	return NewConn(f)
}

// Pair returns a connected pair of SEQPACKET sockets as files, both close-on-exec;
// blocking selects the blocking mode for both (see Conn).
func Pair(blocking bool) (a, b *os.File, err error) {
	typ := unix.SOCK_SEQPACKET | unix.SOCK_CLOEXEC
	if !blocking {
		typ |= unix.SOCK_NONBLOCK
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, typ, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "seqpacket"), os.NewFile(uintptr(fds[1]), "seqpacket"), nil
}

// File returns the underlying file; the Conn still owns it.
func (c *Conn) File() *os.File { return c.f }

// Send writes one message with its descriptors. The descriptors stay owned by the
// caller. buf is scratch space the encoding may reuse; the (possibly grown) buffer
// is returned for the next call.
func (c *Conn) Send(buf []byte, id uint32, m Message, fds ...int) ([]byte, error) {
	if len(fds) != m.FDs() {
		return buf, fmt.Errorf("wire: kind %d needs %d descriptors, got %d", m.Kind(), m.FDs(), len(fds))
	}
	buf = Append(buf[:0], id, m)
	if len(buf) > MaxMessage {
		return buf, fmt.Errorf("wire: kind %d: %d bytes exceed the message limit", m.Kind(), len(buf))
	}
	return buf, c.SendRaw(buf, fds...)
}

// SendRaw writes one datagram as is; tests use it to play a hostile peer.
func (c *Conn) SendRaw(b []byte, fds ...int) error {
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		for {
			serr = unix.Sendmsg(int(fd), b, oob, nil, unix.MSG_NOSIGNAL)
			if serr != unix.EINTR {
				break
			}
		}
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) || c.closed.Load() {
			return io.EOF
		}
		return fmt.Errorf("wire: send: %w", err)
	}
	return nil
}

// Recv reads one message into buf (which must hold MaxMessage bytes) and decodes it.
// The caller owns the returned descriptors. io.EOF means the peer is gone; an error
// wrapping ErrMalformed means it sent something we refuse (its descriptors are
// closed already).
func (c *Conn) Recv(buf []byte) (Header, Message, []int, error) {
	n, fds, err := c.RecvRaw(buf)
	if err != nil {
		return Header{}, nil, nil, err
	}
	h, m, err := Decode(buf[:n])
	if err == nil && len(fds) != m.FDs() {
		err = fmt.Errorf("%w: kind %d carries %d descriptors, want %d", ErrMalformed, h.Kind, len(fds), m.FDs())
	}
	if err != nil {
		CloseFDs(fds)
		return h, nil, nil, err
	}
	return h, m, fds, nil
}

// RecvRaw reads one datagram and its descriptors, refusing truncated ones.
func (c *Conn) RecvRaw(buf []byte) (int, []int, error) {
	oob := make([]byte, unix.CmsgSpace(MaxFDs*4))
	var n, oobn, flags int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			n, oobn, flags, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
			if rerr != unix.EINTR {
				break
			}
		}
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		if errors.Is(err, unix.ECONNRESET) || c.closed.Load() {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("wire: recv: %w", err)
	}
	fds, perr := parseRights(oob[:oobn])
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		CloseFDs(fds)
		return 0, nil, fmt.Errorf("%w: datagram or its descriptors truncated", ErrMalformed)
	}
	if perr != nil {
		CloseFDs(fds)
		return 0, nil, perr
	}
	if n == 0 && len(fds) == 0 {
		return 0, nil, io.EOF // orderly shutdown of the peer
	}
	return n, fds, nil
}

func parseRights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("%w: control message: %v", ErrMalformed, err)
	}
	var fds []int
	var bad error
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_RIGHTS {
			bad = fmt.Errorf("%w: unexpected control message", ErrMalformed)
			continue
		}
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			bad = fmt.Errorf("%w: rights: %v", ErrMalformed, err)
			continue
		}
		fds = append(fds, got...)
	}
	return fds, bad
}

// Shutdown stops both directions, waking a blocked Recv with io.EOF, without
// releasing the descriptor.
func (c *Conn) Shutdown() {
	c.rc.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_RDWR) })
}

// Close shuts the socket down and releases it.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.Shutdown()
		c.closed.Store(true)
		c.closeErr = c.f.Close()
	})
	return c.closeErr
}

// CloseFDs closes received descriptors nobody will use.
func CloseFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
