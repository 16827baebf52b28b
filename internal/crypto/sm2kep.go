package crypto

import (
	"crypto/subtle"
	"encoding/binary"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/kdf"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"github.com/gotee/gotee/tee"
)

// SM2 key exchange (TEE_ALG_SM2_KEP): the protocol of GB/T 32918.3-2016 §6.1 (GM/T
// 0003.3-2012), as OP-TEE runs it in TEE_DeriveKey. The elliptic-curve step, U =
// [h·t](P_peer + [x̄_peer]R_peer) with t = d + x̄·r mod n, is gmsm's constant-time
// ecdh.PrivateKey.SM2MQV; around it the protocol only hashes: Z = SM3(ENTL || ID || a ||
// b || x_G || y_G || x || y) for each side, the key K = KDF(x_U || y_U || Z_A || Z_B,
// klen) with gmsm's GB/T 32918 KDF, and the optional confirmations S = SM3(flag || y_U
// || SM3(x_U || Z_A || Z_B || x_1 || y_1 || x_2 || y_2)), flag 0x02 for S_B (= S_1)
// and 0x03 for S_A (= S_2). Z is computed here rather than by gmsm because gmsm
// substitutes its default ID for an empty one, where GB/T 32918 and OP-TEE hash the
// empty ID as given.
//
// The operation takes two keys (TEE_SetOperationKey2): the TA's static key pair and
// its ephemeral key pair, both TEE_TYPE_SM2_KEP_KEYPAIR, as in OP-TEE (xtest 4014).

// sm2KEPParams are what TEE_DeriveKey takes for SM2_KEP: OP-TEE's
// get_sm2_kep_params, which also accepts its first, mistaken IDs for the peer's
// ephemeral point.
var sm2KEPParams = []tee.AttributeID{
	tee.AttrSM2KEPUser, tee.AttrECCPublicValueX, tee.AttrECCPublicValueY,
	tee.AttrECCEphemeralPublicValueX, tee.AttrECCEphemeralPublicValueY,
	tee.AttrOPTEESM2KEPEphemeralPublicValueX, tee.AttrOPTEESM2KEPEphemeralPublicValueY,
	tee.AttrSM2IDInitiator, tee.AttrSM2IDResponder,
	tee.AttrSM2KEPConfirmationIn, tee.AttrSM2KEPConfirmationOut,
}

