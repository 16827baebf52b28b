package tacore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"strings"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// SoC key containers (SA_KEY_FORMAT_SOC): the key is AES-128-GCM encrypted under the
// third stage of the root key ladder (unique or common root key, inputs c1..c3 in the
// payload); the container's third part is the GCM tag, and the associated data binds
// every field that makes the key's type and rights.

const (
	socAlg             = "A128GCM"
	socMinVersion      = 4
	socRootTypeVersion = 5 // from this version the payload may name the root key
	socParamsSize      = 624
	gcmIVSize          = 12
)

// socKeyType is a container's "keyType": the key's type, size, subtype and curve.
type socKeyType struct {
	typ     uint8
	size    int
	subtype int
	curve   uint32
}

var socKeyTypes = map[string]socKeyType{
	"AES-128":      {protocol.KeyTypeSymmetric, 16, subtypeAES, 0},
	"AES-256":      {protocol.KeyTypeSymmetric, 32, subtypeAES, 0},
	"HMAC-128":     {protocol.KeyTypeSymmetric, 16, subtypeHMAC, 0},
	"HMAC-160":     {protocol.KeyTypeSymmetric, 20, subtypeHMAC, 0},
	"HMAC-256":     {protocol.KeyTypeSymmetric, 32, subtypeHMAC, 0},
	"CHACHA20-256": {protocol.KeyTypeSymmetric, 32, subtypeChaCha20, 0},
	"RSA-1024":     {protocol.KeyTypeRSA, 128, subtypePrivate, 0},
	"RSA-2048":     {protocol.KeyTypeRSA, 256, subtypePrivate, 0},
	"RSA-3072":     {protocol.KeyTypeRSA, 384, subtypePrivate, 0},
	"RSA-4096":     {protocol.KeyTypeRSA, 512, subtypePrivate, 0},
	"ECC-P192":     {protocol.KeyTypeEC, 24, subtypePrivate, protocol.CurveP192},
	"ECC-P224":     {protocol.KeyTypeEC, 28, subtypePrivate, protocol.CurveP224},
	"ECC-P256":     {protocol.KeyTypeEC, 32, subtypePrivate, protocol.CurveP256},
	"ECC-P384":     {protocol.KeyTypeEC, 48, subtypePrivate, protocol.CurveP384},
	"ECC-P521":     {protocol.KeyTypeEC, 66, subtypePrivate, protocol.CurveP521},
	"ECC-ED25519":  {protocol.KeyTypeEC, 32, subtypePrivate, protocol.CurveEd25519},
	"ECC-ED448":    {protocol.KeyTypeEC, 57, subtypePrivate, protocol.CurveEd448},
	"ECC-X25519":   {protocol.KeyTypeEC, 32, subtypePrivate, protocol.CurveX25519},
	"ECC-X448":     {protocol.KeyTypeEC, 56, subtypePrivate, protocol.CurveX448},
}

// socParams is sa_import_parameters_soc as the request carries it.
type socParams struct {
	present  bool
	length   uint32 // the struct's own big-endian length field
	version  uint32
	objectID uint64
}

// socPayload is what a payload says.
type socPayload struct {
	version        uint8
	rootType       string // "unique", "common" or "" (unique)
	keyType        string
	encrypted      []byte
	iv             []byte
	usage          uint8
	decryptedUsage uint8
	taIDs          []string
	c              [3][]byte
}

