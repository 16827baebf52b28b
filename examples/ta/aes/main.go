// Command aes is the TA of OP-TEE's aes example
// (5dbac793-f574-4871-8ad3-04331ec17f24): a session configures one AES operation
// (ECB, CBC, CTR, CCM or GCM; 128- or 256-bit key; encrypt or decrypt), loads a key
// and an IV the client sends, and ciphers the client's buffers with it.
//
// Commands, as in the example's aes_ta.h:
//
//	0 PREPARE  value a: algorithm (0 ECB, 1 CBC, 2 CTR, 3 CCM, 4 GCM),
//	           value a: key size in bytes (16 or 32), value a: 1 encrypt, 0 decrypt
//	1 SET_KEY  memref in: the key, exactly the prepared size
//	2 SET_IV   memref in: the IV (none for ECB)
//	3 CIPHER   memref in: data, memref out: at least as large
//	4 AUTHENC  memref in, memref out, value a: nonzero to encrypt, memref inout: tag
//
// AUTHENC uses a fixed 12-byte nonce and a tag as long as the tag buffer, as the
// example does. Where the C TA would pass a null handle to the Internal Core API (a
// command before PREPARE), this one answers BAD_STATE instead of panicking, and an
// AUTHENC whose direction is not the prepared mode is BAD_PARAMETERS.
package main

import (
	"errors"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdPrepare = 0
	cmdSetKey  = 1
	cmdSetIV   = 2
	cmdCipher  = 3
	cmdAuthEnc = 4
)

// The algorithm numbers of PREPARE, in the order of aes_ta.h.
var algorithms = []tee.Algorithm{tee.AlgAESECBNoPad, tee.AlgAESCBCNoPad, tee.AlgAESCTR, tee.AlgAESCCM, tee.AlgAESGCM}

// aeNonce is the nonce AUTHENC always uses, so that a client can decrypt what it
// encrypted without sending one.
var aeNonce = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

// cipherState is a session's operation and the key object that loads its key.
type cipherState struct {
	mode    tee.Mode
	keySize int // bytes
	op      *ta.Operation
	key     *ta.Object
}

func (c *cipherState) free() {
	c.op.Free()
	c.key.Free()
	c.op, c.key = nil, nil
}

type aesTA struct{ ta.Base }

func (aesTA) OpenSession(s *ta.Session, p *ta.Params) error {
	s.Data = &cipherState{}
	return nil
}

func (aesTA) CloseSession(s *ta.Session) { s.Data.(*cipherState).free() }

func (aesTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	c := s.Data.(*cipherState)
	switch cmd {
	case cmdPrepare:
		return c.prepare(p)
	case cmdSetKey:
		return c.setKey(p)
	case cmdSetIV:
		return c.setIV(p)
	case cmdCipher:
		return c.cipher(p)
	case cmdAuthEnc:
		return c.authEnc(p)
	}
	return tee.ErrNotSupported
}

// prepare allocates the operation and a key object for it. The operation is keyed
// at once with an all-zero key, so that SET_KEY can always reset it first: GP does
// not allow resetting an operation that has no key.
func (c *cipherState) prepare(p *ta.Params) error {
	if err := p.Expect(tee.ValueInput, tee.ValueInput, tee.ValueInput, tee.ParamNone); err != nil {
		return err
	}
	algo, size, dir := p[0].Value.A, p[1].Value.A, p[2].Value.A
	if int(algo) >= len(algorithms) || size != 16 && size != 32 || dir > 1 {
		return tee.ErrBadParameters
	}
	mode := tee.ModeDecrypt
	if dir == 1 {
		mode = tee.ModeEncrypt
	}
	c.free()
	c.mode, c.keySize = mode, int(size)
	err := c.allocate(algorithms[algo])
	if err != nil {
		c.free()
	}
	return err
}

func (c *cipherState) allocate(alg tee.Algorithm) error {
	var err error
	if c.op, err = ta.AllocateOperation(alg, c.mode, 8*c.keySize); err != nil {
		return err
	}
	if c.key, err = ta.AllocateTransientObject(tee.TypeAES, 8*c.keySize); err != nil {
		return err
	}
	if err := c.key.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, c.keySize)}); err != nil {
		return err
	}
	return c.op.SetKey(c.key)
}

func (c *cipherState) setKey(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if c.op == nil {
		return tee.ErrBadState
	}
	if p[0].Size != c.keySize || len(p[0].Mem) != c.keySize {
		return tee.ErrBadParameters
	}
	// Populate copies the key out of the client's memory.
	c.key.Reset()
	if err := c.key.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: p[0].Mem}); err != nil {
		return err
	}
	c.op.Reset()
	return c.op.SetKey(c.key)
}

func (c *cipherState) setIV(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if c.op == nil {
		return tee.ErrBadState
	}
	c.op.CipherInit(append([]byte(nil), p[0].Mem...))
	return nil
}

func (c *cipherState) cipher(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if p[1].Size < p[0].Size {
		return tee.ErrBadParameters
	}
	if c.op == nil {
		return tee.ErrBadState
	}
	// Cipher from a private copy into a private buffer: the two memrefs may be
	// windows of one shared block that overlap, which Go's ciphers refuse.
	in := append([]byte(nil), p[0].Mem...)
	out := make([]byte, len(p[1].Mem))
	n, err := c.op.CipherUpdate(out, in)
	if err == nil {
		copy(p[1].Mem, out[:n])
	}
	if err == nil || errors.Is(err, tee.ErrShortBuffer) {
		p[1].Size = n
	}
	return err
}

func (c *cipherState) authEnc(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ValueInput, tee.MemrefInout); err != nil {
		return err
	}
	if c.op == nil {
		return tee.ErrBadState
	}
	encrypt := p[2].Value.A != 0
	if encrypt != (c.mode == tee.ModeEncrypt) {
		return tee.ErrBadParameters
	}
	in := append([]byte(nil), p[0].Mem...)
	out := make([]byte, len(p[1].Mem))
	tag := append([]byte(nil), p[3].Mem...)
	if err := c.op.AEInit(aeNonce, 8*len(tag), 0, len(in)); err != nil {
		return err
	}
	if encrypt {
		n, tagLen, err := c.op.AEEncryptFinal(out, tag, in)
		if err == nil {
			copy(p[1].Mem, out[:n])
			copy(p[3].Mem, tag[:tagLen])
		}
		if err == nil || errors.Is(err, tee.ErrShortBuffer) {
			p[1].Size, p[3].Size = n, tagLen
		}
		return err
	}
	n, err := c.op.AEDecryptFinal(out, in, tag)
	if err == nil {
		copy(p[1].Mem, out[:n])
	}
	if err == nil || errors.Is(err, tee.ErrShortBuffer) {
		p[1].Size = n
	}
	return err
}

func main() { ta.Main(aesTA{}) }
