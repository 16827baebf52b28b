package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gotee/gotee/tee"
)

// sample is one valid message as a test sends it: the id it travels under, the
// number of descriptors it announces and the length of its encoding (header included),
// which docs/protocol.md states too.
type sample struct {
	name    string
	id      uint32
	m       Message
	wantFDs int
	wantLen int
}

var (
	testUUID  = tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b") // OP-TEE's hello_world
	testUUID2 = tee.MustParseUUID("01234567-89ab-cdef-0123-456789abcdef")
)

// richOp uses every kind of parameter location at once: a value with both halves at
// their maximum, a memref in the arena, one in a new shared memory block and a NULL
// memref, and it brings an arena and two blocks.
func richOp() Operation {
	return Operation{
		HasArena: true,
		NewShm:   2,
		ShmIDs:   [NumParams]uint32{7, 0xFFFFFFFE, 0, 0},
		Params: [NumParams]Param{
			{Type: tee.ValueInout, A: 0xFFFFFFFF, B: 42},
			{Type: tee.MemrefInput, Shm: ShmArena, A: 16, B: 100},
			{Type: tee.MemrefOutput, Shm: 7, A: 4096, B: 1 << 20},
			{Type: tee.MemrefInout, Shm: ShmNull, A: 0, B: 64},
		},
	}
}

// fullShmOp brings the most descriptors an operation can: the arena and four blocks.
func fullShmOp() Operation {
	return Operation{
		HasArena: true,
		NewShm:   4,
		ShmIDs:   [NumParams]uint32{1, 2, 3, 0xFFFFFFFE},
		Params: [NumParams]Param{
			{Type: tee.MemrefInput, Shm: 1, A: 0, B: 1},
			{Type: tee.MemrefOutput, Shm: 2, A: 1 << 62, B: 1 << 62},
			{Type: tee.MemrefInout, Shm: 3, A: 8, B: 0},
			{Type: tee.ValueInput, A: 1, B: 0},
		},
	}
}

// outOp is an operation as a response carries it: output values and sizes only.
func outOp() Operation {
	return Operation{
		Params: [NumParams]Param{
			{Type: tee.ValueOutput, A: 43, B: 0xDEADBEEF},
			{Type: tee.MemrefOutput, Shm: ShmArena, A: 0, B: 4097},
			{Type: tee.MemrefInout, Shm: 9, A: 12, B: 3},
			{},
		},
	}
}

// props are the properties of a Create with strings at their size limits.
func props() []Property {
	return []Property{
		{Name: "gpd.ta.appID", Value: testUUID.String()},
		{Name: "gpd.ta.singleInstance", Value: "true"},
		{Name: "gpd.ta.dataSize", Value: "32768"},
		{Name: "empty.value", Value: ""},
		{Name: strings.Repeat("n", MaxPropertyKey), Value: strings.Repeat("v", MaxPropertyVal)},
		{Name: "binary\x00\xff", Value: "\x00\x01\xfe"},
	}
}

const opLen = 120 // bytes of an encoded Operation

