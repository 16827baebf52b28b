// Package e2e holds gotee's end-to-end tests: they run the binaries `make build`
// leaves in build/ — a real teed, real TA processes loaded from signed packages,
// real sockets, C clients linked against libteec.so — and look at what a user would
// see. Nothing of ours is mocked.
package e2e
