// Package storage is teed's trusted storage engine: the persistent objects of
// the TEE Internal Core API (v1.3.1 §5.7–5.9) for all TAs of an installation.
//
// # Place
//
// TA instances run as separate processes and never touch the disk (DESIGN.md
// rule 1). When a TA calls TEE_CreatePersistentObject, TEE_ReadObjectData and
// the like, its runtime (the Go TA SDK, or tee-ta-host for C TAs) sends the
// request to teed over the instance's channel; teed knows which TA the instance
// runs — it never takes the TA's word for its UUID — and calls this package on
// its behalf, as OP-TEE's core does in tee_svc_storage.c with tee-supplicant
// doing the file I/O. One Store serves every instance of every TA, so the GP
// rules about handles (§5.7.1: who may open an object while whom has it open)
// hold across instances, the way OP-TEE's table of open persistent objects
// does. The runtime keeps its object information and attributes in an opaque
// per-object header; the engine keeps the data stream.
//
// # On-disk format
//
// One bbolt file, <dir>/objects.db, flock'ed by the teed that has it open. Its
// top level holds a bucket "sys" with the root record, and one bucket per TA
// namespace, named 'n' followed by a 16-byte HMAC of the TA's UUID and the
// namespace (TEE_STORAGE_PRIVATE and _REE share one; _RPMB is another). In a
// namespace bucket every object has its records under fixed keys:
//
//	'm' objKey uid tag   meta record: ID, data size, header length, pins
//	'h' uid              header record (absent if the header is empty)
//	'x' uid i            index record i: the tags of chunks 256i … 256i+255
//	'c' uid j            chunk j: bytes 4096j … of the data stream
//
// objKey is a 16-byte HMAC of the TA, namespace and object ID, so no ID appears
// on disk and the same ID in two TAs names unrelated keys; uid is random per
// object and survives a rename, so a rename rewrites only the meta record; tag
// is the AES-GCM tag of the meta record's value. Every value is a record:
//
//	version(1) kind(1) generation(8) epoch(8) nonce(12) ciphertext tag(16)
//
// A chunk is 4 KiB, bbolt's page size: writing 4 KiB into an object of any
// size rewrites one chunk, one 4 KiB index record and the meta record, in one
// transaction. A chunk stored shorter than its span, a missing trailing index
// entry, and a zero tag in an index or meta record stand for zeros that are not
// stored, so extending an object with zeros (GP's gap fill) costs nothing;
// truncation trims the records past the new end so that later growth reads
// zeros there.
//
// # Keys and binding
//
// All keys come from the installation's 32-byte device key by HKDF-SHA256
// (salt "gotee trusted storage v1"): the naming, accumulator, root-record and
// RPMB keys, and per TA its storage key (info "ta object key <uuid>"). Records
// are sealed with AES-256-GCM under a key derived from the TA key and a random
// 64-bit epoch drawn at each Open, with nonces counted up in memory: nonces are
// unique without any nonce state that would have to survive a crash, a failed
// transaction or a restored backup. The AEAD's additional data binds a record
// to its TA, namespace, object (uid), kind, position (chunk or index number),
// the commit generation that wrote it, and for a meta record the objKey of its
// ID — which must also match the ID inside it.
//
// Records are pinned from the top down, so a record that authenticates but is
// not the current one is caught too: the meta record pins the tags of the
// header and index records, an index record the tags of its chunks, and the
// meta record's own tag is part of its key, which an in-memory index of all
// meta keys (loaded at Open) pins while teed runs. At Open, the set of meta
// keys is checked against the root record's accumulator — a sum modulo 2^256
// of an HMAC of each meta key (an incremental multiset hash): a meta record
// removed, added, or replayed from an older copy of the file changes the sum.
// The root record, rewritten in every transaction, holds the store's identity,
// the commit generation and the accumulator, under an HMAC.
//
// # Rollback
//
// A monotonic counter is kept apart from the store: an emulated RPMB, the file
// <CounterDir>/counter (by default <dir>/rpmb; in production on another file
// system), holding the store's identity, a write counter, and the generation
// and MAC of the latest commit, under an HMAC. Every commit writes the new
// generation into the root record, in the same bbolt transaction (fsynced on
// commit), and then the counter. The counter has two slots and each update
// overwrites the older one with one pwrite and one fdatasync: replacing the
// file by rename would cost three syncs, more than the bbolt commit itself.
//
// A crash between a commit and its counter update leaves the store one
// generation ahead of the counter, or the slot being written torn. Open
// accepts exactly that — a store at the counter's generation with the same
// commit MAC, or one generation ahead (with one torn slot, only one ahead) —
// and brings the counter up to date. A store behind the counter, of another
// identity, or missing while the counter exists fails Open with ErrRollback; a
// counter that is missing while the store holds commits, fails authentication,
// or lags by more than one commit fails it with ErrCounter. Both wrap
// tee.ErrCorruptObject. Options.ResetRollbackCounter accepts the store as it is,
// for an operator who lost the counter or restored a backup on purpose. The
// emulation is as strong as the separation of the two directories: whoever can
// copy both back together rolls the store back undetected, and deleting both
// looks like a new installation.
//
// # Damage
//
// bbolt checksums only its two meta pages, and follows page IDs and offsets
// through its memory map without bounds checks, so Open first walks the whole
// file itself (checkBolt: the equivalent of tx.Check, whose walk runs in a
// goroutine of bbolt's own, where a fault would kill teed) and only then lets
// bbolt map it. Every call into bbolt runs with panics recovered and memory
// faults turned into panics (debug.SetPanicOnFault), so a file damaged under a
// running teed gives errors, never a crash; a write that meets such damage
// stops all writes until teed restarts and rechecks the file. What a flipped
// byte does, by region (TestTamper flips bytes all over a store, and every byte
// of one object's records):
//
//   - a record's value: that object reads CORRUPT_OBJECT; every other object
//     reads back exactly. This is why each record is a bbolt value of its own
//     under a fixed key, and why an object's meta tag lives in its key: a
//     flipped value can never prevent Open.
//   - a record's key: a meta key changes the accumulator and Open fails; any
//     other key loses its record, and its object reads CORRUPT_OBJECT.
//   - page headers, element headers, bucket headers, branch page children,
//     the freelist: the structure check fails and Open reports the file as
//     damaged (tee.ErrCorruptObject, naming the file). Element data must follow
//     the element array contiguously and in order, so a flipped offset or
//     length cannot shift one record onto another.
//   - a branch separator key: Open fails if the flip breaks key order;
//     otherwise routing is unchanged and nothing happens.
//   - the newest meta page: its checksum fails, bbolt falls back to the
//     previous commit, and Open reports ErrRollback; the older meta page: nothing.
//   - the root record, the "sys" bucket or a namespace bucket's name: Open fails.
//   - free pages, slack space in pages, the file past bbolt's high water mark:
//     nothing; they are never read.
//
// No flip makes an object read back wrong bytes: data leaves the engine only
// after its AEAD verified and its pin matched. A corrupt object stays in place
// (OP-TEE deletes it); Delete works on it without reading it.
//
// What the file still shows: the number of namespaces and objects, and each
// object's size (to its chunk count and record lengths) — not IDs or contents.
//
// # Concurrency
//
// A Store is safe for concurrent use; Store.wmu serializes write transactions
// with their counter update, Store.mu guards the index and the handle table
// and is never held across I/O. Readers take bbolt read transactions and never
// wait for a writer beyond bbolt's own remapping of a growing file; a reader
// whose snapshot a commit overtook retries it.
package storage
