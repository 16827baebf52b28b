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
// use; its invokes run one at a time, as GP requires.
type Session struct {
	ctx *Context
	id  uint32

	mu     sync.Mutex // serializes invokes and close; guards the fields below
	conn   *wire.Conn // the direct channel to the TA instance
	ch     *channel
	nextOp uint32
	buf    []byte          // receive buffer
	out    []byte          // send buffer
	pr     prepared        // the operation being sent, reused
	req    wire.Invoke     // the request being sent, reused
	resp   wire.InvokeResp // the response being received, reused
	dead   bool            // the instance is gone
	closed bool
}

var (
	errTargetDead = &tee.Error{Code: tee.ErrTargetDead, Origin: tee.OriginTEE}
	errClosed     = &tee.Error{Code: tee.ErrBadState, Origin: tee.OriginAPI}
)

// Invoke runs command cmd of the TA with op, which may be nil
// (TEEC_InvokeCommand). Outputs are written back into op's parameters. Cancelling
// ctx while the command runs requests its cancellation; the TA decides whether and
// when to give up, and Invoke returns when it does.
func (s *Session) Invoke(ctx context.Context, cmd uint32, op *Operation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if s.dead {
		return errTargetDead
	}
	pr := &s.pr
	if err := s.ch.prepare(pr, s.ctx, op); err != nil {
		return err
	}
	s.nextOp++
	id := s.nextOp
	if s.buf == nil {
		s.buf = make([]byte, wire.MaxMessage)
	}
	s.req = wire.Invoke{Command: cmd, Op: pr.op}
	var err error
	s.out, err = s.conn.Send(s.out, id, &s.req, pr.fds...)
	if err != nil {
		pr.abandon()
		return s.died()
	}
	s.ch.commit(pr)
	s.ctx.noteShared(s, pr.newShm)
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			s.ctx.conn.Send(nil, 0, &wire.Cancel{Session: s.id, Op: id})
		})
		defer stop()
	}
	h, m, fds, err := s.conn.RecvInto(s.buf, &s.resp)
	resp, ok := m.(*wire.InvokeResp)
	if err != nil || !ok || h.ID != id {
		wire.CloseFDs(fds)
		if err == nil || !errors.Is(err, io.EOF) {
			s.conn.Shutdown() // the instance broke the protocol: treat it as dead
		}
		return s.died()
	}
	s.ch.finish(op, pr, &resp.Op)
	return tee.NewError(resp.Result, resp.Origin)
}

// died marks the session's instance dead; every later call gets TARGET_DEAD.
func (s *Session) died() error {
	s.dead = true
	return errTargetDead
}

// Close closes the session (TEEC_CloseSession): the TA's close entry point runs,
// unless the instance is dead. Closing twice is harmless.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	// teed closes the session in the TA even if it can't tell us it did.
	s.ctx.call(context.Background(), &wire.Close{Session: s.id}, nil, nil)
	s.teardown()
	s.ctx.forget(s)
	return nil
}

func (s *Session) teardown() {
	s.conn.Close()
	s.ch.close()
}

func (ch *channel) close() {
	if ch.arena != nil {
		ch.arena.Close()
		ch.arena = nil
	}
}
