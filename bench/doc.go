// Package bench holds gotee's benchmarks, each printed beside the baseline it is
// judged against, measured in the same run on the same machine (DESIGN.md,
// "Performance targets"). The package has no API: everything is in its tests.
//
// The benchmarks drive the real binaries: they start build/bin/teed on the signed
// example TAs in build/ta (run `make build` first; `make bench` does), talk to it
// through the Go client package and, for the C figures, through libteec.so.1. The
// baselines are the cheapest way the same work could be done without a TEE: a raw
// SOCK_SEQPACKET ping-pong between two processes, the same plus the copies, a
// fork+exec of the TA binary. docs/benchmarks.md explains each pair and records the
// figures.
//
// Every gotee sub-benchmark reports x-baseline, its ns/op divided by the baseline's
// ns/op measured just before it in the same run, and TestMain prints a summary table
// with the goals once the benchmarks are done.
package bench
