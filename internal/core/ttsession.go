package core

import (
	"errors"
	"io"
	"sync"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// TA-to-TA sessions. A TA that opens a session on another TA does it through
// teed, and so does every invoke on it: teed is the client of the callee, holding
// the client end of the session channel, and relays each message after checking
// it. That is what lets teed see every edge of the call graph and refuse, with
// BUSY, a call that would close a cycle — an instance waiting, directly or
// through others, on the instance it calls — instead of letting the TAs deadlock
// on their entry locks.

// ttSession is a session an instance holds on another TA.
type ttSession struct {
	id     uint32
	callee *instance
	mu     sync.Mutex // one invoke at a time, as for any session
	conn   *wire.Conn // teed's client end of the session channel (blocking)
	nextOp uint32     // guarded by mu
	buf    []byte     // guarded by mu
}

// ttCall is a TA-to-TA request in flight, which the caller may cancel.
type ttCall struct {
	mu      sync.Mutex
	callee  *instance // set once the request reached the callee (guarded by mu)
	session uint32
	op      uint32 // the id the callee knows the operation by (guarded by mu)
	cancel  bool   // guarded by mu
}

// reached records that the call's operation is now at the callee, and forwards a
// cancellation that came first.
func (c *ttCall) reached(callee *instance, session, op uint32) {
	c.mu.Lock()
	c.callee, c.session, c.op = callee, session, op
	cancel := c.cancel
	c.mu.Unlock()
	if cancel {
		callee.notify(&wire.TACancel{Session: session, Op: op})
	}
}

func (in *instance) track(id uint32) *ttCall {
	c := &ttCall{}
	in.mu.Lock()
	in.ttCalls[id] = c
	in.mu.Unlock()
	return c
}

func (in *instance) untrack(id uint32) {
	in.mu.Lock()
	delete(in.ttCalls, id)
	in.mu.Unlock()
}

// ttCancel handles the caller's TTCancel for its request id.
func (in *instance) ttCancel(id uint32) {
	in.mu.Lock()
	c := in.ttCalls[id]
	in.mu.Unlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	c.cancel = true
	callee, session, op := c.callee, c.session, c.op
	c.mu.Unlock()
	if callee != nil {
		callee.notify(&wire.TACancel{Session: session, Op: op})
	}
}

// waitOn records that from waits on to, unless to already waits (directly or
// transitively) on from, or is from: then the call would deadlock, and waitOn
// reports false.
func (s *Server) waitOn(from, to *instance) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reaches(to, from, map[*instance]bool{}) {
		return false
	}
	if s.waits[from] == nil {
		s.waits[from] = map[*instance]int{}
	}
	s.waits[from][to]++
	return true
}

// reaches reports whether a waits on b through the wait graph (guarded by s.mu).
func (s *Server) reaches(a, b *instance, seen map[*instance]bool) bool {
	if a == b {
		return true
	}
	if seen[a] {
		return false
	}
	seen[a] = true
	for next := range s.waits[a] {
		if s.reaches(next, b, seen) {
			return true
		}
	}
	return false
}

func (s *Server) doneWaiting(from, to *instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waits[from][to]--; s.waits[from][to] <= 0 {
		delete(s.waits[from], to)
		if len(s.waits[from]) == 0 {
			delete(s.waits, from)
		}
	}
}

