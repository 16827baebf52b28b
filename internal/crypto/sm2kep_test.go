package crypto

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/gotee/gotee/tee"
)

// The examples of GM/T 0003.5-2012 (SM2 Part 5: parameter definition), annexes A.2
// (signature), B.2 (key exchange) and C.2 (encryption), on the recommended 256-bit
// curve: the values OP-TEE's xtest 4006, 4013 and 4014 use (optee_test
// host/xtest/regression_4000_data.h, gmt_003_part5_*).
const (
	// Annex A.2 and C.2 share the key pair (d_A of A.2 is d_B of C.2).
	gmtD = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
	gmtX = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
	gmtY = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"

	// Annex B.2: user A is the initiator, B the responder; both IDs are "1234567812345678".
	kepDA  = "81EB26E941BB5AF16DF116495F90695272AE2CD63D6C4AE1678418BE48230029"
	kepXA  = "160E12897DF4EDB61DD812FEB96748FBD3CCF4FFE26AA6F6DB9540AF49C94232"
	kepYA  = "4A7DAD08BB9A459531694BEB20AA489D6649975E1BFCF8C4741B78B4B223007F"
	kepRA  = "D4DE15474DB74D06491C440D305E012400990F3E390C7E87153C12DB2EA60BB3"
	kepX1  = "64CED1BDBC99D590049B434D0FD73428CF608A5DB8FE5CE07F15026940BAE40E"
	kepY1  = "376629C7AB21E7DB260922499DDB118F07CE8EAAE3E7720AFEF6A5CC062070C0"
	kepDB  = "785129917D45A9EA5437A59356B82338EAADDA6CEB199088F14AE10DEFA229B5"
	kepXB  = "6AE848C57C53C7B1B5FA99EB2286AF078BA64C64591B8B566F7357D576F16DFB"
	kepYB  = "EE489D771621A27B36C5C7992062E9CD09A9264386F3FBEA54DFF69305621C4D"
	kepRB  = "7E07124814B309489125EAED101113164EBF0F3458C5BD88335C1F9D596243D6"
	kepX2  = "ACC27688A6F7B706098BC91FF3AD1BFF7DC2802CDB14CCCCDB0A90471F9BD707"
	kepY2  = "2FEDAC0494B2FFC4D6853876C79B8F301C6573AD0AA50F39FC87181E1A1B46FE"
	kepSA  = "18C7894B3816DF16CF07B05C5EC0BEF5D655D58F779CC1B400A4F3884644DB88" // S_2
	kepSB  = "D3A0FE15DEE185CEAE907A6B595CC32A266ED7B3367E9983A896DC32FA20F8EB" // S_1
	kepKey = "6C89347354DE2484C60B4AB1FDE4C6E5"
	kepID  = "31323334353637383132333435363738"
)

func sm2KEPKey(tb testing.TB, d, x, y string) *Key {
	tb.Helper()
	return populated(tb, tee.TypeSM2KEPKeypair, []tee.Attribute{
		{ID: tee.AttrECCPrivateValue, Ref: unhex(tb, d)},
		{ID: tee.AttrECCPublicValueX, Ref: unhex(tb, x)},
		{ID: tee.AttrECCPublicValueY, Ref: unhex(tb, y)},
	})
}

func sm2KEPOp(tb testing.TB, static, eph *Key) *Operation {
	tb.Helper()
	op := alloc(tb, tee.AlgSM2KEP, tee.ModeDerive, 512)
	if err := op.SetKey2(static, eph); err != nil {
		tb.Fatal(err)
	}
	return op
}

// kepParams are one side's TEE_DeriveKey params: its role, the peer's static and
// ephemeral points, the IDs and the confirmations.
func kepParams(tb testing.TB, responder bool, px, py, ex, ey string, confIn, confOut []byte) []tee.Attribute {
	tb.Helper()
	var role uint32
	if responder {
		role = 1
	}
	p := []tee.Attribute{
		{ID: tee.AttrSM2KEPUser, A: role},
		{ID: tee.AttrECCPublicValueX, Ref: unhex(tb, px)},
		{ID: tee.AttrECCPublicValueY, Ref: unhex(tb, py)},
		{ID: tee.AttrECCEphemeralPublicValueX, Ref: unhex(tb, ex)},
		{ID: tee.AttrECCEphemeralPublicValueY, Ref: unhex(tb, ey)},
		{ID: tee.AttrSM2IDInitiator, Ref: unhex(tb, kepID)},
		{ID: tee.AttrSM2IDResponder, Ref: unhex(tb, kepID)},
	}
	if confIn != nil {
		p = append(p, tee.Attribute{ID: tee.AttrSM2KEPConfirmationIn, Ref: confIn})
	}
	if confOut != nil {
		p = append(p, tee.Attribute{ID: tee.AttrSM2KEPConfirmationOut, Ref: confOut})
	}
	return p
}

