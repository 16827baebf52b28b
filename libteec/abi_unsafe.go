package main

// The C side of the library: the functions teec.c's TEEC_ wrappers call, and
// the conversions between the C structures and the client package's types.
// Only this file touches C memory.

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include "tee_client_api.h"
*/
import "C"

import (
	"context"
	"math"
	"unsafe"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/tee"
)

func main() {} // required by -buildmode=c-shared; never runs

// shmFlagBufferAlloced marks allocated memory in TEEC_SharedMemory.internal, as
// OP-TEE does; it is informational only.
const shmFlagBufferAlloced = 1 << 0

// emptyBuffer is what the buffer of allocated memory of size 0 points to: like
// OP-TEE, the library never hands out NULL for a successful allocation.
var emptyBuffer = C.malloc(8)

var errAPIBadParams = &tee.Error{Code: tee.ErrBadParameters, Origin: tee.OriginAPI}

// result stores err's origin in *origin (if not NULL) and returns its code.
func result(err error, origin *C.uint32_t) C.TEEC_Result {
	code, o := tee.Code(err, tee.OriginAPI)
	if origin != nil {
		if err == nil {
			o = tee.OriginTrustedApp // GP: the origin of a success is the TA
		}
		*origin = C.uint32_t(o)
	}
	return C.TEEC_Result(code)
}

