package client

import (
	"sync/atomic"

	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// SharedMemory is a block of memory shared with TAs (TEEC_SharedMemory), either
// allocated by the context — a memfd mapped into this process and, on first use,
// into the TA, so both work on the same pages — or registered: the caller's own
// buffer, which the TA sees through a copy made at each call.
type SharedMemory struct {
	ctx   *Context
	id    uint32
	flags uint32
	size  int
	blk   *shm.Block // allocated memory; nil for registered memory
	buf   []byte

	lanes map[*lane]struct{} // session channels whose TA maps blk (guarded by ctx.mu)
	gone  atomic.Bool
}

// AllocateSharedMemory allocates size bytes of shared memory
// (TEEC_AllocateSharedMemory); flags is tee.MemInput, tee.MemOutput or both.
func (c *Context) AllocateSharedMemory(size int, flags uint32) (*SharedMemory, error) {
	if flags&^(tee.MemInput|tee.MemOutput) != 0 || size < 0 || size > shm.MaxSize {
		return nil, errAPIBadParams
	}
	b, err := shm.New("gotee-shm", size)
	if err != nil {
		return nil, &tee.Error{Code: tee.ErrOutOfMemory, Origin: tee.OriginAPI}
	}
	return c.addShm(&SharedMemory{flags: flags, size: size, blk: b, buf: b.Bytes()})
}

// RegisterSharedMemory registers buf as shared memory (TEEC_RegisterSharedMemory).
func (c *Context) RegisterSharedMemory(buf []byte, flags uint32) (*SharedMemory, error) {
	if flags&^(tee.MemInput|tee.MemOutput) != 0 {
		return nil, errAPIBadParams
	}
	return c.addShm(&SharedMemory{flags: flags, size: len(buf), buf: buf})
}

func (c *Context) addShm(m *SharedMemory) (*SharedMemory, error) {
	m.ctx = c
	m.lanes = map[*lane]struct{}{}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		if m.blk != nil {
			m.blk.Close()
		}
		return nil, errClosed
	}
	for {
		c.nextShm++
		if c.nextShm != wire.ShmArena && c.nextShm != wire.ShmNull && c.shms[c.nextShm] == nil {
			break
		}
	}
	m.id = c.nextShm
	c.shms[m.id] = m
	return m, nil
}

// Bytes is the memory: the mapped block, or the registered buffer.
func (m *SharedMemory) Bytes() []byte { return m.buf }

// Flags are the direction flags the memory was created with.
func (m *SharedMemory) Flags() uint32 { return m.flags }

func (m *SharedMemory) released() bool { return m.gone.Load() }

// Release releases the memory (TEEC_ReleaseSharedMemory): TAs that mapped it are
// told to unmap it, and an allocated block is unmapped here. It must not be in use
// by an operation in progress.
func (m *SharedMemory) Release() {
	if m.gone.Swap(true) {
		return
	}
	c := m.ctx
	c.mu.Lock()
	delete(c.shms, m.id)
	lanes := m.lanes
	m.lanes = nil
	c.mu.Unlock()
	for ln := range lanes {
		ln.conn.Send(nil, 0, &wire.ShmRelease{Shm: m.id})
	}
	if m.blk != nil {
		m.blk.Close()
	}
	m.buf = nil
}

// noteShared records that the TA at the other end of ln now maps ms.
func (c *Context) noteShared(ln *lane, ms []*SharedMemory) {
	if len(ms) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range ms {
		if m.lanes != nil {
			m.lanes[ln] = struct{}{}
		}
	}
}

// forget drops a closed session from the context and its shared memory.
func (c *Context) forget(s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.sessions, s)
	for _, m := range c.shms {
		for _, ln := range s.lanes {
			delete(m.lanes, ln)
		}
	}
}
