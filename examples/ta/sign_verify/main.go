// Command sign_verify is the TA of OP-TEE's sign_verify example
// (f066f150-42af-404f-ae32-c8e6cd117e70): in one command it generates an RSA key
// pair, hashes the client's message, signs the digest with the private key,
// verifies the signature with the public half and returns the signature.
//
// Commands, as in the example's sign_verify_ta.h:
//
//	0 SIGN_VERIFY  memref in: message, memref out: signature,
//	               value a: algorithm (0..4 RSASSA-PSS with MGF1 and SHA-1, SHA-224,
//	               SHA-256, SHA-384, SHA-512; 5..9 RSASSA-PKCS1-v1_5 with the same
//	               hashes), value a: key size in bits
//
// The key pair lives only for the command. A signature buffer shorter than the
// signature is SHORT_BUFFER with the size needed.
package main

import (
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const cmdSignVerify = 0

// maxSignature is the largest signature returned: that of a 4096-bit key.
const maxSignature = 512

// A signature algorithm of SIGN_VERIFY and the digest it signs.
type sigAlg struct {
	sign, hash tee.Algorithm
}

// The algorithm numbers of SIGN_VERIFY, in the order of sign_verify_ta.h.
var algorithms = []sigAlg{
	{tee.AlgRSASSAPKCS1PSSMGF1SHA1, tee.AlgSHA1},
	{tee.AlgRSASSAPKCS1PSSMGF1SHA224, tee.AlgSHA224},
	{tee.AlgRSASSAPKCS1PSSMGF1SHA256, tee.AlgSHA256},
	{tee.AlgRSASSAPKCS1PSSMGF1SHA384, tee.AlgSHA384},
	{tee.AlgRSASSAPKCS1PSSMGF1SHA512, tee.AlgSHA512},
	{tee.AlgRSASSAPKCS1v15SHA1, tee.AlgSHA1},
	{tee.AlgRSASSAPKCS1v15SHA224, tee.AlgSHA224},
	{tee.AlgRSASSAPKCS1v15SHA256, tee.AlgSHA256},
	{tee.AlgRSASSAPKCS1v15SHA384, tee.AlgSHA384},
	{tee.AlgRSASSAPKCS1v15SHA512, tee.AlgSHA512},
}

type signVerifyTA struct{ ta.Base }

func (signVerifyTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if cmd != cmdSignVerify {
		return tee.ErrBadParameters
	}
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ValueInput, tee.ValueInput); err != nil {
		return err
	}
	if int(p[2].Value.A) >= len(algorithms) {
		return tee.ErrBadParameters
	}
	alg, bits := algorithms[p[2].Value.A], int(p[3].Value.A)
	pair, public, err := generateRSA(bits)
	if err != nil {
		return err
	}
	defer pair.Free()
	defer public.Free()

	digest, err := hash(alg.hash, append([]byte(nil), p[0].Mem...))
	if err != nil {
		return err
	}
	sig := make([]byte, maxSignature)
	n, err := sign(alg.sign, bits, pair, digest, sig)
	if err != nil {
		return err
	}
	sig = sig[:n]
	if err := verify(alg.sign, bits, public, digest, sig); err != nil {
		return err
	}
	if len(p[1].Mem) < len(sig) {
		p[1].Size = len(sig)
		return tee.ErrShortBuffer
	}
	p[1].Size = copy(p[1].Mem, sig)
	return nil
}

// generateRSA makes an RSA key pair of bits bits and a public-key object with its
// public half.
func generateRSA(bits int) (pair, public *ta.Object, err error) {
	if pair, err = ta.AllocateTransientObject(tee.TypeRSAKeypair, bits); err != nil {
		return nil, nil, err
	}
	if err = pair.GenerateKey(bits); err == nil {
		public, err = ta.AllocateTransientObject(tee.TypeRSAPublicKey, bits)
	}
	if err == nil {
		err = ta.CopyObjectAttributes(public, pair)
	}
	if err != nil {
		pair.Free()
		public.Free()
		return nil, nil, err
	}
	return pair, public, nil
}

func hash(alg tee.Algorithm, msg []byte) ([]byte, error) {
	op, err := ta.AllocateOperation(alg, tee.ModeDigest, 0)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	sum := make([]byte, 64)
	n, err := op.DigestDoFinal(sum, msg)
	return sum[:n], err
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

func main() { ta.Main(signVerifyTA{}) }
