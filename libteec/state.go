package main

import (
	"context"
	"sync"

	"github.com/gotee/gotee/client"
)

// teeContext is the state behind one TEEC_Context, found by its fd field.
type teeContext struct {
	fd int32
	c  *client.Context
}

// teeSession is the state behind one TEEC_Session, found by its session_id field.
type teeSession struct {
	id  uint32
	ctx *teeContext
	s   *client.Session
}

// teeShm is the state behind one TEEC_SharedMemory, found by its id field.
type teeShm struct {
	id  int32
	ctx *teeContext
	m   *client.SharedMemory
}

// inflight is an open or invoke in progress, found by the address of its
// TEEC_Operation, so that TEEC_RequestCancellation can reach it.
type inflight struct {
	cancel context.CancelFunc
}

// tables holds all of the library's state. It is safe for concurrent use.
type tables struct {
	mu       sync.Mutex
	last     int32                  // the last number handed out (guarded by mu)
	contexts map[int32]*teeContext  // by TEEC_Context.fd (guarded by mu)
	sessions map[uint32]*teeSession // by TEEC_Session.session_id (guarded by mu)
	shms     map[int32]*teeShm      // by TEEC_SharedMemory.id (guarded by mu)
	ops      map[uintptr]*inflight  // by TEEC_Operation address (guarded by mu)
}

var lib = &tables{
	contexts: map[int32]*teeContext{},
	sessions: map[uint32]*teeSession{},
	shms:     map[int32]*teeShm{},
	ops:      map[uintptr]*inflight{},
}

// number hands out a positive number not in use by any table, so a zeroed C
// structure (0) or a released one (-1) never matches anything. Numbers are
// shared by all kinds, which makes a number of one kind used as another a miss.
func (t *tables) number() int32 {
	for {
		t.last++
		if t.last <= 0 {
			t.last = 1
		}
		n := t.last
		_, c := t.contexts[n]
		_, s := t.sessions[uint32(n)]
		_, m := t.shms[n]
		if !c && !s && !m {
			return n
		}
	}
}

func (t *tables) addContext(c *client.Context) *teeContext {
	t.mu.Lock()
	defer t.mu.Unlock()
	tc := &teeContext{fd: t.number(), c: c}
	t.contexts[tc.fd] = tc
	return tc
}

func (t *tables) context(fd int32) *teeContext {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.contexts[fd]
}

// removeContext forgets a context and everything that belongs to it, and
// returns it (nil if fd is unknown) for the caller to close.
func (t *tables) removeContext(fd int32) *teeContext {
	t.mu.Lock()
	defer t.mu.Unlock()
	tc := t.contexts[fd]
	if tc == nil {
		return nil
	}
	delete(t.contexts, fd)
	for id, s := range t.sessions {
		if s.ctx == tc {
			delete(t.sessions, id)
		}
	}
	for id, m := range t.shms {
		if m.ctx == tc {
			delete(t.shms, id)
		}
	}
	return tc
}

// addSession records an open session, unless its context was finalized
// meanwhile; it reports whether it did.
func (t *tables) addSession(tc *teeContext, s *client.Session) (*teeSession, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.contexts[tc.fd] != tc {
		return nil, false
	}
	ts := &teeSession{id: uint32(t.number()), ctx: tc, s: s}
	t.sessions[ts.id] = ts
	return ts, true
}

func (t *tables) session(id uint32) *teeSession {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions[id]
}

func (t *tables) removeSession(id uint32) *teeSession {
	t.mu.Lock()
	defer t.mu.Unlock()
	ts := t.sessions[id]
	delete(t.sessions, id)
	return ts
}

// addShm records shared memory, unless its context was finalized meanwhile.
func (t *tables) addShm(tc *teeContext, m *client.SharedMemory) (*teeShm, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.contexts[tc.fd] != tc {
		return nil, false
	}
	tm := &teeShm{id: t.number(), ctx: tc, m: m}
	t.shms[tm.id] = tm
	return tm, true
}

func (t *tables) shm(id int32) *teeShm {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.shms[id]
}

func (t *tables) removeShm(id int32) *teeShm {
	t.mu.Lock()
	defer t.mu.Unlock()
	tm := t.shms[id]
	delete(t.shms, id)
	return tm
}

// track makes the operation at address op cancellable until untrack.
func (t *tables) track(op uintptr, cancel context.CancelFunc) *inflight {
	f := &inflight{cancel: cancel}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ops[op] = f
	return f
}

func (t *tables) untrack(op uintptr, f *inflight) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ops[op] == f {
		delete(t.ops, op)
	}
}

// cancel requests the cancellation of the operation in progress at address op,
// if there is one.
func (t *tables) cancel(op uintptr) {
	t.mu.Lock()
	f := t.ops[op]
	t.mu.Unlock()
	if f != nil {
		f.cancel()
	}
}
