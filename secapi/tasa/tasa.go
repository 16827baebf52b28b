package tasa

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Status is a SecAPI status (sa_status); it implements error. It is the same type as
// secapi.Status.
type Status = protocol.Status

// The SecAPI statuses.
const (
	StatusOK                      = protocol.StatusOK
	StatusNoAvailableResourceSlot = protocol.StatusNoAvailableResourceSlot
	StatusInvalidKeyFormat        = protocol.StatusInvalidKeyFormat
	StatusInvalidKeyType          = protocol.StatusInvalidKeyType
	StatusNullParameter           = protocol.StatusNullParameter
	StatusInvalidParameter        = protocol.StatusInvalidParameter
	StatusOperationNotAllowed     = protocol.StatusOperationNotAllowed
	StatusInvalidSVPBuffer        = protocol.StatusInvalidSVPBuffer
	StatusOperationNotSupported   = protocol.StatusOperationNotSupported
	StatusSelfTest                = protocol.StatusSelfTest
	StatusVerificationFailed      = protocol.StatusVerificationFailed
	StatusInternalError           = protocol.StatusInternalError
	StatusHWError                 = protocol.StatusHWError
)

// TAUUID is the SecAPI TA's UUID.
var TAUUID = protocol.TAUUID

// ErrClosed is returned by calls on a Client after Close.
var ErrClosed = errors.New("tasa: client closed")

// Client is a Secure Application's session on the SecAPI TA: one slot.
type Client struct {
	timeout uint32

	mu sync.Mutex
	ts *ta.TASession // nil once closed (guarded by mu)
}

// Open opens a session on the SecAPI TA from the TA session s (usually inside one of
// s's entry points). timeout is the cancellation timeout of every call in
// milliseconds, or ta.TimeoutInfinite. A SecAPI TA out of slots is
// StatusNoAvailableResourceSlot.
func Open(s *ta.Session, timeout uint32) (*Client, error) {
	ts, err := s.OpenTASession(TAUUID, timeout, nil)
	if errors.Is(err, tee.ErrBusy) {
		return nil, StatusNoAvailableResourceSlot
	}
	if err != nil {
		return nil, fmt.Errorf("tasa: open session on the SecAPI TA: %w", err)
	}
	return &Client{timeout: timeout, ts: ts}, nil
}

// Close closes the session, which releases every object of its slot. Closing twice
// is harmless.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ts != nil {
		c.ts.Close()
		c.ts = nil
	}
}

// call runs one command: req is parameter 1, in parameter 2 (nil: absent), and the
// reply goes into a buffer of outLen bytes (grown once on SHORT_BUFFER; 0: absent).
func (c *Client) call(cmd uint32, req, in []byte, outLen int) ([]byte, error) {
	if len(req) > protocol.MaxRequest || len(in) > protocol.MaxData || outLen > protocol.MaxData {
		return nil, StatusInvalidParameter
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ts == nil {
		return nil, ErrClosed
	}
	for range 2 {
		var p ta.Params
		p[0] = ta.Param{Type: tee.ValueInout, Value: tee.Value{A: protocol.Version}}
		if req != nil {
			p[1] = ta.Param{Type: tee.MemrefInput, Mem: req, Size: len(req)}
		}
		if in != nil {
			p[2] = ta.Param{Type: tee.MemrefInput, Mem: in, Size: len(in)}
		}
		if outLen > 0 {
			p[3] = ta.Param{Type: tee.MemrefOutput, Mem: make([]byte, outLen), Size: outLen}
		}
		err := c.ts.Invoke(c.timeout, cmd, &p)
		if errors.Is(err, tee.ErrShortBuffer) && outLen > 0 && p[3].Size > outLen && p[3].Size <= protocol.MaxData {
			outLen = p[3].Size
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tasa: command %d: %w", cmd, err)
		}
		if st := Status(p[0].Value.A); st != StatusOK {
			return nil, st
		}
		if outLen == 0 {
			return nil, nil
		}
		if p[3].Size < 0 || p[3].Size > len(p[3].Mem) {
			return nil, StatusInternalError
		}
		return p[3].Mem[:p[3].Size], nil
	}
	return nil, StatusInternalError
}

func (c *Client) callU64(cmd uint32, req, in []byte) (uint64, error) {
	b, err := c.call(cmd, req, in, 8)
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, StatusInternalError
	}
	return binary.LittleEndian.Uint64(b), nil
}

func handleReq(hs ...uint64) []byte {
	var w protocol.Writer
	for _, h := range hs {
		w.U64(h)
	}
	return w.Buf
}

// TAUUID is sa_get_ta_uuid: the caller UUID the SecAPI TA sees for this session,
// which is the calling TA's own UUID.
func (c *Client) TAUUID() (tee.UUID, error) {
	var u tee.UUID
	b, err := c.call(protocol.CmdGetTAUUID, nil, nil, len(u))
	if err != nil {
		return u, err
	}
	if len(b) != len(u) {
		return u, StatusInternalError
	}
	copy(u[:], b)
	return u, nil
}

// Random is sa_crypto_random: it fills b.
func (c *Client) Random(b []byte) error {
	for len(b) > 0 {
		n := min(len(b), 1<<20)
		r, err := c.call(protocol.CmdRandom, nil, nil, n)
		if err != nil {
			return err
		}
		if len(r) != n {
			return StatusInternalError
		}
		b = b[copy(b, r):]
	}
	return nil
}
