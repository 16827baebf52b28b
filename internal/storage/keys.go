package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math/bits"
	"sync"

	"github.com/gotee/gotee/tee"
)

// hkdfSalt separates this package's derivations from every other use of the
// device key (tatime, the device ID).
var hkdfSalt = []byte("gotee trusted storage v1")

// keyring holds the store-wide keys derived from the device key and caches the
// per-TA ones. It is safe for concurrent use.
type keyring struct {
	device []byte
	names  *macKey // naming namespaces and objects
	accum  *macKey // the commit accumulator's terms
	root   *macKey // the root (commit) record
	rpmb   *macKey // the emulated RPMB counter

	mu    sync.Mutex             // guards aeads
	aeads map[aeadID]cipher.AEAD // per (TA, epoch)
}

type aeadID struct {
	ta    tee.UUID
	epoch uint64
}

// maxCachedAEADs bounds the cache; epochs are one per run of teed, so it only
// fills on a store many runs have written to, and refilling costs an HKDF.
const maxCachedAEADs = 4096

func derive(secret []byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, secret, hkdfSalt, info, 32)
	if err != nil {
		panic(err) // only for a key length HKDF cannot produce
	}
	return k
}

func newKeyring(device []byte) *keyring {
	return &keyring{
		device: append([]byte{}, device...),
		names:  newMACKey(derive(device, "names")),
		accum:  newMACKey(derive(device, "commit accumulator")),
		root:   newMACKey(derive(device, "root record")),
		rpmb:   newMACKey(derive(device, "rpmb counter")),
		aeads:  make(map[aeadID]cipher.AEAD),
	}
}

// taKey is the TA's storage key: HKDF-SHA256 of the device key with the TA's
// UUID as context.
func (k *keyring) taKey(ta tee.UUID) []byte {
	return derive(k.device, "ta object key "+ta.String())
}

// aead returns the AES-256-GCM instance of one TA for one epoch. The epoch key
// is derived from the TA key, so every TA still has keys of its own, but
// AES-GCM's nonces (a counter, see Store.nonce) need to be unique only within
// one run of teed: no nonce state has to survive a crash or a rollback.
func (k *keyring) aead(ta tee.UUID, epoch uint64) cipher.AEAD {
	id := aeadID{ta, epoch}
	k.mu.Lock()
	defer k.mu.Unlock()
	if a, ok := k.aeads[id]; ok {
		return a
	}
	var e [8]byte
	binary.BigEndian.PutUint64(e[:], epoch)
	key := derive(k.taKey(ta), "epoch "+string(e[:]))
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	if len(k.aeads) >= maxCachedAEADs {
		clear(k.aeads)
	}
	k.aeads[id] = a
	return a
}

// macKey is an HMAC-SHA256 key with its keyed states computed once: every
// record, name and commit of the engine takes one or more MACs, and keying an
// HMAC afresh (two SHA-256 blocks and a handful of allocations) would cost more
// than the MAC itself. Instances are pooled, each already keyed; Reset brings
// one back to its keyed state (FIPS 198-1 §6 allows the precomputation). It is
// safe for concurrent use.
type macKey struct{ pool sync.Pool }

func newMACKey(key []byte) *macKey {
	m := &macKey{}
	m.pool.New = func() any {
		h := hmac.New(sha256.New, key)
		h.Reset() // saves the keyed states, so later Resets only restore them
		return h
	}
	return m
}

// sum returns the MAC of the concatenation of parts.
func (m *macKey) sum(parts ...[]byte) (out [sha256.Size]byte) {
	h := m.pool.Get().(hash.Hash)
	for _, p := range parts {
		h.Write(p)
	}
	h.Sum(out[:0])
	h.Reset()
	m.pool.Put(h)
	return out
}

func (k *keyring) mac(key *macKey, parts ...[]byte) []byte {
	s := key.sum(parts...)
	return s[:]
}

// namespace names the bucket of one TA's storage namespace.
func (k *keyring) namespace(ta tee.UUID, ns byte) (n nsID) {
	s := k.names.sum([]byte("namespace"), ta[:], []byte{ns})
	copy(n[:], s[:])
	return n
}

// object names an object inside its namespace. The TA is part of the input too,
// so the same ID in two TAs gives unrelated keys.
func (k *keyring) object(ta tee.UUID, ns byte, id []byte) (o objKey) {
	s := k.names.sum([]byte("object"), ta[:], []byte{ns, byte(len(id))}, id)
	copy(o[:], s[:])
	return o
}

// accum is a sum modulo 2^256 of one keyed term per meta record in the store:
// an incremental multiset hash (MSet-Add-Hash, Clarke et al.). A commit updates
// it by the terms of the meta records it removes and adds; Open recomputes it
// from the keys on disk. Without the key nobody can find another set of meta
// records with the same sum, so a record removed, added or replayed from an
// older copy is detected.
type accum [4]uint64

func (k *keyring) term(ns nsID, metaKey []byte) accum {
	h := k.accum.sum(ns[:], metaKey)
	var a accum
	for i := range a {
		a[i] = binary.LittleEndian.Uint64(h[8*i:])
	}
	return a
}

func (a *accum) add(t accum) {
	var c uint64
	for i := range a {
		a[i], c = bits.Add64(a[i], t[i], c)
	}
}

func (a *accum) sub(t accum) {
	var b uint64
	for i := range a {
		a[i], b = bits.Sub64(a[i], t[i], b)
	}
}

func (a accum) bytes() []byte {
	b := make([]byte, 0, 32)
	for _, w := range a {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

func accumFrom(b []byte) (a accum) {
	for i := range a {
		a[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return a
}

// rootRecord is the store's commit record, rewritten by every commit in the
// same bbolt transaction: the store's identity, the commit generation, and the
// accumulator over all meta records, authenticated with a key derived from the
// device key. Its MAC is the "commit MAC" the rollback counter records.
type rootRecord struct {
	storeID [16]byte
	gen     uint64
	acc     accum
	mac     [32]byte
}

const rootRecordSize = 4 + 1 + 16 + 8 + 32 + 32

var rootMagic = []byte("GTSR")

func (k *keyring) encodeRoot(r *rootRecord) []byte {
	b := make([]byte, 0, rootRecordSize)
	b = append(b, rootMagic...)
	b = append(b, 1)
	b = append(b, r.storeID[:]...)
	b = binary.BigEndian.AppendUint64(b, r.gen)
	b = append(b, r.acc.bytes()...)
	copy(r.mac[:], k.mac(k.root, b))
	return append(b, r.mac[:]...)
}

func (k *keyring) decodeRoot(b []byte) (*rootRecord, error) {
	if len(b) != rootRecordSize || string(b[:4]) != string(rootMagic) || b[4] != 1 {
		return nil, errFormat
	}
	body := b[:rootRecordSize-32]
	if !hmac.Equal(b[len(body):], k.mac(k.root, body)) {
		return nil, errFormat
	}
	r := &rootRecord{}
	copy(r.storeID[:], b[5:])
	r.gen = binary.BigEndian.Uint64(b[21:])
	r.acc = accumFrom(b[29:])
	copy(r.mac[:], b[len(body):])
	return r, nil
}
