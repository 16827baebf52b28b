package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var (
	concSharedUUID = tee.MustParseUUID("c0c0c0c0-0000-4000-8000-000000000001")
	concSerialUUID = tee.MustParseUUID("c0c0c0c0-0000-4000-8000-000000000002")
	concMultiUUID  = tee.MustParseUUID("c0c0c0c0-0000-4000-8000-000000000003")
)

const (
	concMeet = iota
	concSleep
	concWait
	concPID
	concPanic
	concCount
)

// concRoot holds the conc TA's build, once a test has asked for it.
var concRoot string

// concDir builds the conc TA once and packs it under each of its manifests.
var concDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "conc")
	if err != nil {
		return "", err
	}
	concRoot = dir
	bin := filepath.Join(dir, "conc-bin")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/conc").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build conc TA: %v\n%s", err, out)
	}
	tas := filepath.Join(dir, "tas")
	for _, name := range []string{"shared", "serial", "multi"} {
		if out, err := exec.Command(Bin("teectl"), "pack", "-manifest", "testdata/conc/"+name+".toml",
			"-binary", bin, "-out", filepath.Join(tas, name)).CombinedOutput(); err != nil {
			return "", fmt.Errorf("pack conc TA %s: %v\n%s", name, err, out)
		}
	}
	return tas, nil
})

func startConc(t *testing.T) *client.Context {
	t.Helper()
	tas, err := concDir()
	if err != nil {
		t.Fatal(err)
	}
	td := StartTeed(t, "--ta-dir", tas)
	return connect(t, td)
}

func openConc(t *testing.T, c *client.Context, u tee.UUID) *client.Session {
	t.Helper()
	s, err := c.OpenSession(context.Background(), u, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// meet runs one party of a rendezvous of parties invokes; it reports whether they
// all met within timeout, and the most invokes the instance has had inside at once.
func meet(s *client.Session, parties int, timeout time.Duration) (met bool, most uint32, err error) {
	v := &client.Value{Type: tee.ValueInout, A: uint32(parties), B: uint32(timeout / time.Millisecond)}
	err = s.Invoke(context.Background(), concMeet, &client.Operation{Params: [4]client.Param{v}})
	return v.A == 1, v.B, err
}

// inside is how many invokes the instance of s has in progress, this one included.
func inside(t *testing.T, s *client.Session) uint32 {
	t.Helper()
	v := &client.Value{Type: tee.ValueOutput}
	if err := s.Invoke(context.Background(), concCount, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		t.Fatal(err)
	}
	return v.A
}

// rendezvous runs parties invokes at once, the i-th on sessions[i%len(sessions)],
// and returns how many met.
func rendezvous(t *testing.T, sessions []*client.Session, parties int, timeout time.Duration) (met int, most uint32) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range parties {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, m, err := meet(sessions[i%len(sessions)], parties, timeout)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				met++
			}
			most = max(most, m)
		}()
	}
	wg.Wait()
	return met, most
}

// A concurrent TA's invokes meet: on two sessions of one instance, and several on
// one session. Were they serialized, each would wait out its timeout alone.
func TestConcurrentEntryPoints(t *testing.T) {
	c := startConc(t)
	a, b := openConc(t, c, concSharedUUID), openConc(t, c, concSharedUUID)
	if met, most := rendezvous(t, []*client.Session{a, b}, 2, 5*time.Second); met != 2 || most < 2 {
		t.Errorf("two sessions of one instance: %d of 2 met, at most %d inside at once", met, most)
	}
	if met, most := rendezvous(t, []*client.Session{a}, 4, 5*time.Second); met != 4 || most < 4 {
		t.Errorf("one session: %d of 4 met, at most %d inside at once", met, most)
	}
	// The same on a multi-instance TA (one session per instance, as the SecAPI TA).
	m := openConc(t, c, concMultiUUID)
	if met, most := rendezvous(t, []*client.Session{m}, 3, 5*time.Second); met != 3 || most < 3 {
		t.Errorf("one session of a multi-instance TA: %d of 3 met, at most %d inside at once", met, most)
	}
	// And every lane still works one invoke after another.
	for range 20 {
		if met, _, err := meet(a, 1, time.Second); err != nil || !met {
			t.Fatalf("a party of one: met %v, %v", met, err)
		}
	}
}

// GP's default stays: entry points of one instance run one at a time, whether the
// invokes come on different sessions or on one.
func TestSerializedEntryPoints(t *testing.T) {
	c := startConc(t)
	a, b := openConc(t, c, concSerialUUID), openConc(t, c, concSerialUUID)
	for _, tt := range []struct {
		name     string
		sessions []*client.Session
	}{{"two sessions", []*client.Session{a, b}}, {"one session", []*client.Session{a}}} {
		if met, most := rendezvous(t, tt.sessions, 2, 300*time.Millisecond); met != 0 || most != 1 {
			t.Errorf("%s: %d of 2 met, at most %d inside at once; want 0 and 1", tt.name, met, most)
		}
	}
}

