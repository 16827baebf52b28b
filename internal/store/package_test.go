package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// helperName is the manifest name of the package built from the test binary;
// Start makes it the TA's Args[0], which is how TestMain knows to act as a TA.
// The environment cannot say so: Start scrubs it.
const helperName = "store-helper"

func TestMain(m *testing.M) {
	if os.Args[0] == helperName {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain is the TA side of TestStart. It checks what it inherited before
// the Go runtime does anything more, then reports over the channel (fd 3).
func helperMain() int {
	var problems []string
	if env := os.Environ(); !slices.Equal(env, []string{"GOTEE_TA=1"}) {
		problems = append(problems, fmt.Sprintf("environment %q", env))
	}
	for fd := 4; fd < 64; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
			if strings.HasPrefix(target, "/sys/fs/cgroup/") {
				continue // the Go runtime's own, for GOMAXPROCS
			}
			problems = append(problems, fmt.Sprintf("fd %d open (%s)", fd, target))
		}
	}
	if pgid, _ := unix.Getpgid(0); pgid != os.Getpid() {
		problems = append(problems, fmt.Sprintf("process group %d, not its own", pgid))
	}
	fmt.Fprintln(os.Stderr, "helper on stderr")
	// Wait for the parent to say it has applied the limits.
	var buf [1]byte
	if _, err := unix.Read(3, buf[:]); err != nil {
		problems = append(problems, fmt.Sprintf("read fd 3: %v", err))
	}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_CORE, &rl) == nil && rl.Max != 0 {
		problems = append(problems, fmt.Sprintf("RLIMIT_CORE %d", rl.Max))
	}
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Max != maxOpenFiles {
		problems = append(problems, fmt.Sprintf("RLIMIT_NOFILE %d", rl.Max))
	}
	if unix.Getrlimit(unix.RLIMIT_DATA, &rl) == nil && rl.Max != dataHeadroom+DefaultDataSize {
		problems = append(problems, fmt.Sprintf("RLIMIT_DATA %d", rl.Max))
	}
	msg := "ok"
	if len(problems) > 0 {
		msg = strings.Join(problems, "; ")
	}
	if _, err := unix.Write(3, []byte(msg)); err != nil {
		return 2
	}
	return 0
}

// testManifest is a source manifest for Pack with the given name and UUID.
func testManifest(name, uuid string) []byte {
	return []byte(fmt.Sprintf("uuid = %q\nname = %q\nversion = \"1.0\"\n", uuid, name))
}

const (
	uuidA = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
	uuidB = "8aaaf200-2450-11e4-abe2-0002a5d5c51c"
)

// writeBinary writes an executable file with the given content and returns its
// path.
func writeBinary(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		tb.Fatal(err)
	}
	return path
}

