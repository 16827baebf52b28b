package storage

import (
	"encoding/binary"
	"errors"

	"github.com/gotee/gotee/tee"
)

// Sizes of the on-disk format. doc.go explains the format as a whole.
const (
	// chunkSize is the unit of the data stream. It is bbolt's page size: an aligned
	// 4 KiB write replaces one chunk without reading it first, and no write of a
	// few bytes rewrites more than 4 KiB of data (OP-TEE's REE FS uses 4 KiB
	// blocks for the same reason).
	chunkSize = 4096
	// indexFanout is the number of chunk references in one index record: 4 KiB
	// of tags covering 1 MiB of data, so that a small write into a large object
	// rewrites one chunk, one 4 KiB index record and the meta record. The meta
	// record holds one reference per index record: 64 for an object of the
	// default quota's 64 MiB, 4096 (64 KiB) for one of TEE_DATA_MAX_POSITION.
	indexFanout = 256
	// maxIndexes is the number of index records of an object of MaxDataSize bytes.
	maxIndexes = (MaxDataSize + chunkSize*indexFanout - 1) / (chunkSize * indexFanout)

	tagSize = 16 // AES-GCM tag; also the pin a parent record keeps of a child
	uidSize = 16 // random identity of an object, stable across renames
	keySize = 16 // truncated HMAC naming an object or a namespace

	recVersion    = 1
	recHeaderSize = 1 + 1 + 8 + 8 + 12 // version, kind, generation, epoch, nonce
	recOverhead   = recHeaderSize + tagSize

	metaVersion   = 1
	metaFixedSize = 1 + 1 + 8 + 4 + tagSize + 4 // version, ID length, size, header length, header tag, index count
)

// Record kinds; each is also the first byte of the record's key in its namespace
// bucket, so that an object's chunks, header and index records sort together.
const (
	kindChunk  = 'c'
	kindHeader = 'h'
	kindMeta   = 'm'
	kindIndex  = 'x'
)

// Namespace bytes: TEE_STORAGE_PRIVATE and _REE share one, _RPMB has its own.
const (
	nsREE  byte = 1
	nsRPMB byte = 2
)

type (
	tag    [tagSize]byte
	uid    [uidSize]byte
	objKey [keySize]byte
	nsID   [keySize]byte
)

var zeroTag tag

// errFormat is what every decoder returns; callers turn it into CORRUPT_OBJECT.
var errFormat = errors.New("malformed record")

// Keys inside a namespace bucket.
func metaKey(k objKey, u uid, t tag) []byte {
	b := make([]byte, 0, 1+keySize+uidSize+tagSize)
	b = append(b, kindMeta)
	b = append(b, k[:]...)
	b = append(b, u[:]...)
	return append(b, t[:]...)
}

const metaKeyLen = 1 + keySize + uidSize + tagSize

func parseMetaKey(k []byte) (objKey, uid, tag, bool) {
	var ok objKey
	var u uid
	var t tag
	if len(k) != metaKeyLen || k[0] != kindMeta {
		return ok, u, t, false
	}
	copy(ok[:], k[1:])
	copy(u[:], k[1+keySize:])
	copy(t[:], k[1+keySize+uidSize:])
	return ok, u, t, true
}

func headerKey(u uid) []byte { return append([]byte{kindHeader}, u[:]...) }

func chunkKey(u uid, j uint32) []byte { return seqKey(kindChunk, u, j) }

func indexKey(u uid, i uint32) []byte { return seqKey(kindIndex, u, i) }

func seqKey(kind byte, u uid, n uint32) []byte {
	b := make([]byte, 0, 1+uidSize+4)
	b = append(b, kind)
	b = append(b, u[:]...)
	return binary.BigEndian.AppendUint32(b, n)
}

// prefix returns the key prefix all records of one kind of object u share.
func prefix(kind byte, u uid) []byte { return append([]byte{kind}, u[:]...) }

// record is the plaintext part of an encrypted record's value:
//
//	version(1) kind(1) generation(8) epoch(8) nonce(12) ciphertext tag(16)
type record struct {
	kind  byte
	gen   uint64 // the commit that wrote the record
	epoch uint64 // selects the AES-GCM key (see keys.go)
	nonce [12]byte
}

// parseRecord splits a stored value into its header and its sealed part.
func parseRecord(v []byte) (record, []byte, error) {
	var r record
	if len(v) < recOverhead || v[0] != recVersion {
		return r, nil, errFormat
	}
	switch v[1] {
	case kindChunk, kindHeader, kindMeta, kindIndex:
	default:
		return r, nil, errFormat
	}
	r.kind = v[1]
	r.gen = binary.BigEndian.Uint64(v[2:])
	r.epoch = binary.BigEndian.Uint64(v[10:])
	copy(r.nonce[:], v[18:30])
	return r, v[recHeaderSize:], nil
}

