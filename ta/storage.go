package ta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// Storage identifiers (TEE_STORAGE_*). StoragePrivate is the TA's private storage;
// as in OP-TEE's default build it is the same store as StorageREE. StorageRPMB is a
// separate store, as the RPMB partition is on a device (here it is emulated by teed).
const (
	StoragePrivate uint32 = 0x00000001
	StorageREE     uint32 = 0x80000000
	StorageRPMB    uint32 = 0x80000100
)

// DataFlags are the TEE_DATA_FLAG_* access and sharing flags of a persistent object
// handle (§5.7.1).
type DataFlags uint32

const (
	DataAccessRead      DataFlags = 0x00000001
	DataAccessWrite     DataFlags = 0x00000002
	DataAccessWriteMeta DataFlags = 0x00000004
	DataShareRead       DataFlags = 0x00000010
	DataShareWrite      DataFlags = 0x00000020
	// DataOverwrite makes CreatePersistentObject replace an existing object.
	DataOverwrite DataFlags = 0x00000400

	dataFlagsKnown = DataAccessRead | DataAccessWrite | DataAccessWriteMeta | DataShareRead | DataShareWrite | DataOverwrite
)

// Whence says what SeekData's offset counts from (TEE_Whence).
type Whence uint32

const (
	SeekSet Whence = 0 // TEE_DATA_SEEK_SET
	SeekCur Whence = 1 // TEE_DATA_SEEK_CUR
	SeekEnd Whence = 2 // TEE_DATA_SEEK_END
)

// MaxDataPosition is TEE_DATA_MAX_POSITION: no data stream extends beyond it.
const MaxDataPosition = 0xFFFFFFFF

// ObjectIDMaxLen is TEE_OBJECT_ID_MAX_LEN.
const ObjectIDMaxLen = wire.MaxObjectID

// persistent is the part of an Object that lives in trusted storage: the handle teed
// gave this instance, and the handle's data position (GP keeps one per handle).
type persistent struct {
	inst   *instance
	handle uint32
	id     []byte
	pos    int64
}

// errStorageGone is what a storage request answers when teed is gone: the instance
// is about to end anyway, and GP has no better code for it.
var errStorageGone = tee.ErrStorageNotAvail

func (p *persistent) status(m wire.Message) error {
	r, ok := p.inst.request(m).(*wire.ObjStatus)
	if !ok {
		return errStorageGone
	}
	return resultErr(r.Result)
}

func resultErr(r tee.Result) error {
	if r == tee.Success {
		return nil
	}
	return r
}

// info asks teed for the object's current header and data size: other handles, of
// other instances too, may have changed either.
func (p *persistent) info() (header []byte, size int, err error) {
	r, ok := p.inst.request(&wire.ObjInfo{Handle: p.handle}).(*wire.ObjHandleResp)
	if !ok {
		return nil, 0, errStorageGone
	}
	return r.Header, int(r.DataSize), resultErr(r.Result)
}

// refresh brings o's usage up to date with the stored object's, which another
// handle may have restricted, and returns the data size.
func (p *persistent) refresh(o *Object) (int, error) {
	header, size, err := p.info()
	if err != nil {
		return 0, err
	}
	defer clear(header)
	var cur Object
	if err := parseHeader(header, &cur); err != nil {
		return 0, tee.ErrCorruptObject
	}
	cur.wipe()
	o.usage = cur.usage
	return size, nil
}

func (p *persistent) dataSize() (int, error) {
	_, size, err := p.info()
	return size, err
}

// maxHeaderRaces bounds the retries of a usage restriction that other handles keep
// overtaking.
const maxHeaderRaces = 16

