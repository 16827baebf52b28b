package storage

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/sys/unix"

	"github.com/gotee/gotee/tee"
)

// StorageID is a GP storage identifier (Internal Core API §5.7, Table 5-2, and
// OP-TEE's extensions).
type StorageID uint32

const (
	// StoragePrivate is TEE_STORAGE_PRIVATE. As in OP-TEE's default build,
	// where it is the REE file system, it names the same objects as
	// StoragePrivateREE.
	StoragePrivate StorageID = 0x00000001
	// StoragePrivateREE is OP-TEE's TEE_STORAGE_PRIVATE_REE.
	StoragePrivateREE StorageID = 0x80000000
	// StoragePrivateRPMB is OP-TEE's TEE_STORAGE_PRIVATE_RPMB: a namespace of
	// its own (emulated; it lives in the same store file).
	StoragePrivateRPMB StorageID = 0x80000100
)

// Flags are GP's data flags (Internal Core API §5.7, Table 5-3): the access
// and sharing a handle is opened with, and whether a create may replace an
// existing object.
type Flags uint32

const (
	FlagAccessRead      Flags = 0x00000001 // TEE_DATA_FLAG_ACCESS_READ
	FlagAccessWrite     Flags = 0x00000002 // TEE_DATA_FLAG_ACCESS_WRITE
	FlagAccessWriteMeta Flags = 0x00000004 // TEE_DATA_FLAG_ACCESS_WRITE_META
	FlagShareRead       Flags = 0x00000010 // TEE_DATA_FLAG_SHARE_READ
	FlagShareWrite      Flags = 0x00000020 // TEE_DATA_FLAG_SHARE_WRITE
	FlagOverwrite       Flags = 0x00000400 // TEE_DATA_FLAG_OVERWRITE (CreateOpen only)

	openFlags   = FlagAccessRead | FlagAccessWrite | FlagAccessWriteMeta | FlagShareRead | FlagShareWrite
	createFlags = openFlags | FlagOverwrite
)

// Limits of the object model.
const (
	MaxObjectIDLen = 64         // TEE_OBJECT_ID_MAX_LEN
	MaxHeaderSize  = 64 << 10   // the opaque header the TA runtime keeps per object
	MaxDataSize    = 0xFFFFFFFF // TEE_DATA_MAX_POSITION
)

// Defaults of Options.
const (
	DefaultMaxBytesPerTA   = 64 << 20
	DefaultMaxObjectsPerTA = 10000
	DefaultLockTimeout     = 2 * time.Second
)

const (
	dbName      = "objects.db"
	counterName = "counter"
	sysName     = "sys"
	rootName    = "root"
	nsPrefix    = 'n'
	// snapshotTries bounds how often a reader retries a snapshot that a commit
	// overtook; each retry follows a commit, so this is never reached unless the
	// file is changed under the store.
	snapshotTries = 1000
)

// Options tune a Store. The zero value gives the defaults.
type Options struct {
	// MaxBytesPerTA bounds the data and header bytes of all of one TA's objects
	// (both namespaces together); DefaultMaxBytesPerTA if 0.
	MaxBytesPerTA int64
	// MaxObjectsPerTA bounds the number of one TA's objects; DefaultMaxObjectsPerTA if 0.
	MaxObjectsPerTA int
	// CounterDir holds the emulated RPMB counter; <dir>/rpmb if empty. In
	// production it should be on another file system than dir, so that the
	// store and its counter cannot be copied back together.
	CounterDir string
	// ResetRollbackCounter makes Open accept the store as it is and start a new
	// counter for it, whatever the old counter says. It is for an operator who
	// lost the counter or restored the store from a backup on purpose; with it
	// set, a rollback of the store goes undetected once.
	ResetRollbackCounter bool
	// LockTimeout is how long Open waits for another process to release the
	// store; DefaultLockTimeout if 0.
	LockTimeout time.Duration
}

// Info describes an object.
type Info struct {
	DataSize   int64 // size of the data stream
	HeaderSize int   // size of the header
}

// Entry is one object of an enumeration.
type Entry struct {
	ID     []byte
	Info   Info
	Header []byte
}

// Usage is what one TA's objects take against its quota.
type Usage struct {
	Bytes   int64 // data and header bytes
	Objects int
}

