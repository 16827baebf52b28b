// Package wire holds every message gotee's processes exchange and their checked codec.
//
// Three kinds of channel carry these messages, all of them Unix SEQPACKET sockets, so
// one datagram is one message and the kernel keeps message boundaries for us:
//
//   - the client connection, between a client application and teed (the role the
//     TEE driver and the SMC boundary play in OP-TEE): handshake, open, close, cancel;
//   - the instance channel, between teed and one TA instance process: create,
//     open session, close session, cancel, destroy;
//   - the session channel, a socketpair teed creates at open-session time and hands
//     to both ends, so an invoke is one round trip between client and TA.
//
// Every message begins with an 8-byte header (kind, reserved, request id) and has a
// fixed layout per kind, little-endian. Decoding is strict: lengths are checked
// against fixed limits, reserved fields must be zero and nothing may trail, so that a
// message that decodes re-encodes to the same bytes — the fuzz targets check exactly
// that. File descriptors (shared memory, session channels) travel beside the bytes
// as SCM_RIGHTS, and a message says how many it carries; a datagram whose fds don't
// match is refused and its fds are closed. Results travel as GP codes plus origin,
// never as strings. docs/protocol.md is the prose version of this package.
package wire