// restrictUsage removes from the stored object's usage every flag not in u: it reads
// the current header, computes the restricted one and has teed swap it in only if
// nobody changed it meanwhile, so concurrent restrictions through different handles
// all hold.
func (p *persistent) restrictUsage(o *Object, u tee.Usage) error {
	for range maxHeaderRaces {
		header, _, err := p.info()
		if err != nil {
			return err
		}
		var cur Object
		if err := parseHeader(header, &cur); err != nil {
			clear(header)
			return tee.ErrCorruptObject
		}
		if cur.usage&u == cur.usage {
			o.usage = cur.usage
			cur.wipe()
			clear(header)
			return nil
		}
		cur.usage &= u
		next := cur.header()
		cur.wipe()
		err = p.status(&wire.ObjSetHeader{Handle: p.handle, Expect: header, Header: next})
		clear(header)
		clear(next)
		if !errors.Is(err, tee.ErrBadState) {
			if err == nil {
				o.usage = cur.usage
			}
			return err
		}
	}
	return tee.ErrBusy
}

// The header is how a persistent object's type, size, usage and attributes are kept in
// the store, beside its data stream. teed keeps it opaque; only the TA reads it.
const headerVersion = 1

func (o *Object) header() []byte {
	b := []byte{headerVersion}
	b = binary.LittleEndian.AppendUint32(b, uint32(o.typ))
	b = binary.LittleEndian.AppendUint32(b, uint32(o.bits))
	b = binary.LittleEndian.AppendUint32(b, uint32(o.usage))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(o.attrs)))
	for _, a := range o.attrs {
		b = binary.LittleEndian.AppendUint32(b, uint32(a.ID))
		if a.ID.IsValue() {
			b = binary.LittleEndian.AppendUint32(b, a.A)
			b = binary.LittleEndian.AppendUint32(b, a.B)
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(len(a.Ref)))
		b = append(b, a.Ref...)
	}
	return b
}

// errBadHeader means the store handed back a header this runtime did not write: the
// object is unreadable, which GP reports as TEE_ERROR_CORRUPT_OBJECT.
var errBadHeader = errors.New("malformed object header")

func parseHeader(b []byte, o *Object) error {
	u32 := func() (uint32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return v, true
	}
	if len(b) < 1 || b[0] != headerVersion {
		return errBadHeader
	}
	b = b[1:]
	typ, ok1 := u32()
	bits, ok2 := u32()
	usage, ok3 := u32()
	n, ok4 := u32()
	if !ok1 || !ok2 || !ok3 || !ok4 || n > wire.MaxObjectHeader/4 {
		return errBadHeader
	}
	attrs := make([]tee.Attribute, 0, n)
	for range n {
		id, ok := u32()
		if !ok {
			return errBadHeader
		}
		a := tee.Attribute{ID: tee.AttributeID(id)}
		if a.ID.IsValue() {
			var okA, okB bool
			a.A, okA = u32()
			a.B, okB = u32()
			if !okA || !okB {
				return errBadHeader
			}
		} else {
			l, ok := u32()
			if !ok || uint32(len(b)) < l {
				return errBadHeader
			}
			a.Ref, b = slices.Clone(b[:l]), b[l:]
		}
		attrs = append(attrs, a)
	}
	if len(b) != 0 {
		return errBadHeader
	}
	o.typ, o.bits, o.maxBits, o.usage, o.attrs = tee.ObjectType(typ), int(bits), int(bits), tee.Usage(usage), attrs
	return nil
}

func checkObjectID(fn string, id []byte) {
	if len(id) > ObjectIDMaxLen {
		misuse(fn, "object ID of %d bytes exceeds TEE_OBJECT_ID_MAX_LEN (%d)", len(id), ObjectIDMaxLen)
	}
}

func checkDataFlags(fn string, flags DataFlags) {
	if flags&^dataFlagsKnown != 0 {
		misuse(fn, "unknown data flags 0x%x", uint32(flags&^dataFlagsKnown))
	}
}

func (inst *instance) openedObject(fn string, r *wire.ObjHandleResp, id []byte, flags DataFlags) (*Object, error) {
	o := &Object{pers: &persistent{inst: inst, handle: r.Handle, id: slices.Clone(id)}}
	defer clear(r.Header)
	if err := parseHeader(r.Header, o); err != nil {
		inst.request(&wire.ObjClose{Handle: r.Handle})
		return nil, fmt.Errorf("%s: %w: %w", fn, tee.ErrCorruptObject, err)
	}
	o.flags = handlePersistent | handleInitialized | uint32(flags&^DataOverwrite)
	return o, nil
}

