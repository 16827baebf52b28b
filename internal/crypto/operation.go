package crypto

import (
	"errors"
	"slices"

	"github.com/gotee/gotee/tee"
)

// Operation is a GP cryptographic operation (TEE_OperationHandle, §6.2): an algorithm
// and a mode fixed at Allocate, an optional key, and the state of a multi-stage
// computation. Its methods enforce the GP state machine: calling one in the wrong state,
// on the wrong class of operation, without a suitable key or after Free panics with a
// *MisuseError, because GP makes all of those TEE_Panic. Bad data is reported as a
// tee.Result error instead.
//
// Methods that write output take the destination first, as Go's crypto/cipher does. When
// the destination is too short they return the required size with tee.ErrShortBuffer and
// leave the operation unchanged, which is GP's SHORT_BUFFER contract.
//
// An Operation is not safe for concurrent use; a TA instance runs one entry point at a
// time, which is the only place an operation handle lives.
type Operation struct {
	spec       *spec
	alg        tee.Algorithm
	mode       tee.Mode
	maxKeySize int // bits; for two-key algorithms the sum of both keys, as in OP-TEE
	digestLen  int
	handle     tee.HandleFlags
	state      tee.State
	keySize    int // bits of key1 (and of key2, which must be equal)
	key1, key2 []byte
	akey       *asymKey // asymmetric and derivation classes: the parsed key
	akey2      *asymKey // SM2_KEP: the ephemeral key pair (key2)
	akeyShared bool     // akey and akey2 are also another operation's (Copy): do not wipe them
	eng        engine
	freed      bool
	scratch    []byte // AE output buffer, kept from message to message (ae.go)
}

// engine is the class-specific running state behind an initialized operation.
type engine interface {
	clone() engine
	wipe()
}

// OperationInfo is TEE_OperationInfo (§6.2.3).
type OperationInfo struct {
	Algorithm        tee.Algorithm
	Class            tee.Class
	Mode             tee.Mode
	DigestLength     int // bytes of digest, MAC or (after AEInit) tag
	MaxKeySize       int // bits
	KeySize          int // bits; 0 when no key is set or the algorithm takes two keys
	RequiredKeyUsage tee.Usage
	HandleState      tee.HandleFlags
}

// KeyInformation is TEE_OperationInfoKey.
type KeyInformation struct {
	KeySize          int // bits; 0 when no key is set
	RequiredKeyUsage tee.Usage
}

// OperationInfoMultiple is TEE_OperationInfoMultiple (§6.2.4); numberOfKeys is len(Keys).
type OperationInfoMultiple struct {
	Algorithm      tee.Algorithm
	Class          tee.Class
	Mode           tee.Mode
	DigestLength   int
	MaxKeySize     int
	HandleState    tee.HandleFlags
	OperationState tee.State
	Keys           []KeyInformation
}

// Allocate creates an operation (TEE_AllocateOperation, §6.2.1). It returns
// tee.ErrNotSupported when the algorithm is unknown or not implemented, the mode does not
// fit the algorithm, or maxKeySize (bits) is not a key size GP allows for the algorithm's
// key type. For AES-XTS maxKeySize is the size of both keys together (OP-TEE's reading).
// maxKeySize is ignored for digests. The asymmetric algorithms take the sizes OP-TEE's
// TEE_AllocateOperation does: ECDSA any supported curve's size (192 to 521), Ed25519
// and X25519 256, X448 448, Ed448 448 or 456, SM2_KEP 512 (two 256-bit keys), DSA_SHA1
// 512..1024 in steps of 64, DSA_SHA224 2048, DSA_SHA256 2048 or 3072, ECDH up to 521,
// the rest any size of their key type.
func Allocate(alg tee.Algorithm, mode tee.Mode, maxKeySize int) (*Operation, error) {
	s, ok := specs[alg]
	if !ok || !s.allowsMode(mode) {
		return nil, tee.ErrNotSupported
	}
	if as := asymSpecs[alg]; as != nil {
		per := maxKeySize
		if s.twoKeys {
			per = maxKeySize / 2
		}
		if as.maxSize != nil && !as.maxSize(maxKeySize) || !ValidObjectSize(as.pair, per) {
			return nil, tee.ErrNotSupported
		}
	} else if s.class != tee.ClassDigest {
		per := maxKeySize
		if s.twoKeys {
			if maxKeySize%2 != 0 {
				return nil, tee.ErrNotSupported
			}
			per = maxKeySize / 2
		}
		if !validKeySize(s.keyType, per) {
			return nil, tee.ErrNotSupported
		}
	}
	op := &Operation{spec: s, alg: alg, mode: mode, maxKeySize: maxKeySize, digestLen: s.digestLen}
	if s.twoKeys {
		op.handle |= tee.FlagExpectTwoKeys
	}
	if s.class == tee.ClassDigest {
		// GP: KEY_SET and INITIALIZED are always set for digests.
		op.handle |= tee.FlagKeySet | tee.FlagInitialized
		op.eng = newDigestEngine(s)
	}
	return op, nil
}

