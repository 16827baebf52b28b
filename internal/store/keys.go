package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// signContext is prepended to the manifest before signing, so that a gotee
// manifest signature can never be mistaken for a signature by the same key over
// anything else (domain separation).
const signContext = "gotee-ta-manifest-v1\x00"

// maxKeyFile bounds how much of a key file is read.
const maxKeyFile = 64 << 10

func signedMessage(manifest []byte) []byte {
	msg := make([]byte, 0, len(signContext)+len(manifest))
	msg = append(msg, signContext...)
	return append(msg, manifest...)
}

// SignManifest returns the contents of manifest.sig for the exact manifest.toml
// bytes manifest: the 64-byte Ed25519 signature of "gotee-ta-manifest-v1\x00"
// followed by manifest. Since the manifest holds the binary's SHA-256, this signs
// the binary too.
func SignManifest(priv ed25519.PrivateKey, manifest []byte) []byte {
	return ed25519.Sign(priv, signedMessage(manifest))
}

// Keyring is the set of public keys teed trusts to sign TAs. It is safe for
// concurrent use.
type Keyring struct {
	mu   sync.RWMutex
	keys []ed25519.PublicKey // guarded by mu
}

// NewKeyring returns an empty keyring, which trusts nothing.
func NewKeyring() *Keyring { return &Keyring{} }

// Add trusts key. A key that is already there is not added twice. Like
// ed25519.Verify, Add panics if key is not ed25519.PublicKeySize bytes long: keys
// from [LoadPublicKeyFile] always are.
func (k *Keyring) Add(key ed25519.PublicKey) {
	if len(key) != ed25519.PublicKeySize {
		panic(fmt.Sprintf("store: Ed25519 public key of %d bytes", len(key)))
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, have := range k.keys {
		if have.Equal(key) {
			return
		}
	}
	k.keys = append(k.keys, append(ed25519.PublicKey(nil), key...))
}

// AddFile loads a public key file with [LoadPublicKeyFile] and trusts the key.
func (k *Keyring) AddFile(path string) (ed25519.PublicKey, error) {
	pub, err := LoadPublicKeyFile(path)
	if err != nil {
		return nil, err
	}
	k.Add(pub)
	return pub, nil
}

// Len returns the number of trusted keys.
func (k *Keyring) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.keys)
}

// Verify reports whether sig is a manifest signature (see [SignManifest]) over the
// manifest bytes manifest by any trusted key.
func (k *Keyring) Verify(manifest, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	msg := signedMessage(manifest)
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, key := range k.keys {
		if ed25519.Verify(key, msg, sig) {
			return true
		}
	}
	return false
}

// LoadPublicKeyFile reads an Ed25519 public key from a PEM "PUBLIC KEY" (PKIX) file.
func LoadPublicKeyFile(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key %s: %T, not Ed25519", path, key)
	}
	return pub, nil
}

// LoadPrivateKeyFile reads an Ed25519 private key from a PEM "PRIVATE KEY"
// (PKCS #8) file.
func LoadPrivateKeyFile(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key %s: %T, not Ed25519", path, key)
	}
	return priv, nil
}

func readPEM(path, blockType string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s: larger than %d bytes, not a key file", path, maxKeyFile)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if block.Type != blockType {
		return nil, fmt.Errorf("%s: PEM block %q, want %q", path, block.Type, blockType)
	}
	return block.Bytes, nil
}

// GenerateKeyFiles creates a new Ed25519 key pair: the private key at privPath
// (mode 0600) and the public key at privPath+".pub". Missing parent directories
// are created with mode 0700. An existing private key is never overwritten: the
// error then wraps fs.ErrExist.
func GenerateKeyFiles(privPath string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(privPath), 0o700); err != nil {
		return nil, fmt.Errorf("key directory: %w", err)
	}
	if _, err := os.Lstat(privPath); err == nil {
		return nil, fmt.Errorf("private key %s: %w", privPath, fs.ErrExist)
	}
	// Write the public key first, so that whenever the private key exists its
	// public half does too.
	if err := writePublicKey(privPath+".pub", pub); err != nil {
		return nil, err
	}
	pemData := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	// Write to a temporary file and link it into place: the key appears whole or
	// not at all, and link, unlike rename, fails if another process won a race
	// to create the key.
	if err := writeFileExclusive(privPath, pemData, 0o600); err != nil {
		return nil, fmt.Errorf("private key %s: %w", privPath, err)
	}
	return pub, nil
}

func writePublicKey(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("encode public key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("public key %s: %w", path, err)
	}
	return nil
}

// DevKeyPath returns where the local development signing key lives:
// $GOTEE_DEV_KEY if set, else $XDG_CONFIG_HOME/gotee/dev-signing.key, else
// $HOME/.config/gotee/dev-signing.key. It returns "" if none of these is set.
// The public key is next to it, with ".pub" appended.
func DevKeyPath() string {
	if p := os.Getenv("GOTEE_DEV_KEY"); p != "" {
		return p
	}
	// The XDG base directory spec says to ignore a relative XDG_CONFIG_HOME.
	if dir := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "gotee", "dev-signing.key")
	}
	if home := os.Getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", "gotee", "dev-signing.key")
	}
	return ""
}

// EnsureDevKey returns the development signing key at [DevKeyPath], generating it
// (and its public key file) on first use. It also rewrites a missing public key
// file from the private key.
func EnsureDevKey() (ed25519.PrivateKey, error) {
	path := DevKeyPath()
	if path == "" {
		return nil, errors.New("no place for the dev signing key: set GOTEE_DEV_KEY or HOME")
	}
	_, err := GenerateKeyFiles(path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("dev signing key: %w", err)
	}
	priv, err := LoadPrivateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("dev signing key: %w", err)
	}
	if _, err := os.Stat(path + ".pub"); errors.Is(err, fs.ErrNotExist) {
		if err := writePublicKey(path+".pub", priv.Public().(ed25519.PublicKey)); err != nil {
			return nil, fmt.Errorf("dev signing key: %w", err)
		}
	}
	return priv, nil
}
