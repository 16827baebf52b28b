package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// teectl runs one command line in-process and returns its exit code and output.
func teectl(tb testing.TB, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(tb testing.TB, path, content string, mode os.FileMode) string {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

const srcManifest = `uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
name = "hello_world"
version = "1.0.0"
`

func TestPackVerify(t *testing.T) {
	tmp := t.TempDir()
	devKey := filepath.Join(tmp, "cfg", "dev.key")
	t.Setenv("GOTEE_DEV_KEY", devKey)
	src := writeFile(t, filepath.Join(tmp, "src.toml"), srcManifest, 0o644)
	bin := writeFile(t, filepath.Join(tmp, "hello_world"), "#!/bin/sh\n", 0o755)
	pkg := filepath.Join(tmp, "pkg")

	code, out, errOut := teectl(t, "dev-pubkey")
	if code != 0 || strings.TrimSpace(out) != devKey+".pub" {
		t.Fatalf("dev-pubkey: %d %q %q", code, out, errOut)
	}

	code, out, errOut = teectl(t, "pack", "-manifest", src, "-binary", bin, "-out", pkg)
	if code != 0 {
		t.Fatalf("pack: %d %q", code, errOut)
	}
	if !strings.Contains(out, "hello_world") {
		t.Errorf("pack printed %q", out)
	}
	if fi, err := os.Stat(filepath.Join(pkg, "hello_world")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("packed binary: %v %v", fi, err)
	}

	code, out, errOut = teectl(t, "verify", pkg)
	if code != 0 || out != "8aaaf200-2450-11e4-abe2-0002a5d5c51b hello_world\n" {
		t.Fatalf("verify: %d %q %q", code, out, errOut)
	}

	// A key of one's own, and -trust.
	own := filepath.Join(tmp, "keys", "own.key")
	code, out, errOut = teectl(t, "keygen", "-out", own)
	if code != 0 || strings.TrimSpace(out) != own+".pub" {
		t.Fatalf("keygen: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = teectl(t, "keygen", "-out", own); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("keygen over an existing key: %d %q", code, errOut)
	}
	if code, _, errOut = teectl(t, "verify", "-trust", own+".pub", pkg); code != 1 || !strings.Contains(errOut, "bad signature") {
		t.Errorf("verify with the wrong key: %d %q", code, errOut)
	}
	if code, _, errOut = teectl(t, "verify", "-trust", own+".pub", "-trust", devKey+".pub", pkg); code != 0 {
		t.Errorf("verify with two keys: %d %q", code, errOut)
	}
	pkg2 := filepath.Join(tmp, "pkg2")
	if code, _, errOut = teectl(t, "pack", "-manifest", src, "-binary", bin, "-out", pkg2, "-key", own); code != 0 {
		t.Fatalf("pack -key: %d %q", code, errOut)
	}
	if code, _, errOut = teectl(t, "verify", "-trust", own+".pub", pkg2); code != 0 {
		t.Errorf("verify own package: %d %q", code, errOut)
	}

	// Tampering is caught.
	writeFile(t, filepath.Join(pkg, "hello_world"), "#!/bin/sh\nrm -rf /\n", 0o755)
	if code, _, errOut = teectl(t, "verify", pkg); code != 1 || !strings.Contains(errOut, "binary does not match") {
		t.Errorf("verify tampered: %d %q", code, errOut)
	}
}

func TestErrors(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("GOTEE_DEV_KEY", filepath.Join(tmp, "dev.key"))
	bad := writeFile(t, filepath.Join(tmp, "bad.toml"), "name = \"x y\"\nuuid = \"8aaaf200-2450-11e4-abe2-0002a5d5c51b\"\n", 0o644)
	bin := writeFile(t, filepath.Join(tmp, "bin"), "x", 0o755)
	tests := []struct {
		name    string
		args    []string
		code    int
		errPart string
	}{
		{"no command", nil, 1, "usage: teectl"},
		{"unknown command", []string{"frob"}, 1, `unknown command "frob"`},
		{"help", []string{"pack", "-h"}, 0, "usage: teectl pack"},
		{"bad flag", []string{"pack", "-nope"}, 1, "not defined"},
		{"pack missing flags", []string{"pack", "-out", tmp}, 1, "-manifest, -binary and -out are required"},
		{"pack bad manifest", []string{"pack", "-manifest", bad, "-binary", bin, "-out", filepath.Join(tmp, "o")}, 1, "only letters"},
		{"pack missing binary", []string{"pack", "-manifest", bad, "-binary", filepath.Join(tmp, "none"), "-out", filepath.Join(tmp, "o")}, 1, "manifest"},
		{"verify no dir", []string{"verify"}, 1, "want one package directory"},
		{"verify missing package", []string{"verify", filepath.Join(tmp, "none")}, 1, "no such file"},
		{"verify missing trust", []string{"verify", "-trust", filepath.Join(tmp, "none.pub"), tmp}, 1, "trusted key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := teectl(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out+errOut, tt.errPart) {
				t.Errorf("output %q does not mention %q", out+errOut, tt.errPart)
			}
			// The error itself is the first line of stderr, whole.
			if code != 0 && strings.HasPrefix(errOut, "teectl ") {
				first, _, _ := strings.Cut(errOut, "\n")
				if !strings.Contains(first, tt.errPart) && !strings.Contains(errOut, "usage") {
					t.Errorf("error not on one line: %q", errOut)
				}
			}
		})
	}
}
