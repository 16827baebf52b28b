package tee

import (
	"errors"
	"fmt"
)

// Result is a GlobalPlatform return code (TEEC_Result / TEE_Result). It implements
// error, so the constants below serve as sentinels: errors.Is(err, tee.ErrBusy).
// Success is a Result too, but APIs return a nil error instead of it.
type Result uint32

// Codes of the TEE Client API §4.4.2 and the TEE Internal Core API §3.3 (Table 3-3).
const (
	Success              Result = 0x00000000
	ErrCorruptObject     Result = 0xF0100001
	ErrCorruptObject2    Result = 0xF0100002
	ErrStorageNotAvail   Result = 0xF0100003
	ErrStorageNotAvail2  Result = 0xF0100004
	ErrCiphertextInvalid Result = 0xF0100006
	ErrGeneric           Result = 0xFFFF0000
	ErrAccessDenied      Result = 0xFFFF0001
	ErrCancel            Result = 0xFFFF0002
	ErrAccessConflict    Result = 0xFFFF0003
	ErrExcessData        Result = 0xFFFF0004
	ErrBadFormat         Result = 0xFFFF0005
	ErrBadParameters     Result = 0xFFFF0006
	ErrBadState          Result = 0xFFFF0007
	ErrItemNotFound      Result = 0xFFFF0008
	ErrNotImplemented    Result = 0xFFFF0009
	ErrNotSupported      Result = 0xFFFF000A
	ErrNoData            Result = 0xFFFF000B
	ErrOutOfMemory       Result = 0xFFFF000C
	ErrBusy              Result = 0xFFFF000D
	ErrCommunication     Result = 0xFFFF000E
	ErrSecurity          Result = 0xFFFF000F
	ErrShortBuffer       Result = 0xFFFF0010
	ErrExternalCancel    Result = 0xFFFF0011
	ErrOverflow          Result = 0xFFFF300F
	ErrTargetDead        Result = 0xFFFF3024
	ErrStorageNoSpace    Result = 0xFFFF3041
	ErrMACInvalid        Result = 0xFFFF3071
	ErrSignatureInvalid  Result = 0xFFFF3072
	ErrTimeNotSet        Result = 0xFFFF5000
	ErrTimeNeedsReset    Result = 0xFFFF5001
)

var resultNames = map[Result]string{
	Success:              "SUCCESS",
	ErrCorruptObject:     "CORRUPT_OBJECT",
	ErrCorruptObject2:    "CORRUPT_OBJECT_2",
	ErrStorageNotAvail:   "STORAGE_NOT_AVAILABLE",
	ErrStorageNotAvail2:  "STORAGE_NOT_AVAILABLE_2",
	ErrCiphertextInvalid: "CIPHERTEXT_INVALID",
	ErrGeneric:           "GENERIC",
	ErrAccessDenied:      "ACCESS_DENIED",
	ErrCancel:            "CANCEL",
	ErrAccessConflict:    "ACCESS_CONFLICT",
	ErrExcessData:        "EXCESS_DATA",
	ErrBadFormat:         "BAD_FORMAT",
	ErrBadParameters:     "BAD_PARAMETERS",
	ErrBadState:          "BAD_STATE",
	ErrItemNotFound:      "ITEM_NOT_FOUND",
	ErrNotImplemented:    "NOT_IMPLEMENTED",
	ErrNotSupported:      "NOT_SUPPORTED",
	ErrNoData:            "NO_DATA",
	ErrOutOfMemory:       "OUT_OF_MEMORY",
	ErrBusy:              "BUSY",
	ErrCommunication:     "COMMUNICATION",
	ErrSecurity:          "SECURITY",
	ErrShortBuffer:       "SHORT_BUFFER",
	ErrExternalCancel:    "EXTERNAL_CANCEL",
	ErrOverflow:          "OVERFLOW",
	ErrTargetDead:        "TARGET_DEAD",
	ErrStorageNoSpace:    "STORAGE_NO_SPACE",
	ErrMACInvalid:        "MAC_INVALID",
	ErrSignatureInvalid:  "SIGNATURE_INVALID",
	ErrTimeNotSet:        "TIME_NOT_SET",
	ErrTimeNeedsReset:    "TIME_NEEDS_RESET",
}

// Name is the code's GP name without the TEEC_/TEE_ERROR_ prefix, or its hex value.
func (r Result) Name() string {
	if n, ok := resultNames[r]; ok {
		return n
	}
	return fmt.Sprintf("0x%08x", uint32(r))
}

func (r Result) Error() string {
	return fmt.Sprintf("TEE result %s (0x%08x)", r.Name(), uint32(r))
}

// Origin says which layer produced a result (TEE Client API §4.4.3).
type Origin uint32

const (
	OriginAPI        Origin = 1 // the client library itself
	OriginComms      Origin = 2 // the channel between the worlds
	OriginTEE        Origin = 3 // the trusted OS (teed)
	OriginTrustedApp Origin = 4 // the Trusted Application
)

func (o Origin) String() string {
	switch o {
	case OriginAPI:
		return "API"
	case OriginComms:
		return "COMMS"
	case OriginTEE:
		return "TEE"
	case OriginTrustedApp:
		return "TRUSTED_APP"
	}
	return fmt.Sprintf("origin(%d)", uint32(o))
}

// Error is a non-success result together with the layer that returned it.
// errors.Is matches it against a bare Result; errors.As extracts it for the origin.
type Error struct {
	Code   Result
	Origin Origin
}

// NewError returns nil for Success, so callers can write `return tee.NewError(r, o)`.
func NewError(code Result, origin Origin) error {
	if code == Success {
		return nil
	}
	return &Error{Code: code, Origin: origin}
}

func (e *Error) Error() string {
	return fmt.Sprintf("TEE result %s (0x%08x) from %v", e.Code.Name(), uint32(e.Code), e.Origin)
}

// Unwrap exposes the bare code, so errors.Is(err, tee.ErrBusy) works through wrapping.
func (e *Error) Unwrap() error { return e.Code }

// Code returns the GP code and origin of err: Success for nil, the code and origin of an
// *Error or a bare Result in its chain, and GENERIC (with origin def) for anything else.
func Code(err error, def Origin) (Result, Origin) {
	if err == nil {
		return Success, 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Origin
	}
	var r Result
	if errors.As(err, &r) {
		if r == Success {
			return ErrGeneric, def
		}
		return r, def
	}
	return ErrGeneric, def
}
