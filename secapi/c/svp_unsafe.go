package main

/*
#include "sa.h"
*/
import "C"

import (
	"sync"
	"syscall"
	"unsafe"

	"github.com/gotee/gotee/secapi"
)

// SVP memory as the C caller sees it. The bytes are in the SecAPI TA; the library
// stands for each region with an address range of the region's size that it
// reserves PROT_NONE (never backed, never readable), so the pointer
// sa_svp_memory_alloc returns is unique and any normal-world read or write of it
// faults, as on a device with a protected video path. sa_svp_buffer_create maps a
// pointer range back to (region, offset); sa_svp_buffer_release maps it forth.

type region struct {
	mem  *secapi.SVPMemory
	addr unsafe.Pointer // start of the reservation
	size uint64
	res  []byte // the PROT_NONE reservation: for munmap only, never touched
}

var svpRegions struct {
	mu sync.Mutex
	m  map[uint64]*region // by the TA's memory handle (guarded by mu)
}

// reserve makes the address range standing for a region of size bytes.
func reserve(mem *secapi.SVPMemory, size uint64) (*region, C.sa_status) {
	n := max(size, 1)
	if n > 1<<40 {
		return nil, st(secapi.StatusInvalidParameter)
	}
	res, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_NONE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, st(secapi.StatusInternalError)
	}
	r := &region{mem: mem, addr: unsafe.Pointer(unsafe.SliceData(res)), size: size, res: res}
	svpRegions.mu.Lock()
	if svpRegions.m == nil {
		svpRegions.m = map[uint64]*region{}
	}
	svpRegions.m[mem.Handle()] = r
	svpRegions.mu.Unlock()
	return r, st(secapi.StatusOK)
}

func unreserve(h uint64) {
	svpRegions.mu.Lock()
	r := svpRegions.m[h]
	delete(svpRegions.m, h)
	svpRegions.mu.Unlock()
	if r != nil {
		syscall.Munmap(r.res)
	}
}

// regionAt finds the region holding [p, p+n), with p's offset in it.
func regionAt(p uintptr, n uint64) (*region, uint64) {
	svpRegions.mu.Lock()
	defer svpRegions.mu.Unlock()
	for _, r := range svpRegions.m {
		a := uintptr(r.addr)
		if p >= a && uint64(p-a) <= r.size && n <= r.size-uint64(p-a) {
			return r, uint64(p - a)
		}
	}
	return nil, 0
}

func svpBuf(h C.sa_svp_buffer) *secapi.SVPBuffer { return secapi.ForeignSVPBuffer(client(), uint64(h)) }

//export goSaSvpSupported
func goSaSvpSupported() C.sa_status { return errStatus(client().SVPSupported(bg)) }

//export goSaSvpMemoryAlloc
func goSaSvpMemoryAlloc(out *unsafe.Pointer, size C.size_t) C.sa_status {
	m, err := client().AllocSVPMemory(bg, uint64(size))
	if err != nil {
		return errStatus(err)
	}
	r, s := reserve(m, uint64(size))
	if r == nil {
		m.Free(bg)
		return s
	}
	*out = r.addr
	return s
}

//export goSaSvpMemoryFree
func goSaSvpMemoryFree(p unsafe.Pointer) C.sa_status {
	svpRegions.mu.Lock()
	var found *region
	for _, r := range svpRegions.m {
		if r.addr == p {
			found = r
		}
	}
	svpRegions.mu.Unlock()
	if found == nil {
		return st(secapi.StatusInvalidParameter)
	}
	if err := found.mem.Free(bg); err != nil {
		return errStatus(err)
	}
	unreserve(found.mem.Handle())
	return st(secapi.StatusOK)
}

//export goSaSvpBufferAlloc
func goSaSvpBufferAlloc(out *C.sa_svp_buffer, size C.size_t) C.sa_status {
	b, m, err := client().AllocSVPBuffer(bg, uint64(size))
	if err != nil {
		return errStatus(err)
	}
	if r, s := reserve(m, uint64(size)); r == nil {
		b.Free(bg)
		return s
	}
	*out = C.sa_svp_buffer(b.Handle())
	return st(secapi.StatusOK)
}

//export goSaSvpBufferCreate
func goSaSvpBufferCreate(out *C.sa_svp_buffer, p unsafe.Pointer, size C.size_t) C.sa_status {
	r, off := regionAt(uintptr(p), uint64(size))
	if r == nil {
		return st(secapi.StatusInvalidSVPBuffer)
	}
	b, err := r.mem.NewBuffer(bg, off, uint64(size))
	if err != nil {
		return errStatus(err)
	}
	*out = C.sa_svp_buffer(b.Handle())
	return st(secapi.StatusOK)
}

//export goSaSvpBufferFree
func goSaSvpBufferFree(h C.sa_svp_buffer) C.sa_status {
	m, err := svpBuf(h).Free(bg)
	if err != nil {
		return errStatus(err)
	}
	if m != nil {
		unreserve(m.Handle())
	}
	return st(secapi.StatusOK)
}

//export goSaSvpBufferRelease
func goSaSvpBufferRelease(out *unsafe.Pointer, size *C.size_t, h C.sa_svp_buffer) C.sa_status {
	m, off, n, err := svpBuf(h).Release(bg)
	if err != nil {
		return errStatus(err)
	}
	svpRegions.mu.Lock()
	r := svpRegions.m[m.Handle()]
	svpRegions.mu.Unlock()
	if r == nil {
		return st(secapi.StatusInternalError)
	}
	*out = unsafe.Add(r.addr, off)
	*size = C.size_t(n)
	return st(secapi.StatusOK)
}