// Free releases the operation (TEE_FreeOperation) and wipes its keys and state. Using it
// afterwards panics. Free on nil does nothing, as TEE_FreeOperation(TEE_HANDLE_NULL).
func (op *Operation) Free() {
	if op == nil || op.freed {
		return
	}
	op.dropEngine()
	op.clearKeys()
	clear(op.scratch)
	op.scratch = nil
	op.freed = true
}

func (op *Operation) check(fn string) {
	if op == nil || op.freed {
		misuse(fn, "invalid operation handle")
	}
}

func (op *Operation) requireClass(fn string, c tee.Class) {
	op.check(fn)
	if op.spec.class != c {
		misuse(fn, "%v is a %v operation, not %v", op.alg, op.spec.class, c)
	}
}

func (op *Operation) dropEngine() {
	if op.eng != nil {
		op.eng.wipe()
		op.eng = nil
	}
}

// Info returns TEE_GetOperationInfo's view of the operation.
func (op *Operation) Info() OperationInfo {
	op.check("TEE_GetOperationInfo")
	info := OperationInfo{
		Algorithm:        op.alg,
		Class:            op.spec.class,
		Mode:             op.mode,
		DigestLength:     op.digestLen,
		MaxKeySize:       op.maxKeySize,
		KeySize:          op.keySize,
		RequiredKeyUsage: op.requiredUsage(),
		HandleState:      op.handle,
	}
	if op.spec.twoKeys {
		// GP: with two keys these say nothing; TEE_GetOperationInfoMultiple has them.
		info.KeySize, info.RequiredKeyUsage = 0, 0
	}
	return info
}

// InfoMultiple returns TEE_GetOperationInfoMultiple's view: one KeyInformation per key the
// algorithm takes (none for digests).
func (op *Operation) InfoMultiple() OperationInfoMultiple {
	op.check("TEE_GetOperationInfoMultiple")
	info := OperationInfoMultiple{
		Algorithm:      op.alg,
		Class:          op.spec.class,
		Mode:           op.mode,
		DigestLength:   op.digestLen,
		MaxKeySize:     op.maxKeySize,
		HandleState:    op.handle,
		OperationState: op.state,
	}
	n := 1
	switch {
	case op.spec.class == tee.ClassDigest:
		n = 0
	case op.spec.twoKeys:
		n = 2
	}
	for range n {
		info.Keys = append(info.Keys, KeyInformation{KeySize: op.keySize, RequiredKeyUsage: op.requiredUsage()})
	}
	return info
}

// State returns the operation state (TEE_OperationInfoMultiple.operationState).
func (op *Operation) State() tee.State {
	op.check("TEE_GetOperationInfoMultiple")
	return op.state
}

// Reset returns the operation to the initial state, keeping its key (TEE_ResetOperation,
// §6.2.6). It panics if no key is set.
func (op *Operation) Reset() {
	const fn = "TEE_ResetOperation"
	op.check(fn)
	if op.handle&tee.FlagKeySet == 0 {
		misuse(fn, "no key set")
	}
	op.reset()
}

