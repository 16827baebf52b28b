// Package protocol is the command protocol between the SecAPI REE library (package
// secapi) and the SecAPI TA (secapi/ta, logic in secapi/internal/tacore): command
// numbers, SecAPI status codes, and the fixed little-endian layouts of requests and
// replies, with bounds-checked decoding. Neither side trusts the other's bytes: every
// decoder checks lengths against fixed limits before it reads. docs/secapi.md is the
// specification; this package is its code.
package protocol
