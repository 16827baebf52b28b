// Package tatime keeps the TA persistent time of the Internal Core API §7.2
// (TEE_GetTAPersistentTime, TEE_SetTAPersistentTime) for teed.
//
// A TA's persistent time is kept as an offset from the REE's clock, one small file
// per TA under teed's storage directory, authenticated with a key derived from the
// installation's device key: it survives restarts of teed, one TA cannot see or set
// another's, and a file that was tampered with, truncated or copied from another
// TA reads as TIME_NEEDS_RESET rather than as a wrong time. TA processes never
// touch these files; they ask teed over their instance channel.
package tatime

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gotee/gotee/tee"
)

const recordSize = 8 + sha256.Size

// Store holds the persistent times of all TAs. It is safe for concurrent use.
type Store struct {
	dir string
	key []byte
	mu  sync.Mutex // serializes writes of one file against reads of it
	// Now is the REE clock; tests replace it.
	Now func() time.Time
}

// New opens the store in dir, creating it if needed.
func New(dir string, deviceKey []byte) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ta time store: %w", err)
	}
	mac := hmac.New(sha256.New, deviceKey)
	mac.Write([]byte("gotee ta persistent time v1"))
	return &Store{dir: dir, key: mac.Sum(nil), Now: time.Now}, nil
}

func (s *Store) path(ta tee.UUID) string { return filepath.Join(s.dir, ta.String()) }

func (s *Store) tag(ta tee.UUID, offset []byte) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write(ta[:])
	mac.Write(offset)
	return mac.Sum(nil)
}

// Get returns ta's persistent time: TIME_NOT_SET if it was never set,
// TIME_NEEDS_RESET if its record cannot be trusted or the time it gives is before
// the epoch, and OVERFLOW (with the seconds wrapped to 32 bits, as GP says) once it
// no longer fits.
func (s *Store) Get(ta tee.UUID) (seconds, millis uint32, res tee.Result) {
	s.mu.Lock()
	rec, err := os.ReadFile(s.path(ta))
	s.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, tee.ErrTimeNotSet
	}
	if err != nil || len(rec) != recordSize || !hmac.Equal(rec[8:], s.tag(ta, rec[:8])) {
		return 0, 0, tee.ErrTimeNeedsReset
	}
	offset := int64(binary.BigEndian.Uint64(rec[:8]))
	t := s.Now().UnixMilli() + offset
	if t < 0 {
		return 0, 0, tee.ErrTimeNeedsReset
	}
	sec, ms := uint64(t/1000), uint32(t%1000)
	if sec > math.MaxUint32 {
		return uint32(sec), ms, tee.ErrOverflow
	}
	return uint32(sec), ms, tee.Success
}

// Set sets ta's persistent time; the record is replaced atomically and durably.
func (s *Store) Set(ta tee.UUID, seconds, millis uint32) tee.Result {
	if millis > 999 {
		return tee.ErrBadParameters
	}
	var rec [recordSize]byte
	offset := int64(seconds)*1000 + int64(millis) - s.Now().UnixMilli()
	binary.BigEndian.PutUint64(rec[:8], uint64(offset))
	copy(rec[8:], s.tag(ta, rec[:8]))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := writeAtomic(s.path(ta), rec[:]); err != nil {
		return tee.ErrStorageNotAvail
	}
	return tee.Success
}

// writeAtomic replaces path with data: a crash leaves the old record or the new one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
