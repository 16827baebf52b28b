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
		if length == 0 || length > 0xffff {
			return st(secapi.StatusInvalidParameter)
		}
		p = &secapi.SoCParameters{Length: uint16(length), Version: uint8(version), ObjectID: uint64(objectID)}
	}
	return keyResult(k)(client().ImportSoC(bg, b, p))
}
