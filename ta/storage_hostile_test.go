package ta_test

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// A TA that sends ObjClose{Delete} through a handle without ACCESS_WRITE_META gets
// an error, and the handle is closed all the same (GP closes it in all cases): had
// teed dropped it from the instance's table while the engine kept it open, nothing
// would close it any more and the object would stay locked for every later instance.
func TestCloseDeleteWithoutWriteMetaReleasesHandle(t *testing.T) {
	_, c := startStorage(t)
	id := []byte("locked")
	s := open(t, c, storeUUID)
	mustInTA(t, s, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, id, ta.DataAccessRead, nil, []byte("x"))
		if err != nil {
			return err
		}
		r := ta.RawRequest(s, &wire.ObjClose{Handle: ta.HandleOf(o), Delete: true})
		if st, ok := r.(*wire.ObjStatus); !ok || st.Result == tee.Success {
			return fmt.Errorf("delete without WRITE_META answered %#v: %w", r, tee.ErrGeneric)
		}
		// teed has forgotten the handle: a plain close is refused now.
		r = ta.RawRequest(s, &wire.ObjClose{Handle: ta.HandleOf(o)})
		if st, ok := r.(*wire.ObjStatus); !ok || st.Result != tee.ErrBadParameters {
			return fmt.Errorf("close after the failed delete answered %#v: %w", r, tee.ErrGeneric)
		}
		return nil
	})
	s.Close() // the instance dies: teed closes every handle it still knows of

	s2 := open(t, c, storeUUID)
	defer s2.Close()
	if err := inTA(t, s2, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataAccessWriteMeta)
		if err != nil {
			return fmt.Errorf("open in a new instance after the old one died: %w", err)
		}
		return o.CloseAndDelete()
	}); err != nil {
		t.Fatalf("the object is still locked by a handle nobody holds: %v", err)
	}
}

// GP and OP-TEE keep a persistent object's usage in the object, not in the handle
// (OP-TEE: tee_pobj.obj_info_usage, read by TEE_GetObjectInfo1 and written by
// TEE_RestrictObjectUsage1 for every handle): a restriction through one handle is
// what every other handle reports and enforces from then on.
func TestRestrictUsageSeenByOtherHandle(t *testing.T) {
	_, c := startStorage(t)
	id := []byte("key")
	s := open(t, c, storeUUID)
	defer s.Close()
	mustInTA(t, s, func(s *ta.Session) error {
		k, err := ta.AllocateTransientObject(tee.TypeAES, 128)
		if err != nil {
			return err
		}
		defer k.Free()
		if err := k.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)}); err != nil {
			return err
		}
		flags := ta.DataAccessRead | ta.DataShareRead
		a, err := s.CreatePersistentObject(ta.StoragePrivate, id, flags, k, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := s.OpenPersistentObject(ta.StoragePrivate, id, flags)
		if err != nil {
			return err
		}
		defer b.Close()
		if err := a.RestrictUsage(tee.UsageAll &^ tee.UsageExtractable); err != nil {
			return err
		}
		if info, err := b.Info(); err != nil || info.Usage&tee.UsageExtractable != 0 {
			return fmt.Errorf("the other handle still reports usage %#x after the restriction (%v): %w", uint32(info.Usage), err, tee.ErrGeneric)
		}
		return nil
	})
}

