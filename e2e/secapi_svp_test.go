package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotee/gotee/internal/teedtest"
)

// TestSecAPISVPC runs e2e/c/sa_svp_test.c (SVP memory and buffers, cipher output into
// them, common encryption), built against build/include's headers and
// build/lib/libsaclient.so, against a real teed.
func TestSecAPISVPC(t *testing.T) {
	needSALib(t)
	lib := filepath.Join(buildDir, "lib")
	prog := filepath.Join(t.TempDir(), "sa_svp_test")
	runCC(t, prog, []string{"-Wall", "-Werror", "-I", filepath.Join(buildDir, "include"), "-o", prog,
		filepath.Join(repoDir, "e2e/c/sa_svp_test.c"), "-L", lib, "-lsaclient", "-Wl,-rpath," + lib})
	td := teedtest.Start(t, "--log-level", "warn", "--storage", t.TempDir())
	out, err := td.Run(prog)
	if err != nil || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("sa_svp_test: %v\n%s", err, out)
	}
	t.Logf("sa_svp_test: %s", lastLine(out))
}
