package wire

import "github.com/gotee/gotee/tee"

// Trusted storage requests: a TA asks teed, on its instance channel, to act on its
// persistent objects (Internal Core API §5.7–5.9). teed owns the store; a TA process
// never touches the disk. A TA names an open object by the handle teed gave it, so
// it can reach only the objects it opened, and teed alone decides which objects a TA
// may open: its own.
//
// Data moves in chunks of at most MaxObjectChunk bytes. An operation on more data
// than that — an object created with large initial data, one large write — first
// stages the leading chunks with ObjStage under a token of the TA's choosing and then
// sends the request with the last chunk and the same token, so teed still applies it
// as one atomic update. Tokens keep the stages of concurrent requests apart; 0 means
// nothing was staged.

// Storage limits.
const (
	MaxObjectID     = 64       // bytes of an object ID (TEE_OBJECT_ID_MAX_LEN)
	MaxObjectHeader = 16 << 10 // bytes of the TA's object header (type, usage, attributes)
	MaxObjectChunk  = 32 << 10 // data bytes in one message: chunk, header and ID fit MaxMessage
)

// Trusted storage kinds: requests from the TA and teed's responses.
const (
	KindObjOpen       Kind = 64
	KindObjCreate     Kind = 65
	KindObjStage      Kind = 66
	KindObjHandleResp Kind = 67
	KindObjClose      Kind = 68
	KindObjRename     Kind = 69
	KindObjRead       Kind = 70
	KindObjReadResp   Kind = 71
	KindObjWrite      Kind = 72
	KindObjTruncate   Kind = 73
	KindObjSetHeader  Kind = 74
	KindObjInfo       Kind = 75
	KindObjEnum       Kind = 76
	KindObjEnumResp   Kind = 77
	KindObjStatus     Kind = 78
)

// ObjOpen opens a persistent object (TEE_OpenPersistentObject) with GP's
// TEE_DATA_FLAG_* access and share flags; teed answers ObjHandleResp.
type ObjOpen struct {
	Storage, Flags uint32
	ID             []byte
}

// ObjCreate creates a persistent object (TEE_CreatePersistentObject) with the
// header the TA keeps its object's type and attributes in and the initial data: the
// staged chunks followed by Data. teed answers ObjHandleResp.
type ObjCreate struct {
	Storage, Flags   uint32
	Token            uint32
	ID, Header, Data []byte
}

// ObjStage appends a chunk to the data staged under Token (not 0), which the
// ObjCreate or ObjWrite with the same token takes; teed answers ObjStatus.
type ObjStage struct {
	Token uint32
	Data  []byte
}

// ObjHandleResp answers ObjOpen, ObjCreate and ObjInfo: the handle, the object's
// header and the current size of its data stream.
type ObjHandleResp struct {
	Result   tee.Result
	Handle   uint32
	DataSize uint32
	Header   []byte
}

// ObjClose closes a handle (TEE_CloseObject) or, with Delete, deletes the object and
// closes it (TEE_CloseAndDeletePersistentObject1); teed answers ObjStatus.
type ObjClose struct {
	Handle uint32
	Delete bool
}

// ObjRename renames the object (TEE_RenamePersistentObject); teed answers ObjStatus.
type ObjRename struct {
	Handle uint32
	ID     []byte
}

// ObjRead reads up to Size bytes at Offset (TEE_ReadObjectData); teed answers
// ObjReadResp with fewer bytes at the end of the stream.
type ObjRead struct{ Handle, Offset, Size uint32 }

// ObjReadResp answers ObjRead.
type ObjReadResp struct {
	Result tee.Result
	Data   []byte
}

// ObjWrite writes the staged chunks followed by Data at Offset
// (TEE_WriteObjectData); teed answers ObjStatus.
type ObjWrite struct {
	Handle, Offset uint32
	Token          uint32
	Data           []byte
}

// ObjTruncate sets the data stream's size (TEE_TruncateObjectData); teed answers
// ObjStatus.
type ObjTruncate struct{ Handle, Size uint32 }

// ObjSetHeader replaces the object's header (a persistent TEE_RestrictObjectUsage1)
// if it is still Expect — the header the new one was computed from — and answers
// ObjStatus; BAD_STATE means another handle changed it first, and the TA computes
// the new header again.
type ObjSetHeader struct {
	Handle         uint32
	Expect, Header []byte
}

// ObjInfo asks for the object's current header and data size; teed answers
// ObjHandleResp.
type ObjInfo struct{ Handle uint32 }

// ObjEnum asks for the TA's first object in storage Storage whose ID sorts after
// After (or the very first, with First); teed answers ObjEnumResp, ITEM_NOT_FOUND
// once there is none. The enumerator's position lives in the TA.
type ObjEnum struct {
	Storage uint32
	First   bool
	After   []byte
}

