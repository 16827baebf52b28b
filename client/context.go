package client

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// Login says how a session's client wants to be identified: Method is one of
// tee.LoginPublic, LoginUser, LoginGroup, LoginApplication, LoginUserApplication or
// LoginGroupApplication; Group is the group asked for by the GROUP logins. teed
// computes the identity itself from the kernel's view of this process.
type Login struct {
	Method tee.LoginMethod
	Group  uint32
}

// Public is the PUBLIC login: no identity.
var Public = Login{Method: tee.LoginPublic}

// Context is a connection to teed (TEEC_Context). It is safe for concurrent use.
type Context struct {
	conn *wire.Conn

	mu       sync.Mutex
	nextID   uint32                 // guarded by mu
	pending  map[uint32]chan result // requests awaiting teed (guarded by mu)
	sessions map[*Session]struct{}  // open sessions (guarded by mu)
	shms     map[uint32]*SharedMemory
	nextShm  uint32 // guarded by mu
	closed   bool   // guarded by mu

	readerDone chan struct{}
}

type result struct {
	m   wire.Message
	fds []int
}

// NewContext connects to a TEE (TEEC_InitializeContext). name selects it: "" is the
// default teed (see tee.DefaultSocket), and an absolute path names teed's socket.
// Any other name is TEE_ERROR_ITEM_NOT_FOUND, as is a TEE that is not running.
func NewContext(ctx context.Context, name string) (*Context, error) {
	path := name
	switch {
	case name == "":
		path = tee.DefaultSocket()
	case !strings.HasPrefix(name, "/"):
		return nil, &tee.Error{Code: tee.ErrItemNotFound, Origin: tee.OriginAPI}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &tee.Error{Code: tee.ErrOutOfMemory, Origin: tee.OriginAPI}
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, &tee.Error{Code: tee.ErrItemNotFound, Origin: tee.OriginComms}
	}
	// The handshake is synchronous, on the still-blocking socket.
	conn, err := wire.FDConn(fd, "teed")
	if err != nil {
		return nil, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	commsErr := &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	if _, err := conn.Send(nil, 1, &wire.Hello{Magic: wire.Magic, Major: wire.VersionMajor, Minor: wire.VersionMinor}); err != nil {
		conn.Close()
		return nil, commsErr
	}
	buf := make([]byte, wire.MaxMessage)
	_, m, fds, err := conn.Recv(buf)
	wire.CloseFDs(fds)
	hr, ok := m.(*wire.HelloResp)
	if err != nil || !ok {
		conn.Close()
		return nil, commsErr
	}
	if hr.Result != tee.Success {
		conn.Close()
		return nil, &tee.Error{Code: hr.Result, Origin: tee.OriginComms}
	}
	c := &Context{conn: conn, pending: map[uint32]chan result{}, sessions: map[*Session]struct{}{},
		shms: map[uint32]*SharedMemory{}, nextID: 1, readerDone: make(chan struct{})}
	go c.read()
	return c, nil
}

// read delivers teed's responses to the requests waiting for them.
func (c *Context) read() {
	defer close(c.readerDone)
	buf := make([]byte, wire.MaxMessage)
	for {
		h, m, fds, err := c.conn.Recv(buf)
		if err != nil {
			break
		}
		c.mu.Lock()
		ch := c.pending[h.ID]
		delete(c.pending, h.ID)
		c.mu.Unlock()
		if ch == nil {
			wire.CloseFDs(fds)
			continue
		}
		ch <- result{m, fds}
	}
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, ch := range pending {
		close(ch)
	}
}

// call sends a request to teed; cancel, if not nil, is called with the request id
// when ctx is done before the response arrives.
func (c *Context) call(ctx context.Context, m wire.Message, fds []int, cancel func(id uint32)) (result, error) {
	ch := make(chan result, 1)
	c.mu.Lock()
	if c.closed || c.pending == nil {
		c.mu.Unlock()
		return result{}, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	if _, err := c.conn.Send(nil, id, m, fds...); err != nil {
		c.mu.Lock()
		if c.pending != nil {
			delete(c.pending, id)
		}
		c.mu.Unlock()
		return result{}, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	if cancel != nil && ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { cancel(id) })
		defer stop()
	}
	r, ok := <-ch
	if !ok {
		return result{}, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	return r, nil
}

// OpenSession opens a session on the TA ta (TEEC_OpenSession), passing op (which
// may be nil) to its open entry point. Cancelling ctx while the open is in progress
// requests its cancellation.
func (c *Context) OpenSession(ctx context.Context, ta tee.UUID, login Login, op *Operation) (*Session, error) {
	ch := &channel{sent: map[uint32]bool{}}
	pr := &prepared{}
	if err := ch.prepare(pr, c, op); err != nil {
		return nil, err
	}
	r, err := c.call(ctx, &wire.Open{UUID: ta, Login: login.Method, GID: login.Group, Op: pr.op}, pr.fds,
		func(id uint32) { c.conn.Send(nil, 0, &wire.Cancel{Session: 0, Op: id}) })
	if err != nil {
		pr.abandon()
		return nil, err
	}
	ch.commit(pr)
	resp, ok := r.m.(*wire.OpenResp)
	if !ok {
		wire.CloseFDs(r.fds)
		ch.close()
		return nil, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	ch.finish(op, pr, &resp.Op)
	if resp.Result != tee.Success {
		ch.close()
		return nil, &tee.Error{Code: resp.Result, Origin: resp.Origin}
	}
	conn, err := wire.FDConn(r.fds[0], "session")
	if err != nil {
		ch.close()
		return nil, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	s := newSession(c, resp.Session, conn, ch)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		s.teardown()
		return nil, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	c.sessions[s] = struct{}{}
	c.mu.Unlock()
	c.noteShared(s.lanes[0], pr.newShm)
	return s, nil
}

// Close ends the context (TEEC_FinalizeContext). Sessions still open are closed by
// teed, and their TAs' close entry points run; shared memory is released.
func (c *Context) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	sessions := make([]*Session, 0, len(c.sessions))
	for s := range c.sessions {
		sessions = append(sessions, s)
	}
	c.mu.Unlock()
	for _, s := range sessions {
		s.Close()
	}
	c.mu.Lock()
	c.closed = true
	shms := c.shms
	c.shms = map[uint32]*SharedMemory{}
	c.mu.Unlock()
	for _, m := range shms {
		m.Release()
	}
	err := c.conn.Close()
	<-c.readerDone
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	return err
}
