// Command hello_world is the TA of OP-TEE's hello_world example
// (8aaaf200-2450-11e4-abe2-0002a5d5c51b): command 0 adds one to a VALUE_INOUT,
// command 1 subtracts one.
package main

import (
	"fmt"
	"os"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Commands, as in the example's hello_world_ta.h.
const (
	cmdIncValue = 0
	cmdDecValue = 1
)

type helloWorld struct{ ta.Base }

// The entry points log to stderr, as the OP-TEE example does with IMSG; teed puts
// a TA's stderr into its own log.

func (helloWorld) Create() error {
	fmt.Fprintln(os.Stderr, "hello_world: instance created")
	return nil
}

func (helloWorld) OpenSession(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.ParamNone, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "hello_world: Hello World!")
	return nil
}

func (helloWorld) CloseSession(s *ta.Session) {
	fmt.Fprintln(os.Stderr, "hello_world: Goodbye!")
}

func (helloWorld) Destroy() {
	fmt.Fprintln(os.Stderr, "hello_world: instance destroyed")
}

func (helloWorld) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if err := p.Expect(tee.ValueInout, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	switch cmd {
	case cmdIncValue:
		p[0].Value.A++
	case cmdDecValue:
		p[0].Value.A--
	default:
		return tee.ErrBadParameters
	}
	return nil
}

func main() { ta.Main(helloWorld{}) }
