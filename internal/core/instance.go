package core

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// How long a TA gets to run its destroy entry point and exit before it is killed.
const destroyGrace = 5 * time.Second

// How long a TA that closed its instance channel gets to exit before it is killed.
const exitGrace = time.Second

var errDead = errors.New("TA instance is dead")

// instance is a running TA instance: its process and its instance channel.
type instance struct {
	srv      *Server
	manifest *store.Manifest
	proc     Process
	conn     *wire.Conn
	log      *slog.Logger

	mu      sync.Mutex
	nextID  uint32                       // guarded by mu
	pending map[uint32]chan wire.Message // requests awaiting a response (guarded by mu)
	dead    bool                         // guarded by mu
	refs    int                          // sessions and opens in flight (guarded by srv.mu)

	// Sessions this instance holds on other TAs, as their client (guarded by mu),
	// and its TA-to-TA requests in flight, for cancellation (guarded by mu).
	ttSessions map[uint32]*ttSession
	ttCalls    map[uint32]*ttCall
	requests   chan struct{} // bounds the TA's own requests in flight
	creating   atomic.Bool   // the create entry point is running
	objects    objects       // its open persistent objects

	readerDone  chan struct{} // closed when the reader has stopped: the instance is dead
	exited      chan struct{} // closed when the process has been reaped
	destroyOnce sync.Once
}

// spawn starts an instance of ta and runs its create entry point.
func (s *Server) spawn(ta TA) (*instance, tee.Result, tee.Origin) {
	m := ta.Manifest()
	// The TA's own cap counts from here until the instance is forgotten (it
	// died, or its destroy began): counted under the lock that checks it, so
	// opens racing for the last place cannot both get it.
	s.mu.Lock()
	capped := m.MaxInstances != 0 && s.perTA[m.UUID] >= int(m.MaxInstances)
	full := len(s.instances)+s.starting >= maxInstances
	if !capped && !full {
		s.starting++ // holds a slot until the instance is in s.instances
		s.perTA[m.UUID]++
	}
	s.mu.Unlock()
	if capped {
		// BUSY, as for a single-instance TA already in use: the TA is there and
		// works, it has no room for another session now.
		s.log.Info("TA instance refused: max_instances reached", "uuid", m.UUID, "limit", m.MaxInstances)
		return nil, tee.ErrBusy, tee.OriginTEE
	}
	if full {
		s.log.Warn("TA instance refused: too many instances", "uuid", m.UUID, "limit", maxInstances)
		return nil, tee.ErrOutOfMemory, tee.OriginTEE
	}
	reserved := true
	defer func() {
		if reserved { // the start failed before the instance took its slot
			s.mu.Lock()
			s.starting--
			s.dropTALocked(m.UUID)
			s.mu.Unlock()
		}
	}()
	teedEnd, taEnd, err := wire.Pair(false)
	if err != nil {
		s.log.Error("start TA instance", "uuid", m.UUID, "err", err)
		return nil, tee.ErrOutOfMemory, tee.OriginTEE
	}
	log := s.log.With("ta", m.Name, "uuid", m.UUID)
	stderr := newLogWriter(log)
	proc, err := ta.Start(taEnd, stderr)
	taEnd.Close()
	if err != nil {
		teedEnd.Close()
		stderr.Close()
		log.Error("start TA instance", "err", err)
		return nil, tee.ErrItemNotFound, tee.OriginTEE
	}
	conn, err := wire.NewConn(teedEnd)
	if err != nil {
		proc.Kill()
		proc.Wait()
		stderr.Close()
		return nil, tee.ErrOutOfMemory, tee.OriginTEE
	}
	in := &instance{srv: s, manifest: m, proc: proc, conn: conn, log: log.With("pid", proc.Pid()),
		pending: map[uint32]chan wire.Message{}, ttSessions: map[uint32]*ttSession{}, ttCalls: map[uint32]*ttCall{},
		requests:   make(chan struct{}, maxRequestsPerConn),
		objects:    objects{handles: map[uint32]*storage.Handle{}, stages: map[uint32][]byte{}, enums: map[uint32][]enumEntry{}, ta: m.UUID, acct: &s.staged},
		readerDone: make(chan struct{}), exited: make(chan struct{})}
	s.mu.Lock()
	s.instances[in] = struct{}{}
	s.starting--
	reserved = false
	s.mu.Unlock()
	s.instWG.Add(2)
	go func() {
		defer s.instWG.Done()
		in.read()
	}()
	go func() {
		defer s.instWG.Done()
		err := proc.Wait()
		stderr.Close()
		in.log.Debug("TA instance exited", "status", err)
		conn.Shutdown() // a TA that exited with its channel passed on is still gone
		close(in.exited)
	}()
	in.log.Debug("TA instance started")

	props := append(taProperties(m), s.cfg.TEEProperties...)
	in.creating.Store(true)
	resp, err := in.call(&wire.Create{UUID: m.UUID, Properties: props})
	in.creating.Store(false)
	if err != nil {
		in.kill()
		return nil, tee.ErrTargetDead, tee.OriginTEE
	}
	cr, ok := resp.(*wire.CreateResp)
	if !ok {
		in.log.Warn("TA instance killed: wrong response to create")
		in.kill()
		return nil, tee.ErrTargetDead, tee.OriginTEE
	}
	if cr.Result != tee.Success {
		in.destroy()
		return nil, cr.Result, tee.OriginTrustedApp
	}
	return in, tee.Success, 0
}

