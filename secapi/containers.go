package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// ImportTypeJ is sa_key_import with SA_KEY_FORMAT_TYPEJ: a Type-J container (versions
// 1 to 3), its HMAC-SHA256 checked with khmac (which needs SIGN) and its content key
// decrypted with kcipher (which needs UNWRAP). The key's rights are the container's.
func (c *Client) ImportTypeJ(ctx context.Context, container []byte, kcipher, khmac *Key) (*Key, error) {
	if kcipher == nil || khmac == nil {
		return nil, StatusNullParameter
	}
	var w protocol.Writer
	w.U32(protocol.FormatTypeJ)
	(&protocol.Rights{}).Put(&w)
	w.U64(kcipher.h)
	w.U64(khmac.h)
	if container == nil {
		container = []byte{}
	}
	return c.keyCall(ctx, protocol.CmdKeyImport, w.Buf, container)
}

// SoCParameters are sa_import_parameters_soc: Version 2 or 3, and ObjectID, which
// becomes the first 8 bytes (big-endian) of the key's rights id. Length is the
// structure's own length field; 0 means the right one (624).
type SoCParameters struct {
	Length   uint16
	Version  uint8
	ObjectID uint64
}

// ImportSoC is sa_key_import with SA_KEY_FORMAT_SOC: a SoC key container (version 4
// or later), opened with the key the root key ladder makes from the installation's
// unique or common root key — the provisioned ones, when there are (see
// ProvisionRootKeys). p may be nil.
func (c *Client) ImportSoC(ctx context.Context, container []byte, p *SoCParameters) (*Key, error) {
	var w protocol.Writer
	w.U32(protocol.FormatSoC)
	(&protocol.Rights{}).Put(&w)
	if p == nil {
		w.U32(0)
		w.U32(0)
		w.U32(0)
		w.U64(0)
	} else {
		n := p.Length
		if n == 0 {
			n = 624
		}
		w.U32(1)
		w.U32(uint32(n))
		w.U32(uint32(p.Version))
		w.U64(p.ObjectID)
	}
	if container == nil {
		container = []byte{}
	}
	return c.keyCall(ctx, protocol.CmdKeyImport, w.Buf, container)
}
