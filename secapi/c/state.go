package main

import (
	"context"
	"errors"
	"sync"

	"github.com/gotee/gotee/secapi"
)

// cipherState is the state behind one sa_crypto_cipher_context.
type cipherState struct {
	x    *secapi.Cipher
	alg  secapi.CipherAlgorithm
	mode secapi.CipherMode
	// outSize, for RSA and EC ElGamal, is the key size: the output any process needs.
	outSize int
}

// macState is the state behind one sa_crypto_mac_context.
type macState struct {
	m      *secapi.MAC
	alg    secapi.MACAlgorithm
	digest secapi.Digest
}

// invalidHandle is INVALID_HANDLE of sa_types.h.
const invalidHandle = ^uint64(0)

// handles hands out handles never handed out before in this process, shared by all
// the library's tables, so a stale handle of one kind never names a context of
// another. It is safe for concurrent use.
type handles struct {
	mu   sync.Mutex
	last uint64 // guarded by mu
}

func (h *handles) next() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last++
	if h.last == invalidHandle {
		panic("libsaclient: handles exhausted")
	}
	return h.last
}

// table holds the library's contexts of one kind, keyed by their handles. It is
// safe for concurrent use; one context used by two threads at once is the caller's
// race, as with the reference library.
type table[T any] struct {
	ids *handles
	mu  sync.Mutex
	m   map[uint64]*T // guarded by mu
}

func newTable[T any](ids *handles) *table[T] { return &table[T]{ids: ids, m: map[uint64]*T{}} }

func (t *table[T]) add(v *T) uint64 {
	h := t.ids.next()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[h] = v
	return h
}

func (t *table[T]) get(h uint64) *T {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[h]
}

// take forgets h and returns its context, nil if it has none.
func (t *table[T]) take(h uint64) *T {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := t.m[h]
	delete(t.m, h)
	return v
}

var (
	ids     handles
	ciphers = newTable[cipherState](&ids)
	macs    = newTable[macState](&ids)
)

// client is the process's SecAPI client: one session, opened on first use.
func client() *secapi.Client { return secapi.Default() }

func key(h uint64) *secapi.Key { return secapi.ForeignKey(client(), h) }

var bg = context.Background()

// statusOf maps an error of package secapi to an sa_status: a SecAPI status as
// it is, anything else (teed unreachable, the session lost) SA_STATUS_INTERNAL_ERROR,
// as the reference library reports a TEE Client API failure.
func statusOf(err error) secapi.Status {
	if err == nil {
		return secapi.StatusOK
	}
	var s secapi.Status
	if errors.As(err, &s) {
		return s
	}
	return secapi.StatusInternalError
}

// lastLength is the output size sa_crypto_cipher_process_last needs for n input
// bytes: PKCS#7 encryption adds one to sixteen bytes of padding.
func lastLength(c *cipherState, n int) int {
	if c.outSize > 0 {
		return c.outSize
	}
	if c.mode == secapi.Encrypt && (c.alg == secapi.AESECBPKCS7 || c.alg == secapi.AESCBCPKCS7) {
		return (n/16 + 1) * 16
	}
	return n
}

// macLength is the size of the MAC a context computes.
func macLength(alg secapi.MACAlgorithm, d secapi.Digest) int {
	if alg == secapi.CMAC {
		return 16
	}
	switch d {
	case secapi.SHA1:
		return 20
	case secapi.SHA384:
		return 48
	case secapi.SHA512:
		return 64
	}
	return 32
}

// digestLength is the size of a digest, 0 for an unknown algorithm.
func digestLength(d secapi.Digest) int {
	switch d {
	case secapi.SHA1:
		return 20
	case secapi.SHA256:
		return 32
	case secapi.SHA384:
		return 48
	case secapi.SHA512:
		return 64
	}
	return 0
}
