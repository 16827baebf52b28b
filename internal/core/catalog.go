package core

import (
	"io"
	"os"
	"os/exec"

	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/tee"
)

// TA is an installed Trusted Application as the dispatcher needs it.
type TA interface {
	Manifest() *store.Manifest
	// Start starts a new instance whose end of the instance channel is channel and
	// whose diagnostics go to stderr.
	Start(channel *os.File, stderr io.Writer) (Process, error)
}

// Process is a running TA instance.
type Process interface {
	Pid() int
	Kill() error
	// Wait waits for the instance to end; it is called exactly once.
	Wait() error
}

// Catalog finds installed TAs.
type Catalog interface {
	Lookup(tee.UUID) (TA, bool)
}

// StoreCatalog serves TAs from teed's TA store, each instance a sandboxed process.
func StoreCatalog(c *store.Catalog) Catalog { return storeCatalog{c} }

type storeCatalog struct{ c *store.Catalog }

func (s storeCatalog) Lookup(u tee.UUID) (TA, bool) {
	p, ok := s.c.Lookup(u)
	if !ok {
		return nil, false
	}
	return storeTA{p}, true
}

type storeTA struct{ p *store.Package }

func (t storeTA) Manifest() *store.Manifest { return t.p.Manifest }

func (t storeTA) Start(channel *os.File, stderr io.Writer) (Process, error) {
	cmd, err := t.p.Start(channel, stderr)
	if err != nil {
		return nil, err
	}
	return cmdProcess{cmd}, nil
}

type cmdProcess struct{ cmd *exec.Cmd }

func (p cmdProcess) Pid() int    { return p.cmd.Process.Pid }
func (p cmdProcess) Kill() error { return p.cmd.Process.Kill() }
func (p cmdProcess) Wait() error { return p.cmd.Wait() }
