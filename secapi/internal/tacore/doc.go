// Package tacore is the logic of the SecAPI TA: the slot model, the key store with
// keys kept wrapped, rights enforcement, and the cipher and MAC contexts. It is a
// ta.TA; the TA's main package (secapi/ta) only hands it to ta.Main, and tests run it
// behind the real dispatcher with tatest. See docs/secapi.md.
//
// A Core is safe for concurrent use: a lock guards the slot table and every slot has
// its own lock, so if the runtime ever enters one instance concurrently (an opt-in
// gotee does not offer yet) sessions still stay apart.
package tacore
