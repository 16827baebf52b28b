// Package secapi is the REE library of SecAPI 3 for Go programs: the functions of
// RDK's sa.h, sa_key.h and sa_crypto.h over a session on the SecAPI TA (secapi/ta).
//
// A Client opens its session lazily, on the first call, and every object it creates
// (Key, Cipher, MAC) belongs to that session's slot inside the TA: usable only through
// this Client, released when it closes. Errors that come from the TA are Status values
// (errors.Is(err, secapi.StatusOperationNotAllowed)). A Client is safe for concurrent
// use; its calls travel one at a time on its session. See docs/secapi.md.
package secapi
