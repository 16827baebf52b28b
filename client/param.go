package client

import (
	"github.com/gotee/gotee/tee"
)

// Operation is the payload of an open or invoke (TEEC_Operation): up to four
// parameters, nil where unused. Outputs are written back into the parameters.
type Operation struct {
	Params [4]Param
}

// Param is one parameter: *Value, *TempMemory or *RegisteredMemory.
type Param interface{ paramType() tee.ParamType }

// Value is a value parameter (TEEC_Value): Type is tee.ValueInput, tee.ValueOutput
// or tee.ValueInout; outputs are written back into A and B.
type Value struct {
	Type tee.ParamType
	A, B uint32
}

// TempMemory is a temporary memory reference (TEEC_TempMemoryReference): Type is
// tee.MemrefTempInput, tee.MemrefTempOutput or tee.MemrefTempInout. The TA sees
// len(Buffer) bytes. A nil Buffer is a NULL reference of Size bytes, with which a
// client asks how large an output would be. After the call, Size holds the size
// the TA reported: the bytes written, or the size needed with SHORT_BUFFER.
type TempMemory struct {
	Type   tee.ParamType
	Buffer []byte
	Size   int
}

// RegisteredMemory references shared memory (TEEC_RegisteredMemoryReference):
// Type is tee.MemrefWhole for the whole block, with the direction its flags give,
// or tee.MemrefPartialInput/Out/Inout for the window [Offset, Offset+Size). After
// the call, Size holds the size the TA reported.
type RegisteredMemory struct {
	Type   tee.ParamType
	Mem    *SharedMemory
	Offset int
	Size   int
}

func (v *Value) paramType() tee.ParamType            { return v.Type }
func (m *TempMemory) paramType() tee.ParamType       { return m.Type }
func (m *RegisteredMemory) paramType() tee.ParamType { return m.Type }
