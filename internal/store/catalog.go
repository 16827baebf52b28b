package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/gotee/gotee/tee"
)

// errDuplicate is wrapped when a package's UUID is already served from another
// directory.
var errDuplicate = errors.New("uuid already loaded")

// Catalog is the set of TA packages teed serves, kept in step with one or more
// store directories. It is safe for concurrent use.
//
// Each store directory holds packages as immediate subdirectories, or is itself a
// package. A package is (re)loaded when it appears or when the size, times or
// inode of its manifest, signature or binary change, and is dropped when its
// directory goes away. A package that fails to load is refused with one warning,
// and not retried until it changes. When two directories hold the same UUID, the
// one loaded first keeps it (within a scan, the one whose path sorts first).
//
// A package whose directory changes is replaced by the new version, or dropped if
// the new version is refused: the catalog serves what is on disk, not the last
// good copy. A replaced or dropped Package is closed; TA processes already running
// from it keep running.
type Catalog struct {
	dirs []string
	keys *Keyring
	log  *slog.Logger

	scanMu sync.Mutex        // serializes Scan, and guards the fields below it
	seen   map[string]*entry // by package directory: everything the last scan found
	badDir map[string]string // store directory -> last error logged for it

	mu     sync.RWMutex // guards byUUID and closed; held only briefly, never while loading
	byUUID map[tee.UUID]*Package
	closed bool
}

// entry is what the catalog knows of one package directory.
type entry struct {
	stamp  stamp
	binary string   // binary name from the manifest, "" if unknown
	pkg    *Package // nil if refused
	err    error    // why it was refused
}

// stamp identifies the version of a package directory's files without reading
// them.
type stamp struct {
	manifest, sig, binary fileStamp
}

type fileStamp struct {
	ok           bool
	size         int64
	ino          uint64
	mtime, ctime int64
	mode         fs.FileMode
}

// NewCatalog returns an empty catalog of the packages in dirs signed by keys.
// Call Scan to fill it. Log records go to log (nil discards them).
func NewCatalog(dirs []string, keys *Keyring, log *slog.Logger) *Catalog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Catalog{
		dirs:   slices.Clone(dirs),
		keys:   keys,
		log:    log,
		seen:   make(map[string]*entry),
		badDir: make(map[string]string),
		byUUID: make(map[tee.UUID]*Package),
	}
}

// Lookup returns the package of the TA with the given UUID.
func (c *Catalog) Lookup(uuid tee.UUID) (*Package, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.byUUID[uuid]
	return p, ok
}

// Packages returns the loaded packages, sorted by directory.
func (c *Catalog) Packages() []*Package {
	c.mu.RLock()
	ps := make([]*Package, 0, len(c.byUUID))
	for _, p := range c.byUUID {
		ps = append(ps, p)
	}
	c.mu.RUnlock()
	slices.SortFunc(ps, func(a, b *Package) int {
		switch {
		case a.Dir < b.Dir:
			return -1
		case a.Dir > b.Dir:
			return 1
		}
		return 0
	})
	return ps
}

// Run calls Scan every interval until ctx is done. It does not scan at once: call
// Scan before serving, then Run in a goroutine the caller owns.
func (c *Catalog) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.Scan()
		}
	}
}

// Close closes every package and empties the catalog; later scans do nothing.
func (c *Catalog) Close() {
	c.scanMu.Lock()
	defer c.scanMu.Unlock()
	c.mu.Lock()
	c.closed = true
	c.byUUID = make(map[tee.UUID]*Package)
	c.mu.Unlock()
	for _, e := range c.seen {
		if e.pkg != nil {
			e.pkg.Close()
		}
	}
	c.seen = make(map[string]*entry)
}

// Scan brings the catalog in step with the store directories. Problems are
// logged, once per refused package version, rather than returned: one bad
// package must not keep the others from loading.
func (c *Catalog) Scan() {
	c.scanMu.Lock()
	defer c.scanMu.Unlock()
	c.mu.RLock()
	closed := c.closed
	c.mu.RUnlock()
	if closed {
		return
	}

	found := c.packageDirs()
	present := make(map[string]bool, len(found))
	for _, d := range found {
		present[d] = true
	}

	// Drop what went away first, so that its UUIDs are free for this scan.
	for dir, e := range c.seen {
		if !present[dir] {
			delete(c.seen, dir)
			if e.pkg != nil {
				c.unpublish(e.pkg)
				c.log.Info("ta package removed", "uuid", e.pkg.Manifest.UUID, "name", e.pkg.Manifest.Name, "dir", dir)
			}
		}
	}

	for _, dir := range found {
		prev := c.seen[dir]
		st, binary := c.stampDir(dir, prev)
		if prev != nil && prev.stamp == st {
			if prev.pkg != nil || !errors.Is(prev.err, errDuplicate) {
				continue
			}
			// Refused as a duplicate: retry once the UUID is free, without
			// logging again while it is not.
			if c.stillTaken(prev.err) {
				continue
			}
		}
		c.loadDir(dir, prev, st, binary)
	}
}

