// Command teed is gotee's trusted OS: it serves the GP TEE Client API on a Unix
// socket and runs each Trusted Application instance as an isolated process.
//
//	teed [--socket PATH] [--ta-dir DIR]... [--storage DIR] [--config FILE] [--reset-rollback-counter]
//
// With no flags it runs on working defaults; flags override the config file.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gotee/gotee/internal/daemon"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var (
		socket, storage, config, level string
		taDirs                         listFlag
		resetCounter                   bool
	)
	flag.StringVar(&socket, "socket", "", "listen on this Unix socket (default $TEE_SOCKET, $XDG_RUNTIME_DIR/gotee/teed.sock or /run/gotee/teed.sock)")
	flag.Var(&taDirs, "ta-dir", "directory of signed TA packages (repeatable)")
	flag.StringVar(&storage, "storage", "", "directory for trusted storage")
	flag.StringVar(&config, "config", "", "TOML configuration file")
	flag.StringVar(&level, "log-level", "", "debug, info, warn or error")
	flag.BoolVar(&resetCounter, "reset-rollback-counter", false, "accept trusted storage as found, once, after restoring it on purpose")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}

	cfg := &daemon.Config{}
	if config != "" {
		c, err := daemon.LoadConfig(config)
		if err != nil {
			fail(err)
		}
		cfg = c
	}
	if socket != "" {
		cfg.Socket = socket
	}
	if len(taDirs) > 0 {
		cfg.TADirs = taDirs
	}
	if storage != "" {
		cfg.Storage = storage
	}
	if level != "" {
		cfg.LogLevel = level
	}
	cfg.ResetRollbackCounter = resetCounter
	cfg.Defaults()
	lvl, err := daemon.ParseLevel(cfg.LogLevel)
	if err != nil {
		fail(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := daemon.Run(ctx, cfg, log); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "teed:", err)
	os.Exit(1)
}
