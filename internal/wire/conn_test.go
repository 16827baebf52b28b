package wire

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gotee/gotee/tee"
)

// The tests here never run in parallel: some of them predict the descriptor numbers
// the kernel hands out, which holds only while nobody else opens files.

var modes = []struct {
	name     string
	blocking bool
}{
	{"blocking", true},
	{"nonblocking", false},
}

// forModes runs f once over a blocking and once over a non-blocking pair.
func forModes(t *testing.T, f func(t *testing.T, a, b *Conn)) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			a, b := newPair(t, mode.blocking)
			f(t, a, b)
		})
	}
}

func newPair(t testing.TB, blocking bool) (*Conn, *Conn) {
	t.Helper()
	fa, fb, err := Pair(blocking)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewConn(fa)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewConn(fb)
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		b.Close()
	})
	return a, b
}

// recv receives one message with a deadline, so a broken Conn fails the test
// instead of hanging it.
func recv(t testing.TB, c *Conn) (Header, Message, []int, error) {
	t.Helper()
	type result struct {
		h   Header
		m   Message
		fds []int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		buf := make([]byte, MaxMessage)
		h, m, fds, err := c.Recv(buf)
		ch <- result{h, m, fds, err}
	}()
	select {
	case r := <-ch:
		return r.h, r.m, r.fds, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Recv did not return")
		panic("unreachable")
	}
}

func newPipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	return p[0], p[1]
}

func newMemfd(t testing.TB, data string) int {
	t.Helper()
	fd, err := unix.MemfdCreate("wire-test", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		t.Skipf("memfd_create: %v", err)
	}
	if _, err := unix.Write(fd, []byte(data)); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return fd
}

func fdOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// freeFDs returns the n descriptor numbers the kernel will hand out next: the
// lowest free ones.
func freeFDs(t testing.TB, n int) []int {
	t.Helper()
	fds := make([]int, 0, n)
	for range n {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		fds = append(fds, fd)
	}
	CloseFDs(fds)
	return fds
}

func sameFile(t testing.TB, fd1, fd2 int) bool {
	t.Helper()
	var s1, s2 unix.Stat_t
	if err := unix.Fstat(fd1, &s1); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(fd2, &s2); err != nil {
		t.Fatal(err)
	}
	return s1.Dev == s2.Dev && s1.Ino == s2.Ino
}

func TestConnSendRecv(t *testing.T) {
	forModes(t, func(t *testing.T, a, b *Conn) {
		var buf []byte
		for _, s := range samples() {
			// Any descriptors do for the count; /dev/null is cheap.
			fds := make([]int, s.wantFDs)
			for i := range fds {
				fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
				fds[i] = fd
			}
			for _, dir := range []struct {
				name     string
				from, to *Conn
			}{{"a→b", a, b}, {"b→a", b, a}} {
				var err error
				if buf, err = dir.from.Send(buf, s.id, s.m, fds...); err != nil {
					t.Fatalf("%s %s: Send: %v", s.name, dir.name, err)
				}
				h, m, got, err := recv(t, dir.to)
				if err != nil {
					t.Fatalf("%s %s: Recv: %v", s.name, dir.name, err)
				}
				if h != (Header{Kind: s.m.Kind(), ID: s.id}) || !reflect.DeepEqual(m, s.m) {
					t.Errorf("%s %s: got %+v %#v", s.name, dir.name, h, m)
				}
				if len(got) != len(fds) {
					t.Errorf("%s %s: got %d descriptors, want %d", s.name, dir.name, len(got), len(fds))
				}
				for i := range got {
					if i < len(fds) && !sameFile(t, got[i], fds[i]) {
						t.Errorf("%s %s: descriptor %d is another file", s.name, dir.name, i)
					}
				}
				CloseFDs(got)
			}
			CloseFDs(fds)
		}
	})
}