// Restrictions through two handles both hold: after handle A drops EXTRACTABLE and
// handle B (opened before) drops SIGN, the stored object is neither.
func TestRestrictUsageNoLostUpdate(t *testing.T) {
	_, c := startStorage(t)
	id := []byte("key2")
	s := open(t, c, storeUUID)
	defer s.Close()
	mustInTA(t, s, func(s *ta.Session) error {
		k, err := ta.AllocateTransientObject(tee.TypeAES, 128)
		if err != nil {
			return err
		}
		defer k.Free()
		if err := k.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)}); err != nil {
			return err
		}
		flags := ta.DataAccessRead | ta.DataShareRead
		a, err := s.CreatePersistentObject(ta.StoragePrivate, id, flags, k, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := s.OpenPersistentObject(ta.StoragePrivate, id, flags)
		if err != nil {
			return err
		}
		defer b.Close()
		if err := a.RestrictUsage(tee.UsageAll &^ tee.UsageExtractable); err != nil {
			return err
		}
		return b.RestrictUsage(tee.UsageAll &^ tee.UsageSign)
	})
	mustInTA(t, s, func(s *ta.Session) error {
		o, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead)
		if err != nil {
			return err
		}
		defer o.Close()
		info, err := o.Info()
		if err != nil {
			return err
		}
		if info.Usage&tee.UsageExtractable != 0 {
			return fmt.Errorf("stored usage %#x: EXTRACTABLE came back: %w", uint32(info.Usage), tee.ErrGeneric)
		}
		return nil
	})
}

// A staged write that fails part way (here: more than teed's staging limit) leaves
// nothing staged behind: a later write that needs staging succeeds.
func TestFailedStagingReleasesStagedData(t *testing.T) {
	if testing.Short() {
		t.Skip("stages 64 MiB")
	}
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	defer s.Close()
	if err := inTA(t, s, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("big"), ta.DataAccessWrite|ta.DataAccessWriteMeta, nil, nil)
		if err != nil {
			return err
		}
		defer o.Close()
		if err := o.WriteData(make([]byte, 65<<20)); !errors.Is(err, tee.ErrStorageNoSpace) {
			return fmt.Errorf("65 MiB write: %v, want STORAGE_NO_SPACE: %w", err, tee.ErrGeneric)
		}
		// A 100 KB write, far within the quota, must succeed.
		if err := o.WriteData(make([]byte, 100_000)); err != nil {
			return fmt.Errorf("100 KB write after a failed large one: %w", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A seek whose position does not fit an int64 is TEE_ERROR_OVERFLOW and leaves the
// position, as GP (and OP-TEE's ADD_OVERFLOW check) say, instead of wrapping to 0.
func TestSeekOverflow(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	defer s.Close()
	mustInTA(t, s, func(s *ta.Session) error {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("seek"), ta.DataAccessRead, nil, []byte("0123456789"))
		if err != nil {
			return err
		}
		defer o.Close()
		if err := o.SeekData(5, ta.SeekSet); err != nil {
			return err
		}
		err = o.SeekData(math.MaxInt64, ta.SeekCur)
		info, _ := o.Info()
		if !errors.Is(err, tee.ErrOverflow) || info.DataPosition != 5 {
			return fmt.Errorf("seek by MaxInt64 from 5: %v, position %d; want OVERFLOW, position 5: %w", err, info.DataPosition, tee.ErrGeneric)
		}
		return nil
	})
}

// Staged data is bounded for all instances of a TA together: an instance that stages
// and then idles pins its data in teed for as long as it lives, so a bound per
// instance would let one multi-instance TA pin 256 × 64 MiB.
func TestStagedDataBoundAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("stages 128 MiB")
	}
	_, c := startStorage(t)
	chunk := make([]byte, wire.MaxObjectChunk)
	var accepted atomic.Int64 // written in the TA, which runs on another goroutine
	for i := range 2 {
		s := open(t, c, storeUUID) // a new instance each: storeUUID is multi-instance
		defer s.Close()
		mustInTA(t, s, func(s *ta.Session) error {
			for range (64 << 20) / len(chunk) {
				r, ok := ta.RawRequest(s, &wire.ObjStage{Token: uint32(i + 1), Data: chunk}).(*wire.ObjStatus)
				if !ok {
					return tee.ErrGeneric
				}
				if r.Result != tee.Success {
					return nil
				}
				accepted.Add(int64(len(chunk)))
			}
			return nil
		})
	}
	if n := accepted.Load(); n > 64<<20 {
		t.Fatalf("teed holds %d MiB staged by two idle instances of one TA; no limit across instances", n>>20)
	}
}
