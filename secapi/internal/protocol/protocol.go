package protocol

import (
	"encoding/binary"
	"fmt"

	"github.com/gotee/gotee/tee"
)

// TAUUID is the SecAPI TA's UUID.
var TAUUID = tee.MustParseUUID("2a6b0f8c-5a1d-4c3e-9f7e-53414e3c0001")

// Version is the protocol version a client puts in parameter 0's A. The TA refuses
// any other with StatusOperationNotSupported.
const Version = 1

// Command numbers (the GP invoke command ID).
const (
	CmdGetVersion uint32 = iota + 1
	CmdGetName
	CmdGetDeviceID
	CmdGetTAUUID
	CmdRandom
	CmdKeyGenerate
	CmdKeyImport
	CmdKeyRelease
	CmdKeyHeader
	CmdKeyDigest
	CmdKeyGetPublic
	CmdCipherInit
	CmdCipherUpdateIV
	CmdCipherProcess
	CmdCipherProcessLast
	CmdCipherRelease
	CmdMACInit
	CmdMACProcess
	CmdMACProcessKey
	CmdMACCompute
	CmdMACRelease
	// Phase 2: added after the phase 1 commands, never renumbered.
	CmdSign
	CmdKeyExchange
	CmdKeyDerive
	CmdKeyExport
	CmdKeyUnwrap
)

// Limits of the protocol.
const (
	MaxRequest = 4096    // bytes of parameter 1
	MaxData    = 1 << 24 // bytes of parameter 2 or 3 per call
	MaxIV      = 16
	MaxTag     = 16
	MaxAAD     = 1 << 16
)

// Status is a SecAPI 3 status (sa_status in sa_types.h). It implements error; OK is
// never returned as an error.
type Status uint32

// The statuses of sa_types.h, with their values.
const (
	StatusOK                      Status = 0
	StatusNoAvailableResourceSlot Status = 1
	StatusInvalidKeyFormat        Status = 2
	StatusInvalidKeyType          Status = 3
	StatusNullParameter           Status = 4
	StatusInvalidParameter        Status = 5
	StatusOperationNotAllowed     Status = 6
	StatusInvalidSVPBuffer        Status = 7
	StatusOperationNotSupported   Status = 8
	StatusSelfTest                Status = 9
	StatusVerificationFailed      Status = 10
	StatusInternalError           Status = 11
	StatusHWError                 Status = 12
	statusEnd                     Status = 13
)

var statusNames = [...]string{
	"SA_STATUS_OK", "SA_STATUS_NO_AVAILABLE_RESOURCE_SLOT", "SA_STATUS_INVALID_KEY_FORMAT",
	"SA_STATUS_INVALID_KEY_TYPE", "SA_STATUS_NULL_PARAMETER", "SA_STATUS_INVALID_PARAMETER",
	"SA_STATUS_OPERATION_NOT_ALLOWED", "SA_STATUS_INVALID_SVP_BUFFER",
	"SA_STATUS_OPERATION_NOT_SUPPORTED", "SA_STATUS_SELF_TEST", "SA_STATUS_VERIFICATION_FAILED",
	"SA_STATUS_INTERNAL_ERROR", "SA_STATUS_HW_ERROR",
}

func (s Status) String() string {
	if s < statusEnd {
		return statusNames[s]
	}
	return fmt.Sprintf("sa_status(%d)", uint32(s))
}

func (s Status) Error() string { return "secapi: " + s.String() }

// Usage flags (sa_usage_flags): bit numbers in Rights.Usage.
const (
	UsageKeyExchange        = 0
	UsageDerive             = 1
	UsageUnwrap             = 2
	UsageEncrypt            = 3
	UsageDecrypt            = 4
	UsageSign               = 5
	UsageAnalogUnprotected  = 6
	UsageAnalogCGMSA        = 7
	UsageDigitalUnprotected = 8
	UsageDigitalHDCP14      = 9
	UsageDigitalHDCP22      = 10
	UsageDigitalDTCP        = 11
	UsageSVPOptional        = 12
	UsageCacheable          = 13
)

// Key types (sa_key_type).
const (
	KeyTypeSymmetric = 0
	KeyTypeEC        = 1
	KeyTypeRSA       = 2
	KeyTypeDH        = 3
)

// Curves (sa_elliptic_curve).
const (
	CurveP256    = 0
	CurveP384    = 1
	CurveP521    = 2
	CurveEd25519 = 3
	CurveX25519  = 4
	CurveEd448   = 5
	CurveX448    = 6
	CurveP192    = 7
	CurveP224    = 8
)

