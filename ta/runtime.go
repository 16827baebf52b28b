package ta

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// instance is the runtime of one TA instance: it serves teed's instance channel and
// one reader per session channel (per lane), and runs the TA's entry points one at
// a time — or, for a TA whose manifest says concurrent = true, the open, invoke and
// close entry points at the same time, each on its reader's goroutine.
type instance struct {
	impl   TA
	ctl    *wire.Conn
	inProc bool // hosted by Serve: contain panics instead of exiting

	// entry is held while an entry point runs. GP allows one at a time: each
	// takes it exclusively, unless the instance is concurrent, where only create
	// and destroy do and the others share it.
	entry      sync.RWMutex
	concurrent bool        // the manifest's concurrent key; set before create runs, read-only after
	taProps    *Properties // set by Create, read-only after
	teeProps   *Properties

	mu       sync.Mutex
	sessions map[uint32]*Session     // open and opening sessions (guarded by mu)
	current  atomic.Pointer[Session] // the session whose invoke or open entry point runs (not kept when concurrent)
	dead     bool                    // a panic ended the instance (guarded by mu)
	lanes    int                     // lanes added to sessions, beyond their first (guarded by mu)
	panicErr error                   // what ended it (guarded by mu)

	handlers  sync.WaitGroup // open/close handlers and session readers
	destroyed chan struct{}  // closed when the destroy entry point has run (set by the loop)

	reqMu   sync.Mutex
	nextReq uint32                       // guarded by reqMu
	pending map[uint32]chan wire.Message // requests of ours awaiting teed (guarded by reqMu; nil once teed is gone)

	stageToken atomic.Uint32 // last token of a staged storage write
}

type sessionConn struct {
	conn *wire.Conn
	done chan struct{} // closed when the session's reader has stopped
}

func serve(f *os.File, t TA, exitOnPanic bool) error {
	ctl, err := wire.NewConn(f)
	if err != nil {
		return fmt.Errorf("instance channel: %w", err)
	}
	inst := &instance{impl: t, ctl: ctl, inProc: !exitOnPanic, sessions: map[uint32]*Session{},
		pending: map[uint32]chan wire.Message{}}
	err = inst.loop()
	inst.failRequests()
	inst.shutdown()
	inst.handlers.Wait()
	if inst.destroyed != nil {
		<-inst.destroyed
	}
	ctl.Close()
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.panicErr != nil {
		return inst.panicErr
	}
	return err
}

func (inst *instance) loop() error {
	buf := make([]byte, wire.MaxMessage)
	created := false
	for {
		h, m, fds, err := inst.ctl.Recv(buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil // teed is gone or the instance died: nothing more to serve
			}
			return fmt.Errorf("instance channel: %w", err)
		}
		if !created {
			c, ok := m.(*wire.Create)
			if !ok {
				wire.CloseFDs(fds)
				return fmt.Errorf("instance channel: kind %d before create", h.Kind)
			}
			created = true
			if done := inst.create(h, c); done {
				return nil
			}
			continue
		}
		switch m := m.(type) {
		case *wire.TAOpen:
			if inst.destroyed != nil { // being destroyed: no new sessions
				wire.CloseFDs(fds)
				inst.ctl.Send(nil, h.ID, &wire.TAOpenResp{Result: tee.ErrBadState, Origin: tee.OriginTEE})
				continue
			}
			// The session is known before the next message is read, so a
			// TACancel right behind the TAOpen finds it (and waits in it).
			s := newSession(inst, m.Session, m.Identity)
			inst.mu.Lock()
			dup := inst.sessions[m.Session] != nil
			if !dup {
				inst.sessions[m.Session] = s
			}
			inst.mu.Unlock()
			inst.handlers.Add(1)
			go func() {
				defer inst.handlers.Done()
				inst.open(h, m, fds, s, dup)
			}()
		case *wire.TALane:
			inst.addLane(h.ID, m, fds)
		case *wire.TAClose:
			inst.handlers.Add(1)
			go func() {
				defer inst.handlers.Done()
				inst.close(h, m)
			}()
		case *wire.TACancel:
			inst.mu.Lock()
			s := inst.sessions[m.Session]
			inst.mu.Unlock()
			if s != nil {
				s.cancel(m.Op)
			}
		case *wire.TimeResp, *wire.TTOpenResp, *wire.TTInvokeResp, *wire.TTCloseResp,
			*wire.ObjHandleResp, *wire.ObjReadResp, *wire.ObjEnumResp, *wire.ObjStatus,
			*wire.SecretResp:
			if !inst.deliver(h.ID, m) {
				return fmt.Errorf("instance channel: response %d to no request", h.ID)
			}
		case *wire.Destroy:
			// teed destroys an instance without sessions, except when it stops;
			// then the sessions left are shut first. The destroy runs aside, so
			// this loop goes on delivering what entry points still wait for.
			if inst.destroyed == nil {
				inst.destroyed = make(chan struct{})
				go inst.destroy(h.ID)
			}
		default:
			wire.CloseFDs(fds)
			return fmt.Errorf("instance channel: unexpected kind %d", h.Kind)
		}
	}
}

