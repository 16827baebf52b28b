package core_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotee/gotee/internal/core"
	"golang.org/x/sys/unix"
)

// Running out of descriptors in accept4 (EMFILE) makes Serve return and teed
// shut down for everybody.
func TestAcceptSurvivesDescriptorExhaustion(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "teed.sock")
	l, err := core.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := core.NewServer(core.Config{Catalog: catalog{}, Log: slog.New(slog.DiscardHandler)})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), l) }()

	var old unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &old)
	ents, _ := os.ReadDir("/proc/self/fd")
	lim := unix.Rlimit{Cur: uint64(len(ents) + 40), Max: old.Max}
	unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
	var fds []int
	for i := 0; i < 200; i++ {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			break
		}
		if err := unix.Connect(fd, &unix.SockaddrUnix{Name: sock}); err != nil {
			unix.Close(fd)
			break
		}
		fds = append(fds, fd)
	}
	t.Logf("connected %d clients (fd limit %d)", len(fds), lim.Cur)
	select {
	case err := <-done:
		for _, fd := range fds {
			unix.Close(fd)
		}
		t.Errorf("Serve returned (teed stopped for every client): %v", err)
	case <-time.After(2 * time.Second):
		t.Logf("server still serving")
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
}
