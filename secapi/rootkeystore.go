package secapi

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"unicode/utf16"
)

// RDK's test keystores (reference/test/root_keystore.p12 of tasecureapi) are PKCS#12
// files (RFC 7292) as Java's KeyStore writes secret keys: each root key is a secret
// bag holding a password-protected PKCS#8 key (PBES2: PBKDF2 and AES-CBC), named by
// its friendlyName. The common root key is the bag named "commonroot"; the unique
// root key is the other one, and its name is the device ID in hex. Neither Go's
// x/crypto/pkcs12 nor the usual modules read secret bags, so the few structures
// needed are decoded here.

// DefaultRootKeystorePassword is the password of RDK's test keystore, which RDK's
// tests use when ROOT_KEYSTORE_PASSWORD is not set.
const DefaultRootKeystorePassword = "password01234567"

// commonRootName is the friendlyName of the common root key's bag.
const commonRootName = "commonroot"

// ErrKeystore is wrapped by every error of ReadRootKeystore.
var ErrKeystore = errors.New("secapi: root keystore")

var (
	oidData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidKeyBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidSecretBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 5}
	oidFriendlyName       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidPBES2              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidSHA1               = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidAES128CBC          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	errKeystoreFormat     = fmt.Errorf("%w: malformed", ErrKeystore)
	errKeystorePassword   = fmt.Errorf("%w: wrong password or corrupt file (MAC mismatch)", ErrKeystore)
	errKeystoreAlgorithms = fmt.Errorf("%w: unsupported algorithm", ErrKeystore)
)

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  p12MacData `asn1:"optional"`
}

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12MacData struct {
	Mac        p12DigestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type p12DigestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []p12BagAttribute `asn1:"set,optional"`
}

type p12BagAttribute struct {
	ID     asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type p12SecretBag struct {
	TypeID asn1.ObjectIdentifier
	Value  asn1.RawValue `asn1:"tag:0,explicit"`
}

type p12EncryptedKey struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type p12PBES2 struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type p12PBKDF2 struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type p12PrivateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// unmarshalAll is asn1.Unmarshal that refuses trailing bytes.
func unmarshalAll(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil || len(rest) != 0 {
		return errKeystoreFormat
	}
	return nil
}

// ReadRootKeystore reads the root keys of a PKCS#12 keystore in RDK's test keystore
// form (see above), with password (DefaultRootKeystorePassword for RDK's). The file's
// MAC is checked with the password before anything else is read.
func ReadRootKeystore(der []byte, password string) (RootKeys, error) {
	var k RootKeys
	var pfx p12PFX
	if err := unmarshalAll(der, &pfx); err != nil {
		return k, err
	}
	if pfx.Version != 3 || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return k, errKeystoreFormat
	}
	var authSafe []byte
	if err := unmarshalAll(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return k, err
	}
	if err := checkP12MAC(&pfx.MacData, authSafe, password); err != nil {
		return k, err
	}
	var contents []p12ContentInfo
	if err := unmarshalAll(authSafe, &contents); err != nil {
		return k, err
	}
	var uniqueName string
	for _, ci := range contents {
		if !ci.ContentType.Equal(oidData) {
			return k, fmt.Errorf("%w: encrypted safe contents", errKeystoreAlgorithms)
		}
		var raw []byte
		if err := unmarshalAll(ci.Content.Bytes, &raw); err != nil {
			return k, err
		}
		var bags []p12SafeBag
		if err := unmarshalAll(raw, &bags); err != nil {
			return k, err
		}
		for _, bag := range bags {
			name, key, err := readSecretBag(&bag, password)
			if err != nil {
				return k, err
			}
			if name == commonRootName {
				if k.Common != nil {
					return k, fmt.Errorf("%w: two common root keys", ErrKeystore)
				}
				k.Common = key
			} else {
				if k.Unique != nil {
					return k, fmt.Errorf("%w: two unique root keys", ErrKeystore)
				}
				k.Unique, uniqueName = key, name
			}
		}
	}
	if k.Unique == nil || k.Common == nil {
		return RootKeys{}, fmt.Errorf("%w: needs a unique and a %q key", ErrKeystore, commonRootName)
	}
	// As in RDK's TA, the unique key's name is the device ID, in hex (at most 16
	// digits, not 0).
	id, err := strconv.ParseUint(uniqueName, 16, 64)
	if err != nil || id == 0 {
		return RootKeys{}, fmt.Errorf("%w: unique root key name %q is not a device ID", ErrKeystore, uniqueName)
	}
	k.DeviceID = id
	return k, nil
}

// readSecretBag decrypts one secret bag: its friendlyName and key bytes.
func readSecretBag(bag *p12SafeBag, password string) (string, []byte, error) {
	if !bag.ID.Equal(oidSecretBag) {
		return "", nil, fmt.Errorf("%w: a bag that is not a secret key", ErrKeystore)
	}
	name, err := friendlyName(bag.Attributes)
	if err != nil {
		return "", nil, err
	}
	var sb p12SecretBag
	if err := unmarshalAll(bag.Value.Bytes, &sb); err != nil {
		return "", nil, err
	}
	var value []byte
	if err := unmarshalAll(sb.Value.Bytes, &value); err != nil {
		return "", nil, err
	}
	var pki []byte
	switch {
	case sb.TypeID.Equal(oidShroudedKeyBag):
		var ek p12EncryptedKey
		if err := unmarshalAll(value, &ek); err != nil {
			return "", nil, err
		}
		if pki, err = decryptPBES2(&ek, password); err != nil {
			return "", nil, err
		}
		defer clear(pki)
	case sb.TypeID.Equal(oidKeyBag):
		pki = value
	default:
		return "", nil, fmt.Errorf("%w: secret of type %v", errKeystoreAlgorithms, sb.TypeID)
	}
	var info p12PrivateKeyInfo
	if err := unmarshalAll(pki, &info); err != nil {
		return "", nil, err
	}
	return name, bytes.Clone(info.PrivateKey), nil
}

