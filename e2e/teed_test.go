package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildDir is where `make build` put the binaries, libraries and signed TAs.
var buildDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "build")
}()

func TestMain(m *testing.M) {
	if mode := os.Getenv("GOTEE_E2E_HELPER"); mode != "" {
		os.Exit(helperMain(mode))
	}
	if _, err := os.Stat(filepath.Join(buildDir, "bin", "teed")); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build/bin/teed is missing: run `make build` first (make test does)")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// Teed is a teed process started for one test.
type Teed struct {
	Socket string
	Dir    string
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

// StartTeed starts build/bin/teed serving build/ta (plus extra flags) on a private
// socket, and stops it when the test ends; its log is printed if the test failed.
func StartTeed(t testing.TB, extra ...string) *Teed {
	t.Helper()
	dir := t.TempDir()
	td := &Teed{Socket: filepath.Join(dir, "teed.sock"), Dir: dir, log: &syncBuffer{}, done: make(chan struct{})}
	args := append([]string{"--socket", td.Socket, "--ta-dir", filepath.Join(buildDir, "ta"),
		"--storage", filepath.Join(dir, "storage"), "--log-level", "debug"}, extra...)
	td.cmd = exec.Command(filepath.Join(buildDir, "bin", "teed"), args...)
	td.cmd.Stderr = td.log
	td.cmd.Stdout = td.log
	if err := td.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		td.cmd.Wait()
		close(td.done)
	}()
	t.Cleanup(func() {
		td.Stop(t)
		if t.Failed() {
			t.Logf("teed log:\n%s", td.log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(td.Socket); err == nil {
			return td
		}
		select {
		case <-td.done:
			t.Fatalf("teed exited at start:\n%s", td.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("teed did not create its socket:\n%s", td.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop sends SIGTERM and waits for a clean exit.
func (td *Teed) Stop(t testing.TB) {
	t.Helper()
	select {
	case <-td.done:
		return
	default:
	}
	td.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-td.done:
	case <-time.After(15 * time.Second):
		td.cmd.Process.Kill()
		<-td.done
		t.Errorf("teed did not stop within 15s of SIGTERM")
	}
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

// Run runs a program with TEE_SOCKET pointing at this teed and returns its output.
func (td *Teed) Run(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TEE_SOCKET="+td.Socket)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Bin is the path of a binary in build/bin.
func Bin(name string) string { return filepath.Join(buildDir, "bin", name) }
