// Package shm holds the shared memory of gotee: memfd-backed blocks that a client
// maps and hands to a TA instance by descriptor, so both sides work on the very
// same pages (zero copy, DESIGN rule 5).
//
// The peer is hostile (rule 3): a block is sealed against shrinking before anyone
// else sees it, so nobody can truncate it under a mapping and turn a TA's access
// into SIGBUS, and a receiver maps only a descriptor that is a memfd carrying that
// seal and is large enough for what it is asked to reach.
package shm
