// Command teectl is gotee's developer and operator CLI: it makes signing keys
// and builds and checks signed TA packages.
//
//	teectl keygen [-out PATH]
//	teectl pack -manifest SRC.toml -binary FILE -out DIR [-key PRIV]
//	teectl verify [-trust PUB]... DIR
//	teectl dev-pubkey
package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gotee/gotee/internal/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: teectl <command> [flags]

commands:
  keygen      make an Ed25519 signing key pair
  pack        build a signed TA package
  verify      check a TA package's signature and binary
  dev-pubkey  print the path of the development public key

Run "teectl <command> -h" for a command's flags.
`

// usageError is a mistake in the command line; the command's usage follows it.
type usageError string

func (e usageError) Error() string { return string(e) }

// run executes one teectl command line and returns the exit code: 0, or 1 after
// printing one line of error (or the usage) on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 1
	}
	name, args := args[0], args[1:]
	var setup func(*flag.FlagSet) func([]string, io.Writer) error
	switch name {
	case "keygen":
		setup = keygenCmd
	case "pack":
		setup = packCmd
	case "verify":
		setup = verifyCmd
	case "dev-pubkey":
		setup = devPubkeyCmd
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "teectl: unknown command %q\n\n%s", name, usage)
		return 1
	}
	fs := flag.NewFlagSet("teectl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	do := setup(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1 // the flag package has printed the problem and the usage
	}
	if err := do(fs.Args(), stdout); err != nil {
		fmt.Fprintf(stderr, "teectl %s: %s\n", name, oneLine(err.Error()))
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr)
			fs.Usage()
		}
		return 1
	}
	return 0
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func setUsage(fs *flag.FlagSet, synopsis, help string) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s\n\n%s\n", fs.Name(), synopsis, help)
		fs.PrintDefaults()
	}
}

func keygenCmd(fs *flag.FlagSet) func([]string, io.Writer) error {
	out := fs.String("out", "", "private key `path` (default: the development key, "+devKeyHint()+")")
	setUsage(fs, "[-out PATH]", "Makes an Ed25519 key pair: the private key at PATH (mode 0600) and the\npublic key at PATH.pub, and prints the public key's path. An existing\nprivate key is never overwritten.")
	return func(args []string, stdout io.Writer) error {
		if len(args) != 0 {
			return usageError("unexpected arguments")
		}
		path := *out
		if path == "" {
			if path = store.DevKeyPath(); path == "" {
				return errors.New("no place for the dev signing key: set GOTEE_DEV_KEY or HOME, or use -out")
			}
		}
		if _, err := store.GenerateKeyFiles(path); err != nil {
			return err
		}
		fmt.Fprintln(stdout, path+".pub")
		return nil
	}
}

func packCmd(fs *flag.FlagSet) func([]string, io.Writer) error {
	manifest := fs.String("manifest", "", "source manifest `file` (binary and binary_sha256 may be left out)")
	binary := fs.String("binary", "", "the TA executable `file`")
	out := fs.String("out", "", "package `directory` to write (created if missing)")
	key := fs.String("key", "", "private key `path` to sign with (default: the development key, made if missing)")
	setUsage(fs, "-manifest SRC.toml -binary FILE -out DIR [-key PRIV]", "Builds a signed TA package in DIR: the executable, manifest.toml naming it\nwith its SHA-256, and manifest.sig.")
	return func(args []string, stdout io.Writer) error {
		if len(args) != 0 {
			return usageError("unexpected arguments")
		}
		if *manifest == "" || *binary == "" || *out == "" {
			return usageError("-manifest, -binary and -out are required")
		}
		src, err := os.ReadFile(*manifest)
		if err != nil {
			return err
		}
		priv, err := signingKey(*key)
		if err != nil {
			return err
		}
		m, err := store.Pack(src, *binary, *out, priv)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s %s\n", m.UUID, m.Name, *out)
		return nil
	}
}

func signingKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return store.EnsureDevKey()
	}
	return store.LoadPrivateKeyFile(path)
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func verifyCmd(fs *flag.FlagSet) func([]string, io.Writer) error {
	var trust listFlag
	fs.Var(&trust, "trust", "trusted public key `file`, may be repeated (default: the development public key)")
	setUsage(fs, "[-trust PUB]... DIR", "Checks that the package in DIR is signed by a trusted key and that its\nbinary matches, and prints its UUID and name.")
	return func(args []string, stdout io.Writer) error {
		if len(args) != 1 {
			return usageError("want one package directory")
		}
		if len(trust) == 0 {
			path := store.DevKeyPath()
			if path == "" {
				return errors.New("no trusted key: use -trust, or set GOTEE_DEV_KEY or HOME")
			}
			trust = listFlag{path + ".pub"}
		}
		keys := store.NewKeyring()
		for _, path := range trust {
			if _, err := keys.AddFile(path); err != nil {
				return fmt.Errorf("trusted key: %w", err)
			}
		}
		p, err := store.Load(args[0], keys)
		if err != nil {
			return err
		}
		defer p.Close()
		fmt.Fprintf(stdout, "%s %s\n", p.Manifest.UUID, p.Manifest.Name)
		return nil
	}
}

func devPubkeyCmd(fs *flag.FlagSet) func([]string, io.Writer) error {
	setUsage(fs, "", "Prints the path of the development public key, making the key pair if\nthere is none yet.")
	return func(args []string, stdout io.Writer) error {
		if len(args) != 0 {
			return usageError("unexpected arguments")
		}
		if _, err := store.EnsureDevKey(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, store.DevKeyPath()+".pub")
		return nil
	}
}

func devKeyHint() string {
	if p := store.DevKeyPath(); p != "" {
		return p
	}
	return "$GOTEE_DEV_KEY or ~/.config/gotee/dev-signing.key"
}
