package crypto

import (
	"crypto/rand"
	//lint:ignore SA1019 GP requires DSA; crypto/dsa is Go's reviewed implementation.
	"crypto/dsa"
	"math/big"

	"github.com/gotee/gotee/tee"
)

// DSA (FIPS 186-4) is crypto/dsa: deprecated in Go because DSA is, but the reviewed
// implementation, and GP requires the algorithm. Its signing is not constant time.
// Signatures are r||s, each left-padded to the byte size of the subprime q, as OP-TEE.

type dsaKey struct {
	pub  *dsa.PublicKey
	priv *dsa.PrivateKey // nil for a public key
}

func (d *dsaKey) qBytes() int { return (d.pub.Q.BitLen() + 7) / 8 }

func (k *asymKey) parseDSA(a []tee.Attribute) error {
	p, q, g, y := attrBig(a, tee.AttrDSAPrime), attrBig(a, tee.AttrDSASubprime), attrBig(a, tee.AttrDSABase), attrBig(a, tee.AttrDSAPublicValue)
	if p == nil || q == nil || g == nil || y == nil {
		return errBadKey
	}
	// Go's DSA needs a whole-byte q; the domain must be sane for any of it to mean much.
	if q.BitLen()%8 != 0 || q.Sign() <= 0 || p.Cmp(q) <= 0 || g.Cmp(bigOne) <= 0 || g.Cmp(p) >= 0 ||
		y.Cmp(bigOne) <= 0 || y.Cmp(p) >= 0 {
		return errBadKey
	}
	if k.bits == 0 {
		k.bits = p.BitLen()
	} else if k.bits != p.BitLen() {
		return errBadKey
	}
	pub := &dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}, Y: y}
	k.dsa = &dsaKey{pub: pub}
	if k.typ == tee.TypeDSAKeypair {
		x := attrBig(a, tee.AttrDSAPrivateValue)
		if x == nil || x.Sign() <= 0 || x.Cmp(q) >= 0 || new(big.Int).Exp(g, x, p).Cmp(y) != 0 {
			return errBadKey
		}
		k.dsa.priv = &dsa.PrivateKey{PublicKey: *pub, X: x}
	}
	return nil
}

// checkDSADigest panics unless the digest is the hash's length or, as OP-TEE also
// accepts, the subprime's (a digest already truncated to q).
func (k *asymKey) checkDSADigest(fn string, as *asymSpec, digest []byte) {
	if len(digest) != as.hash.Size() && len(digest) != k.dsa.qBytes() {
		misuse(fn, "DSA digest is %d bytes, want %d", len(digest), as.hash.Size())
	}
}

func (k *asymKey) dsaSign(fn string, digest []byte) []byte {
	if k.dsa.priv == nil {
		misuse(fn, "signing needs a DSA key pair")
	}
	r, s, err := dsa.Sign(rand.Reader, k.dsa.priv, digest)
	if err != nil {
		misuse(fn, "DSA: %v", err)
	}
	n := k.dsa.qBytes()
	sig := make([]byte, 2*n)
	r.FillBytes(sig[:n])
	s.FillBytes(sig[n:])
	return sig
}

func (k *asymKey) dsaVerify(digest, sig []byte) bool {
	n := k.dsa.qBytes()
	if len(sig) != 2*n {
		return false
	}
	return dsa.Verify(k.dsa.pub, digest, new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:]))
}

// generateDSA makes a DSA key pair in the domain params give (prime, subprime, base).
func generateDSA(bits int, params []tee.Attribute) ([]tee.Attribute, error) {
	p, q, g := attrBig(params, tee.AttrDSAPrime), attrBig(params, tee.AttrDSASubprime), attrBig(params, tee.AttrDSABase)
	if p == nil || q == nil || g == nil {
		misuseCode(tee.ErrItemNotFound, "TEE_GenerateKey", "DSA needs prime, subprime and base")
	}
	if p.BitLen() != bits || q.BitLen()%8 != 0 || q.Sign() <= 0 || g.Cmp(bigOne) <= 0 || g.Cmp(p) >= 0 {
		return nil, tee.ErrBadParameters
	}
	priv := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}}}
	if err := dsa.GenerateKey(priv, rand.Reader); err != nil {
		return nil, tee.ErrBadParameters
	}
	return []tee.Attribute{
		bigAttr(tee.AttrDSAPrime, p),
		bigAttr(tee.AttrDSASubprime, q),
		bigAttr(tee.AttrDSABase, g),
		bigAttr(tee.AttrDSAPrivateValue, priv.X),
		bigAttr(tee.AttrDSAPublicValue, priv.Y),
	}, nil
}
