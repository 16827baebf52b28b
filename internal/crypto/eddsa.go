package crypto

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"

	"github.com/gotee/gotee/tee"
)

// Curve25519: Ed25519 (RFC 8032, with the ctx and ph variants) is crypto/ed25519, X25519
// (RFC 7748) is crypto/ecdh. GP's attributes are the RFC encodings: 32-byte strings, the
// Ed25519 private value being the seed. Ed448 and X448 are in ed448.go.

func (k *asymKey) parseEd25519(a []tee.Attribute) error {
	if k.bits == 0 {
		k.bits = 256
	} else if k.bits != 256 {
		return errBadKey
	}
	pub, _ := attr(a, tee.AttrEd25519PublicValue)
	if len(pub.Ref) != ed25519.PublicKeySize {
		return errBadKey
	}
	k.edPub = ed25519.PublicKey(bytes.Clone(pub.Ref))
	if k.typ == tee.TypeEd25519Keypair {
		priv, _ := attr(a, tee.AttrEd25519PrivateValue)
		if len(priv.Ref) != ed25519.SeedSize {
			return errBadKey
		}
		k.edPriv = ed25519.NewKeyFromSeed(priv.Ref)
		if !bytes.Equal(k.edPriv[32:], k.edPub) {
			return errBadKey
		}
	}
	return nil
}

func (k *asymKey) parseX25519(a []tee.Attribute) error {
	if k.bits == 0 {
		k.bits = 256
	} else if k.bits != 256 {
		return errBadKey
	}
	pub, _ := attr(a, tee.AttrX25519PublicValue)
	p, err := ecdh.X25519().NewPublicKey(pub.Ref)
	if err != nil {
		return errBadKey
	}
	k.xPub = p
	if k.typ == tee.TypeX25519Keypair {
		priv, _ := attr(a, tee.AttrX25519PrivateValue)
		x, err := ecdh.X25519().NewPrivateKey(priv.Ref)
		if err != nil || !x.PublicKey().Equal(p) {
			return errBadKey
		}
		k.xPriv = x
	}
	return nil
}

// eddsaOptions reads TEE_ATTR_EDDSA_CTX and TEE_ATTR_EDDSA_PREHASH as OP-TEE does: a
// context of at most 255 bytes, a prehash flag of 0 or 1 (B must be 0). With either, the
// variant is Ed25519ctx or Ed25519ph (RFC 8032 §5.1); with neither, plain Ed25519.
func eddsaOptions(fn string, params []tee.Attribute) (opts *ed25519.Options, prehash bool) {
	p := paramSet(fn, params, tee.AttrEdDSACtx, tee.AttrEdDSAPrehash)
	opts = &ed25519.Options{}
	if ph, ok := p[tee.AttrEdDSAPrehash]; ok {
		if ph.B != 0 || ph.A > 1 {
			misuse(fn, "TEE_ATTR_EDDSA_PREHASH must be 0 or 1")
		}
		prehash = ph.A == 1
	}
	if c, ok := p[tee.AttrEdDSACtx]; ok {
		if len(c.Ref) > 255 {
			misuse(fn, "EdDSA context longer than 255 bytes")
		}
		opts.Context = string(c.Ref)
	}
	if prehash {
		opts.Hash = crypto.SHA512
	}
	return opts, prehash
}

func (k *asymKey) ed25519Sign(fn string, params []tee.Attribute, msg []byte) []byte {
	opts, prehash := eddsaOptions(fn, params)
	if prehash {
		h := sha512.Sum512(msg)
		msg = h[:]
	}
	sig, err := k.edPriv.Sign(nil, msg, opts)
	if err != nil {
		misuse(fn, "Ed25519: %v", err)
	}
	return sig
}

func (k *asymKey) ed25519Verify(fn string, params []tee.Attribute, msg, sig []byte) bool {
	opts, prehash := eddsaOptions(fn, params)
	if prehash {
		h := sha512.Sum512(msg)
		msg = h[:]
	}
	return ed25519.VerifyWithOptions(k.edPub, msg, sig, opts) == nil
}

// x25519Derive computes X25519 with the peer's 32-byte public value. An all-zero result
// (a low-order peer point) is rejected, as crypto/ecdh does.
func (k *asymKey) x25519Derive(peer []byte) ([]byte, error) {
	p, err := ecdh.X25519().NewPublicKey(peer)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	s, err := k.xPriv.ECDH(p)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return s, nil
}

func generateEd25519() ([]tee.Attribute, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return []tee.Attribute{
		{ID: tee.AttrEd25519PrivateValue, Ref: bytes.Clone(priv.Seed())},
		{ID: tee.AttrEd25519PublicValue, Ref: bytes.Clone(pub)},
	}, nil
}

func generateX25519() ([]tee.Attribute, error) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return []tee.Attribute{
		{ID: tee.AttrX25519PrivateValue, Ref: priv.Bytes()},
		{ID: tee.AttrX25519PublicValue, Ref: priv.PublicKey().Bytes()},
	}, nil
}
