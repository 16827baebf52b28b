package e2e

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

var probeUUID = tee.MustParseUUID("0dd5a5e0-5a5e-4b0b-8e2e-000000000001")

const (
	probeOpenFile = iota
	probeExec
	probeEnvFDs
	probePanic
	probeExit
	probeSleep
)

// startProbe builds and signs the probe TA and serves it beside build/ta.
func startProbe(t *testing.T) (*Teed, *client.Session) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "probe-bin")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/probe").CombinedOutput(); err != nil {
		t.Fatalf("build probe TA: %v\n%s", err, out)
	}
	tas := filepath.Join(dir, "tas")
	if out, err := exec.Command(Bin("teectl"), "pack", "-manifest", "testdata/probe/manifest.toml",
		"-binary", bin, "-out", filepath.Join(tas, "probe")).CombinedOutput(); err != nil {
		t.Fatalf("pack probe TA: %v\n%s", err, out)
	}
	td := StartTeed(t, "--ta-dir", tas)
	c := connect(t, td)
	s, err := c.OpenSession(context.Background(), probeUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return td, s
}

func probe(t *testing.T, s *client.Session, ctx context.Context, cmd uint32) (*client.Value, error) {
	t.Helper()
	v := &client.Value{Type: tee.ValueOutput}
	return v, s.Invoke(ctx, cmd, &client.Operation{Params: [4]client.Param{v}})
}

func TestSandbox(t *testing.T) {
	_, s := startProbe(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		cmd  uint32
	}{{"open a file", probeOpenFile}, {"run a program", probeExec}} {
		v, err := probe(t, s, ctx, tt.cmd)
		if err != nil {
			t.Fatal(err)
		}
		if v.A != uint32(unix.EPERM) {
			t.Errorf("%s: errno %d, want EPERM (%d)", tt.name, v.A, unix.EPERM)
		}
	}
	v, w := &client.Value{Type: tee.ValueOutput}, &client.Value{Type: tee.ValueOutput}
	if err := s.Invoke(ctx, probeEnvFDs, &client.Operation{Params: [4]client.Param{v, w}}); err != nil {
		t.Fatal(err)
	}
	if v.A != 1 {
		t.Errorf("TA environment has %d variables, want only GOTEE_TA", v.A)
	}
	// The instance channel (fd 3) and this session's channel, nothing else.
	if v.B != 2 || w.A != 0 {
		t.Errorf("TA holds %d sockets (want 2) and %d other descriptors (want 0)", v.B, w.A)
	}
}

func TestTAMisbehaviour(t *testing.T) {
	for _, tt := range []struct {
		name string
		cmd  uint32
	}{{"TEE_Panic", probePanic}, {"exit mid-invoke", probeExit}} {
		t.Run(tt.name, func(t *testing.T) {
			td, s := startProbe(t)
			_, err := probe(t, s, context.Background(), tt.cmd)
			var te *tee.Error
			if !errors.As(err, &te) || te.Code != tee.ErrTargetDead || te.Origin != tee.OriginTEE {
				t.Fatalf("got %v, want TARGET_DEAD from TEE", err)
			}
			if !td.Alive() {
				t.Fatal("teed died")
			}
			if tt.cmd == probePanic {
				waitFor(t, "the panic in teed's log", func() bool { return strings.Contains(td.Log(), "TEE_Panic(0x0000dead)") })
			}
		})
	}
}

func TestCancelInvokeInTAProcess(t *testing.T) {
	_, s := startProbe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := probe(t, s, ctx, probeSleep)
	if !errors.Is(err, tee.ErrCancel) {
		t.Fatalf("got %v, want CANCEL", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}