// sm2KEPDerive runs the exchange for the operation's static key k and ephemeral key e
// and returns n bytes of shared key.
func sm2KEPDerive(fn string, k, e *asymKey, params []tee.Attribute, n int) ([]byte, error) {
	p := paramSet(fn, params, sm2KEPParams...)
	need := func(id tee.AttributeID, alt tee.AttributeID, name string) tee.Attribute {
		a, ok := p[id]
		if b, okAlt := p[alt]; alt != 0 && okAlt {
			if ok {
				misuse(fn, "%s given twice (GP's and OP-TEE's ID)", name)
			}
			a, ok = b, true
		}
		if !ok {
			misuse(fn, "SM2_KEP needs %s", name)
		}
		return a
	}
	user := need(tee.AttrSM2KEPUser, 0, "TEE_ATTR_SM2_KEP_USER")
	px := need(tee.AttrECCPublicValueX, 0, "TEE_ATTR_ECC_PUBLIC_VALUE_X")
	py := need(tee.AttrECCPublicValueY, 0, "TEE_ATTR_ECC_PUBLIC_VALUE_Y")
	ex := need(tee.AttrECCEphemeralPublicValueX, tee.AttrOPTEESM2KEPEphemeralPublicValueX, "TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X")
	ey := need(tee.AttrECCEphemeralPublicValueY, tee.AttrOPTEESM2KEPEphemeralPublicValueY, "TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y")
	idI := need(tee.AttrSM2IDInitiator, 0, "TEE_ATTR_SM2_ID_INITIATOR").Ref
	idR := need(tee.AttrSM2IDResponder, 0, "TEE_ATTR_SM2_ID_RESPONDER").Ref
	confIn, hasIn := p[tee.AttrSM2KEPConfirmationIn]
	confOut, hasOut := p[tee.AttrSM2KEPConfirmationOut]
	// OP-TEE: value a 0 is the initiator (user A), anything else the responder.
	initiator := user.A == 0

	if n <= 0 || n > maxDerivedBytes {
		return nil, tee.ErrBadParameters
	}
	peer, err := sm2ECDHPublic(px.Ref, py.Ref)
	if err != nil {
		return nil, err
	}
	peerEph, err := sm2ECDHPublic(ex.Ref, ey.Ref)
	if err != nil {
		return nil, err
	}
	// U; gmsm fails if it is the point at infinity, which OP-TEE reports as BAD_STATE.
	u, err := k.sm2.ecdh.SM2MQV(e.sm2.ecdh, peer, peerEph)
	if err != nil {
		return nil, tee.ErrBadState
	}
	own, ownEph := k.sm2.ecdh.PublicKey().Bytes()[1:], e.sm2.ecdh.PublicKey().Bytes()[1:]
	peerXY, peerEphXY := peer.Bytes()[1:], peerEph.Bytes()[1:]
	pubI, pubR, ephI, ephR := own, peerXY, ownEph, peerEphXY
	if !initiator {
		pubI, pubR, ephI, ephR = peerXY, own, peerEphXY, ownEph
	}
	zI, err := sm2Z(idI, pubI)
	if err != nil {
		return nil, err
	}
	zR, err := sm2Z(idR, pubR)
	if err != nil {
		return nil, err
	}
	uXY := u.Bytes()[1:]
	defer clear(uXY)
	// Step A8/B7: K = KDF(x_U || y_U || Z_A || Z_B, klen).
	z := append(append(append(make([]byte, 0, 128), uXY...), zI...), zR...)
	key := kdf.Kdf(sm3.New(), z, n)
	clear(z)

	confirm := func(flag byte) []byte {
		h := sm3.New()
		h.Write(uXY[:32])
		h.Write(zI)
		h.Write(zR)
		h.Write(ephI)
		h.Write(ephR)
		inner := h.Sum(nil)
		h.Reset()
		h.Write([]byte{flag})
		h.Write(uXY[32:])
		h.Write(inner)
		return h.Sum(nil)
	}
	// The initiator checks S_B (flag 2) and sends S_A (flag 3); the responder the other
	// way round. OP-TEE compares the first 32 bytes of the TA's buffer and fails a
	// mismatch with BAD_STATE.
	inFlag, outFlag := byte(0x03), byte(0x02)
	if initiator {
		inFlag, outFlag = 0x02, 0x03
	}
	if hasIn {
		if len(confIn.Ref) < sm3.Size {
			clear(key)
			return nil, tee.ErrBadParameters
		}
		if subtle.ConstantTimeCompare(confirm(inFlag), confIn.Ref[:sm3.Size]) != 1 {
			clear(key)
			return nil, tee.ErrBadState
		}
	}
	if hasOut {
		if len(confOut.Ref) < sm3.Size {
			clear(key)
			return nil, tee.ErrBadParameters
		}
		copy(confOut.Ref, confirm(outFlag))
	}
	return key, nil
}

// sm2ECDHPublic checks a peer's point as OP-TEE's sm2_kep_validate_public_key does
// (coordinates of at most 32 bytes, below p, on the curve, not the point at infinity):
// gmsm's NewPublicKey rejects anything else. A bad point is BAD_PARAMETERS.
func sm2ECDHPublic(x, y []byte) (*ecdh.PublicKey, error) {
	pt := sm2Point(x, y)
	if pt == nil {
		return nil, tee.ErrBadParameters
	}
	pub, err := ecdh.P256().NewPublicKey(pt)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return pub, nil
}

// sm2CurveBytes is a || b || x_G || y_G of the SM2 curve, which Z hashes.
var sm2CurveBytes = func() []byte {
	c := sm2.P256().Params()
	a := c.P.Bytes()
	a[len(a)-1] -= 3 // a = p - 3; p ends in ...ff, so no borrow
	out := make([]byte, 0, 128)
	for _, v := range [][]byte{a, c.B.Bytes(), c.Gx.Bytes(), c.Gy.Bytes()} {
		out = append(out, leftPad(v, 32)...)
	}
	return out
}()

// sm2Z is Z = SM3(ENTL || ID || a || b || x_G || y_G || x || y) (GB/T 32918.2 §5.5), with
// xy the 64-byte coordinates. ENTL is the ID's length in bits in two bytes, so an ID over
// 8191 bytes is BAD_PARAMETERS.
func sm2Z(id, xy []byte) ([]byte, error) {
	if len(id) > 0x1fff {
		return nil, tee.ErrBadParameters
	}
	h := sm3.New()
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(8*len(id))))
	h.Write(id)
	h.Write(sm2CurveBytes)
	h.Write(xy)
	return h.Sum(nil), nil
}