// ObjEnumResp answers ObjEnum.
type ObjEnumResp struct {
	Result     tee.Result
	DataSize   uint32
	ID, Header []byte
}

// ObjStatus answers the storage requests that return only a result.
type ObjStatus struct{ Result tee.Result }

func (*ObjOpen) Kind() Kind       { return KindObjOpen }
func (*ObjCreate) Kind() Kind     { return KindObjCreate }
func (*ObjStage) Kind() Kind      { return KindObjStage }
func (*ObjHandleResp) Kind() Kind { return KindObjHandleResp }
func (*ObjClose) Kind() Kind      { return KindObjClose }
func (*ObjRename) Kind() Kind     { return KindObjRename }
func (*ObjRead) Kind() Kind       { return KindObjRead }
func (*ObjReadResp) Kind() Kind   { return KindObjReadResp }
func (*ObjWrite) Kind() Kind      { return KindObjWrite }
func (*ObjTruncate) Kind() Kind   { return KindObjTruncate }
func (*ObjSetHeader) Kind() Kind  { return KindObjSetHeader }
func (*ObjInfo) Kind() Kind       { return KindObjInfo }
func (*ObjEnum) Kind() Kind       { return KindObjEnum }
func (*ObjEnumResp) Kind() Kind   { return KindObjEnumResp }
func (*ObjStatus) Kind() Kind     { return KindObjStatus }

func (*ObjOpen) FDs() int       { return 0 }
func (*ObjCreate) FDs() int     { return 0 }
func (*ObjStage) FDs() int      { return 0 }
func (*ObjHandleResp) FDs() int { return 0 }
func (*ObjClose) FDs() int      { return 0 }
func (*ObjRename) FDs() int     { return 0 }
func (*ObjRead) FDs() int       { return 0 }
func (*ObjReadResp) FDs() int   { return 0 }
func (*ObjWrite) FDs() int      { return 0 }
func (*ObjTruncate) FDs() int   { return 0 }
func (*ObjSetHeader) FDs() int  { return 0 }
func (*ObjInfo) FDs() int       { return 0 }
func (*ObjEnum) FDs() int       { return 0 }
func (*ObjEnumResp) FDs() int   { return 0 }
func (*ObjStatus) FDs() int     { return 0 }

// appendBytes encodes a length-prefixed byte string.
func appendBytes(b, v []byte) []byte {
	return append(le.AppendUint32(b, uint32(len(v))), v...)
}

// bytes decodes a length-prefixed byte string of at most max bytes, copied out of
// the datagram buffer, which the receiver reuses.
func (r *reader) bytes(max int, what string) []byte {
	n := r.u32()
	if r.err != nil {
		return nil
	}
	if n > uint32(max) {
		r.fail(what + " too long")
		return nil
	}
	v := r.take(int(n))
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

func (r *reader) flag() bool {
	switch r.u32() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("flag neither 0 nor 1")
	return false
}

func appendFlag(b []byte, v bool) []byte { return le.AppendUint32(b, uint32(boolInt(v))) }

func (m *ObjOpen) appendTo(b []byte) []byte {
	b = le.AppendUint32(le.AppendUint32(b, m.Storage), m.Flags)
	return appendBytes(b, m.ID)
}

func (m *ObjOpen) decode(r *reader) {
	m.Storage, m.Flags = r.u32(), r.u32()
	m.ID = r.bytes(MaxObjectID, "object ID")
}

func (m *ObjCreate) appendTo(b []byte) []byte {
	b = le.AppendUint32(le.AppendUint32(le.AppendUint32(b, m.Storage), m.Flags), m.Token)
	return appendBytes(appendBytes(appendBytes(b, m.ID), m.Header), m.Data)
}

func (m *ObjCreate) decode(r *reader) {
	m.Storage, m.Flags, m.Token = r.u32(), r.u32(), r.u32()
	m.ID = r.bytes(MaxObjectID, "object ID")
	m.Header = r.bytes(MaxObjectHeader, "object header")
	m.Data = r.bytes(MaxObjectChunk, "data chunk")
}

func (m *ObjStage) appendTo(b []byte) []byte { return appendBytes(le.AppendUint32(b, m.Token), m.Data) }

func (m *ObjStage) decode(r *reader) {
	m.Token = r.u32()
	if m.Token == 0 && r.err == nil {
		r.fail("stage token 0")
	}
	m.Data = r.bytes(MaxObjectChunk, "data chunk")
}

func (m *ObjHandleResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, uint32(m.Result))
	b = le.AppendUint32(le.AppendUint32(b, m.Handle), m.DataSize)
	return appendBytes(b, m.Header)
}

func (m *ObjHandleResp) decode(r *reader) {
	m.Result, m.Handle, m.DataSize = tee.Result(r.u32()), r.u32(), r.u32()
	m.Header = r.bytes(MaxObjectHeader, "object header")
}

