// Command ecdh is the TA of OP-TEE's ecdh example
// (50c82425-94da-4072-a3e0-58ef063767c0): a self-test of ECDH key agreement. It
// generates two key pairs on a NIST curve, has each side derive the shared secret
// from its private key and the other's public point, checks that both got the same
// secret and returns it.
//
// Commands, as in the example's ecdh_ta.h:
//
//	0 DERIVE_SELFTEST  value a: curve (0 P-192, 1 P-224, 2 P-256, 3 P-384),
//	                   memref out (parameter 3): the shared secret
//
// An output buffer shorter than the secret is SHORT_BUFFER with the size needed
// (a null buffer asks for it). Where the OP-TEE TA panics on a failed key
// generation or derivation, this one returns the error.
package main

import (
	"crypto/subtle"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const cmdDeriveSelftest = 0

// The curves of DERIVE_SELFTEST, in the order of ecdh_ta.h, and their sizes.
var curves = []struct {
	curve tee.Element
	bits  int
}{
	{tee.CurveNISTP192, 192},
	{tee.CurveNISTP224, 224},
	{tee.CurveNISTP256, 256},
	{tee.CurveNISTP384, 384},
}

type ecdhTA struct{ ta.Base }

func (ecdhTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if cmd != cmdDeriveSelftest {
		return tee.ErrBadParameters
	}
	if err := p.Expect(tee.ValueInput, tee.ParamNone, tee.ParamNone, tee.MemrefOutput); err != nil {
		return err
	}
	if int(p[0].Value.A) >= len(curves) {
		return tee.ErrBadParameters
	}
	c := curves[p[0].Value.A]
	a, err := generate(c.curve, c.bits)
	if err != nil {
		return err
	}
	defer a.Free()
	b, err := generate(c.curve, c.bits)
	if err != nil {
		return err
	}
	defer b.Free()
	sa, err := derive(a, b, c.bits)
	if err != nil {
		return err
	}
	sb, err := derive(b, a, c.bits)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(sa, sb) != 1 {
		return tee.ErrGeneric
	}
	if len(p[3].Mem) < len(sa) {
		p[3].Size = len(sa)
		return tee.ErrShortBuffer
	}
	p[3].Size = copy(p[3].Mem, sa)
	return nil
}

func generate(curve tee.Element, bits int) (*ta.Object, error) {
	key, err := ta.AllocateTransientObject(tee.TypeECDHKeypair, bits)
	if err != nil {
		return nil, err
	}
	if err := key.GenerateKey(bits, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(curve)}); err != nil {
		key.Free()
		return nil, err
	}
	return key, nil
}

// derive is the shared secret that mine computes with peer's public point.
func derive(mine, peer *ta.Object, bits int) ([]byte, error) {
	x, err := attribute(peer, tee.AttrECCPublicValueX)
	if err != nil {
		return nil, err
	}
	y, err := attribute(peer, tee.AttrECCPublicValueY)
	if err != nil {
		return nil, err
	}
	op, err := ta.AllocateOperation(tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, bits)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	if err := op.SetKey(mine); err != nil {
		return nil, err
	}
	secret, err := ta.AllocateTransientObject(tee.TypeGenericSecret, bits)
	if err != nil {
		return nil, err
	}
	defer secret.Free()
	params := []tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: x}, {ID: tee.AttrECCPublicValueY, Ref: y}}
	ta.DeriveKey(op, params, secret) // a point off the curve is a TEE_Panic, as in OP-TEE
	return attribute(secret, tee.AttrSecretValue)
}

// attribute reads a buffer attribute of at most 66 bytes (a P-521 coordinate).
func attribute(key *ta.Object, id tee.AttributeID) ([]byte, error) {
	buf := make([]byte, 66)
	n, err := key.BufferAttribute(id, buf)
	return buf[:n], err
}

func main() { ta.Main(ecdhTA{}) }
