package ta

import (
	"math/bits"
	"sync"
	"time"

	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// TimeoutInfinite is TEE_TIMEOUT_INFINITE: a TA-to-TA call that is never
// cancelled for taking too long.
const TimeoutInfinite = ^uint32(0)

// TASession is a session this TA holds on another TA (TEE_TASessionHandle). Every
// message on it crosses teed, which identifies this TA to the callee (login
// TRUSTED_APP, this TA's UUID) and refuses with BUSY a call that would deadlock a
// cycle of TAs calling each other. Memory references are carried across: the
// bytes of each memref are staged in a memory area shared with the callee and
// copied back after the call. A TASession is safe for concurrent use; its calls
// run one at a time.
type TASession struct {
	inst *instance
	id   uint32

	mu     sync.Mutex
	arena  *shm.Block // staging area, mapped by the callee too (guarded by mu)
	closed bool       // guarded by mu
}

// OpenTASession opens a session on the TA dest (TEE_OpenTASession), passing p
// (which may be nil) to its open entry point; timeout is the cancellation timeout
// in milliseconds, or TimeoutInfinite. Errors carry their origin: TRUSTED_APP when
// the callee refused, TEE or COMMS otherwise; TARGET_DEAD if the callee died.
func (s *Session) OpenTASession(dest tee.UUID, timeout uint32, p *Params) (*TASession, error) {
	t := &TASession{inst: s.inst}
	t.mu.Lock()
	defer t.mu.Unlock()
	op, fds, err := t.prepare(p)
	if err != nil {
		return nil, err
	}
	r, ok := t.call(&wire.TTOpen{UUID: dest, Op: op}, timeout, fds).(*wire.TTOpenResp)
	if !ok {
		t.release()
		return nil, &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	t.finish(p, &op, &r.Op)
	if r.Result != tee.Success {
		t.release()
		return nil, &tee.Error{Code: r.Result, Origin: r.Origin}
	}
	t.id = r.Session
	return t, nil
}

// Invoke runs command cmd of the other TA with p (TEE_InvokeTACommand). Outputs —
// values, memref sizes, and memref bytes that fit — are written back into p.
func (t *TASession) Invoke(timeout, cmd uint32, p *Params) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		Panic(tee.ErrBadState) // GP: a closed session handle is a programming error
	}
	op, fds, err := t.prepare(p)
	if err != nil {
		return err
	}
	r, ok := t.call(&wire.TTInvoke{Session: t.id, Command: cmd, Op: op}, timeout, fds).(*wire.TTInvokeResp)
	if !ok {
		return &tee.Error{Code: tee.ErrCommunication, Origin: tee.OriginComms}
	}
	t.finish(p, &op, &r.Op)
	return tee.NewError(r.Result, r.Origin)
}

// Close closes the session (TEE_CloseTASession): the other TA's close entry point
// runs. Closing twice is harmless.
func (t *TASession) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	t.inst.request(&wire.TTClose{Session: t.id})
	t.release()
}

func (t *TASession) release() {
	if t.arena != nil {
		t.arena.Close()
		t.arena = nil
	}
}

// call sends a request and waits for its response, asking teed to cancel it once
// timeout milliseconds have passed.
func (t *TASession) call(m wire.Message, timeout uint32, fds []int) wire.Message {
	id, ch := t.inst.startRequest(m, fds...)
	if ch == nil {
		return nil
	}
	cancel := func() { t.inst.ctl.Send(nil, 0, &wire.TTCancel{Op: id}) }
	if timeout != TimeoutInfinite {
		timer := time.AfterFunc(time.Duration(timeout)*time.Millisecond, cancel)
		defer timer.Stop()
	}
	// Called from an entry point (the instance runs one at a time), the call is
	// part of that session's operation: cancelling the operation cancels it too.
	if s := t.inst.current.Load(); s != nil {
		defer s.propagate(cancel)()
	}
	return <-ch
}

// prepare lays p out for the wire, staging memref bytes in the arena (a new,
// larger arena when needed, which then travels with the request).
func (t *TASession) prepare(p *Params) (wire.Operation, []int, error) {
	var op wire.Operation
	if p == nil {
		return op, nil, nil
	}
	need := 0
	for i := range p {
		q, w := &p[i], &op.Params[i]
		w.Type = q.Type
		switch {
		case q.Type == tee.ParamNone:
		case q.Type.IsValue():
			w.A, w.B = uint64(q.Value.A), uint64(q.Value.B)
		case q.Type == tee.MemrefInput || q.Type == tee.MemrefOutput || q.Type == tee.MemrefInout:
			if q.Mem == nil {
				w.Shm, w.B = wire.ShmNull, uint64(max(q.Size, 0))
				continue
			}
			w.Shm, w.A, w.B = wire.ShmArena, uint64(need), uint64(len(q.Mem))
			need += (len(q.Mem) + 63) &^ 63
		default:
			return op, nil, &tee.Error{Code: tee.ErrBadParameters, Origin: tee.OriginAPI}
		}
	}
	var fds []int
	if need > 0 && (t.arena == nil || t.arena.Len() < need) {
		b, err := shm.New("gotee-ta-arena", max(64<<10, 1<<bits.Len(uint(need-1))))
		if err != nil {
			return op, nil, &tee.Error{Code: tee.ErrOutOfMemory, Origin: tee.OriginAPI}
		}
		t.release()
		t.arena = b
		op.HasArena = true
		fds = []int{b.FD()}
	}
	for i := range p {
		if w := op.Params[i]; w.Type.IsMemref() && w.Shm == wire.ShmArena && w.Type.In() {
			copy(t.arena.Bytes()[w.A:], p[i].Mem)
		}
	}
	return op, fds, nil
}

// finish writes the callee's outputs back into p. Where the bytes are comes from
// what was sent, never from the response: the callee is not trusted with our
// arena's layout.
func (t *TASession) finish(p *Params, sent, out *wire.Operation) {
	if p == nil {
		return
	}
	for i := range p {
		q, o, w := &p[i], out.Params[i], sent.Params[i]
		if o.Type != q.Type {
			continue
		}
		switch {
		case q.Type.IsValue() && q.Type.Out():
			q.Value = tee.Value{A: uint32(o.A), B: uint32(o.B)}
		case q.Type.IsMemref() && q.Type.Out():
			size := int(min(o.B, uint64(shm.MaxSize)))
			if w.Shm == wire.ShmArena && t.arena != nil && size <= len(q.Mem) {
				copy(q.Mem[:size], t.arena.Bytes()[w.A:])
			}
			q.Size = size
		}
	}
}