func samples() []sample {
	propsLen := 0
	for _, p := range props() {
		propsLen += 2 + len(p.Name) + 2 + len(p.Value)
	}
	return []sample{
		{"Hello", 1, &Hello{Magic: Magic, Major: VersionMajor, Minor: VersionMinor}, 0, 16},
		{"Hello/future", 0xFFFFFFFF, &Hello{Magic: 0x12345678, Major: 0xFFFF, Minor: 7}, 0, 16},
		{"HelloResp", 1, &HelloResp{Result: tee.Success, Major: 1, Minor: 0}, 0, 16},
		{"HelloResp/refused", 1, &HelloResp{Result: tee.ErrNotSupported, Major: 1, Minor: 3}, 0, 16},
		{"Open/rich", 2, &Open{UUID: testUUID, Login: tee.LoginGroupApplication, GID: 1000, Op: richOp()}, 3, 8 + 24 + opLen},
		{"Open/full", 3, &Open{UUID: testUUID2, Login: tee.LoginUser, Op: fullShmOp()}, 5, 8 + 24 + opLen},
		{"Open/empty", 0, &Open{UUID: testUUID}, 0, 8 + 24 + opLen},
		{"OpenResp/ok", 2, &OpenResp{Result: tee.Success, Origin: tee.OriginTrustedApp, Session: 0x10203040, Op: outOp()}, 1, 8 + 12 + opLen},
		{"OpenResp/denied", 2, &OpenResp{Result: tee.ErrAccessDenied, Origin: tee.OriginTEE}, 0, 8 + 12 + opLen},
		{"Close", 4, &Close{Session: 0x10203040}, 0, 12},
		{"CloseResp", 4, &CloseResp{Result: tee.ErrItemNotFound}, 0, 12},
		{"Cancel/open", 0, &Cancel{Session: 0, Op: 2}, 0, 16},
		{"Cancel/invoke", 5, &Cancel{Session: 0x10203040, Op: 0xFFFFFFFF}, 0, 16},
		{"Invoke/rich", 6, &Invoke{Command: 0xCAFEBABE, Op: richOp()}, 3, 8 + 4 + opLen},
		{"Invoke/full", 7, &Invoke{Command: 1, Op: fullShmOp()}, 5, 8 + 4 + opLen},
		{"Invoke/null", 8, &Invoke{}, 0, 8 + 4 + opLen},
		{"InvokeResp", 6, &InvokeResp{Result: tee.ErrShortBuffer, Origin: tee.OriginTrustedApp, Op: outOp()}, 0, 8 + 8 + opLen},
		{"ShmRelease", 0, &ShmRelease{Shm: 7}, 0, 12},
		{"Create/props", 1, &Create{UUID: testUUID, Properties: props()}, 0, 8 + 20 + propsLen},
		// Decode gives an empty, non-nil slice for no properties.
		{"Create/none", 1, &Create{UUID: testUUID2, Properties: []Property{}}, 0, 8 + 20},
		{"CreateResp", 1, &CreateResp{Result: tee.ErrOutOfMemory, Origin: tee.OriginTrustedApp}, 0, 16},
		{"TAOpen/rich", 2, &TAOpen{Session: 9, Identity: tee.Identity{Login: tee.LoginUserApplication, UUID: testUUID2}, Op: richOp()}, 4, 8 + 24 + opLen},
		{"TAOpen/full", 3, &TAOpen{Session: 10, Identity: tee.Identity{Login: tee.LoginTrustedApp, UUID: testUUID}, Op: fullShmOp()}, 6, 8 + 24 + opLen},
		{"TAOpen/public", 4, &TAOpen{Session: 11}, 1, 8 + 24 + opLen},
		{"TAOpenResp", 2, &TAOpenResp{Result: tee.ErrBusy, Origin: tee.OriginTrustedApp, Op: outOp()}, 0, 8 + 8 + opLen},
		{"TAClose", 5, &TAClose{Session: 9}, 0, 12},
		{"TACloseResp", 5, &TACloseResp{}, 0, 8},
		{"TACancel", 0, &TACancel{Session: 9, Op: 6}, 0, 16},
		{"Destroy", 6, &Destroy{}, 0, 8},
		{"DestroyResp", 6, &DestroyResp{}, 0, 8},
		{"TimeGet", 7, &TimeGet{}, 0, 8},
		{"TimeSet", 8, &TimeSet{Seconds: 0xFFFFFFFF, Millis: 999}, 0, 16},
		{"TimeResp", 8, &TimeResp{Result: tee.ErrOverflow, Seconds: 5, Millis: 1}, 0, 20},
		{"TTOpen", 9, &TTOpen{UUID: testUUID, Op: wire0ArenaOp()}, 1, 8 + 16 + opLen},
		{"TTOpenResp", 9, &TTOpenResp{Result: tee.ErrBusy, Origin: tee.OriginTEE, Session: 3}, 0, 8 + 12 + opLen},
		{"TTInvoke", 10, &TTInvoke{Session: 3, Command: 7, Op: wire0ArenaOp()}, 1, 8 + 8 + opLen},
		{"TTInvokeResp", 10, &TTInvokeResp{Result: tee.ErrTargetDead, Origin: tee.OriginTEE}, 0, 8 + 8 + opLen},
		{"TTClose", 11, &TTClose{Session: 3}, 0, 12},
		{"TTCloseResp", 11, &TTCloseResp{}, 0, 8},
		{"TTCancel", 0, &TTCancel{Op: 10}, 0, 12},
		{"ObjOpen", 12, &ObjOpen{Storage: 1, Flags: 0x13, ID: []byte("key")}, 0, 8 + 12 + 3},
		{"ObjCreate", 13, &ObjCreate{Storage: 0x80000000, Flags: 0x407, Token: 3, ID: []byte("k"), Header: []byte{1, 2}, Data: []byte("data")}, 0, 8 + 24 + 7},
		{"ObjStage", 14, &ObjStage{Token: 3, Data: make([]byte, MaxObjectChunk)}, 0, 8 + 8 + MaxObjectChunk},
		{"ObjHandleResp", 13, &ObjHandleResp{Result: tee.ErrAccessConflict, Handle: 4, DataSize: 9, Header: []byte{}}, 0, 8 + 16},
		{"ObjClose/delete", 15, &ObjClose{Handle: 4, Delete: true}, 0, 16},
		{"ObjRename", 16, &ObjRename{Handle: 4, ID: make([]byte, MaxObjectID)}, 0, 8 + 8 + MaxObjectID},
		{"ObjRead", 17, &ObjRead{Handle: 4, Offset: 0xFFFFFFFF, Size: MaxObjectChunk}, 0, 20},
		{"ObjReadResp", 17, &ObjReadResp{Result: tee.Success, Data: []byte("abc")}, 0, 8 + 8 + 3},
		{"ObjWrite", 18, &ObjWrite{Handle: 4, Offset: 10, Data: []byte{}}, 0, 8 + 16},
		{"ObjTruncate", 19, &ObjTruncate{Handle: 4, Size: 0}, 0, 16},
		{"ObjSetHeader", 20, &ObjSetHeader{Handle: 4, Expect: []byte{6}, Header: []byte{7}}, 0, 8 + 12 + 2},
		{"ObjInfo", 21, &ObjInfo{Handle: 4}, 0, 12},
		{"ObjEnum", 22, &ObjEnum{Storage: 1, First: true, After: []byte{}}, 0, 8 + 12},
		{"ObjEnumResp", 22, &ObjEnumResp{Result: tee.ErrItemNotFound, ID: []byte{}, Header: []byte{}}, 0, 8 + 16},
		{"ObjStatus", 23, &ObjStatus{Result: tee.ErrCorruptObject}, 0, 12},
		{"SecretGet", 24, &SecretGet{Label: []byte("secapi root")}, 0, 8 + 4 + 11},
		{"Lane", 25, &Lane{Session: 0x10203040}, 0, 12},
		{"LaneResp/ok", 25, &LaneResp{Result: tee.Success}, 1, 12},
		{"LaneResp/refused", 25, &LaneResp{Result: tee.ErrNotSupported}, 0, 12},
		{"TALane", 26, &TALane{Session: 9}, 1, 12},
		{"TALaneResp", 26, &TALaneResp{Result: tee.ErrBadState}, 0, 12},
		{"SecretResp", 24, &SecretResp{Result: tee.Success, Secret: make([]byte, SecretSize)}, 0, 8 + 8 + SecretSize},
	}
}

