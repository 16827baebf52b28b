// Package cenctest encrypts ISO/IEC 23001-7 samples with Go's crypto/aes and
// crypto/cipher, written from the standard's rules and independently of the SecAPI
// TA's decryption, so tests can check the TA against it.
package cenctest

import (
	"crypto/aes"
	"encoding/binary"
)

// Subsample is one subsample: Clear bytes, then Protected bytes.
type Subsample struct{ Clear, Protected int }

// Encrypt returns the sample plain encrypted under key with the 16-byte iv: AES-CTR
// (cenc/cens) when ctr, else AES-CBC (cbc1/cbcs); crypt and skip are the pattern in
// 16-byte blocks (crypt 0: no pattern). The rules:
//   - CTR: one keystream for the sample, over its encrypted bytes in order; block i
//     of it is AES(iv with its low 64 bits + i, mod 2^64).
//   - cenc encrypts all protected bytes; cbc1 the whole blocks of each subsample's
//     protected bytes, chaining across subsamples.
//   - With a pattern, each subsample's protected bytes are stripes of crypt
//     encrypted then skip clear blocks, restarting at the subsample; bytes after the
//     last whole block are clear. cbcs restarts the chain from iv at each subsample.
func Encrypt(key, iv []byte, ctr bool, crypt, skip int, subs []Subsample, plain []byte) []byte {
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	out := append([]byte(nil), plain...)
	var ksPos uint64 // bytes of CTR keystream used
	ctrXOR := func(b []byte) {
		for i := range b {
			var c [16]byte
			copy(c[:], iv)
			lo := binary.BigEndian.Uint64(iv[8:]) + ksPos/16
			binary.BigEndian.PutUint64(c[8:], lo)
			var ks [16]byte
			blk.Encrypt(ks[:], c[:])
			b[i] ^= ks[ksPos%16]
			ksPos++
		}
	}
	chain := append([]byte(nil), iv...)
	cbcEnc := func(b []byte) {
		for i := 0; i+16 <= len(b); i += 16 {
			for j := range 16 {
				b[i+j] ^= chain[j]
			}
			blk.Encrypt(b[i:i+16], b[i:i+16])
			copy(chain, b[i:i+16])
		}
	}
	enc := func(b []byte) {
		if ctr {
			ctrXOR(b)
		} else {
			cbcEnc(b)
		}
	}
	pos := 0
	for _, s := range subs {
		pos += s.Clear
		p := out[pos : pos+s.Protected]
		pos += s.Protected
		if crypt == 0 {
			if ctr {
				enc(p)
			} else {
				enc(p[:len(p)/16*16])
			}
			continue
		}
		if !ctr {
			copy(chain, iv)
		}
		for len(p) >= 16 {
			n := min(crypt*16, len(p)/16*16)
			enc(p[:n])
			p = p[n:]
			n = min(skip*16, len(p)/16*16)
			p = p[n:]
		}
	}
	return out
}

// Subs builds subsamples from (clear, protected) pairs.
func Subs(pairs ...int) []Subsample {
	s := make([]Subsample, len(pairs)/2)
	for i := range s {
		s[i] = Subsample{Clear: pairs[2*i], Protected: pairs[2*i+1]}
	}
	return s
}
