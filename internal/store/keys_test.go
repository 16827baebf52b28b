package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func newKey(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}

func TestKeyringVerify(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	manifest := []byte("name = \"x\"\n")
	sig := SignManifest(priv, manifest)

	keys := NewKeyring()
	if keys.Verify(manifest, sig) {
		t.Fatal("empty keyring verified a signature")
	}
	keys.Add(otherPub)
	keys.Add(pub)
	keys.Add(pub)
	if keys.Len() != 2 {
		t.Errorf("Len = %d, want 2", keys.Len())
	}

	tampered := append([]byte(nil), manifest...)
	tampered[0] ^= 1
	plain := ed25519.Sign(priv, manifest) // no domain separation
	tests := []struct {
		name          string
		manifest, sig []byte
		want          bool
	}{
		{"good", manifest, sig, true},
		{"other trusted key", manifest, SignManifest(otherPriv, manifest), true},
		{"tampered manifest", tampered, sig, false},
		{"short signature", manifest, sig[:63], false},
		{"long signature", manifest, append(sig, 0), false},
		{"signature without context", manifest, plain, false},
		{"untrusted key", manifest, SignManifest(func() ed25519.PrivateKey { _, p := newKey(t); return p }(), manifest), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keys.Verify(tt.manifest, tt.sig); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGenerateKeyFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "k.key")
	pub, err := GenerateKeyFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("key directory: %v, %v", fi.Mode(), err)
	}
	priv, err := LoadPrivateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Public().(ed25519.PublicKey).Equal(pub) {
		t.Error("private key does not match the returned public key")
	}
	pub2, err := LoadPublicKeyFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if !pub2.Equal(pub) {
		t.Error("public key file does not match")
	}

	if _, err := GenerateKeyFiles(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second GenerateKeyFiles: %v, want ErrExist", err)
	}
	if again, _ := LoadPrivateKeyFile(path); !again.Equal(priv) {
		t.Error("existing private key was overwritten")
	}

	// Each loader refuses the other's file.
	if _, err := LoadPublicKeyFile(path); err == nil {
		t.Error("private key file loaded as a public key")
	}
	if _, err := LoadPrivateKeyFile(path + ".pub"); err == nil {
		t.Error("public key file loaded as a private key")
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("not pem"), 0o600)
	if _, err := LoadPublicKeyFile(junk); err == nil {
		t.Error("junk loaded as a public key")
	}
}

func TestDevKeyPath(t *testing.T) {
	tests := []struct {
		name, devKey, xdg, home, want string
	}{
		{"override", "/k/dev.key", "/xdg", "/home/u", "/k/dev.key"},
		{"xdg", "", "/xdg", "/home/u", "/xdg/gotee/dev-signing.key"},
		{"relative xdg ignored", "", "xdg", "/home/u", "/home/u/.config/gotee/dev-signing.key"},
		{"home", "", "", "/home/u", "/home/u/.config/gotee/dev-signing.key"},
		{"nothing", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOTEE_DEV_KEY", tt.devKey)
			t.Setenv("XDG_CONFIG_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := DevKeyPath(); got != tt.want {
				t.Errorf("DevKeyPath = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnsureDevKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "dev.key")
	t.Setenv("GOTEE_DEV_KEY", path)
	k1, err := EnsureDevKey()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path + ".pub")
	k2, err := EnsureDevKey()
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Error("EnsureDevKey made a new key although one existed")
	}
	pub, err := LoadPublicKeyFile(path + ".pub")
	if err != nil {
		t.Fatalf("public key not rewritten: %v", err)
	}
	if !pub.Equal(k1.Public()) {
		t.Error("rewritten public key does not match")
	}
}
