package main

/*
#cgo CFLAGS: -I${SRCDIR}/include -Wall -Werror
#include <string.h>
#include "sa.h"
*/
import "C"

import (
	"time"
	"unsafe"

	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// The Go side of sa.c: every function gets pointers sa.c has checked for NULL
// (where the API requires them) and flat arguments sa.c has unpacked from the
// parameter structures, and returns an sa_status.

func st(s secapi.Status) C.sa_status { return C.sa_status(s) }

func errStatus(err error) C.sa_status { return st(statusOf(err)) }

// bytesOf is a Go view of C memory (nil for a NULL pointer or no bytes).
func bytesOf(p unsafe.Pointer, n C.size_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), int(n))
}

// copied is a Go copy of C memory, never nil: "present, maybe empty".
func copied(p unsafe.Pointer, n C.size_t) []byte {
	return append([]byte{}, bytesOf(p, n)...)
}

// rightsOf converts an sa_rights.
func rightsOf(r *C.sa_rights) (secapi.Rights, bool) {
	id := C.GoBytes(unsafe.Pointer(&r.id[0]), C.int(len(r.id)))
	n := 0
	for n < len(id) && id[n] != 0 {
		n++
	}
	if n == len(id) {
		return secapi.Rights{}, false
	}
	out := secapi.Rights{ID: string(id[:n]), Usage: uint64(r.usage_flags), ChildUsage: uint64(r.child_usage_flags)}
	if nb := uint64(r.not_before); nb != 0 {
		if nb > 1<<62 {
			return secapi.Rights{}, false
		}
		out.NotBefore = time.Unix(int64(nb), 0)
	}
	// All ones (and anything past year 10^11) is "no end".
	if na := uint64(r.not_on_or_after); na <= 1<<62 {
		out.NotOnOrAfter = time.Unix(int64(na), 0)
		if na == 0 {
			out.NotOnOrAfter = time.Unix(0, 1) // the zero time would mean "no end"
		}
	}
	for i := range r.allowed_tas {
		var u tee.UUID
		copy(u[:], C.GoBytes(unsafe.Pointer(&r.allowed_tas[i].id[0]), 16))
		out.AllowedTAs = append(out.AllowedTAs, u)
	}
	return out, true
}

// putOut copies b to out under the *outLen protocol: out NULL asks for the size,
// a short buffer is SA_STATUS_INVALID_PARAMETER.
func putOut(out unsafe.Pointer, outLen *C.size_t, b []byte) C.sa_status {
	if out == nil {
		*outLen = C.size_t(len(b))
		return st(secapi.StatusOK)
	}
	if int(*outLen) < len(b) {
		return st(secapi.StatusInvalidParameter)
	}
	copy(bytesOf(out, C.size_t(len(b))), b)
	*outLen = C.size_t(len(b))
	return st(secapi.StatusOK)
}

//export goSaVersion
func goSaVersion(v *C.sa_version) C.sa_status {
	ver, err := client().Version(bg)
	if err != nil {
		return errStatus(err)
	}
	v.specification_major = C.uint64_t(ver.SpecificationMajor)
	v.specification_minor = C.uint64_t(ver.SpecificationMinor)
	v.specification_revision = C.uint64_t(ver.SpecificationRevision)
	v.implementation_revision = C.uint64_t(ver.ImplementationRevision)
	return st(secapi.StatusOK)
}

//export goSaName
func goSaName(name *C.char, n *C.size_t) C.sa_status {
	s, err := client().Name(bg)
	if err != nil {
		return errStatus(err)
	}
	return putOut(unsafe.Pointer(name), n, append([]byte(s), 0))
}

//export goSaDeviceID
func goSaDeviceID(id *C.uint64_t) C.sa_status {
	v, err := client().DeviceID(bg)
	if err != nil {
		return errStatus(err)
	}
	*id = C.uint64_t(v)
	return st(secapi.StatusOK)
}