// Store is the trusted storage engine. It is safe for concurrent use.
//
// Locks: wmu serializes write transactions together with the rollback counter
// update that follows each commit, and guards the writer's state (gen, acc,
// ctr, ctrPending, usage). mu guards the in-memory index of meta records, the
// open-handle table and the bookkeeping that lets a reader tell whether its
// bbolt snapshot is the one the index describes; readers hold it only to copy
// what they need, never across I/O. Readers never take wmu, so they wait for
// a writer only where bbolt makes them (a remap of a growing file) and for the
// moment between a commit and the index update that follows it.
type Store struct {
	path  string
	k     *keyring
	db    *bolt.DB
	opts  Options
	epoch uint64        // this run's AEAD epoch (keys.go)
	nonce atomic.Uint64 // AES-GCM nonce counter within the epoch
	id    [16]byte      // storeID of the root record

	wmu        sync.Mutex
	gen        uint64   // generation of the latest commit
	acc        accum    // accumulator of the latest commit
	ctr        *counter // the emulated RPMB
	ctrPending *slot    // a commit whose counter update failed; retried before the next commit
	usage      map[tee.UUID]*usage

	mu     sync.Mutex
	cond   *sync.Cond // on mu; broadcast when txid, broken or closed change
	txid   uint64     // bbolt transaction the index reflects
	index  map[nsID]map[objKey]entry
	open   map[objRef][]*Handle
	broken error // set when a write met a damaged file; the store then refuses writes
	closed bool
}

// entry is what the index keeps of an object: enough to find and authenticate
// its meta record.
type entry struct {
	uid uid
	tag tag
}

type objRef struct {
	ns  nsID
	key objKey
}

type usage struct {
	bytes   int64
	objects int
	obj     map[objRef]int64
}

// Open opens (creating if needed) the store in dir. deviceKey is the
// installation's 32-byte device key. Open checks the whole file before using
// it and fails with an error wrapping tee.ErrCorruptObject if it is damaged,
// ErrRollback or ErrCounter if the rollback counter does not vouch for it, and
// tee.ErrStorageNotAvail if another process holds it for longer than
// Options.LockTimeout.
func Open(ctx context.Context, dir string, deviceKey []byte, opts *Options) (*Store, error) {
	if len(deviceKey) != 32 {
		return nil, fmt.Errorf("storage: device key of %d bytes, want 32: %w", len(deviceKey), tee.ErrBadParameters)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxBytesPerTA == 0 {
		o.MaxBytesPerTA = DefaultMaxBytesPerTA
	}
	if o.MaxObjectsPerTA == 0 {
		o.MaxObjectsPerTA = DefaultMaxObjectsPerTA
	}
	if o.CounterDir == "" {
		o.CounterDir = filepath.Join(dir, "rpmb")
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	for _, d := range []string{dir, o.CounterDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("storage: %w: %v", tee.ErrStorageNotAvail, err)
		}
	}
	path := filepath.Join(dir, dbName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: %w: %v", tee.ErrStorageNotAvail, err)
	}
	if err := lockFile(ctx, f, o.LockTimeout); err != nil {
		f.Close()
		return nil, fmt.Errorf("storage %s: %w", path, err)
	}
	s := &Store{
		path:  path,
		k:     newKeyring(deviceKey),
		opts:  o,
		usage: make(map[tee.UUID]*usage),
		index: make(map[nsID]map[objKey]entry),
		open:  make(map[objRef][]*Handle),
	}
	s.cond = sync.NewCond(&s.mu)
	var e [8]byte
	rand.Read(e[:])
	s.epoch = binary.BigEndian.Uint64(e[:])
	if err := s.start(f); err != nil {
		if s.db != nil {
			s.db.Close()
		}
		f.Close()
		return nil, err
	}
	return s, nil
}

// lockFile takes an exclusive flock on the store file, the same lock bbolt
// takes, waiting at most timeout: a second teed on the same store gets a clear
// error instead of hanging.
func lockFile(ctx context.Context, f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return nil
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			return fmt.Errorf("lock: %w: %v", tee.ErrStorageNotAvail, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("in use by another process (lock not released within %v): %w", timeout, tee.ErrStorageNotAvail)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Store) start(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: %w: %v", tee.ErrStorageNotAvail, err)
	}
	cpath := filepath.Join(s.opts.CounterDir, counterName)
	var psz int
	var txid uint64
	if fi.Size() > 0 {
		err := s.safely(func() (err error) {
			psz, txid, err = checkBoltFile(f)
			return err
		})
		if err != nil {
			return fmt.Errorf("storage: %s is damaged: %v: %w", s.path, err, tee.ErrCorruptObject)
		}
	}
	err = s.safely(func() (err error) {
		s.db, err = bolt.Open(s.path, 0o600, &bolt.Options{
			Timeout:      s.opts.LockTimeout,
			FreelistType: bolt.FreelistArrayType,
			// NoFreelistSync stays false: rebuilding the freelist walks the
			// tree in a goroutine of bbolt's own that panics on a damaged page.
			OpenFile: func(string, int, os.FileMode) (*os.File, error) { return f, nil },
		})
		return err
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return fmt.Errorf("storage %s: in use by another process: %w", s.path, tee.ErrStorageNotAvail)
		}
		return fmt.Errorf("storage: %s is damaged: %v: %w", s.path, err, tee.ErrCorruptObject)
	}
	if fi.Size() > 0 && (s.db.Info().PageSize != psz || s.viewID() != txid) {
		return fmt.Errorf("storage: %s: bbolt chose another meta page than the check did: %w", s.path, tee.ErrCorruptObject)
	}
	root, err := s.load()
	if err != nil {
		return err
	}
	fresh := root == nil
	if fresh {
		if _, err := os.Stat(cpath); err == nil && !s.opts.ResetRollbackCounter {
			return fmt.Errorf("%w: %s is empty or new, but the rollback counter %s exists: "+
				"the store was deleted or replaced (reopen with ResetRollbackCounter to start over)", ErrRollback, s.path, cpath)
		}
		if root, err = s.initRoot(); err != nil {
			return err
		}
	}
	ctr, err := reconcile(cpath, s.k, root, fresh, s.opts.ResetRollbackCounter)
	if err != nil {
		if errors.Is(err, ErrRollback) || errors.Is(err, ErrCounter) {
			return fmt.Errorf("%w (store %s)", err, s.path)
		}
		return fmt.Errorf("storage %s: %w: %v", s.path, tee.ErrStorageNotAvail, err)
	}
	s.ctr, s.id, s.gen, s.acc = ctr, root.storeID, root.gen, root.acc
	return nil
}

// viewID returns the transaction ID of bbolt's current snapshot.
func (s *Store) viewID() (id uint64) {
	s.safely(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			id = uint64(tx.ID())
			return nil
		})
	})
	return id
}

