package ta

import (
	"errors"

	"github.com/gotee/gotee/internal/crypto"
	"github.com/gotee/gotee/tee"
)

// Operation is a cryptographic operation (TEE_OperationHandle, Internal Core API §6.2):
// an algorithm and mode fixed at allocation, a key set from an [Object], and the state
// of a multi-stage computation. Its methods are GP's TEE_Digest*, TEE_Cipher*, TEE_MAC*,
// TEE_AE*, TEE_Asymmetric* functions, with Go's conventions: output buffers come first,
// a too-short output returns the size it needs with tee.ErrShortBuffer, and misuse — the
// wrong state, class or key, a freed handle — panics, which GP makes a TEE_Panic: the
// instance dies and its clients see TEE_ERROR_TARGET_DEAD.
//
// An Operation belongs to the instance that allocated it and is not safe for
// concurrent use: a TA runs one entry point at a time, unless its manifest says
// concurrent = true, and then it must not use one Operation in two at once.
type Operation = crypto.Operation

// OperationInfo is TEE_OperationInfo (§6.2.3).
type OperationInfo = crypto.OperationInfo

// OperationInfoMultiple is TEE_OperationInfoMultiple (§6.2.4).
type OperationInfoMultiple = crypto.OperationInfoMultiple

// AllocateOperation allocates an operation (TEE_AllocateOperation): NOT_SUPPORTED when
// the algorithm, the mode for it, or maxKeyBits is not one this TEE implements.
func AllocateOperation(alg tee.Algorithm, mode tee.Mode, maxKeyBits int) (*Operation, error) {
	return crypto.Allocate(alg, mode, maxKeyBits)
}

// CopyOperation makes dst a copy of src, key and running state included
// (TEE_CopyOperation). Both must have the same algorithm and mode.
func CopyOperation(dst, src *Operation) { crypto.Copy(dst, src) }

// IsAlgorithmSupported reports whether alg, with the cryptographic element element
// (tee.ElementNone, or an ECC curve for ECC algorithms), is implemented
// (TEE_IsAlgorithmSupported): nil, or tee.ErrNotSupported.
func IsAlgorithmSupported(alg tee.Algorithm, element tee.Element) error {
	return crypto.IsAlgorithmSupported(alg, element)
}

// DeriveKey runs a key-derivation operation (TEE_DeriveKey: DH, ECDH, X25519 and the
// KDFs) with params and puts the derived secret into derived, which must be an
// uninitialized transient object large enough for it (TEE_TYPE_GENERIC_SECRET, or the
// type the algorithm derives); derived becomes initialized with it as
// TEE_ATTR_SECRET_VALUE. TEE_DeriveKey returns nothing: an unsuitable object, and bad
// parameter values too (a peer's point off the curve), are panics, as in GP.
func DeriveKey(op *Operation, params []tee.Attribute, derived *Object) {
	const fn = "TEE_DeriveKey"
	derived.checkTransient(fn)
	if derived.initialized() {
		misuse(fn, "derived key object is already initialized")
	}
	// The derived object's size tells the algorithms that let the caller choose how
	// much to derive (SM2 key exchange, read as bytes there, as OP-TEE does).
	secret, err := op.DeriveKeySized(params, derived.maxBits)
	if err != nil {
		var r tee.Result
		if !errors.As(err, &r) {
			r = tee.ErrBadParameters
		}
		panic(&crypto.MisuseError{Op: fn, Reason: err.Error(), Code: r})
	}
	defer clear(secret)
	bits := 8 * len(secret)
	if bits > derived.maxBits && op.Info().Algorithm != tee.AlgSM2KEP {
		misuse(fn, "derived secret of %d bits exceeds the object's maximum of %d", bits, derived.maxBits)
	}
	derived.attrs = []tee.Attribute{{ID: tee.AttrSecretValue, Ref: append([]byte(nil), secret...)}}
	derived.bits = bits
	derived.flags |= handleInitialized
}