func offsetsOf(p *C.sa_svp_offset, n C.size_t) []secapi.SVPOffset {
	offs := make([]secapi.SVPOffset, 0, int(n))
	if n > 0 {
		for _, o := range unsafe.Slice(p, int(n)) {
			offs = append(offs, secapi.SVPOffset{Out: uint64(o.out_offset), In: uint64(o.in_offset), Length: uint64(o.length)})
		}
	}
	return offs
}

//export goSaSvpBufferWrite
func goSaSvpBufferWrite(h C.sa_svp_buffer, in unsafe.Pointer, n C.size_t, offs *C.sa_svp_offset, nOffs C.size_t) C.sa_status {
	data := bytesOf(in, n)
	if data == nil {
		data = []byte{}
	}
	return errStatus(svpBuf(h).Write(bg, data, offsetsOf(offs, nOffs)))
}

//export goSaSvpBufferCopy
func goSaSvpBufferCopy(out, in C.sa_svp_buffer, offs *C.sa_svp_offset, nOffs C.size_t) C.sa_status {
	return errStatus(svpBuf(out).Copy(bg, svpBuf(in), offsetsOf(offs, nOffs)))
}

//export goSaSvpBufferCheck
func goSaSvpBufferCheck(h C.sa_svp_buffer, off, n C.size_t, d C.sa_digest_algorithm, hash unsafe.Pointer, hashLen C.size_t) C.sa_status {
	if hashLen > 64 {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(svpBuf(h).Check(bg, uint64(off), uint64(n), secapi.Digest(d), copied(hash, hashLen)))
}

// bufferOf is the Go form of an sa_buffer that sa.c unpacked: a clear buffer is a
// view of the caller's memory.
func bufferOf(typ C.int, p unsafe.Pointer, length C.size_t, off C.size_t, h C.sa_svp_buffer) *secapi.Buffer {
	if typ == C.SA_BUFFER_TYPE_SVP {
		return &secapi.Buffer{SVP: svpBuf(h), Offset: uint64(off)}
	}
	b := &secapi.Buffer{Offset: uint64(off)}
	if p != nil {
		b.Clear = unsafe.Slice((*byte)(p), int(length))
	}
	return b
}

//export goSaSvpKeyCheck
func goSaSvpKeyCheck(k C.sa_key, typ C.int, p unsafe.Pointer, length, off C.size_t, h C.sa_svp_buffer,
	n C.size_t, expected unsafe.Pointer, expLen C.size_t) C.sa_status {
	return errStatus(client().SVPKeyCheck(bg, key(uint64(k)), bufferOf(typ, p, length, off, h), uint64(n), copied(expected, expLen)))
}

// goSaCipherProcessBuffers is cipher process (last) with at least one SVP buffer;
// sa.c moves the offsets by n and *written.
//
//export goSaCipherProcessBuffers
func goSaCipherProcessBuffers(ctx C.sa_crypto_cipher_context, last C.int,
	outType C.int, outP unsafe.Pointer, outLen, outOff C.size_t, outH C.sa_svp_buffer,
	inType C.int, inP unsafe.Pointer, inLen, inOff C.size_t, inH C.sa_svp_buffer,
	n C.size_t, written *C.size_t, tag unsafe.Pointer, tagLen C.size_t) C.sa_status {
	cs := ciphers.get(uint64(ctx))
	if cs == nil {
		return st(secapi.StatusInvalidParameter)
	}
	out := bufferOf(outType, outP, outLen, outOff, outH)
	in := bufferOf(inType, inP, inLen, inOff, inH)
	var w uint64
	var err error
	if last == 0 {
		w, err = cs.x.ProcessBuffer(bg, out, in, uint64(n))
	} else {
		var inTag []byte
		if tag != nil && cs.mode == secapi.Decrypt {
			inTag = copied(tag, tagLen)
		}
		w, _, err = cs.x.ProcessLastBuffer(bg, out, in, uint64(n), int(tagLen), inTag)
	}
	if err != nil {
		return errStatus(err)
	}
	*written = C.size_t(w)
	return st(secapi.StatusOK)
}

// goSaProcessSample decrypts one sa_sample sa.c unpacked; *length is the sample's
// length, by which sa.c moves both offsets.
//
//export goSaProcessSample
func goSaProcessSample(iv unsafe.Pointer, ivLen C.size_t, crypt, skip C.size_t,
	subs *C.sa_subsample_length, nSubs C.size_t, ctx C.sa_crypto_cipher_context,
	outType C.int, outP unsafe.Pointer, outLen, outOff C.size_t, outH C.sa_svp_buffer,
	inType C.int, inP unsafe.Pointer, inLen, inOff C.size_t, inH C.sa_svp_buffer, length *C.size_t) C.sa_status {
	if ivLen > 17 {
		return st(secapi.StatusInvalidParameter)
	}
	s := secapi.Sample{IV: copied(iv, ivLen), CryptByteBlock: uint64(crypt), SkipByteBlock: uint64(skip),
		Subsamples: []secapi.Subsample{},
		Out:        bufferOf(outType, outP, outLen, outOff, outH), In: bufferOf(inType, inP, inLen, inOff, inH)}
	if nSubs > 4096 {
		return st(secapi.StatusInvalidParameter)
	}
	if nSubs > 0 {
		for _, ss := range unsafe.Slice(subs, int(nSubs)) {
			s.Subsamples = append(s.Subsamples, secapi.Subsample{Clear: uint64(ss.bytes_of_clear_data), Protected: uint64(ss.bytes_of_protected_data)})
		}
	}
	if cs := ciphers.get(uint64(ctx)); cs != nil {
		s.Cipher = cs.x
	}
	if err := client().ProcessCommonEncryption(bg, []secapi.Sample{s}); err != nil {
		return errStatus(err)
	}
	*length = C.size_t(s.In.Offset - uint64(inOff))
	return st(secapi.StatusOK)
}
