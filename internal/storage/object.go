package storage

import (
	"bytes"
	"crypto/rand"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/gotee/gotee/tee"
)

// wtx is the state of one write transaction besides bbolt's: the commit's
// generation and accumulator, the index changes to apply after the commit, and
// the quota accounting of the TA that writes.
type wtx struct {
	s       *Store
	tx      *bolt.Tx
	ta      tee.UUID
	gen     uint64
	acc     accum
	mem     []memOp
	changed bool
	u       *usage
	over    map[objRef]int64 // bytes of the objects this transaction changed; -1 when deleted
}

type memOp struct {
	ref objRef
	e   entry
	del bool
}

func (w *wtx) totals() (bytes int64, objects int) {
	bytes, objects = w.u.bytes, w.u.objects
	for ref, n := range w.over {
		if old, had := w.u.obj[ref]; had {
			bytes -= old
			objects--
		}
		if n >= 0 {
			bytes += n
			objects++
		}
	}
	return bytes, objects
}

// checkQuota refuses a transaction that takes the TA over a limit. One that
// only shrinks a TA that is over its limit (after the limit was lowered) is
// allowed.
func (w *wtx) checkQuota() error {
	b, n := w.totals()
	o := w.s.opts
	if (b > o.MaxBytesPerTA && b > w.u.bytes) || (n > o.MaxObjectsPerTA && n > w.u.objects) {
		return fmt.Errorf("storage: TA %v would hold %d bytes in %d objects, the limits are %d bytes and %d objects: %w",
			w.ta, b, n, o.MaxBytesPerTA, o.MaxObjectsPerTA, tee.ErrStorageNoSpace)
	}
	return nil
}

func (w *wtx) applyUsage() {
	b, n := w.totals()
	for ref, v := range w.over {
		if v < 0 {
			delete(w.u.obj, ref)
		} else {
			w.u.obj[ref] = v
		}
	}
	w.u.bytes, w.u.objects = b, n
}

// otx reads and writes the records of one TA namespace inside a bbolt
// transaction; w is nil in a read transaction.
type otx struct {
	s   *Store
	tx  *bolt.Tx
	ta  tee.UUID
	ns  byte
	id  nsID
	b   *bolt.Bucket // nil while the namespace has no bucket
	w   *wtx
	idx map[idxID]*indexState // allocated on first use
	aad []byte                // scratch for records' additional data
}

type idxID struct {
	u uid
	i uint32
}

type indexState struct {
	refs  []tag
	dirty bool
}

func nsName(id nsID) []byte { return append([]byte{nsPrefix}, id[:]...) }

// newOtx starts on namespace ns of ta, whose bucket is named by id
// (Keyring.namespace of ta and ns, which the caller has at hand).
func newOtx(s *Store, tx *bolt.Tx, ta tee.UUID, ns byte, id nsID, w *wtx) *otx {
	return &otx{s: s, tx: tx, ta: ta, ns: ns, id: id, b: tx.Bucket(nsName(id)), w: w}
}

func (o *otx) ref(k objKey) objRef { return objRef{o.id, k} }

func (o *otx) bucket() (*bolt.Bucket, error) {
	if o.b == nil {
		b, err := o.tx.CreateBucketIfNotExists(nsName(o.id))
		if err != nil {
			return nil, err
		}
		o.b = b
	}
	return o.b, nil
}

// loc names a record in error messages. It is formatted only when an error is
// made: formatting it for every record read would cost more than reading it.
type loc struct {
	what string // "meta", "header", "index" or "chunk"
	id   [4]byte
	n    int64 // the index or chunk number; -1 for none
}

func metaLoc(k objKey) loc { return loc{"meta", [4]byte(k[:4]), -1} }

func recLoc(what string, u uid, n int64) loc { return loc{what, [4]byte(u[:4]), n} }

func (l loc) String() string {
	if l.n < 0 {
		return fmt.Sprintf("object %x %s", l.id[:], l.what)
	}
	return fmt.Sprintf("object %x %s %d", l.id[:], l.what, l.n)
}

// get returns the value stored under key after checking it against the pin its
// parent keeps.
func (o *otx) get(key []byte, pin tag, what loc) ([]byte, error) {
	if o.b == nil {
		return nil, corrupt("%s: namespace bucket missing", what)
	}
	v := o.b.Get(key)
	if v == nil {
		return nil, corrupt("%s: record missing", what)
	}
	if valueTag(v) != pin {
		return nil, corrupt("%s: record replaced", what)
	}
	return v, nil
}

// unseal authenticates and decrypts a record.
func (o *otx) unseal(kind byte, u uid, index uint32, k *objKey, v []byte, what loc) ([]byte, error) {
	return o.unsealTo(nil, kind, u, index, k, v, what)
}

