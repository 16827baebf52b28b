package secapi_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gotee/gotee/secapi"
)

// The containers are made here from their description (SecAPI 3.4.1), independently
// of the TA's parser.

var b64u = base64.RawURLEncoding
var b64s = base64.StdEncoding

func ecbEncrypt(k, in []byte) []byte {
	b, _ := aes.NewCipher(k)
	out := make([]byte, len(in))
	for i := 0; i < len(in); i += 16 {
		b.Encrypt(out[i:], in[i:])
	}
	return out
}

func pkcs7(b []byte) []byte {
	n := 16 - len(b)%16
	return append(bytes.Clone(b), bytes.Repeat([]byte{byte(n)}, n)...)
}

// typej builds a Type-J container with the payload fields given (the content key
// fields are added) and a MAC under mac.
func typej(t *testing.T, fields map[string]any, alg string, key, kek, mac []byte) []byte {
	t.Helper()
	iv := bytes.Repeat([]byte{0x42}, 16)
	var wrapped []byte
	switch alg {
	case "aesEcbNone", "":
		wrapped = ecbEncrypt(kek, key)
	case "aesEcbPkcs5":
		wrapped = ecbEncrypt(kek, pkcs7(key))
	case "aesCbcNone", "aesCbcPkcs5":
		in := key
		if alg == "aesCbcPkcs5" {
			in = pkcs7(key)
		}
		b, _ := aes.NewCipher(kek)
		wrapped = make([]byte, len(in))
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(wrapped, in)
		fields["contentKeyTransportIv"] = b64s.EncodeToString(iv)
	}
	if alg != "" {
		fields["contentKeyTransportAlgorithm"] = alg
		if _, ok := fields["contentKeyLength"]; !ok {
			fields["contentKeyLength"] = len(key)
		}
	}
	fields["contentKey"] = b64s.EncodeToString(wrapped)
	body, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	hdr := b64u.EncodeToString([]byte(`{"alg":"HS256","kid":"sessionid"}`))
	msg := hdr + "." + b64u.EncodeToString(body)
	m := hmac.New(sha256.New, mac)
	m.Write([]byte(msg))
	return []byte(msg + "." + b64u.EncodeToString(m.Sum(nil)))
}

func idOf(id [64]byte) string { return string(bytes.TrimRight(id[:], "\x00")) }

func typejFields(version int) map[string]any {
	f := map[string]any{
		"contentKeyId":           "key-1",
		"contentKeyRights":       b64s.EncodeToString([]byte{0x03, 0x04}), // HDCP 1.4, 2.2
		"contentKeyUsage":        0,                                       // data and key
		"contentKeyNotBefore":    "2020-01-02T03:04:05Z",
		"contentKeyNotOnOrAfter": "1969-12-31T23:59:59Z", // no end, as a time_t of -1
		"contentKeyCacheable":    true,
	}
	if version > 1 {
		f["contentKeyContainerVersion"] = version
	}
	return f
}