// stillTaken reports whether the UUID that a duplicate refusal names is still taken.
func (c *Catalog) stillTaken(err error) bool {
	var d *duplicateError
	if !errors.As(err, &d) {
		return false
	}
	_, taken := c.Lookup(d.uuid)
	return taken
}

type duplicateError struct {
	uuid tee.UUID
	dir  string
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("uuid %v already loaded from %s", e.uuid, e.dir)
}

func (e *duplicateError) Unwrap() error { return errDuplicate }

func (c *Catalog) loadDir(dir string, prev *entry, st stamp, binary string) {
	var old *Package
	if prev != nil {
		old = prev.pkg
	}
	p, err := Load(dir, c.keys)
	if err == nil && p.Manifest.Binary != binary {
		// The manifest names another binary than the one stamped.
		binary = p.Manifest.Binary
		st.binary = lstamp(filepath.Join(dir, binary))
	}
	// Swap in one step, so that a TA updated in place is never missing from
	// Lookup. The directory changed, so the old version goes whether or not the
	// new one loaded.
	c.mu.Lock()
	if err == nil {
		if other, taken := c.byUUID[p.Manifest.UUID]; taken && other != old {
			err = &duplicateError{uuid: p.Manifest.UUID, dir: other.Dir}
		} else {
			c.byUUID[p.Manifest.UUID] = p
		}
	}
	if old != nil && c.byUUID[old.Manifest.UUID] == old {
		delete(c.byUUID, old.Manifest.UUID)
	}
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if err != nil && p != nil {
		p.Close()
		p = nil
	}
	c.seen[dir] = &entry{stamp: st, binary: binary, pkg: p, err: err}
	if err != nil {
		c.log.Warn("ta package refused", "dir", dir, "err", err)
		return
	}
	c.log.Info("ta package loaded", "uuid", p.Manifest.UUID, "name", p.Manifest.Name, "dir", dir)
}

// unpublish removes p from the catalog and closes it.
func (c *Catalog) unpublish(p *Package) {
	c.mu.Lock()
	if c.byUUID[p.Manifest.UUID] == p {
		delete(c.byUUID, p.Manifest.UUID)
	}
	c.mu.Unlock()
	p.Close()
}

// packageDirs lists the package directories: store directories in the order they
// were given (so an earlier one wins a duplicate UUID), each one's packages in name
// order.
func (c *Catalog) packageDirs() []string {
	var found []string
	seen := map[string]bool{}
	for _, dir := range c.dirs {
		if isPackage(dir) {
			if d := filepath.Clean(dir); !seen[d] {
				seen[d] = true
				found = append(found, d)
			}
			continue
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			// A store directory that does not exist is just empty; any other
			// problem is worth one warning until it changes.
			if !errors.Is(err, fs.ErrNotExist) && c.badDir[dir] != err.Error() {
				c.log.Warn("ta store directory unreadable", "dir", dir, "err", err)
			}
			c.badDir[dir] = err.Error()
			continue
		}
		delete(c.badDir, dir)
		for _, ent := range ents {
			sub := filepath.Join(dir, ent.Name())
			if isPackage(sub) && !seen[sub] {
				seen[sub] = true
				found = append(found, sub)
			}
		}
	}
	return found
}

func isPackage(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ManifestFile))
	return err == nil
}

// stampDir stamps a package directory. The binary's name comes from the manifest:
// from the previous entry if the manifest has not changed since, else from a
// lenient read of the manifest (whose validity Load decides, not this).
func (c *Catalog) stampDir(dir string, prev *entry) (stamp, string) {
	var st stamp
	st.manifest = lstamp(filepath.Join(dir, ManifestFile))
	st.sig = lstamp(filepath.Join(dir, SignatureFile))
	binary := ""
	if prev != nil && prev.stamp.manifest == st.manifest {
		binary = prev.binary
	} else {
		binary = peekBinary(filepath.Join(dir, ManifestFile))
	}
	if binary != "" {
		st.binary = lstamp(filepath.Join(dir, binary))
	}
	return st, binary
}

func peekBinary(path string) string {
	data, err := readRegular(path, MaxManifestSize)
	if err != nil {
		return ""
	}
	var m struct {
		Binary string `toml:"binary"`
	}
	if _, err := toml.Decode(string(data), &m); err != nil || checkBinaryName(m.Binary) != nil {
		return ""
	}
	return m.Binary
}

func lstamp(path string) fileStamp {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileStamp{}
	}
	s := fileStamp{ok: true, size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = sys.Ino
		s.ctime = sys.Ctim.Nano()
	}
	return s
}
