package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/gotee/gotee/tee"
)

// Protocol identification, checked in the handshake. A peer with another major
// version is refused; minor versions only add messages.
const (
	Magic        uint32 = 0x45455447 // "GTEE" little-endian
	VersionMajor uint16 = 1
	VersionMinor uint16 = 2
)

// Fixed limits. Anything beyond them is a malformed message.
const (
	MaxMessage     = 64 << 10 // bytes in one datagram
	MaxFDs         = 8        // descriptors in one datagram
	MaxProperties  = 256      // properties in a CreateReq
	MaxPropertyKey = 255      // bytes of a property name
	MaxPropertyVal = 4096     // bytes of a property value
	HeaderSize     = 8
	NumParams      = 4
)

// Memref locations in Param.Shm.
const (
	// ShmArena says the memref lies in the session's arena, where temporary memory
	// is staged: offset and size are relative to it.
	ShmArena uint32 = 0
	// ShmNull is a NULL memory reference: no buffer, only a size (the client asks
	// how large an output would be).
	ShmNull uint32 = 0xFFFFFFFF
)

// Kind identifies a message. Requests and responses have their own kinds.
type Kind uint16

// Client connection.
const (
	KindHello        Kind = 1
	KindHelloResp    Kind = 2
	KindOpen         Kind = 3
	KindOpenResp     Kind = 4
	KindClose        Kind = 5
	KindCloseResp    Kind = 6
	KindCancel       Kind = 7
	KindInvoke       Kind = 16 // session channel
	KindInvokeResp   Kind = 17
	KindShmRelease   Kind = 18
	KindCreate       Kind = 32 // instance channel
	KindCreateResp   Kind = 33
	KindTAOpen       Kind = 34
	KindTAOpenResp   Kind = 35
	KindTAClose      Kind = 36
	KindTACloseResp  Kind = 37
	KindTACancel     Kind = 38
	KindDestroy      Kind = 39
	KindDestroyResp  Kind = 40
	KindTimeGet      Kind = 48 // instance channel, requests from the TA
	KindTimeSet      Kind = 49
	KindTimeResp     Kind = 50
	KindTTOpen       Kind = 51 // TA-to-TA: the calling TA asks teed
	KindTTOpenResp   Kind = 52
	KindTTInvoke     Kind = 53
	KindTTInvokeResp Kind = 54
	KindTTClose      Kind = 55
	KindTTCloseResp  Kind = 56
	KindTTCancel     Kind = 57
	kindLimit        Kind = 96
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("malformed message")

// Header starts every message.
type Header struct {
	Kind Kind
	ID   uint32 // chosen by the requester, echoed in the response
}

// Message is one decoded message body.
type Message interface {
	Kind() Kind
	// FDs is how many descriptors travel with the message.
	FDs() int
	appendTo(b []byte) []byte
	decode(r *reader)
}

// Param is one parameter of an operation as it crosses the wire. For values A and B
// hold the two 32-bit values; for memrefs Shm says where the memory is (ShmArena,
// ShmNull, or the id of a shared memory block), A the offset and B the size.
type Param struct {
	Type tee.ParamType // the TA-side type: NONE, VALUE_*, MEMREF_INPUT/OUTPUT/INOUT
	Shm  uint32
	A, B uint64
}

// Operation carries four parameters and says which descriptors came with it:
// first the session's new arena if HasArena, then NewShm shared memory blocks whose
// ids are ShmIDs[:NewShm].
type Operation struct {
	HasArena bool
	NewShm   uint32
	ShmIDs   [NumParams]uint32
	Params   [NumParams]Param
}

// FDs is the number of descriptors the operation brings.
func (o *Operation) FDs() int {
	n := int(o.NewShm)
	if o.HasArena {
		n++
	}
	return n
}

func (o *Operation) appendTo(b []byte) []byte {
	var flags uint32
	if o.HasArena {
		flags = 1
	}
	b = le.AppendUint32(b, flags)
	b = le.AppendUint32(b, o.NewShm)
	for _, id := range o.ShmIDs {
		b = le.AppendUint32(b, id)
	}
	for _, p := range o.Params {
		b = le.AppendUint32(b, uint32(p.Type))
		b = le.AppendUint32(b, p.Shm)
		b = le.AppendUint64(b, p.A)
		b = le.AppendUint64(b, p.B)
	}
	return b
}

func (o *Operation) decode(r *reader) {
	switch r.u32() {
	case 0:
		o.HasArena = false
	case 1:
		o.HasArena = true
	default:
		r.fail("operation flags")
	}
	o.NewShm = r.u32()
	if o.NewShm > NumParams {
		r.fail("too many shared memory blocks")
	}
	for i := range o.ShmIDs {
		o.ShmIDs[i] = r.u32()
		switch {
		case i < int(o.NewShm) && (o.ShmIDs[i] == ShmArena || o.ShmIDs[i] == ShmNull):
			r.fail("reserved shared memory id")
		case i < int(o.NewShm) && slices.Contains(o.ShmIDs[:i], o.ShmIDs[i]):
			r.fail("duplicate shared memory id")
		case i >= int(o.NewShm) && o.ShmIDs[i] != 0:
			r.fail("unused shared memory id slot not zero")
		}
	}
	for i := range o.Params {
		p := &o.Params[i]
		p.Type = tee.ParamType(r.u32())
		p.Shm = r.u32()
		p.A = r.u64()
		p.B = r.u64()
		switch {
		case p.Type == tee.ParamNone:
			if p.Shm != 0 || p.A != 0 || p.B != 0 {
				r.fail("NONE parameter with content")
			}
		case p.Type.IsValue():
			if p.Shm != 0 || p.A > 0xFFFFFFFF || p.B > 0xFFFFFFFF {
				r.fail("value parameter out of range")
			}
		case p.Type == tee.MemrefInput || p.Type == tee.MemrefOutput || p.Type == tee.MemrefInout:
			if p.A > 1<<62 || p.B > 1<<62 || p.Shm == ShmNull && p.A != 0 {
				r.fail("memref parameter out of range")
			}
		default:
			r.fail("parameter type")
		}
	}
}

// Types packs the four parameter types as TEE_PARAM_TYPES does.
func (o *Operation) Types() uint32 {
	return tee.Types(o.Params[0].Type, o.Params[1].Type, o.Params[2].Type, o.Params[3].Type)
}

// Hello opens the client connection; teed answers with HelloResp.
type Hello struct {
	Magic        uint32
	Major, Minor uint16
}

// HelloResp accepts (Result = Success) or refuses the client's version.
type HelloResp struct {
	Result       tee.Result
	Major, Minor uint16
}

// Open asks teed to open a session on TA UUID. Its operation's descriptors follow it.
type Open struct {
	UUID  tee.UUID
	Login tee.LoginMethod
	GID   uint32 // the group asked for by GROUP logins, else 0
	Op    Operation
}

// OpenResp answers Open. On success it carries one descriptor, the client's end of
// the session channel, and the operation's output values and sizes.
type OpenResp struct {
	Result  tee.Result
	Origin  tee.Origin
	Session uint32
	Op      Operation
}

// Close closes a session; teed answers when the TA's close entry point has run.
type Close struct{ Session uint32 }

// CloseResp answers Close.
type CloseResp struct{ Result tee.Result }

// Cancel asks for cancellation of the request with id Op: an Open on this
// connection when Session is 0, else an Invoke on that session's channel. It has
// no response: GP's cancellation is a request, not a command.
type Cancel struct{ Session, Op uint32 }

// Invoke runs a command in a session. Its operation's descriptors follow it.
type Invoke struct {
	Command uint32
	Op      Operation
}

// InvokeResp answers Invoke with the result and the output values and sizes.
type InvokeResp struct {
	Result tee.Result
	Origin tee.Origin
	Op     Operation
}

// ShmRelease tells a TA that a shared memory block it was given is released; it
// has no response.
type ShmRelease struct{ Shm uint32 }

// Property is one TA property handed to a new instance.
type Property struct{ Name, Value string }

// Create starts a TA instance: the TA runs its create entry point.
type Create struct {
	UUID       tee.UUID
	Properties []Property
}

// CreateResp answers Create, and DestroyResp answers Destroy.
type CreateResp struct {
	Result tee.Result
	Origin tee.Origin
}

// TAOpen asks the instance to open a session. It carries the session channel's
// TA end as its first descriptor, then the operation's.
type TAOpen struct {
	Session  uint32
	Identity tee.Identity
	Op       Operation
}

// TAOpenResp answers TAOpen.
type TAOpenResp struct {
	Result tee.Result
	Origin tee.Origin
	Op     Operation
}

// TAClose closes a session in the instance; TACloseResp says it is closed.
type TAClose struct{ Session uint32 }

// TACloseResp answers TAClose.
type TACloseResp struct{}

// TACancel passes a client's cancellation to the instance: Op is the id of the
// TAOpen (for a session being opened) or of the Invoke on Session's channel.
type TACancel struct{ Session, Op uint32 }

// Destroy asks the instance to run its destroy entry point and exit.
type Destroy struct{}

// DestroyResp answers Destroy just before the instance exits.
type DestroyResp struct{}

// TimeGet asks teed for the TA's persistent time (TEE_GetTAPersistentTime). It is a
// request from the TA: the TA chooses its id, and teed answers with TimeResp.
type TimeGet struct{}

// TimeSet sets the TA's persistent time (TEE_SetTAPersistentTime); teed answers
// with TimeResp.
type TimeSet struct{ Seconds, Millis uint32 }

// TTOpen asks teed to open a session on another TA for the calling TA
// (TEE_OpenTASession). Memory references lie in the caller's arena, which comes
// with the message when HasArena is set; a TA has no shared memory blocks, so
// NewShm is 0.
type TTOpen struct {
	UUID tee.UUID
	Op   Operation
}

// TTOpenResp answers TTOpen; Session names the new session in later requests.
type TTOpenResp struct {
	Result  tee.Result
	Origin  tee.Origin
	Session uint32
	Op      Operation
}

// TTInvoke invokes a command in a TA-to-TA session (TEE_InvokeTACommand).
type TTInvoke struct {
	Session uint32
	Command uint32
	Op      Operation
}

// TTInvokeResp answers TTInvoke.
type TTInvokeResp struct {
	Result tee.Result
	Origin tee.Origin
	Op     Operation
}

// TTClose closes a TA-to-TA session (TEE_CloseTASession); TTCloseResp says it is.
type TTClose struct{ Session uint32 }

// TTCloseResp answers TTClose.
type TTCloseResp struct{}

// TTCancel asks teed to cancel the caller's TTOpen or TTInvoke whose request id is
// Op (the caller's cancellation timeout ran out); it has no response.
type TTCancel struct{ Op uint32 }

// TimeResp answers TimeGet and TimeSet. For TimeGet, the time is valid with
// Success and OVERFLOW (the seconds wrapped).
type TimeResp struct {
	Result          tee.Result
	Seconds, Millis uint32
}

func (*Hello) Kind() Kind        { return KindHello }
func (*HelloResp) Kind() Kind    { return KindHelloResp }
func (*Open) Kind() Kind         { return KindOpen }
func (*OpenResp) Kind() Kind     { return KindOpenResp }
func (*Close) Kind() Kind        { return KindClose }
func (*CloseResp) Kind() Kind    { return KindCloseResp }
func (*Cancel) Kind() Kind       { return KindCancel }
func (*Invoke) Kind() Kind       { return KindInvoke }
func (*InvokeResp) Kind() Kind   { return KindInvokeResp }
func (*ShmRelease) Kind() Kind   { return KindShmRelease }
func (*Create) Kind() Kind       { return KindCreate }
func (*CreateResp) Kind() Kind   { return KindCreateResp }
func (*TAOpen) Kind() Kind       { return KindTAOpen }
func (*TAOpenResp) Kind() Kind   { return KindTAOpenResp }
func (*TAClose) Kind() Kind      { return KindTAClose }
func (*TACloseResp) Kind() Kind  { return KindTACloseResp }
func (*TACancel) Kind() Kind     { return KindTACancel }
func (*Destroy) Kind() Kind      { return KindDestroy }
func (*DestroyResp) Kind() Kind  { return KindDestroyResp }
func (*TimeGet) Kind() Kind      { return KindTimeGet }
func (*TimeSet) Kind() Kind      { return KindTimeSet }
func (*TimeResp) Kind() Kind     { return KindTimeResp }
func (*TTOpen) Kind() Kind       { return KindTTOpen }
func (*TTOpenResp) Kind() Kind   { return KindTTOpenResp }
func (*TTInvoke) Kind() Kind     { return KindTTInvoke }
func (*TTInvokeResp) Kind() Kind { return KindTTInvokeResp }
func (*TTClose) Kind() Kind      { return KindTTClose }
func (*TTCloseResp) Kind() Kind  { return KindTTCloseResp }
func (*TTCancel) Kind() Kind     { return KindTTCancel }

func (*Hello) FDs() int        { return 0 }
func (*HelloResp) FDs() int    { return 0 }
func (m *Open) FDs() int       { return m.Op.FDs() }
func (m *OpenResp) FDs() int   { return boolInt(m.Result == tee.Success) }
func (*Close) FDs() int        { return 0 }
func (*CloseResp) FDs() int    { return 0 }
func (*Cancel) FDs() int       { return 0 }
func (m *Invoke) FDs() int     { return m.Op.FDs() }
func (*InvokeResp) FDs() int   { return 0 }
func (*ShmRelease) FDs() int   { return 0 }
func (*Create) FDs() int       { return 0 }
func (*CreateResp) FDs() int   { return 0 }
func (m *TAOpen) FDs() int     { return 1 + m.Op.FDs() }
func (*TAOpenResp) FDs() int   { return 0 }
func (*TAClose) FDs() int      { return 0 }
func (*TACloseResp) FDs() int  { return 0 }
func (*TACancel) FDs() int     { return 0 }
func (*Destroy) FDs() int      { return 0 }
func (*DestroyResp) FDs() int  { return 0 }
func (*TimeGet) FDs() int      { return 0 }
func (*TimeSet) FDs() int      { return 0 }
func (*TimeResp) FDs() int     { return 0 }
func (m *TTOpen) FDs() int     { return m.Op.FDs() }
func (*TTOpenResp) FDs() int   { return 0 }
func (m *TTInvoke) FDs() int   { return m.Op.FDs() }
func (*TTInvokeResp) FDs() int { return 0 }
func (*TTClose) FDs() int      { return 0 }
func (*TTCloseResp) FDs() int  { return 0 }
func (*TTCancel) FDs() int     { return 0 }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *Hello) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, m.Magic)
	b = le.AppendUint16(b, m.Major)
	return le.AppendUint16(b, m.Minor)
}