func TestSamplesCoverEveryKind(t *testing.T) {
	seen := map[Kind]bool{}
	for _, s := range samples() {
		seen[s.m.Kind()] = true
	}
	for k, f := range newMessage {
		if f == nil {
			continue
		}
		if got := f().Kind(); got != Kind(k) {
			t.Errorf("newMessage[%d] makes kind %d", k, got)
		}
		if !seen[Kind(k)] {
			t.Errorf("kind %d has no sample", k)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			if got := s.m.FDs(); got != s.wantFDs {
				t.Errorf("FDs() = %d, want %d", got, s.wantFDs)
			}
			b := Append(nil, s.id, s.m)
			if len(b) != s.wantLen {
				t.Errorf("encoding is %d bytes, want %d", len(b), s.wantLen)
			}
			h, m, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := (Header{Kind: s.m.Kind(), ID: s.id}); h != want {
				t.Errorf("header = %+v, want %+v", h, want)
			}
			if !reflect.DeepEqual(m, s.m) {
				t.Errorf("decoded %#v\nwant    %#v", m, s.m)
			}
			if b2 := Append(nil, h.ID, m); !bytes.Equal(b2, b) {
				t.Errorf("re-encoding differs:\n got %x\nwant %x", b2, b)
			}
			// Append extends its buffer rather than overwriting it.
			prefix := []byte("prefix")
			b3 := Append(prefix, s.id, s.m)
			if !bytes.Equal(b3[:len(prefix)], []byte("prefix")) || !bytes.Equal(b3[len(prefix):], b) {
				t.Errorf("Append onto a prefix = %x", b3)
			}
		})
	}
}

