package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"sync"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/teedtest"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// TestSecAPI runs the packed SecAPI TA under the built teed: each session is its own
// TA process; keys stay in their session; AES-GCM matches Go's.
func TestSecAPI(t *testing.T) {
	if err := teedtest.CheckBuild("ta/secapi"); err != nil {
		t.Fatal(err)
	}
	td := teedtest.Start(t, "--log-level", "warn", "--storage", t.TempDir())
	ctx := context.Background()
	c := secapi.NewClient(td.Connect(t), client.Login{Method: tee.LoginUser})
	defer c.Close()
	if v, err := c.Version(ctx); err != nil || v.SpecificationMajor != 3 {
		t.Fatalf("version %+v, %v", v, err)
	}
	raw := bytes.Repeat([]byte{1}, 32)
	k, err := c.ImportSymmetric(ctx, secapi.AllRights(), raw)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := aes.NewCipher(raw)
	g, _ := cipher.NewGCM(blk)
	nonce, msg := make([]byte, 12), []byte("secure video path, some day")
	want := g.Seal(nil, nonce, msg, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 { // sessions in parallel, each its own instance
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := secapi.NewClient(td.Connect(t), client.Public)
			defer o.Close()
			if _, err := o.NewCipher(ctx, secapi.AESGCM, secapi.Encrypt, secapi.ForeignKey(o, k.Handle()),
				secapi.CipherParams{IV: nonce}); !errors.Is(err, secapi.StatusInvalidParameter) {
				errs <- err
			}
		}()
	}
	x, err := c.NewCipher(ctx, secapi.AESGCM, secapi.Encrypt, k, secapi.CipherParams{IV: nonce})
	if err != nil {
		t.Fatal(err)
	}
	ct, tag, err := x.ProcessLast(ctx, msg, 16, nil)
	if err != nil || !bytes.Equal(append(ct, tag...), want) {
		t.Fatalf("gcm %x %x, %v", ct, tag, err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("another session used this one's key: %v", err)
	}
}
