package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// checkBolt validates the page structure of a bbolt file before bbolt maps it,
// and returns the page size and the transaction ID of the meta page bbolt will
// use.
//
// bbolt trusts its file: its pages carry no checksums (only the two meta pages
// do), it follows page IDs and element offsets through the memory map without
// bounds checks, and its own tx.Check walks the tree in a goroutine of its own,
// where a panic or a fault on a damaged page would kill teed beyond any
// recover. So teed does the equivalent of tx.Check itself, on the file read
// through ReadAt, with every offset bounds-checked: the meta pages (as bbolt
// chooses between them), every branch and leaf page reachable from the root
// bucket (page IDs, types, overflow, element layout, key order, nested and
// inline buckets), the freelist, and that every page is either reachable or
// free, and no page is reached twice. A file that passes can be mapped and
// walked by bbolt without reading outside its pages; the AEAD of the records
// covers everything else.
func checkBolt(f io.ReaderAt, size int64) (psz int, txid uint64, err error) {
	c := &boltChecker{f: f, size: size}
	m, err := c.meta()
	if err != nil {
		return 0, 0, err
	}
	c.psz = int(m.pageSize)
	c.hwm = m.hwm
	c.seen = make([]uint64, (m.hwm+63)/64)
	c.free = make([]uint64, (m.hwm+63)/64)
	c.mark(0)
	c.mark(1)
	// The engine always persists the freelist; without it bbolt would rebuild
	// it by walking the tree in a goroutine of its own.
	if m.freelist == noFreelist {
		return 0, 0, fmt.Errorf("the freelist is not persisted")
	}
	if err := c.freelist(m.freelist); err != nil {
		return 0, 0, err
	}
	if _, _, err := c.node(m.root, nil, nil, 0); err != nil {
		return 0, 0, err
	}
	for id := uint64(2); id < m.hwm; id++ {
		if !c.isSeen(id) && !c.isFree(id) {
			return 0, 0, fmt.Errorf("page %d is neither reachable nor free", id)
		}
	}
	return c.psz, m.txid, nil
}

const (
	pageHeaderSize = 16
	elemSize       = 16
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagMeta       = 0x04
	flagFreelist   = 0x10
	bucketFlag     = 0x01
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	noFreelist     = ^uint64(0)
	bucketHdrSize  = 16
	maxTreeDepth   = 32
)

// bbolt writes its structures in the machine's byte order.
var ne = binary.NativeEndian

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	hwm      uint64
	txid     uint64
}

// parseBoltMeta validates a meta page the way bbolt does: magic, version and
// checksum.
func parseBoltMeta(p []byte) (boltMeta, bool) {
	var m boltMeta
	if len(p) < pageHeaderSize+64 {
		return m, false
	}
	b := p[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(b[:56])
	if ne.Uint32(b) != boltMagic || ne.Uint32(b[4:]) != boltVersion || ne.Uint64(b[56:]) != h.Sum64() {
		return m, false
	}
	m.pageSize = ne.Uint32(b[8:])
	m.root = ne.Uint64(b[16:])
	m.freelist = ne.Uint64(b[32:])
	m.hwm = ne.Uint64(b[40:])
	m.txid = ne.Uint64(b[48:])
	return m, true
}

type boltChecker struct {
	f    io.ReaderAt
	size int64
	psz  int
	hwm  uint64
	seen []uint64 // pages reached from the root, the metas and the freelist
	free []uint64 // pages on the freelist
}

func (c *boltChecker) readAt(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > c.size || int64(n) > c.size-off {
		return nil, fmt.Errorf("read of %d bytes at %d beyond the end of the file (%d bytes)", n, off, c.size)
	}
	b := make([]byte, n)
	if _, err := c.f.ReadAt(b, off); err != nil {
		return nil, err
	}
	return b, nil
}

// meta picks the meta page bbolt will use: the valid one with the higher
// transaction ID, with the page size taken from the first valid meta page.
func (c *boltChecker) meta() (boltMeta, error) {
	head := min(c.size, 0x1000)
	b0, err := c.readAt(0, int(head))
	if err != nil {
		return boltMeta{}, err
	}
	m0, ok0 := parseBoltMeta(b0)
	psz := 0
	if ok0 {
		psz = int(m0.pageSize)
	} else {
		for i := 0; i <= 6; i++ {
			pos := int64(1024) << i
			if pos >= c.size-1024 {
				break
			}
			b, err := c.readAt(pos, int(min(0x1000, c.size-pos)))
			if err != nil {
				return boltMeta{}, err
			}
			if m, ok := parseBoltMeta(b); ok {
				psz = int(m.pageSize)
				break
			}
		}
	}
	if psz < 1024 || psz > 1<<16 || psz&(psz-1) != 0 {
		return boltMeta{}, fmt.Errorf("no valid meta page (page size %d)", psz)
	}
	var m1 boltMeta
	ok1 := false
	if int64(2*psz) <= c.size {
		b1, err := c.readAt(int64(psz), psz)
		if err != nil {
			return boltMeta{}, err
		}
		m1, ok1 = parseBoltMeta(b1)
	}
	var m boltMeta
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m = m1
	case ok0:
		m = m0
	default:
		return boltMeta{}, fmt.Errorf("both meta pages are invalid")
	}
	if int(m.pageSize) != psz {
		return boltMeta{}, fmt.Errorf("meta page size %d differs from %d", m.pageSize, psz)
	}
	if m.hwm < 3 || m.hwm > uint64(c.size)/uint64(psz) {
		return boltMeta{}, fmt.Errorf("high water mark %d pages does not fit the file (%d bytes)", m.hwm, c.size)
	}
	if m.root < 2 || m.root >= m.hwm {
		return boltMeta{}, fmt.Errorf("root page %d out of range", m.root)
	}
	if m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.hwm) {
		return boltMeta{}, fmt.Errorf("freelist page %d out of range", m.freelist)
	}
	return m, nil
}