// Key formats (sa_key_format).
const (
	FormatSymmetricBytes    = 0
	FormatECPrivateBytes    = 1 // PKCS#8 DER, as the reference takes it with OpenSSL 3
	FormatRSAPrivateKeyInfo = 2 // PKCS#8 DER
	FormatExported          = 3
	FormatSoC               = 4
	FormatTypeJ             = 5
	FormatProvisionTA       = 6
)

// Signature algorithms (sa_signature_algorithm).
const (
	SignRSAPKCS1v15 = 0
	SignRSAPSS      = 1
	SignECDSA       = 2
	SignEdDSA       = 3
)

// Key derivation algorithms (sa_kdf_algorithm).
const (
	KDFRootKeyLadder       = 0
	KDFHKDF                = 1
	KDFConcat              = 2
	KDFANSIX963            = 3
	KDFCMAC                = 4
	KDFNetflix             = 5
	KDFCommonRootKeyLadder = 6
)

// Key exchange algorithms (sa_key_exchange_algorithm).
const (
	ExchangeDH                   = 0
	ExchangeECDH                 = 1
	ExchangeNetflixAuthenticated = 2
)

// MaxDHModulus is DH_MAX_MOD_SIZE.
const MaxDHModulus = 512

// Usage masks of sa_types.h.
const (
	UsageKeyMask = 1<<UsageKeyExchange | 1<<UsageDerive | 1<<UsageUnwrap | 1<<UsageEncrypt |
		1<<UsageDecrypt | 1<<UsageSign
	UsageOutputProtectionsMask = 1<<UsageAnalogUnprotected | 1<<UsageAnalogCGMSA |
		1<<UsageDigitalUnprotected | 1<<UsageDigitalHDCP14 | 1<<UsageDigitalHDCP22 |
		1<<UsageDigitalDTCP | 1<<UsageSVPOptional
)

// Cipher algorithms (sa_cipher_algorithm) and modes (sa_cipher_mode).
const (
	CipherAESECB      = 0
	CipherAESECBPKCS7 = 1
	CipherAESCBC      = 2
	CipherAESCBCPKCS7 = 3
	CipherAESCTR      = 4
	CipherAESGCM      = 5
	CipherModeDecrypt = 0
	CipherModeEncrypt = 1
)

// MAC algorithms (sa_mac_algorithm) and digests (sa_digest_algorithm).
const (
	MACCMAC      = 0
	MACHMAC      = 1
	DigestSHA1   = 0
	DigestSHA256 = 1
	DigestSHA384 = 2
	DigestSHA512 = 3
)

// MaxAllowedTAs is MAX_NUM_ALLOWED_TA_IDS.
const MaxAllowedTAs = 32

