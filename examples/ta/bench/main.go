// Command bench is the TA that gotee's benchmarks drive
// (c0ffee00-7e57-4b3e-9e11-000000000001). It accepts any parameter types:
// command 0 does nothing, command 1 reads every byte of every input memref and
// writes every byte of every output memref, command 2 adds one to every
// VALUE_INOUT.
package main

import (
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdNull   = 0
	cmdTouch  = 1
	cmdValues = 2
)

type bench struct {
	ta.Base
	sink byte
}

func (b *bench) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdNull:
	case cmdTouch:
		for i := range p {
			switch p[i].Type {
			case tee.MemrefInput:
				var x byte
				for _, c := range p[i].Mem {
					x ^= c
				}
				b.sink ^= x
			case tee.MemrefOutput, tee.MemrefInout:
				m := p[i].Mem
				for j := range m {
					m[j] = byte(j)
				}
			}
		}
	case cmdValues:
		for i := range p {
			if p[i].Type == tee.ValueInout {
				p[i].Value.A++
			}
		}
	default:
		return tee.ErrBadParameters
	}
	return nil
}

func main() { ta.Main(&bench{}) }
