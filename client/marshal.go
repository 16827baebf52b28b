package client

import (
	"math/bits"

	"github.com/gotee/gotee/internal/shm"
	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

const minArena = 64 << 10

// channel is what a session's direct channel has been given so far: its arena (the
// staging area for memory that is not shared) and the shared memory the TA knows.
type channel struct {
	arena *shm.Block
	sent  map[uint32]bool
}

// staged is a parameter whose bytes go through the arena.
type staged struct {
	off int
	buf []byte // the caller's memory
}

// prepared is an Operation turned into its wire form.
type prepared struct {
	op       wire.Operation
	fds      []int
	newArena *shm.Block      // replaces the channel's arena once sent
	newShm   []*SharedMemory // become known to the TA once sent
	stage    [4]staged
}

var errAPIBadParams = &tee.Error{Code: tee.ErrBadParameters, Origin: tee.OriginAPI}

// prepare checks op and lays it out in pr for the wire, copying input memory into
// the arena. Everything is checked before anything reaches the TA. pr's slices are
// reused, so an invoke on a warm session allocates nothing here.
func (ch *channel) prepare(pr *prepared, c *Context, op *Operation) error {
	*pr = prepared{fds: pr.fds[:0], newShm: pr.newShm[:0]}
	if op == nil {
		return nil
	}
	need := 0
	for i, p := range op.Params {
		w := &pr.op.Params[i]
		switch p := p.(type) {
		case nil:
		case *Value:
			if !p.Type.IsValue() {
				return errAPIBadParams
			}
			w.Type, w.A, w.B = p.Type, uint64(p.A), uint64(p.B)
		case *TempMemory:
			if p.Type < tee.MemrefTempInput || p.Type > tee.MemrefTempInout {
				return errAPIBadParams
			}
			w.Type = p.Type
			if p.Buffer == nil {
				if p.Size < 0 || p.Size > shm.MaxSize {
					return errAPIBadParams
				}
				w.Shm, w.B = wire.ShmNull, uint64(p.Size)
				continue
			}
			pr.stage[i] = staged{off: need, buf: p.Buffer}
			w.Shm, w.A, w.B = wire.ShmArena, uint64(need), uint64(len(p.Buffer))
			need += align(len(p.Buffer))
		case *RegisteredMemory:
			m := p.Mem
			if m == nil || m.ctx != c || m.released() {
				return errAPIBadParams
			}
			off, size := p.Offset, p.Size
			switch p.Type {
			case tee.MemrefWhole:
				off, size = 0, m.size
				switch m.flags & (tee.MemInput | tee.MemOutput) {
				case tee.MemInput:
					w.Type = tee.MemrefInput
				case tee.MemOutput:
					w.Type = tee.MemrefOutput
				case tee.MemInput | tee.MemOutput:
					w.Type = tee.MemrefInout
				default:
					return errAPIBadParams
				}
			case tee.MemrefPartialInput, tee.MemrefPartialOut, tee.MemrefPartialInout:
				w.Type = p.Type - 8 // TEEC_MEMREF_PARTIAL_x → TEE_PARAM_TYPE_MEMREF_x
				var want uint32
				if p.Type.In() {
					want |= tee.MemInput
				}
				if p.Type.Out() {
					want |= tee.MemOutput
				}
				if m.flags&want != want || off < 0 || size < 0 || off > m.size || size > m.size-off {
					return errAPIBadParams
				}
			default:
				return errAPIBadParams
			}
			if m.blk == nil { // registered caller memory: staged like temporary memory
				pr.stage[i] = staged{off: need, buf: m.buf[off : off+size]}
				w.Shm, w.A, w.B = wire.ShmArena, uint64(need), uint64(size)
				need += align(size)
				continue
			}
			w.Shm, w.A, w.B = m.id, uint64(off), uint64(size)
			if !ch.sent[m.id] && !contains(pr.newShm, m) {
				pr.op.ShmIDs[pr.op.NewShm] = m.id
				pr.op.NewShm++
				pr.newShm = append(pr.newShm, m)
			}
		default:
			return errAPIBadParams
		}
	}
	arena := ch.arena
	if need > 0 && (arena == nil || arena.Len() < need) {
		size := max(minArena, 1<<bits.Len(uint(need-1)))
		if need > shm.MaxSize {
			return &tee.Error{Code: tee.ErrOutOfMemory, Origin: tee.OriginAPI}
		}
		b, err := shm.New("gotee-arena", size)
		if err != nil {
			return &tee.Error{Code: tee.ErrOutOfMemory, Origin: tee.OriginAPI}
		}
		pr.newArena, arena = b, b
		pr.op.HasArena = true
		pr.fds = append(pr.fds, b.FD())
	}
	for _, m := range pr.newShm {
		pr.fds = append(pr.fds, m.blk.FD())
	}
	for i, st := range pr.stage {
		if st.buf != nil && pr.op.Params[i].Type.In() {
			copy(arena.Bytes()[st.off:], st.buf)
		}
	}
	return nil
}

// sent records that the TA now holds what pr gave it.
func (ch *channel) commit(pr *prepared) {
	if pr.newArena != nil {
		if ch.arena != nil {
			ch.arena.Close()
		}
		ch.arena = pr.newArena
		pr.newArena = nil
	}
	for _, m := range pr.newShm {
		ch.sent[m.id] = true
	}
}

// abandon releases what prepare made for an operation that was never sent.
func (pr *prepared) abandon() {
	if pr.newArena != nil {
		pr.newArena.Close()
	}
}

// finish writes the TA's outputs back into op: values and sizes always, memory
// from the arena when it fits the caller's buffer, as OP-TEE's libteec does.
func (ch *channel) finish(op *Operation, pr *prepared, out *wire.Operation) {
	if op == nil {
		return
	}
	for i, p := range op.Params {
		o := out.Params[i]
		if o.Type != pr.op.Params[i].Type || o.Shm != pr.op.Params[i].Shm {
			continue // a TA cannot retype parameters; ignore a response that tries
		}
		switch p := p.(type) {
		case *Value:
			if p.Type.Out() {
				p.A, p.B = uint32(o.A), uint32(o.B)
			}
		case *TempMemory:
			if p.Type.Out() {
				p.Size = clampSize(o.B)
				ch.copyOut(pr.stage[i], p.Size)
			}
		case *RegisteredMemory:
			if pr.op.Params[i].Type.Out() {
				p.Size = clampSize(o.B)
				ch.copyOut(pr.stage[i], p.Size)
			}
		}
	}
}

func (ch *channel) copyOut(st staged, size int) {
	if st.buf == nil || ch.arena == nil || size > len(st.buf) {
		return
	}
	copy(st.buf[:size], ch.arena.Bytes()[st.off:])
}

func clampSize(b uint64) int {
	if b > shm.MaxSize {
		return shm.MaxSize
	}
	return int(b)
}

func align(n int) int { return (n + 63) &^ 63 }

func contains(ms []*SharedMemory, m *SharedMemory) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}
