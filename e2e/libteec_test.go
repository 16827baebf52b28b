package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoDir is the repository's root, where the C sources live.
var repoDir = filepath.Join(buildDir, "..")

// optHeaderEnv names a directory holding OP-TEE's own tee_client_api.h (from
// optee_client's libteec/include). When it is set, TestLibteecOPTEEHeader builds
// the C clients against that header instead of ours, which shows that programs
// built for OP-TEE run against libteec.so.1 unchanged.
const optHeaderEnv = "GOTEE_OPTEE_CLIENT_INCLUDE"

// needLib skips when no C compiler is installed and fails when `make build` has
// not produced the library.
func needLib(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc) installed")
	}
	if _, err := os.Stat(filepath.Join(buildDir, "lib", "libteec.so.1")); err != nil {
		t.Fatalf("build/lib/libteec.so.1 is missing: run `make build` first: %v", err)
	}
}

// compileC compiles C sources (relative to the repository) into a program in a
// temporary directory, against the header in include and build/lib/libteec.so.
func compileC(t *testing.T, include, name string, srcs ...string) string {
	t.Helper()
	lib := filepath.Join(buildDir, "lib")
	out := filepath.Join(t.TempDir(), name)
	args := []string{"-Wall", "-Werror", "-I", include, "-o", out}
	for _, s := range srcs {
		args = append(args, filepath.Join(repoDir, s))
	}
	args = append(args, "-L", lib, "-lteec", "-lpthread", "-Wl,-rpath,"+lib)
	return runCC(t, out, args)
}

func runCC(t *testing.T, out string, args []string) string {
	t.Helper()
	cmd := exec.Command("cc", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out
}

// runTeecTest runs the C conformance test and checks its verdict.
func runTeecTest(t *testing.T, td *Teed, prog string) {
	t.Helper()
	out, err := td.Run(prog)
	if err != nil || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("teec_test: %v\n%s", err, out)
	}
	t.Logf("teec_test: %s", lastLine(out))
}

// runHello runs a build of the C hello_world client and checks what it prints.
func runHello(t *testing.T, td *Teed, prog string) {
	t.Helper()
	out, err := td.Run(prog)
	if err != nil || !strings.Contains(out, "TA incremented value to 43") {
		t.Fatalf("hello_world: %v\n%s", err, out)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// TestLibteecC runs the C clients, built against build/include and
// build/lib/libteec.so, against a real teed.
func TestLibteecC(t *testing.T) {
	needLib(t)
	include := filepath.Join(buildDir, "include")
	teecTest := compileC(t, include, "teec_test", "e2e/c/teec_test.c")
	hello := compileC(t, include, "hello_world", "examples/c/hello_world/main.c")
	td := StartTeed(t)
	t.Run("teec_test", func(t *testing.T) { runTeecTest(t, td, teecTest) })
	t.Run("hello_world", func(t *testing.T) { runHello(t, td, hello) })
	t.Run("no_teed", func(t *testing.T) {
		cmd := exec.Command(hello)
		cmd.Env = append(os.Environ(), "TEE_SOCKET="+filepath.Join(t.TempDir(), "none.sock"))
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "0xffff0008") {
			t.Fatalf("hello_world without teed: want ITEM_NOT_FOUND and a failure, got %v\n%s", err, out)
		}
	})
}

// TestLibteecPkgConfig builds the C hello_world with the flags teec.pc gives.
func TestLibteecPkgConfig(t *testing.T) {
	needLib(t)
	if _, err := exec.LookPath("pkg-config"); err != nil {
		t.Skip("pkg-config is not installed")
	}
	cmd := exec.Command("pkg-config", "--cflags", "--libs", "teec")
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+filepath.Join(buildDir, "lib", "pkgconfig"))
	flags, err := cmd.Output()
	if err != nil {
		t.Fatalf("pkg-config --cflags --libs teec: %v", err)
	}
	f := strings.Fields(string(flags))
	if !strings.Contains(string(flags), "-lteec") {
		t.Fatalf("pkg-config flags %q lack -lteec", flags)
	}
	out := filepath.Join(t.TempDir(), "hello_world")
	args := append([]string{"-Wall", "-Werror", "-o", out, filepath.Join(repoDir, "examples/c/hello_world/main.c")}, f...)
	args = append(args, "-Wl,-rpath,"+filepath.Join(buildDir, "lib"))
	prog := runCC(t, out, args)
	runHello(t, StartTeed(t), prog)
}

// TestLibteecELF checks the library's SONAME and that it exports the nine
// functions of the Client API.
func TestLibteecELF(t *testing.T) {
	needLib(t)
	if _, err := exec.LookPath("readelf"); err != nil {
		t.Skip("readelf is not installed")
	}
	lib := filepath.Join(buildDir, "lib", "libteec.so.1")
	dyn, err := exec.Command("readelf", "-d", lib).Output()
	if err != nil {
		t.Fatalf("readelf -d: %v", err)
	}
	if !strings.Contains(string(dyn), "Library soname: [libteec.so.1]") {
		t.Errorf("SONAME is not libteec.so.1:\n%s", dyn)
	}
	syms, err := exec.Command("readelf", "--dyn-syms", "-W", lib).Output()
	if err != nil {
		t.Fatalf("readelf --dyn-syms: %v", err)
	}
	defined := map[string]bool{}
	for _, line := range strings.Split(string(syms), "\n") {
		f := strings.Fields(line)
		if len(f) >= 8 && f[3] == "FUNC" && f[4] == "GLOBAL" && f[6] != "UND" {
			defined[f[7]] = true
		}
	}
	for _, name := range []string{"TEEC_InitializeContext", "TEEC_FinalizeContext",
		"TEEC_RegisterSharedMemory", "TEEC_AllocateSharedMemory", "TEEC_ReleaseSharedMemory",
		"TEEC_OpenSession", "TEEC_CloseSession", "TEEC_InvokeCommand", "TEEC_RequestCancellation"} {
		if !defined[name] {
			t.Errorf("libteec.so.1 does not export %s", name)
		}
	}
}

// TestLibteecOPTEEHeader builds the C clients against OP-TEE's own header (see
// optHeaderEnv) and runs them against our library. A header of optee_client 4.x
// (libteec.so.2, whose TEEC_SharedMemory differs) only builds hello_world.
func TestLibteecOPTEEHeader(t *testing.T) {
	dir := os.Getenv(optHeaderEnv)
	if dir == "" {
		t.Skipf("set %s to a directory holding OP-TEE's tee_client_api.h", optHeaderEnv)
	}
	needLib(t)
	h, err := os.ReadFile(filepath.Join(dir, "tee_client_api.h"))
	if err != nil {
		t.Fatal(err)
	}
	hello := compileC(t, dir, "hello_world", "examples/c/hello_world/main.c")
	td := StartTeed(t)
	t.Run("hello_world", func(t *testing.T) { runHello(t, td, hello) })
	t.Run("teec_test", func(t *testing.T) {
		if strings.Contains(string(h), "} imp;") {
			t.Skip("the header is optee_client 4.x (libteec.so.2 ABI); libteec.so.1 is the 3.x ABI")
		}
		runTeecTest(t, td, compileC(t, dir, "teec_test", "e2e/c/teec_test.c"))
	})
}
