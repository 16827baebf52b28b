package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

var (
	helloWorldUUID = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")
	randomUUID     = tee.MustParseUUID("b6c53aba-9669-4668-a7f2-205629d00f86")
)

// helperMain is the test binary re-run as a client that the tests can kill.
func helperMain(mode string) int {
	ctx := context.Background()
	c, err := client.NewContext(ctx, "")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	n, _ := strconv.Atoi(mode)
	for range n {
		if _, err := c.OpenSession(ctx, helloWorldUUID, client.Public, nil); err != nil {
			fmt.Println("error:", err)
			return 1
		}
	}
	fmt.Println("ready")
	select {}
}

// holder starts a client process holding n sessions on hello_world.
func holder(t *testing.T, td *Teed, n int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GOTEE_E2E_HELPER="+strconv.Itoa(n), "TEE_SOCKET="+td.Socket)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("holder: %q", line)
	}
	return cmd
}

// children lists the pids of teed's child processes: its TA instances.
func children(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command name: state, ppid, ...
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		f := strings.Fields(rest)
		if len(f) > 1 && f[0] != "Z" && f[1] == strconv.Itoa(pid) {
			kids = append(kids, p)
		}
	}
	return kids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func connect(t *testing.T, td *Teed) *client.Context {
	t.Helper()
	return td.Connect(t)
}

func inc(t *testing.T, s *client.Session, a uint32) error {
	t.Helper()
	v := &client.Value{Type: tee.ValueInout, A: a}
	err := s.Invoke(context.Background(), 0, &client.Operation{Params: [4]client.Param{v}})
	if err == nil && v.A != a+1 {
		t.Fatalf("hello_world: %d+1 = %d", a, v.A)
	}
	return err
}

func TestExampleClients(t *testing.T) {
	td := StartTeed(t)
	out, err := td.Run(Bin("hello_world"))
	if err != nil || !strings.Contains(out, "TA incremented value to 43") {
		t.Errorf("hello_world: %v\n%s", err, out)
	}
	out, err = td.Run(Bin("random"))
	if err != nil || !strings.Contains(out, "TA generated UUID value = 0x") {
		t.Errorf("random: %v\n%s", err, out)
	}
	waitFor(t, "close entry point in the log", func() bool { return strings.Contains(td.Log(), "hello_world: Goodbye!") })
}