func TestImportTypeJ(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	macRaw, kekRaw := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16)
	mk := mustKey(t, c, secapi.AllRights(), macRaw)
	kek := mustKey(t, c, secapi.AllRights(), kekRaw)
	content := bytes.Repeat([]byte{0x5a}, 32)
	want := sha256.Sum256(content)

	for _, tc := range []struct {
		version int
		alg     string
	}{{1, ""}, {2, "aesEcbNone"}, {2, "aesEcbPkcs5"}, {2, "aesCbcNone"}, {2, "aesCbcPkcs5"}, {3, "aesCbcPkcs5"}} {
		t.Run(fmt.Sprintf("v%d/%s", tc.version, tc.alg), func(t *testing.T) {
			k, err := c.ImportTypeJ(ctxb, typej(t, typejFields(tc.version), tc.alg, content, kekRaw, macRaw), kek, mk)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := k.Digest(ctxb, secapi.SHA256); err != nil || !bytes.Equal(d, want[:]) {
				t.Fatalf("content key digest %x, %v", d, err)
			}
			h, err := k.Header(ctxb)
			if err != nil {
				t.Fatal(err)
			}
			wantUsage := secapi.UsageDerive | secapi.UsageUnwrap | secapi.UsageEncrypt | secapi.UsageDecrypt | secapi.UsageSign |
				secapi.UsageDigitalHDCP14 | secapi.UsageDigitalHDCP22 | secapi.UsageSVPOptional | secapi.UsageCacheable
			if idOf(h.Rights.ID) != "key-1" || h.Rights.Usage != wantUsage || h.Rights.NotBefore != 1577934245 ||
				h.Rights.NotOnOrAfter != ^uint64(0) || h.Size != 32 || h.Rights.AllowedTAs[0] != secapi.AllTAs {
				t.Fatalf("rights %+v", h.Rights)
			}
		})
	}

	// Version 3 names the TAs; this client is none of them.
	f := typejFields(3)
	f["entitledTaIds"] = []string{"157F768F-BAD0-470B-929D-0D7DEC29D220"}
	k, err := c.ImportTypeJ(ctxb, typej(t, f, "aesEcbNone", content, kekRaw, macRaw), kek, mk)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := k.Header(ctxb); h.Rights.AllowedTAs[0].String() != "157f768f-bad0-470b-929d-0d7dec29d220" || h.Rights.AllowedTAs[1] != ([16]byte{}) {
		t.Fatalf("allowed TAs %v", h.Rights.AllowedTAs[:2])
	}
	if _, err := k.Digest(ctxb, secapi.SHA256); !errors.Is(err, secapi.StatusOperationNotAllowed) {
		t.Fatalf("use by a TA not entitled: %v", err)
	}

	good := typej(t, typejFields(2), "aesCbcNone", content, kekRaw, macRaw)
	noSign := secapi.AllRights()
	noSign.Usage &^= secapi.UsageSign
	noUnwrap := secapi.AllRights()
	noUnwrap.Usage &^= secapi.UsageUnwrap
	ec, _ := c.GenerateEC(ctxb, secapi.AllRights(), secapi.CurveP256)
	bad := func(mutate func(map[string]any)) []byte {
		f := typejFields(2)
		mutate(f)
		return typej(t, f, "aesCbcNone", content, kekRaw, macRaw)
	}
	for _, tc := range []struct {
		name      string
		in        []byte
		kek, kmac *secapi.Key
		want      secapi.Status
	}{
		{"wrong mac key", typej(t, typejFields(2), "aesCbcNone", content, kekRaw, kekRaw), kek, mk, secapi.StatusInvalidKeyFormat},
		{"no dots", []byte("abc"), kek, mk, secapi.StatusInvalidKeyFormat},
		{"truncated", good[:len(good)-3], kek, mk, secapi.StatusInvalidKeyFormat},
		{"mac key without SIGN", good, kek, mustKey(t, c, noSign, macRaw), secapi.StatusOperationNotAllowed},
		{"cipher key without UNWRAP", good, mustKey(t, c, noUnwrap, kekRaw), mk, secapi.StatusOperationNotAllowed},
		{"EC cipher key", good, ec, mk, secapi.StatusInvalidKeyType},
		{"released key", good, secapi.ForeignKey(c, 1<<40), mk, secapi.StatusInvalidParameter},
		{"version 4", bad(func(f map[string]any) { f["contentKeyContainerVersion"] = 4 }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"usage 7", bad(func(f map[string]any) { f["contentKeyUsage"] = 7 }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"right 9", bad(func(f map[string]any) { f["contentKeyRights"] = b64s.EncodeToString([]byte{9}) }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"no id", bad(func(f map[string]any) { delete(f, "contentKeyId") }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"long id", bad(func(f map[string]any) { f["contentKeyId"] = strings.Repeat("x", 64) }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"bad time", bad(func(f map[string]any) { f["contentKeyNotBefore"] = "2020-01-02 03:04:05Z" }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"wrong length", bad(func(f map[string]any) { f["contentKeyLength"] = 16 }), kek, mk, secapi.StatusInvalidKeyFormat},
		{"33 TAs", bad(func(f map[string]any) {
			ids := make([]string, 33)
			for i := range ids {
				ids[i] = fmt.Sprintf("157f768f-bad0-470b-929d-0d7dec29d2%02d", i)
			}
			f["entitledTaIds"] = ids
		}), kek, mk, secapi.StatusInvalidKeyFormat},
	} {
		if _, err := c.ImportTypeJ(ctxb, tc.in, tc.kek, tc.kmac); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// soc builds a SoC container: the key sealed with AES-128-GCM under the third stage
// of the ladder from root, its tag the container's third part.
func soc(version int, rootType, keyType string, usage, decUsage byte, taIDs []string, key, root []byte) []byte {
	iv := bytes.Repeat([]byte{7}, 12)
	var c [3][]byte
	for i := range c {
		c[i] = bytes.Repeat([]byte{byte(0x10 + i)}, 16)
	}
	k := root
	for _, in := range c {
		b, _ := aes.NewCipher(k)
		next := make([]byte, 16)
		b.Decrypt(next, in)
		k = next
	}
	aad := append([]byte("A128GCM"), byte(version))
	if version >= 5 {
		aad = append(aad, rootType...)
	}
	aad = append(aad, keyType...)
	aad = append(aad, usage)
	if usage == 2 {
		aad = append(aad, decUsage)
	}
	aad = append(aad, iv...)
	for _, x := range c {
		aad = append(aad, x...)
	}
	for _, id := range taIDs {
		aad = append(aad, strings.ToLower(id)...)
	}
	b, _ := aes.NewCipher(k)
	g, _ := cipher.NewGCM(b)
	sealed := g.Seal(nil, iv, key, aad)
	p := map[string]any{
		"containerVersion": version, "keyType": keyType, "keyUsage": usage,
		"encryptedKey": b64s.EncodeToString(sealed[:len(key)]), "iv": b64s.EncodeToString(iv),
		"c1": b64s.EncodeToString(c[0]), "c2": b64s.EncodeToString(c[1]), "c3": b64s.EncodeToString(c[2]),
	}
	if usage == 2 {
		p["decryptedKeyUsage"] = decUsage
	}
	if rootType != "" {
		p["rootKeyType"] = rootType
	}
	if taIDs != nil {
		p["entitledTaIds"] = taIDs
	}
	body, _ := json.Marshal(p)
	return []byte(b64u.EncodeToString([]byte(`{"alg":"A128GCM"}`)) + "." + b64u.EncodeToString(body) + "." +
		b64u.EncodeToString(sealed[len(key):]))
}

func TestImportSoC(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("SoC containers need provisioned root keys, which need a uid 0 client")
	}
	srv, _ := start(t, false)
	keys := secapi.RootKeys{Unique: bytes.Repeat([]byte{0xa1}, 16), Common: bytes.Repeat([]byte{0xc2}, 16)}
	if err := newClient(t, srv).ProvisionRootKeys(ctxb, keys); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	aesKey := bytes.Repeat([]byte{0x33}, 16)
	want := sha256.Sum256(aesKey)
	for _, tc := range []struct {
		version  int
		rootType string
		root     []byte
	}{{4, "", keys.Unique}, {5, "", keys.Unique}, {5, "unique", keys.Unique}, {5, "common", keys.Common}} {
		in := soc(tc.version, tc.rootType, "AES-128", 3, 0, nil, aesKey, tc.root)
		k, err := c.ImportSoC(ctxb, in, &secapi.SoCParameters{Version: 2, ObjectID: 0x0102030405060708})
		if err != nil {
			t.Fatalf("v%d %q: %v", tc.version, tc.rootType, err)
		}
		if d, err := k.Digest(ctxb, secapi.SHA256); err != nil || !bytes.Equal(d, want[:]) {
			t.Fatalf("v%d %q: digest %x, %v", tc.version, tc.rootType, d, err)
		}
		h, _ := k.Header(ctxb)
		wantUsage := secapi.UsageDerive | secapi.UsageUnwrap | secapi.UsageEncrypt | secapi.UsageDecrypt | secapi.UsageSign |
			secapi.UsageOutputProtections | secapi.UsageCacheable
		if idOf(h.Rights.ID) != "\x01\x02\x03\x04\x05\x06\x07\x08" || h.Rights.Usage != wantUsage || h.Rights.AllowedTAs[0] != secapi.AllTAs {
			t.Fatalf("rights %+v", h.Rights)
		}
	}
	// Key only: unwrap, with the decrypted key usage as child usage.
	k, err := c.ImportSoC(ctxb, soc(5, "unique", "AES-256", 2, 1, nil, bytes.Repeat([]byte{4}, 32), keys.Unique), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := k.Header(ctxb); h.Rights.Usage&0x3f != secapi.UsageUnwrap ||
		h.Rights.ChildUsage != secapi.UsageEncrypt|secapi.UsageDecrypt|secapi.UsageSign|secapi.UsageDerive || idOf(h.Rights.ID) != "" {
		t.Fatalf("key-only rights %+v", h.Rights)
	}
	// An EC key (PKCS#8), entitled to other TAs.
	ecPriv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ecPriv)
	ids := []string{"157F768F-BAD0-470B-929D-0D7DEC29D220"}
	k, err = c.ImportSoC(ctxb, soc(5, "", "ECC-P256", 1, 0, ids, der, keys.Unique), nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := k.PublicKey(ctxb)
	wantPub, _ := x509.MarshalPKIXPublicKey(&ecPriv.PublicKey)
	if !bytes.Equal(pub, wantPub) {
		t.Fatal("EC key from a SoC container has another public key")
	}
	if h, _ := k.Header(ctxb); h.Rights.AllowedTAs[0].String() != strings.ToLower(ids[0]) || h.Rights.Usage&secapi.UsageKeyExchange == 0 {
		t.Fatalf("EC rights %+v", h.Rights)
	}

	good := soc(5, "unique", "AES-128", 3, 0, nil, aesKey, keys.Unique)
	tampered := bytes.Clone(good)
	tampered[len(tampered)-2] ^= 1
	for _, tc := range []struct {
		name string
		in   []byte
		p    *secapi.SoCParameters
		want secapi.Status
	}{
		{"other root key", soc(5, "common", "AES-128", 3, 0, nil, aesKey, keys.Unique), nil, secapi.StatusInternalError},
		{"tampered tag", tampered, nil, secapi.StatusInternalError},
		{"version 3", soc(3, "", "AES-128", 3, 0, nil, aesKey, keys.Unique), nil, secapi.StatusInvalidKeyFormat},
		{"usage 0", soc(5, "", "AES-128", 0, 0, nil, aesKey, keys.Unique), nil, secapi.StatusInvalidKeyFormat},
		{"key-only HMAC", soc(5, "", "HMAC-128", 2, 1, nil, aesKey, keys.Unique), nil, secapi.StatusInvalidKeyFormat},
		{"unknown type", soc(5, "", "AES-192", 3, 0, nil, bytes.Repeat([]byte{1}, 24), keys.Unique), nil, secapi.StatusInvalidKeyFormat},
		{"wrong size", soc(5, "", "AES-256", 3, 0, nil, aesKey, keys.Unique), nil, secapi.StatusInvalidKeyFormat},
		{"empty", []byte{}, nil, secapi.StatusInvalidKeyFormat},
		{"params version 4", good, &secapi.SoCParameters{Version: 4}, secapi.StatusInvalidParameter},
		{"params length", good, &secapi.SoCParameters{Length: 623, Version: 2}, secapi.StatusInvalidParameter},
	} {
		if _, err := c.ImportSoC(ctxb, tc.in, tc.p); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// sa_key_provision_ta opens every key container of the credential.
	prm := &secapi.SoCParameters{Version: 2}
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(mustRSA(t))
	wv := soc(5, "unique", "RSA-1024", 1, 0, nil, rsaDER, keys.Unique)
	hm := soc(5, "", "HMAC-256", 1, 0, nil, bytes.Repeat([]byte{9}, 32), keys.Unique)
	for _, tc := range []struct {
		name       string
		typ        secapi.TAKeyType
		containers [][]byte
		p          *secapi.SoCParameters
		want       error
	}{
		{"widevine", secapi.WidevineOEMProvisioning, [][]byte{wv}, prm, nil},
		{"playready", secapi.PlayReadyModelProvisioning, [][]byte{good}, prm, nil},
		{"netflix", secapi.NetflixProvisioning, [][]byte{good, hm, good}, prm, nil},
		{"netflix, bad HMAC key", secapi.NetflixProvisioning, [][]byte{good, tampered, good}, prm, secapi.StatusInternalError},
		{"netflix, one key", secapi.NetflixProvisioning, [][]byte{good}, prm, secapi.StatusInvalidParameter},
		{"truncated", secapi.WidevineOEMProvisioning, [][]byte{wv[:len(wv)/2]}, prm, secapi.StatusInvalidKeyFormat},
		{"parameters version 1", secapi.WidevineOEMProvisioning, [][]byte{wv}, &secapi.SoCParameters{Version: 1}, secapi.StatusInvalidParameter},
		{"no parameters", secapi.WidevineOEMProvisioning, [][]byte{wv}, nil, secapi.StatusNullParameter},
		{"empty container", secapi.PlayReadyModelProvisioning, [][]byte{{}}, prm, secapi.StatusNullParameter},
		{"apple", secapi.AppleMFiProvisioning, [][]byte{good}, prm, secapi.StatusOperationNotSupported},
		{"type 6", secapi.TAKeyType(6), [][]byte{good}, prm, secapi.StatusInvalidParameter},
	} {
		if err := c.ProvisionTA(ctxb, tc.typ, tc.containers, tc.p); !errors.Is(err, tc.want) {
			t.Errorf("provision %s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func mustRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
