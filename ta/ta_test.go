package ta_test

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

var (
	multiUUID  = tee.MustParseUUID("22222222-0000-0000-0000-000000000001")
	sharedUUID = tee.MustParseUUID("22222222-0000-0000-0000-000000000002")
	keepUUID   = tee.MustParseUUID("22222222-0000-0000-0000-000000000003")
)

const (
	cmdInstance   = iota // value a = this instance's number, b = sessions it has seen
	cmdSlow              // holds the entry point for a while; reports overlap in a
	cmdAccess            // checks CheckMemoryAccess on p0 (MEMREF_INOUT), results in p1
	cmdMaskedWait        // waits 300ms with cancellation masked; a = Cancelled() masked, b = unmasked
)

var instances atomic.Uint32

type modelTA struct {
	ta.Base
	number   uint32
	sessions uint32
	inside   atomic.Int32
}

func newModelTA() ta.TA { return &modelTA{number: instances.Add(1)} }

func (m *modelTA) OpenSession(*ta.Session, *ta.Params) error {
	m.sessions++
	return nil
}

func (m *modelTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdInstance:
		p[0].Value = tee.Value{A: m.number, B: m.sessions}
	case cmdSlow:
		if m.inside.Add(1) > 1 {
			p[0].Value.A = 1
		}
		time.Sleep(20 * time.Millisecond)
		m.inside.Add(-1)
	case cmdAccess:
		mem := p[0].Mem
		own := make([]byte, 8)
		results := []error{
			s.CheckMemoryAccess(ta.AccessRead|ta.AccessAnyOwner, mem[2:6]),
			s.CheckMemoryAccess(ta.AccessRead, mem),                       // shared without ANY_OWNER
			s.CheckMemoryAccess(ta.AccessWrite|ta.AccessAnyOwner, own),    // the TA's own memory
			s.CheckMemoryAccess(ta.AccessRead|ta.AccessAnyOwner, mem[:0]), // empty
			s.CheckMemoryAccess(0x100, own),                               // unknown flag
		}
		var bits uint32
		for i, err := range results {
			if err != nil {
				bits |= 1 << i
			}
		}
		p[1].Value.A = bits
	case cmdMaskedWait:
		err := s.Wait(300 * time.Millisecond)
		if err != nil {
			return err
		}
		if s.Cancelled() {
			p[0].Value.A = 1
		}
		// The client's cancellation may reach the instance only after the wait:
		// look for it unmasked, masking again between looks, for up to 10 s.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			s.UnmaskCancellation()
			unmasked := s.Cancelled()
			s.MaskCancellation()
			if s.Cancelled() { // masked, even with the cancellation known to be there
				p[0].Value.A = 1
			}
			if unmasked {
				p[0].Value.B = 1
				break
			}
			if time.Now().After(deadline) {
				break
			}
		}
	}
	return nil
}

func start(t *testing.T) *client.Context {
	t.Helper()
	srv := tatest.Start(t,
		tatest.TA{UUID: multiUUID, New: newModelTA},
		tatest.TA{UUID: sharedUUID, New: newModelTA, SingleInstance: true, MultiSession: true},
		tatest.TA{UUID: keepUUID, New: newModelTA, SingleInstance: true, InstanceKeepAlive: true},
	)
	return srv.NewContext(t)
}

func instanceOf(t *testing.T, s *client.Session) tee.Value {
	t.Helper()
	v := &client.Value{Type: tee.ValueOutput}
	if err := s.Invoke(context.Background(), cmdInstance, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		t.Fatal(err)
	}
	return tee.Value{A: v.A, B: v.B}
}

