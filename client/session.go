package client

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// Session is an open session with a TA (TEEC_Session). It is safe for concurrent
// use. Its invokes run one at a time, as GP requires of a TA, unless the TA's
// manifest says concurrent = true: then an invoke that finds the session busy asks
// teed for another channel to it (a lane, see wire.Lane), and the invokes run in
// the TA at the same time. A TA that runs one entry point at a time refuses the
// first lane, and the session never asks again.
type Session struct {
	ctx *Context
	id  uint32

	mu      sync.Mutex
	wake    sync.Cond // signalled when a lane comes back or a lane request ends (L is &mu)
	lanes   []*lane   // every lane, the first made by OpenSession (guarded by mu)
	idle    []*lane   // lanes no invoke holds (guarded by mu)
	asking  bool      // a lane request is in flight (guarded by mu)
	noLanes bool      // the TA refused a lane: invokes wait for one another (guarded by mu)
	nextOp  uint32    // guarded by mu
	dead    bool      // the instance is gone (guarded by mu)
	closed  bool      // guarded by mu
}

// lane is one channel to the session's TA instance and what an invoke on it needs:
// one invoke at a time holds it, so its buffers and arena are that invoke's.
type lane struct {
	conn *wire.Conn // the direct channel to the TA instance
	ch   *channel
	buf  []byte          // receive buffer
	out  []byte          // send buffer
	pr   prepared        // the operation being sent, reused
	req  wire.Invoke     // the request being sent, reused
	resp wire.InvokeResp // the response being received, reused
}

// maxLanes bounds the lanes of one session, as the TA does (ta.maxLanes: each lane
// costs the TA a thread); more invokes at once wait for a lane.
const maxLanes = 16

var (
	errTargetDead = &tee.Error{Code: tee.ErrTargetDead, Origin: tee.OriginTEE}
	errClosed     = &tee.Error{Code: tee.ErrBadState, Origin: tee.OriginAPI}
)

func newSession(c *Context, id uint32, conn *wire.Conn, ch *channel) *Session {
	s := &Session{ctx: c, id: id}
	s.wake.L = &s.mu
	ln := &lane{conn: conn, ch: ch}
	s.lanes, s.idle = []*lane{ln}, []*lane{ln}
	return s
}

// Invoke runs command cmd of the TA with op, which may be nil
// (TEEC_InvokeCommand). Outputs are written back into op's parameters. Cancelling
// ctx while the command runs requests its cancellation; the TA decides whether and
// when to give up, and Invoke returns when it does.
func (s *Session) Invoke(ctx context.Context, cmd uint32, op *Operation) error {
	ln, id, err := s.take()
	if err != nil {
		return err
	}
	defer s.put(ln)
	pr := &ln.pr
	if err := ln.ch.prepare(pr, s.ctx, op); err != nil {
		return err
	}
	if ln.buf == nil {
		ln.buf = make([]byte, wire.MaxMessage)
	}
	ln.req = wire.Invoke{Command: cmd, Op: pr.op}
	ln.out, err = ln.conn.Send(ln.out, id, &ln.req, pr.fds...)
	if err != nil {
		pr.abandon()
		return s.died()
	}
	ln.ch.commit(pr)
	s.ctx.noteShared(ln, pr.newShm)
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			s.ctx.conn.Send(nil, 0, &wire.Cancel{Session: s.id, Op: id})
		})
		defer stop()
	}
	h, m, fds, err := ln.conn.RecvInto(ln.buf, &ln.resp)
	resp, ok := m.(*wire.InvokeResp)
	if err != nil || !ok || h.ID != id {
		wire.CloseFDs(fds)
		if err == nil || !errors.Is(err, io.EOF) {
			ln.conn.Shutdown() // the instance broke the protocol: treat it as dead
		}
		return s.died()
	}
	ln.ch.finish(op, pr, &resp.Op)
	return tee.NewError(resp.Result, resp.Origin)
}

// take gives the caller a lane of its own and the id of its operation: an idle
// lane, else a new one if the TA takes lanes, else the first lane to come back.
func (s *Session) take() (*lane, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.closed:
			return nil, 0, errClosed
		case s.dead:
			return nil, 0, errTargetDead
		}
		if n := len(s.idle); n > 0 {
			ln := s.idle[n-1]
			s.idle = s.idle[:n-1]
			s.nextOp++
			return ln, s.nextOp, nil
		}
		if !s.noLanes && !s.asking && len(s.lanes) < maxLanes {
			// One request at a time: lanes grow with the invokes that wait, not
			// with a burst of them.
			s.asking = true
			s.mu.Unlock()
			ln, err := s.askLane()
			s.mu.Lock()
			s.asking = false
			s.wake.Broadcast()
			if err != nil {
				s.noLanes = true // refused or failed: do as GP does, one at a time
				continue
			}
			if s.closed || s.dead {
				ln.teardown()
				continue
			}
			s.lanes = append(s.lanes, ln)
			s.nextOp++
			return ln, s.nextOp, nil
		}
		s.wake.Wait()
	}
}

// put gives a lane back.
func (s *Session) put(ln *lane) {
	s.mu.Lock()
	s.idle = append(s.idle, ln)
	s.wake.Broadcast()
	s.mu.Unlock()
}

// askLane asks teed for another channel to the session.
func (s *Session) askLane() (*lane, error) {
	r, err := s.ctx.call(context.Background(), &wire.Lane{Session: s.id}, nil, nil)
	if err != nil {
		return nil, err
	}
	resp, ok := r.m.(*wire.LaneResp)
	if !ok || resp.Result != tee.Success {
		wire.CloseFDs(r.fds)
		return nil, errClosed
	}
	conn, err := wire.FDConn(r.fds[0], "lane")
	if err != nil {
		return nil, err
	}
	return &lane{conn: conn, ch: &channel{sent: map[uint32]bool{}}}, nil
}

// died marks the session's instance dead; every later call gets TARGET_DEAD.
func (s *Session) died() error {
	s.mu.Lock()
	s.dead = true
	s.mu.Unlock()
	return errTargetDead
}

// Close closes the session (TEEC_CloseSession) once the invokes in progress are
// done: the TA's close entry point runs, unless the instance is dead. Closing twice
// is harmless.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for len(s.idle) < len(s.lanes) || s.asking {
		s.wake.Wait()
	}
	s.mu.Unlock()
	// teed closes the session in the TA even if it can't tell us it did.
	s.ctx.call(context.Background(), &wire.Close{Session: s.id}, nil, nil)
	s.teardown()
	s.ctx.forget(s)
	return nil
}

// teardown closes every lane; no invoke holds one.
func (s *Session) teardown() {
	s.mu.Lock()
	lanes := s.lanes
	s.mu.Unlock()
	for _, ln := range lanes {
		ln.teardown()
	}
}

func (ln *lane) teardown() {
	ln.conn.Close()
	ln.ch.close()
}

func (ch *channel) close() {
	if ch.arena != nil {
		ch.arena.Close()
		ch.arena = nil
	}
}