// NoMatch and AllMatch are the special entries of Rights.AllowedTAs.
var (
	NoMatch  tee.UUID
	AllMatch = tee.UUID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// REEUUID is the caller UUID of every normal-world client, whatever its login, as in
// the reference (its transport's REE_UUID): key containers made for host applications
// entitle this UUID. Slots still keep one client's objects from another.
var REEUUID = tee.UUID{15: 1}

// Rights is sa_rights. On the wire it has sa_rights' LP64 layout (RightsSize bytes).
type Rights struct {
	ID           [64]byte
	Usage        uint64
	ChildUsage   uint64
	NotBefore    uint64
	NotOnOrAfter uint64
	AllowedTAs   [MaxAllowedTAs]tee.UUID
}

// RightsSize is sizeof(sa_rights).
const RightsSize = 64 + 4*8 + MaxAllowedTAs*16

// HeaderSize is sizeof(sa_header) on LP64: magic[4], 4 bytes of padding, sa_rights,
// type (1 byte + 7 padding), sa_type_parameters (1040 bytes), size (2 bytes + 6 padding).
const HeaderSize = 1672

// Header is sa_header.
type Header struct {
	Rights Rights
	Type   uint8
	Curve  uint32 // type_parameters.curve for EC keys
	Size   uint16
	// DHP and DHG are type_parameters.dh_parameters of a DH key (each at most
	// MaxDHModulus bytes).
	DHP, DHG []byte
}

// Offsets in the sa_header layout.
const (
	headerRights = 8
	headerType   = headerRights + RightsSize // 616
	headerParams = 624
	headerSize   = 1664
)

// Has reports whether usage bit b is set.
func (r *Rights) Has(b int) bool { return r.Usage&(1<<uint(b)) != 0 }

// Put appends r's wire form.
func (r *Rights) Put(w *Writer) {
	w.Bytes(r.ID[:])
	w.U64(r.Usage)
	w.U64(r.ChildUsage)
	w.U64(r.NotBefore)
	w.U64(r.NotOnOrAfter)
	for _, u := range r.AllowedTAs {
		w.Bytes(u[:])
	}
}

// Get reads rights from rd.
func (r *Rights) Get(rd *Reader) {
	copy(r.ID[:], rd.Bytes(64))
	r.Usage = rd.U64()
	r.ChildUsage = rd.U64()
	r.NotBefore = rd.U64()
	r.NotOnOrAfter = rd.U64()
	for i := range r.AllowedTAs {
		copy(r.AllowedTAs[i][:], rd.Bytes(16))
	}
}

// Marshal encodes h in sa_header's layout.
func (h *Header) Marshal() []byte {
	b := make([]byte, HeaderSize)
	copy(b, "sak0")
	w := Writer{}
	h.Rights.Put(&w)
	copy(b[headerRights:], w.Buf)
	b[headerType] = h.Type
	if h.Type == KeyTypeDH {
		// dh_parameters: p[512], size_t p_length, g[512], size_t g_length.
		copy(b[headerParams:headerParams+MaxDHModulus], h.DHP)
		binary.LittleEndian.PutUint64(b[headerParams+MaxDHModulus:], uint64(len(h.DHP)))
		copy(b[headerParams+MaxDHModulus+8:headerParams+2*MaxDHModulus+8], h.DHG)
		binary.LittleEndian.PutUint64(b[headerParams+2*MaxDHModulus+8:], uint64(len(h.DHG)))
	} else {
		binary.LittleEndian.PutUint32(b[headerParams:], h.Curve)
	}
	binary.LittleEndian.PutUint16(b[headerSize:], h.Size)
	return b
}

// UnmarshalHeader decodes sa_header's layout.
func UnmarshalHeader(b []byte) (Header, error) {
	var h Header
	if len(b) != HeaderSize || string(b[:4]) != "sak0" {
		return h, StatusInvalidParameter
	}
	rd := NewReader(b[headerRights:headerType])
	h.Rights.Get(rd)
	h.Type = b[headerType]
	if h.Type == KeyTypeDH {
		pl := binary.LittleEndian.Uint64(b[headerParams+MaxDHModulus:])
		gl := binary.LittleEndian.Uint64(b[headerParams+2*MaxDHModulus+8:])
		if pl > MaxDHModulus || gl > MaxDHModulus {
			return h, StatusInvalidParameter
		}
		h.DHP = append([]byte(nil), b[headerParams:headerParams+int(pl)]...)
		h.DHG = append([]byte(nil), b[headerParams+MaxDHModulus+8:headerParams+MaxDHModulus+8+int(gl)]...)
	} else {
		h.Curve = binary.LittleEndian.Uint32(b[headerParams:])
	}
	h.Size = binary.LittleEndian.Uint16(b[headerSize:])
	return h, rd.Err()
}

// Writer builds a little-endian message.
type Writer struct{ Buf []byte }

func (w *Writer) U32(v uint32)   { w.Buf = binary.LittleEndian.AppendUint32(w.Buf, v) }
func (w *Writer) U64(v uint64)   { w.Buf = binary.LittleEndian.AppendUint64(w.Buf, v) }
func (w *Writer) Bytes(b []byte) { w.Buf = append(w.Buf, b...) }
func (w *Writer) Var(b []byte)   { w.U32(uint32(len(b))); w.Bytes(b) }

// Reader decodes a message with bounds checks: a read past the end yields zeros and
// makes Err report StatusInvalidParameter, so a decoder reads every field and checks
// once at the end.
type Reader struct {
	b   []byte
	bad bool
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

func (r *Reader) take(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		r.b = nil
		return make([]byte, max(n, 0))
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *Reader) U32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *Reader) U64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }

// Bytes returns the next n bytes (aliasing the message).
func (r *Reader) Bytes(n int) []byte { return r.take(n) }

// Var reads a length-prefixed field of at most limit bytes.
func (r *Reader) Var(limit int) []byte {
	n := r.U32()
	if n > uint32(limit) {
		r.bad = true
		r.b = nil
		return nil
	}
	return r.take(int(n))
}

// Err is StatusInvalidParameter if any read ran past the end or a limit, or if bytes
// are left over.
func (r *Reader) Err() error {
	if r.bad || len(r.b) != 0 {
		return StatusInvalidParameter
	}
	return nil
}
