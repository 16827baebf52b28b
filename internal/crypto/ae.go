package crypto

import (
	"crypto/cipher"
	"crypto/subtle"
	"slices"

	"github.com/gotee/gotee/tee"
)

// aeEngine runs AES-GCM over crypto/cipher and AES-CCM over gmsm's CCM (see ccm.go). Both
// are one-shot AEADs, so AAD and payload are buffered and the whole message is sealed or
// opened by the final call: AEUpdate outputs nothing and the final outputs everything.
// GP allows update output to lag its input (as for block ciphers); OP-TEE streams
// instead, so a TA must, as GP requires anyway, use the sizes returned rather than assume
// them. A side benefit is that decryption never releases plaintext before the tag is
// checked.
type aeEngine struct {
	ccm     bool
	b       cipher.Block
	nonce   []byte
	tagLen  int // bytes
	aad     []byte
	payload []byte
	// CCM: the lengths announced to AEInit, which the data fed must match exactly.
	aadLen, payloadLen int
	// scratch is the operation's buffer GCM seals into and opens in (Operation.scratch).
	scratch *[]byte
}

func (a *aeEngine) clone() engine {
	c := *a
	c.nonce = slices.Clone(a.nonce)
	c.aad = slices.Clone(a.aad)
	c.payload = slices.Clone(a.payload)
	return &c
}

func (a *aeEngine) wipe() {
	clear(a.aad)
	clear(a.payload)
	a.aad, a.payload = nil, nil
}

// gcm returns a GCM for this nonce and tag size, and whether it produces the requested
// tag length itself. crypto/cipher offers a custom nonce size or a custom tag size but
// not both; for a non-96-bit nonce with a short tag we use the 16-byte tag and truncate.
func (a *aeEngine) gcm() (cipher.AEAD, bool) {
	var g cipher.AEAD
	var err error
	exact := true
	switch {
	case len(a.nonce) == 12:
		g, err = cipher.NewGCMWithTagSize(a.b, a.tagLen)
	default:
		g, err = cipher.NewGCMWithNonceSize(a.b, len(a.nonce))
		exact = a.tagLen == 16
	}
	if err != nil {
		panic("crypto: GCM: " + err.Error()) // AEInit validated nonce and tag sizes
	}
	return g, exact
}

// buffer returns n bytes of the operation's scratch buffer. Go's AEAD writes
// ciphertext and tag contiguously, while GP keeps them apart, so GCM seals into this
// buffer and the result is copied out; keeping it with the operation from message to
// message makes that copy the only cost (a fresh buffer per message, zeroed and
// faulted in, cost as much again).
func (a *aeEngine) buffer(n int) []byte {
	if cap(*a.scratch) < n {
		clear(*a.scratch)
		*a.scratch = make([]byte, n)
	}
	return (*a.scratch)[:n]
}

func (a *aeEngine) seal(dst, tag, pt []byte) {
	if a.ccm {
		a.ccmSeal(dst, tag, pt)
		return
	}
	g, _ := a.gcm()
	out := g.Seal(a.buffer(len(pt) + g.Overhead())[:0], a.nonce, pt, a.aad)
	copy(dst, out[:len(pt)])
	copy(tag, out[len(pt):len(pt)+a.tagLen])
}

func (a *aeEngine) open(dst, ct, tag []byte) bool {
	if a.ccm {
		return a.ccmOpen(dst, ct, tag)
	}
	g, exact := a.gcm()
	if exact {
		buf := a.buffer(len(ct) + len(tag))
		defer clear(buf) // it held plaintext
		in := append(append(buf[:0], ct...), tag...)
		out, err := g.Open(in[:0], a.nonce, in, a.aad) // in place
		if err != nil {
			return false
		}
		copy(dst, out)
		return true
	}
	// Truncated tag with a non-96-bit nonce: GCM's keystream depends only on key and
	// nonce, so sealing the ciphertext yields the plaintext; sealing that plaintext
	// yields the full tag to compare a prefix of.
	pt := g.Seal(nil, a.nonce, ct, nil)[:len(ct)]
	full := g.Seal(nil, a.nonce, pt, a.aad)
	ok := subtle.ConstantTimeCompare(full[len(ct):len(ct)+a.tagLen], tag) == 1
	if ok {
		copy(dst, pt)
	}
	clear(pt)
	clear(full)
	return ok
}