func TestSM2KEPGMT0003(t *testing.T) {
	a := sm2KEPOp(t, sm2KEPKey(t, kepDA, kepXA, kepYA), sm2KEPKey(t, kepRA, kepX1, kepY1))
	b := sm2KEPOp(t, sm2KEPKey(t, kepDB, kepXB, kepYB), sm2KEPKey(t, kepRB, kepX2, kepY2))
	want := unhex(t, kepKey)

	// Initiator: checks S_B, gives S_A.
	sa := make([]byte, 32)
	k, err := a.DeriveKeySized(kepParams(t, false, kepXB, kepYB, kepX2, kepY2, unhex(t, kepSB), sa), len(want))
	if err != nil || !bytes.Equal(k, want) || !bytes.Equal(sa, unhex(t, kepSA)) {
		t.Fatalf("initiator: K %x, S_A %x, %v", k, sa, err)
	}
	// Responder: checks S_A, gives S_B.
	sb := make([]byte, 40) // longer is fine; 32 bytes are written
	k, err = b.DeriveKeySized(kepParams(t, true, kepXA, kepYA, kepX1, kepY1, unhex(t, kepSA), sb), len(want))
	if err != nil || !bytes.Equal(k, want) || !bytes.Equal(sb[:32], unhex(t, kepSB)) || !bytes.Equal(sb[32:], make([]byte, 8)) {
		t.Fatalf("responder: K %x, S_B %x, %v", k, sb, err)
	}
	// Any nonzero role is the responder (OP-TEE), and confirmations are optional.
	p := kepParams(t, true, kepXA, kepYA, kepX1, kepY1, nil, nil)
	p[0].A = 7
	if k, err := b.DeriveKeySized(p, len(want)); err != nil || !bytes.Equal(k, want) {
		t.Fatalf("role 7: %x, %v", k, err)
	}
	// OP-TEE's first IDs for the ephemeral point work as GP's do.
	p = kepParams(t, true, kepXA, kepYA, kepX1, kepY1, nil, nil)
	p[3].ID, p[4].ID = tee.AttrOPTEESM2KEPEphemeralPublicValueX, tee.AttrOPTEESM2KEPEphemeralPublicValueY
	if k, err := b.DeriveKeySized(p, len(want)); err != nil || !bytes.Equal(k, want) {
		t.Fatalf("OP-TEE's ephemeral IDs: %x, %v", k, err)
	}
	// KDF output is a prefix-consistent stream.
	if k, err := a.DeriveKeySized(kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, nil), 100); err != nil || !bytes.Equal(k[:16], want) {
		t.Fatalf("100 bytes: %x, %v", k, err)
	}

	// A wrong confirmation fails as in OP-TEE: TEE_ERROR_BAD_STATE, no output written.
	bad := unhex(t, kepSB)
	bad[31] ^= 1
	out := make([]byte, 32)
	if k, err := a.DeriveKeySized(kepParams(t, false, kepXB, kepYB, kepX2, kepY2, bad, out), 16); !isResult(err, tee.ErrBadState) || k != nil || !bytes.Equal(out, make([]byte, 32)) {
		t.Fatalf("wrong S_B: %x, %v, out %x", k, err, out)
	}
	// The initiator's own S_A is not the S_B it expects (the flags differ).
	if _, err := a.DeriveKeySized(kepParams(t, false, kepXB, kepYB, kepX2, kepY2, unhex(t, kepSA), nil), 16); !isResult(err, tee.ErrBadState) {
		t.Fatalf("S_A as S_B: %v", err)
	}
	// Swapped roles, or other IDs, derive another key.
	if k, err := a.DeriveKeySized(kepParams(t, true, kepXB, kepYB, kepX2, kepY2, nil, nil), 16); err != nil || bytes.Equal(k, want) {
		t.Fatalf("wrong role: %x, %v", k, err)
	}
	for name, tc := range map[string]struct {
		p    []tee.Attribute
		size int
		err  tee.Result
	}{
		"short confirmation in":  {kepParams(t, false, kepXB, kepYB, kepX2, kepY2, unhex(t, kepSB)[:31], nil), 16, tee.ErrBadParameters},
		"short confirmation out": {kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, make([]byte, 31)), 16, tee.ErrBadParameters},
		"peer off the curve":     {kepParams(t, false, kepXB, kepXB, kepX2, kepY2, nil, nil), 16, tee.ErrBadParameters},
		"ephemeral off curve":    {kepParams(t, false, kepXB, kepYB, kepX2, kepX2, nil, nil), 16, tee.ErrBadParameters},
		"size 513":               {kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, nil), 513, tee.ErrBadParameters},
		"size -1":                {kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, nil), -1, tee.ErrBadParameters},
	} {
		if _, err := a.DeriveKeySized(tc.p, tc.size); !isResult(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
	if info := a.InfoMultiple(); len(info.Keys) != 2 || info.Keys[1].KeySize != 256 || info.HandleState != tee.FlagKeySet|tee.FlagExpectTwoKeys {
		t.Errorf("info %+v", info)
	}
	cp := alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512)
	Copy(cp, a)
	a.Free()
	if k, err := cp.DeriveKeySized(kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, nil), 16); err != nil || !bytes.Equal(k, want) {
		t.Fatalf("copy: %x, %v", k, err)
	}
}

