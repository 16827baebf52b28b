package tacore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// Type-J and SoC key containers (SecAPI 3.4.1's SA_KEY_FORMAT_TYPEJ and _SOC) are
// both JWS-like: base64url(header) "." base64url(JSON payload) "." base64url(mac or
// tag). This file has their common parsing and the Type-J format; import_soc.go has
// the SoC one.

// Key usages of the containers' "contentKeyUsage" / "keyUsage" fields.
const (
	usageTypeJDataAndKey = 0
	usageDataOnly        = 1
	usageKeyOnly         = 2
	usageSoCDataAndKey   = 3
)

// Type-J content key rights (the bytes of "contentKeyRights").
const (
	typejRightNotSet      = 0x00
	typejRightSVPRequired = 0x01
	typejRightDTCP        = 0x02
	typejRightHDCP14      = 0x03
	typejRightHDCP22      = 0x04
	typejRightAnalog      = 0x05
	typejRightCGMSA       = 0x08
)

// uuidTextLen is the length of a UUID's text form.
const uuidTextLen = 36

// container is a split container: the three base64 parts as they came (the MAC is
// over the first two) and their decoded bytes.
type container struct {
	headerB64, payloadB64 []byte
	header, payload, mac  []byte
}

// splitContainer splits at the first two dots and decodes each part as base64url.
func splitContainer(in []byte) (*container, bool) {
	h, rest, ok := bytes.Cut(in, []byte("."))
	if !ok || len(rest) == 0 {
		return nil, false
	}
	p, m, ok := bytes.Cut(rest, []byte("."))
	if !ok || len(m) == 0 {
		return nil, false
	}
	c := &container{headerB64: h, payloadB64: p}
	var okH, okP, okM bool
	c.header, okH = decodeB64(h, true)
	c.payload, okP = decodeB64(p, true)
	c.mac, okM = decodeB64(m, true)
	return c, okH && okP && okM
}

