// Package store is teed's TA store: it finds Trusted Application packages on
// disk, decides whether to trust them, and starts TA processes from them.
//
// # Packages
//
// A TA package is a directory holding three files: manifest.toml, which says who
// the TA is (UUID, name, version), how GP instantiates it (single_instance,
// multi_session, instance_keep_alive, data_size, stack_size), its custom
// properties, which clients may open it, and which executable implements it by
// name and SHA-256; manifest.sig, an Ed25519 signature over the manifest; and the
// executable itself. Because the manifest carries the executable's digest, the
// one signature covers both. teectl pack builds packages, and a Catalog keeps
// teed's view of its store directories current while it runs, so that installing,
// updating or removing a TA needs no restart.
//
// # Trust
//
// teed runs only TAs signed by a key in its Keyring, as OP-TEE's loader accepts
// only TAs signed by the key built into the OS. The signature is checked before
// the manifest is even parsed. For development, EnsureDevKey creates a local
// signing key on first use; it lives in the user's configuration directory and is
// never part of the source tree. A developer's teed trusts that key; a deployed
// teed trusts the keys its configuration names.
//
// # Why a sealed memfd
//
// Verifying a file and then executing it by path leaves a window in which the
// file can be swapped. Load therefore opens the executable once (refusing
// symlinks), copies it into a memfd while hashing the bytes, compares the hash
// with the signed manifest, and seals the memfd against any further write, resize
// or seal change. Every TA process of the package is then started from that memfd
// through /proc/self/fd, so what runs is byte for byte what was verified, and
// editing or replacing the file on disk has no effect until the catalog loads it
// again as a new version.
//
// # Spawning
//
// Package.Start is the sandbox's first layer: the TA process inherits no
// environment beyond GOTEE_TA=1 and no descriptor beyond its channel to teed (fd
// 3) and its output, runs in its own process group, dies with teed, and gets
// resource limits. Confinement that a process can only put on itself (seccomp,
// no-new-privileges) is the TA runtime's job once it runs, the way gVisor's
// sandbox installs its own filters.
package store