func (c *boltChecker) isSeen(id uint64) bool { return c.seen[id/64]&(1<<(id%64)) != 0 }
func (c *boltChecker) isFree(id uint64) bool { return c.free[id/64]&(1<<(id%64)) != 0 }
func (c *boltChecker) mark(id uint64)        { c.seen[id/64] |= 1 << (id % 64) }

// page reads page id with its overflow pages and marks them reached.
func (c *boltChecker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, fmt.Errorf("page %d out of range [2, %d)", id, c.hwm)
	}
	h, err := c.readAt(int64(id)*int64(c.psz), pageHeaderSize)
	if err != nil {
		return nil, err
	}
	if got := ne.Uint64(h); got != id {
		return nil, fmt.Errorf("page %d identifies as page %d", id, got)
	}
	overflow := uint64(ne.Uint32(h[12:]))
	if overflow >= c.hwm-id {
		return nil, fmt.Errorf("page %d: overflow %d beyond the high water mark", id, overflow)
	}
	for i := id; i <= id+overflow; i++ {
		if c.isSeen(i) {
			return nil, fmt.Errorf("page %d reached twice", i)
		}
		if c.isFree(i) {
			return nil, fmt.Errorf("page %d is both reachable and free", i)
		}
		c.mark(i)
	}
	return c.readAt(int64(id)*int64(c.psz), int(overflow+1)*c.psz)
}

