package e2e

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
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/teedtest"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// The drm example (examples/ta/drm): a Secure Application that keeps its content
// keys in the SecAPI TA, bound to its own UUID, over a TA-to-TA session.

var drmUUID = tee.MustParseUUID("6d2a7c1e-4b3f-4e8a-9d52-44524d000001")

const (
	drmProvision    = 0
	drmDecrypt      = 1
	drmSecAPIUUID   = 2
	drmCheckBinding = 3
	drmRelease      = 4

	drmCBC = 1
	drmCTR = 2
	drmGCM = 3
)

func needDRM(t *testing.T) {
	t.Helper()
	if err := teedtest.CheckBuild("ta/drm", "ta/secapi", "bin/drm"); err != nil {
		t.Fatal(err)
	}
}

func drmRandom(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func drmLicense(kid []byte, scheme uint32, expiry uint64, key []byte) []byte {
	b := append([]byte("GDL1"), kid...)
	b = binary.LittleEndian.AppendUint32(b, scheme)
	b = binary.LittleEndian.AppendUint64(b, expiry)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	return append(b, key...)
}

// drmEncrypt encrypts sample the way a packager would, with Go's AES.
func drmEncrypt(scheme uint32, key, sample []byte) (iv, enc []byte) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	switch scheme {
	case drmCBC:
		iv = drmRandom(16)
		pad := 16 - len(sample)%16
		enc = append(append([]byte(nil), sample...), bytes.Repeat([]byte{byte(pad)}, pad)...)
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(enc, enc)
	case drmCTR:
		iv = drmRandom(16)
		enc = make([]byte, len(sample))
		cipher.NewCTR(blk, iv).XORKeyStream(enc, sample)
	case drmGCM:
		iv = drmRandom(12)
		g, _ := cipher.NewGCM(blk)
		enc = g.Seal(nil, iv, sample, nil)
	}
	return iv, enc
}

type drmSession struct{ s *client.Session }

func openDRM(t *testing.T, c *client.Context) *drmSession {
	t.Helper()
	s, err := c.OpenSession(context.Background(), drmUUID, client.Public, nil)
	if err != nil {
		t.Fatalf("open drm session: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &drmSession{s}
}

func (d *drmSession) invoke(cmd uint32, params ...client.Param) error {
	op := &client.Operation{}
	copy(op.Params[:], params)
	return d.s.Invoke(context.Background(), cmd, op)
}

func (d *drmSession) provision(lic []byte) (uint64, error) {
	h := &client.Value{Type: tee.ValueOutput}
	err := d.invoke(drmProvision, &client.TempMemory{Type: tee.MemrefTempInput, Buffer: lic}, h)
	return uint64(h.B)<<32 | uint64(h.A), err
}

// decrypt asks for a clear sample into an out-byte buffer; it returns the sample
// and the output size the TA reported.
func (d *drmSession) decrypt(kid, iv, enc []byte, out int) ([]byte, int, error) {
	o := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, out)}
	err := d.invoke(drmDecrypt, &client.TempMemory{Type: tee.MemrefTempInput, Buffer: append(append([]byte(nil), kid...), iv...)},
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: enc}, o)
	if err != nil {
		return nil, o.Size, err
	}
	return o.Buffer[:o.Size], o.Size, nil
}

func (d *drmSession) checkBinding(t *testing.T, u tee.UUID) secapi.Status {
	t.Helper()
	st := &client.Value{Type: tee.ValueOutput}
	if err := d.invoke(drmCheckBinding, &client.TempMemory{Type: tee.MemrefTempInput, Buffer: u[:]}, st); err != nil {
		t.Fatalf("check binding: %v", err)
	}
	return secapi.Status(st.A)
}

func wantDRMError(t *testing.T, what string, err error, want tee.Result) {
	t.Helper()
	var te *tee.Error
	if !errors.As(err, &te) || te.Code != want || te.Origin != tee.OriginTrustedApp {
		t.Fatalf("%s: got %v, want %v from the TA", what, err, want)
	}
}