// OpenPersistentObject opens the TA's object id in storage (TEE_OpenPersistentObject)
// with the access and sharing flags given. It returns tee.ErrItemNotFound if there is
// no such object, tee.ErrAccessConflict if the flags clash with a handle already open
// on it (GP's sharing rules, across all instances of this TA), and
// tee.ErrCorruptObject if the stored object fails its integrity check.
func (s *Session) OpenPersistentObject(storage uint32, id []byte, flags DataFlags) (*Object, error) {
	const fn = "TEE_OpenPersistentObject"
	checkObjectID(fn, id)
	checkDataFlags(fn, flags)
	r, ok := s.inst.request(&wire.ObjOpen{Storage: storage, Flags: uint32(flags), ID: id}).(*wire.ObjHandleResp)
	if !ok {
		return nil, errStorageGone
	}
	if r.Result != tee.Success {
		return nil, r.Result
	}
	return s.inst.openedObject(fn, r, id, flags)
}

// CreatePersistentObject creates object id in storage (TEE_CreatePersistentObject)
// with the type, size, usage and attributes of attrs — an initialized object, or nil
// for a pure data object (TEE_TYPE_DATA) — and the initial data stream initial, and
// opens it with flags. The object appears atomically, data included. Without
// DataOverwrite an existing object gives tee.ErrAccessConflict; with it, the old
// object is replaced unless a handle on it is open. tee.ErrStorageNoSpace means the
// TA's quota is used up.
func (s *Session) CreatePersistentObject(storage uint32, id []byte, flags DataFlags, attrs *Object, initial []byte) (*Object, error) {
	const fn = "TEE_CreatePersistentObject"
	checkObjectID(fn, id)
	checkDataFlags(fn, flags)
	o := &Object{typ: tee.TypeData, usage: tee.UsageAll}
	if attrs != nil {
		attrs.check(fn)
		if !attrs.initialized() {
			misuse(fn, "the attributes object is not initialized")
		}
		o.typ, o.bits, o.usage, o.attrs = attrs.typ, attrs.bits, attrs.usage, cloneAttrs(attrs.attrs)
	}
	header := o.header()
	defer clear(header)
	o.wipe()
	if len(header) > wire.MaxObjectHeader {
		return nil, tee.ErrStorageNoSpace
	}
	token, last, err := s.inst.stage(initial)
	if err != nil {
		return nil, err
	}
	r, ok := s.inst.request(&wire.ObjCreate{Storage: storage, Flags: uint32(flags), Token: token, ID: id, Header: header, Data: last}).(*wire.ObjHandleResp)
	if !ok {
		return nil, errStorageGone
	}
	if r.Result != tee.Success {
		return nil, r.Result
	}
	return s.inst.openedObject(fn, r, id, flags)
}

// stage sends all but the last chunk of data ahead of the request that carries the
// last one, under a fresh token, and returns the token (0 if nothing was staged) and
// that last chunk.
func (inst *instance) stage(data []byte) (token uint32, last []byte, err error) {
	if len(data) <= wire.MaxObjectChunk {
		return 0, data, nil
	}
	token = inst.stageToken.Add(1)
	if token == 0 {
		token = inst.stageToken.Add(1)
	}
	for len(data) > wire.MaxObjectChunk {
		r, ok := inst.request(&wire.ObjStage{Token: token, Data: data[:wire.MaxObjectChunk]}).(*wire.ObjStatus)
		if !ok {
			return 0, nil, errStorageGone
		}
		if r.Result != tee.Success {
			return 0, nil, r.Result
		}
		data = data[wire.MaxObjectChunk:]
	}
	return token, data, nil
}

func (o *Object) checkPersistent(fn string) *persistent {
	o.check(fn)
	if o.pers == nil {
		misuse(fn, "the object is transient")
	}
	return o.pers
}

func (o *Object) requireAccess(fn string, f DataFlags) {
	if DataFlags(o.flags)&f != f {
		misuse(fn, "the handle was not opened with data flag 0x%x", uint32(f))
	}
}

