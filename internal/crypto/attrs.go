package crypto

import (
	"math/big"

	"github.com/gotee/gotee/tee"
)

// This file is the object-type table the object system shares with the engine: which
// sizes a TEE_TYPE_* allows (TEE Internal Core API 1.3.1 Table 5-9) and which attributes
// make up each type (Table 5-10), in the shape OP-TEE's tee_svc_cryp.c gives them
// (tee_cryp_obj_props and its attribute lists), so TAs see the same checks.

// attrFlag describes one attribute of an object type.
type attrFlag uint8

const (
	attrRequired attrFlag = 1 << iota // mandatory in TEE_PopulateTransientObject
	attrOptGroup                      // optional, but all of the group or none
	attrSize                          // gives the object size (buffer bits, or the curve)
	attrGenReq                        // mandatory parameter of TEE_GenerateKey
	attrGenOpt                        // optional parameter of TEE_GenerateKey
	attrMaxBits                       // big integer no longer than maxObjectSize bits
)

type typeAttr struct {
	id    tee.AttributeID
	flags attrFlag
}

// objType is one row of the table: sizes are bits, multiples of quanta in [min, max].
type objType struct {
	quanta, min, max int
	attrs            []typeAttr
	secret           tee.AttributeID // the one secret attribute of a symmetric type
}

var (
	secretAttrs = []typeAttr{{tee.AttrSecretValue, attrRequired | attrSize}}
	rsaPubAttrs = []typeAttr{
		{tee.AttrRSAModulus, attrRequired | attrSize},
		{tee.AttrRSAPublicExponent, attrRequired},
	}
	rsaPairAttrs = []typeAttr{
		{tee.AttrRSAModulus, attrRequired | attrSize},
		{tee.AttrRSAPublicExponent, attrRequired | attrGenOpt},
		{tee.AttrRSAPrivateExponent, attrRequired},
		{tee.AttrRSAPrime1, attrOptGroup},
		{tee.AttrRSAPrime2, attrOptGroup},
		{tee.AttrRSAExponent1, attrOptGroup},
		{tee.AttrRSAExponent2, attrOptGroup},
		{tee.AttrRSACoefficient, attrOptGroup},
	}
	dsaPubAttrs = []typeAttr{
		{tee.AttrDSAPrime, attrRequired | attrMaxBits | attrSize},
		{tee.AttrDSASubprime, attrRequired},
		{tee.AttrDSABase, attrRequired | attrMaxBits},
		{tee.AttrDSAPublicValue, attrRequired | attrMaxBits},
	}
	dsaPairAttrs = []typeAttr{
		{tee.AttrDSAPrime, attrRequired | attrGenReq | attrMaxBits | attrSize},
		{tee.AttrDSASubprime, attrRequired | attrGenReq},
		{tee.AttrDSABase, attrRequired | attrGenReq | attrMaxBits},
		{tee.AttrDSAPrivateValue, attrRequired | attrMaxBits},
		{tee.AttrDSAPublicValue, attrRequired | attrMaxBits},
	}
	dhPairAttrs = []typeAttr{
		{tee.AttrDHPrime, attrRequired | attrSize | attrGenReq},
		{tee.AttrDHBase, attrRequired | attrGenReq},
		{tee.AttrDHPublicValue, attrRequired},
		{tee.AttrDHPrivateValue, attrRequired},
		{tee.AttrDHSubprime, attrOptGroup | attrGenOpt},
		{tee.AttrDHXBits, attrGenOpt},
	}
	eccPubAttrs = []typeAttr{
		{tee.AttrECCPublicValueX, attrRequired},
		{tee.AttrECCPublicValueY, attrRequired},
		{tee.AttrECCCurve, attrRequired | attrSize},
	}
	eccPairAttrs = []typeAttr{
		{tee.AttrECCPrivateValue, attrRequired},
		{tee.AttrECCPublicValueX, attrRequired},
		{tee.AttrECCPublicValueY, attrRequired},
		{tee.AttrECCCurve, attrRequired | attrSize | attrGenReq},
	}
	sm2PubAttrs = []typeAttr{
		{tee.AttrECCPublicValueX, attrRequired},
		{tee.AttrECCPublicValueY, attrRequired},
	}
	sm2PairAttrs = []typeAttr{
		{tee.AttrECCPrivateValue, attrRequired},
		{tee.AttrECCPublicValueX, attrRequired},
		{tee.AttrECCPublicValueY, attrRequired},
	}
	x25519PubAttrs  = []typeAttr{{tee.AttrX25519PublicValue, attrRequired}}
	x25519PairAttrs = []typeAttr{
		{tee.AttrX25519PrivateValue, attrRequired},
		{tee.AttrX25519PublicValue, attrRequired},
	}
	ed25519PubAttrs  = []typeAttr{{tee.AttrEd25519PublicValue, attrRequired}}
	ed25519PairAttrs = []typeAttr{
		{tee.AttrEd25519PrivateValue, attrRequired},
		{tee.AttrEd25519PublicValue, attrRequired},
	}
	x448PubAttrs  = []typeAttr{{tee.AttrX448PublicValue, attrRequired}}
	x448PairAttrs = []typeAttr{
		{tee.AttrX448PrivateValue, attrRequired},
		{tee.AttrX448PublicValue, attrRequired},
	}
	ed448PubAttrs  = []typeAttr{{tee.AttrEd448PublicValue, attrRequired}}
	ed448PairAttrs = []typeAttr{
		{tee.AttrEd448PrivateValue, attrRequired},
		{tee.AttrEd448PublicValue, attrRequired},
	}
)