// TestGolden pins encodings byte for byte; docs/protocol.md shows the same dumps.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		id   uint32
		m    Message
		hex  string
	}{
		{"Hello", 1, &Hello{Magic: Magic, Major: 1, Minor: 0},
			"0100 0000 01000000 47544545 0100 0000"},
		{"Cancel", 0x01020304, &Cancel{Session: 5, Op: 6},
			"0700 0000 04030201 05000000 06000000"},
		{"Invoke", 2, &Invoke{Command: 0, Op: Operation{Params: [NumParams]Param{{Type: tee.ValueInout, A: 42}}}},
			"1000 0000 02000000 00000000" + // header, command
				"00000000 00000000 00000000 00000000 00000000 00000000" + // flags, NewShm, ShmIDs
				"03000000 00000000 2a00000000000000 0000000000000000" + // param 0
				strings.Repeat("00000000 00000000 0000000000000000 0000000000000000", 3)},
		{"Create", 3, &Create{UUID: testUUID, Properties: []Property{{"a", "bc"}}},
			"2000 0000 03000000 8aaaf200245011e4abe20002a5d5c51b 01000000 0100 61 0200 6263"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := hex.DecodeString(strings.ReplaceAll(tt.hex, " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			if got := Append(nil, tt.id, tt.m); !bytes.Equal(got, want) {
				t.Errorf("Append =\n%x\nwant\n%x", got, want)
			}
		})
	}
}

// put32 and put64 overwrite a little-endian field of a copy of b.
func put32(b []byte, off int, v uint32) []byte {
	c := bytes.Clone(b)
	le.PutUint32(c[off:], v)
	return c
}

func put64(b []byte, off int, v uint64) []byte {
	c := bytes.Clone(b)
	le.PutUint64(c[off:], v)
	return c
}

// Offsets in an encoded Invoke: the operation starts after the header and command.
const (
	invOp     = HeaderSize + 4
	invFlags  = invOp
	invNewShm = invOp + 4
	invShmIDs = invOp + 8
	invParams = invOp + 8 + 4*NumParams
)

func invParam(i, field int) int { return invParams + 24*i + field }

const (
	fType = 0
	fShm  = 4
	fA    = 8
	fB    = 16
)

// createWith encodes a Create with the given raw property count and entries.
func createWith(count uint32, entries ...[2]string) []byte {
	b := Append(nil, 1, &Create{UUID: testUUID})
	b = b[:len(b)-4]
	b = le.AppendUint32(b, count)
	for _, e := range entries {
		b = le.AppendUint16(b, uint16(len(e[0])))
		b = append(b, e[0]...)
		b = le.AppendUint16(b, uint16(len(e[1])))
		b = append(b, e[1]...)
	}
	return b
}

func manyProps(n int) [][2]string {
	e := make([][2]string, n)
	for i := range e {
		e[i] = [2]string{"p", ""}
	}
	return e
}

