package crypto

import (
	"crypto/cipher"
	"math"

	smcipher "github.com/emmansun/gmsm/cipher"

	"github.com/gotee/gotee/tee"
)

// AES-CCM (NIST SP 800-38C, RFC 3610) is neither in Go's standard library nor in
// golang.org/x/crypto. It comes from gmsm's generic CCM over any 128-bit block cipher,
// here Go's crypto/aes, and is checked against RFC 3610, SP 800-38C and Wycheproof vectors.
// What this file adds is GP's and OP-TEE's rules around it.

// ccmMaxLen is the largest AAD or payload length OP-TEE accepts at AEInit (INT_MAX:
// LibTomCrypt keeps the lengths in ints).
const ccmMaxLen = math.MaxInt32

// ccmCheckInit applies OP-TEE's CCM checks at TEE_AEInit, in OP-TEE's order: a nonce over
// 13 bytes or a length over INT_MAX panics with BAD_PARAMETERS, a tag that is not 4 to 16
// bytes in steps of 2 returns NOT_SUPPORTED, a nonce under 7 bytes panics with BAD_STATE.
//
// One deliberate difference: when payloadLen does not fit in the 15-len(nonce) length
// bytes CCM leaves (more than 65535 bytes with a 13-byte nonce, 2^24-1 with 12), OP-TEE
// silently drops nonce bytes to make room, so distinct nonces can collide. That is a
// nonce-reuse hazard; here it panics with BAD_PARAMETERS instead.
func ccmCheckInit(fn string, nonceLen, tagBits, aadLen, payloadLen int) error {
	if nonceLen > 13 {
		misuse(fn, "CCM nonce of %d bytes (at most 13)", nonceLen)
	}
	if aadLen > ccmMaxLen || payloadLen > ccmMaxLen {
		misuse(fn, "CCM lengths over %d bytes", ccmMaxLen)
	}
	if tagBits < 32 || tagBits > 128 || tagBits%16 != 0 {
		return tee.ErrNotSupported
	}
	if nonceLen < 7 {
		misuseCode(tee.ErrBadState, fn, "CCM nonce of %d bytes (at least 7)", nonceLen)
	}
	if l := 15 - nonceLen; l < 4 && uint64(payloadLen) >= 1<<(8*l) {
		misuse(fn, "CCM payload of %d bytes does not fit the %d length bytes a %d-byte nonce leaves", payloadLen, l, nonceLen)
	}
	return nil
}

func (a *aeEngine) ccmAEAD() cipher.AEAD {
	g, err := smcipher.NewCCMWithNonceAndTagSize(a.b, len(a.nonce), a.tagLen)
	if err != nil {
		panic("crypto: CCM: " + err.Error()) // AEInit validated nonce and tag sizes
	}
	return g
}

func (a *aeEngine) ccmSeal(dst, tag, pt []byte) {
	out := a.ccmAEAD().Seal(nil, a.nonce, pt, a.aad)
	copy(dst, out[:len(pt)])
	copy(tag, out[len(pt):])
	clear(out)
}

// ccmOpen decrypts ct into dst if tag (already checked to be the AEInit length) is right.
func (a *aeEngine) ccmOpen(dst, ct, tag []byte) bool {
	in := make([]byte, 0, len(ct)+len(tag))
	in = append(append(in, ct...), tag...)
	out, err := a.ccmAEAD().Open(nil, a.nonce, in, a.aad)
	if err != nil {
		return false
	}
	copy(dst, out)
	clear(out)
	return true
}
