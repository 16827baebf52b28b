package crypto

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"math/big"
	"strings"

	"github.com/gotee/gotee/tee"
)

// RSA: PKCS #1 v1.5 and PSS signatures, PKCS #1 v1.5 and OAEP encryption are crypto/rsa.
// RSA_NOPAD is the bare RSA primitive with math/big (see the file comment of asym.go).
//
// Go refuses RSA keys under 1024 bits unless the program runs with GODEBUG
// rsa1024min=0; GP allows 256. Such keys can be stored, generated only with that
// setting, and used by RSA_NOPAD always; with crypto/rsa's schemes, encryption and
// decryption return tee.ErrNotSupported and signing and verification panic with
// NOT_SUPPORTED (those functions cannot return it).

var bigOne = big.NewInt(1)

func (k *asymKey) parseRSA(a []tee.Attribute) error {
	n := attrBig(a, tee.AttrRSAModulus)
	e := attrBig(a, tee.AttrRSAPublicExponent)
	if n == nil || e == nil || n.Sign() <= 0 || !e.IsInt64() || e.Int64() < 2 || e.Int64() > 1<<31-1 || n.Bit(0) == 0 {
		return errBadKey
	}
	if k.bits == 0 {
		k.bits = n.BitLen()
	} else if k.bits != n.BitLen() {
		return errBadKey
	}
	k.rsaPub = &rsa.PublicKey{N: n, E: int(e.Int64())}
	if k.typ != tee.TypeRSAKeypair {
		return nil
	}
	d := attrBig(a, tee.AttrRSAPrivateExponent)
	if d == nil || d.Sign() <= 0 || d.Cmp(n) >= 0 {
		return errBadKey
	}
	priv := &rsa.PrivateKey{PublicKey: *k.rsaPub, D: d}
	if p := attrBig(a, tee.AttrRSAPrime1); p != nil {
		priv.Primes = []*big.Int{p, attrBig(a, tee.AttrRSAPrime2)}
		priv.Precomputed = rsa.PrecomputedValues{
			Dp:   attrBig(a, tee.AttrRSAExponent1),
			Dq:   attrBig(a, tee.AttrRSAExponent2),
			Qinv: attrBig(a, tee.AttrRSACoefficient),
		}
		// Validate checks N = P·Q and the exponents against each other.
		if err := priv.Validate(); err != nil {
			return errBadKey
		}
	} else {
		priv.Precompute()
		// Without the primes Go can check little; at least e·d must invert on a value.
		m := big.NewInt(2)
		if new(big.Int).Exp(new(big.Int).Exp(m, d, n), e, n).Cmp(m) != 0 {
			return errBadKey
		}
	}
	k.rsaPriv = priv
	return nil
}

// rsaError maps crypto/rsa's errors: key size refusals to NOT_SUPPORTED, the rest
// (message too long, decryption error) to BAD_PARAMETERS, OP-TEE's code for both.
func rsaError(err error) error {
	if strings.Contains(err.Error(), "insecure") {
		return tee.ErrNotSupported
	}
	return tee.ErrBadParameters
}

// oaepOptions reads the OAEP parameters.
func oaepOptions(fn string, as *asymSpec, params []tee.Attribute) (*rsa.OAEPOptions, error) {
	p := paramSet(fn, params, tee.AttrRSAOAEPLabel, tee.AttrRSAOAEPMGFHash)
	opts := &rsa.OAEPOptions{Hash: as.hash}
	if l, ok := p[tee.AttrRSAOAEPLabel]; ok {
		opts.Label = l.Ref
	}
	if m, ok := p[tee.AttrRSAOAEPMGFHash]; ok {
		if len(m.Ref) != 4 {
			return nil, tee.ErrBadParameters
		}
		// OP-TEE copies the buffer into a uint32_t: host byte order.
		h, ok := gpHash(tee.Algorithm(binary.NativeEndian.Uint32(m.Ref)))
		if !ok {
			return nil, tee.ErrBadParameters
		}
		opts.MGFHash = h
	}
	return opts, nil
}