func TestConnPassesDescriptors(t *testing.T) {
	forModes(t, func(t *testing.T, a, b *Conn) {
		mfd := newMemfd(t, "shared bytes")
		defer unix.Close(mfd)
		pr, pw := newPipe(t)
		defer unix.Close(pr)
		defer unix.Close(pw)

		open := &Open{UUID: testUUID, Login: tee.LoginPublic, Op: Operation{
			NewShm: 2,
			ShmIDs: [NumParams]uint32{1, 2},
			Params: [NumParams]Param{
				{Type: tee.MemrefInout, Shm: 1, A: 0, B: 12},
				{Type: tee.MemrefOutput, Shm: 2, A: 0, B: 1},
			},
		}}
		want := freeFDs(t, 2)
		if _, err := a.Send(nil, 42, open, mfd, pw); err != nil {
			t.Fatal(err)
		}
		h, m, fds, err := recv(t, b)
		if err != nil {
			t.Fatal(err)
		}
		defer CloseFDs(fds)
		if h.ID != 42 || !reflect.DeepEqual(m, open) {
			t.Errorf("got %+v %#v", h, m)
		}
		if len(fds) != 2 {
			t.Fatalf("got %d descriptors, want 2", len(fds))
		}
		// The kernel hands out the lowest free numbers, which the closing checks
		// in TestConnDescriptorMismatch rely on.
		if !reflect.DeepEqual(fds, want) {
			t.Errorf("descriptors %v, predicted %v", fds, want)
		}
		if !sameFile(t, fds[0], mfd) {
			t.Error("received memfd is another file")
		}
		if !sameFile(t, fds[1], pw) {
			t.Error("received pipe is another file")
		}
		for _, fd := range fds {
			if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
				t.Errorf("received descriptor %d: flags %#x, %v; want close-on-exec", fd, fl, err)
			}
		}
		got := make([]byte, 12)
		if n, err := unix.Pread(fds[0], got, 0); err != nil || string(got[:n]) != "shared bytes" {
			t.Errorf("pread through received memfd = %q, %v", got[:n], err)
		}
		if _, err := unix.Write(fds[1], []byte("x")); err != nil {
			t.Fatal(err)
		}
		if n, err := unix.Read(pr, got); err != nil || string(got[:n]) != "x" {
			t.Errorf("read from pipe = %q, %v", got[:n], err)
		}
	})
}

func TestConnDescriptorMismatch(t *testing.T) {
	openShm := &Open{UUID: testUUID, Op: Operation{
		NewShm: 1,
		ShmIDs: [NumParams]uint32{1},
		Params: [NumParams]Param{{Type: tee.MemrefInput, Shm: 1, B: 1}},
	}}
	tests := []struct {
		name string
		b    []byte
		fds  int
	}{
		{"Open announcing 1, none sent", Append(nil, 1, openShm), 0},
		{"Open announcing 1, 2 sent", Append(nil, 1, openShm), 2},
		{"Open announcing 1 and an arena, 1 sent", Append(nil, 1, &Open{Op: Operation{HasArena: true, NewShm: 1, ShmIDs: [4]uint32{1}}}), 1},
		{"Hello with a descriptor", Append(nil, 1, &Hello{Magic: Magic, Major: 1}), 1},
		{"OpenResp success without channel", Append(nil, 1, &OpenResp{Session: 1}), 0},
		{"OpenResp failure with channel", Append(nil, 1, &OpenResp{Result: tee.ErrGeneric}), 1},
		{"TAOpen without channel", Append(nil, 1, &TAOpen{Session: 1}), 0},
		{"Invoke announcing 5, 4 sent", Append(nil, 1, &Invoke{Op: fullShmOp()}), 4},
		{"garbage with descriptors", []byte("not a message at all"), 3},
		{"short datagram with descriptors", []byte{1}, 1},
		{"more than MaxFDs", Append(nil, 1, &TAOpen{Session: 1, Op: fullShmOp()}), MaxFDs + 1},
		{"far more than MaxFDs", Append(nil, 1, &Destroy{}), 64},
	}
	forModes(t, func(t *testing.T, a, b *Conn) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Send the write ends of pipes: once every copy of a write end
				// is closed, its read end reports EOF instead of EAGAIN.
				readers := make([]int, tt.fds)
				writers := make([]int, tt.fds)
				for i := range readers {
					readers[i], writers[i] = newPipe(t)
				}
				defer CloseFDs(readers)
				if err := a.SendRaw(tt.b, writers...); err != nil {
					CloseFDs(writers)
					t.Fatalf("SendRaw: %v", err)
				}
				CloseFDs(writers)

				// Only descriptors that fit in the control buffer get numbers.
				predicted := freeFDs(t, min(tt.fds, MaxFDs))
				_, m, fds, err := recv(t, b)
				if err == nil {
					CloseFDs(fds)
					t.Fatalf("Recv accepted %#v with %d descriptors", m, len(fds))
				}
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Recv error %v does not wrap ErrMalformed", err)
				}
				if m != nil || fds != nil {
					t.Errorf("Recv returned %#v, %v with its error", m, fds)
				}
				for _, fd := range predicted {
					if fdOpen(fd) {
						t.Errorf("descriptor %d is open after the refused datagram", fd)
					}
				}
				buf := make([]byte, 1)
				for i, r := range readers {
					if n, err := unix.Read(r, buf); n != 0 || err != nil {
						t.Errorf("pipe %d: read = %d, %v; want EOF (a received copy of its write end is still open)", i, n, err)
					}
				}

				// The Conn still works.
				if _, err := a.Send(nil, 99, &Close{Session: 3}); err != nil {
					t.Fatal(err)
				}
				h, m, _, err := recv(t, b)
				if err != nil || h.ID != 99 || !reflect.DeepEqual(m, &Close{Session: 3}) {
					t.Fatalf("after the refused datagram: %+v %#v %v", h, m, err)
				}
			})
		}
	})
}