// create runs the create entry point; it reports whether the instance is finished.
func (inst *instance) create(h wire.Header, m *wire.Create) (done bool) {
	// teed sends one list: the TEE implementation's gpd.tee.* properties and the
	// TA's own (gpd.ta.* and custom ones, which may not start with "gpd.").
	var taProps, teeProps []Property
	for _, p := range m.Properties {
		if strings.HasPrefix(p.Name, "gpd.tee.") {
			teeProps = append(teeProps, Property(p))
		} else {
			taProps = append(taProps, Property(p))
		}
	}
	inst.taProps, inst.teeProps = newProperties(taProps), newProperties(teeProps)
	if v, err := inst.taProps.String(wire.ConcurrentProperty); err == nil && v == "true" {
		inst.concurrent = true
	}
	var err error
	if !inst.call(true, func() { err = inst.impl.Create() }) {
		return true
	}
	res, origin := resultOf(err)
	inst.ctl.Send(nil, h.ID, &wire.CreateResp{Result: res, Origin: origin})
	return res != tee.Success
}

// call runs an entry point under the instance lock, exclusively if excl or the
// instance is not concurrent. A panic in it ends the instance: the process exits,
// or (in-process) every channel is shut so that the clients see the instance die.
// call reports whether the instance lives on.
func (inst *instance) call(excl bool, fn func()) (alive bool) {
	excl = excl || !inst.concurrent
	if !inst.enter(excl) {
		return false
	}
	defer inst.leave(excl)
	defer inst.recoverPanic(&alive)
	fn()
	return true
}

// invokeEntry is call for the invoke entry point, without a closure: the invoke
// path allocates nothing of its own.
func (inst *instance) invokeEntry(s *Session, op, cmd uint32, p *Params) (err error, alive bool) {
	excl := !inst.concurrent
	if !inst.enter(excl) {
		return nil, false
	}
	defer inst.leave(excl)
	defer inst.recoverPanic(&alive)
	if excl {
		inst.current.Store(s)
		defer inst.current.Store(nil)
	}
	s.begin(op, p)
	defer s.end()
	return inst.impl.Invoke(s, cmd, p), true
}

// enter takes the entry lock of a live instance, exclusively or shared.
func (inst *instance) enter(excl bool) bool {
	if excl {
		inst.entry.Lock()
	} else {
		inst.entry.RLock()
	}
	inst.mu.Lock()
	dead := inst.dead
	inst.mu.Unlock()
	if dead {
		inst.leave(excl)
	}
	return !dead
}

func (inst *instance) leave(excl bool) {
	if excl {
		inst.entry.Unlock()
	} else {
		inst.entry.RUnlock()
	}
}

// recoverPanic, deferred in an entry point's frame, turns a panic into the
// instance's death.
func (inst *instance) recoverPanic(alive *bool) {
	r := recover()
	if r == nil {
		return
	}
	var err error
	if pe, ok := r.(PanicError); ok {
		err = fmt.Errorf("TA panicked: %w", pe)
	} else {
		err = fmt.Errorf("TA panicked: %v\n%s", r, debug.Stack())
	}
	if !inst.inProc {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	inst.mu.Lock()
	inst.dead = true
	inst.panicErr = err
	inst.mu.Unlock()
	inst.shutdown()
	*alive = false
}

// shutdown shuts every channel, so that the reader loops end and all peers see the
// instance gone.
func (inst *instance) shutdown() {
	inst.ctl.Shutdown()
	inst.shutSessions()
}

// shutSessions shuts every lane of every session, which ends their readers once
// the operations on them are done.
func (inst *instance) shutSessions() {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	for _, s := range inst.sessions {
		for _, ln := range s.snapLanes() {
			if ln.ch != nil {
				ln.ch.conn.Shutdown()
			}
		}
	}
}

// snapLanes is the session's lanes as they are now.
func (st *sessionState) snapLanes() []*lane {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]*lane(nil), st.lanes...)
}

