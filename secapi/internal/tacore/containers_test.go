package tacore

import (
	"encoding/base64"
	"testing"
)

// FuzzContainers runs the Type-J and SoC parsers on arbitrary input: they must never
// panic, and a payload they accept must have the fields its format requires.
func FuzzContainers(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add([]byte(enc([]byte(`{"alg":"A128GCM"}`)) + "." + enc([]byte(`{"containerVersion":5,"keyType":"AES-128","keyUsage":3,"encryptedKey":"AAAAAAAAAAAAAAAAAAAAAA==","iv":"AAAAAAAAAAAAAAAA","c1":"AAAAAAAAAAAAAAAAAAAAAA==","c2":"AAAAAAAAAAAAAAAAAAAAAA==","c3":"AAAAAAAAAAAAAAAAAAAAAA==","entitledTaIds":["157f768f-bad0-470b-929d-0d7dec29d220"]}`)) + "." + enc(make([]byte, 16))))
	f.Add([]byte(enc([]byte(`{}`)) + "." + enc([]byte(`{"contentKeyId":"a","contentKeyRights":"AwQ=","contentKeyUsage":0,"contentKeyNotBefore":"2020-01-02T03:04:05Z","contentKeyNotOnOrAfter":"1969-12-31T23:59:59Z","contentKeyCacheable":true,"contentKey":"AAAAAAAAAAAAAAAAAAAAAA=="}`)) + "." + enc(make([]byte, 32))))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, ok := splitContainer(in)
		if !ok {
			return
		}
		if o, ok := parseJSONObject(c.payload); ok {
			if r, err := typejRights(o); err == nil && !validRights(&r) {
				t.Fatal("Type-J rights without a terminated id")
			}
			if p, ok := parseSoCPayload(o); ok {
				if len(p.iv) != gcmIVSize || len(p.c[0]) != 16 || len(p.c[1]) != 16 || len(p.c[2]) != 16 {
					t.Fatal("SoC payload accepted with a wrong IV or ladder input")
				}
				if aad, ok := p.aad(socAlg); ok && len(aad) < len(socAlg)+1+12+48 {
					t.Fatal("short associated data")
				}
				var prm socParams
				socRights(p, socKeyTypes["AES-128"], &prm)
			}
		}
		if o, ok := parseJSONObject(c.header); ok {
			o.str("alg")
		}
	})
}
