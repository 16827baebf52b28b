package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gotee/gotee/internal/core"
	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/internal/store"
	"github.com/gotee/gotee/internal/tatime"
	"github.com/gotee/gotee/tee"
)

// Run serves until ctx is done, then shuts down cleanly: sessions closed, TAs'
// close and destroy entry points run, TA processes gone, socket file removed.
func Run(ctx context.Context, cfg *Config, log *slog.Logger) error {
	keys := store.NewKeyring()
	for _, path := range cfg.TrustedKeys {
		if _, err := keys.AddFile(path); err != nil {
			return fmt.Errorf("trusted key: %w", err)
		}
	}
	if *cfg.TrustDevKey {
		dev := store.DevKeyPath() + ".pub"
		if _, err := keys.AddFile(dev); err == nil {
			log.Warn("trusting the development signing key: TAs signed by it will run", "key", dev)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("development key: %w", err)
		}
	}
	if keys.Len() == 0 {
		log.Warn("no trusted signing keys: no TA will load until one is configured")
	}
	if err := os.MkdirAll(cfg.Storage, 0o700); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	deviceKey, err := loadDeviceKey(cfg.Storage)
	if err != nil {
		return err
	}
	times, err := tatime.New(filepath.Join(cfg.Storage, "time"), deviceKey)
	if err != nil {
		return err
	}
	objects, err := storage.Open(ctx, filepath.Join(cfg.Storage, "objects"), deviceKey, &storage.Options{
		CounterDir:           cfg.RollbackCounter,
		MaxBytesPerTA:        cfg.StorageQuota,
		ResetRollbackCounter: cfg.ResetRollbackCounter,
	})
	if errors.Is(err, storage.ErrRollback) || errors.Is(err, storage.ErrCounter) {
		return fmt.Errorf("trusted storage: %w (if the store was restored on purpose, start teed once with --reset-rollback-counter)", err)
	}
	if err != nil {
		return fmt.Errorf("trusted storage: %w", err)
	}
	defer objects.Close()
	if cfg.ResetRollbackCounter {
		log.Warn("trusted storage accepted as found: the rollback counter was reset")
	}

	for _, dir := range cfg.TADirs {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			log.Info("TA directory does not exist yet; TAs put there later will load", "dir", dir)
		}
	}
	cat := store.NewCatalog(cfg.TADirs, keys, log)
	defer cat.Close()
	cat.Scan()

	policy := map[tee.UUID][]store.Policy{}
	for _, r := range cfg.Access {
		policy[r.UUID] = append(policy[r.UUID], r.Policy)
	}
	srv := core.NewServer(core.Config{
		Catalog:       core.StoreCatalog(cat),
		Log:           log,
		TEEProperties: core.TEEProperties(core.DeviceID(deviceKey)),
		Time:          times,
		Objects:       objects,
		Secrets:       core.DeviceSecrets(deviceKey),
		Allow: func(ta tee.UUID, c *tee.Credentials) bool {
			for _, p := range policy[ta] {
				if !p.Allows(c) {
					return false
				}
			}
			return true
		},
	})
	l, err := core.Listen(cfg.Socket)
	if err != nil {
		return err
	}
	log.Info("teed serving", "socket", cfg.Socket, "ta_dirs", cfg.TADirs, "tas", len(cat.Packages()))

	scanCtx, stopScan := context.WithCancel(ctx)
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		cat.Run(scanCtx, cfg.ScanInterval.Duration)
	}()
	err = srv.Serve(ctx, l)
	stopScan()
	<-scanDone
	log.Info("teed stopped")
	return err
}

// ParseLevel maps a config log level to slog's.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}
