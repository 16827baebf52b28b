package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/teedtest"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// startSecAPI starts the built teed with its own storage and gives a client whose
// session on the packed SecAPI TA opens at its first call and closes with the test.
func startSecAPI(t *testing.T) (*teedtest.Teed, *secapi.Client) {
	t.Helper()
	if err := teedtest.CheckBuild("ta/secapi"); err != nil {
		t.Fatal(err)
	}
	td := teedtest.Start(t, "--log-level", "warn", "--storage", t.TempDir())
	c := secapi.NewClient(td.Connect(t), client.Login{Method: tee.LoginUser})
	t.Cleanup(func() { c.Close() })
	return td, c
}

// TestSecAPI runs the packed SecAPI TA under the built teed: each session is its own
// TA process; keys stay in their session; AES-GCM matches Go's.
func TestSecAPI(t *testing.T) {
	td, c := startSecAPI(t)
	ctx := context.Background()
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

	// Phase 2 in the packed TA: Ed25519 signing, X25519 exchange, export/import.
	ek, err := c.GenerateEC(ctx, secapi.AllRights(), secapi.CurveEd25519)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := ek.PublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ek.Sign(ctx, secapi.EdDSA, msg, secapi.SignParams{})
	if err != nil || !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
		t.Fatalf("Ed25519 signature: %v", err)
	}
	blob, err := ek.Export(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := secapi.NewClient(td.Connect(t), client.Login{Method: tee.LoginUser})
	defer o.Close()
	ek2, err := o.ImportExported(ctx, blob)
	if err != nil {
		t.Fatalf("import in another instance: %v", err)
	}
	if spki2, _ := ek2.PublicKey(ctx); !bytes.Equal(spki, spki2) {
		t.Fatal("exported key changed")
	}
}

// Thousands of sessions on the packed SecAPI TA under the built teed, each making
// a key, a cipher and an SVP buffer and closing without releasing them: every
// session's TA process is gone afterwards and teed holds no more descriptors than
// it did after the first, so neither side keeps anything of a closed slot.
func TestSecAPISessionCyclesLeakNothing(t *testing.T) {
	if err := teedtest.CheckBuild("ta/secapi"); err != nil {
		t.Fatal(err)
	}
	td := teedtest.Start(t, "--log-level", "warn")
	cc := td.Connect(t)
	ctx := context.Background()
	cycle := func() error {
		c := secapi.NewClient(cc, client.Login{Method: tee.LoginUser})
		defer c.Close()
		k, err := c.ImportSymmetric(ctx, secapi.AllRights(), make([]byte, 16))
		if err != nil {
			return err
		}
		x, err := c.NewCipher(ctx, secapi.AESCTR, secapi.Encrypt, k, secapi.CipherParams{IV: make([]byte, 16)})
		if err != nil {
			return err
		}
		if _, err := x.Process(ctx, make([]byte, 64)); err != nil {
			return err
		}
		_, _, err = c.AllocSVPBuffer(ctx, 4096)
		return err
	}
	fds := func() int {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", td.Pid()))
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	if err := cycle(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first session's instance to end", func() bool { return len(children(t, td.Pid())) == 0 })
	base := fds()
	const cycles = 2000
	for i := range cycles {
		if err := cycle(); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	waitFor(t, "every instance to end", func() bool { return len(children(t, td.Pid())) == 0 })
	waitFor(t, "teed's descriptors to settle", func() bool { return fds() <= base })
	t.Logf("%d sessions; teed has %d descriptors, as after the first", cycles, fds())
}
