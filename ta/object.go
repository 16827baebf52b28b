package ta

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gotee/gotee/internal/crypto"
	"github.com/gotee/gotee/tee"
)

// Object is a TEE_ObjectHandle (Internal Core API §5): a transient object — a key or
// key pair that lives in the TA's memory until it is freed — or a persistent object
// opened from trusted storage, which adds a data stream to the same attributes.
//
// An object holds its attributes as GP defines them per object type; operations take
// their key from it ([Operation.SetKey]). GP makes most misuse of an object a panic —
// using a freed handle, populating an initialized object, reading a secret attribute
// of a non-extractable key — and so does this type.
//
// An Object belongs to the instance that made it and is not safe for concurrent use.
type Object struct {
	typ     tee.ObjectType
	maxBits int       // maxObjectSize; for persistent objects the object size
	bits    int       // objectSize: 0 until initialized
	usage   tee.Usage // objectUsage
	flags   uint32    // TEE_HANDLE_FLAG_* and, for persistent objects, TEE_DATA_FLAG_*
	attrs   []tee.Attribute
	pers    *persistent // nil for a transient object
	freed   bool
}

// TEE_HANDLE_FLAG_* values of ObjectInfo.HandleFlags.
const (
	handlePersistent  = 0x00010000
	handleInitialized = 0x00020000
)

// ObjectInfo is TEE_ObjectInfo (§5.5.1). Sizes are in bits, as GP counts them.
type ObjectInfo struct {
	Type         tee.ObjectType
	Size         int // objectSize: the key size, 0 while uninitialized
	MaxSize      int // maxObjectSize
	Usage        tee.Usage
	DataSize     int // bytes in a persistent object's data stream
	DataPosition int // the stream position of this handle
	HandleFlags  uint32
}

// misuse panics the way GP's TEE_Panic does for a programming error: the instance dies
// with the reason in teed's log.
func misuse(fn, format string, args ...any) {
	panic(&crypto.MisuseError{Op: fn, Reason: fmt.Sprintf(format, args...), Code: tee.ErrBadParameters})
}

// AllocateTransientObject allocates an uninitialized transient object of type t that
// can hold a key of up to maxBits bits (TEE_AllocateTransientObject). It returns
// tee.ErrNotSupported for a type this TEE does not implement or a size the type does
// not allow.
func AllocateTransientObject(t tee.ObjectType, maxBits int) (*Object, error) {
	if t == tee.TypeData || !crypto.ValidObjectSize(t, maxBits) {
		return nil, tee.ErrNotSupported
	}
	return &Object{typ: t, maxBits: maxBits, usage: tee.UsageAll}, nil
}

func (o *Object) check(fn string) {
	if o == nil || o.freed {
		misuse(fn, "invalid object handle")
	}
}

func (o *Object) checkTransient(fn string) {
	o.check(fn)
	if o.pers != nil {
		misuse(fn, "the object is persistent")
	}
}

func (o *Object) initialized() bool { return o.flags&handleInitialized != 0 }

func (o *Object) wipe() {
	for i := range o.attrs {
		clear(o.attrs[i].Ref)
	}
	o.attrs = nil
}

// Free releases a transient object and wipes its key material
// (TEE_FreeTransientObject). Free on nil does nothing, as GP does for TEE_HANDLE_NULL;
// a persistent object is closed with Close instead.
func (o *Object) Free() {
	if o == nil {
		return
	}
	o.checkTransient("TEE_FreeTransientObject")
	o.wipe()
	o.freed = true
}

// Reset returns a transient object to its state just after allocation: uninitialized,
// with every usage allowed (TEE_ResetTransientObject).
func (o *Object) Reset() {
	o.checkTransient("TEE_ResetTransientObject")
	o.wipe()
	o.bits = 0
	o.usage = tee.UsageAll
	o.flags &^= handleInitialized
}

// Populate initializes a transient object with attrs (TEE_PopulateTransientObject).
// The object must be uninitialized, and attrs must be exactly what GP lists for the
// object's type: a missing mandatory attribute, a foreign one, or a key larger than the
// object's maximum is a panic. The attribute buffers are copied.
func (o *Object) Populate(attrs ...tee.Attribute) error {
	const fn = "TEE_PopulateTransientObject"
	o.checkTransient(fn)
	if o.initialized() {
		misuse(fn, "the object is already initialized")
	}
	bits, err := crypto.CheckAttributes(o.typ, o.maxBits, attrs)
	if err != nil {
		return err
	}
	o.attrs = cloneAttrs(attrs)
	o.bits = bits
	o.flags |= handleInitialized
	return nil
}

