// Command sha is the Go client of the sha example: it has the sha TA compute a
// digest of a message, or compute a MAC and then check it.
//
//	sha [message [algorithm]]
//
// The algorithm is HMAC_SHA256 unless named: HMAC_SHA1, HMAC_SHA224, HMAC_SHA256,
// HMAC_SHA384, HMAC_SHA512, AES_CMAC, SHA1, SHA224, SHA256, SHA384, SHA512,
// SHA3_224, SHA3_256, SHA3_384, SHA3_512, SHAKE128 or SHAKE256.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var shaTA = tee.MustParseUUID("1dc6a16b-2fba-4aa1-9519-ea8a6c8c16e5")

const (
	cmdPrepare       = 0
	cmdSetKey        = 1
	cmdSetIV         = 2
	cmdComputeMAC    = 3
	cmdCompareMAC    = 4
	cmdComputeDigest = 5
)

// An algorithm of the example: a MAC has a key type (sha_ta.h's numbering) and a
// key size in bytes; a digest has neither.
type algorithm struct {
	id      tee.Algorithm
	keyType uint32
	keySize int
}

var algorithms = map[string]algorithm{
	"HMAC_SHA256": {tee.AlgHMACSHA256, 0, 128},
	"HMAC_SHA1":   {tee.AlgHMACSHA1, 1, 64},
	"HMAC_SHA224": {tee.AlgHMACSHA224, 2, 64},
	"HMAC_SHA384": {tee.AlgHMACSHA384, 3, 128},
	"HMAC_SHA512": {tee.AlgHMACSHA512, 4, 128},
	"AES_CMAC":    {tee.AlgAESCMAC, 5, 16},
	"SHA1":        {id: tee.AlgSHA1},
	"SHA224":      {id: tee.AlgSHA224},
	"SHA256":      {id: tee.AlgSHA256},
	"SHA384":      {id: tee.AlgSHA384},
	"SHA512":      {id: tee.AlgSHA512},
	"SHA3_224":    {id: tee.AlgSHA3_224},
	"SHA3_256":    {id: tee.AlgSHA3_256},
	"SHA3_384":    {id: tee.AlgSHA3_384},
	"SHA3_512":    {id: tee.AlgSHA3_512},
	"SHAKE128":    {id: tee.AlgSHAKE128},
	"SHAKE256":    {id: tee.AlgSHAKE256},
}

func main() {
	msg, name := "Hello from gotee", "HMAC_SHA256"
	if len(os.Args) > 1 {
		msg = os.Args[1]
	}
	if len(os.Args) > 2 {
		name = os.Args[2]
	}
	alg, ok := algorithms[name]
	if !ok || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: sha [message [algorithm]]")
		os.Exit(2)
	}
	fmt.Printf("%s algo selected\n", name)
	if err := run(context.Background(), []byte(msg), alg); err != nil {
		fmt.Fprintln(os.Stderr, "sha:", err)
		os.Exit(1)
	}
}

func invoke(s *client.Session, cmd uint32, params ...client.Param) error {
	op := &client.Operation{}
	copy(op.Params[:], params)
	if err := s.Invoke(context.Background(), cmd, op); err != nil {
		return fmt.Errorf("command %d: %w", cmd, err)
	}
	return nil
}

func input(b []byte) *client.TempMemory {
	return &client.TempMemory{Type: tee.MemrefTempInput, Buffer: b}
}

func run(ctx context.Context, msg []byte, alg algorithm) error {
	fmt.Println("Prepare session with the TA")
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, shaTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()

	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 64)}
	if alg.keySize == 0 {
		fmt.Println("Compute digest")
		if err := invoke(s, cmdComputeDigest, input(msg), out, &client.Value{Type: tee.ValueInput, A: uint32(alg.id)}); err != nil {
			return err
		}
		fmt.Printf("digest: %x\n", out.Buffer[:out.Size])
		return nil
	}

	// prepare readies a MAC operation keyed with the example's dummy key.
	prepare := func() error {
		fmt.Println("Prepare MAC operation")
		err := invoke(s, cmdPrepare,
			&client.Value{Type: tee.ValueInput, A: uint32(alg.id)},
			&client.Value{Type: tee.ValueInput, A: uint32(alg.keySize)},
			&client.Value{Type: tee.ValueInput, A: alg.keyType})
		if err != nil {
			return err
		}
		fmt.Println("Load key in TA")
		if err := invoke(s, cmdSetKey, input(bytes.Repeat([]byte{0xa5}, alg.keySize))); err != nil {
			return err
		}
		fmt.Println("Reset operation in TA (provides the initial vector)")
		return invoke(s, cmdSetIV, input(nil))
	}
	if err := prepare(); err != nil {
		return err
	}
	fmt.Println("Compute MAC operation")
	if err := invoke(s, cmdComputeMAC, input(msg), out); err != nil {
		return err
	}
	mac := out.Buffer[:out.Size]
	if err := prepare(); err != nil {
		return err
	}
	fmt.Println("Compare the MAC")
	err = invoke(s, cmdCompareMAC, input(msg), input(mac))
	if errors.Is(err, tee.ErrMACInvalid) {
		return fmt.Errorf("MAC did not match (MAC: %x)", mac)
	}
	if err != nil {
		return err
	}
	fmt.Println("MAC successfully matching")
	fmt.Printf("MAC: %x\n", mac)
	return nil
}