// Close closes the object (TEE_CloseObject): a persistent object's handle is released,
// a transient object is freed. Close on nil does nothing.
func (o *Object) Close() {
	if o == nil {
		return
	}
	o.check("TEE_CloseObject")
	if o.pers == nil {
		o.Free()
		return
	}
	o.pers.status(&wire.ObjClose{Handle: o.pers.handle})
	o.wipe()
	o.freed = true
}

// CloseAndDelete deletes the persistent object from storage and closes the handle
// (TEE_CloseAndDeletePersistentObject1). The handle must have been opened with
// DataAccessWriteMeta.
func (o *Object) CloseAndDelete() error {
	const fn = "TEE_CloseAndDeletePersistentObject1"
	if o == nil {
		return nil
	}
	p := o.checkPersistent(fn)
	o.requireAccess(fn, DataAccessWriteMeta)
	err := p.status(&wire.ObjClose{Handle: p.handle, Delete: true})
	o.wipe()
	o.freed = true
	return err
}

// Rename gives the persistent object a new ID (TEE_RenamePersistentObject):
// tee.ErrAccessConflict if the TA already has an object of that ID. The handle must
// have been opened with DataAccessWriteMeta.
func (o *Object) Rename(id []byte) error {
	const fn = "TEE_RenamePersistentObject"
	p := o.checkPersistent(fn)
	o.requireAccess(fn, DataAccessWriteMeta)
	checkObjectID(fn, id)
	if err := p.status(&wire.ObjRename{Handle: p.handle, ID: id}); err != nil {
		return err
	}
	p.id = slices.Clone(id)
	return nil
}

// ReadData reads from the data stream at the handle's position into dst and advances
// the position (TEE_ReadObjectData). It returns fewer bytes than len(dst) only at the
// end of the stream, and 0 there, without error. The handle must have been opened
// with DataAccessRead.
func (o *Object) ReadData(dst []byte) (int, error) {
	const fn = "TEE_ReadObjectData"
	p := o.checkPersistent(fn)
	o.requireAccess(fn, DataAccessRead)
	n := 0
	for n < len(dst) && p.pos < MaxDataPosition {
		want := min(len(dst)-n, wire.MaxObjectChunk)
		r, ok := p.inst.request(&wire.ObjRead{Handle: p.handle, Offset: uint32(p.pos), Size: uint32(want)}).(*wire.ObjReadResp)
		if !ok {
			return n, errStorageGone
		}
		if r.Result != tee.Success {
			return n, r.Result
		}
		if len(r.Data) > want {
			return n, tee.ErrCorruptObject
		}
		copy(dst[n:], r.Data)
		n += len(r.Data)
		p.pos += int64(len(r.Data))
		if len(r.Data) < want {
			break
		}
	}
	return n, nil
}

// WriteData writes b into the data stream at the handle's position and advances it
// (TEE_WriteObjectData). A position beyond the end first extends the stream with
// zeros. The write is atomic: after a crash the stream holds all of b or none of it.
// tee.ErrOverflow means it would extend past MaxDataPosition, tee.ErrStorageNoSpace
// that the TA's quota is used up. The handle must have been opened with
// DataAccessWrite.
func (o *Object) WriteData(b []byte) error {
	const fn = "TEE_WriteObjectData"
	p := o.checkPersistent(fn)
	o.requireAccess(fn, DataAccessWrite)
	if p.pos+int64(len(b)) > MaxDataPosition {
		return tee.ErrOverflow
	}
	token, last, err := p.inst.stage(b)
	if err != nil {
		return err
	}
	if err := p.status(&wire.ObjWrite{Handle: p.handle, Offset: uint32(p.pos), Token: token, Data: last}); err != nil {
		return err
	}
	p.pos += int64(len(b))
	return nil
}

// TruncateData sets the size of the data stream, cutting it or extending it with
// zeros (TEE_TruncateObjectData); the position does not move. The handle must have
// been opened with DataAccessWrite.
func (o *Object) TruncateData(size uint32) error {
	const fn = "TEE_TruncateObjectData"
	p := o.checkPersistent(fn)
	o.requireAccess(fn, DataAccessWrite)
	return p.status(&wire.ObjTruncate{Handle: p.handle, Size: size})
}