//export goSaTAUUID
func goSaTAUUID(u *C.sa_uuid) C.sa_status {
	v, err := client().TAUUID(bg)
	if err != nil {
		return errStatus(err)
	}
	copy(bytesOf(unsafe.Pointer(&u.id[0]), 16), v[:])
	return st(secapi.StatusOK)
}

//export goSaRandom
func goSaRandom(out unsafe.Pointer, n C.size_t) C.sa_status {
	if n == 0 {
		return st(secapi.StatusOK)
	}
	b := make([]byte, int(n))
	if err := client().Random(bg, b); err != nil {
		return errStatus(err)
	}
	copy(bytesOf(out, n), b)
	clear(b)
	return st(secapi.StatusOK)
}

//export goSaKeyGenerate
func goSaKeyGenerate(k *C.sa_key, r *C.sa_rights, typ C.int, param C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	var key *secapi.Key
	var err error
	switch typ {
	case C.SA_KEY_TYPE_SYMMETRIC:
		if param > 1<<16 {
			return st(secapi.StatusInvalidParameter)
		}
		key, err = client().GenerateSymmetric(bg, rights, int(param))
	case C.SA_KEY_TYPE_EC:
		if param > 1<<31 {
			return st(secapi.StatusInvalidParameter)
		}
		key, err = client().GenerateEC(bg, rights, secapi.Curve(param))
	case C.SA_KEY_TYPE_RSA:
		if param > 1<<16 {
			return st(secapi.StatusInvalidParameter)
		}
		key, err = client().GenerateRSA(bg, rights, int(param))
	default:
		return st(secapi.StatusOperationNotSupported)
	}
	if err != nil {
		return errStatus(err)
	}
	*k = C.sa_key(key.Handle())
	return st(secapi.StatusOK)
}

//export goSaKeyImportSymmetric
func goSaKeyImportSymmetric(k *C.sa_key, r *C.sa_rights, in unsafe.Pointer, n C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	b := copied(in, n)
	defer clear(b)
	key, err := client().ImportSymmetric(bg, rights, b)
	if err != nil {
		return errStatus(err)
	}
	*k = C.sa_key(key.Handle())
	return st(secapi.StatusOK)
}

//export goSaKeyGenerateDH
func goSaKeyGenerateDH(k *C.sa_key, r *C.sa_rights, p unsafe.Pointer, pLen C.size_t, g unsafe.Pointer, gLen C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	// The library refuses p or g over 513 bytes; this only bounds the copy.
	if pLen > 4096 || gLen > 4096 {
		return st(secapi.StatusInvalidParameter)
	}
	return keyResult(k)(client().GenerateDH(bg, rights, copied(p, pLen), copied(g, gLen)))
}

// keyResult stores a new key's handle in *k.
func keyResult(k *C.sa_key) func(*secapi.Key, error) C.sa_status {
	return func(key *secapi.Key, err error) C.sa_status {
		if err != nil {
			return errStatus(err)
		}
		*k = C.sa_key(key.Handle())
		return st(secapi.StatusOK)
	}
}

// goSaKeyImport imports the PKCS#8 formats (r the parameters' rights, curve for
// EC_PRIVATE_BYTES) and SA_KEY_FORMAT_EXPORTED (r NULL).
//
//export goSaKeyImport
func goSaKeyImport(k *C.sa_key, format C.int, r *C.sa_rights, curve C.int, in unsafe.Pointer, n C.size_t) C.sa_status {
	b := copied(in, n)
	defer clear(b)
	if format == C.SA_KEY_FORMAT_EXPORTED {
		return keyResult(k)(client().ImportExported(bg, b))
	}
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	switch format {
	case C.SA_KEY_FORMAT_EC_PRIVATE_BYTES:
		return keyResult(k)(client().ImportEC(bg, rights, secapi.Curve(uint32(curve)), b))
	case C.SA_KEY_FORMAT_RSA_PRIVATE_KEY_INFO:
		return keyResult(k)(client().ImportRSA(bg, rights, b))
	}
	return st(secapi.StatusOperationNotSupported)
}

