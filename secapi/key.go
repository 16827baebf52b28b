package secapi

import (
	"context"
	"time"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Usage flags (sa_usage_flags), as bit masks for Rights.Usage.
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
	// UsageOutputProtections is SA_USAGE_OUTPUT_PROTECTIONS_MASK.
	UsageOutputProtections = UsageAnalogUnprotected | UsageAnalogCGMSA | UsageDigitalUnprotected |
		UsageDigitalHDCP14 | UsageDigitalHDCP22 | UsageDigitalDTCP | UsageSVPOptional
)

// Rights is sa_rights. AllowedTAs lists the callers that may use the key; AllTAs in
// it matches every caller, and unused entries are the zero UUID, which matches none.
type Rights struct {
	ID           string // at most 63 bytes
	Usage        uint64
	ChildUsage   uint64
	NotBefore    time.Time
	NotOnOrAfter time.Time // the zero Time means no end
	AllowedTAs   []tee.UUID
}

// AllTAs in Rights.AllowedTAs matches every caller.
var AllTAs = protocol.AllMatch

// REE is the caller UUID of every normal-world client (what TAUUID returns outside
// a TA), as in the reference; in Rights.AllowedTAs it admits normal-world clients.
var REE = protocol.REEUUID

// AllRights is what the reference tests use for most keys: every usage, no time
// limit, every caller.
func AllRights() Rights {
	return Rights{Usage: UsageKeyExchange | UsageDerive | UsageUnwrap | UsageEncrypt | UsageDecrypt |
		UsageSign | UsageOutputProtections | UsageCacheable, AllowedTAs: []tee.UUID{AllTAs}}
}

func (r Rights) wire() (protocol.Rights, error) {
	var w protocol.Rights
	if len(r.ID) >= len(w.ID) || len(r.AllowedTAs) > protocol.MaxAllowedTAs {
		return w, StatusInvalidParameter
	}
	copy(w.ID[:], r.ID)
	w.Usage, w.ChildUsage = r.Usage, r.ChildUsage
	if !r.NotBefore.IsZero() {
		w.NotBefore = uint64(r.NotBefore.Unix())
	}
	w.NotOnOrAfter = ^uint64(0)
	if !r.NotOnOrAfter.IsZero() {
		w.NotOnOrAfter = uint64(r.NotOnOrAfter.Unix())
	}
	copy(w.AllowedTAs[:], r.AllowedTAs)
	return w, nil
}

// Key is a key in the TA (sa_key); it belongs to the Client that made it.
type Key struct {
	c *Client
	h uint64
}

// Handle is the key's sa_key handle.
func (k *Key) Handle() uint64 { return k.h }

// Curve is an elliptic curve (sa_elliptic_curve).
type Curve uint32

// The curves of sa_types.h.
const (
	CurveP256    Curve = protocol.CurveP256
	CurveP384    Curve = protocol.CurveP384
	CurveP521    Curve = protocol.CurveP521
	CurveEd25519 Curve = protocol.CurveEd25519
	CurveX25519  Curve = protocol.CurveX25519
	CurveEd448   Curve = protocol.CurveEd448
	CurveX448    Curve = protocol.CurveX448
	CurveP192    Curve = protocol.CurveP192
	CurveP224    Curve = protocol.CurveP224
)

func (c *Client) generate(ctx context.Context, typ uint32, r Rights, param uint32) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	var w protocol.Writer
	w.U32(typ)
	wr.Put(&w)
	w.U32(param)
	h, err := c.callU64(ctx, protocol.CmdKeyGenerate, w.Buf, nil)
	if err != nil {
		return nil, err
	}
	return &Key{c, h}, nil
}

// GenerateSymmetric is sa_key_generate for SA_KEY_TYPE_SYMMETRIC: a key of size bytes.
func (c *Client) GenerateSymmetric(ctx context.Context, r Rights, size int) (*Key, error) {
	if size < 0 || size > 1<<16 {
		return nil, StatusInvalidParameter
	}
	return c.generate(ctx, protocol.KeyTypeSymmetric, r, uint32(size))
}

// GenerateEC is sa_key_generate for SA_KEY_TYPE_EC.
func (c *Client) GenerateEC(ctx context.Context, r Rights, curve Curve) (*Key, error) {
	return c.generate(ctx, protocol.KeyTypeEC, r, uint32(curve))
}

// ImportSymmetric is sa_key_import with SA_KEY_FORMAT_SYMMETRIC_BYTES.
func (c *Client) ImportSymmetric(ctx context.Context, r Rights, key []byte) (*Key, error) {
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	var w protocol.Writer
	w.U32(protocol.FormatSymmetricBytes)
	wr.Put(&w)
	if key == nil {
		key = []byte{}
	}
	h, err := c.callU64(ctx, protocol.CmdKeyImport, w.Buf, key)
	if err != nil {
		return nil, err
	}
	return &Key{c, h}, nil
}

func handleReq(hs ...uint64) []byte {
	var w protocol.Writer
	for _, h := range hs {
		w.U64(h)
	}
	return w.Buf
}

// Release is sa_key_release.
func (k *Key) Release(ctx context.Context) error {
	_, err := k.c.call(ctx, protocol.CmdKeyRelease, handleReq(k.h), nil, 0)
	return err
}

// Header is sa_header.
type Header = protocol.Header

// Header is sa_key_header; RawHeader gives the bytes in sa_header's layout.
func (k *Key) Header(ctx context.Context) (Header, error) {
	b, err := k.RawHeader(ctx)
	if err != nil {
		return Header{}, err
	}
	return protocol.UnmarshalHeader(b)
}

// RawHeader is the key's sa_header as the C struct's LP64 bytes.
func (k *Key) RawHeader(ctx context.Context) ([]byte, error) {
	return k.c.call(ctx, protocol.CmdKeyHeader, handleReq(k.h), nil, protocol.HeaderSize)
}

// Digest algorithms (sa_digest_algorithm).
type Digest uint32

// The digests of sa_types.h.
const (
	SHA1   Digest = protocol.DigestSHA1
	SHA256 Digest = protocol.DigestSHA256
	SHA384 Digest = protocol.DigestSHA384
	SHA512 Digest = protocol.DigestSHA512
)

// Digest is sa_key_digest: the digest of a symmetric key's bytes.
func (k *Key) Digest(ctx context.Context, d Digest) ([]byte, error) {
	var w protocol.Writer
	w.U64(k.h)
	w.U32(uint32(d))
	return k.c.call(ctx, protocol.CmdKeyDigest, w.Buf, nil, 64)
}

// PublicKey is sa_key_get_public: SubjectPublicKeyInfo DER.
func (k *Key) PublicKey(ctx context.Context) ([]byte, error) {
	return k.c.call(ctx, protocol.CmdKeyGetPublic, handleReq(k.h), nil, 256)
}

// ForeignKey is a Key of c with handle h, for a handle obtained elsewhere (as a C
// caller holds a bare sa_key). Using it is refused unless h names a key of c's slot.
func ForeignKey(c *Client, h uint64) *Key { return &Key{c, h} }
