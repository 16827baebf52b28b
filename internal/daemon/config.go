package daemon

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/tee"
)

// Config is teed's configuration. Zero fields take defaults (see Defaults).
type Config struct {
	Socket       string   `toml:"socket"`
	TADirs       []string `toml:"ta_dirs"`
	Storage      string   `toml:"storage"`
	TrustedKeys  []string `toml:"trusted_keys"`  // PEM Ed25519 public keys that may sign TAs
	TrustDevKey  *bool    `toml:"trust_dev_key"` // also trust this user's development key (default true)
	LogLevel     string   `toml:"log_level"`     // debug, info, warn, error
	ScanInterval duration `toml:"scan_interval"` // how often TA directories are rescanned
	// Access adds operator policy per TA on top of the TA manifests' own.
	Access []AccessRule `toml:"access"`
	// RollbackCounter is the directory of trusted storage's emulated RPMB counter,
	// <storage>/rpmb by default, beside the store in <storage>/objects. Put it on
	// another file system than the store, so the two cannot be copied back together.
	RollbackCounter string `toml:"rollback_counter"`
	// StorageQuota bounds the bytes of one TA's persistent objects (default 64 MiB).
	StorageQuota int64 `toml:"storage_quota"`
	// ResetRollbackCounter makes teed accept the store as it finds it, once: for
	// an operator who restored it from a backup on purpose. It is a flag only.
	ResetRollbackCounter bool `toml:"-"`
}

// AccessRule restricts who may open sessions on one TA (see store.Policy.Allows).
type AccessRule struct {
	UUID tee.UUID `toml:"uuid"`
	store.Policy
}

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v <= 0 {
		return fmt.Errorf("duration %s: must be positive", b)
	}
	d.Duration = v
	return nil
}

// LoadConfig reads a TOML config file strictly: unknown keys are errors, so a typo
// does not silently leave a policy out.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("config %s: unknown key %q", path, und[0].String())
	}
	return &c, nil
}

// Defaults fills in what c leaves out: the socket from tee.DefaultSocket, and TA
// and storage directories under /usr/lib and /var/lib for root, under the XDG data
// directory for a user.
func (c *Config) Defaults() {
	if c.Socket == "" {
		c.Socket = tee.DefaultSocket()
	}
	data := "/var/lib/gotee"
	tas := "/usr/lib/gotee/ta"
	if os.Geteuid() != 0 {
		base := os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".local", "share")
		}
		data = filepath.Join(base, "gotee")
		tas = filepath.Join(data, "ta")
	}
	if len(c.TADirs) == 0 {
		c.TADirs = []string{tas}
	}
	if c.Storage == "" {
		c.Storage = filepath.Join(data, "storage")
	}
	if c.RollbackCounter == "" {
		c.RollbackCounter = filepath.Join(c.Storage, "rpmb")
	}
	if c.TrustDevKey == nil {
		t := true
		c.TrustDevKey = &t
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.ScanInterval.Duration == 0 {
		c.ScanInterval.Duration = time.Second
	}
}
