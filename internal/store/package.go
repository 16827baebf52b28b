package store

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Names of the files in a package directory besides the binary.
const (
	ManifestFile  = "manifest.toml"
	SignatureFile = "manifest.sig"
)

// Limits on what Load reads.
const (
	MaxManifestSize = 64 << 10
	MaxBinarySize   = 256 << 20
)

// Resource limits put on every TA process. RLIMIT_DATA is dataHeadroom plus the
// manifest's data_size rounded up to a page: a Go TA's runtime reserves heap
// arenas, goroutine stacks and GC metadata well beyond what the TA itself asks
// for, and a C TA's host is itself a Go program, so the TA's data_size alone
// would not even let the runtime start.
const (
	dataHeadroom = 512 << 20
	maxOpenFiles = 256
)

// minMemfd is the lowest descriptor number a package's memfd gets. Start execs
// /proc/self/fd/N after the child has put its standard streams and the channel
// on descriptors 0-3 and moved colliding ones just above the highest descriptor
// it inherits; keeping N clear of the low numbers means those moves do not land
// on it in any ordinary process.
const minMemfd = 10

var (
	// ErrBadSignature is wrapped when no trusted key signed a package's manifest.
	ErrBadSignature = errors.New("bad signature")
	// ErrDigestMismatch is wrapped when a package's binary is not the one its
	// manifest names.
	ErrDigestMismatch = errors.New("binary does not match binary_sha256")
	// ErrClosed is wrapped when a closed Package is asked to start a TA.
	ErrClosed = errors.New("ta package closed")
)

// Package is a verified TA package, ready to run. Its binary has been copied into
// a sealed memfd at Load and is executed from there, so what runs is what was
// verified, whatever happens to the directory afterwards. Manifest and Dir must
// not be modified. A Package is safe for concurrent use.
type Package struct {
	Manifest *Manifest
	Dir      string // the package directory, as given to Load

	mu sync.RWMutex
	fd int // guarded by mu: the sealed read-only memfd, -1 after Close
}

// Load verifies the package in dir against keys and loads its binary: the
// manifest signature must verify with a key in keys, the manifest must be valid,
// and the binary (a regular file, not a symlink) must match binary_sha256.
func Load(dir string, keys *Keyring) (*Package, error) {
	p, err := load(dir, keys)
	if err != nil {
		return nil, fmt.Errorf("ta package %s: %w", dir, err)
	}
	return p, nil
}

func load(dir string, keys *Keyring) (*Package, error) {
	data, err := readRegular(filepath.Join(dir, ManifestFile), MaxManifestSize)
	if err != nil {
		return nil, err
	}
	sig, err := readRegular(filepath.Join(dir, SignatureFile), 1024)
	if err != nil {
		return nil, err
	}
	// Verify before parsing: an unsigned manifest is not even looked at.
	if !keys.Verify(data, sig) {
		return nil, fmt.Errorf("%s: %w", SignatureFile, ErrBadSignature)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, err
	}
	want, _ := decodeDigest(m.BinarySHA256) // checked by ParseManifest
	fd, err := copyToSealedMemfd(filepath.Join(dir, m.Binary), m.Name, want)
	if err != nil {
		return nil, err
	}
	return &Package{Manifest: m, Dir: dir, fd: fd}, nil
}

// copyToSealedMemfd copies the regular file at path into a new memfd, checks
// its SHA-256 against want as it goes, seals it, and returns a read-only
// descriptor of it numbered at least minMemfd.
//
// Sealing (no write, shrink or grow, and no further seal changes) makes the
// memfd immutable for good, even to us: no process holding any descriptor of it
// can change the bytes that were hashed. Keeping only a read-only descriptor
// also means exec never finds the file open for writing (ETXTBSY).
func copyToSealedMemfd(path, name string, want []byte) (int, error) {
	src, _, err := openRegular(path, MaxBinarySize, true)
	if err != nil {
		return -1, err
	}
	defer src.Close()

	wfd, err := createMemfd("gotee-ta:" + name)
	if err != nil {
		return -1, err
	}
	mem := os.NewFile(uintptr(wfd), "memfd")
	defer mem.Close()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(mem, h), io.LimitReader(src, MaxBinarySize+1))
	if err != nil {
		return -1, fmt.Errorf("copy %s: %w", path, err)
	}
	if n > MaxBinarySize {
		return -1, fmt.Errorf("%s: grew past the limit of %d bytes while read", path, MaxBinarySize)
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return -1, fmt.Errorf("%s: %w", filepath.Base(path), ErrDigestMismatch)
	}
	seals := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		return -1, fmt.Errorf("seal memfd: %w", err)
	}
	// Reopen read-only through /proc, then drop the writable descriptor.
	ro, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(mem.Fd())), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("reopen memfd read-only: %w", err)
	}
	fd, err := unix.FcntlInt(uintptr(ro), unix.F_DUPFD_CLOEXEC, minMemfd)
	unix.Close(ro)
	if err != nil {
		return -1, fmt.Errorf("dup memfd: %w", err)
	}
	return fd, nil
}