func parseSoCPayload(o jsonObject) (*socPayload, bool) {
	p := &socPayload{}
	if !o.has("containerVersion") {
		return nil, false
	}
	p.version = uint8(o.integer("containerVersion"))
	if p.version >= socRootTypeVersion && o.has("rootKeyType") {
		t, ok := o.str("rootKeyType")
		if !ok || t != "unique" && t != "common" {
			return nil, false
		}
		p.rootType = t
	}
	var ok bool
	if p.keyType, ok = o.str("keyType"); !ok {
		return nil, false
	}
	b64 := func(k string, url bool, n int) ([]byte, bool) {
		s, ok := o.str(k)
		if !ok {
			return nil, false
		}
		b, ok := decodeB64([]byte(s), url)
		return b, ok && (n < 0 || len(b) == n)
	}
	if p.encrypted, ok = b64("encryptedKey", false, -1); !ok {
		return nil, false
	}
	if p.iv, ok = b64("iv", false, gcmIVSize); !ok {
		return nil, false
	}
	if !o.has("keyUsage") {
		return nil, false
	}
	p.usage = uint8(o.integer("keyUsage"))
	if p.usage == usageKeyOnly {
		p.decryptedUsage = uint8(o.integer("decryptedKeyUsage"))
	}
	if o.has("entitledTaIds") {
		ids, ok := o.strings("entitledTaIds")
		if !ok {
			return nil, false
		}
		for _, id := range ids {
			if len(id) != uuidTextLen {
				return nil, false
			}
		}
		p.taIDs = ids
	}
	// c2 is read with either base64 alphabet, as the reference reads it.
	for i, k := range []string{"c1", "c2", "c3"} {
		if p.c[i], ok = b64(k, i == 1, aes.BlockSize); !ok {
			return nil, false
		}
	}
	return p, true
}

// aad is the associated data the tag covers; ok false where the reference's builder
// refuses the container.
func (p *socPayload) aad(alg string) ([]byte, bool) {
	if alg != socAlg || p.version < socMinVersion || p.keyType == "" {
		return nil, false
	}
	if p.usage == 0 || p.usage > usageSoCDataAndKey {
		return nil, false
	}
	if p.usage == usageKeyOnly && strings.HasPrefix(p.keyType, "HMAC-") {
		return nil, false
	}
	if p.usage == usageKeyOnly && (p.decryptedUsage == 0 || p.decryptedUsage > usageSoCDataAndKey) {
		return nil, false
	}
	if len(p.taIDs) > protocol.MaxAllowedTAs {
		return nil, false
	}
	a := append([]byte(alg), p.version)
	if p.version >= socRootTypeVersion {
		a = append(a, p.rootType...)
	}
	a = append(a, p.keyType...)
	a = append(a, p.usage)
	if p.usage == usageKeyOnly {
		a = append(a, p.decryptedUsage)
	}
	a = append(a, p.iv...)
	for _, c := range p.c {
		a = append(a, c...)
	}
	for _, id := range p.taIDs {
		a = append(a, strings.ToLower(id)...)
	}
	return a, true
}

// importSoC is KeyImport of SA_KEY_FORMAT_SOC; the request goes on with u32 has
// parameters, then u32 length (sa_import_parameters_soc's big-endian length field),
// u32 version, u64 object_id.
func (s *slot) importSoC(r *req_) error {
	var prm socParams
	prm.present = r.rd.U32() != 0
	prm.length, prm.version, prm.objectID = r.rd.U32(), r.rd.U32(), r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	hdr, plain, k, err := s.socOpen(append([]byte(nil), r.in...), &prm)
	if err != nil {
		return err
	}
	if k != nil {
		return s.storeAsym(r, hdr, k)
	}
	h, err := s.newKey(hdr, plain, nil)
	if err != nil {
		return err
	}
	return r.replyU64(h)
}

