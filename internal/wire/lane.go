package wire

import "github.com/gotee/gotee/tee"

// Lanes: extra session channels of one session, for TAs whose manifest says
// concurrent = true. A session channel carries one invoke at a time (its arena is
// staging space for that one operation), so a client that wants several invokes of
// one session in flight asks teed for another channel to the same session. teed
// makes the socketpair, hands the TA its end with TALane on the instance channel
// (which the TA always reads, however busy its session channels are) and the client
// its end with LaneResp. A TA that runs entry points one at a time refuses with
// TEE_ERROR_NOT_SUPPORTED, and the client stops asking.

// Lane kinds.
const (
	KindLane       Kind = 8  // client → teed
	KindLaneResp   Kind = 9  // teed → client; 1 fd on success
	KindTALane     Kind = 41 // teed → TA; 1 fd: the TA's end of the new channel
	KindTALaneResp Kind = 42 // TA → teed
)

// ConcurrentProperty is the TA property through which teed tells an instance that
// its manifest says concurrent = true; the runtime reads it before the create entry
// point runs. It lies outside GP's gpd. namespace because GP has no such property
// (OP-TEE's equivalent is the TA_FLAG_CONCURRENT header flag).
const ConcurrentProperty = "gotee.ta.concurrent"

// Lane asks for another channel to the client's open session Session.
type Lane struct{ Session uint32 }

// LaneResp answers Lane; with Success it carries the client's end of the channel.
type LaneResp struct{ Result tee.Result }

// TALane gives the instance another channel to its open session Session.
type TALane struct{ Session uint32 }

// TALaneResp answers TALane. Anything but Success means the TA closed its end.
type TALaneResp struct{ Result tee.Result }

func (*Lane) Kind() Kind       { return KindLane }
func (*LaneResp) Kind() Kind   { return KindLaneResp }
func (*TALane) Kind() Kind     { return KindTALane }
func (*TALaneResp) Kind() Kind { return KindTALaneResp }
func (*Lane) FDs() int         { return 0 }
func (m *LaneResp) FDs() int   { return boolInt(m.Result == tee.Success) }
func (*TALane) FDs() int       { return 1 }
func (*TALaneResp) FDs() int   { return 0 }

func (m *Lane) appendTo(b []byte) []byte       { return le.AppendUint32(b, m.Session) }
func (m *Lane) decode(r *reader)               { m.Session = r.u32() }
func (m *LaneResp) appendTo(b []byte) []byte   { return le.AppendUint32(b, uint32(m.Result)) }
func (m *LaneResp) decode(r *reader)           { m.Result = tee.Result(r.u32()) }
func (m *TALane) appendTo(b []byte) []byte     { return le.AppendUint32(b, m.Session) }
func (m *TALane) decode(r *reader)             { m.Session = r.u32() }
func (m *TALaneResp) appendTo(b []byte) []byte { return le.AppendUint32(b, uint32(m.Result)) }
func (m *TALaneResp) decode(r *reader)         { m.Result = tee.Result(r.u32()) }

func init() {
	newMessage[KindLane] = func() Message { return new(Lane) }
	newMessage[KindLaneResp] = func() Message { return new(LaneResp) }
	newMessage[KindTALane] = func() Message { return new(TALane) }
	newMessage[KindTALaneResp] = func() Message { return new(TALaneResp) }
}