func TestDRM(t *testing.T) {
	needDRM(t)
	td := StartTeed(t)
	c := td.Connect(t)
	ctx := context.Background()

	t.Run("example client", func(t *testing.T) {
		out, err := td.Run(Bin("drm"))
		if err != nil || !strings.Contains(out, "Content keys stay with the drm TA.") {
			t.Fatalf("drm client: %v\n%s", err, out)
		}
	})

	d := openDRM(t, c)
	t.Run("SecAPI sees the drm TA's UUID", func(t *testing.T) {
		u := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}
		if err := d.invoke(drmSecAPIUUID, u); err != nil || u.Size != 16 || tee.UUID(u.Buffer) != drmUUID {
			t.Fatalf("caller UUID %x, %v; want %v", u.Buffer[:u.Size], err, drmUUID)
		}
	})

	t.Run("decrypts as Go's AES encrypted", func(t *testing.T) {
		names := map[uint32]string{drmCBC: "CBC", drmCTR: "CTR", drmGCM: "GCM"}
		for _, scheme := range []uint32{drmCBC, drmCTR, drmGCM} {
			for _, keyLen := range []int{16, 32} {
				for _, n := range []int{0, 1, 15, 16, 17, 1000, 64<<10 + 3} {
					t.Run(fmt.Sprintf("%s-%d/%d", names[scheme], keyLen*8, n), func(t *testing.T) {
						key, kid, sample := drmRandom(keyLen), drmRandom(16), drmRandom(n)
						if _, err := d.provision(drmLicense(kid, scheme, 0, key)); err != nil {
							t.Fatalf("provision: %v", err)
						}
						defer d.invoke(drmRelease, &client.TempMemory{Type: tee.MemrefTempInput, Buffer: kid})
						iv, enc := drmEncrypt(scheme, key, sample)
						got, _, err := d.decrypt(kid, iv, enc, len(enc))
						if err != nil || !bytes.Equal(got, sample) {
							t.Fatalf("decrypt: %v; got %d bytes, want %d (equal %v)", err, len(got), n, bytes.Equal(got, sample))
						}
					})
				}
			}
		}
	})

	t.Run("refusals", func(t *testing.T) {
		key, kid := drmRandom(16), drmRandom(16)
		if _, err := d.provision(drmLicense(kid, drmGCM, 0, key)); err != nil {
			t.Fatal(err)
		}
		sample := []byte("one protected sample")
		iv, enc := drmEncrypt(drmGCM, key, sample)

		_, size, err := d.decrypt(kid, iv, enc, len(sample)-1)
		wantDRMError(t, "short output", err, tee.ErrShortBuffer)
		if size != len(sample) {
			t.Fatalf("short output: size %d, want %d", size, len(sample))
		}
		bad := append([]byte(nil), enc...)
		bad[len(bad)-1] ^= 1
		_, _, err = d.decrypt(kid, iv, bad, len(bad))
		wantDRMError(t, "wrong GCM tag", err, tee.ErrMACInvalid)
		_, _, err = d.decrypt(drmRandom(16), iv, enc, len(enc))
		wantDRMError(t, "unknown KID", err, tee.ErrItemNotFound)
		_, _, err = d.decrypt(kid, iv[:8], enc, len(enc))
		wantDRMError(t, "GCM IV of 8 bytes", err, tee.ErrBadParameters)

		// CBC whose last block does not unpad.
		ckid := drmRandom(16)
		if _, err := d.provision(drmLicense(ckid, drmCBC, 0, key)); err != nil {
			t.Fatal(err)
		}
		blk, _ := aes.NewCipher(key)
		civ, block := drmRandom(16), make([]byte, 16) // ends in 0x00: no valid padding
		cipher.NewCBCEncrypter(blk, civ).CryptBlocks(block, block)
		_, _, err = d.decrypt(ckid, civ, block, 16)
		wantDRMError(t, "bad PKCS#7 padding", err, tee.ErrMACInvalid)
		_, _, err = d.decrypt(ckid, civ, block[:15], 16)
		wantDRMError(t, "CBC sample of 15 bytes", err, tee.ErrBadParameters)

		// A license past its expiry: the key's validity window, checked in the SecAPI TA.
		ekid := drmRandom(16)
		if _, err := d.provision(drmLicense(ekid, drmCTR, 1, key)); err != nil {
			t.Fatal(err)
		}
		_, _, err = d.decrypt(ekid, civ, block, 16)
		wantDRMError(t, "expired license", err, tee.ErrAccessDenied)

		for name, lic := range map[string][]byte{
			"short":         drmLicense(kid, drmCTR, 0, key)[:20],
			"bad magic":     append([]byte("GDL2"), drmLicense(kid, drmCTR, 0, key)[4:]...),
			"scheme 4":      drmLicense(kid, 4, 0, key),
			"24-byte key":   drmLicense(kid, drmCTR, 0, drmRandom(24)),
			"trailing byte": append(drmLicense(kid, drmCTR, 0, key), 0),
		} {
			_, err := d.provision(lic)
			wantDRMError(t, "license "+name, err, tee.ErrBadFormat)
		}
	})

	// The drm TA's keys are its own: not by handle (slots are per session), and not
	// by rights either — a key bound to the drm TA's UUID is refused to anyone else,
	// and the drm TA is refused keys bound to others.
	t.Run("keys are bound to the drm TA", func(t *testing.T) {
		handle, err := d.provision(drmLicense(drmRandom(16), drmCTR, 0, drmRandom(16)))
		if err != nil {
			t.Fatal(err)
		}
		for _, login := range []client.Login{client.Public, {Method: tee.LoginUser}} {
			t.Run(login.Method.String(), func(t *testing.T) {
				sa := secapi.NewClient(c, login)
				defer sa.Close()
				iv := secapi.CipherParams{IV: make([]byte, 16)}
				if _, err := sa.NewCipher(ctx, secapi.AESCTR, secapi.Decrypt, secapi.ForeignKey(sa, handle), iv); !errors.Is(err, secapi.StatusInvalidParameter) {
					t.Fatalf("the drm TA's key handle from a normal client: %v, want %v", err, secapi.StatusInvalidParameter)
				}
				raw := drmRandom(16)
				bound := secapi.Rights{ID: "bound", Usage: secapi.UsageDecrypt | secapi.UsageSVPOptional, AllowedTAs: []tee.UUID{drmUUID}}
				k, err := sa.ImportSymmetric(ctx, bound, raw)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := sa.NewCipher(ctx, secapi.AESCTR, secapi.Decrypt, k, iv); !errors.Is(err, secapi.StatusOperationNotAllowed) {
					t.Fatalf("a key bound to the drm TA, from a normal client: %v, want %v", err, secapi.StatusOperationNotAllowed)
				}
				// The same key with this client added is usable: only the binding refused it.
				me, err := sa.TAUUID(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if me != secapi.REE {
					t.Fatalf("a normal client's caller UUID is %v, want the REE's %v", me, secapi.REE)
				}
				bound.AllowedTAs = append(bound.AllowedTAs, me)
				k2, err := sa.ImportSymmetric(ctx, bound, raw)
				if err != nil {
					t.Fatal(err)
				}
				x, err := sa.NewCipher(ctx, secapi.AESCTR, secapi.Decrypt, k2, iv)
				if err != nil {
					t.Fatalf("a key bound to the drm TA and this client: %v", err)
				}
				x.Release(ctx)
				if st := d.checkBinding(t, me); st != secapi.StatusOperationNotAllowed {
					t.Fatalf("the drm TA with a key bound to this client (%v): %v", me, st)
				}
			})
		}
		for _, tt := range []struct {
			name string
			u    tee.UUID
			want secapi.Status
		}{
			{"its own UUID", drmUUID, secapi.StatusOK},
			{"the wildcard", secapi.AllTAs, secapi.StatusOK},
			{"the SecAPI TA's UUID", secapi.TAUUID, secapi.StatusOperationNotAllowed},
			{"another TA's UUID", helloWorldUUID, secapi.StatusOperationNotAllowed},
			{"no TA", tee.UUID{}, secapi.StatusOperationNotAllowed},
		} {
			if st := d.checkBinding(t, tt.u); st != tt.want {
				t.Errorf("the drm TA with a key bound to %s: %v, want %v", tt.name, st, tt.want)
			}
		}
	})

	t.Run("sessions do not share content keys", func(t *testing.T) {
		key, kid := drmRandom(16), drmRandom(16)
		if _, err := d.provision(drmLicense(kid, drmCTR, 0, key)); err != nil {
			t.Fatal(err)
		}
		iv, enc := drmEncrypt(drmCTR, key, []byte("sample"))
		_, _, err := openDRM(t, c).decrypt(kid, iv, enc, len(enc))
		wantDRMError(t, "another session's KID", err, tee.ErrItemNotFound)
	})
}