// decodeB64 decodes base64 as the reference does: url takes either alphabet and no
// padding needed; otherwise the standard alphabet, padded (or unpadded when the
// length says so).
func decodeB64(s []byte, url bool) ([]byte, bool) {
	if url {
		t := strings.Map(func(r rune) rune {
			switch r {
			case '-':
				return '+'
			case '_':
				return '/'
			}
			return r
		}, string(s))
		b, err := base64.RawStdEncoding.Strict().DecodeString(strings.TrimRight(t, "="))
		return b, err == nil
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.Strict().DecodeString(string(s))
	return b, err == nil
}

// jsonObject is a container's JSON object. As the reference's parser, a repeated
// field counts by its first occurrence, and a field of the wrong JSON type reads as
// absent (strings, arrays) or as 0 / false (integers, booleans).
type jsonObject map[string]json.RawMessage

func parseJSONObject(b []byte) (jsonObject, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	o := jsonObject{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, ok := t.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if _, dup := o[k]; !dup {
			o[k] = v
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); err == nil { // anything after the object
		return nil, false
	}
	return o, true
}

func (o jsonObject) has(k string) bool { _, ok := o[k]; return ok }

func (o jsonObject) str(k string) (string, bool) {
	v, ok := o[k]
	if !ok || len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func (o jsonObject) integer(k string) int64 {
	n, err := strconv.ParseInt(string(o[k]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func (o jsonObject) boolean(k string) bool { return string(o[k]) == "true" }

// strings reads an array field's string elements; a non-string element is "".
func (o jsonObject) strings(k string) ([]string, bool) {
	v, ok := o[k]
	if !ok || len(v) == 0 || v[0] != '[' {
		return nil, false
	}
	var raw []json.RawMessage
	if json.Unmarshal(v, &raw) != nil {
		return nil, false
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		json.Unmarshal(r, &out[i]) // a non-string stays "", which no check accepts
	}
	return out, true
}

// parseUUID reads a UUID's 36-character text form, hyphens where they are.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != uuidTextLen || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

// parseISO8601 reads "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch. Times before
// the epoch are refused except one second before it, which is how a time of
// 2^64 − 1 (no end) prints as a signed time_t: it reads back as 2^64 − 1.
func parseISO8601(s string) (uint64, bool) {
	if len(s) != 20 {
		return 0, false
	}
	t, err := time.Parse("2006-01-02T15:04:05Z", s)
	if err != nil {
		return 0, false
	}
	sec := t.Unix()
	if sec < 0 && sec != -1 {
		return 0, false
	}
	return uint64(sec), true
}

// Key subtypes, which decide what a container's usage means for a symmetric key.
const (
	subtypeAES = iota
	subtypeHMAC
	subtypeChaCha20
	subtypePrivate
)

// containerUsage sets the key usage bits of a container's key usage value (the
// reference's key_usage_to_usage_flags); the other bits are kept.
func containerUsage(usage *uint64, value int64, keyType uint8, subtype int) bool {
	const (
		kx     = 1 << protocol.UsageKeyExchange
		derive = 1 << protocol.UsageDerive
		unwrap = 1 << protocol.UsageUnwrap
		enc    = 1 << protocol.UsageEncrypt
		dec    = 1 << protocol.UsageDecrypt
		sign   = 1 << protocol.UsageSign
	)
	*usage &^= kx | derive | unwrap | enc | dec | sign
	exchange := keyType == protocol.KeyTypeDH || keyType == protocol.KeyTypeEC
	switch value {
	case usageTypeJDataAndKey, usageSoCDataAndKey:
		if exchange {
			*usage |= kx
		}
		*usage |= unwrap | dec | enc | sign | derive
	case usageDataOnly:
		if exchange {
			*usage |= kx
		}
		if subtype != subtypeHMAC {
			*usage |= dec | enc
		}
		*usage |= sign | derive
	case usageKeyOnly:
		*usage |= unwrap
	default:
		return false
	}
	return true
}

// typejRights are the rights of a Type-J payload.
func typejRights(o jsonObject) (protocol.Rights, error) {
	var r protocol.Rights
	id, ok := o.str("contentKeyId")
	if !ok || len(id) > len(r.ID)-1 {
		return r, protocol.StatusInvalidKeyFormat
	}
	copy(r.ID[:], id)

	rb64, ok := o.str("contentKeyRights")
	if !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	rb, ok := decodeB64([]byte(rb64), false)
	if !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	// Output protections start from "SVP optional, no outputs" and the rights add.
	r.Usage = 1 << protocol.UsageSVPOptional
	cgmsa, analog := false, false
	for _, b := range rb {
		switch b {
		case typejRightNotSet:
		case typejRightSVPRequired:
			r.Usage &^= 1 << protocol.UsageSVPOptional
		case typejRightDTCP:
			r.Usage |= 1 << protocol.UsageDigitalDTCP
		case typejRightHDCP14:
			r.Usage |= 1 << protocol.UsageDigitalHDCP14
		case typejRightHDCP22:
			r.Usage |= 1 << protocol.UsageDigitalHDCP22
		case typejRightAnalog:
			analog = true
			if cgmsa {
				r.Usage &^= 1 << protocol.UsageAnalogUnprotected
			} else {
				r.Usage |= 1 << protocol.UsageAnalogUnprotected
			}
			r.Usage |= 1 << protocol.UsageAnalogCGMSA
		case typejRightCGMSA:
			cgmsa = true
			if analog {
				r.Usage &^= 1 << protocol.UsageAnalogUnprotected
				r.Usage |= 1 << protocol.UsageAnalogCGMSA
			}
		default:
			return r, protocol.StatusInvalidKeyFormat
		}
	}
	if !o.has("contentKeyUsage") || !containerUsage(&r.Usage, o.integer("contentKeyUsage"), protocol.KeyTypeSymmetric, subtypeAES) {
		return r, protocol.StatusInvalidKeyFormat
	}
	nb, ok := o.str("contentKeyNotBefore")
	if !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	if r.NotBefore, ok = parseISO8601(nb); !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	na, ok := o.str("contentKeyNotOnOrAfter")
	if !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	if r.NotOnOrAfter, ok = parseISO8601(na); !ok {
		return r, protocol.StatusInvalidKeyFormat
	}
	if !o.has("contentKeyCacheable") {
		return r, protocol.StatusInvalidKeyFormat
	}
	if o.boolean("contentKeyCacheable") {
		r.Usage |= 1 << protocol.UsageCacheable
	}
	// Versions 1 and 2 say nothing of TAs, and a version 3 container without the
	// field allows every caller.
	if !o.has("entitledTaIds") {
		r.AllowedTAs[0] = protocol.AllMatch
		return r, nil
	}
	ids, ok := o.strings("entitledTaIds")
	if !ok || len(ids) > protocol.MaxAllowedTAs {
		return r, protocol.StatusInvalidKeyFormat
	}
	for i, s := range ids {
		u, ok := parseUUID(s)
		if !ok {
			return r, protocol.StatusInvalidKeyFormat
		}
		r.AllowedTAs[i] = u
	}
	return r, nil
}

// importTypeJ is KeyImport of SA_KEY_FORMAT_TYPEJ; the request goes on with u64
// kcipher, u64 khmac. The MAC key needs SIGN and an HMAC size, the cipher key UNWRAP
// and an AES size, and the caller must be allowed both, as the reference checks
// before it reads the container.
func (s *slot) importTypeJ(r *req_, now uint64) error {
	kcipher, khmac := r.rd.U64(), r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	mk, macKey, err := s.use(khmac, now, protocol.UsageSign)
	if err != nil {
		return err
	}
	defer clear(macKey)
	if mk.hdr.Type != protocol.KeyTypeSymmetric || len(macKey) < minSymmetric || len(macKey) > maxSymmetric {
		return protocol.StatusInvalidKeyType
	}
	ck, encKey, err := s.use(kcipher, now, protocol.UsageUnwrap)
	if err != nil {
		return err
	}
	defer clear(encKey)
	if ck.hdr.Type != protocol.KeyTypeSymmetric || len(encKey) != 16 && len(encKey) != 32 {
		return protocol.StatusInvalidKeyType
	}

	c, ok := splitContainer(append([]byte(nil), r.in...))
	if !ok {
		return protocol.StatusInvalidKeyFormat
	}
	m := hmac.New(sha256.New, macKey)
	m.Write(c.headerB64)
	m.Write([]byte("."))
	m.Write(c.payloadB64)
	if len(c.mac) != sha256.Size || !hmac.Equal(m.Sum(nil), c.mac) {
		return protocol.StatusInvalidKeyFormat
	}
	o, ok := parseJSONObject(c.payload)
	if !ok {
		return protocol.StatusInvalidKeyFormat
	}
	rights, err := typejRights(o)
	if err != nil {
		return err
	}
	version := int64(1)
	if o.has("contentKeyContainerVersion") {
		version = o.integer("contentKeyContainerVersion")
	}
	var plain []byte
	switch version {
	case 1:
		plain, err = typejKeyV1(o, encKey)
	case 2, 3:
		plain, err = typejKeyV2(o, encKey)
	default:
		return protocol.StatusInvalidKeyFormat
	}
	if err != nil {
		return err
	}
	restrictChild(&rights, &ck.hdr.Rights)
	h, err := s.newKey(protocol.Header{Rights: rights, Type: protocol.KeyTypeSymmetric, Size: uint16(len(plain))}, plain, nil)
	if err != nil {
		return err
	}
	return r.replyU64(h)
}

// typejKeyV1 is version 1's content key: AES-ECB without padding.
func typejKeyV1(o jsonObject, kek []byte) ([]byte, error) {
	wrapped, err := typejContentKey(o)
	if err != nil {
		return nil, err
	}
	if len(wrapped)%aes.BlockSize != 0 {
		return nil, protocol.StatusInvalidKeyFormat
	}
	plain, err := unwrapECB(kek, wrapped, false)
	if err != nil {
		return nil, err
	}
	return plain, symmetricSize(plain, protocol.StatusInvalidParameter)
}

// symmetricSize refuses (and clears) a symmetric key of a size SecAPI has no key
// of, with the status the caller's path reports.
func symmetricSize(plain []byte, st protocol.Status) error {
	if len(plain) < minSymmetric || len(plain) > maxSymmetric {
		clear(plain)
		return st
	}
	return nil
}

func typejContentKey(o jsonObject) ([]byte, error) {
	s, ok := o.str("contentKey")
	if !ok {
		return nil, protocol.StatusInvalidKeyFormat
	}
	b, ok := decodeB64([]byte(s), false)
	if !ok {
		return nil, protocol.StatusInvalidKeyFormat
	}
	return b, nil
}

// typejKeyV2 is versions 2 and 3's content key: AES-ECB or -CBC, with or without
// PKCS#7 padding, as "contentKeyTransportAlgorithm" says, of "contentKeyLength"
// bytes.
func typejKeyV2(o jsonObject, kek []byte) ([]byte, error) {
	alg, _ := o.str("contentKeyTransportAlgorithm")
	wrapped, err := typejContentKey(o)
	if err != nil {
		return nil, err
	}
	if !o.has("contentKeyLength") {
		return nil, protocol.StatusInvalidKeyFormat
	}
	length := o.integer("contentKeyLength")
	var plain []byte
	switch alg {
	case "aesEcbNone", "aesEcbPkcs5":
		if len(wrapped)%aes.BlockSize != 0 || len(wrapped) == 0 && alg == "aesEcbPkcs5" {
			return nil, protocol.StatusInvalidParameter
		}
		if plain, err = unwrapECB(kek, wrapped, alg == "aesEcbPkcs5"); err == nil {
			err = symmetricSize(plain, protocol.StatusInvalidParameter)
		}
	case "aesCbcNone", "aesCbcPkcs5":
		ivs, ok := o.str("contentKeyTransportIv")
		if !ok {
			return nil, protocol.StatusInvalidKeyFormat
		}
		iv, ok := decodeB64([]byte(ivs), false)
		if !ok || len(iv) != aes.BlockSize {
			return nil, protocol.StatusInvalidKeyFormat
		}
		// The reference reports any failure to unwrap a CBC content key as an
		// internal error.
		if len(wrapped)%aes.BlockSize != 0 || len(wrapped) == 0 {
			return nil, protocol.StatusInternalError
		}
		if plain, err = unwrapCBC(kek, iv, wrapped, alg == "aesCbcPkcs5"); err == nil {
			err = symmetricSize(plain, protocol.StatusInternalError)
		}
		if err != nil {
			return nil, protocol.StatusInternalError
		}
	default:
		return nil, protocol.StatusInvalidKeyFormat
	}
	if err != nil {
		return nil, err
	}
	if int64(len(plain)) != length {
		clear(plain)
		return nil, protocol.StatusInvalidKeyFormat
	}
	return plain, nil
}

// unpad removes PKCS#7 padding from the last block of b (a bad pad is
// INVALID_KEY_FORMAT, as the reference reports it for wrapped keys).
func unpad(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, protocol.StatusInvalidKeyFormat
	}
	n := int(b[len(b)-1])
	if n < 1 || n > aes.BlockSize || n > len(b) {
		clear(b)
		return nil, protocol.StatusInvalidKeyFormat
	}
	for _, x := range b[len(b)-n:] {
		if int(x) != n {
			clear(b)
			return nil, protocol.StatusInvalidKeyFormat
		}
	}
	clear(b[len(b)-n:])
	return b[:len(b)-n], nil
}

func unwrapECB(kek, in []byte, pad bool) ([]byte, error) {
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, protocol.StatusInvalidKeyType
	}
	out := make([]byte, len(in))
	for i := 0; i < len(in); i += aes.BlockSize {
		b.Decrypt(out[i:i+aes.BlockSize], in[i:i+aes.BlockSize])
	}
	if pad {
		return unpad(out)
	}
	return out, nil
}

func unwrapCBC(kek, iv, in []byte, pad bool) ([]byte, error) {
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, protocol.StatusInvalidKeyType
	}
	out := make([]byte, len(in))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, in)
	if pad {
		return unpad(out)
	}
	return out, nil
}
