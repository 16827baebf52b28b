// Command hotp is the Go client of the hotp example: it registers RFC 4226's test
// key with the hotp TA, asks it for ten one-time passwords and checks them against
// the RFC's test values.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var hotpTA = tee.MustParseUUID("484d4143-2d53-4841-3120-4a6f636b6542")

const (
	cmdRegisterSharedKey = 0
	cmdGetHOTP           = 1
)

// RFC 4226 Appendix D: the key and the HOTP values for counters 0 to 9.
var (
	rfcKey    = []byte("12345678901234567890")
	rfcValues = []uint32{755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489}
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "hotp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, hotpTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()

	fmt.Printf("Register the shared key: % x\n", rfcKey)
	key := &client.TempMemory{Type: tee.MemrefTempInput, Buffer: rfcKey}
	if err := s.Invoke(ctx, cmdRegisterSharedKey, &client.Operation{Params: [4]client.Param{key}}); err != nil {
		return fmt.Errorf("register the shared key: %w", err)
	}
	for i, want := range rfcValues {
		v := &client.Value{Type: tee.ValueOutput}
		if err := s.Invoke(ctx, cmdGetHOTP, &client.Operation{Params: [4]client.Param{v}}); err != nil {
			return fmt.Errorf("get HOTP %d: %w", i, err)
		}
		fmt.Printf("HOTP: %d\n", v.A)
		if v.A != want {
			return fmt.Errorf("HOTP %d: got %d, RFC 4226 says %d", i, v.A, want)
		}
	}
	return nil
}
