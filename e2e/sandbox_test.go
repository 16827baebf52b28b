package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	probeDeviceID
	probeTimeSet
	probeTimeGet
	probeCallTAs
)

// probeRoot holds the probe TA's build, once a test has asked for it.
var probeRoot string

// probeDir builds and signs the probe TA once per test binary.
var probeDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "probe")
	if err != nil {
		return "", err
	}
	probeRoot = dir
	bin := filepath.Join(dir, "probe-bin")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/probe").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build probe TA: %v\n%s", err, out)
	}
	tas := filepath.Join(dir, "tas")
	if out, err := exec.Command(Bin("teectl"), "pack", "-manifest", "testdata/probe/manifest.toml",
		"-binary", bin, "-out", filepath.Join(tas, "probe")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("pack probe TA: %v\n%s", err, out)
	}
	return tas, nil
})

// startProbe serves the probe TA beside build/ta (with extra teed flags) and opens
// a session on it.
func startProbe(t *testing.T, extra ...string) (*Teed, *client.Session) {
	t.Helper()
	tas, err := probeDir()
	if err != nil {
		t.Fatal(err)
	}
	td := StartTeed(t, append([]string{"--ta-dir", tas}, extra...)...)
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

func deviceID(t *testing.T, s *client.Session) string {
	t.Helper()
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
	if err := s.Invoke(context.Background(), probeDeviceID, &client.Operation{Params: [4]client.Param{nil, out}}); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", out.Buffer[:out.Size])
}

func TestPersistentTimeSurvivesRestart(t *testing.T) {
	storage := t.TempDir()
	td, s := startProbe(t, "--storage", storage)
	get := func(s *client.Session) (uint32, tee.Result) {
		t.Helper()
		v := &client.Value{Type: tee.ValueOutput}
		if err := s.Invoke(context.Background(), probeTimeGet, &client.Operation{Params: [4]client.Param{v}}); err != nil {
			t.Fatal(err)
		}
		return v.A, tee.Result(v.B)
	}
	if _, res := get(s); res != tee.ErrTimeNotSet {
		t.Fatalf("before set: %v", res)
	}
	set := &client.Value{Type: tee.ValueInput, A: 7_000_000}
	if err := s.Invoke(context.Background(), probeTimeSet, &client.Operation{Params: [4]client.Param{set}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	td.Stop(t)
	_, s = startProbe(t, "--storage", storage)
	if sec, res := get(s); res != tee.Success || sec < 7_000_000 || sec > 7_000_030 {
		t.Fatalf("after a restart: %d %v", sec, res)
	}
}

func TestDeviceIDStablePerInstallation(t *testing.T) {
	storage := t.TempDir()
	td, s := startProbe(t, "--storage", storage)
	first := deviceID(t, s)
	s.Close()
	td.Stop(t)
	_, s = startProbe(t, "--storage", storage)
	if again := deviceID(t, s); again != first {
		t.Errorf("device ID changed across a restart: %s, then %s", first, again)
	}
	_, other := startProbe(t)
	if id := deviceID(t, other); id == first {
		t.Errorf("two installations share the device ID %s", id)
	}
}

func TestTAToTAProcesses(t *testing.T) {
	_, s := startProbe(t)
	v := &client.Value{Type: tee.ValueInout, A: 99}
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 4096)}
	if err := s.Invoke(context.Background(), probeCallTAs, &client.Operation{Params: [4]client.Param{v, out}}); err != nil {
		t.Fatal(err)
	}
	if v.A != 100 {
		t.Errorf("hello_world through the probe: 99+1 = %d", v.A)
	}
	if out.Size != 4096 || bytes.Count(out.Buffer, []byte{0}) > 100 {
		t.Errorf("random through the probe: %d bytes, %d zeros", out.Size, bytes.Count(out.Buffer, []byte{0}))
	}
}
