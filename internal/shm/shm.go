package shm

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// MaxSize bounds one block, and so any memory reference.
const MaxSize = 1 << 36

// ErrRefused is wrapped when a received descriptor is not acceptable shared memory.
var ErrRefused = errors.New("not acceptable shared memory")

// Block is a mapped memfd. Its memory is valid until Close; Bytes aliases it.
type Block struct {
	fd  int
	mem []byte
}

// New creates a block of size bytes (0 gives an empty block with no mapping),
// sealed so it can never shrink or grow.
func New(name string, size int) (*Block, error) {
	if size < 0 || size > MaxSize {
		return nil, fmt.Errorf("shared memory of %d bytes: %w", size, unix.EINVAL)
	}
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	b, err := newBlock(fd, size)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return b, nil
}

func newBlock(fd, size int) (*Block, error) {
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return nil, fmt.Errorf("size memfd: %w", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL); err != nil {
		return nil, fmt.Errorf("seal memfd: %w", err)
	}
	b := &Block{fd: fd}
	if size > 0 {
		// Populated now, in one call, rather than a page fault at a time during the
		// first invoke that uses the block: in a virtual machine faults are dear
		// enough that a fresh 2 MB arena cost a 1 MB cenc sample over 10 ms. This
		// side chose the size (an arena is sized from its own caller's parameters,
		// registered memory is what the client asked for, as OP-TEE's driver
		// allocates it whole); a block received with Map is not populated, so a peer
		// cannot make this side commit memory by sending one.
		mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
		if err != nil {
			return nil, fmt.Errorf("map memfd: %w", err)
		}
		b.mem = mem
	}
	return b, nil
}

// Map takes ownership of a descriptor received from a peer and maps it whole,
// after checking that it is a memfd sealed against shrinking. On error fd is closed.
func Map(fd int) (*Block, error) {
	b, err := mapReceived(fd)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return b, nil
}

func mapReceived(fd int) (*Block, error) {
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: no seals: %v", ErrRefused, err)
	}
	if seals&unix.F_SEAL_SHRINK == 0 {
		return nil, fmt.Errorf("%w: not sealed against shrinking", ErrRefused)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < 0 || st.Size > MaxSize {
		return nil, fmt.Errorf("%w: not a regular memfd of sane size", ErrRefused)
	}
	b := &Block{fd: fd}
	if st.Size > 0 {
		mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("%w: map: %v", ErrRefused, err)
		}
		b.mem = mem
	}
	return b, nil
}

// FD is the block's descriptor, for passing to a peer. The block still owns it.
func (b *Block) FD() int { return b.fd }

// Bytes is the mapped memory.
func (b *Block) Bytes() []byte { return b.mem }

// Len is the block's size.
func (b *Block) Len() int { return len(b.mem) }

// Window returns mem[off:off+size] if that range lies inside the block.
func (b *Block) Window(off, size uint64) ([]byte, bool) {
	if off > uint64(len(b.mem)) || size > uint64(len(b.mem))-off {
		return nil, false
	}
	return b.mem[off : off+size : off+size], true
}

// Close unmaps and closes. Nothing may use Bytes afterwards.
func (b *Block) Close() error {
	var err error
	if b.mem != nil {
		err = unix.Munmap(b.mem)
		b.mem = nil
	}
	if b.fd >= 0 {
		if cerr := unix.Close(b.fd); err == nil {
			err = cerr
		}
		b.fd = -1
	}
	return err
}