// taProcs are the pids of teed's TA instances of the TA named name (teed runs each
// with its manifest name as argv[0]).
func taProcs(t *testing.T, td *Teed, name string) []int {
	t.Helper()
	var pids []int
	for _, pid := range children(t, td.Pid()) {
		b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "cmdline"))
		if err == nil && string(bytes.SplitN(b, []byte{0}, 2)[0]) == name {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestDRMSlotDiesWithTA: the drm TA's SecAPI session (its own SecAPI instance,
// since every SecAPI session is one) ends with the drm session, whether the client
// closes it or the drm TA is killed; a normal client's SecAPI session is untouched.
func TestDRMSlotDiesWithTA(t *testing.T) {
	needDRM(t)
	td := StartTeed(t)
	c := td.Connect(t)
	ctx := context.Background()
	count := func(name string, n int) func() bool {
		return func() bool { return len(taProcs(t, td, name)) == n }
	}

	other := secapi.NewClient(c, client.Login{Method: tee.LoginUser})
	defer other.Close()
	if err := other.Random(ctx, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the normal client's SecAPI instance", count("secapi", 1))

	provisioned := func() *drmSession {
		d := openDRM(t, c)
		if _, err := d.provision(drmLicense(drmRandom(16), drmCTR, 0, drmRandom(16))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a drm instance and its SecAPI instance", func() bool { return count("drm", 1)() && count("secapi", 2)() })
		return d
	}

	t.Run("close", func(t *testing.T) {
		d := provisioned()
		if err := d.s.Close(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the drm instance and its SecAPI slot to go", func() bool { return count("drm", 0)() && count("secapi", 1)() })
	})
	t.Run("kill", func(t *testing.T) {
		d := provisioned()
		pids := taProcs(t, td, "drm")
		if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the killed drm TA's SecAPI slot to go", func() bool { return count("drm", 0)() && count("secapi", 1)() })
		var te *tee.Error
		if err := d.invoke(drmSecAPIUUID, &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 16)}); !errors.As(err, &te) || te.Code != tee.ErrTargetDead {
			t.Fatalf("drm session after the kill: %v, want TARGET_DEAD", err)
		}
	})
	if err := other.Random(ctx, make([]byte, 16)); err != nil {
		t.Fatalf("the normal client's SecAPI session after the drm TA went: %v", err)
	}
}
