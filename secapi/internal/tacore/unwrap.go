package tacore

import (
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"math/bits"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// unwrapParams are the algorithm parameters of a KeyUnwrap request.
type unwrapParams struct {
	iv, aad, tag     []byte // AES CBC/CTR (iv = counter block), GCM
	counter, nonce   []byte // ChaCha20, ChaCha20-Poly1305
	digest, mgf1     uint32 // RSA OAEP
	label            []byte // RSA OAEP
	offset, keyLen   uint64 // EC ElGamal
	known            bool
	aes, chacha, rsa bool
}

func readUnwrapParams(rd *protocol.Reader, alg uint32) unwrapParams {
	const lim = protocol.MaxUnwrapVar
	p := unwrapParams{known: true}
	switch alg {
	case protocol.CipherAESECB, protocol.CipherAESECBPKCS7:
		p.aes = true
	case protocol.CipherAESCBC, protocol.CipherAESCBCPKCS7, protocol.CipherAESCTR:
		p.aes, p.iv = true, rd.Var(lim)
	case protocol.CipherAESGCM:
		p.aes, p.iv, p.aad, p.tag = true, rd.Var(lim), rd.Var(lim), rd.Var(lim)
	case protocol.CipherChaCha20:
		p.chacha, p.counter, p.nonce = true, rd.Var(lim), rd.Var(lim)
	case protocol.CipherChaCha20Poly1305:
		p.chacha, p.nonce, p.aad, p.tag = true, rd.Var(lim), rd.Var(lim), rd.Var(lim)
	case protocol.CipherRSAPKCS1v15:
		p.rsa = true
	case protocol.CipherRSAOAEP:
		p.rsa, p.digest, p.mgf1, p.label = true, rd.U32(), rd.U32(), rd.Var(lim)
	case protocol.CipherECElGamal:
		p.offset, p.keyLen = rd.U64(), rd.U64()
	default:
		p.known = false
	}
	return p
}

// checkBeforeKey is the reference's checks of the parameters that come before the
// wrapping key is looked at.
func (p *unwrapParams) checkBeforeKey(alg, typ uint32, in []byte) error {
	bad := false
	switch alg {
	case protocol.CipherAESECB, protocol.CipherAESECBPKCS7:
		bad = len(in)%aesBlock != 0
	case protocol.CipherAESCBC, protocol.CipherAESCBCPKCS7:
		bad = len(p.iv) != aesBlock || len(in)%aesBlock != 0
	case protocol.CipherAESCTR:
		bad = len(p.iv) != aesBlock
	case protocol.CipherAESGCM:
		// An empty tag would authenticate nothing (the reference fails it inside
		// OpenSSL, as INTERNAL_ERROR).
		bad = len(p.iv) != gcmIV || len(p.tag) == 0 || len(p.tag) > aesBlock
	case protocol.CipherChaCha20:
		bad = len(p.counter) != protocol.ChaChaCounter || len(p.nonce) != protocol.ChaChaNonce
	case protocol.CipherChaCha20Poly1305:
		bad = len(p.nonce) != protocol.ChaChaNonce || len(p.tag) != protocol.ChaChaTag
	case protocol.CipherRSAPKCS1v15, protocol.CipherRSAOAEP, protocol.CipherECElGamal:
		// Only symmetric keys come out of the asymmetric wrappings.
		bad = typ != protocol.KeyTypeSymmetric
	}
	if bad {
		return protocol.StatusInvalidParameter
	}
	return nil
}

// keyUnwrap is sa_key_unwrap. Request: rights, u32 key type, u32 curve (EC keys),
// u32 cipher algorithm, u64 wrapping key, then per algorithm: AES CBC / CBC-PKCS7 /
// CTR Var iv; AES GCM Var iv, Var aad, Var tag; ChaCha20 Var counter, Var nonce;
// ChaCha20-Poly1305 Var nonce, Var aad, Var tag; RSA OAEP u32 digest, u32 MGF1
// digest, Var label; EC ElGamal u64 offset, u64 key length; AES ECB and RSA
// PKCS#1 v1.5 nothing. Parameter 2 is the wrapped key. The reply is the new handle.
func (s *slot) keyUnwrap(r *req_, now uint64) error {
	var rights protocol.Rights
	rights.Get(r.rd)
	typ := r.rd.U32()
	curve := r.rd.U32()
	alg := r.rd.U32()
	kh := r.rd.U64()
	p := readUnwrapParams(r.rd, alg)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if !p.known {
		return protocol.StatusInvalidParameter
	}
	if err := p.checkBeforeKey(alg, typ, r.in); err != nil {
		return err
	}
	k, wk, err := s.use(kh, now, -1)
	if err != nil {
		return err
	}
	defer clear(wk)
	hdr := &k.hdr
	// The reference checks the UNWRAP usage before the key type, except for RSA.
	if !p.rsa && !hdr.Rights.Has(protocol.UsageUnwrap) {
		return protocol.StatusOperationNotAllowed
	}
	switch {
	case p.aes:
		if hdr.Type != protocol.KeyTypeSymmetric || len(wk) != 16 && len(wk) != 32 {
			return protocol.StatusInvalidKeyType
		}
	case p.chacha:
		if hdr.Type != protocol.KeyTypeSymmetric || len(wk) != protocol.ChaChaKey {
			return protocol.StatusInvalidKeyType
		}
	case p.rsa:
		if hdr.Type != protocol.KeyTypeRSA || !validRSASize(int(hdr.Size)) {
			return protocol.StatusInvalidKeyType
		}
		if !hdr.Rights.Has(protocol.UsageUnwrap) {
			return protocol.StatusOperationNotAllowed
		}
		if len(r.in) != int(hdr.Size) {
			return protocol.StatusInvalidParameter
		}
	default: // EC ElGamal
		if hdr.Type != protocol.KeyTypeEC || ecSize(hdr.Curve) != int(hdr.Size) {
			return protocol.StatusInvalidKeyType
		}
		n := uint64(hdr.Size)
		end, carry := bits.Add64(p.offset, p.keyLen, 0)
		if p.keyLen < minSymmetric || carry != 0 || end > n || uint64(len(r.in)) != 4*n {
			return protocol.StatusInvalidParameter
		}
		if !isPCurve(hdr.Curve) {
			return protocol.StatusOperationNotAllowed
		}
	}
	in := append([]byte(nil), r.in...) // shared memory can change under us
	clearKey, err := s.unwrapDecrypt(alg, &p, hdr, wk, in)
	if err != nil {
		return err
	}
	defer clear(clearKey)
	return s.storeUnwrapped(r, rights, typ, curve, &hdr.Rights, clearKey)
}

// unwrapDecrypt decrypts the wrapped key with the one-shot forms of the cipher
// contexts' algorithms. PKCS#7 padding that does not check out is
// INVALID_KEY_FORMAT, as the reference.
func (s *slot) unwrapDecrypt(alg uint32, p *unwrapParams, hdr *protocol.Header, wk, in []byte) ([]byte, error) {
	switch alg {
	case protocol.CipherAESECB, protocol.CipherAESECBPKCS7, protocol.CipherAESCBC, protocol.CipherAESCBCPKCS7:
		out, err := aesBlockDecrypt(alg, wk, p.iv, in)
		if err != nil {
			return nil, err
		}
		if alg == protocol.CipherAESECBPKCS7 || alg == protocol.CipherAESCBCPKCS7 {
			n, ok := pkcs7Length(out)
			if !ok {
				clear(out)
				return nil, protocol.StatusInvalidKeyFormat
			}
			out = out[:n]
		}
		return out, nil
	case protocol.CipherAESCTR:
		return aesCTR(wk, p.iv, in)
	case protocol.CipherAESGCM:
		return gcmOpen(wk, p.iv, p.aad, in, p.tag)
	case protocol.CipherChaCha20:
		return chachaOpen(wk, p.nonce, binary.LittleEndian.Uint32(p.counter), false, nil, in, nil)
	case protocol.CipherChaCha20Poly1305:
		return chachaOpen(wk, p.nonce, 0, true, p.aad, in, p.tag)
	case protocol.CipherRSAPKCS1v15, protocol.CipherRSAOAEP:
		mode := uint32(protocol.CipherModeDecrypt)
		a, err := newAsymDecrypter(alg, mode, hdr, wk, p.digest, p.mgf1, p.label)
		if err != nil {
			return nil, err
		}
		defer a.free()
		return a.decrypt(in)
	}
	ek, err := parseElGamal(hdr, wk)
	if err != nil {
		return nil, err
	}
	m, err := ek.decrypt(in)
	if err != nil {
		return nil, err
	}
	defer clear(m)
	return append([]byte(nil), m[p.offset:p.offset+p.keyLen]...), nil
}

// pkcs7Length checks the PKCS#7 padding of the last block in constant time and
// returns the unpadded length.
func pkcs7Length(b []byte) (int, bool) {
	if len(b) < aesBlock {
		return 0, false
	}
	last := b[len(b)-aesBlock:]
	n := int(last[aesBlock-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aesBlock)
	for i := range aesBlock {
		// Bytes within the padding must equal n.
		in := subtle.ConstantTimeLessOrEq(aesBlock-n, i)
		good &= subtle.ConstantTimeSelect(in, subtle.ConstantTimeByteEq(last[i], byte(n)), 1)
	}
	return len(b) - n, good == 1
}

// aesBlockDecrypt is AES-ECB or AES-CBC decryption without padding on the SDK.
func aesBlockDecrypt(alg uint32, key, iv, in []byte) ([]byte, error) {
	galg := tee.AlgAESECBNoPad
	if alg == protocol.CipherAESCBC || alg == protocol.CipherAESCBCPKCS7 {
		galg = tee.AlgAESCBCNoPad
	} else {
		iv = nil
	}
	op, err := aesOp(galg, tee.ModeDecrypt, key)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	op.CipherInit(iv)
	if len(in) == 0 {
		return []byte{}, nil
	}
	return update(op, in)
}

// aesCTR is AES-CTR with a 128-bit counter block on the SDK.
func aesCTR(key, ctr, in []byte) ([]byte, error) {
	op, err := aesOp(tee.AlgAESCTR, tee.ModeEncrypt, key)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	op.CipherInit(ctr)
	if len(in) == 0 {
		return []byte{}, nil
	}
	return update(op, in)
}

// gcmOpen is one-shot AES-GCM decryption with a tag of 1 to 16 bytes, built as the
// GCM contexts are (cipher.go): the payload through AES-CTR from J0+1, the tag from
// the SDK's GCM over the recovered plaintext, compared over the tag's length.
func gcmOpen(key, iv, aad, in, tag []byte) ([]byte, error) {
	ctr := make([]byte, aesBlock)
	copy(ctr, iv)
	ctr[15] = 2
	plain, err := aesCTR(key, ctr, in)
	if err != nil {
		return nil, err
	}
	ae, err := aesOp(tee.AlgAESGCM, tee.ModeEncrypt, key)
	if err != nil {
		clear(plain)
		return nil, err
	}
	defer ae.Free()
	if err := ae.AEInit(iv, 128, len(aad), 0); err != nil {
		clear(plain)
		return nil, protocol.StatusInternalError
	}
	if len(aad) > 0 {
		ae.AEUpdateAAD(aad)
	}
	full := make([]byte, aesBlock)
	scratch := make([]byte, len(plain))
	_, _, err = ae.AEEncryptFinal(scratch, full, plain)
	clear(scratch)
	if err != nil {
		clear(plain)
		return nil, protocol.StatusInternalError
	}
	if subtle.ConstantTimeCompare(full[:len(tag)], tag) != 1 {
		clear(plain)
		return nil, protocol.StatusVerificationFailed
	}
	return plain, nil
}

// storeUnwrapped keeps the unwrapped key as a key of type typ, with the caller's
// rights restricted by the wrapping key's as derive restricts them (restrictChild).
// Symmetric keys are 16 to 512 bytes, EC keys PKCS#8 of the given curve, RSA keys
// PKCS#8 (a bad encoding of either is INVALID_KEY_FORMAT); another type, a bad size
// and malformed rights are INVALID_PARAMETER.
func (s *slot) storeUnwrapped(r *req_, rights protocol.Rights, typ, curve uint32, parent *protocol.Rights, b []byte) error {
	if typ != protocol.KeyTypeSymmetric && typ != protocol.KeyTypeEC && typ != protocol.KeyTypeRSA {
		return protocol.StatusInvalidParameter
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
	restrictChild(&rights, parent)
	hdr := protocol.Header{Rights: rights, Type: uint8(typ)}
	switch typ {
	case protocol.KeyTypeSymmetric:
		if len(b) < minSymmetric || len(b) > maxSymmetric {
			return protocol.StatusInvalidParameter
		}
		hdr.Size = uint16(len(b))
		h, err := s.newKey(hdr, append([]byte(nil), b...), nil)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case protocol.KeyTypeEC:
		size := ecSize(curve)
		if size == 0 {
			return protocol.StatusInvalidParameter
		}
		k, ok := parseEC(curve, append([]byte(nil), b...))
		if !ok {
			return protocol.StatusInvalidKeyFormat
		}
		hdr.Curve, hdr.Size = curve, uint16(size)
		return s.storeAsym(r, hdr, k)
	}
	k, err := x509.ParsePKCS8PrivateKey(append([]byte(nil), b...))
	rk, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok {
		return protocol.StatusInvalidKeyFormat
	}
	if !validRSASize(rk.Size()) {
		return protocol.StatusInvalidParameter
	}
	hdr.Size = uint16(rk.Size())
	return s.storeAsym(r, hdr, rk)
}
