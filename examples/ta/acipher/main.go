// Command acipher is the TA of OP-TEE's acipher example
// (a734eed9-d6a1-4244-aa50-7c99719e7b7b): it generates an RSA key pair for the
// session and encrypts or decrypts the client's data with it, with PKCS#1 v1.5 or
// OAEP padding.
//
// Commands, as in the example's acipher_ta.h:
//
//	0 GEN_KEY          value a: key size in bits
//	1 ENCRYPT_DECRYPT  memref in: data, memref out: result,
//	                   value a: nonzero to encrypt, 0 to decrypt,
//	                   value a: algorithm (TEE_ALG_RSAES_PKCS1_V1_5 or an OAEP one)
//
// ENCRYPT_DECRYPT before GEN_KEY is BAD_STATE. An output buffer too short for the
// result is SHORT_BUFFER with the size needed, which is how the example's client
// learns how much to allocate.
package main

import (
	"errors"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdGenKey         = 0
	cmdEncryptDecrypt = 1
)

type keyState struct{ key *ta.Object }

type acipherTA struct{ ta.Base }

func (acipherTA) OpenSession(s *ta.Session, p *ta.Params) error {
	s.Data = &keyState{}
	return nil
}

func (acipherTA) CloseSession(s *ta.Session) { s.Data.(*keyState).key.Free() }

func (acipherTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	k := s.Data.(*keyState)
	switch cmd {
	case cmdGenKey:
		return k.generate(p)
	case cmdEncryptDecrypt:
		return k.crypt(p)
	}
	return tee.ErrNotSupported
}

func (k *keyState) generate(p *ta.Params) error {
	if err := p.Expect(tee.ValueInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	bits := int(p[0].Value.A)
	key, err := ta.AllocateTransientObject(tee.TypeRSAKeypair, bits)
	if err != nil {
		return err
	}
	if err := key.GenerateKey(bits); err != nil {
		key.Free()
		return err
	}
	k.key.Free()
	k.key = key
	return nil
}

func (k *keyState) crypt(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ValueInput, tee.ValueInput); err != nil {
		return err
	}
	if k.key == nil {
		return tee.ErrBadState
	}
	info, err := k.key.Info()
	if err != nil {
		return err
	}
	mode := tee.ModeDecrypt
	if p[2].Value.A != 0 {
		mode = tee.ModeEncrypt
	}
	op, err := ta.AllocateOperation(tee.Algorithm(p[3].Value.A), mode, info.Size)
	if err != nil {
		return err
	}
	defer op.Free()
	if err := op.SetKey(k.key); err != nil {
		return err
	}
	in := append([]byte(nil), p[0].Mem...)
	out := make([]byte, len(p[1].Mem))
	var n int
	if mode == tee.ModeEncrypt {
		n, err = op.AsymmetricEncrypt(out, nil, in)
	} else {
		n, err = op.AsymmetricDecrypt(out, nil, in)
	}
	if err == nil {
		copy(p[1].Mem, out[:n])
	}
	if err == nil || errors.Is(err, tee.ErrShortBuffer) {
		p[1].Size = n
	}
	return err
}

func main() { ta.Main(acipherTA{}) }
