package client_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

var (
	testUUID   = tee.MustParseUUID("11111111-2222-3333-4444-555555555555")
	singleUUID = tee.MustParseUUID("11111111-2222-3333-4444-666666666666")
)

// Commands of the test TA.
const (
	cmdInc      = iota // VALUE_INOUT a++
	cmdCopy            // MEMREF_INPUT p0 → MEMREF_OUTPUT p1, SHORT_BUFFER if p1 too small
	cmdPanic           // ta.Panic
	cmdWaitLong        // Wait for 10s unmasked: returns CANCEL when cancelled
	cmdIdentity        // p0 VALUE_OUTPUT a = login; p1 MEMREF_OUTPUT 16 bytes uuid
	cmdFill            // MEMREF_INOUT: add 1 to each byte
	cmdProperty        // p0 MEMREF_INPUT name, p1 MEMREF_OUTPUT value
)

type testTA struct {
	ta.Base
	opened int
}

func (t *testTA) OpenSession(s *ta.Session, p *ta.Params) error {
	t.opened++
	if p.Types() == tee.Types(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone) {
		p[0].Value.A *= 2
	}
	if p.Types() == tee.Types(tee.ValueInput, tee.ParamNone, tee.ParamNone, tee.ParamNone) && p[0].Value.A == 0xdead {
		return tee.ErrAccessDenied
	}
	return nil
}

func (t *testTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdInc:
		if err := p.Expect(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		p[0].Value.A++
		p[0].Value.B = uint32(t.opened)
	case cmdCopy:
		if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		if p[1].Size < len(p[0].Mem) {
			p[1].Size = len(p[0].Mem)
			return tee.ErrShortBuffer
		}
		p[1].Size = copy(p[1].Mem, p[0].Mem)
	case cmdPanic:
		ta.Panic(0xbad)
	case cmdWaitLong:
		s.UnmaskCancellation()
		return s.Wait(10 * time.Second)
	case cmdIdentity:
		id := s.ClientIdentity()
		p[0].Value.A = uint32(id.Login)
		p[1].Size = copy(p[1].Mem, id.UUID[:])
	case cmdFill:
		for i := range p[0].Mem {
			p[0].Mem[i]++
		}
	case cmdProperty:
		v, err := s.Properties(ta.PropsetCurrentTA).String(string(p[0].Mem))
		if err != nil {
			return err
		}
		if p[1].Size < len(v) {
			p[1].Size = len(v)
			return tee.ErrShortBuffer
		}
		p[1].Size = copy(p[1].Mem, v)
	default:
		return tee.ErrNotSupported
	}
	return nil
}

func start(t *testing.T) *client.Context {
	t.Helper()
	srv := tatest.Start(t,
		tatest.TA{UUID: testUUID, Name: "test", New: func() ta.TA { return &testTA{} }, Properties: map[string]string{"org.example.color": "blue"}},
		tatest.TA{UUID: singleUUID, Name: "single", New: func() ta.TA { return &testTA{} }, SingleInstance: true},
	)
	return srv.NewContext(t)
}

func ops(ps ...client.Param) *client.Operation {
	op := &client.Operation{}
	copy(op.Params[:], ps)
	return op
}

func TestValues(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	v := &client.Value{Type: tee.ValueInout, A: 21}
	s, err := c.OpenSession(ctx, testUUID, client.Public, ops(v))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v.A != 42 {
		t.Errorf("open session output: got %d, want 42", v.A)
	}
	if err := s.Invoke(ctx, cmdInc, ops(v)); err != nil {
		t.Fatal(err)
	}
	if v.A != 43 || v.B != 1 {
		t.Errorf("invoke output: got %d/%d, want 43/1", v.A, v.B)
	}
	err = s.Invoke(ctx, cmdInc, ops(&client.Value{Type: tee.ValueInput}))
	var te *tee.Error
	if !errors.Is(err, tee.ErrBadParameters) || !errors.As(err, &te) || te.Origin != tee.OriginTrustedApp {
		t.Errorf("wrong types: got %v, want BAD_PARAMETERS from the TA", err)
	}
}