// createMemfd creates a sealable memfd that may be executed. Kernels since 6.3
// know MFD_EXEC and, under vm.memfd_noexec=1, make memfds non-executable unless
// it is given; older kernels reject the flag with EINVAL.
func createMemfd(name string) (int, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return -1, fmt.Errorf("memfd_create: %w", err)
	}
	return fd, nil
}

// Close releases the package's memfd. Running TA processes are not affected;
// later calls to Start fail with ErrClosed. Close is idempotent.
func (p *Package) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd < 0 {
		return nil
	}
	err := unix.Close(p.fd)
	p.fd = -1
	if err != nil {
		return fmt.Errorf("close ta package %s: %w", p.Dir, err)
	}
	return nil
}

// Start starts a process of the TA from the sealed memfd, with channel as its
// descriptor 3 and stderr as its standard output and error (nil discards them).
//
// The process gets nothing else from teed: its environment is exactly
// GOTEE_TA=1, its standard input is /dev/null, no other descriptor is inherited
// (Start marks all of teed's descriptors close-on-exec to make sure of that),
// it is in a process group of its own (so a signal to teed's group does not reach
// it), and it is killed if teed dies. Right after it starts, it is given the
// resource limits RLIMIT_CORE 0 (a core dump would write TA secrets to disk),
// RLIMIT_NOFILE 256, and RLIMIT_DATA of 512 MiB of Go runtime headroom plus the
// manifest's data_size; a limit the kernel refuses is skipped silently, since
// some sandboxes forbid prlimit on other processes.
//
// Pdeathsig follows the thread that started the child, not the process: do not
// call Start from a goroutine locked to an OS thread it will let die.
//
// The caller owns the returned command and must call its Wait.
func (p *Package) Start(channel *os.File, stderr io.Writer) (*exec.Cmd, error) {
	if channel == nil {
		return nil, errors.New("start ta: nil channel")
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.fd < 0 {
		return nil, fmt.Errorf("start ta %s: %w", p.Manifest.Name, ErrClosed)
	}
	cmd := &exec.Cmd{
		// exec resolves this path in the child before close-on-exec descriptors
		// close, so it runs the memfd without any file path to race on.
		Path:       "/proc/self/fd/" + strconv.Itoa(p.fd),
		Args:       []string{p.Manifest.Name},
		Env:        []string{"GOTEE_TA=1"},
		Stdout:     stderr,
		Stderr:     stderr,
		ExtraFiles: []*os.File{channel},
		SysProcAttr: &syscall.SysProcAttr{
			Pdeathsig: syscall.SIGKILL,
			Setpgid:   true,
		},
	}
	markCloseOnExec()
	// The read lock is held across Start, so Close cannot close the memfd between
	// building the path and the child's exec (os/exec returns only after it).
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ta %s: %w", p.Manifest.Name, err)
	}
	applyLimits(cmd.Process.Pid, p.Manifest.DataSize)
	return cmd, nil
}

// markCloseOnExec makes every descriptor of this process from 3 up
// close-on-exec. os/exec closes nothing in the child: it relies on every
// descriptor being opened close-on-exec, which Go's own library does, but teed
// may have inherited descriptors from whatever started it (a shell, a test
// harness), and those would otherwise reach every TA. Marking them is harmless to
// teed itself, since os/exec passes the descriptors a child should get by dup2,
// whatever their flag.
func markCloseOnExec() {
	if unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	// Kernels before 5.11: walk the descriptor table instead.
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= 3 {
			unix.CloseOnExec(fd)
		}
	}
}

func applyLimits(pid int, dataSize uint32) {
	const page = 4096
	data := uint64(dataHeadroom) + (uint64(dataSize)+page-1)/page*page
	limits := []struct {
		resource int
		value    uint64
	}{
		{unix.RLIMIT_CORE, 0},
		{unix.RLIMIT_NOFILE, maxOpenFiles},
		{unix.RLIMIT_DATA, data},
	}
	for _, l := range limits {
		// Hard and soft alike, so the TA cannot raise them back.
		_ = unix.Prlimit(pid, l.resource, &unix.Rlimit{Cur: l.value, Max: l.value}, nil)
	}
}
