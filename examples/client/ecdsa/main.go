// Command ecdsa is the Go client of the ecdsa example: the ecdsa TA hashes a
// message, generates a key pair on the curve of the algorithm, then signs the
// digest and verifies the signature.
//
//	ecdsa [algorithm]
//
// The algorithm is ECDSA_SHA256 unless named: ECDSA_SHA1, ECDSA_SHA224,
// ECDSA_SHA256, ECDSA_SHA384 or ECDSA_SHA512.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var ecdsaTA = tee.MustParseUUID("1945e8e7-0278-4bfb-bb99-af1080b2a934")

const (
	cmdComputeDigest    = 0
	cmdGenKey           = 1
	cmdSignVerifyDigest = 2
)

var algorithms = map[string]tee.Algorithm{
	"ECDSA_SHA1":   tee.AlgECDSASHA1,
	"ECDSA_SHA224": tee.AlgECDSASHA224,
	"ECDSA_SHA256": tee.AlgECDSASHA256,
	"ECDSA_SHA384": tee.AlgECDSASHA384,
	"ECDSA_SHA512": tee.AlgECDSASHA512,
}

func main() {
	name := "ECDSA_SHA256"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	alg, ok := algorithms[name]
	if !ok || len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: ecdsa [algorithm]")
		os.Exit(2)
	}
	fmt.Printf("%s algo selected\n", name)
	if err := run(context.Background(), alg); err != nil {
		fmt.Fprintln(os.Stderr, "ecdsa:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, alg tee.Algorithm) error {
	fmt.Println("Prepare session with the TA")
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, ecdsaTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()

	fmt.Println("Compute digest")
	digest := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 64)}
	err = s.Invoke(ctx, cmdComputeDigest, &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte("hello world")}, digest,
		&client.Value{Type: tee.ValueInput, A: uint32(alg)},
	}})
	if err != nil {
		return fmt.Errorf("compute digest: %w", err)
	}
	fmt.Println("Generate the key")
	if err := s.Invoke(ctx, cmdGenKey, nil); err != nil {
		return fmt.Errorf("generate the key: %w", err)
	}
	fmt.Println("Sign and verify the digest")
	sig := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 512)}
	err = s.Invoke(ctx, cmdSignVerifyDigest, &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: digest.Buffer[:digest.Size]}, sig,
	}})
	if err != nil {
		return fmt.Errorf("sign and verify: %w", err)
	}
	fmt.Println("verify signature successfully.")
	fmt.Printf("signature: % x\n", sig.Buffer[:sig.Size])
	return nil
}
