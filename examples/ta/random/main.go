// Command random is the TA of OP-TEE's random example
// (b6c53aba-9669-4668-a7f2-205629d00f86): command 0 fills a MEMREF_OUTPUT with
// random bytes.
package main

import (
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const cmdGenerate = 0

type random struct{ ta.Base }

func (random) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if cmd != cmdGenerate {
		return tee.ErrBadParameters
	}
	if err := p.Expect(tee.MemrefOutput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	// Generate into the TA's own memory, then copy out: the client could watch the
	// shared buffer, but nothing here depends on reading it back.
	buf := make([]byte, len(p[0].Mem))
	ta.GenerateRandom(buf)
	copy(p[0].Mem, buf)
	return nil
}

func main() { ta.Main(random{}) }
