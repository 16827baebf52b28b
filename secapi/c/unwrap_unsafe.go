package main

/*
#include "sa.h"
*/
import "C"

import (
	"unsafe"

	"github.com/gotee/gotee/secapi"
)

// goSaKeyUnwrap is sa_key_unwrap after sa.c has checked and unpacked the algorithm's
// parameters into v1..v3 and n1, n2: AES CBC / CTR v1 = IV or counter block; AES GCM
// and ChaCha20-Poly1305 v1 = IV or nonce, v2 = AAD, v3 = tag; ChaCha20 v1 = counter,
// v2 = nonce; RSA OAEP n1, n2 = digest, MGF1 digest, v1 = label; EC ElGamal n1 =
// offset, n2 = key length.
//
//export goSaKeyUnwrap
func goSaKeyUnwrap(k *C.sa_key, r *C.sa_rights, typ, curve, alg C.int, wk C.sa_key,
	v1 unsafe.Pointer, l1 C.size_t, v2 unsafe.Pointer, l2 C.size_t, v3 unsafe.Pointer, l3 C.size_t,
	n1, n2 C.uint64_t, in unsafe.Pointer, n C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	if l1 > C.size_t(maxParam) || l2 > C.size_t(maxParam) || l3 > C.size_t(maxParam) {
		return st(secapi.StatusInvalidParameter)
	}
	a, b, c := copied(v1, l1), copied(v2, l2), copied(v3, l3)
	var w secapi.Wrapping
	switch ca := secapi.CipherAlgorithm(uint32(alg)); ca {
	case secapi.AESECB, secapi.AESECBPKCS7:
		w = secapi.AESECBWrap(ca == secapi.AESECBPKCS7)
	case secapi.AESCBC, secapi.AESCBCPKCS7:
		w = secapi.AESCBCWrap(a, ca == secapi.AESCBCPKCS7)
	case secapi.AESCTR:
		w = secapi.AESCTRWrap(a)
	case secapi.AESGCM:
		w = secapi.AESGCMWrap(a, b, c)
	case secapi.ChaCha20:
		w = secapi.ChaCha20Wrap(a, b)
	case secapi.ChaCha20Poly1305:
		w = secapi.ChaCha20Poly1305Wrap(a, b, c)
	case secapi.CipherRSAPKCS1v15:
		w = secapi.RSAPKCS1v15Wrap()
	case secapi.CipherRSAOAEP:
		if n1 > 1<<31 || n2 > 1<<31 {
			return st(secapi.StatusInvalidParameter)
		}
		w = secapi.RSAOAEPWrap(secapi.Digest(n1), secapi.Digest(n2), a)
	case secapi.ECElGamal:
		w = secapi.ECElGamalWrap(uint64(n1), uint64(n2))
	default:
		w = secapi.WrapWith(ca)
	}
	wrapped := copied(in, n)
	defer clear(wrapped)
	return keyResult(k)(client().Unwrap(bg, rights, secapi.KeyType(uint32(typ)), secapi.Curve(uint32(curve)), w, key(uint64(wk)), wrapped))
}

// maxParam bounds an unwrap parameter before it is copied; the TA's request limit
// is smaller still.
const maxParam = 1 << 16

// goSaCipherInitChaCha is sa_crypto_cipher_init for ChaCha20 (counter, nonce) and
// ChaCha20-Poly1305 (nonce, AAD).
//
//export goSaCipherInitChaCha
func goSaCipherInitChaCha(ctx *C.sa_crypto_cipher_context, alg, mode C.int, k C.sa_key,
	counter unsafe.Pointer, counterLen C.size_t, nonce unsafe.Pointer, nonceLen C.size_t,
	aad unsafe.Pointer, aadLen C.size_t) C.sa_status {
	p := secapi.CipherParams{Counter: copied(counter, counterLen), Nonce: copied(nonce, nonceLen)}
	if aad != nil {
		p.AAD = copied(aad, aadLen)
	}
	cs := &cipherState{alg: secapi.CipherAlgorithm(alg), mode: secapi.CipherMode(mode)}
	x, err := client().NewCipher(bg, cs.alg, cs.mode, key(uint64(k)), p)
	if err != nil {
		return errStatus(err)
	}
	cs.x = x
	*ctx = C.sa_crypto_cipher_context(ciphers.add(cs))
	return st(secapi.StatusOK)
}

// goSaCipherInitAsym is sa_crypto_cipher_init for RSA PKCS#1 v1.5, RSA OAEP (digest,
// MGF1 digest, label) and EC ElGamal. The context remembers the key's size: every
// process call needs (and the size query answers) that much output.
//
//export goSaCipherInitAsym
func goSaCipherInitAsym(ctx *C.sa_crypto_cipher_context, alg, mode C.int, k C.sa_key,
	digest, mgf1 C.int, label unsafe.Pointer, labelLen C.size_t) C.sa_status {
	p := secapi.CipherParams{Digest: secapi.Digest(uint32(digest)), MGF1: secapi.Digest(uint32(mgf1))}
	if label != nil {
		p.Label = copied(label, labelLen)
	}
	cs := &cipherState{alg: secapi.CipherAlgorithm(alg), mode: secapi.CipherMode(mode)}
	kk := key(uint64(k))
	x, err := client().NewCipher(bg, cs.alg, cs.mode, kk, p)
	if err != nil {
		return errStatus(err)
	}
	h, err := kk.Header(bg)
	if err != nil {
		x.Release(bg)
		return errStatus(err)
	}
	cs.x, cs.outSize = x, int(h.Size)
	*ctx = C.sa_crypto_cipher_context(ciphers.add(cs))
	return st(secapi.StatusOK)
}
