package ta

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/tee"
)

// Session is one client session as the TA sees it. The runtime passes it to every
// entry point of the session; its methods are those of the Internal Core API that
// act on "the current session" or "the current operation". Data is the TA's own
// per-session state (the sessionContext of the C API).
//
// In a TA whose manifest says concurrent = true, several invokes of one session
// may run at once; each one then gets a Session of its own, with its own current
// operation, and they all share Data, the identity and the cancellation mask. Keep
// per-session state in Data, not in maps keyed by the *Session.
//
// Cancellation methods may be called from any goroutine; the rest belong to the
// entry point that received the Session.
type Session struct {
	*sessionState
	ln *lane // where this Session's operations arrive and run
}

// sessionState is what all the Sessions of one session share.
type sessionState struct {
	Data any

	id          uint32
	identity    tee.Identity
	clientProps *Properties
	inst        *instance
	masked      atomic.Bool // cancellation mask; true by default, as in OP-TEE
	primary     *Session    // the first lane's: open and close run on it

	mu      sync.Mutex
	lanes   []*lane  // the session's channels, the first made by open (guarded by mu)
	closing bool     // close has begun: no new lane (guarded by mu)
	early   []uint32 // cancels that arrived before their operation (guarded by mu)
}

// lane is one channel of a session and the operation running on it: a channel
// carries one operation at a time, since its arena is that operation's staging.
type lane struct {
	view *Session
	ch   *sessionConn // the channel to the client, once the session is open

	// Owned by the lane's reader: the shared memory the client handed us here.
	arena *shm.Block
	shms  map[uint32]*shm.Block

	// params of the running operation, for CheckMemoryAccess.
	params *Params

	op        uint32        // id of the running operation (guarded by the session's mu)
	cancelled atomic.Bool   // the running operation was cancelled
	cancelCh  chan struct{} // made by a Wait, closed on cancel (guarded by the session's mu)
	onCancel  func()        // passes a cancellation on to a TA-to-TA call in flight (guarded by the session's mu)
}

// maxEarlyCancels bounds the cancels kept for operations not started yet. One
// lost is an operation that runs to its end, which GP allows.
const maxEarlyCancels = 8

func newSession(inst *instance, id uint32, ident tee.Identity) *Session {
	st := &sessionState{id: id, identity: ident, clientProps: clientProperties(ident), inst: inst}
	st.masked.Store(true)
	s := st.newLane()
	st.primary = s
	return s
}

// newLane adds a lane, and the Session its operations see, to the session.
func (st *sessionState) newLane() *Session {
	ln := &lane{shms: map[uint32]*shm.Block{}}
	ln.view = &Session{sessionState: st, ln: ln}
	st.mu.Lock()
	st.lanes = append(st.lanes, ln)
	st.mu.Unlock()
	return ln.view
}

// ClientIdentity is gpd.client.identity: how the client logged in and who teed
// found it to be (TEE_GetPropertyAsIdentity on the client set).
func (s *Session) ClientIdentity() tee.Identity { return s.identity }

// begin marks the start of operation op, taking any cancel that raced ahead of it.
func (s *Session) begin(op uint32, p *Params) {
	ln := s.ln
	s.mu.Lock()
	ln.op = op
	ln.params = p
	ln.cancelCh = nil
	ln.cancelled.Store(false)
	if op != 0 {
		for i, e := range s.early {
			if e == op {
				s.early = append(s.early[:i], s.early[i+1:]...)
				ln.cancelled.Store(true)
				break
			}
		}
	}
	s.mu.Unlock()
}

func (s *Session) end() {
	ln := s.ln
	s.mu.Lock()
	ln.op = 0
	ln.params = nil
	ln.onCancel = nil
	s.mu.Unlock()
}

