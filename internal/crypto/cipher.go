package crypto

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"slices"

	"golang.org/x/crypto/xts"

	"github.com/gotee/gotee/tee"
)

// maxBlockSize is the largest block of the block ciphers here (AES, SM4; DES has 8).
const maxBlockSize = 16

// cipherEngine runs the symmetric cipher class over Go's block ciphers (AES, DES and 3DES
// from the standard library, SM4 from gmsm) and modes:
// crypto/cipher's CBC and CTR, golang.org/x/crypto/xts, block-by-block ECB (which Go
// deliberately does not offer as a mode), and CTS (CBC-CS3, as RFC 3962 and OP-TEE), which
// is CBC for all but the last two blocks plus the ciphertext-stealing swap.
type cipherEngine struct {
	chain chaining
	enc   bool
	bs    int
	whole bool // CTR: updates output whole blocks only (SM4-CTR, as OP-TEE)
	b     cipher.Block
	x     *xts.Cipher
	iv    []byte           // CBC, CTS: chaining value; CTR: initial counter block
	cbc   cipher.BlockMode // CBC, CTS: see cbcAt
	ctr   cipher.Stream
	pos   uint64 // CTR: keystream bytes used
	buf   []byte // input held back (block remainder; CTS: up to two blocks; XTS: all)
}

func newCipherEngine(fn string, op *Operation, iv []byte) *cipherEngine {
	s := op.spec
	c := &cipherEngine{chain: s.chain, enc: op.mode == tee.ModeEncrypt, bs: s.blockSize, whole: s.ctrBlocks}
	if c.chain == chainECB {
		if len(iv) != 0 {
			misuse(fn, "%v takes no IV", op.alg)
		}
	} else if len(iv) != c.bs {
		misuse(fn, "%v needs a %d-byte IV, got %d", op.alg, c.bs, len(iv))
	}
	var err error
	if c.chain == chainXTS {
		if !isZero(iv[8:]) {
			// x/crypto/xts takes the tweak as a 64-bit data unit number.
			misuseCode(tee.ErrNotSupported, fn, "XTS tweaks above 64 bits are not supported")
		}
		c.x, err = xts.NewCipher(s.newBlock, append(slices.Clone(op.key1), op.key2...))
	} else {
		c.b, err = s.newBlock(op.key1)
	}
	if err != nil {
		misuse(fn, "key: %v", err) // unreachable: SetKey checked the size
	}
	c.iv = slices.Clone(iv)
	if c.chain == chainCTR {
		c.ctr = cipher.NewCTR(c.b, c.iv)
	}
	return c
}

func isZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}

func (c *cipherEngine) clone() engine {
	d := *c
	d.iv = slices.Clone(c.iv)
	d.buf = slices.Clone(c.buf)
	d.cbc = nil // its own, made at first use
	if c.chain == chainCTR {
		d.ctr = ctrAt(c.b, c.iv, c.pos)
	}
	return &d
}

func (c *cipherEngine) wipe() {
	clear(c.iv)
	clear(c.buf)
	c.ctr = nil
	c.cbc = nil
}

// ivSetter is a CBC mode that can be moved to another IV; crypto/cipher's are.
type ivSetter interface{ SetIV([]byte) }

// cbcAt returns the engine's CBC mode at the chaining value c.iv. Making a mode copies
// the block cipher's whole key schedule (AES: about 500 bytes), which an update of a
// few blocks, as a cenc pattern stripe is, would pay every time; so the engine keeps
// one and only moves its IV. c.iv stays the chaining value of record, so a clone
// (TEE_CopyOperation) needs no access to the mode's state and makes its own.
func (c *cipherEngine) cbcAt() cipher.BlockMode {
	if m, ok := c.cbc.(ivSetter); ok {
		m.SetIV(c.iv)
		return c.cbc
	}
	if c.enc {
		c.cbc = cipher.NewCBCEncrypter(c.b, c.iv)
	} else {
		c.cbc = cipher.NewCBCDecrypter(c.b, c.iv)
	}
	return c.cbc
}

