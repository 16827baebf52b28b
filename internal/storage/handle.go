package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/gotee/gotee/tee"
)

// Handle is an open persistent object: a TEE_ObjectHandle of a persistent
// object, as the TA runtime holds it on behalf of a TA instance. Its access
// flags are checked by every operation; a missing one gives an error matching
// ErrMisuse. Handles of all instances of a TA share one table in the Store, so
// GP's sharing rules hold across instances. A Handle is safe for concurrent
// use.
//
// Deleting or renaming an object needs ACCESS_WRITE_META, which GP makes
// exclusive, so an object is never deleted or renamed under another handle
// (Store.Delete and Store.Rename fail with ACCESS_CONFLICT while it is open, as
// OP-TEE's do); a handle follows its object through its own Rename.
type Handle struct {
	s     *Store
	ta    tee.UUID
	ns    byte
	flags Flags // without FlagOverwrite

	// guarded by s.mu
	ref    objRef
	id     []byte
	closed bool
}

// compatible is GP's sharing rule (Internal Core API §5.7.1) for two handles
// on one object: if either may read, both must share reading; if either may
// write, both must share writing; WRITE_META is never shared. OP-TEE also
// requires both handles to have the same share flags; GP does not, and neither
// does this engine.
func compatible(a, b Flags) bool {
	if (a|b)&FlagAccessWriteMeta != 0 {
		return false
	}
	if (a|b)&FlagAccessRead != 0 && a&b&FlagShareRead == 0 {
		return false
	}
	if (a|b)&FlagAccessWrite != 0 && a&b&FlagShareWrite == 0 {
		return false
	}
	return true
}

func (s *Store) newHandle(ta tee.UUID, ns byte, ref objRef, id []byte, flags Flags) *Handle {
	return &Handle{s: s, ta: ta, ns: ns, flags: flags &^ FlagOverwrite, ref: ref, id: append([]byte{}, id...)}
}

// acquire enters h in the open-handle table if GP's sharing rules allow it.
// Callers hold s.mu.
func (s *Store) acquire(h *Handle) error {
	if err := s.usable(); err != nil {
		return err
	}
	for _, o := range s.open[h.ref] {
		if !compatible(o.flags, h.flags) {
			return fmt.Errorf("storage: object is open with access %#x that excludes %#x: %w", uint32(o.flags), uint32(h.flags), tee.ErrAccessConflict)
		}
	}
	s.open[h.ref] = append(s.open[h.ref], h)
	return nil
}

// release removes h from the table. Callers hold s.mu.
func (s *Store) release(h *Handle) {
	hs := slices.DeleteFunc(s.open[h.ref], func(o *Handle) bool { return o == h })
	if len(hs) == 0 {
		delete(s.open, h.ref)
	} else {
		s.open[h.ref] = hs
	}
	h.closed = true
}

// reserve takes a handle that is not handed out: Store-level operations hold
// one for their duration so that they obey the same sharing rules.
func (s *Store) reserve(ta tee.UUID, ns byte, ref objRef, id []byte, flags Flags) (*Handle, error) {
	h := s.newHandle(ta, ns, ref, id, flags)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.acquire(h); err != nil {
		return nil, err
	}
	return h, nil
}

func (s *Store) unreserve(h *Handle) {
	s.mu.Lock()
	s.release(h)
	s.mu.Unlock()
}

// use checks that h is open and has the access need, and returns its object.
func (h *Handle) use(need Flags, missing error) (objRef, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if h.closed {
		return objRef{}, ErrHandleClosed
	}
	if h.flags&need != need {
		return objRef{}, missing
	}
	return h.ref, nil
}

// Flags returns the access and share flags the handle was opened with.
func (h *Handle) Flags() Flags { return h.flags }

// ID returns the object's ID (its new one after a Rename).
func (h *Handle) ID() []byte {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return append([]byte{}, h.id...)
}

// Stat returns the object's sizes; it needs no access flag.
func (h *Handle) Stat(ctx context.Context) (Info, error) {
	ref, err := h.use(0, nil)
	if err != nil {
		return Info{}, err
	}
	return h.s.stat(ctx, h.ta, h.ns, ref)
}

