package secapi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Status is a SecAPI status (sa_status); it implements error.
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

// Client is a process's (or a test's) connection to the SecAPI TA.
type Client struct {
	connect func(context.Context) (*client.Context, error)
	login   client.Login

	mu    sync.Mutex
	tctx  *client.Context // guarded by mu
	owned bool            // tctx was made by the Client (guarded by mu)
	sess  *client.Session // guarded by mu
}

// NewClient returns a Client that opens its session on c, with login, on first use.
func NewClient(c *client.Context, login client.Login) *Client {
	return &Client{connect: func(context.Context) (*client.Context, error) { return c, nil }, login: login}
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
)

// Default is the process's Client: it connects to the default teed and logs in as
// USER, lazily, on the first call.
func Default() *Client {
	defaultOnce.Do(func() {
		defaultClient = &Client{connect: func(ctx context.Context) (*client.Context, error) {
			return client.NewContext(ctx, "")
		}, login: client.Login{Method: tee.LoginUser}, owned: true}
	})
	return defaultClient
}

// Close closes the session, which releases every object of its slot.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.sess != nil {
		err = c.sess.Close()
		c.sess = nil
	}
	if c.owned && c.tctx != nil {
		err = errors.Join(err, c.tctx.Close())
		c.tctx = nil
	}
	return err
}

func (c *Client) session(ctx context.Context) (*client.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil {
		return c.sess, nil
	}
	if c.tctx == nil {
		t, err := c.connect(ctx)
		if err != nil {
			return nil, fmt.Errorf("secapi: connect: %w", err)
		}
		c.tctx = t
	}
	s, err := c.tctx.OpenSession(ctx, TAUUID, c.login, nil)
	if errors.Is(err, tee.ErrBusy) {
		return nil, StatusNoAvailableResourceSlot
	}
	if err != nil {
		return nil, fmt.Errorf("secapi: open session: %w", err)
	}
	c.sess = s
	return s, nil
}

// call runs one command: req is parameter 1, in parameter 2, and the reply goes into a
// buffer of outLen bytes (grown once on SHORT_BUFFER).
func (c *Client) call(ctx context.Context, cmd uint32, req []byte, in []byte, outLen int) ([]byte, error) {
	var out []byte
	if outLen > 0 {
		out = make([]byte, outLen)
	}
	return c.invoke(ctx, cmd, req, in, out, true)
}

// callInto is call with the output written straight into out (which must be
// non-empty), for outputs the caller has a place for: a 1 MB sample then costs no
// buffer of the library's and no second copy. An output that would not fit is
// StatusInvalidParameter: out is the caller's whole room.
func (c *Client) callInto(ctx context.Context, cmd uint32, req []byte, in []byte, out []byte) ([]byte, error) {
	return c.invoke(ctx, cmd, req, in, out, false)
}

// invoke sends one command: req in parameter 1, in (if not nil) in parameter 2, and
// out (if not empty) as parameter 3, which, with grow, is replaced by a larger
// buffer and the command sent again if the TA asks for more room.
func (c *Client) invoke(ctx context.Context, cmd uint32, req, in, out []byte, grow bool) ([]byte, error) {
	s, err := c.session(ctx)
	if err != nil {
		return nil, err
	}
	for range 2 {
		v := &client.Value{Type: tee.ValueInout, A: protocol.Version}
		op := &client.Operation{}
		op.Params[0] = v
		if req != nil {
			op.Params[1] = &client.TempMemory{Type: tee.MemrefTempInput, Buffer: req}
		}
		if in != nil {
			if len(in) == 0 {
				in = []byte{} // a zero-length input still says "present"
			}
			op.Params[2] = &client.TempMemory{Type: tee.MemrefTempInput, Buffer: in, Size: len(in)}
		}
		var om *client.TempMemory
		if len(out) > 0 {
			om = &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: out}
			op.Params[3] = om
		}
		err := s.Invoke(ctx, cmd, op)
		if errors.Is(err, tee.ErrShortBuffer) && om != nil && om.Size > len(out) {
			if !grow || om.Size > protocol.MaxData {
				return nil, StatusInvalidParameter
			}
			out = make([]byte, om.Size)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("secapi: command %d: %w", cmd, err)
		}
		if st := Status(v.A); st != StatusOK {
			return nil, st
		}
		if om == nil {
			return nil, nil
		}
		if om.Size > len(out) {
			return nil, StatusInternalError // the TA claims more than it was given
		}
		return om.Buffer[:om.Size], nil
	}
	return nil, StatusInternalError
}

func (c *Client) callU64(ctx context.Context, cmd uint32, req, in []byte) (uint64, error) {
	b, err := c.call(ctx, cmd, req, in, 8)
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, StatusInternalError
	}
	return binary.LittleEndian.Uint64(b), nil
}

// Version is sa_version.
type Version struct {
	SpecificationMajor, SpecificationMinor, SpecificationRevision, ImplementationRevision uint64
}

// Version is sa_get_version.
func (c *Client) Version(ctx context.Context) (Version, error) {
	b, err := c.call(ctx, protocol.CmdGetVersion, nil, nil, 32)
	if err != nil {
		return Version{}, err
	}
	rd := protocol.NewReader(b)
	v := Version{rd.U64(), rd.U64(), rd.U64(), rd.U64()}
	return v, rd.Err()
}

// Name is sa_get_name.
func (c *Client) Name(ctx context.Context) (string, error) {
	b, err := c.call(ctx, protocol.CmdGetName, nil, nil, 64)
	return string(b), err
}

// DeviceID is sa_get_device_id.
func (c *Client) DeviceID(ctx context.Context) (uint64, error) {
	return c.callU64(ctx, protocol.CmdGetDeviceID, nil, nil)
}

// TAUUID is sa_get_ta_uuid: the identity the SecAPI TA sees for this client.
func (c *Client) TAUUID(ctx context.Context) (tee.UUID, error) {
	b, err := c.call(ctx, protocol.CmdGetTAUUID, nil, nil, 16)
	var u tee.UUID
	if err == nil && len(b) != 16 {
		err = StatusInternalError
	}
	copy(u[:], b)
	return u, err
}

// Random is sa_crypto_random: it fills b.
func (c *Client) Random(ctx context.Context, b []byte) error {
	for len(b) > 0 {
		n := min(len(b), 1<<20)
		r, err := c.call(ctx, protocol.CmdRandom, nil, nil, n)
		if err != nil {
			return err
		}
		b = b[copy(b, r):]
	}
	return nil
}
