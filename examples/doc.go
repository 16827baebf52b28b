// Package examples holds gotee's example Trusted Applications and client programs.
//
// The TAs under ta/ behave like OP-TEE's optee_examples TAs of the same UUIDs, so
// the unmodified C clients of those examples run against them; ta/bench is the TA
// the benchmarks in bench/ drive; client/ has Go clients and c/ C clients. Each TA directory has the TA's source and the
// manifest.toml that `make build` packs and signs into build/ta/.
package examples