// cancel records a client's cancellation request for operation op.
func (st *sessionState) cancel(op uint32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if op == 0 {
		return
	}
	var ln *lane
	for _, l := range st.lanes {
		if l.op == op {
			ln = l
			break
		}
	}
	if ln == nil {
		if len(st.early) == maxEarlyCancels {
			st.early = st.early[1:]
		}
		st.early = append(st.early, op)
		return
	}
	if ln.cancelled.Swap(true) {
		return
	}
	if ln.cancelCh != nil {
		close(ln.cancelCh)
	}
	if ln.onCancel != nil && !st.masked.Load() {
		go ln.onCancel()
	}
}

// propagate arranges for a cancellation of the current operation to reach a
// TA-to-TA call it makes (GP: unless masked, the callee's operation is cancelled
// with the caller's); it runs fn at once if the operation is cancelled already.
// The returned function ends the arrangement.
func (s *Session) propagate(fn func()) (stop func()) {
	ln := s.ln
	s.mu.Lock()
	ln.onCancel = fn
	now := ln.cancelled.Load() && !s.masked.Load()
	s.mu.Unlock()
	if now {
		fn()
	}
	return func() {
		s.mu.Lock()
		ln.onCancel = nil
		s.mu.Unlock()
	}
}

// Cancelled reports whether the current operation was cancelled and cancellation is
// not masked (TEE_GetCancellationFlag).
func (s *Session) Cancelled() bool {
	return s.ln.cancelled.Load() && !s.masked.Load()
}

// MaskCancellation masks cancellation and reports whether it was masked before
// (TEE_MaskCancellation).
func (s *Session) MaskCancellation() bool { return s.masked.Swap(true) }

// UnmaskCancellation unmasks cancellation and reports whether it was masked before
// (TEE_UnmaskCancellation).
func (s *Session) UnmaskCancellation() bool { return s.masked.Swap(false) }

// Wait sleeps for d (TEE_Wait); a negative d waits forever. Unless cancellation is
// masked it returns TEE_ERROR_CANCEL as soon as the operation is cancelled.
func (s *Session) Wait(d time.Duration) error {
	var ch chan struct{} // stays nil when masked: a cancellation does not interrupt
	if !s.masked.Load() {
		ln := s.ln
		s.mu.Lock()
		if ln.cancelled.Load() {
			s.mu.Unlock()
			return tee.ErrCancel
		}
		if ln.cancelCh == nil {
			ln.cancelCh = make(chan struct{})
		}
		ch = ln.cancelCh
		s.mu.Unlock()
	}
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return nil
	case <-ch:
		return tee.ErrCancel
	}
}

// Memory access flags of TEE_CheckMemoryAccessRights.
const (
	AccessRead     uint32 = 0x1
	AccessWrite    uint32 = 0x2
	AccessAnyOwner uint32 = 0x4
)

// CheckMemoryAccess checks that the TA may access buf with the given flags
// (TEE_CheckMemoryAccessRights). Memory inside a parameter's window is shared with
// the client: it is accepted only with AccessAnyOwner and only if buf lies wholly
// inside the window. Memory outside every window is the TA's own and readable and
// writable.
func (s *Session) CheckMemoryAccess(flags uint32, buf []byte) error {
	if flags&^(AccessRead|AccessWrite|AccessAnyOwner) != 0 {
		return tee.ErrBadParameters
	}
	if len(buf) == 0 {
		return nil
	}
	lo, hi := span(buf)
	p := s.ln.params
	if p == nil {
		return nil
	}
	for i := range p {
		if len(p[i].Mem) == 0 {
			continue
		}
		mlo, mhi := span(p[i].Mem)
		if hi <= mlo || lo >= mhi {
			continue
		}
		// Shared pages are mapped read-write whatever the parameter's direction, so,
		// as in OP-TEE, only ownership and bounds decide.
		if lo < mlo || hi > mhi || flags&AccessAnyOwner == 0 {
			return tee.ErrAccessDenied
		}
		return nil
	}
	return nil
}
