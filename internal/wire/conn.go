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
// A Conn over a non-blocking descriptor waits in Go's network poller; that is what
// teed uses, as it serves many peers. A Conn over a blocking descriptor calls
// sendmsg and recvmsg directly and waits inside recvmsg: that is what the session
// channels use, so an invoke costs two system calls per side and neither a
// scheduler round trip nor an allocation. Close is safe against a concurrent Recv
// in both modes: it shuts the socket down, which wakes the reader, and the
// descriptor is released only when the last call in flight has let go of it.
type Conn struct {
	// Non-blocking mode.
	f  *os.File
	rc syscall.RawConn

	// Blocking mode: fd is released when refs drops to zero; the owner holds one
	// reference until Close, each call in flight one more.
	fd   int
	refs atomic.Int64

	closed    atomic.Bool // set before the descriptor is released
	closeOnce sync.Once
	closeErr  error

	oob []byte // control buffer for Recv, which runs one at a time
}

// NewConn takes ownership of f, which must be a connected SEQPACKET socket.
func NewConn(f *os.File) (*Conn, error) {
	fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("wire: %w", err)
	}
	if fl&unix.O_NONBLOCK == 0 {
		// f.Fd left the descriptor as it was (blocking); take it over directly.
		fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("wire: %w", err)
		}
		return blockingConn(fd), nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Conn{f: f, rc: rc, fd: -1, oob: make([]byte, oobSize)}, nil
}

var oobSize = unix.CmsgSpace(MaxFDs * 4)

func blockingConn(fd int) *Conn {
	c := &Conn{fd: fd, oob: make([]byte, oobSize)}
	c.refs.Store(1)
	return c
}

// FDConn wraps a raw descriptor, taking ownership of it.
func FDConn(fd int, name string) (*Conn, error) {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("wire: descriptor %d: %w", fd, err)
	}
	if fl&unix.O_NONBLOCK == 0 {
		return blockingConn(fd), nil
	}
	return NewConn(os.NewFile(uintptr(fd), name))
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

// acquire takes a reference on a blocking Conn's descriptor for one call.
func (c *Conn) acquire() bool {
	for {
		r := c.refs.Load()
		if r == 0 {
			return false
		}
		if c.refs.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

func (c *Conn) release() {
	if c.refs.Add(-1) == 0 {
		// The last holder may be a reader woken by Close, after Close returned;
		// a close(2) error on a socket has nobody left to report to.
		unix.Close(c.fd)
	}
}

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
	var err error
	if c.f == nil {
		if !c.acquire() {
			return io.EOF
		}
		err = sendmsg(c.fd, b, oob)
		c.release()
	} else {
		var serr error
		err = c.rc.Write(func(fd uintptr) bool {
			serr = sendmsg(int(fd), b, oob)
			return serr != unix.EAGAIN
		})
		if err == nil {
			err = serr
		}
	}
	if err != nil {
		if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) || c.closed.Load() {
			return io.EOF
		}
		return fmt.Errorf("wire: send: %w", err)
	}
	return nil
}

// TrySend sends a message that carries no descriptors without ever waiting: if the
// peer's receive buffer is full it gives up with an error. It is for messages that
// are requests, not commands — a cancellation — which a peer that does not read
// must not be able to turn into a stuck sender.
func (c *Conn) TrySend(id uint32, m Message) error {
	b := Append(nil, id, m)
	var err error
	if c.f == nil {
		if !c.acquire() {
			return io.EOF
		}
		err = sendmsgRaw(c.fd, b, nil, unix.MSG_NOSIGNAL|unix.MSG_DONTWAIT)
		c.release()
	} else {
		var serr error
		err = c.rc.Write(func(fd uintptr) bool {
			serr = sendmsgRaw(int(fd), b, nil, unix.MSG_NOSIGNAL|unix.MSG_DONTWAIT)
			return true // one attempt, full buffer or not
		})
		if err == nil {
			err = serr
		}
	}
	if err != nil {
		return fmt.Errorf("wire: send: %w", err)
	}
	return nil
}

func sendmsg(fd int, b, oob []byte) error {
	for {
		err := sendmsgRaw(fd, b, oob, unix.MSG_NOSIGNAL)
		if err != unix.EINTR {
			return err
		}
	}
}

func recvmsg(fd int, b, oob []byte) (n, oobn, flags int, err error) {
	for {
		n, oobn, flags, err = recvmsgRaw(fd, b, oob, unix.MSG_CMSG_CLOEXEC)
		if err != unix.EINTR {
			return
		}
	}
}

// Recv reads one message into buf (which must hold MaxMessage bytes) and decodes it.
// The caller owns the returned descriptors. io.EOF means the peer is gone; an error
// wrapping ErrMalformed means it sent something we refuse (its descriptors are
// closed already).
func (c *Conn) Recv(buf []byte) (Header, Message, []int, error) {
	return c.RecvInto(buf, nil)
}

// RecvInto is Recv that decodes into into when the message is of its kind (see
// DecodeInto): the invoke path uses it to receive without allocating.
func (c *Conn) RecvInto(buf []byte, into Message) (Header, Message, []int, error) {
	n, fds, err := c.RecvRaw(buf)
	if err != nil {
		return Header{}, nil, nil, err
	}
	h, m, err := DecodeInto(buf[:n], into)
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
	var n, oobn, flags int
	var err error
	if c.f == nil {
		if !c.acquire() {
			return 0, nil, io.EOF
		}
		n, oobn, flags, err = recvmsg(c.fd, buf, c.oob)
		c.release()
	} else {
		var rerr error
		err = c.rc.Read(func(fd uintptr) bool {
			n, oobn, flags, rerr = recvmsg(int(fd), buf, c.oob)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
	}
	if err != nil {
		if errors.Is(err, unix.ECONNRESET) || c.closed.Load() {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("wire: recv: %w", err)
	}
	var fds []int
	var perr error
	if oobn > 0 {
		fds, perr = parseRights(c.oob[:oobn])
	}
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
	if c.f == nil {
		if c.acquire() {
			unix.Shutdown(c.fd, unix.SHUT_RDWR)
			c.release()
		}
		return
	}
	c.rc.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_RDWR) })
}

// Close shuts the socket down and releases it.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.Shutdown()
		c.closed.Store(true)
		if c.f == nil {
			c.release() // the owner's reference; the descriptor goes with the last
			return
		}
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