// load reads the root record and the keys of all meta records into the index,
// and checks them against each other. It returns a nil root for a store that
// holds nothing yet.
func (s *Store) load() (*rootRecord, error) {
	var root *rootRecord
	err := s.safely(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			s.txid = uint64(tx.ID())
			var sys *bolt.Bucket
			var sum accum
			namespaces := 0
			err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				switch {
				case b == nil:
					return fmt.Errorf("top-level key %x is not a bucket", name)
				case string(name) == sysName:
					sys = b
					return nil
				case len(name) == 1+keySize && name[0] == nsPrefix:
					namespaces++
					var id nsID
					copy(id[:], name[1:])
					return s.loadNamespace(id, b, &sum)
				}
				return fmt.Errorf("unexpected bucket %x", name)
			})
			if err != nil {
				return err
			}
			if sys == nil {
				if namespaces > 0 {
					return fmt.Errorf("objects without a root record")
				}
				return nil
			}
			v := sys.Get([]byte(rootName))
			if v == nil {
				return fmt.Errorf("root record missing")
			}
			if root, err = s.k.decodeRoot(v); err != nil {
				return fmt.Errorf("root record fails authentication")
			}
			if sum != root.acc {
				return fmt.Errorf("the meta records do not sum to the root record's accumulator " +
					"(records were removed, added or replayed from another copy)")
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %s is damaged: %v: %w", s.path, err, tee.ErrCorruptObject)
	}
	return root, nil
}

func (s *Store) loadNamespace(id nsID, b *bolt.Bucket, sum *accum) error {
	objs := make(map[objKey]entry)
	c := b.Cursor()
	for k, _ := c.Seek([]byte{kindMeta}); k != nil && k[0] == kindMeta; k, _ = c.Next() {
		ok, u, t, valid := parseMetaKey(k)
		if !valid {
			return fmt.Errorf("namespace %x: malformed meta key %x", id, k)
		}
		if _, dup := objs[ok]; dup {
			return fmt.Errorf("namespace %x: two meta records for object %x", id, ok)
		}
		objs[ok] = entry{uid: u, tag: t}
		sum.add(s.k.term(id, k))
	}
	s.index[id] = objs
	return nil
}