func TestOpenErrors(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		uuid   tee.UUID
		login  client.Login
		op     *client.Operation
		code   tee.Result
		origin tee.Origin
	}{
		{"absent TA", tee.MustParseUUID("00000000-0000-0000-0000-000000000001"), client.Public, nil, tee.ErrItemNotFound, tee.OriginTEE},
		{"refused by TA", testUUID, client.Public, ops(&client.Value{Type: tee.ValueInput, A: 0xdead}), tee.ErrAccessDenied, tee.OriginTrustedApp},
		{"group not member", testUUID, client.Login{Method: tee.LoginGroup, Group: 0xfffffff0}, nil, tee.ErrAccessDenied, tee.OriginTEE},
		{"bad login", testUUID, client.Login{Method: 3}, nil, tee.ErrBadParameters, tee.OriginTEE},
		{"bad param type", testUUID, client.Public, ops(&client.Value{Type: tee.MemrefTempInput}), tee.ErrBadParameters, tee.OriginAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.OpenSession(ctx, tt.uuid, tt.login, tt.op)
			var te *tee.Error
			if !errors.As(err, &te) || te.Code != tt.code || te.Origin != tt.origin {
				t.Fatalf("got %v, want %v from %v", err, tt.code, tt.origin)
			}
		})
	}
}

func TestMemory(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	s, err := c.OpenSession(ctx, testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	in := bytes.Repeat([]byte("gotee"), 1000)
	t.Run("temp", func(t *testing.T) {
		out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 10)}
		err := s.Invoke(ctx, cmdCopy, ops(&client.TempMemory{Type: tee.MemrefTempInput, Buffer: in}, out))
		if !errors.Is(err, tee.ErrShortBuffer) || out.Size != len(in) {
			t.Fatalf("short buffer: got %v, size %d", err, out.Size)
		}
		out = &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, out.Size)}
		if err := s.Invoke(ctx, cmdCopy, ops(&client.TempMemory{Type: tee.MemrefTempInput, Buffer: in}, out)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Buffer[:out.Size], in) {
			t.Fatal("copy through temporary memory differs")
		}
	})
	t.Run("null tmpref asks size", func(t *testing.T) {
		out := &client.TempMemory{Type: tee.MemrefTempOutput}
		err := s.Invoke(ctx, cmdCopy, ops(&client.TempMemory{Type: tee.MemrefTempInput, Buffer: in}, out))
		if !errors.Is(err, tee.ErrShortBuffer) || out.Size != len(in) {
			t.Fatalf("got %v, size %d", err, out.Size)
		}
	})
	t.Run("allocated", func(t *testing.T) {
		m, err := c.AllocateSharedMemory(1<<20, tee.MemInput|tee.MemOutput)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release()
		for i := range m.Bytes() {
			m.Bytes()[i] = byte(i)
		}
		for range 2 { // the second call reuses the TA's mapping
			if err := s.Invoke(ctx, cmdFill, ops(&client.RegisteredMemory{Type: tee.MemrefPartialInout, Mem: m, Offset: 100, Size: 1000})); err != nil {
				t.Fatal(err)
			}
		}
		if m.Bytes()[99] != 99 || m.Bytes()[100] != 102 || m.Bytes()[1099] != byte(1099%256+2) || m.Bytes()[1100] != byte(1100%256) {
			t.Fatal("TA did not work on the shared pages in the window")
		}
	})
	t.Run("registered", func(t *testing.T) {
		buf := make([]byte, 4096)
		m, err := c.RegisterSharedMemory(buf, tee.MemInput|tee.MemOutput)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release()
		if err := s.Invoke(ctx, cmdFill, ops(&client.RegisteredMemory{Type: tee.MemrefWhole, Mem: m})); err != nil {
			t.Fatal(err)
		}
		if buf[0] != 1 || buf[4095] != 1 {
			t.Fatal("registered memory not written back")
		}
	})
	t.Run("refused before the TA", func(t *testing.T) {
		m, err := c.AllocateSharedMemory(100, tee.MemInput)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release()
		for _, p := range []*client.RegisteredMemory{
			{Type: tee.MemrefPartialInput, Mem: m, Offset: 50, Size: 51},
			{Type: tee.MemrefPartialInput, Mem: m, Offset: -1, Size: 1},
			{Type: tee.MemrefPartialOut, Mem: m, Offset: 0, Size: 10},
			{Type: tee.MemrefTempInput, Mem: m},
		} {
			err := s.Invoke(ctx, cmdFill, ops(p))
			var te *tee.Error
			if !errors.As(err, &te) || te.Code != tee.ErrBadParameters || te.Origin != tee.OriginAPI {
				t.Errorf("%+v: got %v, want BAD_PARAMETERS from the API", p, err)
			}
		}
	})
}

