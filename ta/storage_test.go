package ta_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tatest"
	"github.com/gotee/gotee/tee"
)

// scriptTA runs, for command n, the Go function a test registered as script n: the
// TA's code is the test's own, written inline, and it runs behind the real
// dispatcher and the real storage engine.
type scriptTA struct{ ta.Base }

var (
	scripts    sync.Map // uint32 → func(*ta.Session) error
	nextScript atomic.Uint32
)

func (scriptTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	f, ok := scripts.Load(cmd)
	if !ok {
		return tee.ErrBadParameters
	}
	err := f.(func(*ta.Session) error)(s)
	if err != nil {
		failures.Store(cmd, err)
	}
	return err
}

// failures keeps what each failed script said, for the test to report.
var failures sync.Map // uint32 → error

var (
	storeUUID  = tee.MustParseUUID("55555555-0000-0000-0000-000000000001")
	otherUUID  = tee.MustParseUUID("55555555-0000-0000-0000-000000000002")
	singleUUID = tee.MustParseUUID("55555555-0000-0000-0000-000000000003")
)

func startStorage(t *testing.T) (*tatest.Server, *client.Context) {
	t.Helper()
	srv := tatest.Start(t,
		tatest.TA{UUID: storeUUID, New: func() ta.TA { return scriptTA{} }},
		tatest.TA{UUID: otherUUID, New: func() ta.TA { return scriptTA{} }},
		tatest.TA{UUID: singleUUID, New: func() ta.TA { return scriptTA{} }, SingleInstance: true, MultiSession: true},
	)
	return srv, srv.NewContext(t)
}

// inTA runs f inside the TA of session s and returns the result the client saw.
func inTA(t *testing.T, s *client.Session, f func(*ta.Session) error) error {
	t.Helper()
	id := nextScript.Add(1)
	scripts.Store(id, f)
	defer scripts.Delete(id)
	err := s.Invoke(context.Background(), id, &client.Operation{})
	if inner, ok := failures.LoadAndDelete(id); ok {
		t.Logf("in the TA: %v", inner)
	}
	return err
}

func mustInTA(t *testing.T, s *client.Session, f func(*ta.Session) error) {
	t.Helper()
	if err := inTA(t, s, f); err != nil {
		t.Fatal(err)
	}
}

// pattern is recognisable content of n bytes.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

func readAll(o *ta.Object) ([]byte, error) {
	var out []byte
	buf := make([]byte, 10000)
	for {
		n, err := o.ReadData(buf)
		out = append(out, buf[:n]...)
		if err != nil || n < len(buf) {
			return out, err
		}
	}
}

const rw = ta.DataAccessRead | ta.DataAccessWrite | ta.DataAccessWriteMeta

func TestPersistentObjectDataStream(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	big := pattern(100_000, 1) // more than one wire chunk: staged, still atomic
	id := []byte("stream")

	mustInTA(t, s, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, id, rw, nil, big)
		if err != nil {
			return err
		}
		defer o.Close()
		got, err := readAll(o)
		if err != nil || !bytes.Equal(got, big) {
			return failf("read back %d bytes (%v), want %d", len(got), err, len(big))
		}
		// Overwrite in the middle, then extend beyond the end through a gap.
		if err := o.SeekData(10, ta.SeekSet); err != nil {
			return err
		}
		if err := o.WriteData([]byte("hello")); err != nil {
			return err
		}
		if err := o.SeekData(5, ta.SeekEnd); err != nil {
			return err
		}
		if err := o.WriteData([]byte("tail")); err != nil {
			return err
		}
		info, err := o.Info()
		if err != nil {
			return err
		}
		if info.DataSize != len(big)+9 || info.DataPosition != len(big)+9 || info.Type != tee.TypeData {
			return fmt.Errorf("info %+v: %w", info, tee.ErrGeneric)
		}
		return nil
	})

	// A new handle, from a new instance, sees all of it.
	s2 := open(t, c, storeUUID)
	mustInTA(t, s2, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataAccessWrite)
		if err != nil {
			return err
		}
		defer o.Close()
		want := append(bytes.Clone(big), 0, 0, 0, 0, 0, 't', 'a', 'i', 'l')
		copy(want[10:], "hello")
		got, err := readAll(o)
		if err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("read %d bytes (%v): %w", len(got), err, tee.ErrGeneric)
		}
		// At the end, a read gives 0 bytes and no error.
		if n, err := o.ReadData(make([]byte, 4)); n != 0 || err != nil {
			return fmt.Errorf("read at end: %d, %v: %w", n, err, tee.ErrGeneric)
		}
		if err := o.TruncateData(3); err != nil {
			return err
		}
		if err := o.SeekData(-1<<40, ta.SeekCur); err != nil { // before the start: 0
			return err
		}
		got, _ = readAll(o)
		if !bytes.Equal(got, big[:3]) {
			return fmt.Errorf("after truncate: %x: %w", got, tee.ErrGeneric)
		}
		if err := o.SeekData(ta.MaxDataPosition+1, ta.SeekSet); !errors.Is(err, tee.ErrOverflow) {
			return fmt.Errorf("seek past the maximum: %v: %w", err, tee.ErrGeneric)
		}
		return nil
	})
}

