package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Listener is teed's listening socket, held together with the lock that keeps a
// second teed from taking over the same path.
type Listener struct {
	path string
	lock *os.File
	f    *os.File
	rc   syscall.RawConn
}

// Listen creates the SEQPACKET socket at path. If another teed holds the path it
// refuses with a clear error instead of stealing the socket; a stale socket file
// left by a teed that died is replaced.
func Listen(path string) (*Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("socket lock: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("another teed is already serving %s", path)
		}
		return nil, fmt.Errorf("socket lock: %w", err)
	}
	l, err := listenLocked(path)
	if err != nil {
		lock.Close()
		return nil, err
	}
	l.lock = lock
	return l, nil
}

func listenLocked(path string) (*Listener, error) {
	// We hold the lock, so whatever is at path is stale.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket: %w", err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	// Bind under a temporary name and rename into place once listening, so that
	// the socket appears at path only when it accepts connections: a client that
	// sees the file never gets ECONNREFUSED.
	tmp := path + ".new"
	os.Remove(tmp)
	fail := func(what string, err error) (*Listener, error) {
		unix.Close(fd)
		os.Remove(tmp)
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: tmp}); err != nil {
		return fail("bind", err)
	}
	// Anyone may connect; the access policy, applied per TA, decides who gets in.
	if err := os.Chmod(tmp, 0o666); err != nil {
		return fail("chmod", err)
	}
	if err := unix.Listen(fd, 128); err != nil {
		return fail("listen", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail("rename", err)
	}
	f := os.NewFile(uintptr(fd), path)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Listener{path: path, f: f, rc: rc}, nil
}

// Path is where the socket lives.
func (l *Listener) Path() string { return l.path }

// Accept waits for a client and returns its connection (non-blocking, close-on-exec).
func (l *Listener) Accept() (*os.File, error) {
	var nfd int
	var aerr error
	err := l.rc.Read(func(fd uintptr) bool {
		nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		return aerr != unix.EAGAIN
	})
	if err == nil {
		err = aerr
	}
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(nfd), "client"), nil
}

// Close stops listening, removes the socket file and releases the lock.
func (l *Listener) Close() error {
	err := l.f.Close()
	os.Remove(l.path)
	l.lock.Close()
	return err
}