// taProperties is the TA property set (gpd.ta.*) the manifest defines, plus its
// custom properties.
func taProperties(m *store.Manifest) []wire.Property {
	props := []wire.Property{
		{Name: "gpd.ta.appID", Value: m.UUID.String()},
		{Name: "gpd.ta.singleInstance", Value: strconv.FormatBool(m.SingleInstance)},
		{Name: "gpd.ta.multiSession", Value: strconv.FormatBool(m.MultiSession)},
		{Name: "gpd.ta.instanceKeepAlive", Value: strconv.FormatBool(m.InstanceKeepAlive)},
		{Name: "gpd.ta.dataSize", Value: strconv.FormatUint(uint64(m.DataSize), 10)},
		{Name: "gpd.ta.stackSize", Value: strconv.FormatUint(uint64(m.StackSize), 10)},
		{Name: "gpd.ta.version", Value: m.Version},
		{Name: "gpd.ta.description", Value: m.Description},
	}
	if m.Concurrent {
		props = append(props, wire.Property{Name: wire.ConcurrentProperty, Value: "true"})
	}
	// Custom properties in name order, so enumeration order is stable; the
	// manifest's limits keep them within the wire's.
	names := slices.Sorted(maps.Keys(m.Properties))
	for _, name := range names {
		value := m.Properties[name]
		if len(props) >= wire.MaxProperties-64 || len(name) > wire.MaxPropertyKey || len(value) > wire.MaxPropertyVal {
			break
		}
		props = append(props, wire.Property{Name: name, Value: value})
	}
	return props
}

// read receives the instance's responses. Anything else, or a malformed message,
// is a broken TA: it is killed. When read returns, the instance is dead.
func (in *instance) read() {
	defer func() {
		in.mu.Lock()
		in.dead = true
		pending := in.pending
		in.pending = nil
		in.mu.Unlock()
		for _, ch := range pending {
			close(ch)
		}
		close(in.readerDone)
		in.srv.forget(in)
		in.ttCloseAll()
		in.objects.closeAll()
		// The channel is gone: the TA is exiting, or is broken. Give it a moment to
		// exit on its own, so its exit status tells which.
		select {
		case <-in.exited:
		case <-time.After(exitGrace):
			in.proc.Kill()
			<-in.exited
		}
		in.conn.Close()
	}()
	buf := make([]byte, wire.MaxMessage)
	for {
		h, m, fds, err := in.conn.Recv(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				in.log.Warn("TA instance killed: protocol error", "err", err)
			}
			return
		}
		switch m := m.(type) {
		case *wire.TTCancel:
			in.ttCancel(m.Op)
			continue
		case *wire.ObjRead, *wire.ObjInfo, *wire.ObjStage:
			// Storage requests that never wait for the disk (reads come from
			// bbolt's mapping and never wait for a writer's sync; staging is
			// memory) are answered right here: a goroutine per request, with
			// its stack growth and the wake-up of another thread, cost more
			// than the request itself.
			in.serve(h.ID, m, fds)
			continue
		case *wire.TimeGet, *wire.TimeSet, *wire.TTOpen, *wire.TTInvoke, *wire.TTClose,
			*wire.ObjOpen, *wire.ObjCreate, *wire.ObjClose, *wire.ObjRename,
			*wire.ObjWrite, *wire.ObjTruncate, *wire.ObjSetHeader, *wire.ObjEnum,
			*wire.SecretGet:
			// A request of the TA's own: served aside, so responses keep flowing;
			// a TA with too many in flight waits, as a client does.
			in.requests <- struct{}{}
			in.srv.instWG.Add(1)
			go func() {
				defer func() { <-in.requests; in.srv.instWG.Done() }()
				in.serve(h.ID, m, fds)
			}()
			continue
		}
		in.mu.Lock()
		ch := in.pending[h.ID]
		delete(in.pending, h.ID)
		in.mu.Unlock()
		if ch == nil || len(fds) != 0 {
			wire.CloseFDs(fds)
			in.log.Warn("TA instance killed: unexpected message", "kind", h.Kind)
			return
		}
		ch <- m
	}
}