func (m *Hello) decode(r *reader) {
	m.Magic, m.Major, m.Minor = r.u32(), r.u16(), r.u16()
}

func (m *HelloResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, uint32(m.Result))
	b = le.AppendUint16(b, m.Major)
	return le.AppendUint16(b, m.Minor)
}

func (m *HelloResp) decode(r *reader) {
	m.Result, m.Major, m.Minor = tee.Result(r.u32()), r.u16(), r.u16()
}

func (m *Open) appendTo(b []byte) []byte {
	b = append(b, m.UUID[:]...)
	b = le.AppendUint32(b, uint32(m.Login))
	b = le.AppendUint32(b, m.GID)
	return m.Op.appendTo(b)
}

func (m *Open) decode(r *reader) {
	r.uuid(&m.UUID)
	m.Login = tee.LoginMethod(r.u32())
	m.GID = r.u32()
	m.Op.decode(r)
}

func (m *OpenResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, uint32(m.Result))
	b = le.AppendUint32(b, uint32(m.Origin))
	b = le.AppendUint32(b, m.Session)
	return m.Op.appendTo(b)
}

func (m *OpenResp) decode(r *reader) {
	m.Result, m.Origin, m.Session = tee.Result(r.u32()), tee.Origin(r.u32()), r.u32()
	m.Op.decode(r)
	r.noFDs(&m.Op)
}

