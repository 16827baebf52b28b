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

	sem      chan struct{}  // bounds opens in flight
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
			// Registered here, before the next datagram is read, so that a Cancel
			// sent right behind the Open finds it.
			p, res := c.register(h.ID)
			if res != tee.Success {
				wire.CloseFDs(fds)
				c.reply(h.ID, &wire.OpenResp{Result: res, Origin: tee.OriginTEE})
				continue
			}
			c.spawn(func() {
				defer func() { <-c.sem }()
				c.open(h.ID, m, fds, p)
			})
		case *wire.Close:
			// Closes are bounded by the sessions and never wait for a slot: the
			// reader must stay free to read the Cancels that let opens finish.
			c.spawn(func() { c.close(h.ID, m) })
		case *wire.Cancel:
			c.cancel(m)
		case *wire.Lane:
			// Answered aside: the TA is asked on its instance channel, which may
			// be slow to answer, and this reader must stay free for Cancels.
			c.spawn(func() { c.lane(h.ID, m) })
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

// spawn runs a request handler.
func (c *clientConn) spawn(fn func()) {
	c.handlers.Add(1)
	go func() {
		defer c.handlers.Done()
		fn()
	}()
}

// register admits an Open: BUSY if its id is in flight already, if the client has
// as many opens in flight as it may, or as many sessions.
func (c *clientConn) register(id uint32) (*pendingOpen, tee.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opening[id] != nil || len(c.sessions) >= maxSessionsPerConn {
		return nil, tee.ErrBusy
	}
	select {
	case c.sem <- struct{}{}:
	default:
		return nil, tee.ErrBusy
	}
	p := &pendingOpen{}
	c.opening[id] = p
	return p, tee.Success
}

func (c *clientConn) reply(id uint32, m wire.Message, fds ...int) {
	// A client that is gone cannot be told; its cleanup releases what it held.
	c.conn.Send(nil, id, m, fds...)
}

func (c *clientConn) open(id uint32, m *wire.Open, fds []int, p *pendingOpen) {
	defer wire.CloseFDs(fds) // forwarded to the instance, or refused: ours to close
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

// lane gives the client another channel to one of its sessions (see wire.Lane):
// teed makes the pair, so the TA only ever reads a channel teed made, never a
// descriptor of the client's choosing.
func (c *clientConn) lane(id uint32, m *wire.Lane) {
	c.mu.Lock()
	sess := c.sessions[m.Session]
	c.mu.Unlock()
	if sess == nil {
		c.reply(id, &wire.LaneResp{Result: tee.ErrItemNotFound})
		return
	}
	if !sess.inst.manifest.Concurrent {
		c.reply(id, &wire.LaneResp{Result: tee.ErrNotSupported})
		return
	}
	clientEnd, taEnd, err := wire.Pair(true)
	if err != nil {
		c.reply(id, &wire.LaneResp{Result: tee.ErrOutOfMemory})
		return
	}
	defer clientEnd.Close()
	r, err := sess.inst.call(&wire.TALane{Session: sess.id}, int(taEnd.Fd()))
	taEnd.Close()
	resp, ok := r.(*wire.TALaneResp)
	switch {
	case err != nil || !ok:
		c.reply(id, &wire.LaneResp{Result: tee.ErrTargetDead})
	case resp.Result != tee.Success:
		c.reply(id, &wire.LaneResp{Result: resp.Result})
	default:
		c.reply(id, &wire.LaneResp{Result: tee.Success}, int(clientEnd.Fd()))
	}
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