func TestSM2KEPRoundTrip(t *testing.T) {
	gen := func() *Key { return generated(t, tee.TypeSM2KEPKeypair, 256) }
	sA, eA, sB, eB := gen(), gen(), gen(), gen()
	pt := func(k *Key) (string, string) {
		x, _ := attr(k.Attrs, tee.AttrECCPublicValueX)
		y, _ := attr(k.Attrs, tee.AttrECCPublicValueY)
		return hex.EncodeToString(leftPad(x.Ref, 32)), hex.EncodeToString(leftPad(y.Ref, 32))
	}
	xA, yA := pt(sA)
	x1, y1 := pt(eA)
	xB, yB := pt(sB)
	x2, y2 := pt(eB)
	// B answers first (as in the protocol, B sends S_B with R_B), then A checks it.
	sb, sa := make([]byte, 32), make([]byte, 32)
	kB, err := sm2KEPOp(t, sB, eB).DeriveKeySized(kepParams(t, true, xA, yA, x1, y1, nil, sb), 32)
	if err != nil {
		t.Fatal(err)
	}
	kA, err := sm2KEPOp(t, sA, eA).DeriveKeySized(kepParams(t, false, xB, yB, x2, y2, sb, sa), 32)
	if err != nil || !bytes.Equal(kA, kB) {
		t.Fatalf("A: %x vs B %x, %v", kA, kB, err)
	}
	// B checks S_A.
	if _, err := sm2KEPOp(t, sB, eB).DeriveKeySized(kepParams(t, true, xA, yA, x1, y1, sa, nil), 32); err != nil {
		t.Fatal(err)
	}
	// Empty IDs are hashed as given (ENTL 0), not replaced by a default.
	empty := func(p []tee.Attribute) []tee.Attribute {
		p[5].Ref, p[6].Ref = nil, nil
		return p
	}
	kA0, err := sm2KEPOp(t, sA, eA).DeriveKeySized(empty(kepParams(t, false, xB, yB, x2, y2, nil, nil)), 32)
	kB0, err2 := sm2KEPOp(t, sB, eB).DeriveKeySized(empty(kepParams(t, true, xA, yA, x1, y1, nil, nil)), 32)
	if err != nil || err2 != nil || !bytes.Equal(kA0, kB0) || bytes.Equal(kA0, kA) {
		t.Fatalf("empty IDs: %x, %x, %v, %v", kA0, kB0, err, err2)
	}
}

