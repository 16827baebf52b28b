package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

var (
	benchUUID      = tee.MustParseUUID("c0ffee00-7e57-4b3e-9e11-000000000001") // single instance, multi session
	helloWorldUUID = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b") // multi instance
)

// Commands of the bench TA (examples/ta/bench).
const (
	cmdNull  = 0 // does nothing
	cmdTouch = 1 // reads every input memref byte, writes every output memref byte
)

// buildDir is where `make build` put the binaries, libraries and signed TAs.
var buildDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "build")
}()

func TestMain(m *testing.M) {
	if mode := os.Getenv(peerEnv); mode != "" {
		os.Exit(peerMain(mode))
	}
	for _, p := range []string{"bin/teed", "ta/bench", "ta/hello_world", "ta-bin/hello_world"} {
		if _, err := os.Stat(filepath.Join(buildDir, p)); err != nil {
			fmt.Fprintf(os.Stderr, "bench: build/%s is missing: run `make build` first (make bench does)\n", p)
			os.Exit(1)
		}
	}
	code := m.Run()
	if cBench.dir != "" {
		os.RemoveAll(cBench.dir)
	}
	printSummary()
	os.Exit(code)
}

// teed is a teed process started for one benchmark.
type teed struct {
	socket string
	cmd    *exec.Cmd
	log    *syncBuffer
	done   chan struct{}
}

// syncBuffer collects teed's log while it runs.
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

// startTeed starts build/bin/teed serving build/ta on a private socket and stops it
// when tb ends; its log is printed if tb failed. It logs at warn level only: a debug
// line per open would be part of what the session benchmarks measure.
func startTeed(tb testing.TB) *teed {
	tb.Helper()
	dir := tb.TempDir()
	td := &teed{socket: filepath.Join(dir, "teed.sock"), log: &syncBuffer{}, done: make(chan struct{})}
	td.cmd = exec.Command(filepath.Join(buildDir, "bin", "teed"), "--socket", td.socket,
		"--ta-dir", filepath.Join(buildDir, "ta"), "--storage", filepath.Join(dir, "storage"),
		"--log-level", "warn")
	td.cmd.Stderr = td.log
	td.cmd.Stdout = td.log
	if err := td.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		td.cmd.Wait()
		close(td.done)
	}()
	tb.Cleanup(func() {
		td.stop(tb)
		if tb.Failed() {
			tb.Logf("teed log:\n%s", td.log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if td.listening() {
			return td
		}
		select {
		case <-td.done:
			tb.Fatalf("teed exited at start:\n%s", td.log.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("teed did not create its socket:\n%s", td.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listening reports whether teed accepts connections yet: its socket file exists a
// moment before it listens on it.
func (td *teed) listening() bool {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return unix.Connect(fd, &unix.SockaddrUnix{Name: td.socket}) == nil
}

// stop sends SIGTERM and waits for teed to exit, killing it after 15s.
func (td *teed) stop(tb testing.TB) {
	tb.Helper()
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
		tb.Errorf("teed did not stop within 15s of SIGTERM")
	}
}

// connect opens a client context on td, closed when tb ends.
func (td *teed) connect(tb testing.TB) *client.Context {
	tb.Helper()
	c, err := client.NewContext(context.Background(), td.socket)
	if err != nil {
		tb.Fatalf("connect to teed: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// open opens a session, closed when tb ends.
func open(tb testing.TB, c *client.Context, ta tee.UUID) *client.Session {
	tb.Helper()
	s, err := c.OpenSession(context.Background(), ta, client.Public, nil)
	if err != nil {
		tb.Fatalf("open session %v: %v", ta, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// nsPerOp is what the testing package prints as ns/op for b, read after its loop.
func nsPerOp(b *testing.B) float64 {
	if b.N == 0 {
		return 0
	}
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

// comparison is one gotee figure beside its baseline, for the summary.
type comparison struct {
	name     string  // the gotee sub-benchmark
	ns       float64 // its ns/op
	baseline string  // what it is compared with
	baseNs   float64 // the baseline's ns/op, 0 if it did not run
	maxRatio float64 // goal on ns/baseNs, 0 if none
	maxNs    float64 // goal on goalNs (or ns if that is 0), 0 if none
	goalNs   float64 // the part of ns the absolute goal is about, 0 if all of it
}

var (
	summaryMu sync.Mutex
	summary   = map[string]comparison{} // by name; the last (largest b.N) run wins (guarded by summaryMu)
)

// compare reports ns/op of b against baseNs as the metric x-baseline (when the
// baseline ran) and keeps the pair for the summary.
func compare(b *testing.B, c comparison) {
	b.Helper()
	c.name = b.Name()
	c.ns = nsPerOp(b)
	if c.baseNs > 0 {
		b.ReportMetric(c.ns/c.baseNs, "x-baseline")
	}
	summaryMu.Lock()
	summary[c.name] = c
	summaryMu.Unlock()
}

// printSummary prints every comparison made in this run with its goal.
func printSummary() {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	if len(summary) == 0 {
		return
	}
	names := make([]string, 0, len(summary))
	for n := range summary {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("\ngotee beside its baselines (GOMAXPROCS=%d, %d CPUs):\n", runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Printf("%-44s %12s  %-28s %12s %8s  %-30s %s\n", "benchmark", "ns/op", "baseline", "ns/op", "ratio", "goal", "")
	for _, n := range names {
		c := summary[n]
		ratio, base := "-", "-"
		if c.baseNs > 0 {
			ratio = fmt.Sprintf("%.2fx", c.ns/c.baseNs)
			base = fmt.Sprintf("%.0f", c.baseNs)
		}
		goal, verdict := "-", ""
		switch {
		case c.maxRatio > 0:
			goal = fmt.Sprintf("<= %.2gx", c.maxRatio)
			if c.baseNs > 0 {
				verdict = pass(c.ns/c.baseNs <= c.maxRatio)
			}
		case c.maxNs > 0:
			goal = "<= " + time.Duration(c.maxNs).String()
			v := c.ns
			if c.goalNs > 0 {
				v = c.goalNs
				goal += fmt.Sprintf(" (open: %.0f)", v)
			}
			verdict = pass(v <= c.maxNs)
		}
		fmt.Printf("%-44s %12.0f  %-28s %12s %8s  %-30s %s\n", n, c.ns, c.baseline, base, ratio, goal, verdict)
	}
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