// ttOpen opens a session on another TA for the caller instance.
func (in *instance) ttOpen(id uint32, m *wire.TTOpen, fds []int) wire.Message {
	s := in.srv
	fail := func(r tee.Result) wire.Message { return &wire.TTOpenResp{Result: r, Origin: tee.OriginTEE} }
	ta, ok := s.cfg.Catalog.Lookup(m.UUID)
	if !ok {
		return fail(tee.ErrItemNotFound)
	}
	in.mu.Lock()
	full := len(in.ttSessions) >= maxSessionsPerConn
	in.mu.Unlock()
	if full {
		return fail(tee.ErrBusy)
	}
	call := in.track(id)
	defer in.untrack(id)
	callee, res, origin := s.acquire(ta, !in.creating.Load())
	if res != tee.Success {
		return &wire.TTOpenResp{Result: res, Origin: origin}
	}
	if !s.waitOn(in, callee) {
		s.release(callee)
		return fail(tee.ErrBusy)
	}
	defer s.doneWaiting(in, callee)

	sid := s.newSessionID()
	clientEnd, taEnd, err := wire.Pair(true)
	if err != nil {
		s.release(callee)
		return fail(tee.ErrOutOfMemory)
	}
	taFDs := append([]int{int(taEnd.Fd())}, fds...)
	ident := tee.Identity{Login: tee.LoginTrustedApp, UUID: in.manifest.UUID}
	opID, ch, err := callee.start(&wire.TAOpen{Session: sid, Identity: ident, Op: m.Op}, taFDs...)
	taEnd.Close()
	var r wire.Message
	if err == nil {
		call.reached(callee, sid, opID)
		r, err = callee.await(ch)
	}
	resp, ok := r.(*wire.TAOpenResp)
	if err != nil || !ok || resp.Result != tee.Success {
		clientEnd.Close()
		s.release(callee)
		if err != nil || !ok {
			return fail(tee.ErrTargetDead)
		}
		return &wire.TTOpenResp{Result: resp.Result, Origin: resp.Origin, Op: resp.Op}
	}
	conn, err := wire.NewConn(clientEnd)
	if err != nil {
		s.closeSession(&session{id: sid, inst: callee})
		return fail(tee.ErrOutOfMemory)
	}
	ts := &ttSession{id: sid, callee: callee, conn: conn}
	in.mu.Lock()
	dead := in.dead
	if !dead {
		in.ttSessions[sid] = ts
	}
	in.mu.Unlock()
	if dead { // the caller died meanwhile: nobody will close this session
		ts.close(s)
		return fail(tee.ErrTargetDead)
	}
	return &wire.TTOpenResp{Result: tee.Success, Session: sid, Op: resp.Op}
}

// ttInvoke relays an invoke from the caller to the callee and back.
func (in *instance) ttInvoke(id uint32, m *wire.TTInvoke, fds []int) wire.Message {
	in.mu.Lock()
	ts := in.ttSessions[m.Session]
	in.mu.Unlock()
	if ts == nil {
		return &wire.TTInvokeResp{Result: tee.ErrBadParameters, Origin: tee.OriginTEE}
	}
	s := in.srv
	call := in.track(id)
	defer in.untrack(id)
	if !s.waitOn(in, ts.callee) {
		return &wire.TTInvokeResp{Result: tee.ErrBusy, Origin: tee.OriginTEE}
	}
	defer s.doneWaiting(in, ts.callee)

	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.nextOp++
	op := ts.nextOp
	if ts.buf == nil {
		ts.buf = make([]byte, wire.MaxMessage)
	}
	if _, err := ts.conn.Send(nil, op, &wire.Invoke{Command: m.Command, Op: m.Op}, fds...); err != nil {
		return &wire.TTInvokeResp{Result: tee.ErrTargetDead, Origin: tee.OriginTEE}
	}
	call.reached(ts.callee, ts.id, op)
	h, r, rfds, err := ts.conn.Recv(ts.buf)
	resp, ok := r.(*wire.InvokeResp)
	if err != nil || !ok || h.ID != op {
		wire.CloseFDs(rfds)
		if err == nil || !errors.Is(err, io.EOF) {
			ts.callee.log.Warn("TA instance killed: bad response to a TA-to-TA invoke", "err", err)
			ts.callee.proc.Kill()
		}
		return &wire.TTInvokeResp{Result: tee.ErrTargetDead, Origin: tee.OriginTEE}
	}
	return &wire.TTInvokeResp{Result: resp.Result, Origin: resp.Origin, Op: resp.Op}
}

// ttClose closes one of the caller's TA-to-TA sessions.
func (in *instance) ttClose(session uint32) {
	in.mu.Lock()
	ts := in.ttSessions[session]
	delete(in.ttSessions, session)
	in.mu.Unlock()
	if ts != nil {
		ts.close(in.srv)
	}
}

// ttCloseAll closes the sessions of a caller that died.
func (in *instance) ttCloseAll() {
	in.mu.Lock()
	all := in.ttSessions
	in.ttSessions = map[uint32]*ttSession{}
	in.mu.Unlock()
	for _, ts := range all {
		ts.close(in.srv)
	}
}

func (ts *ttSession) close(s *Server) {
	ts.conn.Shutdown() // an invoke in progress ends with the callee's answer or EOF
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s.closeSession(&session{id: ts.id, inst: ts.callee})
	ts.conn.Close()
}
