package ta

import (
	"crypto/rand"
	"fmt"
	"os"

	"github.com/gotee/gotee/tee"
)

// TA is a Trusted Application: the five entry points of the Internal Core API §4.8.
// The runtime calls them one at a time per instance, unless the TA's manifest says
// concurrent = true: then OpenSession, Invoke (also several of one session) and
// CloseSession may run at the same time on different goroutines, and the TA must be
// safe for that (docs/semantics.md says what stays ordered). An entry point reports failure
// by returning an error: a tee.Result (or an error wrapping one) becomes the result
// the client sees, with origin TRUSTED_APP; any other error becomes
// TEE_ERROR_GENERIC. Embed [Base] to get empty Create, Destroy, OpenSession and
// CloseSession.
type TA interface {
	// Create runs once when the instance starts (TA_CreateEntryPoint).
	Create() error
	// Destroy runs once before the instance exits (TA_DestroyEntryPoint).
	Destroy()
	// OpenSession accepts or refuses a new session (TA_OpenSessionEntryPoint). Per-
	// session state goes in s.Data.
	OpenSession(s *Session, p *Params) error
	// CloseSession runs when the session ends (TA_CloseSessionEntryPoint).
	CloseSession(s *Session)
	// Invoke runs command cmd (TA_InvokeCommandEntryPoint).
	Invoke(s *Session, cmd uint32, p *Params) error
}

// Base gives a TA empty lifecycle entry points; a TA embeds it and writes Invoke.
type Base struct{}

func (Base) Create() error                       { return nil }
func (Base) Destroy()                            {}
func (Base) OpenSession(*Session, *Params) error { return nil }
func (Base) CloseSession(*Session)               {}

// Param is one parameter as the TA sees it (TEE_Param).
type Param struct {
	Type tee.ParamType // TA-side: NONE, VALUE_INPUT/OUTPUT/INOUT, MEMREF_INPUT/OUTPUT/INOUT
	// Value holds a value parameter; write it for VALUE_OUTPUT and VALUE_INOUT.
	Value tee.Value
	// Mem is a memory reference's buffer: the client's shared pages themselves, or a
	// staging copy of its temporary memory. It is nil for a NULL memref, which has
	// only a Size. The client may change the memory while the TA runs (it is shared):
	// copy out anything whose value decides control flow before checking it.
	Mem []byte
	// Size starts as the memref's size. For an output, set it to the number of bytes
	// written, or, with TEE_ERROR_SHORT_BUFFER, to the size needed; it flows back to
	// the client either way.
	Size int
}

// Params are an operation's four parameters.
type Params [4]Param

// Types packs the four types as TEE_PARAM_TYPES does, for comparison with
// tee.Types(...) the way C TAs compare against TEE_PARAM_TYPES(...).
func (p *Params) Types() uint32 {
	return tee.Types(p[0].Type, p[1].Type, p[2].Type, p[3].Type)
}

// Expect returns BAD_PARAMETERS unless the parameters have exactly these types.
func (p *Params) Expect(t0, t1, t2, t3 tee.ParamType) error {
	if p.Types() != tee.Types(t0, t1, t2, t3) {
		return tee.ErrBadParameters
	}
	return nil
}

// GenerateRandom fills b from the TEE's random source (TEE_GenerateRandom).
func GenerateRandom(b []byte) {
	if _, err := rand.Read(b); err != nil {
		Panic(tee.ErrGeneric)
	}
}

// PanicError is what Panic throws; the runtime turns it into the instance's death.
type PanicError struct{ Code tee.Result }

func (e PanicError) Error() string { return fmt.Sprintf("TEE_Panic(0x%08x)", uint32(e.Code)) }

// Panic ends the instance at once (TEE_Panic): no further entry point runs, and every
// session of the instance answers TEE_ERROR_TARGET_DEAD from then on.
func Panic(code tee.Result) {
	panic(PanicError{Code: code})
}

// resultOf maps an entry point's error to the result the client sees.
func resultOf(err error) (tee.Result, tee.Origin) {
	// Whatever layer produced the code inside the TA, the client got it from the TA.
	code, _ := tee.Code(err, tee.OriginTrustedApp)
	return code, tee.OriginTrustedApp
}

// Main runs t as a TA process: it serves the instance channel teed gave it as fd 3
// and exits when the instance is destroyed or teed goes away. A panic in an entry
// point exits the process with the panic on stderr, which teed logs.
func Main(t TA) {
	f := os.NewFile(3, "teed")
	if f == nil || os.Getenv("GOTEE_TA") != "1" {
		fmt.Fprintln(os.Stderr, "ta: no instance channel on fd 3: a TA is started by teed, not by hand")
		os.Exit(2)
	}
	if err := confine(); err != nil {
		fmt.Fprintln(os.Stderr, "ta: running without the sandbox:", err)
	}
	err := serve(f, t, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ta:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Serve runs t on an instance channel inside the calling process, the way tatest
// hosts a TA in a test. It returns when the instance is destroyed, the channel
// closes, or the TA panics (then with an error, after closing all its channels,
// as if its process had died).
func Serve(channel *os.File, t TA) error {
	return serve(channel, t, false)
}
