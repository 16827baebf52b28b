package tee

import "fmt"

// ParamType is the type of one of an operation's four parameters. The client-side
// values are those of TEEC_PARAM_TYPE_* (Client API §4.5.x); a TA sees the TA-side
// values of TEE_PARAM_TYPE_* (Internal Core API §4.3.1), which share the numbers of the
// client's value and temporary-memory types.
type ParamType uint32

// Client API parameter types.
const (
	ParamNone          ParamType = 0x0
	ValueInput         ParamType = 0x1
	ValueOutput        ParamType = 0x2
	ValueInout         ParamType = 0x3
	MemrefTempInput    ParamType = 0x5
	MemrefTempOutput   ParamType = 0x6
	MemrefTempInout    ParamType = 0x7
	MemrefWhole        ParamType = 0xC
	MemrefPartialInput ParamType = 0xD
	MemrefPartialOut   ParamType = 0xE
	MemrefPartialInout ParamType = 0xF
)

// TA-side memory reference types (TEE_PARAM_TYPE_MEMREF_*). Every client memory
// parameter reaches the TA as one of these.
const (
	MemrefInput  ParamType = 0x5
	MemrefOutput ParamType = 0x6
	MemrefInout  ParamType = 0x7
)

// IsValue reports whether t is a value parameter.
func (t ParamType) IsValue() bool { return t >= ValueInput && t <= ValueInout }

// IsMemref reports whether t is any kind of memory reference.
func (t ParamType) IsMemref() bool {
	return t >= MemrefTempInput && t <= MemrefTempInout || t >= MemrefWhole && t <= MemrefPartialInout
}

// In reports whether the parameter carries data towards the TA.
func (t ParamType) In() bool { return t != ParamNone && t != MemrefWhole && t&1 != 0 }

// Out reports whether the parameter carries data back from the TA.
func (t ParamType) Out() bool { return t != MemrefWhole && t&2 != 0 }

// Types packs four parameter types the way TEEC_PARAM_TYPES / TEE_PARAM_TYPES do.
func Types(t0, t1, t2, t3 ParamType) uint32 {
	return uint32(t0)&0xf | (uint32(t1)&0xf)<<4 | (uint32(t2)&0xf)<<8 | (uint32(t3)&0xf)<<12
}

// TypeAt unpacks parameter i of a packed type word (TEE_PARAM_TYPE_GET).
func TypeAt(packed uint32, i int) ParamType { return ParamType(packed >> (4 * uint(i)) & 0xf) }

func (t ParamType) String() string {
	switch t {
	case ParamNone:
		return "NONE"
	case ValueInput:
		return "VALUE_INPUT"
	case ValueOutput:
		return "VALUE_OUTPUT"
	case ValueInout:
		return "VALUE_INOUT"
	case MemrefTempInput:
		return "MEMREF_INPUT"
	case MemrefTempOutput:
		return "MEMREF_OUTPUT"
	case MemrefTempInout:
		return "MEMREF_INOUT"
	case MemrefWhole:
		return "MEMREF_WHOLE"
	case MemrefPartialInput:
		return "MEMREF_PARTIAL_INPUT"
	case MemrefPartialOut:
		return "MEMREF_PARTIAL_OUTPUT"
	case MemrefPartialInout:
		return "MEMREF_PARTIAL_INOUT"
	}
	return fmt.Sprintf("param_type(%d)", uint32(t))
}

// Shared memory direction flags (TEEC_MEM_INPUT, TEEC_MEM_OUTPUT).
const (
	MemInput  uint32 = 0x1
	MemOutput uint32 = 0x2
)

// LoginMethod is how a client asks to be identified when it opens a session
// (Client API §4.5.5, Internal Core API §4.2.2).
type LoginMethod uint32

const (
	LoginPublic           LoginMethod = 0x0
	LoginUser             LoginMethod = 0x1
	LoginGroup            LoginMethod = 0x2
	LoginApplication      LoginMethod = 0x4
	LoginUserApplication  LoginMethod = 0x5
	LoginGroupApplication LoginMethod = 0x6
	// LoginTrustedApp is the login a TA sees when another TA opens the session.
	LoginTrustedApp LoginMethod = 0xF0000000
)

func (l LoginMethod) String() string {
	switch l {
	case LoginPublic:
		return "PUBLIC"
	case LoginUser:
		return "USER"
	case LoginGroup:
		return "GROUP"
	case LoginApplication:
		return "APPLICATION"
	case LoginUserApplication:
		return "USER_APPLICATION"
	case LoginGroupApplication:
		return "GROUP_APPLICATION"
	case LoginTrustedApp:
		return "TRUSTED_APP"
	}
	return fmt.Sprintf("login(0x%x)", uint32(l))
}

// Identity is a client's identity as a TA sees it (TEE_Identity).
type Identity struct {
	Login LoginMethod
	UUID  UUID
}

// Value is the pair of 32-bit integers a value parameter carries.
type Value struct{ A, B uint32 }
