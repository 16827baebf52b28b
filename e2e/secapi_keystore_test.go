package e2e

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotee/gotee/internal/teedtest"
)

// TestSecAPIKeystoreC provisions root keys with cmd/secapi-provision (as a factory
// would), then runs e2e/c/sa_keystore_test.c on a Type-J and a SoC container made
// here, and checks the keys it imports and derives against values computed here.
func TestSecAPIKeystoreC(t *testing.T) {
	needSALib(t)
	if os.Getuid() != 0 {
		t.Skip("provisioning root keys needs a uid 0 client")
	}
	dir := t.TempDir()
	unique, common := bytes.Repeat([]byte{0xa1}, 16), bytes.Repeat([]byte{0xc2}, 16)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	td := teedtest.Start(t, "--log-level", "warn", "--storage", t.TempDir())
	prov := filepath.Join(buildDir, "bin", "secapi-provision")
	args := []string{"-unique", write("unique", unique), "-common", write("common", common), "-device-id", "1234"}
	if out, err := td.Run(prov, args...); err != nil || !strings.Contains(out, "root keys provisioned; device ID 0000000000001234") {
		t.Fatalf("secapi-provision: %v\n%s", err, out)
	}
	// Again with the same keys: fine; with others: refused.
	if out, err := td.Run(prov, args...); err != nil {
		t.Fatalf("secapi-provision again: %v\n%s", err, out)
	}
	if out, err := td.Run(prov, "-unique", write("other", bytes.Repeat([]byte{9}, 16)), "-common", args[3]); err == nil {
		t.Fatalf("secapi-provision with other keys succeeded:\n%s", out)
	}

	lib := filepath.Join(buildDir, "lib")
	prog := filepath.Join(dir, "sa_keystore_test")
	runCC(t, prog, []string{"-Wall", "-Werror", "-I", filepath.Join(buildDir, "include"), "-o", prog,
		filepath.Join(repoDir, "e2e/c/sa_keystore_test.c"), "-L", lib, "-lsaclient", "-Wl,-rpath," + lib})
	content := bytes.Repeat([]byte{0x5a}, 32)
	socKey := bytes.Repeat([]byte{0x33}, 16)
	out, err := td.Run(prog, write("typej", typejV2(content, bytes.Repeat([]byte{2}, 16), bytes.Repeat([]byte{1}, 16))),
		write("soc", socV5(socKey, unique)))
	if err != nil || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("sa_keystore_test: %v\n%s", err, out)
	}
	t.Logf("sa_keystore_test: %s", lastLine(out))
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	want := map[string]string{
		"DIGEST typej":        sum(content),
		"DIGEST soc":          sum(socKey),
		"DIGEST netflix-wrap": sum(netflixWrap(bytes.Repeat([]byte{3}, 16), bytes.Repeat([]byte{4}, 32))),
		"DEVICE":              "0000000000001234",
	}
	for _, line := range strings.Split(out, "\n") {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if w, ok := want[line[:i]]; ok {
			if line[i+1:] != w {
				t.Errorf("%s: %s, want %s", line[:i], line[i+1:], w)
			}
			delete(want, line[:i])
		}
	}
	if len(want) != 0 {
		t.Errorf("lines missing: %v", want)
	}
}

// typejV2 is a version 2 Type-J container of key, AES-ECB under kek, MAC'd with mac.
func typejV2(key, kek, mac []byte) []byte {
	b, _ := aes.NewCipher(kek)
	wrapped := make([]byte, len(key))
	for i := 0; i < len(key); i += 16 {
		b.Encrypt(wrapped[i:], key[i:])
	}
	body, _ := json.Marshal(map[string]any{
		"contentKeyContainerVersion": 2, "contentKeyTransportAlgorithm": "aesEcbNone",
		"contentKeyLength": len(key), "contentKey": base64.StdEncoding.EncodeToString(wrapped),
		"contentKeyId": "key-1", "contentKeyRights": "", "contentKeyUsage": 1,
		"contentKeyNotBefore": "2020-01-02T03:04:05Z", "contentKeyNotOnOrAfter": "1969-12-31T23:59:59Z",
		"contentKeyCacheable": true,
	})
	u := base64.RawURLEncoding
	msg := u.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + u.EncodeToString(body)
	m := hmac.New(sha256.New, mac)
	m.Write([]byte(msg))
	return []byte(msg + "." + u.EncodeToString(m.Sum(nil)))
}

// socV5 is a version 5 SoC container of an AES-128 key (data and key usage) under
// the unique root key.
func socV5(key, root []byte) []byte {
	iv := bytes.Repeat([]byte{7}, 12)
	c := [][]byte{bytes.Repeat([]byte{0x10}, 16), bytes.Repeat([]byte{0x11}, 16), bytes.Repeat([]byte{0x12}, 16)}
	k := root
	for _, in := range c {
		b, _ := aes.NewCipher(k)
		next := make([]byte, 16)
		b.Decrypt(next, in)
		k = next
	}
	aad := append([]byte("A128GCM"), 5)
	aad = append(aad, "uniqueAES-128"...)
	aad = append(aad, 3)
	aad = append(aad, iv...)
	for _, x := range c {
		aad = append(aad, x...)
	}
	b, _ := aes.NewCipher(k)
	g, _ := cipher.NewGCM(b)
	sealed := g.Seal(nil, iv, key, aad)
	s := base64.StdEncoding.EncodeToString
	body, _ := json.Marshal(map[string]any{
		"containerVersion": 5, "rootKeyType": "unique", "keyType": "AES-128", "keyUsage": 3,
		"encryptedKey": s(sealed[:len(key)]), "iv": s(iv), "c1": s(c[0]), "c2": s(c[1]), "c3": s(c[2]),
	})
	u := base64.RawURLEncoding
	return []byte(u.EncodeToString([]byte(`{"alg":"A128GCM"}`)) + "." + u.EncodeToString(body) + "." + u.EncodeToString(sealed[len(key):]))
}

// netflixWrap is MSL's Kwrap from Kenc and Khmac.
func netflixWrap(enc, mac []byte) []byte {
	salt := []byte{0x02, 0x76, 0x17, 0x98, 0x4f, 0x62, 0x27, 0x53, 0x9a, 0x63, 0x0b, 0x89, 0x7c, 0x01, 0x7d, 0x69}
	info := []byte{0x80, 0x9f, 0x82, 0xa7, 0xad, 0xdf, 0x54, 0x8d, 0x3e, 0xa9, 0xdd, 0x06, 0x7f, 0xf9, 0xbb, 0x91}
	m := hmac.New(sha256.New, salt)
	m.Write(append(bytes.Clone(enc), mac...))
	m = hmac.New(sha256.New, m.Sum(nil))
	m.Write(info)
	return m.Sum(nil)[:16]
}
