package bench

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

// BenchmarkOpenSession opens and closes a session.
//
// warm: on the bench TA, single instance and multi session, while another session
// keeps its instance alive, so no process starts: the cost is the client→teed→TA
// open and the close. ns/op is the pair; open-ns/op and close-ns/op split it. Goal:
// the open ≤ 100 µs.
//
// cold: on hello_world, multi instance, so every open starts a TA process (verified
// binary, sandbox, runtime start, create entry point) and every close ends it.
// Beside it, the floor for starting that process: fork+exec of the very same TA
// binary without its channel on fd 3, which makes it exit at once, waited for.
// Goal: the open ≤ 30 ms.
func BenchmarkOpenSession(b *testing.B) {
	td := startTeed(b)
	c := td.Connect(b)
	b.Run("warm", func(b *testing.B) {
		open(b, c, benchUUID) // keeps the instance
		openNs := openClose(b, c, benchUUID)
		compare(b, comparison{baseline: "(absolute goal on the open)", maxNs: float64(100 * time.Microsecond), goalNs: openNs})
	})
	var base float64
	b.Run("cold/exec", func(b *testing.B) {
		bin := filepath.Join(buildDir, "ta-bin", "hello_world")
		for b.Loop() {
			err := exec.Command(bin).Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				b.Fatalf("%s without fd 3 should exit with an error at once, got %v", bin, err)
			}
		}
		base = nsPerOp(b)
	})
	b.Run("cold/gotee", func(b *testing.B) {
		openNs := openClose(b, c, helloWorldUUID)
		compare(b, comparison{baseline: "fork+exec+wait TA binary", baseNs: base, maxNs: float64(30 * time.Millisecond), goalNs: openNs})
	})
}

// openClose opens and closes sessions on ta for b, reports the mean open and close
// times as open-ns/op and close-ns/op, and returns the former.
func openClose(b *testing.B, c *client.Context, ta tee.UUID) float64 {
	ctx := context.Background()
	var opening, closing time.Duration
	for b.Loop() {
		t0 := time.Now()
		s, err := c.OpenSession(ctx, ta, client.Public, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		s.Close()
		closing += time.Since(t1)
		opening += t1.Sub(t0)
	}
	openNs := float64(opening.Nanoseconds()) / float64(b.N)
	b.ReportMetric(openNs, "open-ns/op")
	b.ReportMetric(float64(closing.Nanoseconds())/float64(b.N), "close-ns/op")
	return openNs
}
