package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/gotee/gotee/internal/teedtest"
)

// buildDir is where `make build` put the binaries, libraries and signed TAs.
var buildDir = teedtest.BuildDir

// Bin is the path of a binary in build/bin.
var Bin = teedtest.Bin

// Teed is a teed process started for one test.
type Teed = teedtest.Teed

func TestMain(m *testing.M) {
	if mode := os.Getenv("GOTEE_E2E_HELPER"); mode != "" {
		os.Exit(helperMain(mode))
	}
	if err := teedtest.CheckBuild(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	for _, dir := range []string{probeRoot, concRoot} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// StartTeed starts build/bin/teed on build/ta (plus extra flags), logging at debug
// level so the tests can read what happened.
func StartTeed(t testing.TB, extra ...string) *Teed {
	t.Helper()
	return teedtest.Start(t, append([]string{"--log-level", "debug"}, extra...)...)
}
