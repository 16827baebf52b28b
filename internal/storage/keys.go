package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
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
	names  []byte // HMAC key naming namespaces and objects
	accum  []byte // HMAC key of the commit accumulator's terms
	root   []byte // HMAC key of the root (commit) record
	rpmb   []byte // HMAC key of the emulated RPMB counter

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
		names:  derive(device, "names"),
		accum:  derive(device, "commit accumulator"),
		root:   derive(device, "root record"),
		rpmb:   derive(device, "rpmb counter"),
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

func (k *keyring) mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// namespace names the bucket of one TA's storage namespace.
func (k *keyring) namespace(ta tee.UUID, ns byte) (n nsID) {
	copy(n[:], k.mac(k.names, []byte("namespace"), ta[:], []byte{ns}))
	return n
}

// object names an object inside its namespace. The TA is part of the input too,
// so the same ID in two TAs gives unrelated keys.
func (k *keyring) object(ta tee.UUID, ns byte, id []byte) (o objKey) {
	copy(o[:], k.mac(k.names, []byte("object"), ta[:], []byte{ns, byte(len(id))}, id))
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
	h := k.mac(k.accum, ns[:], metaKey)
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
