package core

import (
	"os"
	"sync"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// openSession brokers an Open: catalog, policy, identity, instance, then the TA's
// open entry point. On success it returns the session and the client's end of the
// session channel; otherwise the response to send back.
func (s *Server) openSession(c *clientConn, m *wire.Open, fds []int, p *pendingOpen) (*wire.OpenResp, *session, *os.File) {
	fail := func(r tee.Result, o tee.Origin) (*wire.OpenResp, *session, *os.File) {
		return &wire.OpenResp{Result: r, Origin: o}, nil, nil
	}
	ta, ok := s.cfg.Catalog.Lookup(m.UUID)
	if !ok {
		return fail(tee.ErrItemNotFound, tee.OriginTEE)
	}
	man := ta.Manifest()
	if !man.Access.Allows(&c.creds) || s.cfg.Allow != nil && !s.cfg.Allow(m.UUID, &c.creds) {
		s.log.Info("session refused by access policy", "uuid", m.UUID, "uid", c.creds.UID, "pid", c.creds.PID, "exe", c.creds.Exe)
		return fail(tee.ErrAccessDenied, tee.OriginTEE)
	}
	ident, err := tee.ClientIdentity(&c.creds, m.Login, m.GID)
	if err != nil {
		code, _ := tee.Code(err, tee.OriginTEE)
		return fail(code, tee.OriginTEE)
	}
	if !memrefsBacked(&m.Op) {
		return fail(tee.ErrBadParameters, tee.OriginTEE)
	}

	in, res, origin := s.acquire(ta, true)
	if res != tee.Success {
		return fail(res, origin)
	}
	sess := &session{id: s.newSessionID(), inst: in}
	clientEnd, taEnd, err := wire.Pair(true)
	if err != nil {
		s.release(in)
		return fail(tee.ErrOutOfMemory, tee.OriginTEE)
	}
	defer taEnd.Close()

	p.mu.Lock()
	cancelled := p.cancelled
	p.mu.Unlock()
	taFDs := append([]int{int(taEnd.Fd())}, fds...)
	id, ch, err := in.start(&wire.TAOpen{Session: sess.id, Identity: ident, Op: m.Op}, taFDs...)
	if err == nil {
		p.mu.Lock()
		p.inst, p.session, p.taOp = in, sess.id, id
		cancelled = cancelled || p.cancelled
		p.mu.Unlock()
		if cancelled {
			in.notify(&wire.TACancel{Session: sess.id, Op: id})
		}
	}
	var r wire.Message
	if err == nil {
		r, err = in.await(ch)
	}
	resp, ok := r.(*wire.TAOpenResp)
	if err != nil || !ok {
		clientEnd.Close()
		s.release(in)
		return fail(tee.ErrTargetDead, tee.OriginTEE)
	}
	if resp.Result != tee.Success {
		clientEnd.Close()
		s.release(in)
		return &wire.OpenResp{Result: resp.Result, Origin: resp.Origin, Op: resp.Op}, nil, nil
	}
	return &wire.OpenResp{Result: tee.Success, Session: sess.id, Op: resp.Op}, sess, clientEnd
}

// memrefsBacked checks that each memref of an Open points at memory that comes
// with it: a new session has no arena and no shared memory yet.
func memrefsBacked(op *wire.Operation) bool {
	for _, p := range op.Params {
		if !p.Type.IsMemref() || p.Shm == wire.ShmNull {
			continue
		}
		if p.Shm == wire.ShmArena {
			if !op.HasArena {
				return false
			}
			continue
		}
		found := false
		for _, id := range op.ShmIDs[:op.NewShm] {
			found = found || id == p.Shm
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Server) newSessionID() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextSession++
	if s.nextSession == 0 {
		s.nextSession = 1
	}
	return s.nextSession
}

// acquire chooses the instance a new session goes to, as GP's instance model says:
// a fresh one for a multi-instance TA; the one instance of a single-instance TA,
// started if there is none, and BUSY if it has a session and isn't multiSession.
//
// Starting a single-instance TA holds its lock through the create entry point. A
// TA-to-TA open made from a create entry point passes wait=false: it is BUSY
// rather than waiting for a TA being started, which may be waiting for it.
func (s *Server) acquire(ta TA, wait bool) (*instance, tee.Result, tee.Origin) {
	m := ta.Manifest()
	if !m.SingleInstance {
		in, res, origin := s.spawn(ta)
		if res == tee.Success {
			s.mu.Lock()
			in.refs++
			s.mu.Unlock()
		}
		return in, res, origin
	}
	s.mu.Lock()
	lock := s.uuidLocks[m.UUID]
	if lock == nil {
		lock = new(sync.Mutex)
		s.uuidLocks[m.UUID] = lock
	}
	s.mu.Unlock()
	if wait {
		lock.Lock()
	} else if !lock.TryLock() {
		return nil, tee.ErrBusy, tee.OriginTEE
	}
	defer lock.Unlock()

	s.mu.Lock()
	in := s.single[m.UUID]
	if in != nil && !in.isDead() {
		defer s.mu.Unlock()
		if !in.manifest.MultiSession && in.refs > 0 {
			return nil, tee.ErrBusy, tee.OriginTEE
		}
		in.refs++
		return in, tee.Success, 0
	}
	s.mu.Unlock()
	in, res, origin := s.spawn(ta)
	if res != tee.Success {
		return nil, res, origin
	}
	s.mu.Lock()
	s.single[m.UUID] = in
	in.refs++
	s.mu.Unlock()
	return in, tee.Success, 0
}

// release drops a session's (or a failed open's) hold on an instance; the last one
// out destroys it unless it is a keep-alive single instance.
func (s *Server) release(in *instance) {
	s.mu.Lock()
	in.refs--
	last := in.refs == 0 && !(in.manifest.SingleInstance && in.manifest.InstanceKeepAlive && !s.closing)
	if last {
		// Unhooked under the lock that decided it, so that no open can pick
		// the instance up between this decision and its destruction.
		s.forgetLocked(in)
	}
	s.mu.Unlock()
	if last {
		in.destroy()
	}
}

// closeSession runs the TA's close entry point (unless the instance is dead) and
// releases the instance.
func (s *Server) closeSession(sess *session) {
	if !sess.inst.isDead() {
		sess.inst.call(&wire.TAClose{Session: sess.id})
	}
	s.release(sess.inst)
}

// forget removes a dead or dying instance, so no new session reaches it.
func (s *Server) forget(in *instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgetLocked(in)
}

func (s *Server) forgetLocked(in *instance) {
	if _, ok := s.instances[in]; ok { // forgotten once, though asked more often
		delete(s.instances, in)
		s.dropTALocked(in.manifest.UUID)
	}
	if s.single[in.manifest.UUID] == in {
		delete(s.single, in.manifest.UUID)
	}
}

// dropTALocked gives back a place under the TA's max_instances.
func (s *Server) dropTALocked(u tee.UUID) {
	if s.perTA[u]--; s.perTA[u] <= 0 {
		delete(s.perTA, u)
	}
}