func (r record) appendHeader(b []byte) []byte {
	b = append(b, recVersion, r.kind)
	b = binary.BigEndian.AppendUint64(b, r.gen)
	b = binary.BigEndian.AppendUint64(b, r.epoch)
	return append(b, r.nonce[:]...)
}

// valueTag is the AEAD tag of a stored value: the pin its parent keeps.
func valueTag(v []byte) (t tag) {
	if len(v) >= tagSize {
		copy(t[:], v[len(v)-tagSize:])
	}
	return t
}

// appendRecordAAD appends the additional data of a record to b: it binds the
// record to its TA, namespace, object (uid), kind, position and commit, and a
// meta record also to the object ID's key, so that no record can stand in for
// another.
func appendRecordAAD(b []byte, ta tee.UUID, ns byte, u uid, index uint32, k *objKey, hdr []byte) []byte {
	b = append(b, "gotee storage record v1\x00"...)
	b = append(b, ta[:]...)
	b = append(b, ns)
	b = append(b, u[:]...)
	b = binary.BigEndian.AppendUint32(b, index)
	if k != nil {
		b = append(b, k[:]...)
	} else {
		var zero objKey
		b = append(b, zero[:]...)
	}
	return append(b, hdr...)
}

// meta is an object's meta record: its ID, the size of its data stream, and the
// pins of its header and index records.
type meta struct {
	id        []byte
	size      uint64
	headerLen uint32
	headerTag tag
	index     []tag // one per 4 MiB of data; zeroTag for a range that is all zeros
}

func chunksFor(size uint64) uint64 { return (size + chunkSize - 1) / chunkSize }

func indexesFor(size uint64) int {
	return int((chunksFor(size) + indexFanout - 1) / indexFanout)
}

func encodeMeta(m *meta) []byte {
	b := make([]byte, 0, metaFixedSize+len(m.id)+len(m.index)*tagSize)
	b = append(b, metaVersion, byte(len(m.id)))
	b = append(b, m.id...)
	b = binary.BigEndian.AppendUint64(b, m.size)
	b = binary.BigEndian.AppendUint32(b, m.headerLen)
	b = append(b, m.headerTag[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.index)))
	for _, t := range m.index {
		b = append(b, t[:]...)
	}
	return b
}

// decodeMeta is strict: every field must be in range and consistent with the
// others, and the encoding must be the one encodeMeta produces.
func decodeMeta(b []byte) (*meta, error) {
	if len(b) < metaFixedSize || b[0] != metaVersion {
		return nil, errFormat
	}
	n := int(b[1])
	if n > MaxObjectIDLen || len(b) < metaFixedSize+n {
		return nil, errFormat
	}
	m := &meta{id: append([]byte{}, b[2:2+n]...)}
	p := b[2+n:]
	m.size = binary.BigEndian.Uint64(p)
	m.headerLen = binary.BigEndian.Uint32(p[8:])
	copy(m.headerTag[:], p[12:])
	count := binary.BigEndian.Uint32(p[12+tagSize:])
	p = p[16+tagSize:]
	if m.size > MaxDataSize || m.headerLen > MaxHeaderSize ||
		(m.headerLen == 0) != (m.headerTag == zeroTag) ||
		uint64(count) != uint64(indexesFor(m.size)) || uint64(len(p)) != uint64(count)*tagSize {
		return nil, errFormat
	}
	m.index = make([]tag, count)
	for i := range m.index {
		copy(m.index[i][:], p[i*tagSize:])
	}
	return m, nil
}

// An index record lists the tags of up to indexFanout consecutive chunks; a
// missing trailing entry or a zero tag stands for a chunk of zeros that is not
// stored.
func encodeIndex(refs []tag) []byte {
	b := make([]byte, 0, len(refs)*tagSize)
	for _, t := range refs {
		b = append(b, t[:]...)
	}
	return b
}

// decodeIndex accepts at most max entries and no trailing zero entries, which
// encodeIndex's callers always trim.
func decodeIndex(b []byte, max int) ([]tag, error) {
	if len(b)%tagSize != 0 || len(b)/tagSize > max || len(b) == 0 {
		return nil, errFormat
	}
	refs := make([]tag, len(b)/tagSize)
	for i := range refs {
		copy(refs[i][:], b[i*tagSize:])
	}
	if refs[len(refs)-1] == zeroTag {
		return nil, errFormat
	}
	return refs, nil
}

// trimRefs drops trailing zero tags.
func trimRefs(refs []tag) []tag {
	for len(refs) > 0 && refs[len(refs)-1] == zeroTag {
		refs = refs[:len(refs)-1]
	}
	return refs
}