func (op *Operation) rsaEncrypt(fn string, as *asymSpec, k *asymKey, params []tee.Attribute, src []byte) ([]byte, error) {
	switch as.scheme {
	case schRSANoPad:
		paramSet(fn, params)
		return rsaRaw(src, big.NewInt(int64(k.rsaPub.E)), k.rsaPub.N)
	case schRSAESPKCS1:
		paramSet(fn, params, tee.AttrRSAOAEPLabel) // OP-TEE ignores a label here
		//lint:ignore SA1019 GP requires RSAES-PKCS1-v1_5; the TA chose it.
		out, err := rsa.EncryptPKCS1v15(rand.Reader, k.rsaPub, src)
		if err != nil {
			return nil, rsaError(err)
		}
		return out, nil
	}
	opts, err := oaepOptions(fn, as, params)
	if err != nil {
		return nil, err
	}
	out, err := rsa.EncryptOAEPWithOptions(rand.Reader, k.rsaPub, src, opts)
	if err != nil {
		return nil, rsaError(err)
	}
	return out, nil
}

func (op *Operation) rsaDecrypt(fn string, as *asymSpec, k *asymKey, params []tee.Attribute, src []byte) ([]byte, error) {
	if k.rsaPriv == nil {
		misuse(fn, "decryption needs an RSA key pair")
	}
	switch as.scheme {
	case schRSANoPad:
		paramSet(fn, params)
		return rsaPrivRaw(src, k.rsaPriv)
	case schRSAESPKCS1:
		paramSet(fn, params, tee.AttrRSAOAEPLabel)
		//lint:ignore SA1019 GP requires RSAES-PKCS1-v1_5; the TA chose it.
		out, err := rsa.DecryptPKCS1v15(nil, k.rsaPriv, src)
		if err != nil {
			return nil, rsaError(err)
		}
		return out, nil
	}
	opts, err := oaepOptions(fn, as, params)
	if err != nil {
		return nil, err
	}
	out, err := k.rsaPriv.Decrypt(nil, src, opts)
	if err != nil {
		return nil, rsaError(err)
	}
	return out, nil
}

// rsaRaw is RSAEP/RSADP (RFC 8017 §5.1): in^exp mod n, for an input no longer than the
// modulus and smaller than it. The output drops leading zero bytes (keeping one), as
// OP-TEE's RSA_NOPAD does.
func rsaRaw(in []byte, exp, n *big.Int) ([]byte, error) {
	if len(in) > (n.BitLen()+7)/8 {
		return nil, tee.ErrBadParameters
	}
	m := new(big.Int).SetBytes(in)
	if m.Cmp(n) >= 0 {
		return nil, tee.ErrBadParameters
	}
	out := new(big.Int).Exp(m, exp, n).Bytes()
	if len(out) == 0 {
		out = []byte{0}
	}
	return out, nil
}

// rsaPrivRaw is RSADP with the private key, blinded: math/big's Exp takes time that
// depends on its operands, so the exponentiation runs on m·r^e for a fresh random r
// and the result is unblinded with r⁻¹. The time then says nothing about m, and
// averaging it over calls says nothing about d.
func rsaPrivRaw(in []byte, k *rsa.PrivateKey) ([]byte, error) {
	n := k.N
	if len(in) > (n.BitLen()+7)/8 {
		return nil, tee.ErrBadParameters
	}
	m := new(big.Int).SetBytes(in)
	if m.Cmp(n) >= 0 {
		return nil, tee.ErrBadParameters
	}
	e := big.NewInt(int64(k.E))
	var r, rInv *big.Int
	for {
		var err error
		if r, err = rand.Int(rand.Reader, n); err != nil {
			return nil, tee.ErrGeneric
		}
		if r.Sign() > 0 {
			if rInv = new(big.Int).ModInverse(r, n); rInv != nil {
				break
			}
		}
	}
	c := new(big.Int).Exp(r, e, n)
	c.Mul(c, m).Mod(c, n)
	c.Exp(c, k.D, n)
	c.Mul(c, rInv).Mod(c, n)
	out := c.Bytes()
	if len(out) == 0 {
		out = []byte{0}
	}
	return out, nil
}

