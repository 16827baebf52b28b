package secapi_test

import (
	"bytes"
	"crypto/aes"
	"crypto/sha256"
	"errors"
	"os"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// rdkKeystore is RDK's test keystore, when a tasecureapi checkout is at hand.
func rdkKeystore(t *testing.T) []byte {
	t.Helper()
	dir := os.Getenv("GOTEE_TASECUREAPI")
	if dir == "" {
		dir = "/work/tasecureapi"
	}
	b, err := os.ReadFile(dir + "/reference/test/root_keystore.p12")
	if err != nil {
		t.Skipf("no RDK test keystore (set GOTEE_TASECUREAPI): %v", err)
	}
	return b
}

func TestReadRootKeystore(t *testing.T) {
	der := rdkKeystore(t)
	k, err := secapi.ReadRootKeystore(der, secapi.DefaultRootKeystorePassword)
	if err != nil {
		t.Fatal(err)
	}
	// RDK's TA reports this device ID for its test keystore (the unique key's name).
	if len(k.Unique) != 16 || len(k.Common) != 16 || k.DeviceID != 0xfffffffffffffffe || bytes.Equal(k.Unique, k.Common) {
		t.Fatalf("keys %x %x, device %x", k.Unique, k.Common, k.DeviceID)
	}
	if _, err := secapi.ReadRootKeystore(der, "wrong"); !errors.Is(err, secapi.ErrKeystore) {
		t.Fatalf("wrong password: %v", err)
	}
	for _, cut := range []int{0, 1, len(der) / 2, len(der) - 1} {
		if _, err := secapi.ReadRootKeystore(der[:cut], secapi.DefaultRootKeystorePassword); !errors.Is(err, secapi.ErrKeystore) {
			t.Fatalf("cut at %d: %v", cut, err)
		}
	}
	bad := bytes.Clone(der)
	bad[len(bad)/2] ^= 1
	if _, err := secapi.ReadRootKeystore(bad, secapi.DefaultRootKeystorePassword); !errors.Is(err, secapi.ErrKeystore) {
		t.Fatalf("flipped bit: %v", err)
	}
}

func FuzzReadRootKeystore(f *testing.F) {
	if b, err := os.ReadFile("/work/tasecureapi/reference/test/root_keystore.p12"); err == nil {
		f.Add(b)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := secapi.ReadRootKeystore(b, secapi.DefaultRootKeystorePassword)
		if err == nil && (k.Unique == nil || k.Common == nil || k.DeviceID == 0) {
			t.Fatalf("accepted without both keys: %+v", k)
		}
	})
}

// ladderOf is the root key ladder computed here, to check the TA's against.
func ladderOf(root []byte, c ...[]byte) []byte {
	k := root
	for _, in := range c {
		b, _ := aes.NewCipher(k)
		next := make([]byte, 16)
		b.Decrypt(next, in)
		k = next
	}
	return k
}

// TestProvisionRootKeys provisions root keys and checks that new sessions ladder from
// them, that the keystore is write-once, and that only root may write it.
func TestProvisionRootKeys(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("provisioning needs a uid 0 client")
	}
	for _, single := range []bool{false, true} {
		srv, _ := start(t, single)
		c := newClient(t, srv)
		c16 := func(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }
		ladder := secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), false)
		common := secapi.RootKeyLadder(c16(1), c16(2), c16(3), c16(4), true)
		digest := func(c *secapi.Client, kdf secapi.KDF) []byte {
			t.Helper()
			k, err := c.Derive(ctxb, secapi.AllRights(), kdf)
			if err != nil {
				t.Fatal(err)
			}
			d, err := k.Digest(ctxb, secapi.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		before := digest(c, ladder)
		if ok, err := c.RootKeysProvisioned(ctxb); err != nil || ok {
			t.Fatalf("provisioned before: %v %v", ok, err)
		}
		idBefore, _ := c.DeviceID(ctxb)

		// Other identities are refused: PUBLIC, and an application login of root.
		for _, m := range []tee.LoginMethod{tee.LoginPublic, tee.LoginApplication} {
			o := secapi.NewClient(srv.NewContext(t), client.Login{Method: m})
			err := o.ProvisionRootKeys(ctxb, secapi.RootKeys{Unique: c16(7), Common: c16(8)})
			o.Close()
			if !errors.Is(err, secapi.StatusOperationNotAllowed) {
				t.Fatalf("login %v: %v", m, err)
			}
		}
		for _, bad := range []secapi.RootKeys{{Unique: c16(7)}, {Unique: make([]byte, 24), Common: c16(8)}, {Unique: c16(7), Common: make([]byte, 15)}} {
			if err := c.ProvisionRootKeys(ctxb, bad); !errors.Is(err, secapi.StatusInvalidParameter) {
				t.Fatalf("keys of %d/%d bytes: %v", len(bad.Unique), len(bad.Common), err)
			}
		}

		keys := secapi.RootKeys{Unique: c16(7), Common: bytes.Repeat([]byte{8}, 32), DeviceID: 0x1234}
		if err := c.ProvisionRootKeys(ctxb, keys); err != nil {
			t.Fatal(err)
		}
		// This session keeps its keys; a new one uses the provisioned ones.
		if d := digest(c, ladder); !bytes.Equal(d, before) {
			t.Fatal("an open session's root key changed")
		}
		n := newClient(t, srv)
		if ok, err := n.RootKeysProvisioned(ctxb); err != nil || !ok {
			t.Fatalf("provisioned after: %v %v", ok, err)
		}
		wantU := sha256.Sum256(ladderOf(keys.Unique, c16(1), c16(2), c16(3), c16(4)))
		if d := digest(n, ladder); !bytes.Equal(d, wantU[:]) {
			t.Fatal("unique ladder does not start at the provisioned key")
		}
		want := sha256.Sum256(ladderOf(keys.Common, c16(1), c16(2), c16(3), c16(4)))
		if d := digest(n, common); !bytes.Equal(d, want[:]) {
			t.Fatal("common ladder does not start at the provisioned key")
		}
		if id, err := n.DeviceID(ctxb); err != nil || id != 0x1234 || id == idBefore {
			t.Fatalf("device id %x, %v", id, err)
		}
		// Exported keys: sealed under the provisioned keys, they open in new sessions.
		k := mustKey(t, n, secapi.AllRights(), c16(5))
		blob, err := k.Export(ctxb, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newClient(t, srv).ImportExported(ctxb, blob); err != nil {
			t.Fatalf("import of a key exported under provisioned keys: %v", err)
		}

		// Write-once: the same keys again are fine, others are refused.
		if err := n.ProvisionRootKeys(ctxb, keys); err != nil {
			t.Fatalf("same keys again: %v", err)
		}
		other := keys
		other.DeviceID = 0x1235
		if err := n.ProvisionRootKeys(ctxb, other); !errors.Is(err, secapi.StatusOperationNotAllowed) {
			t.Fatalf("other keys: %v", err)
		}
		if d := digest(newClient(t, srv), ladder); !bytes.Equal(d, wantU[:]) {
			t.Fatal("refused keys took effect")
		}
	}
}