// initRoot writes the root record of a new store: its first commit, generation 1.
func (s *Store) initRoot() (*rootRecord, error) {
	r := &rootRecord{gen: 1}
	rand.Read(r.storeID[:])
	err := s.safely(func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(sysName))
			if err != nil {
				return err
			}
			s.txid = uint64(tx.ID())
			return b.Put([]byte(rootName), s.k.encodeRoot(r))
		})
	})
	if err != nil {
		return nil, ioError(err)
	}
	return r, nil
}

// Close closes the store. Handles still open fail afterwards.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	return errors.Join(s.db.Close(), s.ctr.close())
}

// usable says why the store cannot be used, if it cannot. Callers hold mu.
func (s *Store) usable() error {
	if s.closed {
		return errClosed
	}
	return s.broken
}

// safely runs fn so that a panic, or a memory fault on a mapped page of a file
// changed under the store, becomes an error instead of killing teed.
func (s *Store) safely(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
		}
	}()
	return fn()
}

func (s *Store) nextNonce() (n [12]byte) {
	binary.BigEndian.PutUint64(n[:], s.nonce.Add(1))
	return n
}

// read runs fn in a read transaction whose snapshot is the one the index
// describes; pick is called, with mu held, to copy from the index what fn
// needs. A snapshot taken between a commit and the index update that follows
// it waits for the update; one a commit overtook is retried.
func (s *Store) read(ctx context.Context, pick func(), fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for try := 0; try < snapshotTries; try++ {
		again := false
		err := s.safely(func() error {
			s.mu.Lock()
			if err := s.usable(); err != nil {
				s.mu.Unlock()
				return err
			}
			s.mu.Unlock()
			tx, err := s.db.Begin(false)
			if err != nil {
				return ioError(err)
			}
			defer tx.Rollback()
			id := uint64(tx.ID())
			s.mu.Lock()
			for s.txid < id && s.usable() == nil {
				s.cond.Wait()
			}
			if err := s.usable(); err != nil {
				s.mu.Unlock()
				return err
			}
			if s.txid != id {
				s.mu.Unlock()
				again = true
				return nil
			}
			pick()
			s.mu.Unlock()
			return fn(tx)
		})
		if !again {
			return err
		}
	}
	return corrupt("%s: no snapshot matches the index (the file changed under the store)", s.path)
}

// update runs fn in a write transaction for ta and commits it together with
// the root record; then it updates the index and the rollback counter.
func (s *Store) update(ctx context.Context, ta tee.UUID, fn func(w *wtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	u, err := s.usageOf(ctx, ta)
	if err != nil {
		return err
	}
	w := &wtx{s: s, ta: ta, gen: s.gen + 1, acc: s.acc, u: u, over: make(map[objRef]int64)}
	var txid uint64
	var r rootRecord
	err = s.safely(func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			w.tx = tx
			if err := fn(w); err != nil {
				return err
			}
			if !w.changed {
				return errNoChange
			}
			if err := w.checkQuota(); err != nil {
				return err
			}
			r = rootRecord{storeID: s.id, gen: w.gen, acc: w.acc}
			txid = uint64(tx.ID())
			return tx.Bucket([]byte(sysName)).Put([]byte(rootName), s.k.encodeRoot(&r))
		})
	})
	var p *panicError
	switch {
	case errors.Is(err, errNoChange):
		return nil
	case errors.As(err, &p):
		// The file changed under the store; bbolt's state cannot be trusted.
		s.mu.Lock()
		s.broken = corrupt("%s: %v; restart to recheck the store", s.path, p.v)
		s.cond.Broadcast()
		s.mu.Unlock()
		return err
	case err != nil:
		if s.viewID() != s.txid {
			// The commit failed after its meta page reached the file (a failed
			// sync): bbolt now shows a transaction whose durability is unknown
			// and which the index does not describe.
			s.mu.Lock()
			s.broken = fmt.Errorf("storage %s: a commit failed halfway (%v); restart to recheck the store: %w",
				s.path, err, tee.ErrStorageNotAvail)
			s.cond.Broadcast()
			s.mu.Unlock()
		}
		return ioError(err)
	}
	s.mu.Lock()
	for _, op := range w.mem {
		objs := s.index[op.ref.ns]
		if objs == nil {
			objs = make(map[objKey]entry)
			s.index[op.ref.ns] = objs
		}
		if op.del {
			delete(objs, op.ref.key)
		} else {
			objs[op.ref.key] = op.e
		}
	}
	s.txid = txid
	s.cond.Broadcast()
	s.mu.Unlock()
	s.gen, s.acc = w.gen, w.acc
	w.applyUsage()
	if err := s.ctr.advance(w.gen, r.mac); err != nil {
		// The commit is durable and stays; the counter is one behind, which
		// Open accepts. It must catch up before the next commit.
		s.ctrPending = &slot{gen: w.gen, commit: r.mac}
	}
	return nil
}