//export goSaKeyExport
func goSaKeyExport(out unsafe.Pointer, outLen *C.size_t, mixin unsafe.Pointer, mixinLen C.size_t, k C.sa_key) C.sa_status {
	var m []byte
	if mixin != nil {
		if mixinLen > 64 {
			return st(secapi.StatusInvalidParameter)
		}
		m = copied(mixin, mixinLen)
	}
	if out == nil {
		n, err := key(uint64(k)).ExportLength(bg, m)
		if err != nil {
			return errStatus(err)
		}
		*outLen = C.size_t(n)
		return st(secapi.StatusOK)
	}
	b, err := key(uint64(k)).Export(bg, m)
	if err != nil {
		return errStatus(err)
	}
	return putOut(out, outLen, b)
}

//export goSaKeyExchange
func goSaKeyExchange(k *C.sa_key, r *C.sa_rights, alg C.int, priv C.sa_key, other unsafe.Pointer, n C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	return keyResult(k)(key(uint64(priv)).Exchange(bg, secapi.KeyExchangeAlgorithm(uint32(alg)), rights, copied(other, n)))
}

// deriveLength bounds a size_t key length before it becomes an int (the TA
// refuses anything over 512 bytes anyway).
func deriveLength(n C.size_t) (int, bool) { return int(n), n <= 1<<16 }

//export goSaKeyDeriveLadder
func goSaKeyDeriveLadder(k *C.sa_key, r *C.sa_rights, common C.int, c1 unsafe.Pointer, l1 C.size_t,
	c2 unsafe.Pointer, l2 C.size_t, c3 unsafe.Pointer, l3 C.size_t, c4 unsafe.Pointer, l4 C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	if l1 > 1024 || l2 > 1024 || l3 > 1024 || l4 > 1024 {
		return st(secapi.StatusInvalidParameter)
	}
	kdf := secapi.RootKeyLadder(copied(c1, l1), copied(c2, l2), copied(c3, l3), copied(c4, l4), common != 0)
	return keyResult(k)(client().Derive(bg, rights, kdf))
}

// goSaKeyDeriveHash is HKDF (with salt), Concat and ANSI X9.63.
//
//export goSaKeyDeriveHash
func goSaKeyDeriveHash(k *C.sa_key, r *C.sa_rights, alg C.int, keyLen C.size_t, d C.int, parent C.sa_key,
	salt unsafe.Pointer, saltLen C.size_t, info unsafe.Pointer, infoLen C.size_t) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	n, ok := deriveLength(keyLen)
	if !ok || saltLen > 4096 || infoLen > 4096 {
		return st(secapi.StatusInvalidParameter)
	}
	p, dig, inf := key(uint64(parent)), secapi.Digest(uint32(d)), copied(info, infoLen)
	var kdf secapi.KDF
	switch alg {
	case C.SA_KDF_ALGORITHM_HKDF:
		kdf = secapi.HKDF(p, dig, n, copied(salt, saltLen), inf)
	case C.SA_KDF_ALGORITHM_CONCAT:
		kdf = secapi.ConcatKDF(p, dig, n, inf)
	case C.SA_KDF_ALGORITHM_ANSI_X963:
		kdf = secapi.ANSIX963KDF(p, dig, n, inf)
	default:
		return st(secapi.StatusInvalidParameter)
	}
	return keyResult(k)(client().Derive(bg, rights, kdf))
}

//export goSaKeyDeriveCMAC
func goSaKeyDeriveCMAC(k *C.sa_key, r *C.sa_rights, keyLen C.size_t, parent C.sa_key,
	other unsafe.Pointer, otherLen C.size_t, counter C.int) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	n, ok := deriveLength(keyLen)
	if !ok || otherLen > 4096 {
		return st(secapi.StatusInvalidParameter)
	}
	kdf := secapi.CMACKDF(key(uint64(parent)), n, copied(other, otherLen), int(counter))
	return keyResult(k)(client().Derive(bg, rights, kdf))
}

