package daemon

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const deviceKeySize = 32

// loadDeviceKey reads the installation's device key from dir, creating it on first
// start. It is the root every per-installation secret is derived from (the device
// ID now; trusted storage keys later), so it is readable by teed's user only, and
// it is created exclusively: two teeds starting at once never end up with two keys.
func loadDeviceKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "device.key")
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createDeviceKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("device key: %w", err)
	}
	if len(key) != deviceKeySize {
		return nil, fmt.Errorf("device key %s: %d bytes, want %d", path, len(key), deviceKeySize)
	}
	return key, nil
}

func createDeviceKey(path string) ([]byte, error) {
	key := make([]byte, deviceKeySize)
	rand.Read(key)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".device.key-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	// A hard link fails if the key appeared meanwhile; then that one is the key.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return key, nil
}
