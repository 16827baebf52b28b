package core

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// Limits on storage state, so TAs cannot exhaust teed's memory.
const (
	maxObjectHandles = 1024      // open persistent-object handles per instance
	maxStagedPerTA   = 64 << 20  // data staged for atomic writes by all instances of a TA: its default quota
	maxStagedTotal   = 256 << 20 // data staged by all TAs together
	maxStages        = 64        // staged writes in progress, per instance
)

// stageAccount counts staged bytes per TA and in all, across instances: an instance
// that stages and then idles pins memory in teed, so the bound must hold for a TA's
// instances together, not for each. It is safe for concurrent use.
type stageAccount struct {
	mu    sync.Mutex
	total int64              // guarded by mu
	perTA map[tee.UUID]int64 // guarded by mu
}

// reserve accounts n more bytes to ta, or reports that they do not fit.
func (a *stageAccount) reserve(ta tee.UUID, n int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.perTA[ta]+n > maxStagedPerTA || a.total+n > maxStagedTotal {
		return false
	}
	if a.perTA == nil {
		a.perTA = map[tee.UUID]int64{}
	}
	a.perTA[ta] += n
	a.total += n
	return true
}

// release gives back n bytes reserved for ta.
func (a *stageAccount) release(ta tee.UUID, n int64) {
	if n == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total -= n
	if a.perTA[ta] -= n; a.perTA[ta] <= 0 {
		delete(a.perTA, ta)
	}
}

// objects is an instance's open object handles, staged data and enumerations. The
// handles are the storage engine's; the TA names them by the numbers teed gave it,
// so it can reach only what it opened, and teed takes the TA's UUID from the
// instance, never from a message.
type objects struct {
	mu      sync.Mutex
	last    uint32                     // the last handle number given (guarded by mu)
	handles map[uint32]*storage.Handle // guarded by mu; nil once the instance is dead
	stages  map[uint32][]byte          // guarded by mu
	staged  int                        // bytes in stages (guarded by mu)
	ta      tee.UUID                   // whose instance this is
	acct    *stageAccount              // the server's account of staged bytes
	// enums holds, per storage, the IDs the TA's last enumeration started on; its
	// enumerators walk them by ID (guarded by mu). Headers, which hold keys, are
	// read when an enumerator reaches them and not kept.
	enums map[uint32][]enumEntry
}

// enumEntry is one object of an enumeration's listing.
type enumEntry struct {
	id      []byte
	corrupt bool // its header failed its check when listed
}

var errNoStorage = tee.ErrStorageNotAvail

// code maps a storage error to the result the TA sees.
func code(err error) tee.Result {
	if err == nil {
		return tee.Success
	}
	var r tee.Result
	if errors.As(err, &r) {
		return r
	}
	return tee.ErrGeneric
}

func (o *objects) add(h *storage.Handle) (uint32, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.handles == nil || len(o.handles) >= maxObjectHandles {
		return 0, false
	}
	for {
		o.last++
		if _, used := o.handles[o.last]; o.last != 0 && !used {
			break
		}
	}
	o.handles[o.last] = h
	return o.last, true
}

func (o *objects) get(id uint32) *storage.Handle {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.handles[id]
}

func (o *objects) remove(id uint32) *storage.Handle {
	o.mu.Lock()
	defer o.mu.Unlock()
	h := o.handles[id]
	delete(o.handles, id)
	return h
}

// stage appends a chunk to the data staged under token. A chunk that does not fit
// the limits fails, and the whole staged write with it: what was staged under the
// token is dropped, since the TA will not send the request that would take it.
func (o *objects) stage(token uint32, data []byte) tee.Result {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.handles == nil {
		return tee.ErrStorageNotAvail
	}
	if _, ok := o.stages[token]; !ok && len(o.stages) >= maxStages {
		return tee.ErrOutOfMemory
	}
	if !o.acct.reserve(o.ta, int64(len(data))) {
		o.dropLocked(token)
		return tee.ErrStorageNoSpace
	}
	o.stages[token] = append(o.stages[token], data...)
	o.staged += len(data)
	return tee.Success
}

