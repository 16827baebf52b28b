package core_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/core"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

var echoUUID = tee.MustParseUUID("33333333-0000-0000-0000-000000000001")

// catalog hosts one in-process TA, the way tatest does, so these tests exercise
// the dispatcher alone.
type catalog struct{}

type echoTA struct{ ta.Base }

func (echoTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	p[0].Value.A++
	return nil
}

func (catalog) Lookup(u tee.UUID) (core.TA, bool) {
	if u != echoUUID {
		return nil, false
	}
	return hosted{}, true
}

type hosted struct{}

func (hosted) Manifest() *store.Manifest {
	return &store.Manifest{UUID: echoUUID, Name: "echo", DataSize: 1, StackSize: 1}
}

func (hosted) Start(channel *os.File, _ io.Writer) (core.Process, error) {
	fd, err := unix.FcntlInt(channel.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	p := &proc{f: os.NewFile(uintptr(fd), "instance"), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ta.Serve(p.f, echoTA{})
	}()
	return p, nil
}

type proc struct {
	f    *os.File
	done chan struct{}
}

func (p *proc) Pid() int { return os.Getpid() }
func (p *proc) Kill() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_RDWR) })
}
func (p *proc) Wait() error { <-p.done; return nil }

func startServer(t testing.TB) (*core.Server, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "teed.sock")
	l, err := core.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := core.NewServer(core.Config{Catalog: catalog{}, Log: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ctx, l)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return srv, sock
}

func rawConn(t testing.TB, sock string) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	return fd
}

func hello() []byte {
	return wire.Append(nil, 1, &wire.Hello{Magic: wire.Magic, Major: wire.VersionMajor})
}

// checkServes proves the server still answers a well-behaved client correctly.
func checkServes(t testing.TB, sock string) {
	t.Helper()
	ctx := context.Background()
	c, err := client.NewContext(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, echoUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := &client.Value{Type: tee.ValueInout, A: 1}
	if err := s.Invoke(ctx, 0, &client.Operation{Params: [4]client.Param{v}}); err != nil || v.A != 2 {
		t.Fatalf("invoke: %v, a=%d", err, v.A)
	}
}

func waitIdle(t testing.TB, srv *core.Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := srv.Stats()
		if st.Conns == 0 && st.Sessions == 0 && st.Instances == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server still holds %+v after its clients left", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHostilePeers(t *testing.T) {
	srv, sock := startServer(t)
	open := wire.Append(nil, 2, &wire.Open{UUID: echoUUID})
	openShm := wire.Append(nil, 3, &wire.Open{UUID: echoUUID, Op: wire.Operation{NewShm: 1, ShmIDs: [4]uint32{5}}})
	cases := []struct {
		name  string
		grams [][]byte
	}{
		{"no handshake", [][]byte{open}},
		{"wrong magic", [][]byte{wire.Append(nil, 1, &wire.Hello{Magic: 1, Major: 1})}},
		{"wrong major", [][]byte{wire.Append(nil, 1, &wire.Hello{Magic: wire.Magic, Major: 9})}},
		{"garbage after hello", [][]byte{hello(), []byte("\xff\xff\x00\x00garbage")}},
		{"truncated open", [][]byte{hello(), open[:len(open)-3]}},
		{"unknown kind", [][]byte{hello(), {200, 0, 0, 0, 1, 0, 0, 0}}},
		{"response kind from a client", [][]byte{hello(), wire.Append(nil, 4, &wire.CloseResp{})}},
		{"announced fd missing", [][]byte{hello(), openShm}},
		{"open then vanish", [][]byte{hello(), open}},
		{"close unknown session", [][]byte{hello(), wire.Append(nil, 5, &wire.Close{Session: 77})}},
		{"cancel unknown", [][]byte{hello(), wire.Append(nil, 6, &wire.Cancel{Session: 9, Op: 9})}},
		{"absurd length", [][]byte{hello(), make([]byte, wire.MaxMessage+100)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fd := rawConn(t, sock)
			for _, g := range tc.grams {
				unix.Write(fd, g)
			}
			unix.Close(fd)
			waitIdle(t, srv)
			checkServes(t, sock)
			waitIdle(t, srv)
		})
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	srv, sock := startServer(t)
	checkServes(t, sock)
	waitIdle(t, srv)
	before := runtime.NumGoroutine()
	for range 20 {
		checkServes(t, sock)
		fd := rawConn(t, sock)
		unix.Write(fd, hello())
		unix.Write(fd, []byte("junk"))
		unix.Close(fd)
	}
	waitIdle(t, srv)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FuServer sends arbitrary datagrams after a handshake; the server must survive
// them, release everything, and go on serving.
func FuServer(f *testing.F) {
	f.Add(wire.Append(nil, 2, &wire.Open{UUID: echoUUID}))
	f.Add(wire.Append(nil, 2, &wire.Close{Session: 1}))
	f.Add(wire.Append(nil, 2, &wire.Cancel{Session: 0, Op: 2}))
	f.Add([]byte{})
	srv, sock := startServer(f)
	f.Fuzz(func(t *testing.T, gram []byte) {
		fd := rawConn(t, sock)
		unix.Write(fd, hello())
		unix.Write(fd, gram)
		unix.Close(fd)
		waitIdle(t, srv)
	})
}