// Cancelling one of two invokes in flight on one session cancels that one only;
// closing the session waits for the invokes in flight (the TA panics if its close
// entry point overlaps one), and invokes after the close are refused. Another
// session of the instance sees the invokes inside it before the test goes on, so
// nothing hangs on how fast they get there.
func TestConcurrentCancelAndClose(t *testing.T) {
	c := startConc(t)
	s, err := c.OpenSession(context.Background(), concSharedUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := openConc(t, c, concSharedUUID)
	in := func(n uint32) func() bool { return func() bool { return inside(t, other) == n+1 } }

	sleep := func(ms uint32) (uint32, error) {
		v := &client.Value{Type: tee.ValueInout, A: ms}
		err := s.Invoke(context.Background(), concSleep, &client.Operation{Params: [4]client.Param{v}})
		return v.B, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waited := make(chan error, 1)
	go func() { waited <- s.Invoke(ctx, concWait, nil) }()
	waitFor(t, "the wait inside the TA", in(1))
	slept := make(chan error, 1)
	go func() { _, err := sleep(500); slept <- err }()
	waitFor(t, "the sleep beside the wait", in(2))
	cancel()
	if err := <-waited; !errors.Is(err, tee.ErrCancel) {
		t.Errorf("cancelled wait: %v, want CANCEL", err)
	}
	// That the two were inside at once is what in(2) waited for.
	if err := <-slept; err != nil {
		t.Errorf("sleep beside a wait: %v", err)
	}

	// Three invokes in flight that end only when cancelled: the close cannot
	// return before they do.
	wctx, wcancel := context.WithCancel(context.Background())
	defer wcancel()
	waits := make(chan error, 3)
	for range 3 {
		go func() { waits <- s.Invoke(wctx, concWait, nil) }()
	}
	waitFor(t, "three waits inside the TA", in(3))
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("close returned (%v) while three invokes were in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	wcancel()
	for range 3 {
		if err := <-waits; !errors.Is(err, tee.ErrCancel) {
			t.Errorf("invoke in flight at the close: %v, want CANCEL", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := sleep(1); !errors.Is(err, tee.ErrBadState) {
		t.Errorf("invoke after close: %v, want BAD_STATE", err)
	}
	// The instance lives: its close entry point never overlapped an invoke.
	if met, _, err := meet(other, 1, time.Second); err != nil || !met {
		t.Errorf("other session after the close: %v", err)
	}
}

// A panic in one of several invokes in flight kills the instance, and all of them
// see TARGET_DEAD.
func TestConcurrentPanic(t *testing.T) {
	c := startConc(t)
	s := openConc(t, c, concSharedUUID)
	// Bounded, so that a TA that serialized the two invokes would fail the test
	// (the wait cancelled, then the panic) rather than hang it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Invoke(ctx, concWait, nil) }()
	time.Sleep(100 * time.Millisecond)
	err := s.Invoke(context.Background(), concPanic, nil)
	var te *tee.Error
	if !errors.As(err, &te) || te.Code != tee.ErrTargetDead || te.Origin != tee.OriginTEE {
		t.Errorf("panic: %v, want TARGET_DEAD from TEE", err)
	}
	if err := <-done; !errors.Is(err, tee.ErrTargetDead) {
		t.Errorf("invoke beside the panic: %v, want TARGET_DEAD", err)
	}
}

// max_instances: past it an open is BUSY (origin TEE), counted right when opens
// race, and a place comes back when an instance closes or dies.
func TestMaxInstances(t *testing.T) {
	c := startConc(t)
	open := func() (*client.Session, error) {
		return c.OpenSession(context.Background(), concMultiUUID, client.Public, nil)
	}
	busy := func(err error) bool {
		var te *tee.Error
		return errors.As(err, &te) && te.Code == tee.ErrBusy && te.Origin == tee.OriginTEE
	}
	// Eight opens at once: exactly two get an instance.
	var wg sync.WaitGroup
	results := make(chan error, 8)
	sessions := make(chan *client.Session, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := open()
			results <- err
			if err == nil {
				sessions <- s
			}
		}()
	}
	wg.Wait()
	close(results)
	close(sessions)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case !busy(err):
			t.Errorf("open past the cap: %v, want BUSY from TEE", err)
		}
	}
	var held []*client.Session
	for s := range sessions {
		held = append(held, s)
	}
	if ok != 2 {
		t.Fatalf("%d opens of 8 succeeded, want 2 (max_instances)", ok)
	}
	// Closing one gives its place back.
	held[0].Close()
	s, err := open()
	if err != nil {
		t.Fatalf("open after a close: %v", err)
	}
	if _, err := open(); !busy(err) {
		t.Fatalf("third open: %v, want BUSY", err)
	}
	// So does a crash.
	if err := s.Invoke(context.Background(), concPanic, nil); !errors.Is(err, tee.ErrTargetDead) {
		t.Fatalf("panic: %v", err)
	}
	s.Close()
	waitFor(t, "a place freed by the crash", func() bool {
		s, err := open()
		if err == nil {
			s.Close()
		}
		return err == nil
	})
	held[1].Close()
}
