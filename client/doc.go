// Package client is the GlobalPlatform TEE Client API v1.0 in Go: how a normal-world
// program talks to Trusted Applications through teed.
//
// A [Context] is a connection to teed (TEEC_Context); [Context.OpenSession] opens a
// [Session] on a TA (TEEC_OpenSession), and [Session.Invoke] runs one of its
// commands (TEEC_InvokeCommand) with an [Operation] of up to four parameters:
// [Value]s, [TempMemory] (the caller's own buffers, copied once each way), and
// [RegisteredMemory] windows into [SharedMemory]. Shared memory that the context
// allocates is mapped into the TA as the very same pages, so passing it costs
// nothing however large it is; registered memory (the caller's buffer) is copied
// like temporary memory, as a shadow buffer is in OP-TEE's libteec.
//
// Cancellation is a context.Context: cancelling the ctx of an OpenSession or Invoke
// in progress is TEEC_RequestCancellation. Failures are errors that match the GP
// codes with errors.Is (errors.Is(err, tee.ErrTargetDead)) and carry the return
// origin in a *tee.Error.
//
// Contexts and sessions are safe for concurrent use. Invokes on one session are
// serialized, as GP requires; invokes on different sessions run in parallel, each
// on its own direct channel to its TA instance.
package client