// goSaSign is sa_crypto_sign with the parameters sa.c has unpacked (zero for EdDSA).
//
//export goSaSign
func goSaSign(out unsafe.Pointer, outLen *C.size_t, alg C.int, k C.sa_key, in unsafe.Pointer, n C.size_t,
	d, mgf1 C.int, precomputed C.int, salt C.size_t) C.sa_status {
	if salt > 1<<16 {
		return st(secapi.StatusInvalidParameter)
	}
	p := secapi.SignParams{Digest: secapi.Digest(uint32(d)), MGF1: secapi.Digest(uint32(mgf1)),
		Precomputed: precomputed != 0, SaltLength: int(salt)}
	a := secapi.SignatureAlgorithm(uint32(alg))
	if out == nil {
		l, err := key(uint64(k)).SignLength(bg, a, p)
		if err != nil {
			return errStatus(err)
		}
		*outLen = C.size_t(l)
		return st(secapi.StatusOK)
	}
	b, err := key(uint64(k)).Sign(bg, a, copied(in, n), p)
	if err != nil {
		return errStatus(err)
	}
	return putOut(out, outLen, b)
}

//export goSaKeyRelease
func goSaKeyRelease(k C.sa_key) C.sa_status {
	return errStatus(key(uint64(k)).Release(bg))
}

//export goSaKeyHeader
func goSaKeyHeader(h *C.sa_header, k C.sa_key) C.sa_status {
	b, err := key(uint64(k)).RawHeader(bg)
	if err != nil {
		return errStatus(err)
	}
	if len(b) != int(C.sizeof_sa_header) {
		return st(secapi.StatusInternalError)
	}
	copy(bytesOf(unsafe.Pointer(h), C.sizeof_sa_header), b)
	return st(secapi.StatusOK)
}

//export goSaKeyDigest
func goSaKeyDigest(out unsafe.Pointer, outLen *C.size_t, k C.sa_key, d C.int) C.sa_status {
	n := digestLength(secapi.Digest(d))
	if n == 0 {
		return st(secapi.StatusInvalidParameter)
	}
	if out != nil && int(*outLen) < n {
		return st(secapi.StatusInvalidParameter)
	}
	b, err := key(uint64(k)).Digest(bg, secapi.Digest(d))
	if err != nil {
		return errStatus(err)
	}
	return putOut(out, outLen, b)
}

//export goSaKeyGetPublic
func goSaKeyGetPublic(out unsafe.Pointer, outLen *C.size_t, k C.sa_key) C.sa_status {
	b, err := key(uint64(k)).PublicKey(bg)
	if err != nil {
		return errStatus(err)
	}
	return putOut(out, outLen, b)
}