//export goteeInitializeContext
func goteeInitializeContext(name *C.char, cc *C.TEEC_Context) C.TEEC_Result {
	if cc == nil {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	n := ""
	if name != nil {
		n = C.GoString(name)
		if n == "" {
			return C.TEEC_ERROR_ITEM_NOT_FOUND
		}
	}
	c, err := client.NewContext(context.Background(), n)
	if err != nil {
		return result(err, nil)
	}
	tc := lib.addContext(c)
	cc.fd = C.int(tc.fd)
	cc.reg_mem = true
	cc.memref_null = true
	return C.TEEC_SUCCESS
}

//export goteeFinalizeContext
func goteeFinalizeContext(cc *C.TEEC_Context) {
	if cc == nil {
		return
	}
	if tc := lib.removeContext(int32(cc.fd)); tc != nil {
		tc.c.Close()
	}
}

//export goteeOpenSession
func goteeOpenSession(cc *C.TEEC_Context, cs *C.TEEC_Session, dest *C.TEEC_UUID,
	method C.uint32_t, data unsafe.Pointer, cop *C.TEEC_Operation, origin *C.uint32_t) C.TEEC_Result {
	if cop != nil {
		cop.started = 1
	}
	if cc == nil || cs == nil || dest == nil {
		return result(errAPIBadParams, origin)
	}
	tc := lib.context(int32(cc.fd))
	if tc == nil {
		return result(errAPIBadParams, origin)
	}
	login := client.Login{Method: tee.LoginMethod(method)}
	if login.Method == tee.LoginGroup || login.Method == tee.LoginGroupApplication {
		if data == nil {
			return result(errAPIBadParams, origin)
		}
		login.Group = *(*uint32)(data)
	}
	cl, err := operation(tc, cop)
	if err != nil {
		return result(err, origin)
	}
	ctx, done := cancellable(cop)
	defer done()
	s, err := tc.c.OpenSession(ctx, uuid(dest), login, cl.op)
	cl.writeBack(cop)
	if err != nil {
		return result(err, origin)
	}
	ts, ok := lib.addSession(tc, s)
	if !ok { // finalized by another thread meanwhile
		s.Close()
		return result(&tee.Error{Code: tee.ErrBadState, Origin: tee.OriginAPI}, origin)
	}
	cs.ctx = cc
	cs.session_id = C.uint32_t(ts.id)
	return result(nil, origin)
}

//export goteeCloseSession
func goteeCloseSession(cs *C.TEEC_Session) {
	if cs == nil {
		return
	}
	if ts := lib.removeSession(uint32(cs.session_id)); ts != nil {
		ts.s.Close()
	}
}

//export goteeInvokeCommand
func goteeInvokeCommand(cs *C.TEEC_Session, cmd C.uint32_t, cop *C.TEEC_Operation, origin *C.uint32_t) C.TEEC_Result {
	if cop != nil {
		cop.started = 1
		cop.session = cs
	}
	if cs == nil {
		return result(errAPIBadParams, origin)
	}
	ts := lib.session(uint32(cs.session_id))
	if ts == nil {
		return result(errAPIBadParams, origin)
	}
	cl, err := operation(ts.ctx, cop)
	if err != nil {
		return result(err, origin)
	}
	ctx, done := cancellable(cop)
	defer done()
	err = ts.s.Invoke(ctx, uint32(cmd), cl.op)
	cl.writeBack(cop)
	return result(err, origin)
}

//export goteeRequestCancellation
func goteeRequestCancellation(cop *C.TEEC_Operation) {
	if cop != nil {
		lib.cancel(uintptr(unsafe.Pointer(cop)))
	}
}

// cancellable returns the context for an open or invoke with cop, which
// TEEC_RequestCancellation(cop) cancels until done is called.
func cancellable(cop *C.TEEC_Operation) (context.Context, func()) {
	if cop == nil {
		return context.Background(), func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	key := uintptr(unsafe.Pointer(cop))
	f := lib.track(key, cancel)
	return ctx, func() {
		lib.untrack(key, f)
		cancel()
	}
}

//export goteeRegisterSharedMemory
func goteeRegisterSharedMemory(cc *C.TEEC_Context, sm *C.TEEC_SharedMemory) C.TEEC_Result {
	if cc == nil || sm == nil || sm.buffer == nil || !validFlags(sm.flags) {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	tc := lib.context(int32(cc.fd))
	if tc == nil {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	buf, ok := cBytes(sm.buffer, sm.size)
	if !ok {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	m, err := tc.c.RegisterSharedMemory(buf, uint32(sm.flags))
	if err != nil {
		return result(err, nil)
	}
	tm, ok := lib.addShm(tc, m)
	if !ok {
		m.Release()
		return C.TEEC_ERROR_BAD_STATE
	}
	sm.id = C.int(tm.id)
	sm.alloced_size = sm.size
	sm.shadow_buffer = nil
	sm.registered_fd = -1
	sm.internal[0] = 0
	return C.TEEC_SUCCESS
}

//export goteeAllocateSharedMemory
func goteeAllocateSharedMemory(cc *C.TEEC_Context, sm *C.TEEC_SharedMemory) C.TEEC_Result {
	if cc == nil || sm == nil || !validFlags(sm.flags) {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	tc := lib.context(int32(cc.fd))
	if tc == nil {
		return C.TEEC_ERROR_BAD_PARAMETERS
	}
	if uint64(sm.size) > shm.MaxSize {
		return C.TEEC_ERROR_OUT_OF_MEMORY
	}
	m, err := tc.c.AllocateSharedMemory(int(sm.size), uint32(sm.flags))
	if err != nil {
		return result(err, nil)
	}
	tm, ok := lib.addShm(tc, m)
	if !ok {
		m.Release()
		return C.TEEC_ERROR_BAD_STATE
	}
	// The memory is a mapping outside Go's heap, so C may keep pointers into it.
	buf := m.Bytes()
	if len(buf) > 0 {
		sm.buffer = unsafe.Pointer(unsafe.SliceData(buf))
	} else {
		sm.buffer = emptyBuffer
	}
	sm.id = C.int(tm.id)
	sm.alloced_size = sm.size
	sm.shadow_buffer = nil
	sm.registered_fd = -1
	sm.internal[0] = shmFlagBufferAlloced
	return C.TEEC_SUCCESS
}

//export goteeReleaseSharedMemory
func goteeReleaseSharedMemory(sm *C.TEEC_SharedMemory) {
	if sm == nil || sm.id == -1 {
		return
	}
	if tm := lib.removeShm(int32(sm.id)); tm != nil {
		tm.m.Release()
	}
	sm.id = -1
	sm.buffer = nil
	sm.shadow_buffer = nil
	sm.registered_fd = -1
	sm.internal[0] = 0
}

// cBytes is the C buffer p of n bytes as a slice, if it can be one: no larger
// than any shared memory may be, and not wrapping around the address space
// (which would make unsafe.Slice panic in the client's process).
func cBytes(p unsafe.Pointer, n C.size_t) ([]byte, bool) {
	if uint64(n) > shm.MaxSize || uintptr(p)+uintptr(n) < uintptr(p) {
		return nil, false
	}
	return unsafe.Slice((*byte)(p), int(n)), true
}

func validFlags(f C.uint32_t) bool {
	return f != 0 && uint32(f)&^(tee.MemInput|tee.MemOutput) == 0
}

func uuid(u *C.TEEC_UUID) tee.UUID {
	var b tee.UUID
	tl, tm, th := uint32(u.timeLow), uint16(u.timeMid), uint16(u.timeHiAndVersion)
	b[0], b[1], b[2], b[3] = byte(tl>>24), byte(tl>>16), byte(tl>>8), byte(tl)
	b[4], b[5] = byte(tm>>8), byte(tm)
	b[6], b[7] = byte(th>>8), byte(th)
	for i := range 8 {
		b[8+i] = byte(u.clockSeqAndNode[i])
	}
	return b
}

// call is an operation converted for the client package, with the sizes it
// started with, so that only what the call changed is written back.
type call struct {
	op    *client.Operation
	sizes [4]int
}

// operation converts cop into a client.Operation whose memory parameters point
// at the C buffers. Everything the library can check is checked here, before
// anything reaches teed: a bad type, a NULL or foreign parent, a size no
// mapping can have. The client package checks the windows against their parents.
func operation(tc *teeContext, cop *C.TEEC_Operation) (*call, error) {
	cl := &call{}
	if cop == nil {
		return cl, nil
	}
	cl.op = &client.Operation{}
	types := uint32(cop.paramTypes)
	if types>>16 != 0 {
		return nil, errAPIBadParams
	}
	for i := range cop.params {
		t := tee.TypeAt(types, i)
		p := unsafe.Pointer(&cop.params[i])
		switch t {
		case tee.ParamNone:
		case tee.ValueInput, tee.ValueOutput, tee.ValueInout:
			v := (*C.TEEC_Value)(p)
			cl.op.Params[i] = &client.Value{Type: t, A: uint32(v.a), B: uint32(v.b)}
		case tee.MemrefTempInput, tee.MemrefTempOutput, tee.MemrefTempInout:
			r := (*C.TEEC_TempMemoryReference)(p)
			if uint64(r.size) > shm.MaxSize {
				return nil, errAPIBadParams
			}
			tm := &client.TempMemory{Type: t, Size: int(r.size)}
			if r.buffer != nil {
				var ok bool
				if tm.Buffer, ok = cBytes(r.buffer, r.size); !ok {
					return nil, errAPIBadParams
				}
			}
			cl.op.Params[i], cl.sizes[i] = tm, tm.Size
		case tee.MemrefWhole, tee.MemrefPartialInput, tee.MemrefPartialOut, tee.MemrefPartialInout:
			r := (*C.TEEC_RegisteredMemoryReference)(p)
			if r.parent == nil {
				return nil, errAPIBadParams
			}
			tm := lib.shm(int32(r.parent.id))
			if tm == nil || tm.ctx != tc {
				return nil, errAPIBadParams
			}
			rm := &client.RegisteredMemory{Type: t, Mem: tm.m}
			switch {
			case t == tee.MemrefWhole: // size is output only; offset is ignored
				rm.Size = int(min(uint64(r.size), math.MaxInt))
			case uint64(r.offset) > math.MaxInt || uint64(r.size) > math.MaxInt:
				return nil, errAPIBadParams
			default:
				rm.Offset, rm.Size = int(r.offset), int(r.size)
			}
			cl.op.Params[i], cl.sizes[i] = rm, rm.Size
		default:
			return nil, errAPIBadParams
		}
	}
	return cl, nil
}

// writeBack copies the call's outputs into cop: values, and the sizes the TA
// reported for output memory (also with SHORT_BUFFER, where it is the size
// needed). A size the call left alone is left alone in cop too.
func (cl *call) writeBack(cop *C.TEEC_Operation) {
	if cop == nil || cl.op == nil {
		return
	}
	for i, p := range cl.op.Params {
		ptr := unsafe.Pointer(&cop.params[i])
		switch p := p.(type) {
		case *client.Value:
			if p.Type.Out() {
				v := (*C.TEEC_Value)(ptr)
				v.a, v.b = C.uint32_t(p.A), C.uint32_t(p.B)
			}
		case *client.TempMemory:
			if p.Type.Out() && p.Size != cl.sizes[i] {
				(*C.TEEC_TempMemoryReference)(ptr).size = C.size_t(p.Size)
			}
		case *client.RegisteredMemory:
			if p.Size != cl.sizes[i] {
				(*C.TEEC_RegisteredMemoryReference)(ptr).size = C.size_t(p.Size)
			}
		}
	}
}
