// Command drm is the Go client of the drm example: it plays both the license
// server and the player. For each scheme (AES-CBC, AES-CTR, AES-GCM) it makes a
// content key, encrypts a sample with Go's AES, hands the drm TA a license with the
// key, has the TA decrypt the sample through the SecAPI TA and checks the clear
// sample. Then it shows that the key is the drm TA's alone: its handle means nothing
// in this client's own SecAPI session, a key this client imports bound to the drm
// TA's UUID is refused to this client (OPERATION_NOT_ALLOWED), and the drm TA is
// refused a key bound to this client's UUID.
package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

var drmTA = tee.MustParseUUID("6d2a7c1e-4b3f-4e8a-9d52-44524d000001")

const (
	cmdProvision    = 0
	cmdDecrypt      = 1
	cmdSecAPIUUID   = 2
	cmdCheckBinding = 3
)

const (
	schemeCBC = 1
	schemeCTR = 2
	schemeGCM = 3
)

var schemeNames = map[uint32]string{schemeCBC: "AES-CBC", schemeCTR: "AES-CTR", schemeGCM: "AES-GCM"}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "drm:", err)
		os.Exit(1)
	}
}

// license is the drm TA's license format (see examples/ta/drm).
func license(kid []byte, scheme uint32, expiry uint64, key []byte) []byte {
	b := append([]byte("GDL1"), kid...)
	b = binary.LittleEndian.AppendUint32(b, scheme)
	b = binary.LittleEndian.AppendUint64(b, expiry)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	return append(b, key...)
}

// encrypt is the packager's side: the sample encrypted under key with Go's AES, and
// the IV it used.
func encrypt(scheme uint32, key, sample []byte) (iv, enc []byte) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	switch scheme {
	case schemeCBC:
		iv = random(16)
		pad := 16 - len(sample)%16
		enc = append(append([]byte(nil), sample...), bytes.Repeat([]byte{byte(pad)}, pad)...)
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(enc, enc)
	case schemeCTR:
		iv = random(16)
		enc = make([]byte, len(sample))
		cipher.NewCTR(blk, iv).XORKeyStream(enc, sample)
	case schemeGCM:
		iv = random(12)
		g, _ := cipher.NewGCM(blk)
		enc = g.Seal(nil, iv, sample, nil)
	}
	return iv, enc
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	s, err := c.OpenSession(ctx, drmTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session on the drm TA: %w", err)
	}
	defer s.Close()

	u := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
	if err := s.Invoke(ctx, cmdSecAPIUUID, &client.Operation{Params: [4]client.Param{u}}); err != nil {
		return fmt.Errorf("SecAPI caller UUID: %w", err)
	}
	fmt.Printf("The SecAPI TA sees the drm TA as %v\n", tee.UUID(u.Buffer[:u.Size]))

	sample := []byte("A few frames of premium content, decrypted where the key lives.")
	var handle uint64
	for _, scheme := range []uint32{schemeCBC, schemeCTR, schemeGCM} {
		key, kid := random(16), random(16)
		h := &client.Value{Type: tee.ValueOutput}
		lic := &client.TempMemory{Type: tee.MemrefTempInput, Buffer: license(kid, scheme, 0, key)}
		if err := s.Invoke(ctx, cmdProvision, &client.Operation{Params: [4]client.Param{lic, h}}); err != nil {
			return fmt.Errorf("provision %s key: %w", schemeNames[scheme], err)
		}
		handle = uint64(h.B)<<32 | uint64(h.A)
		fmt.Printf("Provisioned an %s content key: SecAPI key handle %#x in the drm TA's slot\n", schemeNames[scheme], handle)
		iv, enc := encrypt(scheme, key, sample)
		out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, len(enc))}
		desc := &client.TempMemory{Type: tee.MemrefTempInput, Buffer: append(kid, iv...)}
		in := &client.TempMemory{Type: tee.MemrefTempInput, Buffer: enc}
		if err := s.Invoke(ctx, cmdDecrypt, &client.Operation{Params: [4]client.Param{desc, in, out}}); err != nil {
			return fmt.Errorf("decrypt %s sample: %w", schemeNames[scheme], err)
		}
		if got := out.Buffer[:out.Size]; !bytes.Equal(got, sample) {
			return fmt.Errorf("%s: the drm TA decrypted %q, want %q", schemeNames[scheme], got, sample)
		}
		fmt.Printf("Decrypted a %d-byte %s sample in the drm TA: clear sample matches\n", len(enc), schemeNames[scheme])
	}

	// This program, straight on the SecAPI TA as a normal-world client.
	sa := secapi.NewClient(c, client.Login{Method: tee.LoginUser})
	defer sa.Close()
	_, err = sa.NewCipher(ctx, secapi.AESCTR, secapi.Decrypt, secapi.ForeignKey(sa, handle), secapi.CipherParams{IV: make([]byte, 16)})
	fmt.Printf("The drm TA's key handle %#x in this client's SecAPI session: %v\n", handle, err)
	if !errors.Is(err, secapi.StatusInvalidParameter) {
		return fmt.Errorf("another slot's key handle: got %v, want %v", err, secapi.StatusInvalidParameter)
	}
	bound := secapi.Rights{ID: "bound to drm", Usage: secapi.UsageDecrypt | secapi.UsageSVPOptional, AllowedTAs: []tee.UUID{drmTA}}
	k, err := sa.ImportSymmetric(ctx, bound, random(16))
	if err != nil {
		return fmt.Errorf("import a key bound to the drm TA: %w", err)
	}
	_, err = sa.NewCipher(ctx, secapi.AESCTR, secapi.Decrypt, k, secapi.CipherParams{IV: make([]byte, 16)})
	fmt.Printf("A key bound to the drm TA, used by this client: %v\n", err)
	if !errors.Is(err, secapi.StatusOperationNotAllowed) {
		return fmt.Errorf("a key bound to the drm TA: got %v, want %v", err, secapi.StatusOperationNotAllowed)
	}

	me, err := sa.TAUUID(ctx)
	if err != nil {
		return fmt.Errorf("this client's SecAPI UUID: %w", err)
	}
	st := &client.Value{Type: tee.ValueOutput}
	who := &client.TempMemory{Type: tee.MemrefTempInput, Buffer: me[:]}
	if err := s.Invoke(ctx, cmdCheckBinding, &client.Operation{Params: [4]client.Param{who, st}}); err != nil {
		return fmt.Errorf("check binding: %w", err)
	}
	fmt.Printf("A key bound to this client (%v), used by the drm TA: %v\n", me, secapi.Status(st.A))
	if secapi.Status(st.A) != secapi.StatusOperationNotAllowed {
		return fmt.Errorf("the drm TA used a key bound to another caller: %v", secapi.Status(st.A))
	}
	fmt.Println("Content keys stay with the drm TA.")
	return nil
}