func open(t *testing.T, c *client.Context, u tee.UUID) *client.Session {
	t.Helper()
	s, err := c.OpenSession(context.Background(), u, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInstanceModel(t *testing.T) {
	c := start(t)
	t.Run("multi-instance", func(t *testing.T) {
		a, b := open(t, c, multiUUID), open(t, c, multiUUID)
		defer a.Close()
		defer b.Close()
		if instanceOf(t, a).A == instanceOf(t, b).A {
			t.Fatal("two sessions of a multi-instance TA share an instance")
		}
	})
	t.Run("single-instance multi-session", func(t *testing.T) {
		a, b := open(t, c, sharedUUID), open(t, c, sharedUUID)
		defer a.Close()
		defer b.Close()
		ia, ib := instanceOf(t, a), instanceOf(t, b)
		if ia.A != ib.A || ib.B != 2 {
			t.Fatalf("sessions on instances %d and %d (sessions seen %d)", ia.A, ib.A, ib.B)
		}
	})
	t.Run("keep-alive", func(t *testing.T) {
		a := open(t, c, keepUUID)
		first := instanceOf(t, a).A
		a.Close()
		b := open(t, c, keepUUID)
		defer b.Close()
		if got := instanceOf(t, b); got.A != first || got.B != 2 {
			t.Fatalf("after the last session closed: instance %d (was %d), sessions seen %d", got.A, first, got.B)
		}
	})
	t.Run("no keep-alive", func(t *testing.T) {
		a := open(t, c, sharedUUID)
		first := instanceOf(t, a).A
		a.Close()
		b := open(t, c, sharedUUID)
		defer b.Close()
		if instanceOf(t, b).A == first {
			t.Fatal("instance outlived its last session without instanceKeepAlive")
		}
	})
}

func TestOneEntryPointAtATime(t *testing.T) {
	c := start(t)
	var wg sync.WaitGroup
	var overlaps atomic.Int32
	for range 4 {
		s := open(t, c, sharedUUID)
		defer s.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				v := &client.Value{Type: tee.ValueOutput}
				if err := s.Invoke(context.Background(), cmdSlow, &client.Operation{Params: [4]client.Param{v}}); err != nil {
					t.Error(err)
					return
				}
				overlaps.Add(int32(v.A))
			}
		}()
	}
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("%d invokes ran while another entry point of the instance was running", n)
	}
}

func TestCheckMemoryAccess(t *testing.T) {
	c := start(t)
	s := open(t, c, multiUUID)
	defer s.Close()
	m, err := c.AllocateSharedMemory(64, tee.MemInput|tee.MemOutput)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	res := &client.Value{Type: tee.ValueOutput}
	op := &client.Operation{Params: [4]client.Param{&client.RegisteredMemory{Type: tee.MemrefWhole, Mem: m}, res}}
	if err := s.Invoke(context.Background(), cmdAccess, op); err != nil {
		t.Fatal(err)
	}
	// Refused: shared memory without ANY_OWNER, and an unknown flag.
	if want := uint32(1<<1 | 1<<4); res.A != want {
		t.Fatalf("refusal bits %05b, want %05b", res.A, want)
	}
}

func TestMaskedCancellation(t *testing.T) {
	c := start(t)
	s := open(t, c, multiUUID)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	v := &client.Value{Type: tee.ValueOutput}
	// Cancellation is masked by default: the wait runs to its end, the flag reads
	// false until unmasked.
	if err := s.Invoke(ctx, cmdMaskedWait, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		t.Fatal(err)
	}
	if v.A != 0 || v.B != 1 {
		t.Fatalf("Cancelled() masked %d, unmasked %d; want 0, 1", v.A, v.B)
	}
}

func TestPanicInOpenSession(t *testing.T) {
	u := tee.MustParseUUID("22222222-0000-0000-0000-0000000000ff")
	srv := tatest.Start(t, tatest.TA{UUID: u, New: func() ta.TA { return panicky{} }})
	c := srv.NewContext(t)
	_, err := c.OpenSession(context.Background(), u, client.Public, nil)
	var te *tee.Error
	if !errors.As(err, &te) || te.Code != tee.ErrTargetDead || te.Origin != tee.OriginTEE {
		t.Fatalf("got %v, want TARGET_DEAD from TEE", err)
	}
}

type panicky struct{ ta.Base }

func (panicky) OpenSession(*ta.Session, *ta.Params) error    { panic("broken TA") }
func (panicky) Invoke(*ta.Session, uint32, *ta.Params) error { return nil }

// propsTA answers property questions: command 0 returns in p0 (VALUE_OUTPUT) the
// internal core version and the client's login, in p1 (MEMREF_OUTPUT) the device
// ID, and fails if any of the sets misses what GP says it holds.
type propsTA struct{ ta.Base }

