// Command libteec is gotee's C ABI of the GlobalPlatform TEE Client API:
// libteec.so.1 and tee_client_api.h, built with -buildmode=c-shared (`make lib`).
//
// In the picture of DESIGN.md it stands where OP-TEE's libteec stands: C client
// applications in the normal world link against it and reach teed through it. It
// is ABI compatible with OP-TEE's optee_client libteec.so.1, so a client built for
// OP-TEE runs against gotee when only its library path changes, and its source
// compiles unchanged against include/tee_client_api.h.
//
// The library is a thin layer over the Go client package: every TEEC_ function is
// a C wrapper (teec.c) with the exact GP prototype that calls an exported Go
// function here, which converts the C structures into client.Operation and back.
// All state lives in Go tables (see state.go) keyed by the implementation-defined
// fields OP-TEE's structures already have — TEEC_Context.fd, TEEC_Session.session_id
// and TEEC_SharedMemory.id — which hold numbers this library hands out, never
// pointers into Go memory. The C structures may therefore be copied, moved or freed
// by the application as GP allows, and since numbers are not reused, a stale one
// (of a closed session, of released memory) matches nothing: the call fails with
// TEEC_ERROR_BAD_PARAMETERS instead of touching another object.
//
// Where the GP Client API v1.0 is silent, the library does what OP-TEE's does:
// allocated memory of size 0 still gets a non-NULL buffer, registering a NULL
// buffer or using flags other than TEEC_MEM_INPUT|TEEC_MEM_OUTPUT is
// BAD_PARAMETERS, and release resets buffer to NULL and id to -1. Every function
// is safe to call from several threads at once, with several contexts per process.
package main