// ReadHeader returns the object's header; it needs no access flag (the
// runtime reads it to open the object).
func (h *Handle) ReadHeader(ctx context.Context) ([]byte, error) {
	ref, err := h.use(0, nil)
	if err != nil {
		return nil, err
	}
	return h.s.readHeader(ctx, h.ta, h.ns, ref)
}

// ReadAt reads into p from offset off of the data stream and returns how many
// bytes there were: fewer than len(p) near the end, 0 at or beyond it. It
// needs ACCESS_READ.
func (h *Handle) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	ref, err := h.use(FlagAccessRead, ErrNoReadAccess)
	if err != nil {
		return 0, err
	}
	return h.s.readAt(ctx, h.ta, h.ns, ref, p, off)
}

// WriteAt writes p at offset off, in one transaction however long p is;
// writing beyond the end first extends the stream with zeros. It needs
// ACCESS_WRITE.
func (h *Handle) WriteAt(ctx context.Context, p []byte, off int64) error {
	ref, err := h.use(FlagAccessWrite, ErrNoWriteAccess)
	if err != nil {
		return err
	}
	return h.s.writeAt(ctx, h.ta, h.ns, ref, p, off)
}

// Truncate sets the size of the data stream, extending it with zeros or
// dropping its end. It needs ACCESS_WRITE.
func (h *Handle) Truncate(ctx context.Context, size int64) error {
	ref, err := h.use(FlagAccessWrite, ErrNoWriteAccess)
	if err != nil {
		return err
	}
	return h.s.truncate(ctx, h.ta, h.ns, ref, size)
}

// SetHeader replaces the object's header. It checks no access flag: which
// changes of the object's information a TA may make through which handle
// (TEE_RestrictObjectUsage1, for one) is the runtime's to decide.
func (h *Handle) SetHeader(ctx context.Context, header []byte) error {
	ref, err := h.use(0, nil)
	if err != nil {
		return err
	}
	return h.s.setHeader(ctx, h.ta, h.ns, ref, header)
}

// Rename gives the object a new ID in the same namespace; ACCESS_CONFLICT if
// an object with that ID exists (the object's own ID included). It needs
// ACCESS_WRITE_META. The handle follows the object.
func (h *Handle) Rename(ctx context.Context, newID []byte) error {
	ref, err := h.use(FlagAccessWriteMeta, ErrNoWriteMeta)
	if err != nil {
		return err
	}
	if err := checkID(newID); err != nil {
		return err
	}
	s := h.s
	to := objRef{ref.ns, s.k.object(h.ta, h.ns, newID)}
	if to == ref {
		return fmt.Errorf("storage: rename to the object's own ID: %w", tee.ErrAccessConflict)
	}
	dst, err := s.reserve(h.ta, h.ns, to, newID, FlagAccessWriteMeta)
	if err != nil {
		return err
	}
	err = s.rename(ctx, h.ta, h.ns, ref, to, newID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release(dst)
	if err == nil && !h.closed {
		s.release(h)
		h.ref, h.id, h.closed = to, append([]byte{}, newID...), false
		s.open[to] = append(s.open[to], h)
	}
	return err
}

// CloseAndDelete deletes the object and closes the handle. It needs
// ACCESS_WRITE_META; without it, it returns ErrNoWriteMeta (the runtime
// panics the TA, as GP says) and the handle stays open.
func (h *Handle) CloseAndDelete(ctx context.Context) error {
	ref, err := h.use(FlagAccessWriteMeta, ErrNoWriteMeta)
	if err != nil {
		return err
	}
	if err := h.s.remove(ctx, h.ta, h.ns, ref); err != nil {
		return err
	}
	h.s.mu.Lock()
	h.s.release(h)
	h.s.mu.Unlock()
	return nil
}

// Close closes the handle; ErrHandleClosed if it was closed already.
func (h *Handle) Close() error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if h.closed {
		return ErrHandleClosed
	}
	h.s.release(h)
	return nil
}

