package tacore

import (
	"crypto/cipher"
	"crypto/subtle"
	"sync"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Handle kinds, in bits 16..23 of a handle, so a cipher handle is never taken for a
// key.
const (
	kindKey    = 1
	kindCipher = 2
	kindMAC    = 3
	// SVP kinds are numbered apart from the others so that kinds added elsewhere
	// never collide with them.
	kindSVPBuffer = 16
	kindSVPMemory = 17
)

// A handle is generation<<32 | kind<<16 | index. Every object a slot creates takes the
// next generation of the slot, so a released handle never names a newer object.
func makeHandle(gen uint32, kind, index int) uint64 {
	return uint64(gen)<<32 | uint64(kind)<<16 | uint64(index)
}

// table holds one kind of object of a slot.
type table[T any] struct {
	kind int
	gen  *uint32
	n    int
	ents [MaxObjects]struct {
		gen uint32
		v   *T
	}
}

func (t *table[T]) add(v *T) (uint64, error) {
	for i := range t.ents {
		if t.ents[i].v == nil {
			*t.gen++
			if *t.gen == 0 {
				*t.gen = 1
			}
			t.ents[i].gen, t.ents[i].v = *t.gen, v
			t.n++
			return makeHandle(*t.gen, t.kind, i), nil
		}
	}
	return ^uint64(0), protocol.StatusNoAvailableResourceSlot
}

func (t *table[T]) get(h uint64) (*T, error) {
	i, kind, gen := int(h&0xffff), int(h>>16&0xffff), uint32(h>>32)
	if kind != t.kind || i >= MaxObjects || t.ents[i].v == nil || t.ents[i].gen != gen {
		return nil, protocol.StatusInvalidParameter
	}
	return t.ents[i].v, nil
}

func (t *table[T]) remove(h uint64) (*T, error) {
	v, err := t.get(h)
	if err != nil {
		return nil, err
	}
	i := int(h & 0xffff)
	t.ents[i].v = nil
	t.n--
	return v, nil
}

func (t *table[T]) each(fn func(*T)) {
	for i := range t.ents {
		if v := t.ents[i].v; v != nil {
			fn(v)
			t.ents[i].v = nil
		}
	}
	t.n = 0
}

// slot is one session's objects. Its lock serializes the session's commands.
type slot struct {
	identity tee.Identity
	caller   tee.UUID
	wrap     cipher.AEAD
	root     *rootKeys

	mu      sync.Mutex
	gen     uint32 // guarded by mu
	keys    table[key]
	ciphers table[cipherCtx]
	macs    table[macCtx]
	svps    table[svpBuffer] // SVP buffers (svp.go)
	svpMem  table[svpMemory] // SVP memory regions
	// svpBytes is the SVP memory of the slot, at most protocol.MaxSVPBytes (guarded
	// by mu).
	svpBytes uint64
}

func newSlot(id tee.Identity, wrap cipher.AEAD) *slot {
	s := &slot{identity: id, caller: callerUUID(id), wrap: wrap}
	s.keys = table[key]{kind: kindKey, gen: &s.gen}
	s.ciphers = table[cipherCtx]{kind: kindCipher, gen: &s.gen}
	s.macs = table[macCtx]{kind: kindMAC, gen: &s.gen}
	s.svps = table[svpBuffer]{kind: kindSVPBuffer, gen: &s.gen}
	s.svpMem = table[svpMemory]{kind: kindSVPMemory, gen: &s.gen}
	return s
}

func (s *slot) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ciphers.each(func(c *cipherCtx) { c.free() })
	s.macs.each(func(m *macCtx) { m.free() })
	s.keys.each(func(k *key) { k.wipe() })
	s.svps.each(func(*svpBuffer) {})
	s.svpMem.each(s.freeSVPMemory)
}

// videoState is the output protection state rights are checked against. gotee has no
// video outputs: SVP is engaged and no output is active, so every key passes, but the
// check runs as the reference runs it.
type videoState struct {
	svpEnabled                                       bool
	analogUnprotected, analogCGMSA                   int
	digitalUnprotected, digitalHDCP14, digitalHDCP22 int
}

func pollVideo() videoState { return videoState{svpEnabled: true} }

func allowedVideo(r *protocol.Rights, v videoState) bool {
	switch {
	case !r.Has(protocol.UsageSVPOptional) && !v.svpEnabled,
		!r.Has(protocol.UsageAnalogUnprotected) && v.analogUnprotected > 0,
		!r.Has(protocol.UsageAnalogCGMSA) && v.analogCGMSA > 0,
		!r.Has(protocol.UsageDigitalUnprotected) && v.digitalUnprotected > 0,
		!r.Has(protocol.UsageDigitalHDCP14) && v.digitalHDCP14 > 0,
		!r.Has(protocol.UsageDigitalHDCP22) && v.digitalHDCP22 > 0:
		return false
	}
	return true
}

func allowedUUID(r *protocol.Rights, caller tee.UUID) bool {
	ok := false
	for i := range r.AllowedTAs {
		u := &r.AllowedTAs[i]
		if subtle.ConstantTimeCompare(u[:], protocol.NoMatch[:]) == 1 {
			continue
		}
		if subtle.ConstantTimeCompare(u[:], protocol.AllMatch[:]) == 1 ||
			subtle.ConstantTimeCompare(u[:], caller[:]) == 1 {
			ok = true
		}
	}
	return ok
}

func allowedTime(r *protocol.Rights, now uint64) bool {
	return now >= r.NotBefore && now < r.NotOnOrAfter
}

// use checks the rights every use of a key passes, in the order: allowed TA,
// validity window, output protection; then the usage flag of the operation (usage < 0:
// none). It returns the key's plain bytes, which the caller must clear.
func (s *slot) use(h uint64, now uint64, usage int) (*key, []byte, error) {
	k, err := s.keys.get(h)
	if err != nil {
		return nil, nil, err
	}
	r := &k.hdr.Rights
	if !allowedUUID(r, s.caller) || !allowedTime(r, now) || !allowedVideo(r, pollVideo()) {
		return nil, nil, protocol.StatusOperationNotAllowed
	}
	if usage >= 0 && !r.Has(usage) {
		return nil, nil, protocol.StatusOperationNotAllowed
	}
	plain, err := k.unwrap(s.wrap)
	if err != nil {
		return nil, nil, err
	}
	return k, plain, nil
}