func TestDecodeRejects(t *testing.T) {
	invoke := Append(nil, 1, &Invoke{Command: 3, Op: richOp()})
	null := Append(nil, 1, &Invoke{})
	header := func(kind, reserved uint16) []byte {
		b := le.AppendUint16(nil, kind)
		b = le.AppendUint16(b, reserved)
		return le.AppendUint32(b, 1)
	}

	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"short header", header(uint16(KindDestroy), 0)[:7]},
		{"over MaxMessage", append(header(uint16(KindCreate), 0), make([]byte, MaxMessage-HeaderSize+1)...)},
		{"reserved low bit", header(uint16(KindDestroy), 1)},
		{"reserved high bit", header(uint16(KindDestroy), 0x8000)},
		{"kind 0", header(0, 0)},
		{"kind 8", append(header(8, 0), make([]byte, 16)...)},
		{"kind 41", header(41, 0)},
		{"kind 63", header(63, 0)},
		{"kind 79", header(79, 0)},
		{"kind 82", header(82, 0)},
		{"kind 95", header(95, 0)},
		{"kind 0xFFFF", header(0xFFFF, 0)},

		{"flags 2", put32(null, invFlags, 2)},
		{"flags 3", put32(null, invFlags, 3)},
		{"flags high", put32(null, invFlags, 0x80000000)},
		{"NewShm 5", put32(null, invNewShm, 5)},
		{"NewShm max", put32(null, invNewShm, 0xFFFFFFFF)},
		{"new shm id 0", put32(put32(null, invNewShm, 1), invShmIDs, 0)},
		{"new shm id ShmNull", put32(put32(null, invNewShm, 1), invShmIDs, ShmNull)},
		{"second new shm id 0", put32(invoke, invShmIDs+4, 0)},
		{"unused slot not zero", put32(invoke, invShmIDs+8, 5)},
		{"unused slot 3 not zero", put32(null, invShmIDs+12, 1)},

		{"NONE with shm", put32(null, invParam(3, fShm), 1)},
		{"NONE with a", put64(null, invParam(2, fA), 1)},
		{"NONE with b", put64(null, invParam(1, fB), 1<<63)},
		{"value a high bits", put64(invoke, invParam(0, fA), 1<<32)},
		{"value b high bits", put64(invoke, invParam(0, fB), 0xFFFFFFFF00000000)},
		{"value with shm", put32(invoke, invParam(0, fShm), 7)},
		{"memref offset too big", put64(invoke, invParam(1, fA), 1<<62+1)},
		{"memref size too big", put64(invoke, invParam(2, fB), ^uint64(0))},
		{"null memref with offset", put64(invoke, invParam(3, fA), 1)},

		{"Create too many properties", createWith(MaxProperties+1, manyProps(MaxProperties+1)...)},
		{"Create count huge", createWith(0xFFFFFFFF)},
		{"Create count beyond entries", createWith(2, [2]string{"a", "b"})},
		{"Create name too long", createWith(1, [2]string{strings.Repeat("n", MaxPropertyKey+1), ""})},
		{"Create value too long", createWith(1, [2]string{"n", strings.Repeat("v", MaxPropertyVal+1)})},
		{"Create empty name", createWith(1, [2]string{"", "v"})},
		{"Create length beyond end", append(createWith(1), 0xFF, 0x00, 'a')},

		{"ObjOpen ID too long", Append(nil, 1, &ObjOpen{ID: make([]byte, MaxObjectID+1)})},
		{"ObjCreate header too long", Append(nil, 1, &ObjCreate{Header: make([]byte, MaxObjectHeader+1)})},
		{"ObjStage chunk too long", Append(nil, 1, &ObjStage{Token: 1, Data: make([]byte, MaxObjectChunk+1)})},
		{"ObjStage length beyond end", put32(Append(nil, 1, &ObjStage{Token: 1, Data: []byte{1}}), HeaderSize+4, 2)},
		{"ObjStage token 0", Append(nil, 1, &ObjStage{Data: []byte{1}})},
		{"ObjRead larger than a chunk", Append(nil, 1, &ObjRead{Size: MaxObjectChunk + 1})},
		{"ObjClose flag 2", put32(Append(nil, 1, &ObjClose{}), HeaderSize+4, 2)},
		{"SecretGet label too long", Append(nil, 1, &SecretGet{Label: make([]byte, MaxSecretLabel+1)})},
		{"SecretResp short secret", Append(nil, 1, &SecretResp{Secret: make([]byte, 31)})},
		{"SecretResp long secret", Append(nil, 1, &SecretResp{Secret: make([]byte, 33)})},
		{"ObjEnum flag high", put32(Append(nil, 1, &ObjEnum{}), HeaderSize+4, 0x80000000)},

		{"OpenResp with arena", Append(nil, 1, &OpenResp{Op: Operation{HasArena: true}})},
		{"OpenResp with shm", Append(nil, 1, &OpenResp{Op: Operation{NewShm: 1, ShmIDs: [4]uint32{5}}})},
		{"InvokeResp with arena", Append(nil, 1, &InvokeResp{Op: Operation{HasArena: true}})},
		{"InvokeResp with shm", Append(nil, 1, &InvokeResp{Op: fullShmOp()})},
		{"TAOpenResp with arena", Append(nil, 1, &TAOpenResp{Op: Operation{HasArena: true}})},
		{"TAOpenResp with shm", Append(nil, 1, &TAOpenResp{Op: Operation{NewShm: 2, ShmIDs: [4]uint32{5, 6}}})},
	}
	// Every type a TA never sees: 4, the client-only 0x8..0xF, and beyond.
	for _, typ := range []uint32{4, 8, 9, 0xA, 0xB, 0xC, 0xD, 0xE, 0xF, 0x10, 0x15, 0xF0000000, 0xFFFFFFFF} {
		for i := range NumParams {
			tests = append(tests, struct {
				name string
				b    []byte
			}{
				name: fmt.Sprintf("param %d type %#x", i, typ),
				b:    put32(null, invParam(i, fType), typ),
			})
		}
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectMalformed(t, tt.b)
		})
	}
}

