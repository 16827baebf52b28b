// Command random is the Go client of the random example: it asks the random TA
// for 16 random bytes.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var randomTA = tee.MustParseUUID("b6c53aba-9669-4668-a7f2-205629d00f86")

func main() {
	ctx := context.Background()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "random:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, randomTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
	if err := s.Invoke(ctx, 0, &client.Operation{Params: [4]client.Param{out}}); err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	fmt.Printf("TA generated UUID value = 0x%x\n", out.Buffer[:out.Size])
	return nil
}