func (m *Close) appendTo(b []byte) []byte { return le.AppendUint32(b, m.Session) }
func (m *Close) decode(r *reader)         { m.Session = r.u32() }

func (m *CloseResp) appendTo(b []byte) []byte { return le.AppendUint32(b, uint32(m.Result)) }
func (m *CloseResp) decode(r *reader)         { m.Result = tee.Result(r.u32()) }

func (m *Cancel) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(b, m.Session), m.Op)
}
func (m *Cancel) decode(r *reader) { m.Session, m.Op = r.u32(), r.u32() }

func (m *Invoke) appendTo(b []byte) []byte {
	return m.Op.appendTo(le.AppendUint32(b, m.Command))
}

func (m *Invoke) decode(r *reader) {
	m.Command = r.u32()
	m.Op.decode(r)
}

func (m *InvokeResp) appendTo(b []byte) []byte { return appendOpResult(b, m.Result, m.Origin, &m.Op) }

func (m *InvokeResp) decode(r *reader) { r.opResult(&m.Result, &m.Origin, &m.Op) }

func (m *ShmRelease) appendTo(b []byte) []byte { return le.AppendUint32(b, m.Shm) }
func (m *ShmRelease) decode(r *reader)         { m.Shm = r.u32() }

func (m *Create) appendTo(b []byte) []byte {
	b = append(b, m.UUID[:]...)
	b = le.AppendUint32(b, uint32(len(m.Properties)))
	for _, p := range m.Properties {
		b = le.AppendUint16(b, uint16(len(p.Name)))
		b = append(b, p.Name...)
		b = le.AppendUint16(b, uint16(len(p.Value)))
		b = append(b, p.Value...)
	}
	return b
}

