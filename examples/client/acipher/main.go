// Command acipher is the Go client of the acipher example: it has the acipher TA
// generate an RSA key, encrypt a string with it and decrypt the result, asking
// each time first how large the output will be, and checks the round trip.
//
//	acipher [key-size [string [algorithm]]]
//
// The key size is in bits (2048 unless given); the algorithm is TA_ALG_PKCS1_V1_5
// unless named: TA_ALG_OAEP_MGF1_SHA1, _SHA224, _SHA256, _SHA384 or _SHA512.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var acipherTA = tee.MustParseUUID("a734eed9-d6a1-4244-aa50-7c99719e7b7b")

const (
	cmdGenKey         = 0
	cmdEncryptDecrypt = 1
)

var algorithms = map[string]tee.Algorithm{
	"TA_ALG_PKCS1_V1_5":       tee.AlgRSAESPKCS1v15,
	"TA_ALG_OAEP_MGF1_SHA1":   tee.AlgRSAESPKCS1OAEPMGF1SHA1,
	"TA_ALG_OAEP_MGF1_SHA224": tee.AlgRSAESPKCS1OAEPMGF1SHA224,
	"TA_ALG_OAEP_MGF1_SHA256": tee.AlgRSAESPKCS1OAEPMGF1SHA256,
	"TA_ALG_OAEP_MGF1_SHA384": tee.AlgRSAESPKCS1OAEPMGF1SHA384,
	"TA_ALG_OAEP_MGF1_SHA512": tee.AlgRSAESPKCS1OAEPMGF1SHA512,
}

func main() {
	args := []string{"2048", "Hello from gotee", "TA_ALG_PKCS1_V1_5"}
	copy(args, os.Args[1:])
	bits, err := strconv.ParseUint(args[0], 0, 32)
	alg, ok := algorithms[args[2]]
	if err != nil || !ok || len(os.Args) > 4 {
		fmt.Fprintln(os.Stderr, "usage: acipher [key-size [string [algorithm]]]")
		os.Exit(2)
	}
	fmt.Printf("%s algo selected\n", args[2])
	if err := run(context.Background(), uint32(bits), []byte(args[1]), alg); err != nil {
		fmt.Fprintln(os.Stderr, "acipher:", err)
		os.Exit(1)
	}
}

// crypt runs ENCRYPT_DECRYPT twice: with no output buffer, to learn the size the
// result needs, then with a buffer of that size.
func crypt(ctx context.Context, s *client.Session, encrypt bool, alg tee.Algorithm, in []byte) ([]byte, error) {
	dir := &client.Value{Type: tee.ValueInput}
	if encrypt {
		dir.A = 1
	}
	out := &client.TempMemory{Type: tee.MemrefTempOutput}
	op := &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: in}, out, dir,
		&client.Value{Type: tee.ValueInput, A: uint32(alg)},
	}}
	err := s.Invoke(ctx, cmdEncryptDecrypt, op)
	var te *tee.Error
	if !errors.As(err, &te) || te.Code != tee.ErrShortBuffer || te.Origin != tee.OriginTrustedApp {
		return nil, fmt.Errorf("asking for the output size: want SHORT_BUFFER from the TA, got %v", err)
	}
	out.Buffer = make([]byte, out.Size)
	if err := s.Invoke(ctx, cmdEncryptDecrypt, op); err != nil {
		return nil, err
	}
	return out.Buffer[:out.Size], nil
}

func run(ctx context.Context, bits uint32, msg []byte, alg tee.Algorithm) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, acipherTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	v := &client.Value{Type: tee.ValueInput, A: bits}
	if err := s.Invoke(ctx, cmdGenKey, &client.Operation{Params: [4]client.Param{v}}); err != nil {
		return fmt.Errorf("generate a %d-bit key: %w", bits, err)
	}
	ct, err := crypt(ctx, s, true, alg, msg)
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	fmt.Printf("Encrypted buffer: % x\n", ct)
	pt, err := crypt(ctx, s, false, alg, ct)
	if err != nil {
		return fmt.Errorf("decrypt: %w", err)
	}
	if !bytes.Equal(pt, msg) {
		return fmt.Errorf("message is not matching: decrypted %q", pt)
	}
	fmt.Println("message is matching successfully")
	return nil
}
