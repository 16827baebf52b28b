package core

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/internal/tatime"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// Limits on what one client may hold, so no client can exhaust teed.
const (
	maxSessionsPerConn = 1024
	maxRequestsPerConn = 64 // opens and closes in flight at once
	maxInstances       = 256
)

// shutdownGrace is how long TAs get to run their close and destroy entry points
// when teed stops; after it, the instances still running are killed.
const shutdownGrace = 10 * time.Second

// Config configures a Server.
type Config struct {
	Catalog Catalog
	Log     *slog.Logger
	// Allow is the operator's access policy from teed's config, applied after the
	// TA manifest's own; nil allows everybody the manifest allows.
	Allow func(ta tee.UUID, c *tee.Credentials) bool
	// TEEProperties is the gpd.tee.* set every instance receives (see TEEProperties).
	TEEProperties []wire.Property
	// Time keeps the TAs' persistent time; nil makes it unavailable.
	Time *tatime.Store
	// Objects is trusted storage; nil makes it unavailable (STORAGE_NOT_AVAILABLE).
	Objects *storage.Store
	// Secrets derives a TA's device secrets (see DeviceSecrets); nil makes them
	// unavailable (NOT_SUPPORTED).
	Secrets func(ta tee.UUID, label []byte) []byte
}

// Server is the dispatcher. It is safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger

	mu          sync.Mutex
	nextSession uint32                   // guarded by mu
	conns       map[*clientConn]struct{} // guarded by mu
	instances   map[*instance]struct{}   // live instances (guarded by mu)
	single      map[tee.UUID]*instance   // the instance of each single-instance TA (guarded by mu)
	uuidLocks   map[tee.UUID]*sync.Mutex // serialize instance choice per TA (guarded by mu)
	closing     bool                     // guarded by mu
	starting    int                      // instances being started, not yet in instances (guarded by mu)
	perTA       map[tee.UUID]int         // each TA's live and starting instances, for max_instances (guarded by mu)
	// waits is the TA-to-TA wait graph: waits[a][b] counts a's calls in flight
	// to b (guarded by mu).
	waits map[*instance]map[*instance]int

	// staged counts the bytes all instances have staged for atomic storage
	// writes; headerMu makes a persistent object's header update a compare and
	// swap across instances.
	staged   stageAccount
	headerMu sync.Mutex

	connWG sync.WaitGroup // connection handlers
	instWG sync.WaitGroup // instance readers and reapers
}

// NewServer returns a dispatcher for the TAs of cfg.Catalog.
func NewServer(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:       cfg,
		log:       log,
		conns:     map[*clientConn]struct{}{},
		instances: map[*instance]struct{}{},
		single:    map[tee.UUID]*instance{},
		perTA:     map[tee.UUID]int{},
		uuidLocks: map[tee.UUID]*sync.Mutex{},
		waits:     map[*instance]map[*instance]int{},
	}
}

// Serve accepts clients on l until ctx is done, then shuts down: every session is
// closed (the TAs' close and destroy entry points run), every instance ends, and
// l is closed (its socket file removed). It returns once all of that is over.
func (s *Server) Serve(ctx context.Context, l *Listener) error {
	stop := context.AfterFunc(ctx, func() { l.f.Close() })
	defer stop()
	var err error
	backoff := 5 * time.Millisecond
	for {
		f, aerr := l.Accept()
		if aerr != nil {
			if ctx.Err() != nil {
				break
			}
			if temporary(aerr) {
				// Out of descriptors or memory, or a client that gave up: the
				// others must not lose teed over it. Wait, then go on.
				s.log.Warn("accept", "err", aerr, "retry_in", backoff)
				select {
				case <-time.After(backoff):
				case <-ctx.Done():
				}
				backoff = min(2*backoff, time.Second)
				continue
			}
			err = aerr
			break
		}
		backoff = 5 * time.Millisecond
		s.ServeConn(f)
	}
	l.Close()
	s.Shutdown()
	return err
}

// ServeConn serves one client connection in the background, taking ownership of f.
func (s *Server) ServeConn(f *os.File) {
	creds, err := peerCredentials(f)
	if err != nil {
		s.log.Warn("client refused: no credentials", "err", err)
		f.Close()
		return
	}
	conn, err := wire.NewConn(f)
	if err != nil {
		return
	}
	c := &clientConn{srv: s, conn: conn, creds: creds, sessions: map[uint32]*session{},
		opening: map[uint32]*pendingOpen{}, sem: make(chan struct{}, maxRequestsPerConn)}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.connWG.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.connWG.Done()
		c.serve()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
}

// Shutdown disconnects every client, closing their sessions, then destroys every
// remaining instance, and waits for all of it.
func (s *Server) Shutdown() {
	killer := time.AfterFunc(shutdownGrace, func() {
		s.mu.Lock()
		var all []*instance
		for in := range s.instances {
			all = append(all, in)
		}
		s.mu.Unlock()
		for _, in := range all {
			in.log.Warn("TA instance killed: teed is stopping and it did not finish in time")
			in.proc.Kill()
		}
	})
	defer killer.Stop()
	s.mu.Lock()
	s.closing = true
	for c := range s.conns {
		c.conn.Shutdown()
	}
	s.mu.Unlock()
	// Their sessions close, and instances left without sessions are destroyed.
	s.connWG.Wait()
	s.mu.Lock()
	var keep []*instance
	for in := range s.instances {
		keep = append(keep, in)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range keep {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.destroy()
		}()
	}
	wg.Wait()
	s.instWG.Wait()
}

// Stats is a snapshot of what the dispatcher holds.
type Stats struct {
	Conns     int // client connections
	Sessions  int // open sessions
	Instances int // live TA instances
}

// Stats reports what the dispatcher holds now.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	conns := make([]*clientConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	st := Stats{Conns: len(s.conns), Instances: len(s.instances)}
	s.mu.Unlock()
	for _, c := range conns {
		c.mu.Lock()
		st.Sessions += len(c.sessions)
		c.mu.Unlock()
	}
	return st
}

// temporary reports whether an accept error passes with time.
func temporary(err error) bool {
	for _, e := range []error{unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM, unix.ECONNABORTED, unix.EPROTO, unix.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