func cloneAttrs(attrs []tee.Attribute) []tee.Attribute {
	out := make([]tee.Attribute, len(attrs))
	for i, a := range attrs {
		out[i] = tee.Attribute{ID: a.ID, A: a.A, B: a.B}
		if !a.ID.IsValue() {
			out[i].Ref = slices.Clone(a.Ref)
			if out[i].Ref == nil {
				out[i].Ref = []byte{}
			}
		}
	}
	return out
}

// GenerateKey generates a random key or key pair of bits bits into an uninitialized
// transient object (TEE_GenerateKey). params are the type's generation parameters:
// the curve for ECC keys, the domain for DSA and DH, optionally the public exponent for
// RSA. A size the type does not allow, or above the object's maximum, is a panic.
func (o *Object) GenerateKey(bits int, params ...tee.Attribute) error {
	const fn = "TEE_GenerateKey"
	o.checkTransient(fn)
	if o.initialized() {
		misuse(fn, "the object is already initialized")
	}
	if bits > o.maxBits || !crypto.ValidObjectSize(o.typ, bits) {
		misuse(fn, "key size %d is not allowed for %v (maximum %d)", bits, o.typ, o.maxBits)
	}
	attrs, err := crypto.GenerateKey(o.typ, bits, params)
	if errors.Is(err, tee.ErrNotSupported) {
		// TEE_GenerateKey may only fail with BAD_PARAMETERS; an unsupported key is
		// one of the panics GP lists.
		misuse(fn, "%v keys of %d bits are not supported: %v", o.typ, bits, err)
	}
	if err != nil {
		return err
	}
	o.attrs = attrs
	o.bits = bits
	o.flags |= handleInitialized
	return nil
}

// Info returns the object's TEE_ObjectInfo (TEE_GetObjectInfo1). For a persistent
// object the data size is the current one, which other handles may have changed.
func (o *Object) Info() (ObjectInfo, error) {
	o.check("TEE_GetObjectInfo1")
	info := ObjectInfo{
		Type:        o.typ,
		Size:        o.bits,
		MaxSize:     o.maxBits,
		Usage:       o.usage,
		HandleFlags: o.flags,
	}
	if o.pers != nil {
		size, err := o.pers.refresh(o)
		if err != nil {
			return info, err
		}
		info.Usage = o.usage
		info.DataSize, info.DataPosition = size, int(o.pers.pos)
		info.MaxSize = o.bits
	}
	return info, nil
}

// RestrictUsage removes from the object's usage every flag not in u
// (TEE_RestrictObjectUsage1): usage can only shrink. For a persistent object the
// restriction is stored with it.
func (o *Object) RestrictUsage(u tee.Usage) error {
	o.check("TEE_RestrictObjectUsage1")
	if o.pers != nil {
		return o.pers.restrictUsage(o, u)
	}
	o.usage &= u
	return nil
}

func (o *Object) attr(fn string, id tee.AttributeID, value bool) (*tee.Attribute, error) {
	o.check(fn)
	if !o.initialized() {
		misuse(fn, "the object is not initialized")
	}
	if id.IsValue() != value {
		misuse(fn, "attribute 0x%08x is of the other kind (value or buffer)", uint32(id))
	}
	if o.pers != nil && !id.IsPublic() {
		// Another handle may have made the key non-extractable since.
		if _, err := o.pers.refresh(o); err != nil {
			return nil, err
		}
	}
	if !id.IsPublic() && o.usage&tee.UsageExtractable == 0 {
		misuse(fn, "attribute 0x%08x is secret and the object is not extractable", uint32(id))
	}
	for i := range o.attrs {
		if o.attrs[i].ID == id {
			return &o.attrs[i], nil
		}
	}
	return nil, tee.ErrItemNotFound
}

