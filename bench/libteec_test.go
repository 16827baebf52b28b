package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gotee/gotee/internal/teedtest"
)

// cBench is bench/c/invoke_bench.c compiled against build/lib/libteec.so.1 once
// per run (with an rpath, so it finds the library without LD_LIBRARY_PATH).
var cBench struct {
	once sync.Once
	dir  string
	path string
	err  error
	skip string
}

func cBenchProgram(tb testing.TB) string {
	tb.Helper()
	cBench.once.Do(func() {
		lib := filepath.Join(buildDir, "lib")
		if _, err := os.Stat(filepath.Join(lib, "libteec.so.1")); err != nil {
			cBench.skip = "build/lib/libteec.so.1 is missing: run `make build` once libteec builds"
			return
		}
		if _, err := os.Stat(filepath.Join(buildDir, "include", "tee_client_api.h")); err != nil {
			cBench.skip = "build/include/tee_client_api.h is missing: run `make build` once libteec builds"
			return
		}
		cc := os.Getenv("CC")
		if cc == "" {
			cc = "cc"
		}
		if _, err := exec.LookPath(cc); err != nil {
			cBench.skip = fmt.Sprintf("no C compiler (%s) in PATH", cc)
			return
		}
		if cBench.dir, cBench.err = os.MkdirTemp("", "gotee-bench-c"); cBench.err != nil {
			return
		}
		cBench.path = filepath.Join(cBench.dir, "invoke_bench")
		out, err := exec.Command(cc, "-O2", "-Wall", "-Werror", "-I", filepath.Join(buildDir, "include"),
			"-o", cBench.path, filepath.Join("c", "invoke_bench.c"),
			"-L", lib, "-lteec", "-Wl,-rpath,"+lib).CombinedOutput()
		if err != nil {
			cBench.err = fmt.Errorf("compile c/invoke_bench.c: %v\n%s", err, out)
		}
	})
	if cBench.skip != "" {
		tb.Skip(cBench.skip)
	}
	if cBench.err != nil {
		tb.Fatal(cBench.err)
	}
	return cBench.path
}

// cFigures are what one run of invoke_bench printed.
type cFigures struct{ invokeNs, pingPongNs, ratio float64 }

// runCBench runs invoke_bench for k invokes and k ping-pongs against td.
func runCBench(tb testing.TB, td *teedtest.Teed, k int) cFigures {
	tb.Helper()
	out, err := exec.Command(cBenchProgram(tb), strconv.Itoa(k), strconv.Itoa(invokeSize), td.Socket).CombinedOutput()
	if err != nil {
		tb.Fatalf("invoke_bench %d: %v\n%s", k, err, out)
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			got[f[0]] = v
		}
	}
	fig := cFigures{got["invoke_ns_per_op"], got["pingpong_ns_per_op"], got["ratio"]}
	if fig.invokeNs <= 0 || fig.pingPongNs <= 0 || fig.ratio <= 0 {
		tb.Fatalf("invoke_bench printed no sane figures:\n%s", out)
	}
	return fig
}

func TestCBenchProgram(t *testing.T) {
	fig := runCBench(t, startTeed(t), 200)
	if r := fig.invokeNs / fig.pingPongNs; r < fig.ratio*0.99 || r > fig.ratio*1.01 {
		t.Errorf("ratio %.3f does not match %.1f / %.1f", fig.ratio, fig.invokeNs, fig.pingPongNs)
	}
	t.Logf("200 invokes: %.0f ns/op; ping-pong %.0f ns/op; %.2fx", fig.invokeNs, fig.pingPongNs, fig.ratio)
}

// BenchmarkLibteecInvoke runs invoke_bench with K = b.N: b.N hello_world invokes
// (command 0, one VALUE_INOUT) through libteec.so.1, and b.N raw ping-pongs of an
// invoke-sized datagram between two C processes, the two loops alternating in ten
// chunks so that a change in the machine's load falls on both. ns/op is the
// program's own timing of the invokes (its start, the open and the fork are not in
// it), baseline-ns/op that of the ping-pongs. Goal: ≤ 1.5× the ping-pong.
func BenchmarkLibteecInvoke(b *testing.B) {
	cBenchProgram(b) // compile (or skip) outside the timing
	td := startTeed(b)
	fig := runCBench(b, td, b.N)
	b.ReportMetric(fig.invokeNs, "ns/op")
	b.ReportMetric(fig.pingPongNs, "baseline-ns/op")
	b.ReportMetric(fig.ratio, "x-baseline")
	summaryMu.Lock()
	summary[b.Name()] = comparison{name: b.Name(), ns: fig.invokeNs, baseline: "C pingpong (same program)",
		baseNs: fig.pingPongNs, maxRatio: 1.5}
	summaryMu.Unlock()
}