func TestTAKilledIsTargetDead(t *testing.T) {
	td := StartTeed(t)
	c := connect(t, td)
	ctx := context.Background()
	s, err := c.OpenSession(ctx, helloWorldUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := inc(t, s, 1); err != nil {
		t.Fatal(err)
	}
	kids := children(t, td.Pid())
	if len(kids) != 1 {
		t.Fatalf("want 1 TA process, have %v", kids)
	}
	syscall.Kill(kids[0], syscall.SIGKILL)
	for range 2 {
		err = inc(t, s, 1)
		var te *tee.Error
		if !errors.As(err, &te) || te.Code != tee.ErrTargetDead || te.Origin != tee.OriginTEE {
			t.Fatalf("invoke after kill: got %v, want TARGET_DEAD from TEE", err)
		}
	}
	if !td.Alive() {
		t.Fatal("teed died with its TA")
	}
	s2, err := c.OpenSession(ctx, helloWorldUUID, client.Public, nil)
	if err != nil {
		t.Fatalf("new session after the kill: %v", err)
	}
	defer s2.Close()
	if err := inc(t, s2, 7); err != nil {
		t.Fatal(err)
	}
}

func TestClientKilledReleasesInstances(t *testing.T) {
	td := StartTeed(t)
	h := holder(t, td, 5)
	waitFor(t, "5 TA instances", func() bool { return len(children(t, td.Pid())) == 5 })
	h.Process.Kill()
	h.Wait()
	waitFor(t, "the instances to exit", func() bool { return len(children(t, td.Pid())) == 0 })
	waitFor(t, "5 close entry points in the log", func() bool { return strings.Count(td.Log(), "hello_world: Goodbye!") == 5 })
}

func TestGarbageOnSocket(t *testing.T) {
	td := StartTeed(t)
	payloads := [][]byte{
		{0},
		[]byte("garbage that is not a message at all"),
		{1, 0, 0, 0, 1, 0, 0, 0}, // a Hello with no body
		make([]byte, 70000),      // larger than any message
		{1, 0, 0, 0, 1, 0, 0, 0, 0x47, 0x54, 0x45, 0x45, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0xff}, // Hello, then a truncated Open
	}
	for i, p := range payloads {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Connect(fd, &unix.SockaddrUnix{Name: td.Socket}); err != nil {
			t.Fatal(err)
		}
		if i == len(payloads)-1 {
			unix.Write(fd, p[:20])
			p = p[20:]
		}
		unix.Write(fd, p)
		unix.Close(fd)
	}
	if !td.Alive() {
		t.Fatal("teed died")
	}
	c := connect(t, td)
	s, err := c.OpenSession(context.Background(), helloWorldUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := inc(t, s, 41); err != nil {
		t.Fatal(err)
	}
}

func TestSecondTeedRefused(t *testing.T) {
	td := StartTeed(t)
	out, err := exec.Command(Bin("teed"), "--socket", td.Socket, "--ta-dir", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another teed is already serving") {
		t.Fatalf("second teed: %v\n%s", err, out)
	}
	c := connect(t, td)
	if _, err := c.OpenSession(context.Background(), randomUUID, client.Public, nil); err != nil {
		t.Fatalf("first teed no longer serves: %v", err)
	}
}

func TestSIGTERMClosesEverything(t *testing.T) {
	td := StartTeed(t)
	holder(t, td, 3)
	waitFor(t, "3 instances", func() bool { return len(children(t, td.Pid())) == 3 })
	td.Stop(t)
	if code := td.ExitCode(); code != 0 {
		t.Errorf("teed exit code %d", code)
	}
	if _, err := os.Stat(td.Socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left behind: %v", err)
	}
	log := td.Log()
	if n := strings.Count(log, "hello_world: Goodbye!"); n != 3 {
		t.Errorf("close entry point ran %d times, want 3", n)
	}
	if n := strings.Count(log, "hello_world: instance destroyed"); n != 3 {
		t.Errorf("destroy entry point ran %d times, want 3", n)
	}
}

// copyPackage copies the built TA package name to dst.
func copyPackage(t *testing.T, name, dst string) string {
	t.Helper()
	src := filepath.Join(buildDir, "ta", name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestPackagesHotReloadAndRefusal(t *testing.T) {
	extra := t.TempDir()
	// A tampered package: its manifest no longer matches the signature.
	bad := copyPackage(t, "random", filepath.Join(extra, "bad"))
	m, _ := os.ReadFile(filepath.Join(bad, "manifest.toml"))
	os.WriteFile(filepath.Join(bad, "manifest.toml"), append(m, []byte("\n# edited\n")...), 0o644)
	// A well-signed duplicate of a TA that build/ta already has.
	copyPackage(t, "hello_world", filepath.Join(extra, "dup"))

	td := StartTeed(t, "--ta-dir", extra)
	c := connect(t, td)
	ctx := context.Background()
	// The duplicate of random from build/ta and the bad package are refused, the rest serve.
	s, err := c.OpenSession(ctx, helloWorldUUID, client.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// teed logs the refusals before it listens, but the log comes through a pipe
	// that may not have been read yet: wait for each line, then count them.
	refused := func(dir string) string { return `msg="ta package refused" dir=` + filepath.Join(extra, dir) + " " }
	for _, dir := range []string{"bad", "dup"} {
		waitFor(t, "the refusal of "+dir+" in the log", func() bool { return strings.Contains(td.Log(), refused(dir)) })
	}
	log := td.Log()
	for _, dir := range []string{"bad", "dup"} {
		if n := strings.Count(log, refused(dir)); n != 1 {
			t.Errorf("package %s refused %d times in the log, want once", dir, n)
		}
	}

	// A package dropped in while teed runs is picked up without a restart.
	newDir := t.TempDir()
	staged := copyPackage(t, "hello_world", filepath.Join(newDir, "hello_world"))
	// Give it a new identity so that it is not a duplicate: repack with another UUID.
	man, _ := os.ReadFile(filepath.Join(staged, "manifest.toml"))
	src := strings.Replace(string(man), helloWorldUUID.String(), "8aaaf200-2450-11e4-abe2-0002a5d5c5ff", 1)
	srcPath := filepath.Join(newDir, "src.toml")
	os.WriteFile(srcPath, []byte(src), 0o644)
	out, err := exec.Command(Bin("teectl"), "pack", "-manifest", srcPath,
		"-binary", filepath.Join(staged, "hello_world"), "-out", filepath.Join(extra, "late")).CombinedOutput()
	if err != nil {
		t.Fatalf("teectl pack: %v\n%s", err, out)
	}
	late := tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c5ff")
	waitFor(t, "the new package to load", func() bool {
		s, err := c.OpenSession(ctx, late, client.Public, nil)
		if err == nil {
			s.Close()
		}
		return err == nil
	})
}

func TestAccessPolicy(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "teed.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[[access]]
uuid = %q
uids = [%d]

[[access]]
uuid = %q
executables = [%q]
`, helloWorldUUID, os.Getuid()+4242, randomUUID, self)), 0o644)
	td := StartTeed(t, "--config", cfg)
	c := connect(t, td)
	ctx := context.Background()
	_, err = c.OpenSession(ctx, helloWorldUUID, client.Public, nil)
	var te *tee.Error
	if !errors.As(err, &te) || te.Code != tee.ErrAccessDenied || te.Origin != tee.OriginTEE {
		t.Fatalf("policy for another uid: got %v, want ACCESS_DENIED from TEE", err)
	}
	s, err := c.OpenSession(ctx, randomUUID, client.Public, nil)
	if err != nil {
		t.Fatalf("policy naming this executable: %v", err)
	}
	s.Close()
	// The same policy refuses any other program: the example client is not this one.
	out, err := td.Run(Bin("random"))
	if err == nil || !strings.Contains(out, "ACCESS_DENIED") {
		t.Fatalf("other executable: %v\n%s", err, out)
	}
}

func TestTAsDieWithTeed(t *testing.T) {
	td := StartTeed(t)
	holder(t, td, 3)
	var kids []int
	waitFor(t, "3 instances", func() bool { kids = children(t, td.Pid()); return len(kids) == 3 })
	syscall.Kill(td.Pid(), syscall.SIGKILL)
	waitFor(t, "the TA processes to die with teed", func() bool {
		for _, pid := range kids {
			if syscall.Kill(pid, 0) == nil {
				if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(stat), ") Z ") {
					return false
				}
			}
		}
		return true
	})
}
