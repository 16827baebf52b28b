package tatest_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

// Regression tests: cancellations that arrive before the operation they cancel.

var cancelUUID = tee.MustParseUUID("77777777-0000-0000-0000-000000000001")

type cancelTA struct{ ta.Base }

func (cancelTA) OpenSession(s *ta.Session, p *ta.Params) error {
	s.UnmaskCancellation()
	return s.Wait(2 * time.Second) // CANCEL if cancelled, nil after 2 s
}
func (cancelTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	s.UnmaskCancellation()
	return s.Wait(2 * time.Second)
}

func TestOpenWithCancelledContext(t *testing.T) {
	srv := tatest.Start(t, tatest.TA{UUID: cancelUUID, Name: "c", New: func() ta.TA { return cancelTA{} }})
	c := srv.NewContext(t)
	lost := 0
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // cancelled before the open starts: semantics.md says it applies when it starts
		t0 := time.Now()
		s, err := c.OpenSession(ctx, cancelUUID, client.Public, nil)
		d := time.Since(t0)
		t.Logf("open %d: err=%v after %v", i, err, d)
		if err == nil {
			lost++
			s.Close()
		}
	}
	if lost > 0 {
		t.Errorf("%d/5 pre-cancelled opens ran to completion: the cancellation was lost", lost)
	}
}

func TestOpenCancelledWhileRunning(t *testing.T) {
	srv := tatest.Start(t, tatest.TA{UUID: cancelUUID, Name: "c", New: func() ta.TA { return cancelTA{} }})
	c := srv.NewContext(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := c.OpenSession(ctx, cancelUUID, client.Public, nil)
	t.Logf("control: err=%v after %v", err, time.Since(t0))
}

// A single-instance TA without keep-alive is never handed to a new session while it
// is being destroyed.

var SingleUUID = tee.MustParseUUID("77777777-0000-0000-0000-000000000002")

type SingleTA struct{ ta.Base }

func (SingleTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error { return nil }

func TestSingleInstanceReuseWhileDestroyed(t *testing.T) {
	srv := tatest.Start(t, tatest.TA{UUID: SingleUUID, Name: "s", SingleInstance: true, MultiSession: true,
		New: func() ta.TA { return SingleTA{} }})
	var dead, other, ok atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Second)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := srv.NewContext(t)
			for time.Now().Before(deadline) {
				s, err := c.OpenSession(context.Background(), SingleUUID, client.Public, nil)
				if err == nil {
					err = s.Invoke(context.Background(), 0, nil)
					s.Close()
				}
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, tee.ErrTargetDead):
					dead.Add(1)
				default:
					other.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("ok=%d targetDead=%d other=%d (first other: %v)", ok.Load(), dead.Load(), other.Load(), firstErr)
	if dead.Load()+other.Load() > 0 {
		t.Errorf("open/invoke/close on a healthy single-instance TA failed %d times", dead.Load()+other.Load())
	}
}

// A cancellation teed passes on right behind the TAOpen reaches the TA runtime
// before the session exists there.

var SlowUUID = tee.MustParseUUID("77777777-0000-0000-0000-000000000003")

type SlowCreateTA struct{ cancelTA }

func (SlowCreateTA) Create() error { time.Sleep(300 * time.Millisecond); return nil }

func TestOpenCancelledDuringCreate(t *testing.T) {
	srv := tatest.Start(t, tatest.TA{UUID: SlowUUID, Name: "sc", New: func() ta.TA { return SlowCreateTA{} }})
	c := srv.NewContext(t)
	lost := 0
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel) // teed has registered the open and is in Create
		t0 := time.Now()
		s, err := c.OpenSession(ctx, SlowUUID, client.Public, nil)
		t.Logf("open %d: err=%v after %v", i, err, time.Since(t0))
		if err == nil {
			lost++
			s.Close()
		}
	}
	if lost > 0 {
		t.Errorf("%d/5 opens cancelled during create ran to completion", lost)
	}
}