func friendlyName(attrs []p12BagAttribute) (string, error) {
	for _, a := range attrs {
		if !a.ID.Equal(oidFriendlyName) {
			continue
		}
		var s asn1.RawValue
		if err := unmarshalAll(a.Values.Bytes, &s); err != nil {
			return "", err
		}
		if s.Tag != asn1.TagBMPString || len(s.Bytes)%2 != 0 {
			return "", errKeystoreFormat
		}
		u := make([]uint16, len(s.Bytes)/2)
		for i := range u {
			u[i] = uint16(s.Bytes[2*i])<<8 | uint16(s.Bytes[2*i+1])
		}
		return string(utf16.Decode(u)), nil
	}
	return "", fmt.Errorf("%w: a key without a friendlyName", ErrKeystore)
}

// p12Hash maps a MAC digest or PBKDF2 PRF to its hash.
func p12Hash(oid asn1.ObjectIdentifier) func() hash.Hash {
	switch {
	case oid.Equal(oidSHA1), oid.Equal(oidHMACWithSHA1):
		return sha1.New
	case oid.Equal(oidSHA256), oid.Equal(oidHMACWithSHA256):
		return sha256.New
	case oid.Equal(oidSHA384), oid.Equal(oidHMACWithSHA384):
		return sha512.New384
	case oid.Equal(oidSHA512), oid.Equal(oidHMACWithSHA512):
		return sha512.New
	}
	return nil
}

// checkP12MAC verifies the PFX's HMAC over the authenticated safe, its key made by
// PKCS#12's own KDF (RFC 7292 appendix B) with ID 3.
func checkP12MAC(m *p12MacData, data []byte, password string) error {
	h := p12Hash(m.Mac.Algorithm.Algorithm)
	if h == nil {
		return errKeystoreAlgorithms
	}
	if m.Iterations < 1 || m.Iterations > 1<<24 {
		return errKeystoreFormat
	}
	key := p12KDF(h, 3, bmpPassword(password), m.MacSalt, m.Iterations, h().Size())
	defer clear(key)
	mac := hmac.New(h, key)
	mac.Write(data)
	if !hmac.Equal(mac.Sum(nil), m.Mac.Digest) {
		return errKeystorePassword
	}
	return nil
}

// bmpPassword is the password as PKCS#12's KDF takes it: UTF-16 big-endian with a
// terminating NUL.
func bmpPassword(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return append(b, 0, 0)
}

// p12KDF is RFC 7292 appendix B.2.
func p12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iterations, n int) []byte {
	h := newHash()
	v := h.BlockSize()
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	defer clear(in)
	var out []byte
	for len(out) < n {
		h.Reset()
		h.Write(d)
		h.Write(in)
		a := h.Sum(nil)
		for range iterations - 1 {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= n {
			break
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block, B = A repeated.
		b := fill(a)
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				x := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	return out[:n]
}

// decryptPBES2 opens an EncryptedPrivateKeyInfo protected with PBES2 (PBKDF2 and
// AES-CBC), the scheme RDK's keystore uses.
func decryptPBES2(ek *p12EncryptedKey, password string) ([]byte, error) {
	if !ek.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: key encryption %v", errKeystoreAlgorithms, ek.Algorithm.Algorithm)
	}
	var params p12PBES2
	if err := unmarshalAll(ek.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, err
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, errKeystoreAlgorithms
	}
	var kdf p12PBKDF2
	if err := unmarshalAll(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, err
	}
	prf := sha1.New
	if len(kdf.PRF.Algorithm) > 0 {
		if prf = p12Hash(kdf.PRF.Algorithm); prf == nil {
			return nil, errKeystoreAlgorithms
		}
	}
	var keyLen int
	switch {
	case params.Scheme.Algorithm.Equal(oidAES128CBC):
		keyLen = 16
	case params.Scheme.Algorithm.Equal(oidAES192CBC):
		keyLen = 24
	case params.Scheme.Algorithm.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, fmt.Errorf("%w: cipher %v", errKeystoreAlgorithms, params.Scheme.Algorithm)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen || kdf.Iterations < 1 || kdf.Iterations > 1<<24 {
		return nil, errKeystoreFormat
	}
	var iv []byte
	if err := unmarshalAll(params.Scheme.Parameters.FullBytes, &iv); err != nil {
		return nil, err
	}
	if len(iv) != aes.BlockSize || len(ek.Data) == 0 || len(ek.Data)%aes.BlockSize != 0 {
		return nil, errKeystoreFormat
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, errKeystoreFormat
	}
	defer clear(key)
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, errKeystoreFormat
	}
	out := make([]byte, len(ek.Data))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, ek.Data)
	pad := int(out[len(out)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		clear(out)
		return nil, errKeystorePassword
	}
	clear(out[len(out)-pad:])
	return out[:len(out)-pad], nil
}
