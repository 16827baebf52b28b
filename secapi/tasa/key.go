package tasa

import (
	"time"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Usage flags (sa_usage_flags), as bit masks for Rights.Usage; the same values as
// package secapi's.
const (
	UsageKeyExchange        uint64 = 1 << protocol.UsageKeyExchange
	UsageDerive             uint64 = 1 << protocol.UsageDerive
	UsageUnwrap             uint64 = 1 << protocol.UsageUnwrap
	UsageEncrypt            uint64 = 1 << protocol.UsageEncrypt
	UsageDecrypt            uint64 = 1 << protocol.UsageDecrypt
	UsageSign               uint64 = 1 << protocol.UsageSign
	UsageAnalogUnprotected  uint64 = 1 << protocol.UsageAnalogUnprotected
	UsageAnalogCGMSA        uint64 = 1 << protocol.UsageAnalogCGMSA
	UsageDigitalUnprotected uint64 = 1 << protocol.UsageDigitalUnprotected
	UsageDigitalHDCP14      uint64 = 1 << protocol.UsageDigitalHDCP14
	UsageDigitalHDCP22      uint64 = 1 << protocol.UsageDigitalHDCP22
	UsageDigitalDTCP        uint64 = 1 << protocol.UsageDigitalDTCP
	UsageSVPOptional        uint64 = 1 << protocol.UsageSVPOptional
	UsageCacheable          uint64 = 1 << protocol.UsageCacheable
)

// AllTAs in Rights.AllowedTAs matches every caller.
var AllTAs = protocol.AllMatch

// Rights is sa_rights. AllowedTAs lists the callers that may use the key: a Secure
// Application that wants a key for itself alone lists only its own UUID. Unused
// entries are the zero UUID, which matches no caller.
type Rights struct {
	ID           string // at most 63 bytes
	Usage        uint64
	ChildUsage   uint64
	NotBefore    time.Time // the zero Time means no start
	NotOnOrAfter time.Time // the zero Time means no end
	AllowedTAs   []tee.UUID
}

func (r *Rights) wire() (protocol.Rights, error) {
	var w protocol.Rights
	if len(r.ID) >= len(w.ID) || len(r.AllowedTAs) > protocol.MaxAllowedTAs {
		return w, StatusInvalidParameter
	}
	copy(w.ID[:], r.ID)
	w.Usage, w.ChildUsage = r.Usage, r.ChildUsage
	if !r.NotBefore.IsZero() {
		w.NotBefore = uint64(max(r.NotBefore.Unix(), 0))
	}
	w.NotOnOrAfter = ^uint64(0)
	if !r.NotOnOrAfter.IsZero() {
		w.NotOnOrAfter = uint64(max(r.NotOnOrAfter.Unix(), 0))
	}
	copy(w.AllowedTAs[:], r.AllowedTAs)
	return w, nil
}

// Key is a key in the SecAPI TA (sa_key); it belongs to the Client that made it.
type Key struct {
	c *Client
	h uint64
}

// Handle is the key's sa_key handle. It names the key only within its Client's slot.
func (k *Key) Handle() uint64 { return k.h }

// ImportSymmetric is sa_key_import with SA_KEY_FORMAT_SYMMETRIC_BYTES: key (copied
// into the SecAPI TA, which keeps it wrapped) with rights r.
func (c *Client) ImportSymmetric(r Rights, key []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	var w protocol.Writer
	w.U32(protocol.FormatSymmetricBytes)
	wr.Put(&w)
	if key == nil {
		key = []byte{} // present, so an empty key is INVALID_PARAMETER, not NULL
	}
	h, err := c.callU64(protocol.CmdKeyImport, w.Buf, key)
	if err != nil {
		return nil, err
	}
	return &Key{c, h}, nil
}

// Release is sa_key_release. Cipher contexts made with the key keep working.
func (k *Key) Release() error {
	_, err := k.c.call(protocol.CmdKeyRelease, handleReq(k.h), nil, 0)
	return err
}
