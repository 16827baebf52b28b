package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// RootKeys are the root keys an installation can be provisioned with, as a factory
// provisions a device's OTP keys: the unique root key (the device's own) and the
// common root key (shared by a class of devices), each 16 or 32 bytes, and the
// device ID the keystore names (0: keep the TEE's).
type RootKeys struct {
	Unique, Common []byte
	DeviceID       uint64
}

// ProvisionRootKeys stores keys in the SecAPI TA's trusted storage. SecAPI sessions
// opened afterwards use them for the root key ladders, SoC containers and exported
// keys instead of the keys the TA derives from the device secret; this session keeps
// its own. The TA accepts it only from a USER login of uid 0
// (StatusOperationNotAllowed otherwise), and only once: provisioning the same keys
// again succeeds, other keys are StatusOperationNotAllowed.
func (c *Client) ProvisionRootKeys(ctx context.Context, k RootKeys) error {
	if len(k.Unique) > protocol.MaxRootKey || len(k.Common) > protocol.MaxRootKey {
		return StatusInvalidParameter
	}
	var w protocol.Writer
	w.Var(k.Unique)
	w.Var(k.Common)
	w.U64(k.DeviceID)
	_, err := c.call(ctx, protocol.CmdProvisionRootKeys, w.Buf, nil, 0)
	return err
}

// RootKeysProvisioned reports whether this Client's session uses provisioned root
// keys.
func (c *Client) RootKeysProvisioned(ctx context.Context) (bool, error) {
	b, err := c.call(ctx, protocol.CmdRootKeysStatus, nil, nil, 4)
	if err != nil {
		return false, err
	}
	rd := protocol.NewReader(b)
	v := rd.U32()
	if rd.Err() != nil || v > 1 {
		return false, StatusInternalError
	}
	return v == 1, nil
}