// writable says why no write may start; it retries a failed counter update.
// Callers hold wmu.
func (s *Store) writable() error {
	s.mu.Lock()
	err := s.usable()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if p := s.ctrPending; p != nil {
		if err := s.ctr.advance(p.gen, p.commit); err != nil {
			return ioError(err)
		}
		s.ctrPending = nil
	}
	return nil
}

// usageOf returns ta's quota usage, computing it on the TA's first write.
// Callers hold wmu, so no commit can overtake the snapshots it reads.
func (s *Store) usageOf(ctx context.Context, ta tee.UUID) (*usage, error) {
	if u, ok := s.usage[ta]; ok {
		return u, nil
	}
	u := &usage{obj: make(map[objRef]int64)}
	for _, ns := range []byte{nsREE, nsRPMB} {
		id := s.k.namespace(ta, ns)
		var objs map[objKey]entry
		err := s.read(ctx, func() { objs = maps(s.index[id]) }, func(tx *bolt.Tx) error {
			o := newOtx(s, tx, ta, ns, id, nil)
			for k, e := range objs {
				var n int64
				if m, err := o.loadMeta(k, e); err == nil {
					n = int64(m.size) + int64(m.headerLen)
				} else if !errors.Is(err, tee.ErrCorruptObject) {
					return err
				}
				// A corrupt object counts with no bytes: they are unknown.
				u.obj[objRef{id, k}] = n
				u.bytes += n
				u.objects++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	s.usage[ta] = u
	return u, nil
}

func maps(m map[objKey]entry) map[objKey]entry {
	c := make(map[objKey]entry, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// lookup returns the index entry of ref. Callers hold mu, or wmu (the index
// changes only under both).
func (s *Store) lookup(ref objRef) (entry, bool) {
	e, ok := s.index[ref.ns][ref.key]
	return e, ok
}

func nsOf(sid StorageID) (byte, error) {
	switch sid {
	case StoragePrivate, StoragePrivateREE:
		return nsREE, nil
	case StoragePrivateRPMB:
		return nsRPMB, nil
	}
	// OP-TEE's system calls answer an unsupported storage ID with ITEM_NOT_FOUND.
	return 0, fmt.Errorf("storage: storage ID %#08x: %w", uint32(sid), tee.ErrItemNotFound)
}

func checkID(id []byte) error {
	if len(id) > MaxObjectIDLen {
		return fmt.Errorf("storage: object ID of %d bytes, at most %d: %w", len(id), MaxObjectIDLen, tee.ErrBadParameters)
	}
	return nil
}

func checkHeader(h []byte) error {
	if len(h) > MaxHeaderSize {
		return fmt.Errorf("storage: header of %d bytes, at most %d: %w", len(h), MaxHeaderSize, tee.ErrBadParameters)
	}
	return nil
}

// name resolves (ta, storage ID, object ID) to the object's reference.
func (s *Store) name(ta tee.UUID, sid StorageID, id []byte) (byte, objRef, error) {
	ns, err := nsOf(sid)
	if err != nil {
		return 0, objRef{}, err
	}
	if err := checkID(id); err != nil {
		return 0, objRef{}, err
	}
	return ns, objRef{s.k.namespace(ta, ns), s.k.object(ta, ns, id)}, nil
}

// Usage returns what ta's objects take against its quota.
func (s *Store) Usage(ctx context.Context, ta tee.UUID) (Usage, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	err := s.usable()
	s.mu.Unlock()
	if err != nil {
		return Usage{}, err
	}
	u, err := s.usageOf(ctx, ta)
	if err != nil {
		return Usage{}, err
	}
	return Usage{Bytes: u.bytes, Objects: u.objects}, nil
}
