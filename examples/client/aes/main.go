// Command aes is the Go client of the aes example: it has the aes TA encrypt a
// buffer with AES (CTR unless an algorithm is named: TA_AES_ALGO_ECB, _CBC, _CTR,
// _CCM or _GCM), decrypt it again, and checks that the round trip gave the clear
// text back.
//
//	aes [algorithm]
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

var aesTA = tee.MustParseUUID("5dbac793-f574-4871-8ad3-04331ec17f24")

// Commands and constants of the example's aes_ta.h.
const (
	cmdPrepare = 0
	cmdSetKey  = 1
	cmdSetIV   = 2
	cmdCipher  = 3
	cmdAuthEnc = 4

	modeDecode = 0
	modeEncode = 1
)

var algorithms = map[string]uint32{
	"TA_AES_ALGO_ECB": 0, "TA_AES_ALGO_CBC": 1, "TA_AES_ALGO_CTR": 2, "TA_AES_ALGO_CCM": 3, "TA_AES_ALGO_GCM": 4,
}

func main() {
	name := "TA_AES_ALGO_CTR"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	algo, ok := algorithms[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "aes: %s algo is invalid\n", name)
		os.Exit(2)
	}
	fmt.Printf("%s algo selected\n", name)
	if err := run(context.Background(), algo); err != nil {
		fmt.Fprintln(os.Stderr, "aes:", err)
		os.Exit(1)
	}
}

type session struct {
	*client.Session
	algo uint32
}

func (s session) invoke(cmd uint32, params ...client.Param) error {
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

// prepare configures the TA for encode or decode and loads the key.
func (s session) prepare(mode uint32, key []byte) error {
	err := s.invoke(cmdPrepare,
		&client.Value{Type: tee.ValueInput, A: s.algo},
		&client.Value{Type: tee.ValueInput, A: uint32(len(key))},
		&client.Value{Type: tee.ValueInput, A: mode})
	if err != nil {
		return err
	}
	fmt.Println("Load key in TA")
	return s.invoke(cmdSetKey, input(key))
}

// cipher resets the TA's operation with iv (none for ECB) and ciphers in.
func (s session) cipher(what string, iv, in []byte) ([]byte, error) {
	fmt.Println("Reset ciphering operation in TA (provides the initial vector)")
	if s.algo == 0 {
		iv = nil
	}
	if err := s.invoke(cmdSetIV, input(iv)); err != nil {
		return nil, err
	}
	fmt.Println(what, "buffer from TA")
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, len(in))}
	err := s.invoke(cmdCipher, input(in), out)
	return out.Buffer[:out.Size], err
}

// authEnc encrypts or decrypts in, producing or checking tag.
func (s session) authEnc(mode uint32, in, tag []byte) (out, outTag []byte, err error) {
	o := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 80)}
	t := &client.TempMemory{Type: tee.MemrefTempInout, Buffer: tag}
	err = s.invoke(cmdAuthEnc, input(in), o, &client.Value{Type: tee.ValueInput, A: mode}, t)
	return o.Buffer[:o.Size], t.Buffer[:t.Size], err
}

func run(ctx context.Context, algo uint32) error {
	fmt.Println("Prepare session with the TA")
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	sess, err := c.OpenSession(ctx, aesTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer sess.Close()
	s := session{sess, algo}
	key := bytes.Repeat([]byte{0xa5}, 16)
	iv := make([]byte, 16)
	ae := algo == 3 || algo == 4

	plain := bytes.Repeat([]byte{0x5a}, 4096)
	if ae {
		plain = []byte("TestCCMMessage")
	}
	fmt.Println("Prepare encode operation")
	if err := s.prepare(modeEncode, key); err != nil {
		return err
	}
	var ciph, tag []byte
	if ae {
		fmt.Println("AE encode operation in TA")
		ciph, tag, err = s.authEnc(modeEncode, plain, make([]byte, 16))
	} else {
		ciph, err = s.cipher("Encode", iv, plain)
	}
	if err != nil {
		return err
	}

	fmt.Println("Prepare decode operation")
	if err := s.prepare(modeDecode, key); err != nil {
		return err
	}
	var decoded []byte
	if ae {
		fmt.Println("AE decode operation in TA")
		decoded, _, err = s.authEnc(modeDecode, ciph, tag)
	} else {
		decoded, err = s.cipher("Decode", iv, ciph)
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(plain, decoded) {
		return errors.New("clear text and decoded text differ")
	}
	if ae {
		fmt.Println("AE encryption/decryption successful!")
	} else {
		fmt.Println("Clear text and decoded text match")
	}
	return nil
}