func (m *Create) decode(r *reader) {
	r.uuid(&m.UUID)
	n := r.u32()
	if n > MaxProperties {
		r.fail("too many properties")
		return
	}
	m.Properties = make([]Property, 0, n)
	for range n {
		name := r.str(MaxPropertyKey)
		value := r.str(MaxPropertyVal)
		if r.err != nil {
			return
		}
		if name == "" {
			r.fail("empty property name")
		}
		m.Properties = append(m.Properties, Property{name, value})
	}
}

func (m *CreateResp) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(b, uint32(m.Result)), uint32(m.Origin))
}
func (m *CreateResp) decode(r *reader) { m.Result, m.Origin = tee.Result(r.u32()), tee.Origin(r.u32()) }

func (m *TAOpen) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, m.Session)
	b = le.AppendUint32(b, uint32(m.Identity.Login))
	b = append(b, m.Identity.UUID[:]...)
	return m.Op.appendTo(b)
}

func (m *TAOpen) decode(r *reader) {
	m.Session = r.u32()
	m.Identity.Login = tee.LoginMethod(r.u32())
	r.uuid(&m.Identity.UUID)
	m.Op.decode(r)
}

func (m *TAOpenResp) appendTo(b []byte) []byte { return appendOpResult(b, m.Result, m.Origin, &m.Op) }