// unsealTo is unseal appending the plaintext to dst, which must not overlap v.
func (o *otx) unsealTo(dst []byte, kind byte, u uid, index uint32, k *objKey, v []byte, what loc) ([]byte, error) {
	r, sealed, err := parseRecord(v)
	if err != nil || r.kind != kind {
		return nil, corrupt("%s: malformed record", what)
	}
	o.aad = appendRecordAAD(o.aad[:0], o.ta, o.ns, u, index, k, v[:recHeaderSize])
	pt, err := o.s.k.aead(o.ta, r.epoch).Open(dst, r.nonce[:], sealed, o.aad)
	if err != nil {
		return nil, corrupt("%s: record fails authentication", what)
	}
	return pt, nil
}

// seal encrypts a record for the running write transaction.
func (o *otx) seal(kind byte, u uid, index uint32, k *objKey, pt []byte) ([]byte, tag) {
	r := record{kind: kind, gen: o.w.gen, epoch: o.s.epoch, nonce: o.s.nextNonce()}
	v := r.appendHeader(make([]byte, 0, recOverhead+len(pt)))
	o.aad = appendRecordAAD(o.aad[:0], o.ta, o.ns, u, index, k, v)
	v = o.s.k.aead(o.ta, r.epoch).Seal(v, r.nonce[:], pt, o.aad)
	return v, valueTag(v)
}

func (o *otx) put(key, v []byte) error {
	b, err := o.bucket()
	if err != nil {
		return err
	}
	o.w.changed = true
	return b.Put(key, v)
}

func (o *otx) del(key []byte) error {
	o.w.changed = true
	if o.b == nil {
		return nil
	}
	return o.b.Delete(key)
}

