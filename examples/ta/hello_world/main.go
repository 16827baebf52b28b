// Command hello_world is the TA of OP-TEE's hello_world example
// (8aaaf200-2450-11e4-abe2-0002a5d5c51b): command 0 adds one to a VALUE_INOUT,
// command 1 subtracts one.
package main

import (
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Commands, as in the example's hello_world_ta.h.
const (
	cmdIncValue = 0
	cmdDecValue = 1
)

type helloWorld struct{ ta.Base }

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