func TestConnGarbage(t *testing.T) {
	valid := Append(nil, 1, &Invoke{Command: 1, Op: richOp()})
	garbage := [][]byte{
		{1},
		[]byte("GTEE GTEE GTEE"),
		Append(nil, 1, &Destroy{})[:7],
		valid[:len(valid)-1],
		append(valid[:len(valid):len(valid)], 0),
		{0xFF, 0xFF, 0, 0, 1, 0, 0, 0},
		{byte(KindDestroy), 0, 1, 0, 0, 0, 0, 0},
		put32(valid, invNewShm, 9),
		make([]byte, MaxMessage),   // kind 0
		make([]byte, MaxMessage+1), // more than the receiver's buffer
	}
	forModes(t, func(t *testing.T, a, b *Conn) {
		for i, g := range garbage {
			if err := a.SendRaw(g); err != nil {
				t.Fatalf("SendRaw %d: %v", i, err)
			}
			_, m, fds, err := recv(t, b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("garbage %d (%d bytes): Recv = %#v, %v, %v; want ErrMalformed", i, len(g), m, fds, err)
			}
			if _, err := a.Send(nil, uint32(i), &ShmRelease{Shm: uint32(i + 1)}); err != nil {
				t.Fatal(err)
			}
			h, m, _, err := recv(t, b)
			if err != nil || h.ID != uint32(i) || !reflect.DeepEqual(m, &ShmRelease{Shm: uint32(i + 1)}) {
				t.Fatalf("after garbage %d: %+v %#v %v", i, h, m, err)
			}
		}
	})
}

func TestConnSendRefuses(t *testing.T) {
	forModes(t, func(t *testing.T, a, b *Conn) {
		mfd := newMemfd(t, "")
		defer unix.Close(mfd)
		for _, tc := range []struct {
			name string
			m    Message
			fds  []int
		}{
			{"missing descriptor", &Invoke{Op: Operation{HasArena: true}}, nil},
			{"extra descriptor", &Invoke{}, []int{mfd}},
			{"oversized", &Create{UUID: testUUID, Properties: []Property{
				{"a", string(make([]byte, MaxPropertyVal))},
				{"b", string(make([]byte, MaxMessage))},
			}}, nil},
		} {
			if _, err := a.Send(nil, 1, tc.m, tc.fds...); err == nil {
				t.Errorf("%s: Send succeeded", tc.name)
			}
		}
		// Nothing went out: the next message is the first one b sees.
		if _, err := a.Send(nil, 7, &Destroy{}); err != nil {
			t.Fatal(err)
		}
		if h, _, _, err := recv(t, b); err != nil || h != (Header{KindDestroy, 7}) {
			t.Fatalf("Recv = %+v, %v", h, err)
		}
	})
}

