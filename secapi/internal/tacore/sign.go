package tacore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"math/big"

	"github.com/cloudflare/circl/sign/ed448"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// outSpec is the out / out_length pair of SecAPI calls that size their output: with
// no output buffer (hasOut 0) the call only reports the length it needs; with one
// smaller than needed it is SA_STATUS_INVALID_PARAMETER, as in the reference.
type outSpec struct {
	hasOut bool
	length uint64
}

func readOutSpec(rd *protocol.Reader) outSpec {
	return outSpec{hasOut: rd.U32() != 0, length: rd.U64()}
}

// check answers a length query (done) or refuses a short buffer.
func (o outSpec) check(r *req_, need int) (done bool, err error) {
	if !o.hasOut {
		return true, r.replyU64(uint64(need))
	}
	if o.length < uint64(need) {
		return true, protocol.StatusInvalidParameter
	}
	return false, nil
}

func validDigest(d uint32) bool { return d <= protocol.DigestSHA512 }

// keySign is sa_crypto_sign. Request: u32 algorithm, u64 key, u32 digest, u32 mgf1
// digest, u32 precomputed digest, u64 salt length, out spec; parameter 2 is the input.
func (s *slot) keySign(r *req_, now uint64) error {
	alg := r.rd.U32()
	kh := r.rd.U64()
	digest := r.rd.U32()
	mgf1 := r.rd.U32()
	pre := r.rd.U32() != 0
	salt := r.rd.U64()
	o := readOutSpec(r.rd)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if alg > protocol.SignEdDSA {
		return protocol.StatusInvalidParameter
	}
	in := r.in
	if in == nil {
		in = []byte{}
	}
	k, plain, err := s.use(kh, now, protocol.UsageSign)
	if err != nil {
		return err
	}
	defer clear(plain)
	hdr := &k.hdr
	if alg != protocol.SignEdDSA && !validDigest(digest) ||
		alg == protocol.SignRSAPSS && !validDigest(mgf1) {
		return protocol.StatusInvalidParameter
	}
	var need int
	switch alg {
	case protocol.SignECDSA:
		if hdr.Type == protocol.KeyTypeEC && !isPCurve(hdr.Curve) {
			return protocol.StatusInvalidParameter
		}
		if hdr.Type != protocol.KeyTypeEC || ecSize(hdr.Curve) != int(hdr.Size) {
			return protocol.StatusInvalidKeyType
		}
		need = 2 * int(hdr.Size)
	case protocol.SignEdDSA:
		if hdr.Type == protocol.KeyTypeEC && hdr.Curve != protocol.CurveEd25519 && hdr.Curve != protocol.CurveEd448 {
			return protocol.StatusInvalidParameter
		}
		if hdr.Type != protocol.KeyTypeEC || ecSize(hdr.Curve) != int(hdr.Size) {
			return protocol.StatusInvalidKeyType
		}
		need = 2 * int(hdr.Size)
	default:
		if hdr.Type != protocol.KeyTypeRSA || !validRSASize(int(hdr.Size)) {
			return protocol.StatusInvalidKeyType
		}
		need = int(hdr.Size)
	}
	if done, err := o.check(r, need); done {
		return err
	}
	if alg == protocol.SignRSAPSS && salt > uint64(int(hdr.Size)-hashOf(digest).Size()-2) {
		return protocol.StatusInvalidParameter
	}
	if need > r.outCap {
		r.need = need
		return tee.ErrShortBuffer
	}
	msg := append([]byte(nil), in...) // shared memory can change under us
	var d []byte
	if alg != protocol.SignEdDSA {
		h := hashOf(digest)
		if pre {
			if len(msg) != h.Size() {
				return protocol.StatusInvalidParameter
			}
			d = msg
		} else {
			hh := h.New()
			hh.Write(msg)
			d = hh.Sum(nil)
		}
	}
	key, err := parseKey(hdr, plain)
	if err != nil {
		return err
	}
	var sig []byte
	switch alg {
	case protocol.SignECDSA:
		if pk, ok := key.(*p192Key); ok {
			sig, err = pk.sign(digest, d)
		} else {
			sig, err = signECDSA(key.(*ecdsa.PrivateKey), d, int(hdr.Size))
		}
	case protocol.SignEdDSA:
		switch kk := key.(type) {
		case ed25519.PrivateKey:
			sig = ed25519.Sign(kk, msg)
		case ed448.PrivateKey:
			sig = ed448.Sign(kk, msg, "")
		default:
			err = protocol.StatusInternalError
		}
	case protocol.SignRSAPKCS1v15:
		sig, err = rsa.SignPKCS1v15(nil, key.(*rsa.PrivateKey), hashOf(digest), d)
	case protocol.SignRSAPSS:
		sig, err = signPSS(key.(*rsa.PrivateKey), hashOf(digest), hashOf(mgf1), int(salt), d)
	}
	if err != nil {
		return protocol.StatusInternalError
	}
	return r.reply(sig)
}

