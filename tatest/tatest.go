package tatest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/core"
	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/internal/tatime"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// TA describes a Trusted Application to host: its manifest's fields and a
// constructor for its instances.
type TA struct {
	UUID              tee.UUID
	Name              string
	New               func() ta.TA
	SingleInstance    bool
	MultiSession      bool
	InstanceKeepAlive bool
	Concurrent        bool              // entry points of one instance at once (manifest key concurrent)
	MaxInstances      uint32            // manifest key max_instances
	Properties        map[string]string // custom TA properties
}

// Server is a dispatcher serving in-process TAs on a temporary socket.
type Server struct {
	dir     string
	socket  string
	tas     map[tee.UUID]*hostedTA
	cancel  context.CancelFunc
	done    chan struct{}
	objects *storage.Store
}

// Start serves tas until the test ends.
func Start(t testing.TB, tas ...TA) *Server {
	t.Helper()
	s, err := NewServer(tas...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServer serves tas until Close; Start is the form for tests.
func NewServer(tas ...TA) (*Server, error) {
	dir, err := os.MkdirTemp("", "tatest")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, socket: filepath.Join(dir, "teed.sock"), tas: map[tee.UUID]*hostedTA{}, done: make(chan struct{})}
	for _, a := range tas {
		if a.New == nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("tatest: TA %v has no New", a.UUID)
		}
		name := a.Name
		if name == "" {
			name = "ta-" + a.UUID.String()
		}
		s.tas[a.UUID] = &hostedTA{def: a, manifest: &store.Manifest{
			UUID: a.UUID, Name: name, Version: "1.0", SingleInstance: a.SingleInstance,
			MultiSession: a.MultiSession, InstanceKeepAlive: a.InstanceKeepAlive,
			Concurrent: a.Concurrent, MaxInstances: a.MaxInstances,
			DataSize: store.DefaultDataSize, StackSize: store.DefaultStackSize, Properties: a.Properties,
		}}
	}
	l, err := core.Listen(s.socket)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// Each server is an installation of its own, with a device key of its own.
	deviceKey := make([]byte, 32)
	rand.Read(deviceKey)
	times, err := tatime.New(filepath.Join(dir, "time"), deviceKey)
	if err != nil {
		l.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	objects, err := storage.Open(context.Background(), filepath.Join(dir, "objects"), deviceKey, nil)
	if err != nil {
		l.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	s.objects = objects
	srv := core.NewServer(core.Config{Catalog: s, Log: slog.New(slog.DiscardHandler),
		TEEProperties: core.TEEProperties(core.DeviceID(deviceKey)), Time: times, Objects: objects,
		Secrets: core.DeviceSecrets(deviceKey)})
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		srv.Serve(ctx, l)
	}()
	return s, nil
}

// Socket is the path clients connect to; pass it to client.NewContext.
func (s *Server) Socket() string { return s.socket }

// NewContext connects a client to the server; it is closed when the test ends.
func (s *Server) NewContext(t testing.TB) *client.Context {
	t.Helper()
	c, err := client.NewContext(context.Background(), s.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Close shuts the server down: sessions close, instances are destroyed.
func (s *Server) Close() {
	s.cancel()
	<-s.done
	s.objects.Close()
	os.RemoveAll(s.dir)
}

// Lookup implements core.Catalog.
func (s *Server) Lookup(u tee.UUID) (core.TA, bool) {
	h, ok := s.tas[u]
	return h, ok
}

type hostedTA struct {
	def      TA
	manifest *store.Manifest
}

func (h *hostedTA) Manifest() *store.Manifest { return h.manifest }

// Start runs an instance as a goroutine on its own copy of the channel (the
// dispatcher closes its copy once the instance has started).
func (h *hostedTA) Start(channel *os.File, stderr io.Writer) (core.Process, error) {
	fd, err := unix.FcntlInt(channel.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "instance")
	p := &goroutineProcess{f: f, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		err := ta.Serve(f, h.def.New())
		if err != nil {
			io.WriteString(stderr, err.Error()+"\n")
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
		}
	}()
	return p, nil
}

// goroutineProcess is an in-process instance seen as a process.
type goroutineProcess struct {
	f    *os.File
	done chan struct{}
	mu   sync.Mutex
	err  error
}

func (p *goroutineProcess) Pid() int { return os.Getpid() }

// Kill shuts the instance channel down, which ends the instance's runtime.
func (p *goroutineProcess) Kill() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_RDWR) })
}

func (p *goroutineProcess) Wait() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	return errors.New("instance ended")
}