func (m *TAOpenResp) decode(r *reader) { r.opResult(&m.Result, &m.Origin, &m.Op) }

func (m *TAClose) appendTo(b []byte) []byte { return le.AppendUint32(b, m.Session) }
func (m *TAClose) decode(r *reader)         { m.Session = r.u32() }

func (*TACloseResp) appendTo(b []byte) []byte { return b }
func (*TACloseResp) decode(*reader)           {}

func (m *TACancel) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(b, m.Session), m.Op)
}
func (m *TACancel) decode(r *reader) { m.Session, m.Op = r.u32(), r.u32() }

func (*Destroy) appendTo(b []byte) []byte     { return b }
func (*Destroy) decode(*reader)               {}
func (*DestroyResp) appendTo(b []byte) []byte { return b }
func (*DestroyResp) decode(*reader)           {}
func (*TimeGet) appendTo(b []byte) []byte     { return b }
func (*TimeGet) decode(*reader)               {}

func (m *TimeSet) appendTo(b []byte) []byte {
	return le.AppendUint32(le.AppendUint32(b, m.Seconds), m.Millis)
}

func (m *TimeSet) decode(r *reader) {
	m.Seconds, m.Millis = r.u32(), r.u32()
	if m.Millis > 999 {
		r.fail("milliseconds out of range")
	}
}