func secretType(quanta, min, max int) *objType {
	return &objType{quanta: quanta, min: min, max: max, attrs: secretAttrs, secret: tee.AttrSecretValue}
}

func kdfSecretType(id tee.AttributeID) *objType {
	return &objType{quanta: 8, min: 0, max: 4096, attrs: []typeAttr{{id, attrRequired | attrSize}}, secret: id}
}

// maxBignumBits is CFG_CORE_BIGNUM_MAX_BITS in OP-TEE's default configuration.
const maxBignumBits = 4096

var objTypes = map[tee.ObjectType]*objType{
	tee.TypeAES:            secretType(64, 128, 256),
	tee.TypeDES:            secretType(64, 64, 64),
	tee.TypeDES3:           secretType(64, 128, 192),
	tee.TypeSM4:            secretType(128, 128, 128),
	tee.TypeHMACMD5:        secretType(8, 64, 512),
	tee.TypeHMACSHA1:       secretType(8, 80, 512),
	tee.TypeHMACSHA224:     secretType(8, 112, 512),
	tee.TypeHMACSHA256:     secretType(8, 192, 1024),
	tee.TypeHMACSHA384:     secretType(8, 256, 1024),
	tee.TypeHMACSHA512:     secretType(8, 256, 1024),
	tee.TypeHMACSHA3_224:   secretType(8, 192, 1024),
	tee.TypeHMACSHA3_256:   secretType(8, 256, 1024),
	tee.TypeHMACSHA3_384:   secretType(8, 256, 1024),
	tee.TypeHMACSHA3_512:   secretType(8, 256, 1024),
	tee.TypeHMACSM3:        secretType(8, 80, 1024),
	tee.TypeGenericSecret:  secretType(8, 0, 4096),
	tee.TypeHKDF:           secretType(8, 0, 4096),
	tee.TypeHKDFIKM:        kdfSecretType(tee.AttrHKDFIKM),
	tee.TypeConcatKDFZ:     kdfSecretType(tee.AttrConcatKDFZ),
	tee.TypePBKDF2Password: kdfSecretType(tee.AttrPBKDF2Password),

	tee.TypeRSAPublicKey:     {quanta: 1, min: 256, max: maxBignumBits, attrs: rsaPubAttrs},
	tee.TypeRSAKeypair:       {quanta: 1, min: 256, max: maxBignumBits, attrs: rsaPairAttrs},
	tee.TypeDSAPublicKey:     {quanta: 64, min: 512, max: 3072, attrs: dsaPubAttrs},
	tee.TypeDSAKeypair:       {quanta: 64, min: 512, max: 3072, attrs: dsaPairAttrs},
	tee.TypeDHKeypair:        {quanta: 1, min: 256, max: 2048, attrs: dhPairAttrs},
	tee.TypeECDSAPublicKey:   {quanta: 1, min: 192, max: 521, attrs: eccPubAttrs},
	tee.TypeECDSAKeypair:     {quanta: 1, min: 192, max: 521, attrs: eccPairAttrs},
	tee.TypeECDHPublicKey:    {quanta: 1, min: 192, max: 521, attrs: eccPubAttrs},
	tee.TypeECDHKeypair:      {quanta: 1, min: 192, max: 521, attrs: eccPairAttrs},
	tee.TypeSM2DSAPublicKey:  {quanta: 1, min: 256, max: 256, attrs: sm2PubAttrs},
	tee.TypeSM2DSAKeypair:    {quanta: 1, min: 256, max: 256, attrs: sm2PairAttrs},
	tee.TypeSM2PKEPublicKey:  {quanta: 1, min: 256, max: 256, attrs: sm2PubAttrs},
	tee.TypeSM2PKEKeypair:    {quanta: 1, min: 256, max: 256, attrs: sm2PairAttrs},
	tee.TypeSM2KEPPublicKey:  {quanta: 1, min: 256, max: 256, attrs: sm2PubAttrs},
	tee.TypeSM2KEPKeypair:    {quanta: 1, min: 256, max: 256, attrs: sm2PairAttrs},
	tee.TypeX25519PublicKey:  {quanta: 1, min: 256, max: 256, attrs: x25519PubAttrs},
	tee.TypeX25519Keypair:    {quanta: 1, min: 256, max: 256, attrs: x25519PairAttrs},
	tee.TypeEd25519PublicKey: {quanta: 1, min: 256, max: 256, attrs: ed25519PubAttrs},
	tee.TypeEd25519Keypair:   {quanta: 1, min: 256, max: 256, attrs: ed25519PairAttrs},
	tee.TypeX448PublicKey:    {quanta: 1, min: 448, max: 448, attrs: x448PubAttrs},
	tee.TypeX448Keypair:      {quanta: 1, min: 448, max: 448, attrs: x448PairAttrs},
	// Ed448: 448 or 456 bits (see ed448.go); a populated object is 448.
	tee.TypeEd448PublicKey: {quanta: 8, min: ed448Bits, max: ed448AltBits, attrs: ed448PubAttrs},
	tee.TypeEd448Keypair:   {quanta: 8, min: ed448Bits, max: ed448AltBits, attrs: ed448PairAttrs},
}

