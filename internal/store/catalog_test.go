package store

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotee/gotee/tee"
)

// logRecorder captures a Catalog's log lines.
type logRecorder struct {
	buf  lockedBuffer
	seen int // lines already returned by next
}

func (r *logRecorder) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&r.buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// next returns the lines logged since the last call.
func (r *logRecorder) next() []string {
	s := strings.TrimSpace(r.buf.String())
	var lines []string
	if s != "" {
		lines = strings.Split(s, "\n")
	}
	out := lines[r.seen:]
	r.seen = len(lines)
	return out
}

// expectLog checks that exactly the given log lines came since the last check,
// in order: each want is a list of fragments one line must contain.
func expectLog(tb testing.TB, r *logRecorder, want ...[]string) {
	tb.Helper()
	got := r.next()
	if len(got) != len(want) {
		tb.Fatalf("logged %d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, frags := range want {
		for _, f := range frags {
			if !strings.Contains(got[i], f) {
				tb.Errorf("log line %q does not contain %q", got[i], f)
			}
		}
	}
}

func lookupDir(tb testing.TB, c *Catalog, uuid string) string {
	tb.Helper()
	p, ok := c.Lookup(tee.MustParseUUID(uuid))
	if !ok {
		return ""
	}
	return p.Dir
}

func TestCatalog(t *testing.T) {
	pub, priv := newKey(t)
	_, otherPriv := newKey(t)
	root := t.TempDir()
	dirA, dirB := filepath.Join(root, "a"), filepath.Join(root, "b")
	dirDup, dirBad := filepath.Join(root, "c-dup"), filepath.Join(root, "d-bad")
	packTest(t, dirA, "ta_a", uuidA, priv)
	packTest(t, dirB, "ta_b", uuidB, priv)
	os.Mkdir(filepath.Join(root, "not-a-package"), 0o755)
	os.WriteFile(filepath.Join(root, "stray-file"), nil, 0o644)

	var rec logRecorder
	c := NewCatalog([]string{root, filepath.Join(t.TempDir(), "missing")}, keyring(t, pub), rec.logger())
	defer c.Close()

	t.Run("initial scan", func(t *testing.T) {
		c.Scan()
		expectLog(t, &rec,
			[]string{"ta package loaded", "name=ta_a", "uuid=" + uuidA},
			[]string{"ta package loaded", "name=ta_b"})
		if got := lookupDir(t, c, uuidA); got != dirA {
			t.Errorf("uuid A from %q", got)
		}
		if n := len(c.Packages()); n != 2 {
			t.Errorf("%d packages", n)
		}
		c.Scan()
		expectLog(t, &rec) // nothing changed, nothing said
	})

	t.Run("duplicate and bad packages refused once", func(t *testing.T) {
		packTest(t, dirDup, "ta_dup", uuidA, priv)
		packTest(t, dirBad, "ta_bad", "8aaaf200-2450-11e4-abe2-0002a5d5c51d", otherPriv)
		c.Scan()
		expectLog(t, &rec,
			[]string{"level=WARN", "ta package refused", "dir=" + dirDup, "already loaded from " + dirA},
			[]string{"level=WARN", "ta package refused", "dir=" + dirBad, "bad signature"})
		c.Scan()
		c.Scan()
		expectLog(t, &rec)
		if got := lookupDir(t, c, uuidA); got != dirA {
			t.Errorf("uuid A from %q", got)
		}
		if _, ok := c.Lookup(tee.MustParseUUID(uuidB)); !ok {
			t.Error("a bad package kept a good one out")
		}
	})

	t.Run("removed package dropped, duplicate takes over", func(t *testing.T) {
		old, _ := c.Lookup(tee.MustParseUUID(uuidA))
		os.RemoveAll(dirA)
		c.Scan()
		expectLog(t, &rec,
			[]string{"ta package removed", "dir=" + dirA},
			[]string{"ta package loaded", "dir=" + dirDup})
		if got := lookupDir(t, c, uuidA); got != dirDup {
			t.Errorf("uuid A from %q", got)
		}
		if !isClosed(old) {
			t.Error("removed package not closed")
		}
	})

	t.Run("changed package replaced", func(t *testing.T) {
		old, _ := c.Lookup(tee.MustParseUUID(uuidB))
		bin := writeBinary(t, t.TempDir(), "ta_b", "version 2")
		if _, err := Pack(testManifest("ta_b", uuidB), bin, dirB, priv); err != nil {
			t.Fatal(err)
		}
		c.Scan()
		expectLog(t, &rec, []string{"ta package loaded", "dir=" + dirB})
		p, _ := c.Lookup(tee.MustParseUUID(uuidB))
		if p == old || !isClosed(old) {
			t.Error("old version still served or not closed")
		}
		if got := string(memfdContent(t, p)); got != "version 2" {
			t.Errorf("serving %q", got)
		}
	})

	t.Run("binary changed alone", func(t *testing.T) {
		// A binary edited without re-signing is refused, and the package dropped.
		os.WriteFile(filepath.Join(dirB, "ta_b"), []byte("version 3"), 0o755)
		c.Scan()
		expectLog(t, &rec, []string{"ta package refused", "dir=" + dirB, "binary does not match"})
		if _, ok := c.Lookup(tee.MustParseUUID(uuidB)); ok {
			t.Error("tampered package still served")
		}
		c.Scan()
		expectLog(t, &rec)
	})

	t.Run("fixed package loaded", func(t *testing.T) {
		packTest(t, dirBad, "ta_bad", "8aaaf200-2450-11e4-abe2-0002a5d5c51d", priv)
		c.Scan()
		expectLog(t, &rec, []string{"ta package loaded", "dir=" + dirBad})
	})

	t.Run("close", func(t *testing.T) {
		ps := c.Packages()
		c.Close()
		for _, p := range ps {
			if !isClosed(p) {
				t.Errorf("%s not closed", p.Dir)
			}
		}
		if len(c.Packages()) != 0 {
			t.Error("packages left after Close")
		}
		c.Scan()
		if len(c.Packages()) != 0 {
			t.Error("Scan after Close loaded packages")
		}
	})
}

func isClosed(p *Package) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.fd < 0
}

