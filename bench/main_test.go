package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/teedtest"
	"github.com/gotee/gotee/tee"
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
var buildDir = teedtest.BuildDir

func TestMain(m *testing.M) {
	if mode := os.Getenv(peerEnv); mode != "" {
		os.Exit(peerMain(mode))
	}
	if err := teedtest.CheckBuild("ta/bench", "ta/hello_world", "ta-bin/hello_world", "ta/secapi"); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	code := m.Run()
	if cBench.dir != "" {
		os.RemoveAll(cBench.dir)
	}
	printSummary()
	os.Exit(code)
}

// startTeed starts build/bin/teed on build/ta for one benchmark. It logs at warn
// level only: a debug line per open would be part of what the session benchmarks
// measure.
func startTeed(tb testing.TB) *teedtest.Teed {
	tb.Helper()
	return teedtest.Start(tb, "--log-level", "warn")
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
	goalOf   string  // what goalNs is, printed with it ("open" if empty)
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
				what := c.goalOf
				if what == "" {
					what = "open"
				}
				goal += fmt.Sprintf(" (%s: %.0f)", what, v)
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
