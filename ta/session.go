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
// Cancellation methods may be called from any goroutine; the rest belong to the
// entry point that received the Session.
type Session struct {
	Data any

	id          uint32
	identity    tee.Identity
	clientProps *Properties
	inst        *instance

	ch *sessionConn // the channel to the client, once the session is open

	// Owned by the session's reader: the shared memory this client has handed us.
	arena *shm.Block
	shms  map[uint32]*shm.Block

	// params of the running operation, for CheckMemoryAccess.
	params *Params

	cancelMu      sync.Mutex
	op            uint32        // id of the running operation (guarded by cancelMu)
	pendingCancel uint32        // a cancel that arrived before its operation (guarded by cancelMu)
	cancelled     atomic.Bool   // the running operation was cancelled
	cancelCh      chan struct{} // made by a Wait, closed on cancel (guarded by cancelMu)
	masked        atomic.Bool   // cancellation mask; true by default, as in OP-TEE
	onCancel      func()        // passes a cancellation on to a TA-to-TA call in flight (guarded by cancelMu)
}

func newSession(inst *instance, id uint32, ident tee.Identity) *Session {
	s := &Session{id: id, identity: ident, clientProps: clientProperties(ident), inst: inst, shms: map[uint32]*shm.Block{}}
	s.masked.Store(true)
	return s
}

// ClientIdentity is gpd.client.identity: how the client logged in and who teed
// found it to be (TEE_GetPropertyAsIdentity on the client set).
func (s *Session) ClientIdentity() tee.Identity { return s.identity }

// begin marks the start of operation op, taking any cancel that raced ahead of it.
func (s *Session) begin(op uint32, p *Params) {
	s.cancelMu.Lock()
	s.op = op
	s.params = p
	s.cancelCh = nil
	s.cancelled.Store(false)
	if s.pendingCancel == op && op != 0 {
		s.pendingCancel = 0
		s.cancelled.Store(true)
	}
	s.cancelMu.Unlock()
}

func (s *Session) end() {
	s.cancelMu.Lock()
	s.op = 0
	s.params = nil
	s.onCancel = nil
	s.cancelMu.Unlock()
}

// cancel records a client's cancellation request for operation op.
func (s *Session) cancel(op uint32) {
	s.cancelMu.Lock()
	defer s.cancelMu.Unlock()
	if s.op != op || op == 0 {
		s.pendingCancel = op
		return
	}
	if s.cancelled.Swap(true) {
		return
	}
	if s.cancelCh != nil {
		close(s.cancelCh)
	}
	if s.onCancel != nil && !s.masked.Load() {
		go s.onCancel()
	}
}

// propagate arranges for a cancellation of the current operation to reach a
// TA-to-TA call it makes (GP: unless masked, the callee's operation is cancelled
// with the caller's); it runs fn at once if the operation is cancelled already.
// The returned function ends the arrangement.
func (s *Session) propagate(fn func()) (stop func()) {
	s.cancelMu.Lock()
	s.onCancel = fn
	now := s.cancelled.Load() && !s.masked.Load()
	s.cancelMu.Unlock()
	if now {
		fn()
	}
	return func() {
		s.cancelMu.Lock()
		s.onCancel = nil
		s.cancelMu.Unlock()
	}
}

// Cancelled reports whether the current operation was cancelled and cancellation is
// not masked (TEE_GetCancellationFlag).
func (s *Session) Cancelled() bool {
	return s.cancelled.Load() && !s.masked.Load()
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
		s.cancelMu.Lock()
		if s.cancelled.Load() {
			s.cancelMu.Unlock()
			return tee.ErrCancel
		}
		if s.cancelCh == nil {
			s.cancelCh = make(chan struct{})
		}
		ch = s.cancelCh
		s.cancelMu.Unlock()
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
	p := s.params
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
