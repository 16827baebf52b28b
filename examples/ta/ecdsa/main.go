// Command ecdsa is the TA of OP-TEE's ecdsa example
// (1945e8e7-0278-4bfb-bb99-af1080b2a934): the client picks an ECDSA algorithm by
// having a message hashed with its digest, then has a key pair generated on the
// curve that goes with it and the digest signed and verified.
//
// Commands, as in the example's ecdsa_ta.h:
//
//	0 COMPUTE_DIGEST      memref in: message, memref out: digest,
//	                      value a: TEE_ALG_ECDSA_SHA1/224/256/384/512
//	1 GEN_KEY             no parameters: a key pair for the algorithm last chosen
//	2 SIGN_VERIFY_DIGEST  memref in: digest, memref out: signature (r || s)
//
// The curves are NIST P-192, P-224, P-256, P-384 and P-521 for SHA-1, SHA-224,
// SHA-256, SHA-384 and SHA-512. GEN_KEY before an algorithm was chosen is
// BAD_PARAMETERS, as in the example; SIGN_VERIFY_DIGEST before GEN_KEY is BAD_STATE.
// A signature buffer shorter than the signature is SHORT_BUFFER with the size
// needed.
package main

import (
	"errors"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdComputeDigest    = 0
	cmdGenKey           = 1
	cmdSignVerifyDigest = 2
)

// An ECDSA algorithm with the digest it signs and the curve of its keys.
type ecdsaAlg struct {
	hash  tee.Algorithm
	curve tee.Element
	bits  int
}

var algorithms = map[tee.Algorithm]ecdsaAlg{
	tee.AlgECDSASHA1:   {tee.AlgSHA1, tee.CurveNISTP192, 192},
	tee.AlgECDSASHA224: {tee.AlgSHA224, tee.CurveNISTP224, 224},
	tee.AlgECDSASHA256: {tee.AlgSHA256, tee.CurveNISTP256, 256},
	tee.AlgECDSASHA384: {tee.AlgSHA384, tee.CurveNISTP384, 384},
	tee.AlgECDSASHA512: {tee.AlgSHA512, tee.CurveNISTP521, 521},
}

type ecdsaState struct {
	alg          tee.Algorithm // 0 until COMPUTE_DIGEST chose one
	pair, public *ta.Object
	bits         int
}

func (e *ecdsaState) freeKeys() {
	e.pair.Free()
	e.public.Free()
	e.pair, e.public = nil, nil
}

type ecdsaTA struct{ ta.Base }

func (ecdsaTA) OpenSession(s *ta.Session, p *ta.Params) error {
	s.Data = &ecdsaState{}
	return nil
}

func (ecdsaTA) CloseSession(s *ta.Session) { s.Data.(*ecdsaState).freeKeys() }

func (ecdsaTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	e := s.Data.(*ecdsaState)
	switch cmd {
	case cmdComputeDigest:
		return e.computeDigest(p)
	case cmdGenKey:
		return e.generate(p)
	case cmdSignVerifyDigest:
		return e.signVerify(p)
	}
	return tee.ErrBadParameters
}

func (e *ecdsaState) computeDigest(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ValueInput, tee.ParamNone); err != nil {
		return err
	}
	alg := tee.Algorithm(p[2].Value.A)
	a, ok := algorithms[alg]
	if !ok {
		return tee.ErrBadParameters
	}
	e.alg = alg
	op, err := ta.AllocateOperation(a.hash, tee.ModeDigest, 0)
	if err != nil {
		return err
	}
	defer op.Free()
	sum := make([]byte, len(p[1].Mem))
	n, err := op.DigestDoFinal(sum, append([]byte(nil), p[0].Mem...))
	if err == nil {
		copy(p[1].Mem, sum[:n])
	}
	if err == nil || errors.Is(err, tee.ErrShortBuffer) {
		p[1].Size = n
	}
	return err
}

func (e *ecdsaState) generate(p *ta.Params) error {
	if err := p.Expect(tee.ParamNone, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	a, ok := algorithms[e.alg]
	if !ok {
		return tee.ErrBadParameters
	}
	e.freeKeys()
	var err error
	if e.pair, err = ta.AllocateTransientObject(tee.TypeECDSAKeypair, a.bits); err == nil {
		err = e.pair.GenerateKey(a.bits, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(a.curve)})
	}
	if err == nil {
		e.public, err = ta.AllocateTransientObject(tee.TypeECDSAPublicKey, a.bits)
	}
	if err == nil {
		err = ta.CopyObjectAttributes(e.public, e.pair)
	}
	if err != nil {
		e.freeKeys()
		return err
	}
	e.bits = a.bits
	return nil
}

func (e *ecdsaState) signVerify(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if e.pair == nil {
		return tee.ErrBadState
	}
	digest := append([]byte(nil), p[0].Mem...)
	sig := make([]byte, 512)
	n, err := sign(e.alg, e.bits, e.pair, digest, sig)
	if err != nil {
		return err
	}
	sig = sig[:n]
	if err := verify(e.alg, e.bits, e.public, digest, sig); err != nil {
		return err
	}
	if len(p[1].Mem) < len(sig) {
		p[1].Size = len(sig)
		return tee.ErrShortBuffer
	}
	p[1].Size = copy(p[1].Mem, sig)
	return nil
}

func sign(alg tee.Algorithm, bits int, key *ta.Object, digest, sig []byte) (int, error) {
	op, err := ta.AllocateOperation(alg, tee.ModeSign, bits)
	if err != nil {
		return 0, err
	}
	defer op.Free()
	if err := op.SetKey(key); err != nil {
		return 0, err
	}
	return op.AsymmetricSignDigest(sig, nil, digest)
}

func verify(alg tee.Algorithm, bits int, key *ta.Object, digest, sig []byte) error {
	op, err := ta.AllocateOperation(alg, tee.ModeVerify, bits)
	if err != nil {
		return err
	}
	defer op.Free()
	if err := op.SetKey(key); err != nil {
		return err
	}
	return op.AsymmetricVerifyDigest(nil, digest, sig)
}

func main() { ta.Main(ecdsaTA{}) }
