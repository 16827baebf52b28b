package crypto

import (
	"fmt"

	"github.com/gotee/gotee/tee"
)

// MisuseError is the value this package panics with when a TA uses an operation in a way
// the TEE Internal Core API says is a programming error: the wrong state, the wrong class,
// a missing or unsuitable key, a freed handle. GP requires TEE_Panic there; the TA runtime
// recovers a *MisuseError and turns it into TEE_Panic(Code), which kills the TA instance.
// Bad data (a wrong tag, a short output buffer) is never a panic: it is a tee.Result error.
type MisuseError struct {
	Op     string     // the GP function that was misused, e.g. "TEE_CipherUpdate"
	Reason string     // what was wrong, for the panic log
	Code   tee.Result // the code OP-TEE passes to TEE_Panic in the same case
}

func (e *MisuseError) Error() string {
	return fmt.Sprintf("%s: %s (TEE_Panic %s)", e.Op, e.Reason, e.Code.Name())
}

// misuse panics with a *MisuseError carrying BAD_PARAMETERS, OP-TEE's usual panic code.
func misuse(op, format string, args ...any) {
	panic(&MisuseError{Op: op, Reason: fmt.Sprintf(format, args...), Code: tee.ErrBadParameters})
}

// misuseCode panics with a *MisuseError carrying code.
func misuseCode(code tee.Result, op, format string, args ...any) {
	panic(&MisuseError{Op: op, Reason: fmt.Sprintf(format, args...), Code: code})
}