// AEInit starts an authenticated encryption (TEE_AEInit, §6.6.1) with nonce and a tag of
// tagLen bits. aadLen and payloadLen are the total lengths of AAD and payload to come:
// CCM needs them up front and the data fed must then match them exactly (a mismatch
// panics, as in OP-TEE); GCM ignores them. It returns tee.ErrNotSupported for a tag
// length the algorithm lacks (GCM: 96, 104, 112, 120 or 128 bits; CCM: 32 to 128 in steps
// of 16). The operation must have a key and be in the initial state, and the nonce must
// not be empty (CCM: 7 to 13 bytes, short enough to leave room for payloadLen);
// otherwise it panics.
func (op *Operation) AEInit(nonce []byte, tagLen, aadLen, payloadLen int) error {
	const fn = "TEE_AEInit"
	op.requireClass(fn, tee.ClassAE)
	if op.handle&tee.FlagKeySet == 0 {
		misuse(fn, "no key set")
	}
	if op.state != tee.StateInitial {
		misuse(fn, "operation is not in the initial state")
	}
	if len(nonce) == 0 {
		misuse(fn, "empty nonce")
	}
	if aadLen < 0 || payloadLen < 0 {
		misuse(fn, "negative length")
	}
	ccm := op.spec.chain == chainCCM
	if ccm {
		if err := ccmCheckInit(fn, len(nonce), tagLen, aadLen, payloadLen); err != nil {
			return err
		}
	} else if tagLen < 96 || tagLen > 128 || tagLen%8 != 0 {
		return tee.ErrNotSupported
	}
	b, err := op.spec.newBlock(op.key1)
	if err != nil {
		misuse(fn, "key: %v", err)
	}
	op.dropEngine()
	op.eng = &aeEngine{ccm: ccm, b: b, nonce: slices.Clone(nonce), tagLen: tagLen / 8, aadLen: aadLen, payloadLen: payloadLen, scratch: &op.scratch}
	op.digestLen = tagLen / 8
	op.handle |= tee.FlagInitialized
	return nil
}

func (op *Operation) aeInitialized(fn string) *aeEngine {
	op.requireClass(fn, tee.ClassAE)
	if op.handle&tee.FlagInitialized == 0 {
		misuse(fn, "AE operation not initialized (call AEInit)")
	}
	return op.eng.(*aeEngine)
}

// AEUpdateAAD feeds additional authenticated data (TEE_AEUpdateAAD, §6.6.2). All AAD must
// come before the first AEUpdate with data; later AAD panics, and so does CCM AAD beyond
// the aadLen given to AEInit.
func (op *Operation) AEUpdateAAD(aad []byte) {
	const fn = "TEE_AEUpdateAAD"
	a := op.aeInitialized(fn)
	if op.state != tee.StateInitial {
		misuse(fn, "AAD after payload")
	}
	if a.ccm && len(aad) > a.aadLen-len(a.aad) {
		misuseCode(tee.ErrBadState, fn, "CCM: %d bytes of AAD exceed the %d announced", len(a.aad)+len(aad), a.aadLen)
	}
	a.aad = append(a.aad, aad...)
}

