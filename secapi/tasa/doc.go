// Package tasa is the SecAPI 3 library for Secure Applications: Go TAs that use the
// SecAPI TA (secapi/ta) from inside the secure world, as a DRM TA does.
//
// It is the TA-side twin of package secapi, which serves normal-world programs. A
// Client here is a TA-to-TA session (ta.Session.OpenTASession) on the SecAPI TA, so
// teed identifies the caller as TRUSTED_APP with the calling TA's own UUID: that UUID
// is the caller UUID the SecAPI TA reports (sa_get_ta_uuid) and matches against a
// key's allowed-TA list. A key imported with Rights.AllowedTAs holding only the
// calling TA's UUID is therefore usable by that TA alone; no normal-world client and
// no other TA can use it, even with the same handle.
//
// As with package secapi, the session is a slot inside the SecAPI TA: every key and
// cipher context a Client makes lives there and is released when the Client closes
// or when the calling TA's instance dies (teed then closes the instance's TA-to-TA
// sessions). Requests are encoded with secapi/internal/protocol and their memory
// travels in the TA-to-TA call's memref parameters; errors from the SecAPI TA are
// Status values (errors.Is(err, tasa.StatusOperationNotAllowed)).
//
// This package covers what a DRM-style TA needs: symmetric key import, unwrap (a
// license's content key wrapped with AES) and release, AES-CBC, CTR and GCM ciphers,
// SVP buffers and common encryption into them, random bytes and the caller UUID. A
// Client is safe for concurrent use; its calls travel one at a time on its session.
// See docs/secapi.md.
package tasa
