// Package tatest runs Trusted Applications inside a Go test, the way net/http/httptest
// runs HTTP handlers: a real teed dispatcher listens on a temporary socket, and the
// test talks to it with the ordinary client package, so what passes here passes
// against teed. The difference is where the TA runs: in the test process, as a
// goroutine on its own instance channel, so a debugger, the race detector and
// coverage all see it. Each instance gets a fresh TA value from TA.New.
//
// A TA that panics (ta.Panic or a Go panic in an entry point) ends only its
// instance, as in teed: its clients see TEE_ERROR_TARGET_DEAD.
package tatest
