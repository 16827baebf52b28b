package crypto

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/subtle"
	"hash"
	"slices"

	"github.com/gotee/gotee/tee"
)

// macEngine computes HMAC with crypto/hmac, and the block-cipher MACs (CBC-MAC without
// padding or with PKCS#5 padding, CMAC) by chaining Go's CBC encrypter with a zero IV.
// Neither Go's standard library nor golang.org/x/crypto has CBC-MAC or CMAC; both are
// thin layers over CBC (CMAC adds the RFC 4493 subkey step) and are checked against
// NIST SP 800-38B / RFC 4493 and Wycheproof vectors.
type macEngine struct {
	h hash.Hash // HMAC

	chain  chaining
	b      cipher.Block
	x      []byte // CBC chaining value
	buf    []byte // input not yet chained
	k1, k2 []byte // CMAC subkeys
}

func newMACEngine(op *Operation) *macEngine {
	s := op.spec
	if s.newHash != nil {
		return &macEngine{h: hmac.New(s.newHash, op.key1)}
	}
	b, err := s.newBlock(op.key1)
	if err != nil {
		misuse("TEE_MACInit", "key: %v", err) // unreachable: SetKey checked the size
	}
	m := &macEngine{chain: s.chain, b: b, x: make([]byte, s.blockSize)}
	if s.chain == chainCMAC {
		l := make([]byte, s.blockSize)
		b.Encrypt(l, l)
		m.k1 = cmacDouble(l)
		m.k2 = cmacDouble(m.k1)
	}
	return m
}

// cmacDouble multiplies by x in GF(2^128) (RFC 4493 §2.3) or GF(2^64) for 8-byte blocks.
func cmacDouble(in []byte) []byte {
	out := make([]byte, len(in))
	var carry byte
	for i := len(in) - 1; i >= 0; i-- {
		out[i] = in[i]<<1 | carry
		carry = in[i] >> 7
	}
	rb := byte(0x87)
	if len(in) == 8 {
		rb = 0x1b
	}
	out[len(out)-1] ^= rb & -carry
	return out
}

func (m *macEngine) clone() engine {
	if m.h != nil {
		return &macEngine{h: cloneHash(m.h)}
	}
	c := *m
	c.x = slices.Clone(m.x)
	c.buf = slices.Clone(m.buf)
	c.k1, c.k2 = slices.Clone(m.k1), slices.Clone(m.k2) // wipe clears them
	return &c
}

func (m *macEngine) wipe() {
	if m.h != nil {
		m.h.Reset()
	}
	clear(m.x)
	clear(m.buf)
	clear(m.k1)
	clear(m.k2)
}

// cbc chains whole blocks into m.x.
func (m *macEngine) cbc(blocks []byte) {
	if len(blocks) == 0 {
		return
	}
	out := make([]byte, len(blocks))
	cipher.NewCBCEncrypter(m.b, m.x).CryptBlocks(out, blocks)
	copy(m.x, out[len(out)-len(m.x):])
	clear(out)
}

func (m *macEngine) write(p []byte) {
	if m.h != nil {
		m.h.Write(p)
		return
	}
	data := append(m.buf, p...)
	bs := len(m.x)
	k := len(data) - len(data)%bs
	if m.chain == chainCMAC && k == len(data) && k > 0 {
		k -= bs // CMAC treats the last block specially: keep it
	}
	m.cbc(data[:k])
	m.buf = append(m.buf[:0], data[k:]...)
}

// sum finishes the MAC into out, which is at least the MAC length.
func (m *macEngine) sum(fn string, out []byte) {
	if m.h != nil {
		m.h.Sum(out[:0])
		return
	}
	bs := len(m.x)
	switch m.chain {
	case chainCBCMACNoPad:
		if len(m.buf) != 0 {
			misuse(fn, "CBC-MAC without padding: message is not a multiple of %d bytes", bs)
		}
	case chainCBCMACPKCS5:
		pad := bs - len(m.buf)
		for range pad {
			m.buf = append(m.buf, byte(pad))
		}
		m.cbc(m.buf)
	case chainCMAC:
		last := make([]byte, bs)
		copy(last, m.buf)
		k := m.k1
		if len(m.buf) < bs {
			last[len(m.buf)] = 0x80
			k = m.k2
		}
		subtle.XORBytes(last, last, k)
		m.cbc(last)
	}
	copy(out, m.x)
}

// MACInit starts a MAC computation (TEE_MACInit, §6.4.1). The IV is ignored: OP-TEE
// ignores it too, and every MAC here is defined with a zero IV. A key must be set; an
// active computation is discarded.
func (op *Operation) MACInit(iv []byte) {
	const fn = "TEE_MACInit"
	op.requireClass(fn, tee.ClassMAC)
	if op.handle&tee.FlagKeySet == 0 {
		misuse(fn, "no key set")
	}
	op.reset()
	op.eng = newMACEngine(op)
	op.state = tee.StateActive
	op.handle |= tee.FlagInitialized
}

func (op *Operation) macActive(fn string) *macEngine {
	op.requireClass(fn, tee.ClassMAC)
	if op.handle&tee.FlagInitialized == 0 || op.state != tee.StateActive {
		misuse(fn, "MAC operation not initialized (call MACInit)")
	}
	return op.eng.(*macEngine)
}

// MACUpdate feeds chunk to the MAC (TEE_MACUpdate, §6.4.2).
func (op *Operation) MACUpdate(chunk []byte) {
	op.macActive("TEE_MACUpdate").write(chunk)
}

// MACComputeFinal feeds msg, writes the MAC to dst and returns its length
// (TEE_MACComputeFinal, §6.4.3); the operation returns to the initial state. A dst shorter
// than the MAC gets the MAC length and tee.ErrShortBuffer, and nothing is consumed.
// CBC-MAC without padding panics if the message is not a whole number of blocks.
func (op *Operation) MACComputeFinal(dst, msg []byte) (int, error) {
	const fn = "TEE_MACComputeFinal"
	m := op.macActive(fn)
	n := op.digestLen
	if len(dst) < n {
		return n, tee.ErrShortBuffer
	}
	m.write(msg)
	m.sum(fn, dst[:n])
	op.reset()
	return n, nil
}

// MACCompareFinal feeds msg and compares the MAC with mac in constant time
// (TEE_MACCompareFinal, §6.4.4): nil, or tee.ErrMACInvalid if they differ in value or
// length. Either way the operation returns to the initial state.
func (op *Operation) MACCompareFinal(msg, mac []byte) error {
	const fn = "TEE_MACCompareFinal"
	m := op.macActive(fn)
	sum := make([]byte, op.digestLen)
	m.write(msg)
	m.sum(fn, sum)
	op.reset()
	ok := len(mac) == len(sum) && subtle.ConstantTimeCompare(mac, sum) == 1
	clear(sum)
	if !ok {
		return tee.ErrMACInvalid
	}
	return nil
}
