package core

import (
	"errors"
	"io"
	"sync"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// clientConn is one client application's connection: its sessions and its
// requests in flight.
type clientConn struct {
	srv   *Server
	conn  *wire.Conn
	creds tee.Credentials

	mu       sync.Mutex
	sessions map[uint32]*session     // guarded by mu
	opening  map[uint32]*pendingOpen // opens in flight by request id (guarded by mu)
	closed   bool                    // the connection is gone (guarded by mu)

	sem      chan struct{}  // bounds requests in flight
	handlers sync.WaitGroup // request handlers
}

// session is an open session as teed tracks it.
type session struct {
	id   uint32
	inst *instance
}

// pendingOpen lets a Cancel find an open in flight.
type pendingOpen struct {
	mu        sync.Mutex
	cancelled bool      // guarded by mu
	inst      *instance // set once TAOpen was sent (guarded by mu)
	session   uint32
	taOp      uint32 // id of the TAOpen request (guarded by mu)
}

func (c *clientConn) serve() {
	defer c.cleanup()
	buf := make([]byte, wire.MaxMessage)
	if !c.handshake(buf) {
		return
	}
	for {
		h, m, fds, err := c.conn.Recv(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.srv.log.Warn("client disconnected: protocol error", "pid", c.creds.PID, "err", err)
			}
			return
		}
		switch m := m.(type) {
		case *wire.Open:
			c.spawn(func() { c.open(h.ID, m, fds) })
		case *wire.Close:
			c.spawn(func() { c.close(h.ID, m) })
		case *wire.Cancel:
			c.cancel(m)
		default:
			wire.CloseFDs(fds)
			c.srv.log.Warn("client disconnected: unexpected message", "pid", c.creds.PID, "kind", h.Kind)
			return
		}
	}
}

func (c *clientConn) handshake(buf []byte) bool {
	h, m, fds, err := c.conn.Recv(buf)
	if err != nil {
		return false
	}
	hello, ok := m.(*wire.Hello)
	if !ok || hello.Magic != wire.Magic {
		wire.CloseFDs(fds)
		c.srv.log.Warn("client disconnected: no handshake", "pid", c.creds.PID)
		return false
	}
	resp := &wire.HelloResp{Result: tee.Success, Major: wire.VersionMajor, Minor: wire.VersionMinor}
	if hello.Major != wire.VersionMajor {
		resp.Result = tee.ErrNotSupported
	}
	if _, err := c.conn.Send(nil, h.ID, resp); err != nil {
		return false
	}
	return resp.Result == tee.Success
}

// spawn runs a request handler, waiting while the client has too many in flight.
func (c *clientConn) spawn(fn func()) {
	c.sem <- struct{}{}
	c.handlers.Add(1)
	go func() {
		defer func() { <-c.sem; c.handlers.Done() }()
		fn()
	}()
}

func (c *clientConn) reply(id uint32, m wire.Message, fds ...int) {
	// A client that is gone cannot be told; its cleanup releases what it held.
	c.conn.Send(nil, id, m, fds...)
}

func (c *clientConn) open(id uint32, m *wire.Open, fds []int) {
	defer wire.CloseFDs(fds) // forwarded to the instance, or refused: ours to close
	p := &pendingOpen{}
	c.mu.Lock()
	if c.opening[id] != nil || len(c.sessions) >= maxSessionsPerConn {
		c.mu.Unlock()
		c.reply(id, &wire.OpenResp{Result: tee.ErrBusy, Origin: tee.OriginTEE})
		return
	}
	c.opening[id] = p
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.opening, id)
		c.mu.Unlock()
	}()

	resp, sess, clientEnd := c.srv.openSession(c, m, fds, p)
	if sess == nil {
		c.reply(id, resp)
		return
	}
	defer clientEnd.Close()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.srv.closeSession(sess)
		return
	}
	c.sessions[sess.id] = sess
	c.mu.Unlock()
	c.reply(id, resp, int(clientEnd.Fd()))
}

func (c *clientConn) close(id uint32, m *wire.Close) {
	c.mu.Lock()
	sess := c.sessions[m.Session]
	delete(c.sessions, m.Session)
	c.mu.Unlock()
	if sess == nil {
		c.reply(id, &wire.CloseResp{Result: tee.ErrItemNotFound})
		return
	}
	c.srv.closeSession(sess)
	c.reply(id, &wire.CloseResp{Result: tee.Success})
}

func (c *clientConn) cancel(m *wire.Cancel) {
	if m.Session == 0 {
		c.mu.Lock()
		p := c.opening[m.Op]
		c.mu.Unlock()
		if p == nil {
			return
		}
		p.mu.Lock()
		p.cancelled = true
		inst, sid, op := p.inst, p.session, p.taOp
		p.mu.Unlock()
		if inst != nil {
			inst.notify(&wire.TACancel{Session: sid, Op: op})
		}
		return
	}
	c.mu.Lock()
	sess := c.sessions[m.Session]
	c.mu.Unlock()
	if sess != nil {
		sess.inst.notify(&wire.TACancel{Session: sess.id, Op: m.Op})
	}
}

// cleanup releases everything a departed client held: requests in flight finish,
// then every session is closed, the TAs' close entry points running in parallel.
func (c *clientConn) cleanup() {
	c.conn.Shutdown()
	c.handlers.Wait()
	c.mu.Lock()
	c.closed = true
	sessions := c.sessions
	c.sessions = nil
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, sess := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.srv.closeSession(sess)
		}()
	}
	wg.Wait()
	c.conn.Close()
}