// ccmCheckFeed panics unless feeding n more payload bytes keeps a CCM operation within
// what AEInit announced: all the AAD first, and no more payload than payloadLen. OP-TEE
// (LibTomCrypt's ccm_process) panics with BAD_STATE in both cases. final also requires
// the payload to be complete.
func (a *aeEngine) ccmCheckFeed(fn string, n int, final bool) {
	if !a.ccm {
		return
	}
	if len(a.aad) != a.aadLen {
		misuseCode(tee.ErrBadState, fn, "CCM: payload after %d bytes of AAD, %d announced", len(a.aad), a.aadLen)
	}
	got := len(a.payload) + n
	if got > a.payloadLen || final && got != a.payloadLen {
		misuseCode(tee.ErrBadState, fn, "CCM: %d bytes of payload, %d announced", got, a.payloadLen)
	}
}

// AEUpdate feeds payload (TEE_AEUpdate, §6.6.3). This implementation buffers it and
// outputs 0 bytes; AEEncryptFinal or AEDecryptFinal output the whole payload. It never
// returns an error, but keeps GP's signature so a streaming engine can replace it. For
// CCM, payload before all the announced AAD, or beyond the announced payload length,
// panics.
func (op *Operation) AEUpdate(dst, src []byte) (int, error) {
	const fn = "TEE_AEUpdate"
	a := op.aeInitialized(fn)
	if len(src) > 0 {
		a.ccmCheckFeed(fn, len(src), false)
	}
	a.payload = append(a.payload, src...)
	if len(src) > 0 {
		op.state = tee.StateActive
	}
	return 0, nil
}

// AEEncryptFinal encrypts the buffered payload plus src into dst, writes the tag to tag,
// and returns the bytes of ciphertext and of tag (TEE_AEEncryptFinal, §6.6.4). If dst or
// tag is too short it returns both required sizes and tee.ErrShortBuffer and changes
// nothing. The operation then returns to the initial state, needing a new AEInit. For
// CCM, AAD or payload that falls short of the lengths given to AEInit panics (after the
// SHORT_BUFFER check, as in OP-TEE).
func (op *Operation) AEEncryptFinal(dst, tag, src []byte) (n, tagLen int, err error) {
	const fn = "TEE_AEEncryptFinal"
	a := op.aeInitialized(fn)
	if op.mode != tee.ModeEncrypt {
		misuse(fn, "operation is in %v mode", op.mode)
	}
	need := len(a.payload) + len(src)
	if len(dst) < need || len(tag) < a.tagLen {
		return need, a.tagLen, tee.ErrShortBuffer
	}
	a.ccmCheckFeed(fn, len(src), true)
	pt := src // a one-shot message needs no buffering
	if len(a.payload) > 0 {
		pt = append(a.payload, src...)
		a.payload = pt
	}
	a.seal(dst[:need], tag[:a.tagLen], pt)
	tagLen = a.tagLen
	op.reset()
	return need, tagLen, nil
}

// AEDecryptFinal decrypts the buffered payload plus src into dst and checks tag
// (TEE_AEDecryptFinal, §6.6.5). It returns the plaintext length, or tee.ErrMACInvalid
// with dst zeroed when the tag is wrong or not the length given to AEInit. A dst shorter
// than the payload gets the required size and tee.ErrShortBuffer and nothing changes.
// Otherwise the operation returns to the initial state. CCM length mismatches panic as
// in AEEncryptFinal.
func (op *Operation) AEDecryptFinal(dst, src, tag []byte) (int, error) {
	const fn = "TEE_AEDecryptFinal"
	a := op.aeInitialized(fn)
	if op.mode != tee.ModeDecrypt {
		misuse(fn, "operation is in %v mode", op.mode)
	}
	need := len(a.payload) + len(src)
	if len(dst) < need {
		return need, tee.ErrShortBuffer
	}
	a.ccmCheckFeed(fn, len(src), true)
	ct := src
	if len(a.payload) > 0 {
		ct = append(a.payload, src...)
		a.payload = ct
	}
	ok := len(tag) == a.tagLen && a.open(dst[:need], ct, tag)
	op.reset()
	if !ok {
		clear(dst[:need])
		return 0, tee.ErrMACInvalid
	}
	return need, nil
}
