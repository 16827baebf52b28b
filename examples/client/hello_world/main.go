// Command hello_world is the Go client of the hello_world example: it opens a
// session on the hello_world TA and has it increment a value.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var helloWorldTA = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "hello_world:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, helloWorldTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	v := &client.Value{Type: tee.ValueInout, A: 42}
	fmt.Printf("Invoking TA to increment %d\n", v.A)
	if err := s.Invoke(ctx, 0, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	fmt.Printf("TA incremented value to %d\n", v.A)
	return nil
}
