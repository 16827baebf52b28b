package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/gotee/gotee/tee"
)

func notFound() error { return fmt.Errorf("storage: no such object: %w", tee.ErrItemNotFound) }

// readObject runs fn on the object ref names, in a read transaction.
func (s *Store) readObject(ctx context.Context, ta tee.UUID, ns byte, ref objRef, fn func(o *otx, m *meta, e entry) error) error {
	var e entry
	var ok bool
	return s.read(ctx, func() { e, ok = s.lookup(ref) }, func(tx *bolt.Tx) error {
		if !ok {
			return notFound()
		}
		o := newOtx(s, tx, ta, ns, ref.ns, nil)
		m, err := o.loadMeta(ref.key, e)
		if err != nil {
			return err
		}
		return fn(o, m, e)
	})
}

// writeObject runs fn on the object ref names, in a write transaction, and
// writes back its meta record; fn returns errNoChange to commit nothing.
func (s *Store) writeObject(ctx context.Context, ta tee.UUID, ns byte, ref objRef, fn func(o *otx, m *meta, e entry) error) error {
	return s.update(ctx, ta, func(w *wtx) error {
		e, ok := s.lookup(ref)
		if !ok {
			return notFound()
		}
		o := newOtx(s, w.tx, ta, ns, ref.ns, w)
		m, err := o.loadMeta(ref.key, e)
		if err != nil {
			return err
		}
		if err := fn(o, m, e); err != nil {
			return err
		}
		return o.putMeta(ref.key, e.uid, &e.tag, m)
	})
}

func (s *Store) stat(ctx context.Context, ta tee.UUID, ns byte, ref objRef) (info Info, err error) {
	err = s.readObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		info = Info{DataSize: int64(m.size), HeaderSize: int(m.headerLen)}
		return nil
	})
	return info, err
}

func (s *Store) readHeader(ctx context.Context, ta tee.UUID, ns byte, ref objRef) (h []byte, err error) {
	err = s.readObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		h, err = o.readHeader(m, e.uid)
		return err
	})
	return h, err
}

func (s *Store) readAt(ctx context.Context, ta tee.UUID, ns byte, ref objRef, p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, fmt.Errorf("storage: read at %d: %w", off, tee.ErrBadParameters)
	}
	err = s.readObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		n, err = o.readAt(m, e.uid, p, uint64(off))
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (s *Store) writeAt(ctx context.Context, ta tee.UUID, ns byte, ref objRef, p []byte, off int64) error {
	if off < 0 {
		return fmt.Errorf("storage: write at %d: %w", off, tee.ErrBadParameters)
	}
	if uint64(off)+uint64(len(p)) > MaxDataSize {
		return fmt.Errorf("storage: write of %d bytes at %d ends beyond TEE_DATA_MAX_POSITION: %w", len(p), off, tee.ErrOverflow)
	}
	if len(p) == 0 {
		return s.readObject(ctx, ta, ns, ref, func(*otx, *meta, entry) error { return nil })
	}
	return s.writeObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		return o.writeAt(m, e.uid, p, uint64(off))
	})
}

func (s *Store) truncate(ctx context.Context, ta tee.UUID, ns byte, ref objRef, size int64) error {
	if size < 0 {
		return fmt.Errorf("storage: truncate to %d: %w", size, tee.ErrBadParameters)
	}
	if size > MaxDataSize {
		return fmt.Errorf("storage: truncate to %d, beyond TEE_DATA_MAX_POSITION: %w", size, tee.ErrStorageNoSpace)
	}
	return s.writeObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		if uint64(size) == m.size {
			return errNoChange
		}
		return o.truncate(m, e.uid, uint64(size))
	})
}

func (s *Store) setHeader(ctx context.Context, ta tee.UUID, ns byte, ref objRef, h []byte) error {
	if err := checkHeader(h); err != nil {
		return err
	}
	return s.writeObject(ctx, ta, ns, ref, func(o *otx, m *meta, e entry) error {
		return o.setHeader(m, e.uid, h)
	})
}

func (s *Store) remove(ctx context.Context, ta tee.UUID, ns byte, ref objRef) error {
	return s.update(ctx, ta, func(w *wtx) error {
		e, ok := s.lookup(ref)
		if !ok {
			return notFound()
		}
		return newOtx(s, w.tx, ta, ns, ref.ns, w).remove(ref.key, e)
	})
}

// rename moves the object from to to, keeping its records: they are bound to
// the object's uid, and only the meta record is bound to its ID.
func (s *Store) rename(ctx context.Context, ta tee.UUID, ns byte, from, to objRef, newID []byte) error {
	return s.update(ctx, ta, func(w *wtx) error {
		e, ok := s.lookup(from)
		if !ok {
			return notFound()
		}
		if _, exists := s.lookup(to); exists {
			return fmt.Errorf("storage: an object with the new ID exists: %w", tee.ErrAccessConflict)
		}
		o := newOtx(s, w.tx, ta, ns, from.ns, w)
		m, err := o.loadMeta(from.key, e)
		if err != nil {
			return err
		}
		mk := metaKey(from.key, e.uid, e.tag)
		if err := o.del(mk); err != nil {
			return err
		}
		w.acc.sub(s.k.term(from.ns, mk))
		w.mem = append(w.mem, memOp{ref: from, del: true})
		w.over[from] = -1
		m.id = append([]byte{}, newID...)
		return o.putMeta(to.key, e.uid, nil, m)
	})
}