// SeekData moves the handle's data position (TEE_SeekObjectData). A position before
// the start becomes 0; one beyond MaxDataPosition is tee.ErrOverflow and leaves the
// position where it was. Seeking beyond the end is allowed: a later write fills the
// gap with zeros.
func (o *Object) SeekData(offset int64, whence Whence) error {
	const fn = "TEE_SeekObjectData"
	p := o.checkPersistent(fn)
	var base int64
	switch whence {
	case SeekSet:
	case SeekCur:
		base = p.pos
	case SeekEnd:
		size, err := p.dataSize()
		if err != nil {
			return err
		}
		base = int64(size)
	default:
		misuse(fn, "unknown whence %d", whence)
	}
	if offset > 0 && base > MaxDataPosition-offset { // also catches int64 overflow
		return tee.ErrOverflow
	}
	p.pos = max(base+offset, 0) // base ≥ 0, so a negative offset cannot wrap
	return nil
}

// ObjectEnumerator walks the TA's persistent objects in one storage
// (TEE_ObjectEnumHandle). Objects created or deleted while it walks may or may not
// be seen; every object present throughout is seen once.
type ObjectEnumerator struct {
	inst    *instance
	storage uint32
	started bool
	last    []byte // ID of the object Next returned last; nil before the first
	freed   bool
}

// AllocatePersistentObjectEnumerator allocates an enumerator
// (TEE_AllocatePersistentObjectEnumerator).
func (s *Session) AllocatePersistentObjectEnumerator() *ObjectEnumerator {
	return &ObjectEnumerator{inst: s.inst}
}

func (e *ObjectEnumerator) check(fn string) {
	if e == nil || e.freed {
		misuse(fn, "invalid enumerator handle")
	}
}

// Free releases the enumerator (TEE_FreePersistentObjectEnumerator); nil is ignored.
func (e *ObjectEnumerator) Free() {
	if e != nil {
		e.check("TEE_FreePersistentObjectEnumerator")
		e.freed = true
	}
}

// Reset returns the enumerator to its state after allocation
// (TEE_ResetPersistentObjectEnumerator).
func (e *ObjectEnumerator) Reset() {
	e.check("TEE_ResetPersistentObjectEnumerator")
	e.started, e.last = false, nil
}

// Start begins enumerating storage (TEE_StartPersistentObjectEnumerator):
// tee.ErrItemNotFound if it holds no object of this TA.
func (e *ObjectEnumerator) Start(storage uint32) error {
	e.check("TEE_StartPersistentObjectEnumerator")
	e.storage, e.started, e.last = storage, true, nil
	r, ok := e.inst.request(&wire.ObjEnum{Storage: storage, First: true}).(*wire.ObjEnumResp)
	if !ok {
		return errStorageGone
	}
	return resultErr(r.Result)
}

// Next returns the next object's info and ID (TEE_GetNextPersistentObject), and
// tee.ErrItemNotFound after the last one.
func (e *ObjectEnumerator) Next() (ObjectInfo, []byte, error) {
	const fn = "TEE_GetNextPersistentObject"
	e.check(fn)
	if !e.started {
		return ObjectInfo{}, nil, tee.ErrItemNotFound
	}
	r, ok := e.inst.request(&wire.ObjEnum{Storage: e.storage, First: e.last == nil, After: e.last}).(*wire.ObjEnumResp)
	if !ok {
		return ObjectInfo{}, nil, errStorageGone
	}
	if r.Result != tee.Success {
		return ObjectInfo{}, nil, r.Result
	}
	e.last = r.ID
	var o Object
	err := parseHeader(r.Header, &o)
	clear(r.Header)
	if err != nil {
		return ObjectInfo{}, r.ID, tee.ErrCorruptObject
	}
	o.wipe()
	info := ObjectInfo{
		Type:        o.typ,
		Size:        o.bits,
		MaxSize:     o.bits,
		Usage:       o.usage,
		DataSize:    int(r.DataSize),
		HandleFlags: handlePersistent | handleInitialized,
	}
	return info, r.ID, nil
}