func TestSM2KEPMisuse(t *testing.T) {
	static, eph := sm2KEPKey(t, kepDA, kepXA, kepYA), sm2KEPKey(t, kepRA, kepX1, kepY1)
	op := sm2KEPOp(t, static, eph)
	full := kepParams(t, false, kepXB, kepYB, kepX2, kepY2, nil, nil)
	without := func(i int) []tee.Attribute { return append(append([]tee.Attribute{}, full[:i]...), full[i+1:]...) }
	for name, f := range map[string]func(){
		"DeriveKey without a size": func() { op.DeriveKey(full) },
		"missing role":             func() { op.DeriveKeySized(without(0), 16) },
		"missing peer x":           func() { op.DeriveKeySized(without(1), 16) },
		"missing ephemeral y":      func() { op.DeriveKeySized(without(4), 16) },
		"missing initiator ID":     func() { op.DeriveKeySized(without(5), 16) },
		"missing responder ID":     func() { op.DeriveKeySized(without(6), 16) },
		"ephemeral x twice": func() {
			op.DeriveKeySized(append(full[:len(full):len(full)], tee.Attribute{ID: tee.AttrOPTEESM2KEPEphemeralPublicValueX, Ref: full[3].Ref}), 16)
		},
		"foreign parameter": func() {
			op.DeriveKeySized(append(full[:len(full):len(full)], tee.Attribute{ID: tee.AttrDHPublicValue}), 16)
		},
		"SetKey":       func() { alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512).SetKey(static) },
		"one key null": func() { alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512).SetKey2(static, nil) },
		"public ephemeral key": func() {
			alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512).SetKey2(static, publicPart(eph, tee.TypeSM2KEPPublicKey))
		},
		"DSA key pair": func() {
			alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512).SetKey2(static, generated(t, tee.TypeSM2DSAKeypair, 256))
		},
		"no key": func() { alloc(t, tee.AlgSM2KEP, tee.ModeDerive, 512).DeriveKeySized(full, 16) },
	} {
		t.Run(name, func(t *testing.T) { mustPanic(t, f) })
	}
	for _, max := range []int{256, 511, 1024} {
		if _, err := Allocate(tee.AlgSM2KEP, tee.ModeDerive, max); !isResult(err, tee.ErrNotSupported) {
			t.Errorf("Allocate(SM2_KEP, %d) = %v", max, err)
		}
	}
	if _, err := Allocate(tee.AlgSM2KEP, tee.ModeEncrypt, 512); !isResult(err, tee.ErrNotSupported) {
		t.Errorf("Allocate(SM2_KEP, ENCRYPT) = %v", err)
	}
	if err := IsAlgorithmSupported(tee.AlgSM2KEP, tee.CurveSM2); err != nil {
		t.Errorf("IsAlgorithmSupported(SM2_KEP, SM2) = %v", err)
	}
	if err := IsAlgorithmSupported(tee.AlgSM2KEP, tee.ElementNone); !isResult(err, tee.ErrNotSupported) {
		t.Errorf("IsAlgorithmSupported(SM2_KEP, NONE) = %v", err)
	}
}

// TestSM2GMT0003 checks SM2 signatures and encryption against GM/T 0003.5 annexes A.2
// and C.2: the published signature verifies over the published SM3(Z_A || M), and the
// published ciphertext (C1 || C2 || C3, as OP-TEE lays it out) decrypts.
func TestSM2GMT0003(t *testing.T) {
	za := unhex(t, "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
	msg := []byte("message digest")
	h := newSM3()
	h.Write(za)
	h.Write(msg)
	e := h.Sum(nil)
	sig := unhex(t, "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"+
		"B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")
	attrs := func(priv bool) []tee.Attribute {
		a := []tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: unhex(t, gmtX)}, {ID: tee.AttrECCPublicValueY, Ref: unhex(t, gmtY)}}
		if priv {
			a = append(a, tee.Attribute{ID: tee.AttrECCPrivateValue, Ref: unhex(t, gmtD)})
		}
		return a
	}
	pub := populated(t, tee.TypeSM2DSAPublicKey, attrs(false))
	v := keyed(t, tee.AlgSM2DSASM3, tee.ModeVerify, pub)
	if err := v.AsymmetricVerifyDigest(nil, e, sig); err != nil {
		t.Errorf("A.2 signature: %v", err)
	}
	sig[40] ^= 1
	if err := v.AsymmetricVerifyDigest(nil, e, sig); !isResult(err, tee.ErrSignatureInvalid) {
		t.Errorf("A.2 altered signature: %v", err)
	}

	ct := unhex(t, "04"+
		"04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"+
		"E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"+
		"21886CA989CA9C7D58087307CA93092D651EFA"+
		"59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766")
	pke := populated(t, tee.TypeSM2PKEKeypair, attrs(true))
	dec := keyed(t, tee.AlgSM2PKE, tee.ModeDecrypt, pke)
	pt := make([]byte, 64)
	n, err := dec.AsymmetricDecrypt(pt, nil, ct)
	if err != nil || string(pt[:n]) != "encryption standard" {
		t.Fatalf("C.2 decrypt: %q, %v", pt[:n], err)
	}
	// Our ciphertexts have the same layout: C3 last, over x2 || M || y2.
	enc := keyed(t, tee.AlgSM2PKE, tee.ModeEncrypt, publicPart(pke, tee.TypeSM2PKEPublicKey))
	out := make([]byte, 65+19+32)
	if _, err := enc.AsymmetricEncrypt(out, nil, pt[:n]); err != nil {
		t.Fatal(err)
	}
	if n, err := dec.AsymmetricDecrypt(pt, nil, out); err != nil || string(pt[:n]) != "encryption standard" {
		t.Fatalf("round trip: %q, %v", pt[:n], err)
	}
	// Compressed C1 is refused, as in OP-TEE.
	if _, err := dec.AsymmetricDecrypt(pt, nil, append([]byte{2}, ct[2:]...)); !isResult(err, tee.ErrBadParameters) {
		t.Errorf("compressed C1: %v", err)
	}
}