func (op *Operation) reset() {
	op.state = tee.StateInitial
	op.handle &^= tee.FlagExtracting
	op.dropEngine()
	if op.spec.class == tee.ClassDigest {
		op.eng = newDigestEngine(op.spec)
		op.handle |= tee.FlagInitialized
	} else {
		op.handle &^= tee.FlagInitialized
	}
}

// isNil reports whether k is nil or a typed nil *Key: TEE_HANDLE_NULL.
func isNil(k KeyObject) bool {
	if k == nil {
		return true
	}
	p, ok := k.(*Key)
	return ok && p == nil
}

// keyMaterial reads a key object. OP-TEE returns CORRUPT_OBJECT and STORAGE_NOT_AVAILABLE
// from TEE_SetOperationKey and panics on anything else; so do we.
func keyMaterial(fn string, k KeyObject) (*Key, error) {
	key, err := k.OperationKey()
	if err != nil {
		if errors.Is(err, tee.ErrCorruptObject) || errors.Is(err, tee.ErrStorageNotAvail) {
			return nil, err
		}
		misuse(fn, "key object: %v", err)
	}
	if key == nil {
		misuse(fn, "key object has no key")
	}
	return key, nil
}

// checkKey panics unless key suits the operation: its type, a valid size no larger than
// max bits, the secret's length, and the usage flags GP requires.
func (op *Operation) checkKey(fn string, key *Key, max int) {
	bits := key.bits()
	switch {
	case key.Type != op.spec.keyType:
		misuse(fn, "key type 0x%08x does not fit %v", uint32(key.Type), op.alg)
	case !validKeySize(key.Type, bits) || len(key.Secret)*8 != bits:
		misuse(fn, "invalid key size %d bits (%d secret bytes)", bits, len(key.Secret))
	case bits > max:
		misuse(fn, "key size %d exceeds the operation's maximum %d", bits, max)
	}
	if req := op.requiredUsage(); key.Usage&req != req {
		misuse(fn, "key usage 0x%x lacks required 0x%x", uint32(key.Usage), uint32(req))
	}
}

// SetKey programs the operation's key (TEE_SetOperationKey, §6.2.7), copying the key
// material; a nil key clears it. The operation must be in the initial state and take one
// key; the key must have the algorithm's object type, a size no larger than maxKeySize
// and the usage the mode requires. Any of those failing is a panic. The only errors are
// the key object's own (tee.ErrCorruptObject, tee.ErrStorageNotAvail).
//
// Setting a key discards an AEInit that was not followed by any data, since the
// initialized state was derived from the old key.
func (op *Operation) SetKey(k KeyObject) error {
	const fn = "TEE_SetOperationKey"
	op.check(fn)
	if op.state != tee.StateInitial {
		misuse(fn, "operation is not in the initial state")
	}
	if op.spec.class == tee.ClassDigest {
		misuse(fn, "digest operations take no key")
	}
	if op.spec.twoKeys {
		misuse(fn, "%v takes two keys: use SetKey2", op.alg)
	}
	if isNil(k) {
		op.clearKeys()
		return nil
	}
	key, err := keyMaterial(fn, k)
	if err != nil {
		return err
	}
	if as := asymSpecs[op.alg]; as != nil {
		ak := op.checkAsymKey(fn, as, key, op.maxKeySize)
		op.clearKeys()
		op.akey = ak
		op.keySize = ak.bits
		op.handle |= tee.FlagKeySet
		return nil
	}
	op.checkKey(fn, key, op.maxKeySize)
	op.clearKeys()
	op.key1 = slices.Clone(key.Secret)
	op.keySize = key.bits()
	op.handle |= tee.FlagKeySet
	return nil
}

