package shm

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSharedPages(t *testing.T) {
	a, err := New("test", 8192)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fd, err := unix.FcntlInt(uintptr(a.FD()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Map(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.Bytes()[100] = 42
	if b.Bytes()[100] != 42 || b.Len() != 8192 {
		t.Fatal("the two mappings are not the same pages")
	}
	if err := unix.Ftruncate(a.FD(), 10); err == nil {
		t.Fatal("a sealed block shrank")
	}
}

func TestMapRefuses(t *testing.T) {
	unsealed, err := unix.MemfdCreate("unsealed", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	unix.Ftruncate(unsealed, 4096)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	for name, fd := range map[string]int{"unsealed memfd": unsealed, "pipe": p[0]} {
		if _, err := Map(fd); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			t.Errorf("%s: refused descriptor left open", name)
		}
	}
}

func TestWindow(t *testing.T) {
	b, err := New("w", 100)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, tt := range []struct {
		off, size uint64
		ok        bool
	}{{0, 100, true}, {100, 0, true}, {50, 50, true}, {50, 51, false}, {101, 0, false}, {1 << 63, 1 << 63, false}, {1, ^uint64(0), false}} {
		w, ok := b.Window(tt.off, tt.size)
		if ok != tt.ok || ok && uint64(len(w)) != tt.size {
			t.Errorf("Window(%d, %d) = %d bytes, %v", tt.off, tt.size, len(w), ok)
		}
	}
}
