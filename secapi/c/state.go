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
}

// tables holds the library's contexts, keyed by the handles handed out for them.
// It is safe for concurrent use; one context used by two threads at once is the
// caller's race, as with the reference library.
type tables struct {
	mu      sync.Mutex
	last    uint64                  // the last handle handed out (guarded by mu)
	ciphers map[uint64]*cipherState // guarded by mu
	macs    map[uint64]*macState    // guarded by mu
}

// macState is the state behind one sa_crypto_mac_context.
type macState struct {
	m      *secapi.MAC
	alg    secapi.MACAlgorithm
	digest secapi.Digest
}

var lib = &tables{ciphers: map[uint64]*cipherState{}, macs: map[uint64]*macState{}}

// invalidHandle is INVALID_HANDLE of sa_types.h.
const invalidHandle = ^uint64(0)

// next hands out a handle never handed out before in this process.
func (t *tables) next() uint64 {
	t.last++
	if t.last == invalidHandle {
		panic("libsaclient: handles exhausted")
	}
	return t.last
}

func (t *tables) addCipher(c *cipherState) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.next()
	t.ciphers[h] = c
	return h
}

func (t *tables) cipher(h uint64) *cipherState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ciphers[h]
}

func (t *tables) takeCipher(h uint64) *cipherState {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.ciphers[h]
	delete(t.ciphers, h)
	return c
}

func (t *tables) addMAC(m *macState) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.next()
	t.macs[h] = m
	return h
}

func (t *tables) mac(h uint64) *macState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.macs[h]
}

func (t *tables) takeMAC(h uint64) *macState {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.macs[h]
	delete(t.macs, h)
	return m
}

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