// SetKey2 programs both keys of a two-key algorithm (TEE_SetOperationKey2, §6.2.8): for
// AES-XTS and SM4-XTS key1 encrypts the data and key2 the tweak; for SM2_KEP key1 is the
// TA's static key pair and key2 its ephemeral key pair. Both keys must be the same size,
// each at most maxKeySize/2. Both nil clears them; one nil is a panic, as are all the
// conditions of SetKey.
func (op *Operation) SetKey2(k1, k2 KeyObject) error {
	const fn = "TEE_SetOperationKey2"
	op.check(fn)
	if op.state != tee.StateInitial {
		misuse(fn, "operation is not in the initial state")
	}
	if isNil(k1) != isNil(k2) {
		misuse(fn, "exactly one of two keys is null")
	}
	if op.spec.class == tee.ClassDigest {
		misuse(fn, "digest operations take no key")
	}
	if !op.spec.twoKeys {
		misuse(fn, "%v takes one key: use SetKey", op.alg)
	}
	if isNil(k1) {
		op.clearKeys()
		return nil
	}
	key1, err := keyMaterial(fn, k1)
	if err != nil {
		return err
	}
	key2, err := keyMaterial(fn, k2)
	if err != nil {
		return err
	}
	if as := asymSpecs[op.alg]; as != nil {
		ak1 := op.checkAsymKey(fn, as, key1, op.maxKeySize/2)
		ak2 := op.checkAsymKey(fn, as, key2, op.maxKeySize/2)
		if ak1.bits != ak2.bits {
			misuse(fn, "the two keys differ in size (%d, %d bits)", ak1.bits, ak2.bits)
		}
		op.clearKeys()
		op.akey, op.akey2 = ak1, ak2
		op.keySize = ak1.bits
		op.handle |= tee.FlagKeySet
		return nil
	}
	op.checkKey(fn, key1, op.maxKeySize/2)
	op.checkKey(fn, key2, op.maxKeySize/2)
	if key1.bits() != key2.bits() {
		misuse(fn, "the two keys differ in size (%d, %d bits)", key1.bits(), key2.bits())
	}
	op.clearKeys()
	op.key1 = slices.Clone(key1.Secret)
	op.key2 = slices.Clone(key2.Secret)
	op.keySize = key1.bits()
	op.handle |= tee.FlagKeySet
	return nil
}

func (op *Operation) clearKeys() {
	clear(op.key1)
	clear(op.key2)
	op.key1, op.key2 = nil, nil
	if !op.akeyShared {
		for _, k := range []*asymKey{op.akey, op.akey2} {
			if k != nil {
				k.wipe()
			}
		}
	}
	op.akey, op.akey2, op.akeyShared = nil, nil, false
	op.keySize = 0
	op.handle &^= tee.FlagKeySet
	if op.spec.class != tee.ClassDigest {
		op.dropEngine()
		op.handle &^= tee.FlagInitialized
	}
}

// Copy makes dst an independent copy of src, keys and running state included
// (TEE_CopyOperation, §6.2.5). Both must have the same algorithm and mode, and src's key
// must fit dst's maxKeySize; otherwise it panics. Whatever dst held before is discarded.
func Copy(dst, src *Operation) {
	const fn = "TEE_CopyOperation"
	dst.check(fn)
	src.check(fn)
	if dst == src {
		return
	}
	if dst.alg != src.alg || dst.mode != src.mode {
		misuse(fn, "algorithm or mode differ (%v/%v, %v/%v)", dst.alg, dst.mode, src.alg, src.mode)
	}
	if src.handle&tee.FlagKeySet != 0 && src.spec.class != tee.ClassDigest {
		max := dst.maxKeySize
		if dst.spec.twoKeys {
			max /= 2
		}
		if src.keySize > max {
			misuse(fn, "source key of %d bits exceeds destination maximum %d", src.keySize, max)
		}
	}
	dst.dropEngine()
	dst.clearKeys()
	dst.key1, dst.key2 = slices.Clone(src.key1), slices.Clone(src.key2)
	if src.akey != nil {
		// Go's keys are immutable, so both operations may use them; neither wipes them.
		dst.akey, dst.akey2, dst.akeyShared = src.akey, src.akey2, true
		src.akeyShared = true
	}
	dst.keySize = src.keySize
	dst.handle = src.handle
	dst.digestLen = src.digestLen
	dst.state = src.state
	if src.eng != nil {
		dst.eng = src.eng.clone()
	}
}