// Open opens an existing object (TEE_OpenPersistentObject). flags may hold
// the access and share flags only. It fails with ITEM_NOT_FOUND for an unknown
// storage ID or object, BAD_PARAMETERS for other flags or an ID longer than
// MaxObjectIDLen, ACCESS_CONFLICT if GP's sharing rules forbid it, and
// CORRUPT_OBJECT if the object's meta record does not verify.
func (s *Store) Open(ctx context.Context, ta tee.UUID, sid StorageID, id []byte, flags Flags) (*Handle, error) {
	if flags&^openFlags != 0 {
		return nil, fmt.Errorf("storage: open flags %#x: %w", uint32(flags), tee.ErrBadParameters)
	}
	ns, ref, err := s.name(ta, sid, id)
	if err != nil {
		return nil, err
	}
	h, err := s.reserve(ta, ns, ref, id, flags)
	if err != nil {
		return nil, err
	}
	if err := s.readObject(ctx, ta, ns, ref, func(*otx, *meta, entry) error { return nil }); err != nil {
		s.unreserve(h)
		return nil, err
	}
	return h, nil
}

// CreateOpen creates an object with header and initial data in one
// transaction and returns a handle on it (TEE_CreatePersistentObject). With
// FlagOverwrite it replaces an existing object, atomically; without it, an
// existing object is ACCESS_CONFLICT. Replacing an object that is open is
// ACCESS_CONFLICT too.
func (s *Store) CreateOpen(ctx context.Context, ta tee.UUID, sid StorageID, id []byte, flags Flags, header, data []byte) (*Handle, error) {
	if flags&^createFlags != 0 {
		return nil, fmt.Errorf("storage: create flags %#x: %w", uint32(flags), tee.ErrBadParameters)
	}
	ns, ref, err := s.name(ta, sid, id)
	if err != nil {
		return nil, err
	}
	if err := checkHeader(header); err != nil {
		return nil, err
	}
	if uint64(len(data)) > MaxDataSize {
		return nil, fmt.Errorf("storage: %d bytes of initial data: %w", len(data), tee.ErrStorageNoSpace)
	}
	r, err := s.reserve(ta, ns, ref, id, FlagAccessWriteMeta)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, ta, func(w *wtx) error {
		e, exists := s.lookup(ref)
		if exists && flags&FlagOverwrite == 0 {
			return fmt.Errorf("storage: object exists: %w", tee.ErrAccessConflict)
		}
		o := newOtx(s, w.tx, ta, ns, ref.ns, w)
		var old *entry
		if exists {
			old = &e
		}
		return o.create(ref.key, id, header, data, old)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.release(r)
	if err != nil {
		return nil, err
	}
	// The reservation was exclusive, so nothing can have been opened meanwhile.
	h := s.newHandle(ta, ns, ref, id, flags)
	s.open[ref] = append(s.open[ref], h)
	return h, nil
}

// Create creates an object with header and initial data, like CreateOpen,
// without keeping a handle.
func (s *Store) Create(ctx context.Context, ta tee.UUID, sid StorageID, id, header, data []byte, overwrite bool) error {
	flags := Flags(0)
	if overwrite {
		flags = FlagOverwrite
	}
	h, err := s.CreateOpen(ctx, ta, sid, id, flags, header, data)
	if err != nil {
		return err
	}
	return h.Close()
}

// with runs fn holding a reservation with flags on the object.
func (s *Store) with(ta tee.UUID, sid StorageID, id []byte, flags Flags, fn func(ns byte, ref objRef) error) error {
	ns, ref, err := s.name(ta, sid, id)
	if err != nil {
		return err
	}
	if flags == 0 {
		return fn(ns, ref)
	}
	h, err := s.reserve(ta, ns, ref, id, flags)
	if err != nil {
		return err
	}
	defer s.unreserve(h)
	return fn(ns, ref)
}

const shared = FlagShareRead | FlagShareWrite

// Stat returns an object's sizes. Like enumeration, it does not take part in
// the sharing rules.
func (s *Store) Stat(ctx context.Context, ta tee.UUID, sid StorageID, id []byte) (info Info, err error) {
	err = s.with(ta, sid, id, 0, func(ns byte, ref objRef) error {
		info, err = s.stat(ctx, ta, ns, ref)
		return err
	})
	return info, err
}

// ReadHeader returns an object's header; like Stat, it does not take part in
// the sharing rules.
func (s *Store) ReadHeader(ctx context.Context, ta tee.UUID, sid StorageID, id []byte) (h []byte, err error) {
	err = s.with(ta, sid, id, 0, func(ns byte, ref objRef) error {
		h, err = s.readHeader(ctx, ta, ns, ref)
		return err
	})
	return h, err
}

// ReadAt reads from an object as a handle opened with ACCESS_READ and both
// share flags would.
func (s *Store) ReadAt(ctx context.Context, ta tee.UUID, sid StorageID, id []byte, p []byte, off int64) (n int, err error) {
	err = s.with(ta, sid, id, FlagAccessRead|shared, func(ns byte, ref objRef) error {
		n, err = s.readAt(ctx, ta, ns, ref, p, off)
		return err
	})
	return n, err
}

// WriteAt writes to an object as a handle opened with ACCESS_WRITE and both
// share flags would.
func (s *Store) WriteAt(ctx context.Context, ta tee.UUID, sid StorageID, id []byte, p []byte, off int64) error {
	return s.with(ta, sid, id, FlagAccessWrite|shared, func(ns byte, ref objRef) error {
		return s.writeAt(ctx, ta, ns, ref, p, off)
	})
}

// Truncate sets an object's size as a handle opened with ACCESS_WRITE and both
// share flags would.
func (s *Store) Truncate(ctx context.Context, ta tee.UUID, sid StorageID, id []byte, size int64) error {
	return s.with(ta, sid, id, FlagAccessWrite|shared, func(ns byte, ref objRef) error {
		return s.truncate(ctx, ta, ns, ref, size)
	})
}

// SetHeader replaces an object's header as a handle opened with ACCESS_WRITE
// and both share flags would.
func (s *Store) SetHeader(ctx context.Context, ta tee.UUID, sid StorageID, id, header []byte) error {
	return s.with(ta, sid, id, FlagAccessWrite|shared, func(ns byte, ref objRef) error {
		return s.setHeader(ctx, ta, ns, ref, header)
	})
}

// Delete deletes an object, as a handle opened with ACCESS_WRITE_META would:
// ACCESS_CONFLICT while it is open. A corrupt object can be deleted.
func (s *Store) Delete(ctx context.Context, ta tee.UUID, sid StorageID, id []byte) error {
	return s.with(ta, sid, id, FlagAccessWriteMeta, func(ns byte, ref objRef) error {
		return s.remove(ctx, ta, ns, ref)
	})
}

// Rename gives an object a new ID, as a handle opened with ACCESS_WRITE_META
// would.
func (s *Store) Rename(ctx context.Context, ta tee.UUID, sid StorageID, id, newID []byte) error {
	return s.with(ta, sid, id, FlagAccessWriteMeta, func(ns byte, ref objRef) error {
		if err := checkID(newID); err != nil {
			return err
		}
		to := objRef{ref.ns, s.k.object(ta, ns, newID)}
		if to == ref {
			return fmt.Errorf("storage: rename to the object's own ID: %w", tee.ErrAccessConflict)
		}
		dst, err := s.reserve(ta, ns, to, newID, FlagAccessWriteMeta)
		if err != nil {
			return err
		}
		defer s.unreserve(dst)
		return s.rename(ctx, ta, ns, ref, to, newID)
	})
}

// Enumerate lists the objects of one TA in one storage, sorted by ID, with
// their headers (TEE_StartPersistentObjectEnumerator and
// TEE_GetNextPersistentObject). The quota bounds the size of the answer. An
// object whose meta record does not verify cannot be named and is left out; one
// whose header does not verify is listed with a nil Header.
func (s *Store) Enumerate(ctx context.Context, ta tee.UUID, sid StorageID) ([]Entry, error) {
	ns, err := nsOf(sid)
	if err != nil {
		return nil, err
	}
	id := s.k.namespace(ta, ns)
	var objs map[objKey]entry
	var list []Entry
	err = s.read(ctx, func() { objs = maps(s.index[id]) }, func(tx *bolt.Tx) error {
		o := newOtx(s, tx, ta, ns, id, nil)
		for k, e := range objs {
			m, err := o.loadMeta(k, e)
			if err != nil {
				continue
			}
			h, _ := o.readHeader(m, e.uid)
			list = append(list, Entry{ID: m.id, Info: Info{DataSize: int64(m.size), HeaderSize: int(m.headerLen)}, Header: h})
		}
		return nil
	})
	slices.SortFunc(list, func(a, b Entry) int { return bytes.Compare(a.ID, b.ID) })
	return list, err
}