// pssSalt is the PSS salt length: TEE_ATTR_RSA_PSS_SALT_LENGTH, else the hash length.
func pssSalt(p map[tee.AttributeID]tee.Attribute, h crypto.Hash) int {
	if s, ok := p[tee.AttrRSAPSSSaltLength]; ok {
		return int(s.A)
	}
	return h.Size()
}

func (op *Operation) rsaSignParams(fn string, as *asymSpec, params []tee.Attribute, digest []byte) map[tee.AttributeID]tee.Attribute {
	var p map[tee.AttributeID]tee.Attribute
	if as.scheme == schRSAPSS {
		p = paramSet(fn, params, tee.AttrRSAPSSSaltLength)
	} else {
		p = paramSet(fn, params)
	}
	op.checkDigestLen(fn, as.hash.Size(), digest)
	return p
}

func (op *Operation) rsaSign(fn string, as *asymSpec, k *asymKey, params []tee.Attribute, digest []byte) []byte {
	p := op.rsaSignParams(fn, as, params, digest)
	if k.rsaPriv == nil {
		misuse(fn, "signing needs an RSA key pair")
	}
	var sig []byte
	var err error
	if as.scheme == schRSAPSS {
		salt := pssSalt(p, as.hash)
		if salt == 0 {
			// crypto/rsa cannot sign with an empty salt (its 0 means "maximal").
			misuseCode(tee.ErrNotSupported, fn, "RSASSA-PSS with a zero salt length is not supported")
		}
		sig, err = rsa.SignPSS(rand.Reader, k.rsaPriv, as.hash, digest, &rsa.PSSOptions{SaltLength: salt})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, k.rsaPriv, as.hash, digest)
	}
	if err != nil {
		misuseCode(rsaError(err).(tee.Result), fn, "RSA signature: %v", err)
	}
	return sig
}

func (op *Operation) rsaVerify(fn string, as *asymSpec, k *asymKey, params []tee.Attribute, digest, sig []byte) bool {
	p := op.rsaSignParams(fn, as, params, digest)
	var err error
	if as.scheme == schRSAPSS {
		// A zero salt length is crypto/rsa's PSSSaltLengthAuto: the signature is accepted
		// whatever its salt length, which includes the empty salt asked for.
		salt := pssSalt(p, as.hash)
		err = rsa.VerifyPSS(k.rsaPub, as.hash, digest, sig, &rsa.PSSOptions{SaltLength: salt})
	} else {
		err = rsa.VerifyPKCS1v15(k.rsaPub, as.hash, digest, sig)
	}
	if err != nil && strings.Contains(err.Error(), "insecure") {
		misuseCode(tee.ErrNotSupported, fn, "RSA: %v", err)
	}
	return err == nil
}

// generateRSA makes an RSA key pair of bits bits with crypto/rsa, which always uses the
// public exponent 65537; a TEE_ATTR_RSA_PUBLIC_EXPONENT param must be that value
// (OP-TEE also rejects exponents that are even or below 65537 with BAD_PARAMETERS).
func generateRSA(bits int, params []tee.Attribute) ([]tee.Attribute, error) {
	if e := attrBig(params, tee.AttrRSAPublicExponent); e != nil && e.Cmp(big.NewInt(65537)) != 0 {
		return nil, tee.ErrBadParameters
	}
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		if strings.Contains(err.Error(), "insecure") || strings.Contains(err.Error(), "1024") {
			return nil, tee.ErrNotSupported
		}
		return nil, err
	}
	priv.Precompute()
	return []tee.Attribute{
		bigAttr(tee.AttrRSAModulus, priv.N),
		bigAttr(tee.AttrRSAPublicExponent, big.NewInt(int64(priv.E))),
		bigAttr(tee.AttrRSAPrivateExponent, priv.D),
		bigAttr(tee.AttrRSAPrime1, priv.Primes[0]),
		bigAttr(tee.AttrRSAPrime2, priv.Primes[1]),
		bigAttr(tee.AttrRSAExponent1, priv.Precomputed.Dp),
		bigAttr(tee.AttrRSAExponent2, priv.Precomputed.Dq),
		bigAttr(tee.AttrRSACoefficient, priv.Precomputed.Qinv),
	}, nil
}
