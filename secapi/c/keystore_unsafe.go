package main

/*
#cgo CFLAGS: -I${SRCDIR}/include -Wall -Werror
#include "sa.h"
*/
import "C"

import (
	"unsafe"

	"github.com/gotee/gotee/secapi"
)

// The Go side of sa.c's key containers, Netflix derivation and exchange, and TA
// provisioning (see keystore.go, containers.go of package secapi).

// goSaKeyImportTypeJ is sa_key_import of SA_KEY_FORMAT_TYPEJ with the parameters'
// two key handles.
//
//export goSaKeyImportTypeJ
func goSaKeyImportTypeJ(k *C.sa_key, in unsafe.Pointer, n C.size_t, kcipher, khmac C.sa_key) C.sa_status {
	b := copied(in, n)
	return keyResult(k)(client().ImportTypeJ(bg, b, key(uint64(kcipher)), key(uint64(khmac))))
}

// goSaKeyImportSoC is sa_key_import of SA_KEY_FORMAT_SOC; has is 0 for NULL
// parameters, otherwise length is their big-endian length field.
//
//export goSaKeyImportSoC
func goSaKeyImportSoC(k *C.sa_key, in unsafe.Pointer, n C.size_t, has C.int, length C.uint, version C.uint, objectID C.uint64_t) C.sa_status {
	b := copied(in, n)
	var p *secapi.SoCParameters
	if has != 0 {
		p = socParams(length, version, objectID)
	}
	return keyResult(k)(client().ImportSoC(bg, b, p))
}

// goSaKeyDeriveNetflix is sa_key_derive with SA_KDF_ALGORITHM_NETFLIX.
//
//export goSaKeyDeriveNetflix
func goSaKeyDeriveNetflix(k *C.sa_key, r *C.sa_rights, kenc, khmac C.sa_key) C.sa_status {
	rights, ok := rightsOf(r)
	if !ok {
		return st(secapi.StatusInvalidParameter)
	}
	return keyResult(k)(client().Derive(bg, rights, secapi.NetflixKDF(key(uint64(kenc)), key(uint64(khmac)))))
}

// goSaKeyExchangeNetflix is sa_key_exchange with
// SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH: k receives Kwrap, ke and kh the
// session keys.
//
//export goSaKeyExchangeNetflix
func goSaKeyExchangeNetflix(k *C.sa_key, r *C.sa_rights, priv C.sa_key, other unsafe.Pointer, n C.size_t,
	kw C.sa_key, ke *C.sa_key, rke *C.sa_rights, kh *C.sa_key, rkh *C.sa_rights) C.sa_status {
	*ke, *kh = C.sa_key(invalidHandle), C.sa_key(invalidHandle)
	rights, ok1 := rightsOf(r)
	rightsKe, ok2 := rightsOf(rke)
	rightsKh, ok3 := rightsOf(rkh)
	if !ok1 || !ok2 || !ok3 {
		return st(secapi.StatusInvalidParameter)
	}
	keys, err := key(uint64(priv)).ExchangeNetflix(bg, rights, copied(other, n), key(uint64(kw)), rightsKe, rightsKh)
	if err != nil {
		return errStatus(err)
	}
	*k, *ke, *kh = C.sa_key(keys.Wrap.Handle()), C.sa_key(keys.Enc.Handle()), C.sa_key(keys.HMAC.Handle())
	return st(secapi.StatusOK)
}

// goSaKeyProvisionTA is sa_key_provision_ta with its n key containers.
//
//export goSaKeyProvisionTA
func goSaKeyProvisionTA(typ C.int, n C.int, k0 unsafe.Pointer, n0 C.size_t, k1 unsafe.Pointer, n1 C.size_t,
	k2 unsafe.Pointer, n2 C.size_t, length C.uint, version C.uint, objectID C.uint64_t) C.sa_status {
	all := [][]byte{copied(k0, n0), copied(k1, n1), copied(k2, n2)}
	if n < 1 || n > 3 {
		return st(secapi.StatusInvalidParameter)
	}
	return errStatus(client().ProvisionTA(bg, secapi.TAKeyType(typ), all[:n], socParams(length, version, objectID)))
}

// socParams is an sa_import_parameters_soc for package secapi. Its length field 0
// (where SoCParameters.Length 0 means "the right one") becomes 1: as wrong a length,
// which the TA refuses at the point the reference does, after opening the container.
func socParams(length, version C.uint, objectID C.uint64_t) *secapi.SoCParameters {
	if length == 0 {
		length = 1
	}
	return &secapi.SoCParameters{Length: uint16(length), Version: uint8(version), ObjectID: uint64(objectID)}
}