// serve answers a request the TA made of teed; it owns fds.
func (in *instance) serve(id uint32, m wire.Message, fds []int) {
	defer wire.CloseFDs(fds)
	var resp wire.Message
	times := in.srv.cfg.Time
	switch m := m.(type) {
	case *wire.TTOpen:
		resp = in.ttOpen(id, m, fds)
	case *wire.TTInvoke:
		resp = in.ttInvoke(id, m, fds)
	case *wire.TTClose:
		in.ttClose(m.Session)
		resp = &wire.TTCloseResp{}
	case *wire.TimeGet:
		r := &wire.TimeResp{Result: tee.ErrStorageNotAvail}
		if times != nil {
			r.Seconds, r.Millis, r.Result = times.Get(in.manifest.UUID)
		}
		resp = r
	case *wire.TimeSet:
		r := &wire.TimeResp{Result: tee.ErrStorageNotAvail}
		if times != nil {
			r.Result = times.Set(in.manifest.UUID, m.Seconds, m.Millis)
		}
		resp = r
	case *wire.SecretGet:
		r := &wire.SecretResp{Result: tee.ErrNotSupported}
		if f := in.srv.cfg.Secrets; f != nil {
			r.Result, r.Secret = tee.Success, f(in.manifest.UUID, m.Label)
		}
		resp = r
	default:
		resp = in.serveStorage(m)
	}
	in.conn.Send(nil, id, resp)
}

// call sends a request and waits for its response; errDead if the instance dies first.
func (in *instance) call(m wire.Message, fds ...int) (wire.Message, error) {
	_, ch, err := in.start(m, fds...)
	if err != nil {
		return nil, err
	}
	return in.await(ch)
}

func (in *instance) start(m wire.Message, fds ...int) (uint32, chan wire.Message, error) {
	ch := make(chan wire.Message, 1)
	in.mu.Lock()
	if in.dead {
		in.mu.Unlock()
		return 0, nil, errDead
	}
	in.nextID++
	id := in.nextID
	in.pending[id] = ch
	in.mu.Unlock()
	if _, err := in.conn.Send(nil, id, m, fds...); err != nil {
		in.mu.Lock()
		if in.pending != nil {
			delete(in.pending, id)
		}
		in.mu.Unlock()
		return 0, nil, errDead
	}
	return id, ch, nil
}

func (in *instance) await(ch chan wire.Message) (wire.Message, error) {
	r, ok := <-ch
	if !ok {
		return nil, errDead
	}
	return r, nil
}

// notify sends a cancellation, which has no response, without waiting: a TA that
// does not read its channel must not stall whoever cancels (a client's reader,
// another TA's). A cancellation that cannot be sent now is dropped, as GP allows:
// it is a request the TA may ignore anyway.
func (in *instance) notify(m wire.Message) {
	if err := in.conn.TrySend(0, m); err != nil {
		in.log.Debug("cancellation dropped", "err", err)
	}
}

// kill ends the instance at once.
func (in *instance) kill() {
	in.proc.Kill()
	<-in.readerDone
}

// destroy runs the destroy entry point and waits for the process to exit, killing
// it if it takes longer than destroyGrace.
func (in *instance) destroy() {
	in.destroyOnce.Do(func() {
		in.srv.forget(in)
		done := make(chan struct{})
		go func() {
			defer close(done)
			in.call(&wire.Destroy{})
		}()
		timer := time.NewTimer(destroyGrace)
		defer timer.Stop()
		select {
		case <-done:
			select {
			case <-in.exited:
			case <-timer.C:
				in.log.Warn("TA instance killed: did not exit after destroy")
			}
		case <-timer.C:
			in.log.Warn("TA instance killed: destroy entry point did not return")
		}
		in.kill()
		<-done
	})
}

func (in *instance) isDead() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.dead
}

// logWriter turns a TA's stderr into log lines.
type logWriter struct {
	pw   *io.PipeWriter
	done chan struct{}
}

func newLogWriter(log *slog.Logger) *logWriter {
	pr, pw := io.Pipe()
	w := &logWriter{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 4096), 64<<10)
		for sc.Scan() {
			log.Info("TA: " + sc.Text())
		}
		io.Copy(io.Discard, pr)
	}()
	return w
}

func (w *logWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

// Close ends the log stream once the process's output is drained.
func (w *logWriter) Close() error {
	w.pw.Close()
	<-w.done
	return nil
}
