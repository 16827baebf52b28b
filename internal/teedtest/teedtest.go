// Package teedtest starts the teed that `make build` left in build/ for the tests
// and benchmarks that need the real daemon, real TA processes and real sockets
// (e2e/ and bench/). It is test support, imported only by tests.
package teedtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
)

// BuildDir is where `make build` puts the binaries, libraries and signed TAs.
var BuildDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "build")
}()

// Bin is the path of a binary in build/bin.
func Bin(name string) string { return filepath.Join(BuildDir, "bin", name) }

// CheckBuild reports what `make build` has not built yet among the paths (relative
// to build/) a test package needs.
func CheckBuild(paths ...string) error {
	for _, p := range append([]string{"bin/teed", "ta"}, paths...) {
		if _, err := os.Stat(filepath.Join(BuildDir, p)); err != nil {
			return fmt.Errorf("build/%s is missing: run `make build` first (make test and make bench do)", p)
		}
	}
	return nil
}

// Teed is a teed process started for one test.
type Teed struct {
	Socket string // where it listens
	Dir    string // its private directory (socket, storage)
	cmd    *exec.Cmd
	log    *syncBuffer
	done   chan struct{}
}

// syncBuffer collects teed's log while tests read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start starts build/bin/teed serving build/ta (plus args, which may add flags) on a
// private socket and stops it when tb ends; its log is printed if tb failed. The
// socket appears only once teed listens, so Start returns when it can be used.
func Start(tb testing.TB, args ...string) *Teed {
	tb.Helper()
	td, err := Launch(tb, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return td
}

// Launch is Start for a test that expects teed may refuse to start: it returns
// teed's complaint (its log) as an error if teed exits before it listens.
func Launch(tb testing.TB, args ...string) (*Teed, error) {
	tb.Helper()
	dir := tb.TempDir()
	td := &Teed{Socket: filepath.Join(dir, "teed.sock"), Dir: dir, log: &syncBuffer{}, done: make(chan struct{})}
	all := append([]string{"--socket", td.Socket, "--ta-dir", filepath.Join(BuildDir, "ta"),
		"--storage", filepath.Join(dir, "storage")}, args...)
	td.cmd = exec.Command(Bin("teed"), all...)
	td.cmd.Stderr = td.log
	td.cmd.Stdout = td.log
	if err := td.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		td.cmd.Wait()
		close(td.done)
	}()
	tb.Cleanup(func() {
		td.Stop(tb)
		if tb.Failed() {
			tb.Logf("teed log:\n%s", td.log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(td.Socket); err == nil {
			return td, nil
		}
		select {
		case <-td.done:
			return nil, fmt.Errorf("teed exited at start:\n%s", td.log.String())
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("teed did not create its socket:\n%s", td.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop sends SIGTERM and waits for a clean exit, killing teed after 15s.
func (td *Teed) Stop(tb testing.TB) {
	tb.Helper()
	if !td.Alive() {
		return
	}
	td.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-td.done:
	case <-time.After(15 * time.Second):
		td.cmd.Process.Kill()
		<-td.done
		tb.Errorf("teed did not stop within 15s of SIGTERM")
	}
}

// ExitCode is teed's exit status once it has stopped.
func (td *Teed) ExitCode() int {
	<-td.done
	return td.cmd.ProcessState.ExitCode()
}

// Log is what teed has logged so far.
func (td *Teed) Log() string { return td.log.String() }

// Alive reports whether the teed process is still running.
func (td *Teed) Alive() bool {
	select {
	case <-td.done:
		return false
	default:
		return true
	}
}

// Pid is teed's process id.
func (td *Teed) Pid() int { return td.cmd.Process.Pid }

// Connect opens a client context on this teed, closed when tb ends.
func (td *Teed) Connect(tb testing.TB) *client.Context {
	tb.Helper()
	c, err := client.NewContext(context.Background(), td.Socket)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Run runs a program with TEE_SOCKET pointing at this teed and returns its output.
func (td *Teed) Run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TEE_SOCKET="+td.Socket)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
