// Command ecdh is the Go client of the ecdh example: the ecdh TA generates two key
// pairs on NIST P-384, derives the ECDH shared secret from both sides, checks they
// agree and returns the secret. The client asks first how large the secret is.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var ecdhTA = tee.MustParseUUID("50c82425-94da-4072-a3e0-58ef063767c0")

const (
	cmdDeriveSelftest = 0
	curveNISTP384     = 3 // ecdh_ta.h's numbering
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "ecdh:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, ecdhTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	secret := &client.TempMemory{Type: tee.MemrefTempOutput}
	op := &client.Operation{Params: [4]client.Param{&client.Value{Type: tee.ValueInput, A: curveNISTP384}, nil, nil, secret}}
	err = s.Invoke(ctx, cmdDeriveSelftest, op)
	if errors.Is(err, tee.ErrShortBuffer) {
		secret.Buffer = make([]byte, secret.Size)
		err = s.Invoke(ctx, cmdDeriveSelftest, op)
	}
	if err != nil {
		return fmt.Errorf("derive self-test: %w", err)
	}
	fmt.Printf("ECDH shared secret (%d bytes) on curve id %d:\n", secret.Size, curveNISTP384)
	for b := secret.Buffer[:secret.Size]; len(b) > 0; b = b[min(32, len(b)):] {
		fmt.Println(hex.EncodeToString(b[:min(32, len(b))]))
	}
	return nil
}
