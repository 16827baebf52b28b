// Command conc is a TA for the end-to-end tests of concurrent entry points and of
// max_instances: its invokes can wait for one another (a rendezvous that can only
// be met if they run at the same time), and it counts how many run at once. The
// same binary is packed under several manifests (concurrent or not, one instance
// or many).
package main

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdMeet  = iota // p0 in: a = parties, b = timeout (ms); out: a = 1 if all met in time, b = most invokes inside at once
	cmdSleep        // sleeps p0.a ms; out: b = most invokes inside at once
	cmdWait         // waits until cancelled, cancellation unmasked: CANCEL
	cmdPID          // out: a = the instance's process id
	cmdPanic        // TEE_Panic
	cmdCount        // out: p0 a = invokes of the instance in progress, this one included
)

type concTA struct {
	ta.Base

	mu      sync.Mutex
	arrived int           // parties at the rendezvous now (guarded by mu)
	met     chan struct{} // closed when the current rendezvous is met (guarded by mu)

	inside, most atomic.Int32
}

// session counts the invokes of one session in progress, so CloseSession can check
// that none is.
type session struct{ inside atomic.Int32 }

func (c *concTA) OpenSession(s *ta.Session, _ *ta.Params) error {
	s.Data = &session{}
	return nil
}

// CloseSession must never overlap an invoke of its session: if it does, the
// instance dies, and the test sees every later call fail.
func (c *concTA) CloseSession(s *ta.Session) {
	if s.Data.(*session).inside.Load() != 0 {
		ta.Panic(0xC105E)
	}
}

func (c *concTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	sd := s.Data.(*session)
	sd.inside.Add(1)
	defer sd.inside.Add(-1)
	n := c.inside.Add(1)
	defer c.inside.Add(-1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	switch cmd {
	case cmdMeet:
		if err := p.Expect(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		ok := c.meet(int(p[0].Value.A), time.Duration(p[0].Value.B)*time.Millisecond)
		p[0].Value = tee.Value{B: uint32(c.most.Load())}
		if ok {
			p[0].Value.A = 1
		}
	case cmdSleep:
		if err := p.Expect(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		time.Sleep(time.Duration(p[0].Value.A) * time.Millisecond)
		p[0].Value.B = uint32(c.most.Load())
	case cmdWait:
		s.UnmaskCancellation()
		return s.Wait(-1)
	case cmdPID:
		p[0].Value.A = uint32(os.Getpid())
	case cmdPanic:
		ta.Panic(0xDEAD)
	case cmdCount:
		if err := p.Expect(tee.ValueOutput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		p[0].Value.A = uint32(n)
	default:
		return tee.ErrNotSupported
	}
	return nil
}

// meet waits until parties invokes are at the rendezvous, or until timeout.
func (c *concTA) meet(parties int, timeout time.Duration) bool {
	c.mu.Lock()
	if c.met == nil {
		c.met = make(chan struct{})
	}
	met := c.met
	c.arrived++
	if c.arrived >= parties {
		close(met)
		c.met, c.arrived = nil, 0
		c.mu.Unlock()
		return true
	}
	c.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-met:
		return true
	case <-t.C:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-met:
		return true
	default:
		c.arrived-- // gone: a party that comes later does not count it
		return false
	}
}

func main() { ta.Main(&concTA{}) }