func TestConnPeerClose(t *testing.T) {
	forModes(t, func(t *testing.T, a, b *Conn) {
		// What was sent before the close is still delivered, then EOF.
		if _, err := a.Send(nil, 1, &Destroy{}); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if h, _, _, err := recv(t, b); err != nil || h.Kind != KindDestroy {
			t.Fatalf("Recv before EOF = %+v, %v", h, err)
		}
		for range 2 {
			if _, _, _, err := recv(t, b); err != io.EOF {
				t.Fatalf("Recv after peer close = %v, want io.EOF", err)
			}
		}
		if _, err := b.Send(nil, 2, &DestroyResp{}); err != io.EOF {
			t.Fatalf("Send after peer close = %v, want io.EOF", err)
		}
		// Using a closed Conn says EOF too.
		if _, err := a.Send(nil, 3, &Destroy{}); err != io.EOF {
			t.Errorf("Send on a closed Conn = %v, want io.EOF", err)
		}
		if _, _, _, err := recv(t, a); err != io.EOF {
			t.Errorf("Recv on a closed Conn = %v, want io.EOF", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

func TestConnCloseUnblocksRecv(t *testing.T) {
	for _, how := range []string{"Close", "Shutdown"} {
		t.Run(how, func(t *testing.T) {
			forModes(t, func(t *testing.T, a, b *Conn) {
				done := make(chan error, 1)
				go func() {
					buf := make([]byte, MaxMessage)
					_, _, _, err := b.Recv(buf)
					done <- err
				}()
				// Give the reader time to block; the test holds either way.
				time.Sleep(50 * time.Millisecond)
				start := time.Now()
				if how == "Close" {
					b.Close()
				} else {
					b.Shutdown()
				}
				select {
				case err := <-done:
					if err != io.EOF {
						t.Errorf("blocked Recv returned %v, want io.EOF", err)
					}
					if d := time.Since(start); d > time.Second {
						t.Errorf("blocked Recv took %v to return", d)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s did not wake the blocked Recv", how)
				}
				// The peer sees the end too.
				if _, _, _, err := recv(t, a); err != io.EOF {
					t.Errorf("peer Recv = %v, want io.EOF", err)
				}
			})
		})
	}
}

func TestConnConcurrentSend(t *testing.T) {
	const senders, each = 8, 200
	forModes(t, func(t *testing.T, a, b *Conn) {
		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for s := range senders {
			wg.Go(func() {
				var buf []byte
				for i := range each {
					id := uint32(s*each + i)
					var err error
					buf, err = a.Send(buf, id, &Invoke{Command: id, Op: outOp()})
					if err != nil {
						errs <- fmt.Errorf("sender %d: %w", s, err)
						return
					}
				}
			})
		}
		seen := make(map[uint32]bool)
		buf := make([]byte, MaxMessage)
		for range senders * each {
			h, m, _, err := b.Recv(buf)
			if err != nil {
				t.Fatal(err)
			}
			if inv, ok := m.(*Invoke); !ok || inv.Command != h.ID || seen[h.ID] {
				t.Fatalf("message %+v %#v out of place", h, m)
			}
			seen[h.ID] = true
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestFDConn(t *testing.T) {
	if _, err := FDConn(-1, "bad"); err == nil {
		t.Error("FDConn(-1) succeeded")
	}
	fa, fb, err := Pair(true)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	fd, err := unix.Dup(int(fa.Fd()))
	fa.Close()
	if err != nil {
		t.Fatal(err)
	}
	a, err := FDConn(fd, "dup")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewConn(fb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(nil, 5, &Cancel{Session: 1, Op: 2}); err != nil {
		t.Fatal(err)
	}
	if h, m, _, err := recv(t, b); err != nil || h.ID != 5 || !reflect.DeepEqual(m, &Cancel{Session: 1, Op: 2}) {
		t.Fatalf("Recv = %+v %#v %v", h, m, err)
	}
}