func TestPersistentObjectKeys(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	key := pattern(32, 9)
	msg := pattern(64, 3)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, len(msg))
	cipher.NewCBCEncrypter(block, make([]byte, 16)).CryptBlocks(want, msg)

	encrypt := func(k *ta.Object) ([]byte, error) {
		op, err := ta.AllocateOperation(tee.AlgAESCBCNoPad, tee.ModeEncrypt, 256)
		if err != nil {
			return nil, err
		}
		defer op.Free()
		if err := op.SetKey(k); err != nil {
			return nil, err
		}
		op.CipherInit(make([]byte, 16))
		out := make([]byte, len(msg))
		n, err := op.CipherDoFinal(out, msg)
		return out[:n], err
	}

	mustInTA(t, s, func(s *ta.Session) error {
		k, err := ta.AllocateTransientObject(tee.TypeAES, 256)
		if err != nil {
			return err
		}
		defer k.Free()
		if err := k.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: key}); err != nil {
			return err
		}
		if err := k.RestrictUsage(tee.UsageEncrypt | tee.UsageDecrypt); err != nil {
			return err
		}
		if got, err := encrypt(k); err != nil || !bytes.Equal(got, want) {
			return failf("AES-CBC with the transient key: %x, %v", got, err)
		}
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("key"), ta.DataAccessRead, k, []byte("meta"))
		if err != nil {
			return err
		}
		o.Close()
		return nil
	})
	s2 := open(t, c, storeUUID)
	mustInTA(t, s2, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, []byte("key"), ta.DataAccessRead)
		if err != nil {
			return err
		}
		defer o.Close()
		info, err := o.Info()
		if err != nil {
			return err
		}
		if info.Type != tee.TypeAES || info.Size != 256 || info.Usage != tee.UsageEncrypt|tee.UsageDecrypt || info.DataSize != 4 {
			return fmt.Errorf("info %+v: %w", info, tee.ErrGeneric)
		}
		got, err := encrypt(o)
		if err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("stored key encrypts differently (%v): %w", err, tee.ErrGeneric)
		}
		return nil
	})
	// The key is not extractable: reading it is a panic, which kills the instance.
	s3 := open(t, c, storeUUID)
	err = inTA(t, s3, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, []byte("key"), ta.DataAccessRead)
		if err != nil {
			return err
		}
		o.BufferAttribute(tee.AttrSecretValue, make([]byte, 32))
		return nil
	})
	if !errors.Is(err, tee.ErrTargetDead) {
		t.Fatalf("reading a non-extractable key: %v, want TARGET_DEAD", err)
	}
}

