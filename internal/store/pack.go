package store

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
)

// Pack builds a signed TA package in outDir (created if missing) from a source
// manifest and the TA executable at binaryPath. The source manifest is a
// manifest.toml that may leave out binary and binary_sha256; Pack sets them to
// the executable's base name and digest, copies the executable into outDir with
// mode 0755, writes the re-encoded manifest.toml and signs it with priv.
//
// Each file is replaced atomically, the signature last, so a catalog scanning
// outDir sees at worst a mismatched signature for an instant, which it refuses
// and retries on the next change, never a torn file.
func Pack(srcManifest []byte, binaryPath, outDir string, priv ed25519.PrivateKey) (*Manifest, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("signing key of %d bytes, not Ed25519", len(priv))
	}
	m, err := parseManifest(srcManifest, false)
	if err != nil {
		return nil, err
	}
	m.Binary = filepath.Base(binaryPath)
	if err := checkBinaryName(m.Binary); err != nil {
		return nil, err
	}
	bin, err := readRegular(binaryPath, MaxBinarySize)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bin)
	m.BinarySHA256 = hex.EncodeToString(sum[:])

	data, err := m.Encode()
	if err != nil {
		return nil, err
	}
	// What is signed must be what teed will read: check the round trip here
	// rather than ship a package no one can load.
	back, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("encoded manifest does not parse: %w", err)
	}
	if !reflect.DeepEqual(back, m) {
		return nil, errors.New("encoded manifest does not parse back the same")
	}

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{m.Binary, bin, 0o755},
		{ManifestFile, data, 0o644},
		{SignatureFile, SignManifest(priv, data), 0o644},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(outDir, f.name), f.data, f.mode); err != nil {
			return nil, err
		}
	}
	return m, nil
}