func expectMalformed(t testing.TB, b []byte) {
	t.Helper()
	_, m, err := Decode(b)
	if err == nil {
		t.Fatalf("Decode(%x) accepted %#v", b, m)
	}
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("Decode error %v does not wrap ErrMalformed", err)
	}
	if m != nil {
		t.Fatalf("Decode returned message %#v along with error %v", m, err)
	}
}

func TestDecodeRejectsUnknownKinds(t *testing.T) {
	body := make([]byte, 200)
	for k := range 1 << 16 {
		if k < len(newMessage) && newMessage[k] != nil {
			continue
		}
		b := le.AppendUint16(nil, uint16(k))
		b = append(b, 0, 0, 1, 0, 0, 0)
		expectMalformed(t, b)
		expectMalformed(t, append(b, body...))
	}
}

func TestDecodeRejectsPrefixes(t *testing.T) {
	for _, s := range samples() {
		b := Append(nil, s.id, s.m)
		for n := range len(b) {
			_, m, err := Decode(b[:n])
			if err == nil || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: prefix of %d/%d bytes: Decode = %#v, %v", s.name, n, len(b), m, err)
			}
		}
	}
}

func TestDecodeRejectsTrailing(t *testing.T) {
	for _, s := range samples() {
		b := Append(nil, s.id, s.m)
		for _, extra := range [][]byte{{0}, {0, 0, 0, 0}, make([]byte, 120)} {
			t.Run(s.name, func(t *testing.T) {
				expectMalformed(t, append(bytes.Clone(b), extra...))
			})
		}
	}
}

func TestDecodeAcceptsLimits(t *testing.T) {
	// A Create of exactly MaxMessage bytes: 15 properties at both string limits and
	// one that fills the rest.
	full := [2]string{strings.Repeat("k", MaxPropertyKey), strings.Repeat("v", MaxPropertyVal)}
	entries := make([][2]string, 0, 16)
	for range 15 {
		entries = append(entries, full)
	}
	used := HeaderSize + 16 + 4 + 15*(4+MaxPropertyKey+MaxPropertyVal)
	entries = append(entries, [2]string{"x", strings.Repeat("y", MaxMessage-used-5)})
	b := createWith(16, entries...)
	if len(b) != MaxMessage {
		t.Fatalf("built %d bytes, want %d", len(b), MaxMessage)
	}
	_, m, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode of a %d-byte Create: %v", len(b), err)
	}
	if n := len(m.(*Create).Properties); n != 16 {
		t.Errorf("decoded %d properties, want 16", n)
	}
	// One more byte in the last value is over the datagram limit.
	entries[15][1] += "y"
	expectMalformed(t, createWith(16, entries...))

	// MaxProperties properties, and the boundary values of each field.
	b = createWith(MaxProperties, manyProps(MaxProperties)...)
	if _, _, err := Decode(b); err != nil {
		t.Errorf("Decode of %d properties: %v", MaxProperties, err)
	}
	invoke := Append(nil, 1, &Invoke{Command: 3, Op: richOp()})
	for name, b := range map[string][]byte{
		"value a max":         put64(invoke, invParam(0, fA), 0xFFFFFFFF),
		"value b max":         put64(invoke, invParam(0, fB), 0xFFFFFFFF),
		"memref offset limit": put64(invoke, invParam(1, fA), 1<<62),
		"memref size limit":   put64(invoke, invParam(1, fB), 1<<62),
		"null memref size":    put64(invoke, invParam(3, fB), 1<<62),
		"shm id max":          put32(invoke, invShmIDs+4, 0xFFFFFFFE),
		"header id max":       put32(invoke, 4, 0xFFFFFFFF),
	} {
		if _, _, err := Decode(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestOperationTypes(t *testing.T) {
	op := richOp()
	want := tee.Types(tee.ValueInout, tee.MemrefInput, tee.MemrefOutput, tee.MemrefInout)
	if got := op.Types(); got != want {
		t.Errorf("Types() = %#x, want %#x", got, want)
	}
	if got := (&Operation{}).Types(); got != 0 {
		t.Errorf("Types() of an empty operation = %#x", got)
	}
}

// wire0ArenaOp is a TA-to-TA operation: a value and a memref in a new arena.
func wire0ArenaOp() Operation {
	var o Operation
	o.HasArena = true
	o.Params[0] = Param{Type: tee.ValueInput, A: 1, B: 2}
	o.Params[1] = Param{Type: tee.MemrefInout, Shm: ShmArena, A: 64, B: 100}
	return o
}