// open runs the open entry point for s, which the reader registered (unless dup:
// teed reused a live session id).
func (inst *instance) open(h wire.Header, m *wire.TAOpen, fds []int, s *Session, dup bool) {
	resp := &wire.TAOpenResp{Origin: tee.OriginTEE}
	defer func() {
		if resp != nil {
			inst.ctl.Send(nil, h.ID, resp)
		}
	}()
	if dup {
		wire.CloseFDs(fds)
		resp.Result = tee.ErrBadState
		return
	}
	forget := func() {
		inst.mu.Lock()
		delete(inst.sessions, m.Session)
		inst.mu.Unlock()
		s.release()
	}
	conn, err := wire.FDConn(fds[0], "session")
	if err != nil {
		wire.CloseFDs(fds[1:])
		forget()
		resp.Result = tee.ErrCommunication
		return
	}
	var p Params
	if resp.Result = s.attach(&m.Op, fds[1:]); resp.Result == tee.Success {
		resp.Result = s.fill(&m.Op, &p)
	}
	if resp.Result != tee.Success {
		forget()
		conn.Close()
		return
	}

	var eerr error
	alive := inst.call(false, func() {
		if !inst.concurrent {
			inst.current.Store(s)
			defer inst.current.Store(nil)
		}
		s.begin(h.ID, &p)
		defer s.end()
		eerr = inst.impl.OpenSession(s, &p)
	})
	if !alive {
		resp = nil
		conn.Close()
		return
	}
	resp.Result, resp.Origin = resultOf(eerr)
	resp.Op = outputs(&m.Op, &p)
	if resp.Result != tee.Success {
		inst.mu.Lock()
		delete(inst.sessions, m.Session)
		inst.mu.Unlock()
		s.release()
		conn.Close()
		return
	}
	inst.mu.Lock()
	s.ln.ch = &sessionConn{conn: conn, done: make(chan struct{})}
	inst.mu.Unlock()
	inst.handlers.Add(1)
	go func() {
		defer inst.handlers.Done()
		inst.serveSession(s)
	}()
}

// maxLanes bounds the channels of one session: as many invokes of it at once. Each
// lane keeps an OS thread of the TA blocked in recvmsg, which for a cgo-linked TA is
// a pthread with an 8 MiB stack counted against RLIMIT_DATA; 16 lanes stay well
// inside the 512 MiB teed allows (RDK's suite runs 255 threads on one session), and
// are more parallelism than the machines gotee runs on have cores. maxInstanceLanes
// bounds them over all sessions of one instance, for the same reason.
const (
	maxLanes         = 16
	maxInstanceLanes = 32
)

// addLane gives an open session of a concurrent instance another channel (see
// wire.Lane); it owns fds.
func (inst *instance) addLane(id uint32, m *wire.TALane, fds []int) {
	res := inst.attachLane(m.Session, fds[0])
	inst.ctl.Send(nil, id, &wire.TALaneResp{Result: res})
}