func (propsTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	teeSet := s.Properties(ta.PropsetTEEImplementation)
	version, err := teeSet.U32("gpd.tee.internalCore.version")
	if err != nil {
		return err
	}
	id, err := s.Properties(ta.PropsetCurrentClient).Identity("gpd.client.identity")
	if err != nil {
		return err
	}
	dev, err := teeSet.UUID("gpd.tee.deviceID")
	if err != nil {
		return err
	}
	taSet := s.Properties(ta.PropsetCurrentTA)
	if single, err := taSet.Bool("gpd.ta.singleInstance"); err != nil || single {
		return tee.ErrBadState
	}
	if n, err := taSet.U32("org.example.count"); err != nil || n != 16 {
		return tee.ErrBadState
	}
	found := false
	for e := taSet.Enumerate(); ; {
		prop, err := e.Property()
		if err != nil {
			break
		}
		found = found || prop.Name == "gpd.ta.appID"
		if e.Next() != nil {
			break
		}
	}
	if !found {
		return tee.ErrItemNotFound
	}
	p[0].Value = tee.Value{A: version, B: uint32(id.Login)}
	p[1].Size = copy(p[1].Mem, dev[:])
	return nil
}

func TestPropertySets(t *testing.T) {
	u := tee.MustParseUUID("22222222-0000-0000-0000-0000000000aa")
	srv := tatest.Start(t, tatest.TA{UUID: u, New: func() ta.TA { return propsTA{} },
		Properties: map[string]string{"org.example.count": "0x10"}})
	c := srv.NewContext(t)
	s, err := c.OpenSession(context.Background(), u, client.Login{Method: tee.LoginUser}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := &client.Value{Type: tee.ValueOutput}
	dev := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
	if err := s.Invoke(context.Background(), 0, &client.Operation{Params: [4]client.Param{v, dev}}); err != nil {
		t.Fatal(err)
	}
	if v.A != 0x01030100 || tee.LoginMethod(v.B) != tee.LoginUser {
		t.Fatalf("internal core version 0x%x, login %v", v.A, tee.LoginMethod(v.B))
	}
	if dev.Size != 16 || dev.Buffer[6]>>4 != 4 {
		t.Fatalf("device ID %x", dev.Buffer[:dev.Size])
	}
}

// timeTA: command 0 gets the persistent time into p0 (a = seconds, b = result),
// command 1 sets it to p0.a seconds.
type timeTA struct{ ta.Base }

func (timeTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case 0:
		t, err := s.TAPersistentTime()
		code, _ := tee.Code(err, tee.OriginTrustedApp)
		p[0].Value = tee.Value{A: t.Seconds, B: uint32(code)}
		return nil
	case 1:
		return s.SetTAPersistentTime(ta.Time{Seconds: p[0].Value.A})
	}
	return tee.ErrNotSupported
}

func TestPersistentTime(t *testing.T) {
	a := tee.MustParseUUID("22222222-0000-0000-0000-0000000000b1")
	b := tee.MustParseUUID("22222222-0000-0000-0000-0000000000b2")
	srv := tatest.Start(t, tatest.TA{UUID: a, New: func() ta.TA { return timeTA{} }},
		tatest.TA{UUID: b, New: func() ta.TA { return timeTA{} }})
	c := srv.NewContext(t)
	get := func(s *client.Session) (uint32, tee.Result) {
		v := &client.Value{Type: tee.ValueOutput}
		if err := s.Invoke(context.Background(), 0, &client.Operation{Params: [4]client.Param{v}}); err != nil {
			t.Fatal(err)
		}
		return v.A, tee.Result(v.B)
	}
	sa, sb := open(t, c, a), open(t, c, b)
	defer sa.Close()
	defer sb.Close()
	if _, res := get(sa); res != tee.ErrTimeNotSet {
		t.Fatalf("before set: %v", res)
	}
	if err := sa.Invoke(context.Background(), 1, &client.Operation{Params: [4]client.Param{&client.Value{Type: tee.ValueInput, A: 1000}}}); err != nil {
		t.Fatal(err)
	}
	if sec, res := get(sa); res != tee.Success || sec < 1000 || sec > 1002 {
		t.Fatalf("after set: %d %v", sec, res)
	}
	if _, res := get(sb); res != tee.ErrTimeNotSet {
		t.Fatalf("another TA: %v", res)
	}
	if now, sys := ta.REETime(), ta.SystemTime(); now.Seconds < 1_700_000_000 || sys.Millis > 999 {
		t.Fatalf("REE time %v, system time %v", now, sys)
	}
}
