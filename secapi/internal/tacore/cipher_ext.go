package tacore

import (
	"crypto/rsa"
	"crypto/subtle"
	"encoding/binary"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/poly1305" //lint:ignore SA1019 ChaCha20-Poly1305 is built here from its parts, to stream it (see chachaState)

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// The cipher algorithms past AES: ChaCha20, ChaCha20-Poly1305 (RFC 8439) and the
// decrypt-only asymmetric ones, RSA PKCS#1 v1.5, RSA OAEP and EC ElGamal. cipher.go
// hands a context of one of them to cipherInitExt and cipherProcessExt.

// isExtCipher reports whether alg is one of this file's algorithms.
func isExtCipher(alg uint32) bool {
	return alg >= protocol.CipherRSAPKCS1v15 && alg <= protocol.CipherChaCha20Poly1305
}

// extCipher is the state of a context of one of this file's algorithms.
type extCipher struct {
	chacha *chachaState
	asym   *asymDecrypter
}

func (e *extCipher) free() {
	if e.chacha != nil {
		e.chacha.free()
	}
	if e.asym != nil {
		e.asym.free()
	}
}

// chachaState streams ChaCha20 and ChaCha20-Poly1305 as SecAPI's process calls
// arrive: output at once, the Poly1305 tag at process-last. The SDK has no ChaCha20,
// and x/crypto's chacha20poly1305 is one-shot, so the AEAD is composed here from
// x/crypto's ChaCha20 and Poly1305 exactly as RFC 8439 §2.8 composes it.
type chachaState struct {
	c    *chacha20.Cipher
	left uint64 // key stream bytes before the 32-bit block counter would wrap
	// ChaCha20-Poly1305 only:
	mac           *poly1305.MAC
	aadLen, ctLen uint64
}

func (s *chachaState) free() { s.c, s.mac = nil, nil }

// newChaCha starts ChaCha20 at block counter (RFC 8439 §2.4), or, with aead,
// ChaCha20-Poly1305 over aad: the Poly1305 key is block 0's first 32 bytes and the
// payload starts at block 1 (§2.6, §2.8).
func newChaCha(key, nonce []byte, counter uint32, aead bool, aad []byte) (*chachaState, error) {
	c, err := chacha20.NewUnauthenticatedCipher(key, nonce)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	s := &chachaState{c: c}
	if aead {
		var pk [32]byte
		c.XORKeyStream(pk[:], pk[:])
		s.mac = poly1305.New(&pk)
		clear(pk[:])
		s.mac.Write(aad)
		s.mac.Write(make([]byte, pad16(len(aad))))
		s.aadLen = uint64(len(aad))
		counter = 1
	}
	c.SetCounter(counter)
	s.left = (1<<32 - uint64(counter)) * 64
	return s, nil
}

func pad16(n int) int { return (16 - n%16) % 16 }

// fits reports whether n more bytes stay within the block counter: x/crypto panics
// past it, OpenSSL would carry into the nonce, SecAPI defines neither.
func (s *chachaState) fits(n int) bool { return uint64(n) <= s.left }

// xor runs src through the key stream; for ChaCha20-Poly1305 the ciphertext (src when
// decrypting, the output when encrypting) goes into the MAC.
func (s *chachaState) xor(src []byte, encrypt bool) []byte {
	out := make([]byte, len(src))
	if s.mac != nil && !encrypt {
		s.mac.Write(src)
	}
	s.c.XORKeyStream(out, src)
	if s.mac != nil && encrypt {
		s.mac.Write(out)
	}
	s.left -= uint64(len(src))
	s.ctLen += uint64(len(src))
	return out
}

// tag ends the Poly1305 input (padding and both lengths) and returns the tag.
func (s *chachaState) tag() []byte {
	s.mac.Write(make([]byte, pad16(int(s.ctLen%16))))
	var lens [16]byte
	binary.LittleEndian.PutUint64(lens[:8], s.aadLen)
	binary.LittleEndian.PutUint64(lens[8:], s.ctLen)
	s.mac.Write(lens[:])
	return s.mac.Sum(nil)
}

// chachaOpen is one-shot ChaCha20 / ChaCha20-Poly1305 decryption for key unwrap,
// over the same state the contexts stream with. A wrong tag is VERIFICATION_FAILED.
func chachaOpen(key, nonce []byte, counter uint32, aead bool, aad, in, tag []byte) ([]byte, error) {
	s, err := newChaCha(key, nonce, counter, aead, aad)
	if err != nil {
		return nil, err
	}
	defer s.free()
	if !s.fits(len(in)) {
		return nil, protocol.StatusInvalidParameter
	}
	out := s.xor(in, false)
	if aead && subtle.ConstantTimeCompare(s.tag(), tag) != 1 {
		clear(out)
		return nil, protocol.StatusVerificationFailed
	}
	return out, nil
}

// cipherInitExt is CipherInit for this file's algorithms. Its request, after the u32
// algorithm: u32 mode, u64 key, then ChaCha20 Var counter, Var nonce;
// ChaCha20-Poly1305 Var nonce (AAD in parameter 2); RSA OAEP u32 digest, u32 MGF1
// digest (label in parameter 2); RSA PKCS#1 v1.5 and EC ElGamal nothing.
func (s *slot) cipherInitExt(r *req_, now uint64, alg uint32) error {
	mode := r.rd.U32()
	kh := r.rd.U64()
	var counter, nonce []byte
	var digest, mgf1 uint32
	switch alg {
	case protocol.CipherChaCha20:
		counter = r.rd.Var(protocol.MaxIV)
		nonce = r.rd.Var(protocol.MaxIV)
	case protocol.CipherChaCha20Poly1305:
		nonce = r.rd.Var(protocol.MaxIV)
	case protocol.CipherRSAOAEP:
		digest, mgf1 = r.rd.U32(), r.rd.U32()
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	if mode != protocol.CipherModeEncrypt && mode != protocol.CipherModeDecrypt {
		return protocol.StatusInvalidParameter
	}
	// As the reference: the key's rights for the mode first, then its type, then the
	// algorithm's parameters.
	k, plain, err := s.use(kh, now, usageFor(mode))
	if err != nil {
		return err
	}
	defer clear(plain)
	hdr := &k.hdr
	e := &extCipher{}
	switch alg {
	case protocol.CipherChaCha20, protocol.CipherChaCha20Poly1305:
		if hdr.Type != protocol.KeyTypeSymmetric || len(plain) != protocol.ChaChaKey {
			return protocol.StatusInvalidKeyType
		}
		if len(nonce) != protocol.ChaChaNonce {
			return protocol.StatusInvalidParameter
		}
		aead := alg == protocol.CipherChaCha20Poly1305
		var ctr uint32
		if !aead {
			if len(counter) != protocol.ChaChaCounter {
				return protocol.StatusInvalidParameter
			}
			ctr = binary.LittleEndian.Uint32(counter)
		} else if len(r.in) > protocol.MaxAAD {
			return protocol.StatusInvalidParameter
		}
		if e.chacha, err = newChaCha(plain, nonce, ctr, aead, append([]byte(nil), r.in...)); err != nil {
			return err
		}
	default:
		if e.asym, err = newAsymDecrypter(alg, mode, hdr, plain, digest, mgf1, r.in); err != nil {
			return err
		}
	}
	c := &cipherCtx{alg: alg, mode: mode, rights: hdr.Rights, ext: e}
	h, err := s.ciphers.add(c)
	if err != nil {
		c.free()
		return err
	}
	return r.replyU64(h)
}

// cipherProcessExt is CipherProcess and CipherProcessLast for this file's
// algorithms, after cipher.go has decoded the request and found the context.
func (s *slot) cipherProcessExt(r *req_, c *cipherCtx, now uint64, last bool, tagLen uint32, tag []byte, clearOut bool) error {
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if c.done {
		return protocol.StatusInvalidParameter
	}
	if a := c.ext.asym; a != nil {
		return s.asymProcess(r, c, a, now, last, clearOut)
	}
	st := c.ext.chacha
	aead := st.mac != nil
	enc := c.mode == protocol.CipherModeEncrypt
	// The request has no "no end parameters" form: a zero tag length stands for
	// it (NULL_PARAMETER, as the reference); any other length but 16 is invalid.
	if aead && last && tagLen == 0 {
		return protocol.StatusNullParameter
	}
	if aead && last && (tagLen != protocol.ChaChaTag || !enc && len(tag) != protocol.ChaChaTag) {
		return protocol.StatusInvalidParameter
	}
	if !st.fits(len(r.in)) {
		return protocol.StatusInvalidParameter
	}
	if !c.processAllowed(now, clearOut) {
		return protocol.StatusOperationNotAllowed
	}
	if r.noOut {
		return protocol.StatusNullParameter
	}
	need := len(r.in)
	if aead && last && enc {
		need += protocol.ChaChaTag
	}
	if need > r.outCap {
		r.need = need
		return tee.ErrShortBuffer
	}
	src := append([]byte(nil), r.in...) // shared memory can change under us
	defer clear(src)
	out := st.xor(src, enc)
	if !last {
		return r.reply(out)
	}
	c.done = true
	if !aead {
		return r.reply(out)
	}
	t := st.tag()
	if enc {
		return r.reply(append(out, t...))
	}
	if subtle.ConstantTimeCompare(t, tag) != 1 {
		clear(out)
		return protocol.StatusVerificationFailed
	}
	return r.reply(out)
}

// asymProcess decrypts one RSA or EC ElGamal block: the input must be exactly the
// key's ciphertext size; there is no process-last (INVALID_PARAMETER, as the
// reference).
func (s *slot) asymProcess(r *req_, c *cipherCtx, a *asymDecrypter, now uint64, last, clearOut bool) error {
	if last || len(r.in) != a.inSize() {
		return protocol.StatusInvalidParameter
	}
	if !c.processAllowed(now, clearOut) {
		return protocol.StatusOperationNotAllowed
	}
	if r.noOut {
		return protocol.StatusNullParameter
	}
	if need := a.outSize(); need > r.outCap {
		r.need = need
		return tee.ErrShortBuffer
	}
	in := append([]byte(nil), r.in...)
	out, err := a.decrypt(in)
	if err != nil {
		return err
	}
	defer clear(out)
	return r.reply(out)
}

// rsaDecrypt is RSAES-PKCS1-v1_5 or RSAES-OAEP decryption (oaep nil: PKCS#1 v1.5).
// Every failure is the one status VERIFICATION_FAILED, as the reference, and Go's
// decryption does not tell its failures apart by timing either. That status is still
// the padding oracle PKCS#1 v1.5 decryption always is (Bleichenbacher): SecAPI
// requires the algorithm and the reference reports it, so a key that needs no v1.5
// should not be given DECRYPT or UNWRAP for it.
func rsaDecrypt(k *rsa.PrivateKey, oaep *rsa.OAEPOptions, in []byte) ([]byte, error) {
	var out []byte
	var err error
	if oaep != nil {
		out, err = k.Decrypt(nil, in, oaep)
	} else {
		//lint:ignore SA1019 SecAPI's SA_CIPHER_ALGORITHM_RSA_PKCS1V15 is this algorithm.
		out, err = rsa.DecryptPKCS1v15(nil, k, in)
	}
	if err != nil {
		return nil, protocol.StatusVerificationFailed
	}
	return out, nil
}