// ctrAt returns a CTR stream positioned pos bytes into the keystream that starts at the
// counter block iv (the whole block is a big-endian counter, as in OP-TEE and Go).
func ctrAt(b cipher.Block, iv []byte, pos uint64) cipher.Stream {
	ctr := slices.Clone(iv)
	carry := pos / 16
	for i := len(ctr) - 1; i >= 0 && carry != 0; i-- {
		sum := uint64(ctr[i]) + carry&0xff
		ctr[i] = byte(sum)
		carry = carry>>8 + sum>>8
	}
	s := cipher.NewCTR(b, ctr)
	var skip [16]byte
	s.XORKeyStream(skip[:pos%16], skip[:pos%16])
	return s
}

// updateLen is how many bytes an update of n more input bytes outputs now. It is the
// same arithmetic as OP-TEE's TEE_CipherUpdate, so TAs see the same sizes.
func (c *cipherEngine) updateLen(n int) int {
	total := len(c.buf) + n
	switch c.chain {
	case chainCTR:
		if !c.whole {
			return n
		}
	case chainCTS:
		if total <= 2*c.bs {
			return 0
		}
		return (total - 2*c.bs + c.bs - 1) / c.bs * c.bs
	case chainXTS:
		return 0 // x/crypto/xts encrypts a data unit in one call
	}
	return total - total%c.bs
}

// input returns the held-back bytes followed by src. Without held-back bytes it is src
// itself, so callers must save any tail of it before writing dst (which may alias src).
func (c *cipherEngine) input(src []byte) []byte {
	if len(c.buf) == 0 {
		return src
	}
	return append(slices.Clone(c.buf), src...)
}

// blocks processes whole blocks (CTR: any length) of data into dst.
func (c *cipherEngine) blocks(dst, data []byte) {
	if len(data) == 0 {
		return
	}
	switch c.chain {
	case chainECB:
		for i := 0; i < len(data); i += c.bs {
			if c.enc {
				c.b.Encrypt(dst[i:i+c.bs], data[i:i+c.bs])
			} else {
				c.b.Decrypt(dst[i:i+c.bs], data[i:i+c.bs])
			}
		}
	case chainCBC, chainCTS:
		if c.enc {
			c.cbcAt().CryptBlocks(dst[:len(data)], data)
			copy(c.iv, dst[len(data)-c.bs:len(data)])
		} else {
			var next [maxBlockSize]byte // the chaining value, before dst may overwrite data
			copy(next[:c.bs], data[len(data)-c.bs:])
			c.cbcAt().CryptBlocks(dst[:len(data)], data)
			copy(c.iv, next[:c.bs])
		}
	case chainCTR:
		c.ctr.XORKeyStream(dst[:len(data)], data)
		c.pos += uint64(len(data))
	}
}

func (c *cipherEngine) update(dst, src []byte) int {
	data := c.input(src)
	k := c.updateLen(len(src))
	tail := slices.Clone(data[k:])
	c.blocks(dst, data[:k])
	clear(c.buf)
	c.buf = tail
	return k
}

// final processes everything left; the caller checked dst's size and the NOPAD rule.
func (c *cipherEngine) final(fn string, dst, src []byte) int {
	data := c.input(src)
	c.buf = nil
	n := len(data)
	switch c.chain {
	case chainCTS:
		if n < c.bs {
			misuse(fn, "CTS needs at least one block, got %d bytes", n)
		}
		if n == c.bs {
			c.blocks(dst, data)
			return n
		}
		tail := n - ((n-1)/c.bs-1)*c.bs // in (bs, 2bs]
		c.blocks(dst, data[:n-tail])
		c.stealTail(dst[n-tail:n], slices.Clone(data[n-tail:]))
	case chainXTS:
		if n == 0 || n%c.bs != 0 {
			misuse(fn, "XTS data must be a non-empty multiple of %d bytes (no ciphertext stealing)", c.bs)
		}
		sector := binary.LittleEndian.Uint64(c.iv[:8])
		if c.enc {
			c.x.Encrypt(dst[:n], data, sector)
		} else {
			c.x.Decrypt(dst[:n], data, sector)
		}
	default:
		c.blocks(dst, data)
	}
	return n
}