// ValidObjectSize reports whether bits is an object size GP allows for type t (TEE
// Internal Core API 1.3.1 Table 5-9, with OP-TEE's ranges: RSA 256..4096 bits, DSA
// 512..3072 in steps of 64, DH 256..2048, ECDSA and ECDH 192..521, SM2, Ed25519 and
// X25519 256, X448 448, Ed448 448 or 456, the secret types up to 4096 bits in whole
// bytes). TEE_AllocateTransientObject checks its maxObjectSize with it, TEE_GenerateKey
// its keySize. Unknown types and TEE_TYPE_DATA report false.
func ValidObjectSize(t tee.ObjectType, bits int) bool {
	ot, ok := objTypes[t]
	return ok && bits >= ot.min && bits <= ot.max && bits%ot.quanta == 0
}

// validKeySize is ValidObjectSize under the name the symmetric engines and their tests use.
func validKeySize(t tee.ObjectType, bits int) bool { return ValidObjectSize(t, bits) }

func (ot *objType) find(id tee.AttributeID) (int, bool) {
	for i, a := range ot.attrs {
		if a.id == id {
			return i, true
		}
	}
	return 0, false
}

// CheckAttributes checks attrs the way TEE_PopulateTransientObject does for an object of
// type t and maximum size maxBits, and returns the object size in bits the attributes
// give (the secret's bits, the modulus or prime bits, or the curve's size).
//
// What GP makes a TEE_Panic panics with a *MisuseError carrying the code OP-TEE panics
// with: an attribute foreign to the type, repeated, or a mandatory one missing, or only
// part of an all-or-nothing group (such as the RSA CRT values) — ITEM_NOT_FOUND; a key
// larger than maxBits — BAD_STATE; an unknown curve — NOT_SUPPORTED; an unknown type —
// NOT_IMPLEMENTED. What TEE_PopulateTransientObject returns is returned as an error:
// tee.ErrBadParameters for a size the type does not allow, a curve that does not fit the
// type, or key material that is not a valid key (an RSA key whose values disagree, an
// ECC point off its curve, a private value that does not give the public one, a
// Curve25519 or Curve448 value of the wrong length).
func CheckAttributes(t tee.ObjectType, maxBits int, attrs []tee.Attribute) (bits int, err error) {
	const fn = "TEE_PopulateTransientObject"
	ot, ok := objTypes[t]
	if !ok {
		misuseCode(tee.ErrNotImplemented, fn, "object type 0x%08x cannot be populated", uint32(t))
	}
	var found uint32
	for _, a := range attrs {
		i, ok := ot.find(a.ID)
		if !ok {
			misuseCode(tee.ErrItemNotFound, fn, "attribute 0x%08x does not belong to type 0x%08x", uint32(a.ID), uint32(t))
		}
		if found&(1<<i) != 0 {
			misuseCode(tee.ErrItemNotFound, fn, "attribute 0x%08x given twice", uint32(a.ID))
		}
		if ot.attrs[i].flags&(attrRequired|attrOptGroup) == 0 {
			misuseCode(tee.ErrItemNotFound, fn, "attribute 0x%08x is a key generation parameter only", uint32(a.ID))
		}
		found |= 1 << i
	}
	var req, grp uint32
	for i, a := range ot.attrs {
		switch {
		case a.flags&attrRequired != 0:
			req |= 1 << i
		case a.flags&attrOptGroup != 0:
			grp |= 1 << i
		}
	}
	if found&req != req {
		misuseCode(tee.ErrItemNotFound, fn, "a mandatory attribute of type 0x%08x is missing", uint32(t))
	}
	if g := found & grp; g != 0 && g != grp {
		misuseCode(tee.ErrItemNotFound, fn, "only part of an all-or-nothing attribute group is given")
	}

	// Sizes: the size indicator decides the object size, as in OP-TEE.
	for _, a := range attrs {
		i, _ := ot.find(a.ID)
		f := ot.attrs[i].flags
		if f&attrSize != 0 {
			if a.ID == tee.AttrECCCurve {
				c, ok := curves[tee.Element(a.A)]
				if !ok {
					misuseCode(tee.ErrNotSupported, fn, "unknown ECC curve 0x%x", a.A)
				}
				bits = c.bits
			} else {
				// Secrets count whole bytes (GP); moduli and primes their bits.
				bits = bigBits(a.Ref)
				if ot.secret != 0 {
					bits = 8 * len(a.Ref)
				}
			}
			if bits > maxBits {
				misuseCode(tee.ErrBadState, fn, "key of %d bits exceeds the object's maximum %d", bits, maxBits)
			}
			if !ValidObjectSize(t, bits) {
				return 0, tee.ErrBadParameters
			}
		}
		if f&attrMaxBits != 0 && bigBits(a.Ref) > maxBits {
			misuseCode(tee.ErrBadState, fn, "attribute 0x%08x exceeds the object's maximum of %d bits", uint32(a.ID), maxBits)
		}
	}
	if bits == 0 {
		bits = fixedBits(t) // types whose size no attribute states (SM2, 25519, 448)
	}
	if ot.secret == 0 {
		if _, err := parseAsymKey(&Key{Type: t, Size: bits, Attrs: attrs}); err != nil {
			return 0, tee.ErrBadParameters
		}
	}
	return bits, nil
}

