// Command secapi-provision gives a gotee installation's SecAPI TA its root keys, as a
// factory provisions a device's OTP keys, or as RDK's tests expect their test
// keystore to be there. Run it as root (the SecAPI TA accepts root keys only from a
// USER login of uid 0) against a running teed:
//
//	secapi-provision [-socket PATH] -p12 FILE [-password PW]
//	secapi-provision [-socket PATH] -unique FILE -common FILE [-device-id HEX]
//	secapi-provision [-socket PATH] -status
//
// -p12 reads a PKCS#12 keystore in RDK's form (reference/test/root_keystore.p12: the
// "commonroot" secret key and the unique key named by the device ID in hex); its
// password is -password, else $ROOT_KEYSTORE_PASSWORD, else the test keystore's.
// -unique and -common are files of raw key bytes (16 or 32). The keystore is write-once:
// provisioning the same keys again succeeds, other keys are refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("secapi-provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	socket := fs.String("socket", "", "teed's socket (default $TEE_SOCKET, else teed's default)")
	p12 := fs.String("p12", "", "PKCS#12 root keystore")
	password := fs.String("password", "", "keystore password (default $ROOT_KEYSTORE_PASSWORD, else RDK's test password)")
	unique := fs.String("unique", "", "file with the unique root key's bytes")
	common := fs.String("common", "", "file with the common root key's bytes")
	deviceID := fs.String("device-id", "", "device ID in hex, with -unique and -common (default: the TEE's)")
	status := fs.Bool("status", false, "only report whether root keys are provisioned")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := provision(ctx, *socket, *p12, *password, *unique, *common, *deviceID, *status, stdout); err != nil {
		fmt.Fprintln(stderr, "secapi-provision:", err)
		var u usageError
		if errors.As(err, &u) {
			fs.Usage()
			return 2
		}
		return 1
	}
	return 0
}

type usageError string

func (e usageError) Error() string { return string(e) }

func provision(ctx context.Context, socket, p12, password, unique, common, deviceID string, status bool, stdout io.Writer) error {
	var keys secapi.RootKeys
	switch {
	case status:
		if p12 != "" || unique != "" || common != "" {
			return usageError("-status takes no keys")
		}
	case p12 != "":
		if unique != "" || common != "" || deviceID != "" {
			return usageError("-p12 or -unique/-common, not both")
		}
		if password == "" {
			password = os.Getenv("ROOT_KEYSTORE_PASSWORD")
		}
		if password == "" {
			password = secapi.DefaultRootKeystorePassword
		}
		der, err := os.ReadFile(p12)
		if err != nil {
			return err
		}
		if keys, err = secapi.ReadRootKeystore(der, password); err != nil {
			return err
		}
	case unique != "" && common != "":
		var err error
		if keys.Unique, err = os.ReadFile(unique); err != nil {
			return err
		}
		if keys.Common, err = os.ReadFile(common); err != nil {
			return err
		}
		if deviceID != "" {
			if keys.DeviceID, err = strconv.ParseUint(deviceID, 16, 64); err != nil {
				return usageError("-device-id: " + err.Error())
			}
		}
	default:
		return usageError("give -p12, or -unique and -common, or -status")
	}
	defer clear(keys.Unique)
	defer clear(keys.Common)

	tctx, err := client.NewContext(ctx, socket)
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer tctx.Close()
	c := secapi.NewClient(tctx, client.Login{Method: tee.LoginUser})
	defer c.Close()
	if !status {
		if err := c.ProvisionRootKeys(ctx, keys); err != nil {
			if errors.Is(err, secapi.StatusOperationNotAllowed) {
				return fmt.Errorf("refused (%w): run as root, and the keystore takes other keys only on fresh storage", err)
			}
			return err
		}
		// A new session picks up the keystore: check it does.
		c.Close()
		c = secapi.NewClient(tctx, client.Login{Method: tee.LoginUser})
		defer c.Close()
	}
	ok, err := c.RootKeysProvisioned(ctx)
	if err != nil {
		return err
	}
	id, err := c.DeviceID(ctx)
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(stdout, "root keys provisioned; device ID %016x\n", id)
	} else {
		fmt.Fprintf(stdout, "root keys not provisioned (derived from the device secret); device ID %016x\n", id)
	}
	if !status && !ok {
		return errors.New("a new session does not use the provisioned keys")
	}
	return nil
}
