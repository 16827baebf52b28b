package core_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotee/gotee/internal/core"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

var fakeUUID = tee.MustParseUUID("88888888-0000-0000-0000-000000000001")
var deafUUID = tee.MustParseUUID("88888888-0000-0000-0000-000000000002")

type rawCatalog struct{ sawCancel *atomic.Int32 }

func (c rawCatalog) Lookup(u tee.UUID) (core.TA, bool) {
	switch u {
	case fakeUUID:
		return rawTA{c.sawCancel, false, u}, true
	case deafUUID:
		return rawTA{c.sawCancel, true, u}, true
	case echoUUID:
		return hosted{}, true
	}
	return nil, false
}

// rawTA is a raw TA: it records whether a TACancel reaches it, and refuses each
// open once the open's TACancel has come (or after 10 s, if none does); deaf, it
// stops reading its instance channel once a session is open.
type rawTA struct {
	saw  *atomic.Int32
	deaf bool
	u    tee.UUID
}

func (f rawTA) Manifest() *store.Manifest {
	return &store.Manifest{UUID: f.u, Name: "fake", DataSize: 1, StackSize: 1}
}

func (f rawTA) Start(channel *os.File, _ io.Writer) (core.Process, error) {
	fd, err := unix.FcntlInt(channel.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	p := &Proc{proc: proc{f: os.NewFile(uintptr(fd), "instance"), done: make(chan struct{})}, killed: make(chan struct{})}
	fd2, _ := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	conn, _ := wire.FDConn(fd2, "fake")
	go func() {
		defer close(p.done)
		defer conn.Close()
		buf := make([]byte, wire.MaxMessage)
		pending := map[uint32]*time.Timer{} // open request id → its refusal's fallback
		for {
			h, m, fds, err := conn.Recv(buf)
			if err != nil {
				return
			}
			switch m := m.(type) {
			case *wire.Create:
				conn.Send(nil, h.ID, &wire.CreateResp{})
			case *wire.TAOpen:
				wire.CloseFDs(fds[1:])
				_ = m
				if f.deaf {
					conn.Send(nil, h.ID, &wire.TAOpenResp{})
					// keep fds[0] open; stop reading the instance channel
					<-p.killed
					return
				}
				wire.CloseFDs(fds[:1])
				// Answered when its cancellation comes, so that the answer never
				// overtakes a TACancel teed was slow to send; a cancellation lost
				// by teed leaves it to the fallback, and the test sees it missing.
				id := h.ID
				pending[id] = time.AfterFunc(10*time.Second, func() { refuseOpen(conn, id) })
			case *wire.TACancel:
				f.saw.Add(1)
				if fallback, ok := pending[m.Op]; ok && fallback.Stop() {
					delete(pending, m.Op)
					refuseOpen(conn, m.Op)
				}
			case *wire.TAClose:
				conn.Send(nil, h.ID, &wire.TACloseResp{})
			case *wire.Destroy:
				conn.Send(nil, h.ID, &wire.DestroyResp{})
				return
			}
		}
	}()
	return p, nil
}

func refuseOpen(conn *wire.Conn, id uint32) {
	conn.Send(nil, id, &wire.TAOpenResp{Result: tee.ErrAccessDenied, Origin: tee.OriginTrustedApp})
}

func Start(t *testing.T, cat core.Catalog) string {
	sock := filepath.Join(t.TempDir(), "teed.sock")
	l, err := core.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := core.NewServer(core.Config{Catalog: cat, Log: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, l) }()
	t.Cleanup(func() { cancel(); <-done })
	return sock
}

func Dial(t *testing.T, sock string) *wire.Conn {
	fd := rawConn(t, sock)
	c, err := wire.FDConn(fd, "c")
	if err != nil {
		t.Fatal(err)
	}
	c.Send(nil, 1, &wire.Hello{Magic: wire.Magic, Major: wire.VersionMajor})
	buf := make([]byte, wire.MaxMessage)
	if _, _, _, err := c.Recv(buf); err != nil {
		t.Fatal(err)
	}
	return c
}

// A Cancel sent right after its Open (the client's context was already done)
// never reaches the TA: teed's reader looks the open up before the handler
// goroutine has registered it.
func TestCancelRightBehindOpen(t *testing.T) {
	var saw atomic.Int32
	sock := Start(t, rawCatalog{&saw})
	c := Dial(t, sock)
	defer c.Close()
	buf := make([]byte, wire.MaxMessage)
	for i := range 5 {
		id := uint32(10 + i)
		c.Send(nil, id, &wire.Open{UUID: fakeUUID})
		c.Send(nil, 0, &wire.Cancel{Session: 0, Op: id})
		if _, _, _, err := c.Recv(buf); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("TACancel reached the TA %d times out of 5", saw.Load())
	if saw.Load() != 5 {
		t.Errorf("teed dropped %d/5 early cancels", 5-saw.Load())
	}
}

// A TA that stops reading its instance channel must not wedge the reader of a client
// that cancels an operation on it: Cancel is handled inline, so it must never wait.
func TestDeafTADoesNotStallClient(t *testing.T) {
	var saw atomic.Int32
	sock := Start(t, rawCatalog{&saw})
	c := Dial(t, sock)
	buf := make([]byte, wire.MaxMessage)
	// a healthy session on the echo TA
	c.Send(nil, 2, &wire.Open{UUID: echoUUID})
	_, m, fds, err := c.Recv(buf)
	if err != nil {
		t.Fatal(err)
	}
	echoSess := m.(*wire.OpenResp).Session
	wire.CloseFDs(fds)
	// a session on the deaf TA
	c.Send(nil, 3, &wire.Open{UUID: deafUUID})
	_, m, fds, err = c.Recv(buf)
	if err != nil {
		t.Fatal(err)
	}
	deafSess := m.(*wire.OpenResp).Session
	wire.CloseFDs(fds)
	// flood cancels at the deaf session from a goroutine (our own sends may block too)
	go func() {
		for i := range 20000 {
			if _, err := c.Send(nil, 0, &wire.Cancel{Session: deafSess, Op: uint32(i + 1)}); err != nil {
				return
			}
		}
		c.Send(nil, 4, &wire.Close{Session: echoSess})
	}()
	got := make(chan error, 1)
	go func() {
		_, _, _, err := c.Recv(buf)
		got <- err
	}()
	select {
	case err := <-got:
		t.Logf("close of the echo session answered: %v", err)
	// A wedged reader never answers; the bound is only far above the flood's
	// fraction of a second, for a loaded machine.
	case <-time.After(30 * time.Second):
		t.Errorf("teed stopped serving this client: Close of a healthy session unanswered after 30 s")
	}
	c.Shutdown()
}

type Proc struct {
	proc
	killed chan struct{}
	once   atomic.Bool
}

func (p *Proc) Kill() error {
	if !p.once.Swap(true) {
		close(p.killed)
	}
	return p.proc.Kill()
}

func TestCancelDuringOpen(t *testing.T) {
	var saw atomic.Int32
	sock := Start(t, rawCatalog{&saw})
	c := Dial(t, sock)
	defer c.Close()
	buf := make([]byte, wire.MaxMessage)
	c.Send(nil, 10, &wire.Open{UUID: fakeUUID})
	time.Sleep(100 * time.Millisecond)
	c.Send(nil, 0, &wire.Cancel{Session: 0, Op: 10})
	c.Recv(buf)
	t.Logf("control: TACancel reached the TA %d times out of 1", saw.Load())
}
