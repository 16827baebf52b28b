package ta_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

var (
	callerUUID = tee.MustParseUUID("44444444-0000-0000-0000-000000000001")
	calleeUUID = tee.MustParseUUID("44444444-0000-0000-0000-000000000002")
	loopUUID   = tee.MustParseUUID("44444444-0000-0000-0000-000000000003") // single instance, calls the caller back
)

// Callee commands.
const (
	calleeEcho     = iota // p0 VALUE_INOUT a += 1; p1 MEMREF_INOUT reversed; p2 VALUE_OUTPUT = client login, p3 MEMREF_OUTPUT = client UUID
	calleePanic           // TEE_Panic
	calleeSleep           // waits 10s with cancellation unmasked
	calleeCallBack        // opens a session on the caller TA: closes a cycle
)

type callee struct{ ta.Base }

func (callee) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case calleeEcho:
		p[0].Value.A++
		m := p[1].Mem
		for i, j := 0, len(m)-1; i < j; i, j = i+1, j-1 {
			m[i], m[j] = m[j], m[i]
		}
		id := s.ClientIdentity()
		p[2].Value.A = uint32(id.Login)
		p[3].Size = copy(p[3].Mem, id.UUID[:])
	case calleePanic:
		ta.Panic(0x42)
	case calleeSleep:
		s.UnmaskCancellation()
		return s.Wait(10 * time.Second)
	case calleeCallBack:
		ts, err := s.OpenTASession(callerUUID, ta.TimeoutInfinite, nil)
		if err != nil {
			return err
		}
		defer ts.Close()
		return ts.Invoke(ta.TimeoutInfinite, callerRelay, &ta.Params{{Type: tee.ValueInput, Value: tee.Value{A: calleeEcho}}})
	}
	return nil
}

// Caller commands: relay p0.a as a callee command, to calleeUUID (or to loopUUID
// when p0.b is 1), with the timeout in p1.a (0: infinite), unmasking cancellation
// first if p1.b is 1; p2 VALUE_OUTPUT gets the error's origin and code.
const callerRelay = 0

type caller struct{ ta.Base }

func (caller) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	dest := calleeUUID
	if p[0].Value.B == 1 {
		dest = loopUUID
	}
	timeout := ta.TimeoutInfinite
	if p[1].Value.A != 0 {
		timeout = p[1].Value.A
	}
	if p[1].Value.B == 1 {
		s.UnmaskCancellation()
	}
	ts, err := s.OpenTASession(dest, ta.TimeoutInfinite, nil)
	if err != nil {
		return err
	}
	defer ts.Close()
	value := &ta.Params{
		{Type: tee.ValueInout, Value: tee.Value{A: 41}},
		{Type: tee.MemrefInout, Mem: []byte("gotee"), Size: 5},
		{Type: tee.ValueOutput},
		{Type: tee.MemrefOutput, Mem: make([]byte, 16), Size: 16},
	}
	err = ts.Invoke(timeout, p[0].Value.A, value)
	var te *tee.Error
	if errors.As(err, &te) {
		p[2].Value = tee.Value{A: uint32(te.Origin), B: uint32(te.Code)}
		return nil
	}
	if err != nil {
		return err
	}
	if value[0].Value.A != 42 || string(value[1].Mem) != "eetog" ||
		tee.LoginMethod(value[2].Value.A) != tee.LoginTrustedApp || [16]byte(value[3].Mem) != callerUUID {
		return tee.ErrBadState
	}
	return nil
}

func relay(t *testing.T, c *client.Context, cmd, loop, timeout uint32) (tee.Value, error) {
	t.Helper()
	return relayCtx(t, context.Background(), c, cmd, loop, timeout, 0)
}

func relayCtx(t *testing.T, ctx context.Context, c *client.Context, cmd, loop, timeout, unmask uint32) (tee.Value, error) {
	t.Helper()
	s, err := c.OpenSession(context.Background(), callerUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := &client.Value{Type: tee.ValueOutput}
	err = s.Invoke(ctx, callerRelay, &client.Operation{Params: [4]client.Param{
		&client.Value{Type: tee.ValueInput, A: cmd, B: loop}, &client.Value{Type: tee.ValueInput, A: timeout, B: unmask}, out}})
	return tee.Value{A: out.A, B: out.B}, err
}

func startTAToTA(t *testing.T) *client.Context {
	t.Helper()
	srv := tatest.Start(t,
		tatest.TA{UUID: callerUUID, New: func() ta.TA { return caller{} }, SingleInstance: true, MultiSession: true},
		tatest.TA{UUID: calleeUUID, New: func() ta.TA { return callee{} }},
		tatest.TA{UUID: loopUUID, New: func() ta.TA { return callee{} }, SingleInstance: true, MultiSession: true},
	)
	return srv.NewContext(t)
}

func TestTAToTA(t *testing.T) {
	c := startTAToTA(t)
	t.Run("identity and memory carried across", func(t *testing.T) {
		if v, err := relay(t, c, calleeEcho, 0, 0); err != nil || v.B != 0 {
			t.Fatalf("%v (callee error %v from %v)", err, tee.Result(v.B), tee.Origin(v.A))
		}
	})
	t.Run("callee panic is TARGET_DEAD for the caller only", func(t *testing.T) {
		v, err := relay(t, c, calleePanic, 0, 0)
		if err != nil || tee.Result(v.B) != tee.ErrTargetDead || tee.Origin(v.A) != tee.OriginTEE {
			t.Fatalf("%v; caller saw %v from %v", err, tee.Result(v.B), tee.Origin(v.A))
		}
	})
	t.Run("cancellation timeout", func(t *testing.T) {
		begin := time.Now()
		v, err := relay(t, c, calleeSleep, 0, 100)
		if err != nil || tee.Result(v.B) != tee.ErrCancel || tee.Origin(v.A) != tee.OriginTrustedApp {
			t.Fatalf("%v; caller saw %v from %v", err, tee.Result(v.B), tee.Origin(v.A))
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("client cancellation reaches the callee", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		begin := time.Now()
		v, err := relayCtx(t, ctx, c, calleeSleep, 0, 0, 1)
		if err != nil || tee.Result(v.B) != tee.ErrCancel {
			t.Fatalf("%v; caller saw %v from %v", err, tee.Result(v.B), tee.Origin(v.A))
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("cycle refused with BUSY", func(t *testing.T) {
		// caller → loop (single instance) → caller (single instance, waiting on loop).
		v, err := relay(t, c, calleeCallBack, 1, 0)
		if err != nil || tee.Result(v.B) != tee.ErrBusy {
			t.Fatalf("%v; caller saw %v from %v", err, tee.Result(v.B), tee.Origin(v.A))
		}
	})
}