// stealTail does CBC-CS3 on the last bs < len(t) <= 2bs bytes: the last two blocks are
// swapped and the final one is truncated (RFC 3962 §5, NIST SP 800-38A Addendum CS3).
func (c *cipherEngine) stealTail(dst, t []byte) {
	bs := c.bs
	d := len(t) - bs // bytes in the final, partial block
	if c.enc {
		e := make([]byte, bs) // encryption of the next-to-last block
		c.blocks(e, t[:bs])
		last := make([]byte, bs)
		copy(last, t[bs:])
		c.blocks(last, last) // CBC with e as chaining value: E(e xor Pn||0)
		copy(dst[:bs], last)
		copy(dst[bs:], e[:d])
		return
	}
	dn := make([]byte, bs) // D(Cn') = e xor (Pn||0)
	c.b.Decrypt(dn, t[:bs])
	e := make([]byte, bs)
	copy(e, t[bs:])
	copy(e[d:], dn[d:])
	pn := make([]byte, d)
	subtle.XORBytes(pn, dn[:d], e[:d])
	c.blocks(dst[:bs], e) // CBC-decrypt e with the running chaining value
	copy(dst[bs:], pn)
}

// CipherInit starts a cipher operation with iv (TEE_CipherInit, §6.5.1); an active
// operation is reset first. A key must be set. ECB takes no IV; the other modes take
// exactly one block (AES-CTR: the initial counter block; AES-XTS: the tweak, which must
// fit in 64 bits, little-endian, as IEEE 1619 data unit numbers do). Violations panic.
func (op *Operation) CipherInit(iv []byte) {
	const fn = "TEE_CipherInit"
	op.requireClass(fn, tee.ClassCipher)
	if op.handle&tee.FlagKeySet == 0 {
		misuse(fn, "no key set")
	}
	op.reset()
	op.eng = newCipherEngine(fn, op, iv)
	op.state = tee.StateActive
	op.handle |= tee.FlagInitialized
}

func (op *Operation) cipherActive(fn string) *cipherEngine {
	op.requireClass(fn, tee.ClassCipher)
	if op.handle&tee.FlagInitialized == 0 || op.state != tee.StateActive {
		misuse(fn, "cipher operation not initialized (call CipherInit)")
	}
	return op.eng.(*cipherEngine)
}

// CipherUpdate encrypts or decrypts src into dst and returns the bytes written
// (TEE_CipherUpdate, §6.5.2). Block modes hold back a partial block (CTS two blocks, as
// OP-TEE) and XTS holds back everything until CipherDoFinal, so the output may lag the
// input, which GP allows. If dst is too short it returns the required size and
// tee.ErrShortBuffer and consumes nothing. dst and src may overlap exactly or not at all.
func (op *Operation) CipherUpdate(dst, src []byte) (int, error) {
	c := op.cipherActive("TEE_CipherUpdate")
	if need := c.updateLen(len(src)); len(dst) < need {
		return need, tee.ErrShortBuffer
	}
	return c.update(dst, src), nil
}

// CipherDoFinal processes src and whatever was held back into dst, returns the bytes
// written and returns the operation to the initial state (TEE_CipherDoFinal, §6.5.3).
// A dst shorter than everything pending gets the required size and tee.ErrShortBuffer.
// For ECB and CBC without padding a total length that is not a whole number of blocks
// panics with BAD_PARAMETERS, as in OP-TEE; so does CTS under one block.
func (op *Operation) CipherDoFinal(dst, src []byte) (int, error) {
	const fn = "TEE_CipherDoFinal"
	c := op.cipherActive(fn)
	need := len(c.buf) + len(src)
	if (c.chain == chainECB || c.chain == chainCBC) && need%c.bs != 0 {
		misuse(fn, "%v: input is not a multiple of the %d-byte block", op.alg, c.bs)
	}
	if len(dst) < need {
		return need, tee.ErrShortBuffer
	}
	n := c.final(fn, dst, src)
	op.reset()
	return n, nil
}