// socOpen checks and opens a SoC container: the key's header, and either its bytes
// (symmetric) or its parsed private key (RSA, EC; plain is nil then).
func (s *slot) socOpen(in []byte, prm *socParams) (protocol.Header, []byte, privateKey, error) {
	var hdr protocol.Header
	fail := func(err error) (protocol.Header, []byte, privateKey, error) { return hdr, nil, nil, err }
	if len(in) == 0 {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	c, ok := splitContainer(in)
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	ho, ok := parseJSONObject(c.header)
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	alg, ok := ho.str("alg")
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	po, ok := parseJSONObject(c.payload)
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	p, ok := parseSoCPayload(po)
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	aad, ok := p.aad(alg)
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	kt, ok := socKeyTypes[p.keyType]
	if !ok {
		return fail(protocol.StatusInvalidKeyFormat)
	}
	plain, err := s.socDecrypt(p, aad, c.mac)
	if err != nil {
		return fail(err)
	}
	defer clear(plain)
	rights, err := socRights(p, kt, prm)
	if err != nil {
		return fail(err)
	}
	hdr = protocol.Header{Rights: rights, Type: kt.typ, Size: uint16(kt.size)}
	switch kt.typ {
	case protocol.KeyTypeSymmetric:
		if len(plain) != kt.size {
			return fail(protocol.StatusInvalidKeyFormat)
		}
		return hdr, append([]byte(nil), plain...), nil, nil
	case protocol.KeyTypeRSA:
		k, err := x509.ParsePKCS8PrivateKey(append([]byte(nil), plain...))
		rk, ok := k.(*rsa.PrivateKey)
		if err != nil || !ok || rk.Size() != kt.size {
			return fail(protocol.StatusInvalidKeyFormat)
		}
		return hdr, nil, rk, nil
	default: // EC
		k, ok := parseEC(kt.curve, append([]byte(nil), plain...))
		if !ok {
			return fail(protocol.StatusInternalError) // as the reference, which leaves its status as it was
		}
		hdr.Curve = kt.curve
		return hdr, nil, k, nil
	}
}

// socDecrypt runs the three-stage ladder from the root key the payload names to the
// container key and opens the key with it.
func (s *slot) socDecrypt(p *socPayload, aad, tag []byte) ([]byte, error) {
	root := s.root.unique
	if p.rootType == "common" {
		root = s.root.common
	}
	k := append([]byte(nil), root...)
	for _, in := range p.c {
		b, err := aes.NewCipher(k)
		if err != nil {
			clear(k)
			return nil, protocol.StatusInternalError
		}
		next := make([]byte, aes.BlockSize)
		b.Decrypt(next, in)
		clear(k)
		k = next
	}
	defer clear(k)
	if len(tag) > aes.BlockSize || len(tag) < 12 {
		return nil, protocol.StatusInternalError
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	g, err := cipher.NewGCMWithTagSize(b, len(tag))
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	sealed := append(append([]byte(nil), p.encrypted...), tag...)
	plain, err := g.Open(nil, p.iv, sealed, aad)
	if err != nil {
		// The reference reports a container it cannot open as an internal error.
		return nil, protocol.StatusInternalError
	}
	return plain, nil
}

// socRights are a SoC key's rights: every output, cacheable, no time limit; key usage
// from the container; the id from the parameters' object_id.
func socRights(p *socPayload, kt socKeyType, prm *socParams) (protocol.Rights, error) {
	var r protocol.Rights
	if prm.present {
		if prm.length != socParamsSize || prm.version != 2 && prm.version != 3 {
			return r, protocol.StatusInvalidParameter
		}
		binary.BigEndian.PutUint64(r.ID[:8], prm.objectID)
	}
	r.NotOnOrAfter = ^uint64(0)
	r.Usage = 1<<protocol.UsageCacheable | protocol.UsageOutputProtectionsMask
	if !containerUsage(&r.Usage, int64(p.usage), kt.typ, kt.subtype) {
		return r, protocol.StatusInvalidKeyFormat
	}
	if p.usage == usageKeyOnly && !containerUsage(&r.ChildUsage, int64(p.decryptedUsage), kt.typ, kt.subtype) {
		return r, protocol.StatusInvalidKeyFormat
	}
	if len(p.taIDs) == 0 {
		r.AllowedTAs[0] = protocol.AllMatch
	}
	for i, id := range p.taIDs {
		u, ok := parseUUID(strings.ToLower(id))
		if !ok {
			return r, protocol.StatusInvalidKeyFormat
		}
		r.AllowedTAs[i] = u
	}
	return r, nil
}