// signECDSA signs digest and returns r||s, each left-padded to size bytes, as the
// reference outputs ECDSA signatures.
func signECDSA(k *ecdsa.PrivateKey, digest []byte, size int) ([]byte, error) {
	der, err := ecdsa.SignASN1(rand.Reader, k, digest)
	if err != nil {
		return nil, err
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, err
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}

// signPSS is RSASSA-PSS with any salt length (0 included) and an MGF1 digest that may
// differ from the message digest, which SecAPI allows and Go's rsa.SignPSS does not:
// Go signs when it can; otherwise the EMSA-PSS encoding (RFC 8017 §9.1.1) goes through
// the SDK's RSA primitive (TEE_ALG_RSA_NOPAD).
func signPSS(k *rsa.PrivateKey, h, mgf crypto.Hash, salt int, digest []byte) ([]byte, error) {
	if h == mgf && salt > 0 {
		return rsa.SignPSS(rand.Reader, k, h, digest, &rsa.PSSOptions{SaltLength: salt, Hash: h})
	}
	emBits := k.N.BitLen() - 1
	em, err := emsaPSSEncode(digest, emBits, h, mgf, salt)
	if err != nil {
		return nil, err
	}
	return rsaPrivateRaw(k, em)
}

func emsaPSSEncode(mHash []byte, emBits int, h, mgf crypto.Hash, sLen int) ([]byte, error) {
	hLen := h.Size()
	emLen := (emBits + 7) / 8
	if emLen < hLen+sLen+2 {
		return nil, protocol.StatusInvalidParameter
	}
	em := make([]byte, emLen)
	psLen := emLen - sLen - hLen - 2
	db := em[:psLen+1+sLen]
	hash := em[psLen+1+sLen : emLen-1]
	salt := db[psLen+1:]
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	hh := h.New()
	hh.Write(make([]byte, 8))
	hh.Write(mHash)
	hh.Write(salt)
	hash = hh.Sum(hash[:0])
	db[psLen] = 0x01
	mgf1XOR(db, mgf, hash)
	db[0] &= 0xff >> (8*emLen - emBits)
	em[emLen-1] = 0xbc
	return em, nil
}

// mgf1XOR XORs out with MGF1(seed) (RFC 8017 §B.2.1).
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	done := 0
	for done < len(out) {
		hh := h.New()
		hh.Write(seed)
		hh.Write(counter[:])
		for _, b := range hh.Sum(nil) {
			if done >= len(out) {
				break
			}
			out[done] ^= b
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
}

// rsaPrivateRaw is m^d mod n through the SDK's TEE_ALG_RSA_NOPAD decryption.
func rsaPrivateRaw(k *rsa.PrivateKey, m []byte) ([]byte, error) {
	bits := k.N.BitLen()
	obj, err := ta.AllocateTransientObject(tee.TypeRSAKeypair, bits)
	if err != nil {
		return nil, err
	}
	defer obj.Free()
	k.Precompute()
	attr := func(id tee.AttributeID, v *big.Int) tee.Attribute { return tee.Attribute{ID: id, Ref: v.Bytes()} }
	if err := obj.Populate(
		attr(tee.AttrRSAModulus, k.N),
		attr(tee.AttrRSAPublicExponent, big.NewInt(int64(k.E))),
		attr(tee.AttrRSAPrivateExponent, k.D),
		attr(tee.AttrRSAPrime1, k.Primes[0]),
		attr(tee.AttrRSAPrime2, k.Primes[1]),
		attr(tee.AttrRSAExponent1, k.Precomputed.Dp),
		attr(tee.AttrRSAExponent2, k.Precomputed.Dq),
		attr(tee.AttrRSACoefficient, k.Precomputed.Qinv),
	); err != nil {
		return nil, err
	}
	op, err := ta.AllocateOperation(tee.AlgRSANoPad, tee.ModeDecrypt, bits)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	if err := op.SetKey(obj); err != nil {
		return nil, err
	}
	out := make([]byte, k.Size())
	n, err := op.AsymmetricDecrypt(out, nil, m)
	if err != nil {
		return nil, err
	}
	// NOPAD output drops leading zeros; a signature is exactly k bytes.
	sig := make([]byte, k.Size())
	copy(sig[len(sig)-n:], out[:n])
	return sig, nil
}