func (m *TimeResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, uint32(m.Result))
	return le.AppendUint32(le.AppendUint32(b, m.Seconds), m.Millis)
}

func (m *TimeResp) decode(r *reader) {
	m.Result, m.Seconds, m.Millis = tee.Result(r.u32()), r.u32(), r.u32()
	if m.Millis > 999 {
		r.fail("milliseconds out of range")
	}
}

func (m *TTOpen) appendTo(b []byte) []byte {
	return m.Op.appendTo(append(b, m.UUID[:]...))
}

func (m *TTOpen) decode(r *reader) {
	r.uuid(&m.UUID)
	m.Op.decode(r)
	r.noShm(&m.Op)
}

func (m *TTOpenResp) appendTo(b []byte) []byte {
	b = le.AppendUint32(b, uint32(m.Result))
	b = le.AppendUint32(b, uint32(m.Origin))
	b = le.AppendUint32(b, m.Session)
	return m.Op.appendTo(b)
}

func (m *TTOpenResp) decode(r *reader) {
	m.Result, m.Origin, m.Session = tee.Result(r.u32()), tee.Origin(r.u32()), r.u32()
	m.Op.decode(r)
	r.noFDs(&m.Op)
}

func (m *TTInvoke) appendTo(b []byte) []byte {
	return m.Op.appendTo(le.AppendUint32(le.AppendUint32(b, m.Session), m.Command))
}

func (m *TTInvoke) decode(r *reader) {
	m.Session, m.Command = r.u32(), r.u32()
	m.Op.decode(r)
	r.noShm(&m.Op)
}

func (m *TTInvokeResp) appendTo(b []byte) []byte { return appendOpResult(b, m.Result, m.Origin, &m.Op) }

func (m *TTInvokeResp) decode(r *reader) { r.opResult(&m.Result, &m.Origin, &m.Op) }

func (m *TTClose) appendTo(b []byte) []byte   { return le.AppendUint32(b, m.Session) }
func (m *TTClose) decode(r *reader)           { m.Session = r.u32() }
func (*TTCloseResp) appendTo(b []byte) []byte { return b }
func (*TTCloseResp) decode(*reader)           {}
func (m *TTCancel) appendTo(b []byte) []byte  { return le.AppendUint32(b, m.Op) }
func (m *TTCancel) decode(r *reader)          { m.Op = r.u32() }

// appendOpResult encodes the body InvokeResp, TAOpenResp and TTInvokeResp share:
// result, origin and the operation's outputs.
func appendOpResult(b []byte, res tee.Result, origin tee.Origin, op *Operation) []byte {
	b = le.AppendUint32(b, uint32(res))
	b = le.AppendUint32(b, uint32(origin))
	return op.appendTo(b)
}

// opResult decodes that body; a response never carries descriptors.
func (r *reader) opResult(res *tee.Result, origin *tee.Origin, op *Operation) {
	*res, *origin = tee.Result(r.u32()), tee.Origin(r.u32())
	op.decode(r)
	r.noFDs(op)
}

// newMessage is the dispatch table from kind to an empty message.
var newMessage = [kindLimit]func() Message{
	KindHello:        func() Message { return new(Hello) },
	KindHelloResp:    func() Message { return new(HelloResp) },
	KindOpen:         func() Message { return new(Open) },
	KindOpenResp:     func() Message { return new(OpenResp) },
	KindClose:        func() Message { return new(Close) },
	KindCloseResp:    func() Message { return new(CloseResp) },
	KindCancel:       func() Message { return new(Cancel) },
	KindInvoke:       func() Message { return new(Invoke) },
	KindInvokeResp:   func() Message { return new(InvokeResp) },
	KindShmRelease:   func() Message { return new(ShmRelease) },
	KindCreate:       func() Message { return new(Create) },
	KindCreateResp:   func() Message { return new(CreateResp) },
	KindTAOpen:       func() Message { return new(TAOpen) },
	KindTAOpenResp:   func() Message { return new(TAOpenResp) },
	KindTAClose:      func() Message { return new(TAClose) },
	KindTACloseResp:  func() Message { return new(TACloseResp) },
	KindTACancel:     func() Message { return new(TACancel) },
	KindDestroy:      func() Message { return new(Destroy) },
	KindDestroyResp:  func() Message { return new(DestroyResp) },
	KindTimeGet:      func() Message { return new(TimeGet) },
	KindTimeSet:      func() Message { return new(TimeSet) },
	KindTimeResp:     func() Message { return new(TimeResp) },
	KindTTOpen:       func() Message { return new(TTOpen) },
	KindTTOpenResp:   func() Message { return new(TTOpenResp) },
	KindTTInvoke:     func() Message { return new(TTInvoke) },
	KindTTInvokeResp: func() Message { return new(TTInvokeResp) },
	KindTTClose:      func() Message { return new(TTClose) },
	KindTTCloseResp:  func() Message { return new(TTCloseResp) },
	KindTTCancel:     func() Message { return new(TTCancel) },
}

