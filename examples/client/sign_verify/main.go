// Command sign_verify is the Go client of the sign_verify example: the
// sign_verify TA generates an RSA key, signs a message's digest, verifies the
// signature and returns it.
//
//	sign_verify [key-size [algorithm]]
//
// The key size is in bits (2048 unless given); the algorithm is PKCS1_V1_5_SHA256
// unless named: PKCS1_V1_5_SHA1, _SHA224, _SHA256, _SHA384, _SHA512, or
// PKCS1_PSS_MGF1_SHA1, _SHA224, _SHA256, _SHA384, _SHA512.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var signVerifyTA = tee.MustParseUUID("f066f150-42af-404f-ae32-c8e6cd117e70")

const cmdSignVerify = 0

// The algorithm numbers of the example's sign_verify_ta.h.
var algorithms = map[string]uint32{
	"PKCS1_PSS_MGF1_SHA1": 0, "PKCS1_PSS_MGF1_SHA224": 1, "PKCS1_PSS_MGF1_SHA256": 2,
	"PKCS1_PSS_MGF1_SHA384": 3, "PKCS1_PSS_MGF1_SHA512": 4,
	"PKCS1_V1_5_SHA1": 5, "PKCS1_V1_5_SHA224": 6, "PKCS1_V1_5_SHA256": 7,
	"PKCS1_V1_5_SHA384": 8, "PKCS1_V1_5_SHA512": 9,
}

func main() {
	args := []string{"2048", "PKCS1_V1_5_SHA256"}
	copy(args, os.Args[1:])
	bits, err := strconv.ParseUint(args[0], 0, 32)
	alg, ok := algorithms[args[1]]
	if err != nil || !ok || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: sign_verify [key-size [algorithm]]")
		os.Exit(2)
	}
	fmt.Printf("Key size: %d\n%s algo selected\n", bits, args[1])
	if err := run(context.Background(), uint32(bits), alg); err != nil {
		fmt.Fprintln(os.Stderr, "sign_verify:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bits, alg uint32) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, signVerifyTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	sig := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 512)}
	op := &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte("HelloFromHost")}, sig,
		&client.Value{Type: tee.ValueInput, A: alg}, &client.Value{Type: tee.ValueInput, A: bits},
	}}
	if err := s.Invoke(ctx, cmdSignVerify, op); err != nil {
		return fmt.Errorf("sign and verify: %w", err)
	}
	fmt.Printf("Sign and verify successful. Signature length: %d bytes\n", sig.Size)
	fmt.Printf("Signature: % x\n", sig.Buffer[:sig.Size])
	return nil
}