//export goSaCipherInit
func goSaCipherInit(ctx *C.sa_crypto_cipher_context, alg, mode C.int, k C.sa_key,
	iv unsafe.Pointer, ivLen C.size_t, aad unsafe.Pointer, aadLen C.size_t) C.sa_status {
	p := secapi.CipherParams{}
	if iv != nil {
		p.IV = copied(iv, ivLen)
	}
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

//export goSaCipherUpdateIV
func goSaCipherUpdateIV(ctx C.sa_crypto_cipher_context, iv unsafe.Pointer, n C.size_t) C.sa_status {
	cs := ciphers.get(uint64(ctx))
	if cs == nil {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(cs.x.UpdateIV(bg, copied(iv, n)))
}

// goSaCipherProcess processes n bytes at in into out (of capacity outCap; out NULL
// asks for the size) and sets *written. last selects process-last; tag and
// tagLen are the AEAD tag (output when encrypting, input when decrypting).
//
//export goSaCipherProcess
func goSaCipherProcess(ctx C.sa_crypto_cipher_context, last C.int, in unsafe.Pointer, n C.size_t,
	out unsafe.Pointer, outCap C.size_t, written *C.size_t, tag unsafe.Pointer, tagLen C.size_t) C.sa_status {
	cs := ciphers.get(uint64(ctx))
	if cs == nil {
		return st(secapi.StatusInvalidParameter)
	}
	if last != 0 && tag == nil && out != nil && (cs.alg == secapi.AESGCM || cs.alg == 10 /* ChaCha20-Poly1305 */) {
		return st(secapi.StatusNullParameter) // AEADs need their end parameters
	}
	need := int(n)
	if last != 0 || cs.outSize > 0 {
		need = lastLength(cs, int(n))
	}
	if out == nil {
		// The reference answers the size query of process, too, with the padded
		// size: a caller may end the stream with the same buffer.
		*written = C.size_t(lastLength(cs, int(n)))
		return st(secapi.StatusOK)
	}
	if int(outCap) < need {
		return st(secapi.StatusInvalidParameter)
	}
	input := copied(in, n)
	defer clear(input)
	var res []byte
	var err error
	if last == 0 {
		res, err = cs.x.Process(bg, input)
	} else {
		var wantTag int
		var inTag, outTag []byte
		if tag != nil {
			wantTag = int(tagLen)
			if cs.mode == secapi.Decrypt {
				inTag = copied(tag, tagLen)
			}
		}
		res, outTag, err = cs.x.ProcessLast(bg, input, wantTag, inTag)
		if err == nil && wantTag > 0 && cs.mode == secapi.Encrypt {
			copy(bytesOf(tag, tagLen), outTag)
		}
	}
	if err != nil {
		return errStatus(err)
	}
	if len(res) > int(outCap) {
		clear(res)
		return st(secapi.StatusInternalError)
	}
	copy(bytesOf(out, outCap), res)
	clear(res)
	*written = C.size_t(len(res))
	return st(secapi.StatusOK)
}

//export goSaCipherRelease
func goSaCipherRelease(ctx C.sa_crypto_cipher_context) C.sa_status {
	cs := ciphers.take(uint64(ctx))
	if cs == nil {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(cs.x.Release(bg))
}

//export goSaMACInit
func goSaMACInit(ctx *C.sa_crypto_mac_context, alg C.int, k C.sa_key, d C.int) C.sa_status {
	ms := &macState{alg: secapi.MACAlgorithm(alg), digest: secapi.Digest(d)}
	m, err := client().NewMAC(bg, ms.alg, key(uint64(k)), ms.digest)
	if err != nil {
		return errStatus(err)
	}
	ms.m = m
	*ctx = C.sa_crypto_mac_context(macs.add(ms))
	return st(secapi.StatusOK)
}

//export goSaMACProcess
func goSaMACProcess(ctx C.sa_crypto_mac_context, in unsafe.Pointer, n C.size_t) C.sa_status {
	ms := macs.get(uint64(ctx))
	if ms == nil {
		return st(secapi.StatusInvalidParameter)
	}
	b := copied(in, n)
	defer clear(b)
	return errStatus(ms.m.Process(bg, b))
}

//export goSaMACProcessKey
func goSaMACProcessKey(ctx C.sa_crypto_mac_context, k C.sa_key) C.sa_status {
	ms := macs.get(uint64(ctx))
	if ms == nil {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(ms.m.ProcessKey(bg, key(uint64(k))))
}

//export goSaMACCompute
func goSaMACCompute(out unsafe.Pointer, outLen *C.size_t, ctx C.sa_crypto_mac_context) C.sa_status {
	ms := macs.get(uint64(ctx))
	if ms == nil {
		return st(secapi.StatusInvalidParameter)
	}
	n := macLength(ms.alg, ms.digest)
	if out == nil {
		*outLen = C.size_t(n)
		return st(secapi.StatusOK)
	}
	if int(*outLen) < n {
		return st(secapi.StatusInvalidParameter)
	}
	b, err := ms.m.Compute(bg)
	if err != nil {
		return errStatus(err)
	}
	return putOut(out, outLen, b)
}

//export goSaMACRelease
func goSaMACRelease(ctx C.sa_crypto_mac_context) C.sa_status {
	ms := macs.take(uint64(ctx))
	if ms == nil {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(ms.m.Release(bg))
}
