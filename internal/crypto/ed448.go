package crypto

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"

	"github.com/cloudflare/circl/dh/x448"
	"github.com/cloudflare/circl/sign/ed448"

	"github.com/gotee/gotee/tee"
)

// Curve448: Ed448 (RFC 8032 §5.2, with the Ed448ph variant) and X448 (RFC 7748) are
// github.com/cloudflare/circl's sign/ed448 and dh/x448, constant-time implementations
// Cloudflare maintains; neither Go's standard library nor x/crypto has Curve448. GP's
// attributes are the RFC encodings: TEE_ATTR_ED448_PUBLIC_VALUE and _PRIVATE_VALUE are
// 57-byte strings (the private value being the seed), TEE_ATTR_X448_PUBLIC_VALUE and
// _PRIVATE_VALUE 56-byte strings. Ed448 always signs with a context (RFC 8032's dom4),
// empty unless TEE_ATTR_EDDSA_CTX gives one.
//
// Key sizes: X448 objects are 448 bits, as in OP-TEE. For Ed448 GP's tables are read two
// ways (448, the curve, or 456, the 57-byte key), and OP-TEE has no Ed448 to settle it,
// so both are accepted wherever a size is given (TEE_AllocateTransientObject,
// TEE_GenerateKey, TEE_AllocateOperation); a populated object reports 448.

const (
	ed448Bits    = 448
	ed448AltBits = 456
)

func isEd448Size(bits int) bool { return bits == ed448Bits || bits == ed448AltBits }

func (k *asymKey) parseEd448(a []tee.Attribute) error {
	if k.bits == 0 {
		k.bits = ed448Bits
	} else if !isEd448Size(k.bits) {
		return errBadKey
	}
	pub, _ := attr(a, tee.AttrEd448PublicValue)
	if len(pub.Ref) != ed448.PublicKeySize {
		return errBadKey
	}
	k.ed448Pub = ed448.PublicKey(bytes.Clone(pub.Ref))
	if k.typ == tee.TypeEd448Keypair {
		seed, _ := attr(a, tee.AttrEd448PrivateValue)
		if len(seed.Ref) != ed448.SeedSize {
			return errBadKey
		}
		k.ed448Priv = ed448.NewKeyFromSeed(seed.Ref)
		if !bytes.Equal(k.ed448Priv[ed448.SeedSize:], k.ed448Pub) {
			return errBadKey // the seed does not give the public value
		}
	}
	return nil
}

func (k *asymKey) parseX448(a []tee.Attribute) error {
	if k.bits == 0 {
		k.bits = 448
	} else if k.bits != 448 {
		return errBadKey
	}
	pub, _ := attr(a, tee.AttrX448PublicValue)
	if len(pub.Ref) != x448.Size {
		return errBadKey
	}
	k.x448Pub = new(x448.Key)
	copy(k.x448Pub[:], pub.Ref)
	if k.typ == tee.TypeX448Keypair {
		priv, _ := attr(a, tee.AttrX448PrivateValue)
		if len(priv.Ref) != x448.Size {
			return errBadKey
		}
		k.x448Priv = new(x448.Key)
		copy(k.x448Priv[:], priv.Ref)
		var p x448.Key
		x448.KeyGen(&p, k.x448Priv)
		if subtle.ConstantTimeCompare(p[:], k.x448Pub[:]) != 1 {
			return errBadKey
		}
	}
	return nil
}

// ed448Options reads TEE_ATTR_EDDSA_CTX and TEE_ATTR_EDDSA_PREHASH as for Ed25519.
func ed448Options(fn string, params []tee.Attribute) (ctx string, prehash bool) {
	opts, prehash := eddsaOptions(fn, params)
	return opts.Context, prehash
}

func (k *asymKey) ed448Sign(fn string, params []tee.Attribute, msg []byte) []byte {
	ctx, prehash := ed448Options(fn, params)
	if prehash {
		return ed448.SignPh(k.ed448Priv, msg, ctx)
	}
	return ed448.Sign(k.ed448Priv, msg, ctx)
}

func (k *asymKey) ed448Verify(fn string, params []tee.Attribute, msg, sig []byte) bool {
	ctx, prehash := ed448Options(fn, params)
	if prehash {
		return ed448.VerifyPh(k.ed448Pub, msg, sig, ctx)
	}
	return ed448.Verify(k.ed448Pub, msg, sig, ctx)
}

// x448Derive computes X448 with the peer's 56-byte public value. A low-order peer point,
// whose shared secret is all zeros, is rejected (RFC 7748 §6.2), as for X25519.
func (k *asymKey) x448Derive(peer []byte) ([]byte, error) {
	if len(peer) != x448.Size {
		return nil, tee.ErrBadParameters
	}
	var pub, shared x448.Key
	copy(pub[:], peer)
	if !x448.Shared(&shared, k.x448Priv, &pub) {
		clear(shared[:])
		return nil, tee.ErrBadParameters
	}
	return shared[:], nil
}

func generateEd448() ([]tee.Attribute, error) {
	pub, priv, err := ed448.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	return []tee.Attribute{
		{ID: tee.AttrEd448PrivateValue, Ref: bytes.Clone(priv.Seed())},
		{ID: tee.AttrEd448PublicValue, Ref: bytes.Clone(pub)},
	}, nil
}

func generateX448() ([]tee.Attribute, error) {
	var priv, pub x448.Key
	rand.Read(priv[:])
	x448.KeyGen(&pub, &priv)
	defer clear(priv[:])
	return []tee.Attribute{
		{ID: tee.AttrX448PrivateValue, Ref: bytes.Clone(priv[:])},
		{ID: tee.AttrX448PublicValue, Ref: bytes.Clone(pub[:])},
	}, nil
}
