package tatime

import (
	"os"
	"testing"
	"time"

	"github.com/gotee/gotee/tee"
)

func TestPersistentTime(t *testing.T) {
	dir := t.TempDir()
	key := make([]byte, 32)
	s, err := New(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_000_000, 0)
	s.Now = func() time.Time { return now }
	a, b := tee.UUID{1}, tee.UUID{2}

	if _, _, res := s.Get(a); res != tee.ErrTimeNotSet {
		t.Fatalf("before set: %v", res)
	}
	if res := s.Set(a, 500, 250); res != tee.Success {
		t.Fatal(res)
	}
	now = now.Add(10*time.Second + 100*time.Millisecond)
	if sec, ms, res := s.Get(a); res != tee.Success || sec != 510 || ms != 350 {
		t.Fatalf("after 10.1s: %d.%03d %v", sec, ms, res)
	}
	if _, _, res := s.Get(b); res != tee.ErrTimeNotSet {
		t.Errorf("another TA sees a time: %v", res)
	}

	// The record survives a new store on the same directory (a restart of teed).
	s2, _ := New(dir, key)
	s2.Now = s.Now
	if sec, _, res := s2.Get(a); res != tee.Success || sec != 510 {
		t.Fatalf("after restart: %d %v", sec, res)
	}

	// Another installation's key cannot read it.
	other, _ := New(dir, []byte("another installation's device key"))
	if _, _, res := other.Get(a); res != tee.ErrTimeNeedsReset {
		t.Errorf("wrong key: %v", res)
	}

	// Tampering, and a record copied from another TA, need a reset.
	rec, _ := os.ReadFile(s.path(a))
	rec[3] ^= 1
	os.WriteFile(s.path(a), rec, 0o600)
	if _, _, res := s.Get(a); res != tee.ErrTimeNeedsReset {
		t.Errorf("tampered: %v", res)
	}
	s.Set(a, 1, 0)
	rec, _ = os.ReadFile(s.path(a))
	os.WriteFile(s.path(b), rec, 0o600)
	if _, _, res := s.Get(b); res != tee.ErrTimeNeedsReset {
		t.Errorf("copied from another TA: %v", res)
	}

	// Overflow: the seconds wrap and the result says so.
	s.Set(a, 0xFFFFFFFF, 0)
	now = now.Add(2 * time.Second)
	if sec, _, res := s.Get(a); res != tee.ErrOverflow || sec != 1 {
		t.Errorf("overflow: %d %v", sec, res)
	}
	if res := s.Set(a, 1, 1000); res != tee.ErrBadParameters {
		t.Errorf("millis 1000: %v", res)
	}
}
