package client_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

// incrementer is a TA with one command: add one to a VALUE_INOUT.
type incrementer struct{ ta.Base }

func (incrementer) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if err := p.Expect(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	p[0].Value.A++
	return nil
}

var incrementerUUID = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")

// Example opens a session on a TA and invokes a command with a value parameter.
// Here the TA runs in-process (tatest); against teed, pass "" to NewContext.
func Example() {
	srv, err := tatest.NewServer(tatest.TA{UUID: incrementerUUID, New: func() ta.TA { return incrementer{} }})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c, err := client.NewContext(ctx, srv.Socket())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, incrementerUUID, client.Public, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	v := &client.Value{Type: tee.ValueInout, A: 42}
	if err := s.Invoke(ctx, 0, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		panic(err)
	}
	fmt.Println(v.A)
	// Output: 43
}

// exampleSession serves t in-process and opens a session on it, as Example does
// step by step; stop releases everything.
func exampleSession(t ta.TA) (c *client.Context, s *client.Session, stop func()) {
	srv, err := tatest.NewServer(tatest.TA{UUID: incrementerUUID, New: func() ta.TA { return t }})
	if err != nil {
		panic(err)
	}
	c, err = client.NewContext(context.Background(), srv.Socket())
	if err != nil {
		panic(err)
	}
	s, err = c.OpenSession(context.Background(), incrementerUUID, client.Public, nil)
	if err != nil {
		panic(err)
	}
	return c, s, func() { s.Close(); c.Close(); srv.Close() }
}

// ExampleSession_Invoke_error shows how results and origins come back as errors.
func ExampleSession_Invoke_error() {
	_, s, stop := exampleSession(incrementer{})
	defer stop()
	ctx := context.Background()

	err := s.Invoke(ctx, 0, nil) // no parameters: the TA wants a VALUE_INOUT
	fmt.Println(errors.Is(err, tee.ErrBadParameters))
	var te *tee.Error
	if errors.As(err, &te) {
		fmt.Println(te.Origin)
	}
	// Output:
	// true
	// TRUSTED_APP
}

// ExampleContext_AllocateSharedMemory passes a large buffer without copying it.
func ExampleContext_AllocateSharedMemory() {
	c, s, stop := exampleSession(filler{})
	defer stop()
	ctx := context.Background()

	m, err := c.AllocateSharedMemory(1<<20, tee.MemOutput)
	if err != nil {
		panic(err)
	}
	defer m.Release()
	op := &client.Operation{Params: [4]client.Param{&client.RegisteredMemory{Type: tee.MemrefPartialOut, Mem: m, Offset: 4096, Size: 16}}}
	if err := s.Invoke(ctx, 0, op); err != nil {
		panic(err)
	}
	fmt.Println(m.Bytes()[4095], m.Bytes()[4096], m.Bytes()[4111], m.Bytes()[4112])
	// Output: 0 7 7 0
}

// filler writes 7 into every byte of its MEMREF_OUTPUT.
type filler struct{ ta.Base }

func (filler) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	for i := range p[0].Mem {
		p[0].Mem[i] = 7
	}
	return nil
}
