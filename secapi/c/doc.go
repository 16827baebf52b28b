// Command c is libsaclient, the C REE library of SecAPI 3: built with
// -buildmode=c-shared it is a shared object whose sa_* functions are source
// compatible with RDK's public SecAPI 3 headers (include/sa.h and companions), so
// that C and C++ applications written for SecAPI 3 build against gotee unchanged.
//
// In the picture of DESIGN.md it sits where libteec sits for the GP Client API:
// an application links it, and it talks to the SecAPI TA through teed, here over
// the Go REE library (package secapi) and its one lazy session per process. Keys are
// named by the TA's own handles (which carry a generation, so a released key's
// handle never names a newer key); cipher and MAC contexts are entries of this
// library's tables, keyed by the handles it hands out, which are never reused.
//
// sa.c has the exact C prototypes and unpacks the per-algorithm parameter
// structures and sa_buffers; abi_unsafe.go holds the Go functions it calls. The
// functions whose TA side does not exist yet return
// SA_STATUS_OPERATION_NOT_SUPPORTED after their parameter checks; docs/secapi.md
// lists them.
package main

func main() {}