// dropLocked forgets what was staged under token; o.mu must be held.
func (o *objects) dropLocked(token uint32) []byte {
	data := o.stages[token]
	delete(o.stages, token)
	o.staged -= len(data)
	o.acct.release(o.ta, int64(len(data)))
	return data
}

// take removes and returns the data staged under token followed by last.
func (o *objects) take(token uint32, last []byte) []byte {
	if token == 0 {
		return last
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append(o.dropLocked(token), last...)
}

// closeAll closes every handle the instance left open; after it, nothing new is
// accepted.
func (o *objects) closeAll() {
	o.mu.Lock()
	handles := o.handles
	o.acct.release(o.ta, int64(o.staged))
	o.handles, o.stages, o.staged, o.enums = nil, nil, 0, nil
	o.mu.Unlock()
	for _, h := range handles {
		h.Close()
	}
}

// next is the enumeration step: the first object of the listing after the ID after
// (the very first with first, which lists the storage afresh), with its header. An
// object deleted since the listing is skipped.
func (o *objects) next(ctx context.Context, st *storage.Store, ta tee.UUID, sid uint32, first bool, after []byte) (*storage.Entry, error) {
	o.mu.Lock()
	list, ok := o.enums[sid]
	o.mu.Unlock()
	if first || !ok {
		entries, err := st.Enumerate(ctx, ta, storage.StorageID(sid))
		if err != nil {
			return nil, err
		}
		list = make([]enumEntry, len(entries))
		for i, e := range entries {
			list[i] = enumEntry{id: e.ID, corrupt: e.Header == nil}
			clear(e.Header)
		}
		o.mu.Lock()
		if o.enums == nil {
			o.mu.Unlock()
			return nil, tee.ErrStorageNotAvail
		}
		o.enums[sid] = list
		o.mu.Unlock()
	}
	i := 0
	if !first {
		i = sort.Search(len(list), func(i int) bool { return bytes.Compare(list[i].id, after) > 0 })
	}
	for ; i < len(list); i++ {
		e := &storage.Entry{ID: list[i].id}
		if list[i].corrupt {
			return e, nil
		}
		header, err := st.ReadHeader(ctx, ta, storage.StorageID(sid), e.ID)
		if errors.Is(err, tee.ErrItemNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		info, err := st.Stat(ctx, ta, storage.StorageID(sid), e.ID)
		if errors.Is(err, tee.ErrItemNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		e.Header, e.Info = header, info
		return e, nil
	}
	return nil, tee.ErrItemNotFound
}

// serveStorage answers a trusted storage request of the instance's TA.
func (in *instance) serveStorage(m wire.Message) wire.Message {
	st := in.srv.cfg.Objects
	if st == nil {
		switch m.(type) {
		case *wire.ObjOpen, *wire.ObjCreate, *wire.ObjInfo:
			return &wire.ObjHandleResp{Result: errNoStorage}
		case *wire.ObjRead:
			return &wire.ObjReadResp{Result: errNoStorage}
		case *wire.ObjEnum:
			return &wire.ObjEnumResp{Result: errNoStorage}
		}
		return &wire.ObjStatus{Result: errNoStorage}
	}
	ctx := context.Background()
	objs := &in.objects
	ta := in.manifest.UUID
	status := func(err error) wire.Message { return &wire.ObjStatus{Result: code(err)} }
	handle := func(id uint32, f func(*storage.Handle) error) wire.Message {
		h := objs.get(id)
		if h == nil {
			return &wire.ObjStatus{Result: tee.ErrBadParameters}
		}
		return status(f(h))
	}
	info := func(h *storage.Handle) *wire.ObjHandleResp {
		header, err := h.ReadHeader(ctx)
		if err != nil {
			return &wire.ObjHandleResp{Result: code(err)}
		}
		stat, err := h.Stat(ctx)
		if err != nil {
			return &wire.ObjHandleResp{Result: code(err)}
		}
		return &wire.ObjHandleResp{Header: header, DataSize: uint32(stat.DataSize)}
	}
	opened := func(h *storage.Handle, err error) wire.Message {
		if err != nil {
			return &wire.ObjHandleResp{Result: code(err)}
		}
		r := info(h)
		if r.Result != tee.Success {
			h.Close()
			return r
		}
		id, ok := objs.add(h)
		if !ok {
			h.Close()
			return &wire.ObjHandleResp{Result: tee.ErrOutOfMemory}
		}
		r.Handle = id
		return r
	}

	switch m := m.(type) {
	case *wire.ObjOpen:
		return opened(st.Open(ctx, ta, storage.StorageID(m.Storage), m.ID, storage.Flags(m.Flags)))
	case *wire.ObjCreate:
		data := objs.take(m.Token, m.Data)
		return opened(st.CreateOpen(ctx, ta, storage.StorageID(m.Storage), m.ID, storage.Flags(m.Flags), m.Header, data))
	case *wire.ObjStage:
		return &wire.ObjStatus{Result: objs.stage(m.Token, m.Data)}
	case *wire.ObjInfo:
		h := objs.get(m.Handle)
		if h == nil {
			return &wire.ObjHandleResp{Result: tee.ErrBadParameters}
		}
		r := info(h)
		r.Handle = m.Handle
		return r
	case *wire.ObjClose:
		h := objs.remove(m.Handle)
		if h == nil {
			return &wire.ObjStatus{Result: tee.ErrBadParameters}
		}
		if m.Delete {
			// The handle is gone for the TA whatever the outcome
			// (TEE_CloseAndDeletePersistentObject1 closes it in all cases), so
			// teed closes it too if the delete failed.
			err := h.CloseAndDelete(ctx)
			if err != nil {
				h.Close()
			}
			return status(err)
		}
		return status(h.Close())
	case *wire.ObjRename:
		return handle(m.Handle, func(h *storage.Handle) error { return h.Rename(ctx, m.ID) })
	case *wire.ObjRead:
		h := objs.get(m.Handle)
		if h == nil {
			return &wire.ObjReadResp{Result: tee.ErrBadParameters}
		}
		buf := make([]byte, m.Size)
		n, err := h.ReadAt(ctx, buf, int64(m.Offset))
		return &wire.ObjReadResp{Result: code(err), Data: buf[:n]}
	case *wire.ObjWrite:
		data := objs.take(m.Token, m.Data)
		return handle(m.Handle, func(h *storage.Handle) error { return h.WriteAt(ctx, data, int64(m.Offset)) })
	case *wire.ObjTruncate:
		return handle(m.Handle, func(h *storage.Handle) error { return h.Truncate(ctx, int64(m.Size)) })
	case *wire.ObjSetHeader:
		return handle(m.Handle, func(h *storage.Handle) error {
			// Compare and swap: handles of several instances may restrict the
			// usage at once, and none may undo another's restriction.
			in.srv.headerMu.Lock()
			defer in.srv.headerMu.Unlock()
			cur, err := h.ReadHeader(ctx)
			if err != nil {
				return err
			}
			if !bytes.Equal(cur, m.Expect) {
				return tee.ErrBadState
			}
			return h.SetHeader(ctx, m.Header)
		})
	case *wire.ObjEnum:
		e, err := objs.next(ctx, st, ta, m.Storage, m.First, m.After)
		if err != nil {
			return &wire.ObjEnumResp{Result: code(err)}
		}
		if e.Header == nil { // the header failed its check: the object is listed, unreadable
			return &wire.ObjEnumResp{Result: tee.ErrCorruptObject, ID: e.ID}
		}
		return &wire.ObjEnumResp{ID: e.ID, Header: e.Header, DataSize: uint32(e.Info.DataSize)}
	}
	return &wire.ObjStatus{Result: tee.ErrNotSupported}
}
