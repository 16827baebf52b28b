// Package core is teed's dispatcher: the trusted OS core of gotee.
//
// It accepts client connections on teed's socket, learns each client's credentials
// from the kernel (SO_PEERCRED, SO_PEERGROUPS, /proc/PID/exe), and brokers
// sessions: it finds the TA in the catalog, applies the access policy, computes the
// login identity, chooses or starts the TA instance the GP instance model calls
// for (singleInstance, multiSession, instanceKeepAlive), and has the instance open
// the session. It then hands the client one end of a fresh socketpair whose other
// end went to the instance, so invokes travel client↔TA directly (DESIGN rule 6);
// core never sees them. It stays in charge of lifecycle: cancellations, closes,
// client deaths and instance deaths all pass through it, and it releases whatever
// each of them leaves behind.
//
// Both peers are hostile: a client or an instance that sends a malformed message is
// disconnected (an instance is killed), and teed goes on serving everybody else.
package core