func TestPersistentObjectRules(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	id := []byte("rules")
	mustInTA(t, s, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataShareRead, nil, []byte("v1"))
		if err != nil {
			return err
		}
		defer o.Close()
		check := func(what string, err, want error) error {
			if !errors.Is(err, want) {
				return fmt.Errorf("%s: %v, want %v: %w", what, err, want, tee.ErrGeneric)
			}
			return nil
		}
		// Creating it again without OVERWRITE conflicts; with it, the open handle still does.
		_, err = s.CreatePersistentObject(ta.StoragePrivate, id, ta.DataAccessRead, nil, nil)
		if err := check("create existing", err, tee.ErrAccessConflict); err != nil {
			return err
		}
		_, err = s.CreatePersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataOverwrite, nil, nil)
		if err := check("overwrite open object", err, tee.ErrAccessConflict); err != nil {
			return err
		}
		// A shared reader may join; a writer may not, as the first handle does not share writing.
		r2, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataShareRead)
		if err != nil {
			return fmt.Errorf("second shared reader: %w", err)
		}
		r2.Close()
		_, err = s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessWrite|ta.DataShareRead|ta.DataShareWrite)
		if err := check("writer beside a reader that does not share writing", err, tee.ErrAccessConflict); err != nil {
			return err
		}
		_, err = s.OpenPersistentObject(ta.StoragePrivate, []byte("missing"), ta.DataAccessRead)
		if err := check("missing object", err, tee.ErrItemNotFound); err != nil {
			return err
		}
		_, err = s.OpenPersistentObject(0x12345678, id, ta.DataAccessRead)
		return check("unknown storage", err, tee.ErrItemNotFound)
	})

	// Rename, enumerate, delete.
	mustInTA(t, s, func(s *ta.Session) error {
		for _, name := range []string{"a", "b", "c"} {
			o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte(name), rw, nil, []byte(name))
			if err != nil {
				return err
			}
			o.Close()
		}
		o, err := s.OpenPersistentObject(ta.StoragePrivate, []byte("c"), rw)
		if err != nil {
			return err
		}
		if err := o.Rename([]byte("a")); !errors.Is(err, tee.ErrAccessConflict) {
			return fmt.Errorf("rename onto an existing object: %v: %w", err, tee.ErrGeneric)
		}
		if err := o.Rename([]byte("d")); err != nil {
			return err
		}
		o.Close()
		if o, err = s.OpenPersistentObject(ta.StoragePrivate, []byte("b"), rw); err != nil {
			return err
		}
		if err := o.CloseAndDelete(); err != nil {
			return err
		}
		e := s.AllocatePersistentObjectEnumerator()
		defer e.Free()
		if err := e.Start(ta.StoragePrivate); err != nil {
			return err
		}
		var names []string
		for {
			info, id, err := e.Next()
			if errors.Is(err, tee.ErrItemNotFound) {
				break
			}
			if err != nil {
				return err
			}
			if info.Type != tee.TypeData {
				return fmt.Errorf("enumerated %q with type %v: %w", id, info.Type, tee.ErrGeneric)
			}
			names = append(names, string(id))
		}
		if fmt.Sprint(names) != "[a d rules]" {
			return fmt.Errorf("enumerated %v: %w", names, tee.ErrGeneric)
		}
		if err := e.Start(ta.StorageRPMB); !errors.Is(err, tee.ErrItemNotFound) {
			return fmt.Errorf("empty RPMB storage: %v: %w", err, tee.ErrGeneric)
		}
		return nil
	})

	// Misuse is a panic: writing through a read-only handle kills the instance.
	err := inTA(t, s, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, []byte("a"), ta.DataAccessRead)
		if err != nil {
			return err
		}
		return o.WriteData([]byte("x"))
	})
	if !errors.Is(err, tee.ErrTargetDead) {
		t.Fatalf("write through a read-only handle: %v, want TARGET_DEAD", err)
	}
}

func TestPersistentObjectsAreThePrivateTAs(t *testing.T) {
	_, c := startStorage(t)
	mine := open(t, c, storeUUID)
	theirs := open(t, c, otherUUID)
	mustInTA(t, mine, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("secret"), rw, nil, []byte("mine"))
		if err != nil {
			return err
		}
		o.Close()
		return nil
	})
	mustInTA(t, theirs, func(s *ta.Session) error {
		for _, storage := range []uint32{ta.StoragePrivate, ta.StorageREE, ta.StorageRPMB} {
			if _, err := s.OpenPersistentObject(storage, []byte("secret"), ta.DataAccessRead); !errors.Is(err, tee.ErrItemNotFound) {
				return fmt.Errorf("another TA's object in storage %#x: %v: %w", storage, err, tee.ErrGeneric)
			}
		}
		e := s.AllocatePersistentObjectEnumerator()
		defer e.Free()
		if err := e.Start(ta.StoragePrivate); !errors.Is(err, tee.ErrItemNotFound) {
			return fmt.Errorf("enumerating another TA's storage: %v: %w", err, tee.ErrGeneric)
		}
		// The same ID is an object of its own.
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("secret"), rw, nil, []byte("theirs"))
		if err != nil {
			return err
		}
		o.Close()
		return nil
	})
	mustInTA(t, mine, func(s *ta.Session) error {
		// PRIVATE and REE name the same store, as in OP-TEE's default build.
		o, err := s.OpenPersistentObject(ta.StorageREE, []byte("secret"), ta.DataAccessRead)
		if err != nil {
			return err
		}
		defer o.Close()
		got, _ := readAll(o)
		if string(got) != "mine" {
			return fmt.Errorf("read %q: %w", got, tee.ErrGeneric)
		}
		return nil
	})
}