func TestCatalogDirIsPackage(t *testing.T) {
	pub, priv := newKey(t)
	dir := t.TempDir()
	packTest(t, dir, "solo", uuidA, priv)
	c := NewCatalog([]string{dir}, keyring(t, pub), nil)
	defer c.Close()
	c.Scan()
	if got := lookupDir(t, c, uuidA); got != dir {
		t.Errorf("uuid A from %q", got)
	}
}

func TestCatalogDuplicateOrder(t *testing.T) {
	// Two packages with one UUID appearing in the same scan: the store directory
	// given first wins, whatever the paths' order.
	pub, priv := newKey(t)
	root1, root2 := t.TempDir(), t.TempDir()
	packTest(t, filepath.Join(root1, "a"), "a", uuidA, priv)
	packTest(t, filepath.Join(root2, "z"), "z", uuidA, priv)
	first := filepath.Join(root2, "z")
	var rec logRecorder
	c := NewCatalog([]string{root2, root1}, keyring(t, pub), rec.logger())
	defer c.Close()
	c.Scan()
	if got := lookupDir(t, c, uuidA); got != first {
		t.Errorf("uuid A from %q, want %q", got, first)
	}
	expectLog(t, &rec, []string{"ta package loaded"}, []string{"ta package refused"})
}

func TestCatalogRun(t *testing.T) {
	pub, priv := newKey(t)
	root := t.TempDir()
	c := NewCatalog([]string{root}, keyring(t, pub), nil)
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Run(ctx, 5*time.Millisecond)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()

	// Concurrent readers, for the race detector.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			c.Packages()
			c.Lookup(tee.MustParseUUID(uuidA))
			time.Sleep(time.Millisecond)
		}
	}()

	packTest(t, filepath.Join(root, "new"), "new", uuidA, priv)
	deadline := time.Now().Add(10 * time.Second)
	for lookupDir(t, c, uuidA) == "" {
		if time.Now().After(deadline) {
			t.Fatal("Run did not pick up the new package")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