// Append encodes header and message onto b.
func Append(b []byte, id uint32, m Message) []byte {
	b = le.AppendUint16(b, uint16(m.Kind()))
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, id)
	return m.appendTo(b)
}

// Decode parses one datagram. The error wraps ErrMalformed.
func Decode(b []byte) (Header, Message, error) {
	return DecodeInto(b, nil)
}

// DecodeInto is Decode that reuses into when the datagram is of into's kind, so a
// hot loop that mostly receives one kind decodes without allocating. into must not
// be in use elsewhere; the returned Message is into itself or a new one.
func DecodeInto(b []byte, into Message) (Header, Message, error) {
	if len(b) < HeaderSize {
		return Header{}, nil, fmt.Errorf("%w: %d bytes, shorter than a header", ErrMalformed, len(b))
	}
	if len(b) > MaxMessage {
		return Header{}, nil, fmt.Errorf("%w: %d bytes, over the %d-byte limit", ErrMalformed, len(b), MaxMessage)
	}
	h := Header{Kind: Kind(le.Uint16(b)), ID: le.Uint32(b[4:])}
	if le.Uint16(b[2:]) != 0 {
		return h, nil, fmt.Errorf("%w: reserved header bits set", ErrMalformed)
	}
	if h.Kind >= kindLimit || newMessage[h.Kind] == nil {
		return h, nil, fmt.Errorf("%w: unknown kind %d", ErrMalformed, h.Kind)
	}
	m := into
	if m == nil || m.Kind() != h.Kind {
		m = newMessage[h.Kind]()
	}
	r := reader{b: b[HeaderSize:]}
	m.decode(&r)
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Sprintf("%d trailing bytes", len(r.b)))
	}
	if r.err != nil {
		return h, nil, fmt.Errorf("%w: kind %d: %s", ErrMalformed, h.Kind, r.err)
	}
	return h, m, nil
}

var le = binary.LittleEndian

// reader decodes fixed-layout fields; the first failure sticks and later reads
// return zeros, so decoders read straight through and check err once.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = errors.New(what)
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail("truncated")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return le.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return le.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return le.Uint64(v)
	}
	return 0
}

func (r *reader) uuid(u *tee.UUID) {
	if v := r.take(16); v != nil {
		copy(u[:], v)
	}
}

func (r *reader) str(max int) string {
	n := int(r.u16())
	if n > max {
		r.fail("string too long")
		return ""
	}
	return string(r.take(n))
}

// noShm refuses shared memory blocks in TA-to-TA operations: a TA's memory
// references all lie in its arena.
func (r *reader) noShm(o *Operation) {
	if o.NewShm != 0 {
		r.fail("shared memory blocks in a TA-to-TA operation")
	}
	for _, p := range o.Params {
		if p.Type.IsMemref() && p.Shm != ShmArena && p.Shm != ShmNull {
			r.fail("TA-to-TA memref outside the arena")
		}
	}
}

// noFDs refuses descriptor announcements in responses, which never carry memory.
func (r *reader) noFDs(o *Operation) {
	if o.HasArena || o.NewShm != 0 {
		r.fail("response announces descriptors")
	}
}
