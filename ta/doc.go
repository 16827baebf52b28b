// Package ta is the SDK for Trusted Applications written in Go: the secure-world
// side of gotee.
//
// A TA implements the five GlobalPlatform entry points ([TA]) and calls [Main] from
// its main function. teed starts the resulting program as an isolated process with
// one inherited descriptor, its instance channel to teed (fd 3), and nothing else:
// no environment, no other files. Through that channel the TA is created, sessions
// are opened and closed, and cancellations arrive; each session then has its own
// channel straight to the client, on which invokes arrive, so an invoke is a single
// round trip between client and TA.
//
// The runtime keeps GP's rules so TA code does not have to: one entry point at a
// time per instance, parameter memory reachable only inside the windows the client
// shared (allocated shared memory arrives as the client's own pages, zero copy),
// output sizes and SHORT_BUFFER sizes carried back, and a TA that panics takes only
// its own instance down — its clients see TEE_ERROR_TARGET_DEAD.
//
// Beside the entry points the package offers the parts of the TEE Internal Core API
// the core needs: session and TA properties, the client identity, cancellation with
// masking, a cancellable wait, random numbers, memory access checks and TEE_Panic.
package ta
