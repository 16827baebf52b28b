package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openRegular opens path for reading and checks that it is a regular file of at
// most limit bytes. O_NONBLOCK keeps a FIFO planted in a package from hanging the
// open; it has no effect on reads of a regular file. With nofollow, a symlink is
// refused rather than followed.
func openRegular(path string, limit int64, nofollow bool) (*os.File, os.FileInfo, error) {
	flags := os.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK
	if nofollow {
		flags |= unix.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %d bytes, more than the limit of %d", path, fi.Size(), limit)
	}
	return f, fi, nil
}

// readRegular reads a whole regular file of at most limit bytes.
func readRegular(path string, limit int64) ([]byte, error) {
	f, _, err := openRegular(path, limit, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may grow between Stat and the read: read one byte past the limit
	// to notice.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than the limit of %d bytes", path, limit)
	}
	return data, nil
}

// writeTemp writes data to a new temporary file in dir, synced to disk, and
// returns its name.
func writeTemp(dir string, data []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// writeFileAtomic replaces path with data, so that a reader (such as a catalog
// scan) sees the old or the new content, never a partial file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), data, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeFileExclusive creates path with data, whole, failing with fs.ErrExist if
// path already exists.
func writeFileExclusive(path string, data []byte, mode os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), data, mode)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}
