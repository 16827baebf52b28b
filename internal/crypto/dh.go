package crypto

import (
	"crypto/rand"
	"math/big"

	"github.com/gotee/gotee/tee"
)

// Finite-field Diffie-Hellman (PKCS #3, TEE_ALG_DH_DERIVE_SHARED_SECRET). Neither Go's
// standard library nor x/crypto has it, and it is one modular exponentiation, so it is
// math/big's Exp (not constant time: the private exponent may leak through timing).

type dhKey struct {
	p, g, q, x, y *big.Int // q is nil unless the object has TEE_ATTR_DH_SUBPRIME
}

func (k *asymKey) parseDH(a []tee.Attribute) error {
	p, g, y, x := attrBig(a, tee.AttrDHPrime), attrBig(a, tee.AttrDHBase), attrBig(a, tee.AttrDHPublicValue), attrBig(a, tee.AttrDHPrivateValue)
	if p == nil || g == nil || y == nil || x == nil || p.Cmp(big.NewInt(3)) < 0 ||
		g.Cmp(bigOne) <= 0 || g.Cmp(p) >= 0 || x.Sign() <= 0 || x.Cmp(p) >= 0 {
		return errBadKey
	}
	if k.bits == 0 {
		k.bits = p.BitLen()
	} else if k.bits != p.BitLen() {
		return errBadKey
	}
	// The public value is not checked against the private one: derivation uses x
	// alone, OP-TEE does not check either, and the GP test suite's DH vector is a pair
	// whose y is not g^x.
	k.dh = &dhKey{p: p, g: g, q: attrBig(a, tee.AttrDHSubprime), x: x, y: y}
	return nil
}

// dhDerive computes peer^x mod p. The peer's value must be in [2, p-2], so that the
// secret is not trivially 1 or ±1 (NIST SP 800-56A §5.6.2.3.1); with a subprime, peer^q
// must be 1 (the full public key validation). The result has no leading zero bytes.
func (k *asymKey) dhDerive(peer []byte) ([]byte, error) {
	d := k.dh
	y := new(big.Int).SetBytes(peer)
	pm1 := new(big.Int).Sub(d.p, bigOne)
	if y.Cmp(bigOne) <= 0 || y.Cmp(pm1) >= 0 {
		return nil, tee.ErrBadParameters
	}
	if d.q != nil && new(big.Int).Exp(y, d.q, d.p).Cmp(bigOne) != 0 {
		return nil, tee.ErrBadParameters
	}
	return new(big.Int).Exp(y, d.x, d.p).Bytes(), nil
}

// generateDH makes a DH key pair in the domain params give. The private value is
// uniform in [2, q-2] with a subprime q; else it has exactly TEE_ATTR_DH_X_BITS bits if
// that is given; else it is uniform in [2, p-2].
func generateDH(bits int, params []tee.Attribute) ([]tee.Attribute, error) {
	p, g, q := attrBig(params, tee.AttrDHPrime), attrBig(params, tee.AttrDHBase), attrBig(params, tee.AttrDHSubprime)
	if p == nil || g == nil {
		misuseCode(tee.ErrItemNotFound, "TEE_GenerateKey", "DH needs prime and base")
	}
	if p.BitLen() != bits || p.Bit(0) == 0 || g.Cmp(bigOne) <= 0 || g.Cmp(p) >= 0 {
		return nil, tee.ErrBadParameters
	}
	xb, hasXBits := attr(params, tee.AttrDHXBits)
	var x *big.Int
	var err error
	switch {
	case q != nil:
		if q.Cmp(big.NewInt(4)) < 0 || q.Cmp(p) >= 0 {
			return nil, tee.ErrBadParameters
		}
		x, err = randRange(new(big.Int).Sub(q, big.NewInt(3)))
	case hasXBits && xb.A != 0:
		n := int(xb.A)
		if n < 2 || n > p.BitLen()-1 {
			return nil, tee.ErrBadParameters
		}
		// n-1 random bits below a forced top bit.
		x, err = rand.Int(rand.Reader, new(big.Int).Lsh(bigOne, uint(n-1)))
		if err == nil {
			x.SetBit(x, n-1, 1)
		}
	default:
		x, err = randRange(new(big.Int).Sub(p, big.NewInt(3)))
	}
	if err != nil {
		return nil, err
	}
	y := new(big.Int).Exp(g, x, p)
	out := []tee.Attribute{
		bigAttr(tee.AttrDHPrime, p),
		bigAttr(tee.AttrDHBase, g),
		bigAttr(tee.AttrDHPublicValue, y),
		bigAttr(tee.AttrDHPrivateValue, x),
	}
	if q != nil {
		out = append(out, bigAttr(tee.AttrDHSubprime, q))
	}
	return out, nil
}

// randRange returns a uniform value in [2, n+1].
func randRange(n *big.Int) (*big.Int, error) {
	x, err := rand.Int(rand.Reader, n)
	if err != nil {
		return nil, err
	}
	return x.Add(x, big.NewInt(2)), nil
}