func TestPanicIsTargetDead(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	s, err := c.OpenSession(ctx, testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		err = s.Invoke(ctx, cmdPanic, nil)
		var te *tee.Error
		if !errors.As(err, &te) || te.Code != tee.ErrTargetDead || te.Origin != tee.OriginTEE {
			t.Fatalf("got %v, want TARGET_DEAD from TEE", err)
		}
	}
	s2, err := c.OpenSession(ctx, testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.Invoke(ctx, cmdInc, ops(&client.Value{Type: tee.ValueInout})); err != nil {
		t.Fatal(err)
	}
}

func TestCancel(t *testing.T) {
	c := start(t)
	s, err := c.OpenSession(context.Background(), testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err = s.Invoke(ctx, cmdWaitLong, nil)
	if !errors.Is(err, tee.ErrCancel) {
		t.Fatalf("got %v, want CANCEL", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
}

func TestSingleInstanceBusy(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	s, err := c.OpenSession(ctx, singleUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.OpenSession(ctx, singleUUID, client.Public, nil)
	if !errors.Is(err, tee.ErrBusy) {
		t.Fatalf("second open: got %v, want BUSY", err)
	}
	s.Close()
	s, err = c.OpenSession(ctx, singleUUID, client.Public, nil)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
}

func TestIdentity(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	for _, login := range []tee.LoginMethod{tee.LoginPublic, tee.LoginUser, tee.LoginApplication, tee.LoginUserApplication} {
		s, err := c.OpenSession(ctx, testUUID, client.Login{Method: login}, nil)
		if err != nil {
			t.Fatalf("%v: %v", login, err)
		}
		v := &client.Value{Type: tee.ValueOutput}
		u := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
		if err := s.Invoke(ctx, cmdIdentity, ops(v, u)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if tee.LoginMethod(v.A) != login {
			t.Errorf("login %v: TA saw %v", login, tee.LoginMethod(v.A))
		}
		if (login == tee.LoginPublic) != bytes.Equal(u.Buffer, make([]byte, 16)) {
			t.Errorf("login %v: identity %x", login, u.Buffer)
		}
	}
}

func TestConcurrentSessions(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	shared, err := c.OpenSession(ctx, testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := shared
			if i%2 == 0 {
				own, err := c.OpenSession(ctx, testUUID, client.Public, nil)
				if err != nil {
					errs <- err
					return
				}
				defer own.Close()
				s = own
			}
			for j := range 50 {
				v := &client.Value{Type: tee.ValueInout, A: uint32(j)}
				if err := s.Invoke(ctx, cmdInc, ops(v)); err != nil {
					errs <- err
					return
				}
				if v.A != uint32(j+1) {
					errs <- errors.New("wrong value")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestProperties(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	s, err := c.OpenSession(ctx, testUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, want := range map[string]string{"gpd.ta.appID": testUUID.String(), "org.example.color": "blue", "gpd.ta.singleInstance": "false"} {
		out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 64)}
		if err := s.Invoke(ctx, cmdProperty, ops(&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(name)}, out)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := string(out.Buffer[:out.Size]); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