func (inst *instance) attachLane(sid uint32, fd int) tee.Result {
	if !inst.concurrent {
		unix.Close(fd)
		return tee.ErrNotSupported
	}
	conn, err := wire.FDConn(fd, "lane")
	if err != nil {
		return tee.ErrCommunication
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	s := inst.sessions[sid]
	if inst.dead || inst.destroyed != nil || s == nil || s.ln.ch == nil {
		conn.Close()
		return tee.ErrBadState
	}
	st := s.sessionState
	ln := &lane{shms: map[uint32]*shm.Block{}, ch: &sessionConn{conn: conn, done: make(chan struct{})}}
	ln.view = &Session{sessionState: st, ln: ln}
	st.mu.Lock()
	switch {
	case st.closing:
		st.mu.Unlock()
		conn.Close()
		return tee.ErrBadState
	case len(st.lanes) >= maxLanes || inst.lanes >= maxInstanceLanes:
		st.mu.Unlock()
		conn.Close()
		return tee.ErrBusy
	}
	st.lanes = append(st.lanes, ln)
	st.mu.Unlock()
	inst.lanes++
	inst.handlers.Add(1)
	go func() {
		defer inst.handlers.Done()
		inst.serveSession(ln.view)
	}()
	return tee.Success
}

func (inst *instance) close(h wire.Header, m *wire.TAClose) {
	inst.mu.Lock()
	s := inst.sessions[m.Session]
	open := s != nil && s.ln.ch != nil
	inst.mu.Unlock()
	if open {
		// Stop the readers first: the invokes in progress complete, then no other
		// starts, and no lane is added any more.
		s.mu.Lock()
		s.closing = true
		lanes := append([]*lane(nil), s.lanes...)
		s.mu.Unlock()
		for _, ln := range lanes {
			if ln.ch != nil {
				ln.ch.conn.Shutdown()
			}
		}
		for _, ln := range lanes {
			if ln.ch != nil {
				<-ln.ch.done
			}
		}
		if !inst.call(false, func() { inst.impl.CloseSession(s) }) {
			return
		}
		inst.mu.Lock()
		delete(inst.sessions, m.Session)
		inst.lanes -= len(lanes) - 1
		inst.mu.Unlock()
		s.release()
		for _, ln := range lanes {
			if ln.ch != nil {
				ln.ch.conn.Close()
			}
		}
	}
	inst.ctl.Send(nil, h.ID, &wire.TACloseResp{})
}

// serveSession reads the session channel: invokes, run inline so a ping-pong costs
// no goroutine switch, and shared memory releases.
func (inst *instance) serveSession(s *Session) {
	ch := s.ln.ch
	defer close(ch.done)
	buf := make([]byte, wire.MaxMessage)
	var out []byte
	var req wire.Invoke
	var resp wire.InvokeResp
	var p Params
	for {
		h, m, fds, err := ch.conn.RecvInto(buf, &req)
		if err != nil {
			return // EOF, or a client that broke the protocol: stop serving it
		}
		switch m := m.(type) {
		case *wire.Invoke:
			p = Params{}
			if !inst.invoke(s, h, m, fds, &p, &resp) {
				return
			}
			if out, err = ch.conn.Send(out, h.ID, &resp); err != nil {
				return
			}
		case *wire.ShmRelease:
			if b := s.ln.shms[m.Shm]; b != nil {
				b.Close()
				delete(s.ln.shms, m.Shm)
			}
		default:
			wire.CloseFDs(fds)
			return
		}
	}
}

// invoke runs one invoke into resp; it reports whether the instance lives on.
func (inst *instance) invoke(s *Session, h wire.Header, m *wire.Invoke, fds []int, p *Params, resp *wire.InvokeResp) bool {
	*resp = wire.InvokeResp{Origin: tee.OriginTEE}
	if resp.Result = s.attach(&m.Op, fds); resp.Result == tee.Success {
		resp.Result = s.fill(&m.Op, p)
	}
	if resp.Result != tee.Success {
		return true
	}
	err, alive := inst.invokeEntry(s, h.ID, m.Command, p)
	resp.Result, resp.Origin = resultOf(err)
	resp.Op = outputs(&m.Op, p)
	return alive
}

// attach maps the shared memory that came with an operation on s's lane. It takes
// ownership of fds whatever happens.
func (s *Session) attach(op *wire.Operation, fds []int) tee.Result {
	ln := s.ln
	i := 0
	defer func() { wire.CloseFDs(fds[i:]) }()
	if op.HasArena {
		b, err := shm.Map(fds[i])
		i++
		if err != nil {
			return tee.ErrBadParameters
		}
		if ln.arena != nil {
			ln.arena.Close()
		}
		ln.arena = b
	}
	for k := range int(op.NewShm) {
		b, err := shm.Map(fds[i])
		i++
		if err != nil {
			return tee.ErrBadParameters
		}
		id := op.ShmIDs[k]
		if old := ln.shms[id]; old != nil {
			old.Close()
		}
		ln.shms[id] = b
	}
	return tee.Success
}

// fill turns the wire parameters into the TA's, checking every memref against the
// memory it claims to lie in.
func (s *Session) fill(op *wire.Operation, p *Params) tee.Result {
	for i, wp := range op.Params {
		q := &p[i]
		q.Type = wp.Type
		switch {
		case wp.Type.IsValue():
			q.Value = tee.Value{A: uint32(wp.A), B: uint32(wp.B)}
		case wp.Type.IsMemref():
			var blk *shm.Block
			switch wp.Shm {
			case wire.ShmNull:
				if wp.B > shm.MaxSize {
					return tee.ErrBadParameters
				}
				q.Size = int(wp.B)
				continue
			case wire.ShmArena:
				blk = s.ln.arena
			default:
				blk = s.ln.shms[wp.Shm]
			}
			if blk == nil {
				return tee.ErrBadParameters
			}
			mem, ok := blk.Window(wp.A, wp.B)
			if !ok {
				return tee.ErrBadParameters
			}
			q.Mem, q.Size = mem, len(mem)
		}
	}
	return tee.Success
}

// outputs is the response's operation: values and sizes as the TA left them.
func outputs(in *wire.Operation, p *Params) wire.Operation {
	var out wire.Operation
	for i, wp := range in.Params {
		o := &out.Params[i]
		o.Type, o.Shm = wp.Type, wp.Shm
		switch {
		case wp.Type.IsValue():
			o.A, o.B = uint64(p[i].Value.A), uint64(p[i].Value.B)
		case wp.Type.IsMemref():
			o.A = wp.A
			o.B = uint64(max(p[i].Size, 0))
			if o.B > shm.MaxSize {
				o.B = shm.MaxSize
			}
		}
	}
	return out
}

// release unmaps all of the session's shared memory, on every lane; no reader
// runs any more.
func (s *Session) release() {
	for _, ln := range s.snapLanes() {
		if ln.arena != nil {
			ln.arena.Close()
			ln.arena = nil
		}
		for id, b := range ln.shms {
			b.Close()
			delete(ln.shms, id)
		}
	}
}

// request sends a request of the TA's own to teed and waits for the response; a
// nil response means teed is gone.
func (inst *instance) request(m wire.Message, fds ...int) wire.Message {
	_, ch := inst.startRequest(m, fds...)
	if ch == nil {
		return nil
	}
	return <-ch
}

// startRequest sends a request and returns its id and the channel its response
// will arrive on (nil if it could not be sent).
func (inst *instance) startRequest(m wire.Message, fds ...int) (uint32, chan wire.Message) {
	ch := make(chan wire.Message, 1)
	inst.reqMu.Lock()
	if inst.pending == nil {
		inst.reqMu.Unlock()
		return 0, nil
	}
	inst.nextReq++
	id := inst.nextReq
	inst.pending[id] = ch
	inst.reqMu.Unlock()
	if _, err := inst.ctl.Send(nil, id, m, fds...); err != nil {
		inst.reqMu.Lock()
		delete(inst.pending, id)
		inst.reqMu.Unlock()
		return 0, nil
	}
	return id, ch
}

// deliver hands a response to the request waiting for it.
func (inst *instance) deliver(id uint32, m wire.Message) bool {
	inst.reqMu.Lock()
	ch := inst.pending[id]
	delete(inst.pending, id)
	inst.reqMu.Unlock()
	if ch == nil {
		return false
	}
	ch <- m
	return true
}

// failRequests releases every request still waiting once teed is gone.
func (inst *instance) failRequests() {
	inst.reqMu.Lock()
	pending := inst.pending
	inst.pending = nil
	inst.reqMu.Unlock()
	for _, ch := range pending {
		close(ch)
	}
}

// destroy runs the destroy entry point once every session is gone, answers teed,
// and shuts the instance channel, which ends the loop.
func (inst *instance) destroy(id uint32) {
	defer close(inst.destroyed)
	defer inst.ctl.Shutdown()
	inst.shutSessions()
	inst.handlers.Wait()
	if inst.call(true, inst.impl.Destroy) {
		inst.ctl.Send(nil, id, &wire.DestroyResp{})
	}
}
