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

// table holds one kind of object of a slot. Its entries (and the slot's generation)
// are guarded by the slot's table lock, held only to add, find or remove one, never
// while an object is used. Each entry also has a use lock: a command that changes a
// cipher or MAC context holds it exclusively for the whole command (hold), a key is
// held shared only while its sealed bytes are opened, and remove waits for every
// use in progress, so a context or key is never freed under a command using it.
type table[T any] struct {
	kind int
	mu   *sync.Mutex // the slot's table lock
	gen  *uint32     // guarded by mu
	n    int         // guarded by mu
	ents [MaxObjects]struct {
		gen uint32
		v   *T
		use *sync.RWMutex
	} // guarded by mu
}

func (t *table[T]) add(v *T) (uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.ents {
		if t.ents[i].v == nil {
			*t.gen++
			if *t.gen == 0 {
				*t.gen = 1
			}
			t.ents[i].gen, t.ents[i].v, t.ents[i].use = *t.gen, v, new(sync.RWMutex)
			t.n++
			return makeHandle(*t.gen, t.kind, i), nil
		}
	}
	return ^uint64(0), protocol.StatusNoAvailableResourceSlot
}

func (t *table[T]) get(h uint64) (*T, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, _, err := t.getLocked(h)
	return v, err
}

func (t *table[T]) getLocked(h uint64) (*T, *sync.RWMutex, error) {
	i, kind, gen := int(h&0xffff), int(h>>16&0xffff), uint32(h>>32)
	if kind != t.kind || i >= MaxObjects || t.ents[i].v == nil || t.ents[i].gen != gen {
		return nil, nil, protocol.StatusInvalidParameter
	}
	return t.ents[i].v, t.ents[i].use, nil
}

// hold takes the use lock of h's object, exclusively or shared, and returns the
// function that lets it go. An object removed while hold waited is not found.
func (t *table[T]) hold(h uint64, excl bool) (*T, func(), error) {
	t.mu.Lock()
	v, use, err := t.getLocked(h)
	t.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	unlock := use.RUnlock
	if excl {
		use.Lock()
		unlock = use.Unlock
	} else {
		use.RLock()
	}
	t.mu.Lock()
	again, _, err := t.getLocked(h)
	t.mu.Unlock()
	if err != nil || again != v {
		unlock()
		return nil, nil, protocol.StatusInvalidParameter
	}
	return v, unlock, nil
}

// remove takes h's object out of the table once no command uses it.
func (t *table[T]) remove(h uint64) (*T, error) {
	v, unlock, err := t.hold(h, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, _, err := t.getLocked(h); err != nil { // another remove won
		return nil, err
	}
	i := int(h & 0xffff)
	t.ents[i].v, t.ents[i].use = nil, nil
	t.n--
	return v, nil
}

// each empties the table, calling fn on every object; no command runs (the
// session is closing).
func (t *table[T]) each(fn func(*T)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.ents {
		if v := t.ents[i].v; v != nil {
			fn(v)
			t.ents[i].v, t.ents[i].use = nil, nil
		}
	}
	t.n = 0
}

// slot is one session's objects. Its commands run at the same time (the TA is
// concurrent): the tables lock themselves, each context is held by the command
// using it, and a key never changes once made, except its wipe at release.
type slot struct {
	identity tee.Identity
	caller   tee.UUID
	wrap     cipher.AEAD
	root     *rootKeys

	mu      sync.Mutex // the table lock of every table below
	gen     uint32     // guarded by mu
	keys    table[key]
	ciphers table[cipherCtx]
	macs    table[macCtx]
	svps    table[svpBuffer] // SVP buffers (svp.go)
	svpMem  table[svpMemory] // SVP memory regions
	// svpMu is held by every command that touches SVP memory: the SVP commands,
	// cenc, and cipher process with an SVP buffer (after the cipher context's use
	// lock, never before). SVP windows are plain slices of a region, so commands
	// writing one buffer and freeing its region must not overlap.
	svpMu sync.Mutex
	// svpBytes is the SVP memory of the slot, at most protocol.MaxSVPBytes (guarded
	// by svpMu).
	svpBytes uint64
	// cencIn is cenc's private copy of a sample's input, kept for the next sample
	// (a 1 MB sample would otherwise be 1 MB of garbage a call) and cleared after
	// each (guarded by svpMu).
	cencIn []byte
}

func newSlot(id tee.Identity, wrap cipher.AEAD) *slot {
	s := &slot{identity: id, caller: callerUUID(id), wrap: wrap}
	s.keys = table[key]{kind: kindKey, mu: &s.mu, gen: &s.gen}
	s.ciphers = table[cipherCtx]{kind: kindCipher, mu: &s.mu, gen: &s.gen}
	s.macs = table[macCtx]{kind: kindMAC, mu: &s.mu, gen: &s.gen}
	s.svps = table[svpBuffer]{kind: kindSVPBuffer, mu: &s.mu, gen: &s.gen}
	s.svpMem = table[svpMemory]{kind: kindSVPMemory, mu: &s.mu, gen: &s.gen}
	return s
}

func (s *slot) releaseAll() {
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
	k, unlock, err := s.keys.hold(h, false) // a release waits until the bytes are open
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
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