// BufferAttribute copies the buffer attribute id into dst and returns its length
// (TEE_GetObjectBufferAttribute). With a dst too short it returns the length needed and
// tee.ErrShortBuffer; an attribute the object lacks is tee.ErrItemNotFound. Reading a
// secret attribute (one without tee.AttrFlagPublic) of an object whose usage lacks
// tee.UsageExtractable is a panic.
func (o *Object) BufferAttribute(id tee.AttributeID, dst []byte) (int, error) {
	a, err := o.attr("TEE_GetObjectBufferAttribute", id, false)
	if err != nil {
		return 0, err
	}
	if len(dst) < len(a.Ref) {
		return len(a.Ref), tee.ErrShortBuffer
	}
	return copy(dst, a.Ref), nil
}

// ValueAttribute returns the value attribute id (TEE_GetObjectValueAttribute), with
// the rules of BufferAttribute.
func (o *Object) ValueAttribute(id tee.AttributeID) (a, b uint32, err error) {
	at, err := o.attr("TEE_GetObjectValueAttribute", id, true)
	if err != nil {
		return 0, 0, err
	}
	return at.A, at.B, nil
}

// publicOf gives the public-key type that a key pair type's public half has.
var publicOf = map[tee.ObjectType]tee.ObjectType{
	tee.TypeRSAKeypair:     tee.TypeRSAPublicKey,
	tee.TypeDSAKeypair:     tee.TypeDSAPublicKey,
	tee.TypeECDSAKeypair:   tee.TypeECDSAPublicKey,
	tee.TypeECDHKeypair:    tee.TypeECDHPublicKey,
	tee.TypeEd25519Keypair: tee.TypeEd25519PublicKey,
	tee.TypeX25519Keypair:  tee.TypeX25519PublicKey,
	tee.TypeSM2DSAKeypair:  tee.TypeSM2DSAPublicKey,
	tee.TypeSM2KEPKeypair:  tee.TypeSM2KEPPublicKey,
	tee.TypeSM2PKEKeypair:  tee.TypeSM2PKEPublicKey,
	tee.TypeEd448Keypair:   tee.TypeEd448PublicKey,
	tee.TypeX448Keypair:    tee.TypeX448PublicKey,
}

// CopyObjectAttributes initializes the uninitialized transient object dst with the
// attributes of the initialized object src (TEE_CopyObjectAttributes1). Both must have
// the same type, or dst must be the public-key type of src's key pair, which copies
// only the public half. dst's usage is restricted to src's. Anything else is a panic.
func CopyObjectAttributes(dst, src *Object) error {
	const fn = "TEE_CopyObjectAttributes1"
	dst.checkTransient(fn)
	src.check(fn)
	if dst.initialized() {
		misuse(fn, "the destination is already initialized")
	}
	if !src.initialized() {
		misuse(fn, "the source is not initialized")
	}
	if src.bits > dst.maxBits {
		misuse(fn, "a %d-bit key does not fit an object of at most %d bits", src.bits, dst.maxBits)
	}
	var attrs []tee.Attribute
	switch {
	case dst.typ == src.typ:
		attrs = src.attrs
	case publicOf[src.typ] == dst.typ:
		for _, a := range src.attrs {
			if a.ID.IsPublic() {
				attrs = append(attrs, a)
			}
		}
	default:
		misuse(fn, "cannot copy a %v into a %v", src.typ, dst.typ)
	}
	dst.attrs = cloneAttrs(attrs)
	dst.bits = src.bits
	dst.usage &= src.usage
	dst.flags |= handleInitialized
	return nil
}

// OperationKey gives an operation the object's key material; it is what
// [Operation.SetKey] reads, and a TA does not call it. A persistent object whose key
// cannot be read any more reports that error here.
func (o *Object) OperationKey() (*crypto.Key, error) {
	o.check("TEE_SetOperationKey")
	if !o.initialized() {
		misuse("TEE_SetOperationKey", "the key object is not initialized")
	}
	if o.pers != nil {
		if _, err := o.pers.refresh(o); err != nil {
			return nil, err
		}
	}
	k := &crypto.Key{Type: o.typ, Size: o.bits, Usage: o.usage}
	for _, a := range o.attrs {
		if a.ID == tee.AttrSecretValue {
			k.Secret = a.Ref
		} else {
			k.Attrs = append(k.Attrs, a)
		}
	}
	return k, nil
}