// delFrom deletes every key from 'from' on that starts with pfx.
func (o *otx) delFrom(from, pfx []byte) error {
	o.w.changed = true
	if o.b == nil {
		return nil
	}
	c := o.b.Cursor()
	for k, _ := c.Seek(from); k != nil && bytes.HasPrefix(k, pfx); k, _ = c.Seek(from) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// loadMeta reads the meta record the index entry e names.
func (o *otx) loadMeta(k objKey, e entry) (*meta, error) {
	what := metaLoc(k)
	v, err := o.get(metaKey(k, e.uid, e.tag), e.tag, what)
	if err != nil {
		return nil, err
	}
	pt, err := o.unseal(kindMeta, e.uid, 0, &k, v, what)
	if err != nil {
		return nil, err
	}
	m, err := decodeMeta(pt)
	if err != nil || o.s.k.object(o.ta, o.ns, m.id) != k {
		return nil, corrupt("%s: malformed", what)
	}
	return m, nil
}

func (o *otx) readHeader(m *meta, u uid) ([]byte, error) {
	if m.headerLen == 0 {
		return []byte{}, nil
	}
	what := recLoc("header", u, -1)
	v, err := o.get(headerKey(u), m.headerTag, what)
	if err != nil {
		return nil, err
	}
	h, err := o.unseal(kindHeader, u, 0, nil, v, what)
	if err != nil {
		return nil, err
	}
	if len(h) != int(m.headerLen) {
		return nil, corrupt("%s: %d bytes, meta says %d", what, len(h), m.headerLen)
	}
	return h, nil
}

// refsIn is how many chunk references index i of an object of size bytes can
// hold.
func refsIn(size uint64, i uint32) int {
	c, first := chunksFor(size), uint64(i)*indexFanout
	if c <= first {
		return 0
	}
	return int(min(c-first, indexFanout))
}

// index returns index record i of object u, from the transaction's cache.
func (o *otx) index(m *meta, u uid, i uint32) (*indexState, error) {
	id := idxID{u, i}
	if st, ok := o.idx[id]; ok {
		return st, nil
	}
	if o.idx == nil {
		o.idx = make(map[idxID]*indexState)
	}
	st := &indexState{}
	if int(i) < len(m.index) && m.index[i] != zeroTag {
		what := recLoc("index", u, int64(i))
		v, err := o.get(indexKey(u, i), m.index[i], what)
		if err != nil {
			return nil, err
		}
		pt, err := o.unseal(kindIndex, u, i, nil, v, what)
		if err != nil {
			return nil, err
		}
		if st.refs, err = decodeIndex(pt, refsIn(m.size, i)); err != nil {
			return nil, corrupt("%s: malformed", what)
		}
	}
	o.idx[id] = st
	return st, nil
}

// chunk returns the stored bytes of chunk j (shorter than the chunk's span when
// its tail is zeros; nil for a chunk of zeros).
func (o *otx) chunk(m *meta, u uid, j uint32) ([]byte, error) {
	st, err := o.index(m, u, j/indexFanout)
	if err != nil {
		return nil, err
	}
	r := int(j % indexFanout)
	if r >= len(st.refs) || st.refs[r] == zeroTag {
		return nil, nil
	}
	what := recLoc("chunk", u, int64(j))
	v, err := o.get(chunkKey(u, j), st.refs[r], what)
	if err != nil {
		return nil, err
	}
	pt, err := o.unseal(kindChunk, u, j, nil, v, what)
	if err != nil {
		return nil, err
	}
	span := min(chunkSize, m.size-uint64(j)*chunkSize)
	if len(pt) == 0 || uint64(len(pt)) > span {
		return nil, corrupt("%s: %d bytes in a span of %d", what, len(pt), span)
	}
	return pt, nil
}

// readAt reads into p from off; it returns how many bytes exist there.
func (o *otx) readAt(m *meta, u uid, p []byte, off uint64) (int, error) {
	if off >= m.size {
		return 0, nil
	}
	n := int(min(uint64(len(p)), m.size-off))
	p = p[:n]
	for done := 0; done < n; {
		pos := off + uint64(done)
		j := uint32(pos / chunkSize)
		in := pos % chunkSize
		end := min(uint64(chunkSize), in+uint64(n-done))
		dst := p[done : done+int(end-in)]
		k, err := o.readChunk(m, u, j, in, dst)
		if err != nil {
			clear(p)
			return 0, err
		}
		clear(dst[k:])
		done += len(dst)
	}
	return n, nil
}

// readChunk reads chunk j from offset in into dst and returns how many bytes
// it stores there (the rest of dst's span is zeros). A read of a whole stored
// chunk, the common one, decrypts it straight into dst.
func (o *otx) readChunk(m *meta, u uid, j uint32, in uint64, dst []byte) (int, error) {
	st, err := o.index(m, u, j/indexFanout)
	if err != nil {
		return 0, err
	}
	r := int(j % indexFanout)
	if r >= len(st.refs) || st.refs[r] == zeroTag {
		return 0, nil
	}
	what := recLoc("chunk", u, int64(j))
	v, err := o.get(chunkKey(u, j), st.refs[r], what)
	if err != nil {
		return 0, err
	}
	span := min(chunkSize, m.size-uint64(j)*chunkSize)
	stored := len(v) - recOverhead // the plaintext's length, if v is well formed
	if stored <= 0 || uint64(stored) > span {
		return 0, corrupt("%s: %d bytes in a span of %d", what, max(stored, 0), span)
	}
	if in == 0 && len(dst) >= stored {
		if _, err := o.unsealTo(dst[:0], kindChunk, u, j, nil, v, what); err != nil {
			return 0, err
		}
		return stored, nil
	}
	pt, err := o.unseal(kindChunk, u, j, nil, v, what)
	if err != nil {
		return 0, err
	}
	if in >= uint64(len(pt)) {
		return 0, nil
	}
	return copy(dst, pt[in:]), nil
}

// grow extends the object to size; the new bytes are zeros that take no
// records (chunks and indexes of zeros are not stored).
func (o *otx) grow(m *meta, size uint64) {
	m.size = size
	for len(m.index) < indexesFor(size) {
		m.index = append(m.index, zeroTag)
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// putChunk stores pt as chunk j and records its tag in the index; a chunk of
// zeros is dropped instead.
func (o *otx) putChunk(m *meta, u uid, j uint32, pt []byte) error {
	st, err := o.index(m, u, j/indexFanout)
	if err != nil {
		return err
	}
	r := int(j % indexFanout)
	st.dirty = true
	if allZero(pt) {
		if r < len(st.refs) {
			st.refs[r] = zeroTag
		}
		return o.del(chunkKey(u, j))
	}
	v, t := o.seal(kindChunk, u, j, nil, pt)
	for len(st.refs) <= r {
		st.refs = append(st.refs, zeroTag)
	}
	st.refs[r] = t
	return o.put(chunkKey(u, j), v)
}

// writeAt writes p at off, extending the object with zeros up to off if it is
// shorter.
func (o *otx) writeAt(m *meta, u uid, p []byte, off uint64) error {
	end := off + uint64(len(p))
	if end > m.size {
		o.grow(m, end)
	}
	for cs := off / chunkSize * chunkSize; cs < end; cs += chunkSize {
		j := uint32(cs / chunkSize)
		span := min(chunkSize, m.size-cs)
		lo, hi := max(off, cs)-cs, min(end, cs+span)-cs
		src := p[cs+lo-off : cs+hi-off]
		pt := src
		if lo != 0 || hi != span {
			old, err := o.chunk(m, u, j)
			if err != nil {
				return err
			}
			pt = make([]byte, max(uint64(len(old)), hi))
			copy(pt, old)
			copy(pt[lo:], src)
		}
		if err := o.putChunk(m, u, j, pt); err != nil {
			return err
		}
	}
	return nil
}

// truncate sets the object's size, dropping or trimming the records past it,
// so that a later extension reads zeros there.
func (o *otx) truncate(m *meta, u uid, size uint64) error {
	if size >= m.size {
		o.grow(m, size)
		return nil
	}
	nc := chunksFor(size)
	ni := uint32(indexesFor(size))
	var last []byte
	var lastIdx *indexState
	if size%chunkSize != 0 {
		c, err := o.chunk(m, u, uint32(nc-1))
		if err != nil {
			return err
		}
		if keep := size - (nc-1)*chunkSize; uint64(len(c)) > keep {
			last = c[:keep]
		}
	}
	if ni > 0 {
		st, err := o.index(m, u, ni-1)
		if err != nil {
			return err
		}
		lastIdx = st
	}
	if err := o.delFrom(chunkKey(u, uint32(nc)), prefix(kindChunk, u)); err != nil {
		return err
	}
	if err := o.delFrom(indexKey(u, ni), prefix(kindIndex, u)); err != nil {
		return err
	}
	m.size = size
	m.index = m.index[:ni]
	if lastIdx != nil {
		if keep := int(nc - uint64(ni-1)*indexFanout); len(lastIdx.refs) > keep {
			lastIdx.refs = lastIdx.refs[:keep]
			lastIdx.dirty = true
		}
	}
	if last != nil {
		return o.putChunk(m, u, uint32(nc-1), last)
	}
	return nil
}

// flush writes the index records the transaction changed and records their
// tags in the meta.
func (o *otx) flush(m *meta, u uid) error {
	for id, st := range o.idx {
		if id.u != u || !st.dirty || int(id.i) >= len(m.index) {
			continue
		}
		st.refs = trimRefs(st.refs)
		st.dirty = false
		if len(st.refs) == 0 {
			m.index[id.i] = zeroTag
			if err := o.del(indexKey(u, id.i)); err != nil {
				return err
			}
			continue
		}
		v, t := o.seal(kindIndex, u, id.i, nil, encodeIndex(st.refs))
		m.index[id.i] = t
		if err := o.put(indexKey(u, id.i), v); err != nil {
			return err
		}
	}
	return nil
}

func (o *otx) setHeader(m *meta, u uid, h []byte) error {
	if len(h) == 0 {
		m.headerLen, m.headerTag = 0, zeroTag
		return o.del(headerKey(u))
	}
	v, t := o.seal(kindHeader, u, 0, nil, h)
	m.headerLen, m.headerTag = uint32(len(h)), t
	return o.put(headerKey(u), v)
}

// putMeta flushes the object's indexes and writes its meta record under k,
// replacing the one pinned by old (if any), and accounts for it.
func (o *otx) putMeta(k objKey, u uid, old *tag, m *meta) error {
	if err := o.flush(m, u); err != nil {
		return err
	}
	if old != nil {
		mk := metaKey(k, u, *old)
		if err := o.del(mk); err != nil {
			return err
		}
		o.w.acc.sub(o.s.k.term(o.id, mk))
	}
	v, t := o.seal(kindMeta, u, 0, &k, encodeMeta(m))
	mk := metaKey(k, u, t)
	if err := o.put(mk, v); err != nil {
		return err
	}
	o.w.acc.add(o.s.k.term(o.id, mk))
	o.w.mem = append(o.w.mem, memOp{ref: o.ref(k), e: entry{uid: u, tag: t}})
	o.w.over[o.ref(k)] = int64(m.size) + int64(m.headerLen)
	return nil
}

// remove deletes every record of the object e names, without reading them:
// a corrupt object can be deleted too.
func (o *otx) remove(k objKey, e entry) error {
	mk := metaKey(k, e.uid, e.tag)
	if err := o.del(mk); err != nil {
		return err
	}
	o.w.acc.sub(o.s.k.term(o.id, mk))
	for _, kind := range []byte{kindChunk, kindIndex} {
		p := prefix(kind, e.uid)
		if err := o.delFrom(p, p); err != nil {
			return err
		}
	}
	if err := o.del(headerKey(e.uid)); err != nil {
		return err
	}
	o.w.mem = append(o.w.mem, memOp{ref: o.ref(k), del: true})
	o.w.over[o.ref(k)] = -1
	return nil
}

// create writes a new object under k, replacing the one old names if any.
func (o *otx) create(k objKey, id, header, data []byte, old *entry) error {
	if old != nil {
		if err := o.remove(k, *old); err != nil {
			return err
		}
	}
	var u uid
	rand.Read(u[:])
	m := &meta{id: append([]byte{}, id...)}
	if err := o.setHeader(m, u, header); err != nil {
		return err
	}
	if err := o.writeAt(m, u, data, 0); err != nil {
		return err
	}
	return o.putMeta(k, u, nil, m)
}