func (m *ObjClose) appendTo(b []byte) []byte {
	return appendFlag(le.AppendUint32(b, m.Handle), m.Delete)
}
func (m *ObjClose) decode(r *reader) { m.Handle, m.Delete = r.u32(), r.flag() }

func (m *ObjRename) appendTo(b []byte) []byte { return appendBytes(le.AppendUint32(b, m.Handle), m.ID) }
func (m *ObjRename) decode(r *reader) {
	m.Handle = r.u32()
	m.ID = r.bytes(MaxObjectID, "object ID")
}

func (m *ObjRead) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(le.AppendUint32(b, m.Handle), m.Offset), m.Size)
}

func (m *ObjRead) decode(r *reader) {
	m.Handle, m.Offset, m.Size = r.u32(), r.u32(), r.u32()
	if m.Size > MaxObjectChunk {
		r.fail("read larger than a chunk")
	}
}

func (m *ObjReadResp) appendTo(b []byte) []byte {
	return appendBytes(le.AppendUint32(b, uint32(m.Result)), m.Data)
}

func (m *ObjReadResp) decode(r *reader) {
	m.Result = tee.Result(r.u32())
	m.Data = r.bytes(MaxObjectChunk, "data chunk")
}

func (m *ObjWrite) appendTo(b []byte) []byte {
	return appendBytes(le.AppendUint32(le.AppendUint32(le.AppendUint32(b, m.Handle), m.Offset), m.Token), m.Data)
}

func (m *ObjWrite) decode(r *reader) {
	m.Handle, m.Offset, m.Token = r.u32(), r.u32(), r.u32()
	m.Data = r.bytes(MaxObjectChunk, "data chunk")
}

func (m *ObjTruncate) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(b, m.Handle), m.Size)
}
func (m *ObjTruncate) decode(r *reader) { m.Handle, m.Size = r.u32(), r.u32() }

func (m *ObjSetHeader) appendTo(b []byte) []byte {
	return appendBytes(appendBytes(le.AppendUint32(b, m.Handle), m.Expect), m.Header)
}

func (m *ObjSetHeader) decode(r *reader) {
	m.Handle = r.u32()
	m.Expect = r.bytes(MaxObjectHeader, "object header")
	m.Header = r.bytes(MaxObjectHeader, "object header")
}

func (m *ObjInfo) appendTo(b []byte) []byte { return le.AppendUint32(b, m.Handle) }
func (m *ObjInfo) decode(r *reader)         { m.Handle = r.u32() }

func (m *ObjEnum) appendTo(b []byte) []byte {
	return appendBytes(appendFlag(le.AppendUint32(b, m.Storage), m.First), m.After)
}

func (m *ObjEnum) decode(r *reader) {
	m.Storage, m.First = r.u32(), r.flag()
	m.After = r.bytes(MaxObjectID, "object ID")
}

func (m *ObjEnumResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(le.AppendUint32(b, uint32(m.Result)), m.DataSize)
	return appendBytes(appendBytes(b, m.ID), m.Header)
}

func (m *ObjEnumResp) decode(r *reader) {
	m.Result, m.DataSize = tee.Result(r.u32()), r.u32()
	m.ID = r.bytes(MaxObjectID, "object ID")
	m.Header = r.bytes(MaxObjectHeader, "object header")
}

func (m *ObjStatus) appendTo(b []byte) []byte { return le.AppendUint32(b, uint32(m.Result)) }
func (m *ObjStatus) decode(r *reader)         { m.Result = tee.Result(r.u32()) }

func init() {
	for k, f := range map[Kind]func() Message{
		KindObjOpen:       func() Message { return new(ObjOpen) },
		KindObjCreate:     func() Message { return new(ObjCreate) },
		KindObjStage:      func() Message { return new(ObjStage) },
		KindObjHandleResp: func() Message { return new(ObjHandleResp) },
		KindObjClose:      func() Message { return new(ObjClose) },
		KindObjRename:     func() Message { return new(ObjRename) },
		KindObjRead:       func() Message { return new(ObjRead) },
		KindObjReadResp:   func() Message { return new(ObjReadResp) },
		KindObjWrite:      func() Message { return new(ObjWrite) },
		KindObjTruncate:   func() Message { return new(ObjTruncate) },
		KindObjSetHeader:  func() Message { return new(ObjSetHeader) },
		KindObjInfo:       func() Message { return new(ObjInfo) },
		KindObjEnum:       func() Message { return new(ObjEnum) },
		KindObjEnumResp:   func() Message { return new(ObjEnumResp) },
		KindObjStatus:     func() Message { return new(ObjStatus) },
	} {
		newMessage[k] = f
	}
}