// packTest builds a package in dir from a small non-executable binary.
func packTest(tb testing.TB, dir, name, uuid string, priv ed25519.PrivateKey) *Manifest {
	tb.Helper()
	bin := writeBinary(tb, tb.TempDir(), name, "binary of "+name)
	m, err := Pack(testManifest(name, uuid), bin, dir, priv)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func keyring(tb testing.TB, pubs ...ed25519.PublicKey) *Keyring {
	tb.Helper()
	k := NewKeyring()
	for _, p := range pubs {
		k.Add(p)
	}
	return k
}

// memfdContent reads a package's memfd through /proc, as exec would.
func memfdContent(tb testing.TB, p *Package) []byte {
	tb.Helper()
	p.mu.RLock()
	defer p.mu.RUnlock()
	data, err := os.ReadFile("/proc/self/fd/" + strconv.Itoa(p.fd))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestLoad(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	tests := []struct {
		name    string
		keys    []ed25519.PublicKey
		corrupt func(tb testing.TB, dir string)
		want    error  // matched with errors.Is, if set
		errPart string // else matched in the message
	}{
		{name: "good", keys: []ed25519.PublicKey{pub}},
		{name: "second trusted key", keys: []ed25519.PublicKey{otherPub, pub}},
		{name: "wrong key", keys: []ed25519.PublicKey{otherPub}, want: ErrBadSignature},
		{name: "no keys", want: ErrBadSignature},
		{name: "tampered manifest", keys: []ed25519.PublicKey{pub}, want: ErrBadSignature,
			corrupt: func(tb testing.TB, dir string) {
				appendFile(tb, filepath.Join(dir, ManifestFile), "\n")
			}},
		{name: "tampered binary", keys: []ed25519.PublicKey{pub}, want: ErrDigestMismatch,
			corrupt: func(tb testing.TB, dir string) {
				appendFile(tb, filepath.Join(dir, "ta"), "x")
			}},
		{name: "signed by someone else", keys: []ed25519.PublicKey{pub}, want: ErrBadSignature,
			corrupt: func(tb testing.TB, dir string) {
				data, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
				os.WriteFile(filepath.Join(dir, SignatureFile), SignManifest(otherPriv, data), 0o644)
			}},
		{name: "missing signature", keys: []ed25519.PublicKey{pub}, want: os.ErrNotExist,
			corrupt: func(tb testing.TB, dir string) {
				os.Remove(filepath.Join(dir, SignatureFile))
			}},
		{name: "missing binary", keys: []ed25519.PublicKey{pub}, want: os.ErrNotExist,
			corrupt: func(tb testing.TB, dir string) {
				os.Remove(filepath.Join(dir, "ta"))
			}},
		{name: "binary is a symlink", keys: []ed25519.PublicKey{pub}, want: syscall.ELOOP,
			corrupt: func(tb testing.TB, dir string) {
				// Even to identical content: exec must not follow a link.
				os.Rename(filepath.Join(dir, "ta"), filepath.Join(dir, "real"))
				os.Symlink("real", filepath.Join(dir, "ta"))
			}},
		{name: "binary is a directory", keys: []ed25519.PublicKey{pub}, errPart: "not a regular file",
			corrupt: func(tb testing.TB, dir string) {
				os.Remove(filepath.Join(dir, "ta"))
				os.Mkdir(filepath.Join(dir, "ta"), 0o755)
			}},
		{name: "binary is a fifo", keys: []ed25519.PublicKey{pub}, errPart: "not a regular file",
			corrupt: func(tb testing.TB, dir string) {
				os.Remove(filepath.Join(dir, "ta"))
				unix.Mkfifo(filepath.Join(dir, "ta"), 0o644)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			packTest(t, dir, "ta", uuidA, priv)
			if tt.corrupt != nil {
				tt.corrupt(t, dir)
			}
			p, err := Load(dir, keyring(t, tt.keys...))
			if tt.want == nil && tt.errPart == "" {
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				if p.Manifest.Name != "ta" || p.Dir != dir {
					t.Errorf("loaded %+v from %s", p.Manifest, p.Dir)
				}
				if got := string(memfdContent(t, p)); got != "binary of ta" {
					t.Errorf("memfd holds %q", got)
				}
				return
			}
			if err == nil {
				p.Close()
				t.Fatal("loaded, want an error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("error %q does not mention %q", err, tt.errPart)
			}
		})
	}
}

func appendFile(tb testing.TB, path, s string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		tb.Fatal(err)
	}
}

// TestLoadSnapshot checks that what a Package runs is fixed at Load.
func TestLoadSnapshot(t *testing.T) {
	pub, priv := newKey(t)
	dir := t.TempDir()
	packTest(t, dir, "ta", uuidA, priv)
	p, err := Load(dir, keyring(t, pub))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	// Overwrite in place (same inode) and replace.
	if err := os.WriteFile(filepath.Join(dir, "ta"), []byte("evil"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := string(memfdContent(t, p)); got != "binary of ta" {
		t.Errorf("memfd holds %q after the file changed", got)
	}

	p.mu.RLock()
	fd := p.fd
	p.mu.RUnlock()
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if seals&want != want {
		t.Errorf("seals %#x, want %#x", seals, want)
	}
	if fd < minMemfd {
		t.Errorf("memfd is fd %d, want at least %d", fd, minMemfd)
	}
	// Not even through a fresh writable descriptor can it change.
	if wfd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(fd), unix.O_RDWR, 0); err == nil {
		_, werr := unix.Pwrite(wfd, []byte("x"), 0)
		unix.Close(wfd)
		if werr == nil {
			t.Error("wrote into a sealed memfd")
		}
	}
}

// helperPackage packs the test binary itself as a TA named helperName.
func helperPackage(tb testing.TB) *Package {
	tb.Helper()
	pub, priv := newKey(tb)
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if _, err := Pack(testManifest(helperName, uuidA), exe, dir, priv); err != nil {
		tb.Fatal(err)
	}
	p, err := Load(dir, keyring(tb, pub))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

func socketpair(tb testing.TB) (ours, theirs *os.File) {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return os.NewFile(uintptr(fds[0]), "ours"), os.NewFile(uintptr(fds[1]), "theirs")
}

func TestStart(t *testing.T) {
	p := helperPackage(t)
	// A descriptor without close-on-exec, as teed might inherit, must still not
	// leak.
	leak, err := unix.Open("/dev/null", unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)

	ours, theirs := socketpair(t)
	defer ours.Close()
	var stderr lockedBuffer
	cmd, err := p.Start(theirs, &stderr)
	theirs.Close()
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Args[0] != helperName {
		t.Errorf("Args[0] = %q", cmd.Args[0])
	}
	if _, err := ours.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	ours.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 4096)
	n, err := ours.Read(buf)
	if err != nil {
		t.Fatalf("read from the TA: %v", err)
	}
	if got := string(buf[:n]); got != "ok" {
		t.Errorf("TA reports: %s", got)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("TA exit: %v", err)
	}
	if !strings.Contains(stderr.String(), "helper on stderr") {
		t.Errorf("TA stderr %q", stderr.String())
	}
}

func TestStartAfterClose(t *testing.T) {
	p := helperPackage(t)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, theirs := socketpair(t)
	defer theirs.Close()
	if _, err := p.Start(theirs, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
}

// TestStartCloseRace runs Start and Close together; under -race it checks the
// locking, and either outcome is fine.
func TestStartCloseRace(t *testing.T) {
	p := helperPackage(t)
	ours, theirs := socketpair(t)
	defer ours.Close()
	defer theirs.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.Close()
	}()
	cmd, err := p.Start(theirs, nil)
	wg.Wait()
	if err != nil {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Start: %v", err)
		}
		return
	}
	cmd.Process.Kill()
	cmd.Wait()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