// fixedBits is the size of the types whose size no attribute states: their smallest
// (and, but for Ed448, only) size.
func fixedBits(t tee.ObjectType) int {
	if ot, ok := objTypes[t]; ok && ot.secret == 0 {
		return ot.min
	}
	return 0
}

// bigBits is the bit length of a big-endian unsigned integer.
func bigBits(b []byte) int { return new(big.Int).SetBytes(b).BitLen() }

// attr returns the attribute with the given ID.
func attr(attrs []tee.Attribute, id tee.AttributeID) (tee.Attribute, bool) {
	for _, a := range attrs {
		if a.ID == id {
			return a, true
		}
	}
	return tee.Attribute{}, false
}

// attrBig returns a buffer attribute as a big integer, nil if absent.
func attrBig(attrs []tee.Attribute, id tee.AttributeID) *big.Int {
	a, ok := attr(attrs, id)
	if !ok {
		return nil
	}
	return new(big.Int).SetBytes(a.Ref)
}

// bigAttr encodes n as GP does: big-endian, no leading zero bytes (OP-TEE's bn2bin).
func bigAttr(id tee.AttributeID, n *big.Int) tee.Attribute {
	b := n.Bytes()
	if b == nil {
		b = []byte{}
	}
	return tee.Attribute{ID: id, Ref: b}
}

// leftPad returns b as exactly n bytes, or nil if it does not fit.
func leftPad(b []byte, n int) []byte {
	for len(b) > n && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > n {
		return nil
	}
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out
}