func (c *boltChecker) freelist(id uint64) error {
	p, err := c.page(id)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	if ne.Uint16(p[8:]) != flagFreelist {
		return fmt.Errorf("freelist page %d has type %#x", id, ne.Uint16(p[8:]))
	}
	count, start := uint64(ne.Uint16(p[10:])), uint64(pageHeaderSize)
	if count == 0xFFFF {
		count, start = ne.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > (uint64(len(p))-start)/8 {
		return fmt.Errorf("freelist page %d: %d entries do not fit", id, count)
	}
	for i := uint64(0); i < count; i++ {
		f := ne.Uint64(p[start+8*i:])
		if f < 2 || f >= c.hwm || c.isSeen(f) || c.isFree(f) {
			return fmt.Errorf("freelist page %d: bad entry %d", id, f)
		}
		c.free[f/64] |= 1 << (f % 64)
	}
	return nil
}

// node checks the subtree rooted at page id, whose keys must lie in [lo, hi)
// (nil for unbounded), and returns its first and last keys.
func (c *boltChecker) node(id uint64, lo, hi []byte, depth int) (first, last []byte, err error) {
	if depth > maxTreeDepth {
		return nil, nil, fmt.Errorf("page %d: tree deeper than %d", id, maxTreeDepth)
	}
	p, err := c.page(id)
	if err != nil {
		return nil, nil, err
	}
	switch ne.Uint16(p[8:]) {
	case flagBranch:
		keys, children, err := branchElems(p)
		if err != nil {
			return nil, nil, fmt.Errorf("branch page %d: %w", id, err)
		}
		if err := checkOrder(keys, lo, hi); err != nil {
			return nil, nil, fmt.Errorf("branch page %d: %w", id, err)
		}
		for i, k := range keys {
			next := hi
			if i+1 < len(keys) {
				next = keys[i+1]
			}
			f, l, err := c.node(children[i], k, next, depth+1)
			if err != nil {
				return nil, nil, err
			}
			if i == 0 {
				first = f
			}
			last = l
		}
		return first, last, nil
	case flagLeaf:
		elems, err := leafElems(p)
		if err != nil {
			return nil, nil, fmt.Errorf("leaf page %d: %w", id, err)
		}
		if err := c.leafContents(elems, lo, hi, depth); err != nil {
			return nil, nil, fmt.Errorf("leaf page %d: %w", id, err)
		}
		if len(elems) == 0 {
			return nil, nil, nil
		}
		return elems[0].key, elems[len(elems)-1].key, nil
	default:
		return nil, nil, fmt.Errorf("page %d: type %#x where a branch or leaf page belongs", id, ne.Uint16(p[8:]))
	}
}

type leafElem struct {
	bucket     bool
	key, value []byte
}

// leafContents checks the elements of a leaf page (or of an inline bucket's
// page) and the buckets they hold.
func (c *boltChecker) leafContents(elems []leafElem, lo, hi []byte, depth int) error {
	keys := make([][]byte, len(elems))
	for i, e := range elems {
		keys[i] = e.key
	}
	if err := checkOrder(keys, lo, hi); err != nil {
		return err
	}
	for _, e := range elems {
		if !e.bucket {
			continue
		}
		if len(e.value) < bucketHdrSize {
			return fmt.Errorf("bucket %x: header truncated", e.key)
		}
		if r := ne.Uint64(e.value); r != 0 {
			if len(e.value) != bucketHdrSize {
				return fmt.Errorf("bucket %x: %d bytes after a non-inline header", e.key, len(e.value)-bucketHdrSize)
			}
			if _, _, err := c.node(r, nil, nil, depth+1); err != nil {
				return fmt.Errorf("bucket %x: %w", e.key, err)
			}
			continue
		}
		inl := e.value[bucketHdrSize:]
		if len(inl) < pageHeaderSize || ne.Uint16(inl[8:]) != flagLeaf {
			return fmt.Errorf("inline bucket %x: not a leaf page", e.key)
		}
		sub, err := leafElems(inl)
		if err != nil {
			return fmt.Errorf("inline bucket %x: %w", e.key, err)
		}
		for _, s := range sub {
			// bbolt never inlines a bucket that holds buckets.
			if s.bucket {
				return fmt.Errorf("inline bucket %x holds a bucket", e.key)
			}
		}
		if err := c.leafContents(sub, nil, nil, depth+1); err != nil {
			return fmt.Errorf("inline bucket %x: %w", e.key, err)
		}
	}
	return nil
}

// elemLayout returns the number of elements of a page after checking that the
// element array fits; leafElems and branchElems then check that the elements'
// data follows the array contiguously and in order, as bbolt writes it.
func elemLayout(p []byte) (count int, err error) {
	count = int(ne.Uint16(p[10:]))
	if pageHeaderSize+count*elemSize > len(p) {
		return 0, fmt.Errorf("%d elements do not fit", count)
	}
	return count, nil
}

func leafElems(p []byte) ([]leafElem, error) {
	count, err := elemLayout(p)
	if err != nil {
		return nil, err
	}
	elems := make([]leafElem, count)
	next := uint64(pageHeaderSize + count*elemSize)
	for i := range elems {
		at := pageHeaderSize + i*elemSize
		flags := ne.Uint32(p[at:])
		pos, ks, vs := uint64(ne.Uint32(p[at+4:])), uint64(ne.Uint32(p[at+8:])), uint64(ne.Uint32(p[at+12:]))
		start := uint64(at) + pos
		if flags&^bucketFlag != 0 {
			return nil, fmt.Errorf("element %d: flags %#x", i, flags)
		}
		if start != next || ks == 0 || start+ks+vs > uint64(len(p)) {
			return nil, fmt.Errorf("element %d: data at %d+%d+%d does not follow at %d within %d bytes", i, start, ks, vs, next, len(p))
		}
		elems[i] = leafElem{bucket: flags&bucketFlag != 0, key: p[start : start+ks], value: p[start+ks : start+ks+vs]}
		next = start + ks + vs
	}
	return elems, nil
}

func branchElems(p []byte) (keys [][]byte, children []uint64, err error) {
	count, err := elemLayout(p)
	if err != nil {
		return nil, nil, err
	}
	if count == 0 {
		return nil, nil, fmt.Errorf("no elements")
	}
	next := uint64(pageHeaderSize + count*elemSize)
	for i := 0; i < count; i++ {
		at := pageHeaderSize + i*elemSize
		pos, ks := uint64(ne.Uint32(p[at:])), uint64(ne.Uint32(p[at+4:]))
		start := uint64(at) + pos
		if start != next || ks == 0 || start+ks > uint64(len(p)) {
			return nil, nil, fmt.Errorf("element %d: key at %d+%d does not follow at %d within %d bytes", i, start, ks, next, len(p))
		}
		keys = append(keys, p[start:start+ks])
		children = append(children, ne.Uint64(p[at+8:]))
		next = start + ks
	}
	return keys, children, nil
}

// checkOrder checks that keys are strictly increasing and lie in [lo, hi).
func checkOrder(keys [][]byte, lo, hi []byte) error {
	for i, k := range keys {
		if i == 0 && lo != nil && bytes.Compare(k, lo) < 0 {
			return fmt.Errorf("key %x below its parent's %x", k, lo)
		}
		if i > 0 && bytes.Compare(keys[i-1], k) >= 0 {
			return fmt.Errorf("key %x not above %x", k, keys[i-1])
		}
		if hi != nil && bytes.Compare(k, hi) >= 0 {
			return fmt.Errorf("key %x not below the next parent key %x", k, hi)
		}
	}
	return nil
}

// checkBoltFile runs checkBolt on an open file.
func checkBoltFile(f *os.File) (psz int, txid uint64, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return checkBolt(f, fi.Size())
}
