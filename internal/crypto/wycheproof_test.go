package crypto

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotee/gotee/tee"
)

// Wycheproof vectors (github.com/C2SP/wycheproof testvectors_v1, Apache-2.0, copied at
// commit dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166 into testdata/wycheproof because the
// module is not served by the Go module proxy).

type wpFile struct {
	Algorithm  string `json:"algorithm"`
	TestGroups []struct {
		KeySize int `json:"keySize"`
		TagSize int `json:"tagSize"`
		Tests   []struct {
			TcID    int    `json:"tcId"`
			Key     string `json:"key"`
			IV      string `json:"iv"`
			AAD     string `json:"aad"`
			Msg     string `json:"msg"`
			CT      string `json:"ct"`
			Tag     string `json:"tag"`
			Result  string `json:"result"`
			Comment string `json:"comment"`
		} `json:"tests"`
	} `json:"testGroups"`
}

func loadWycheproof(tb testing.TB, name string) *wpFile {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wycheproof", name))
	if err != nil {
		tb.Fatal(err)
	}
	var f wpFile
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return &f
}

func TestWycheproofMAC(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
		typ  tee.ObjectType
	}{
		{"hmac_sha1_test.json", tee.AlgHMACSHA1, tee.TypeHMACSHA1},
		{"hmac_sha224_test.json", tee.AlgHMACSHA224, tee.TypeHMACSHA224},
		{"hmac_sha256_test.json", tee.AlgHMACSHA256, tee.TypeHMACSHA256},
		{"hmac_sha384_test.json", tee.AlgHMACSHA384, tee.TypeHMACSHA384},
		{"hmac_sha512_test.json", tee.AlgHMACSHA512, tee.TypeHMACSHA512},
		{"hmac_sha3_224_test.json", tee.AlgHMACSHA3_224, tee.TypeHMACSHA3_224},
		{"hmac_sha3_256_test.json", tee.AlgHMACSHA3_256, tee.TypeHMACSHA3_256},
		{"hmac_sha3_384_test.json", tee.AlgHMACSHA3_384, tee.TypeHMACSHA3_384},
		{"hmac_sha3_512_test.json", tee.AlgHMACSHA3_512, tee.TypeHMACSHA3_512},
		{"hmac_sm3_test.json", tee.AlgHMACSM3, tee.TypeHMACSM3},
		{"aes_cmac_test.json", tee.AlgAESCMAC, tee.TypeAES},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			wp := loadWycheproof(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				if !validKeySize(f.typ, g.KeySize) {
					continue // GP forbids this key size (e.g. short HMAC keys, AES-136)
				}
				op := alloc(t, f.alg, tee.ModeMAC, g.KeySize)
				full := op.Info().DigestLength
				for _, tc := range g.Tests {
					key, msg, tag := unhex(t, tc.Key), unhex(t, tc.Msg), unhex(t, tc.Tag)
					if err := op.SetKey(secretKey(f.typ, key)); err != nil {
						t.Fatal(err)
					}
					// GP compares whole MACs only: MACCompareFinal with a truncated tag is
					// MAC_INVALID, so truncated groups check the prefix of ComputeFinal.
					op.MACInit(nil)
					op.MACUpdate(msg[:len(msg)/2])
					sum := make([]byte, full)
					if _, err := op.MACComputeFinal(sum, msg[len(msg)/2:]); err != nil {
						t.Fatal(err)
					}
					match := bytes.Equal(sum[:len(tag)], tag)
					if match != (tc.Result == "valid") {
						t.Errorf("tcId %d (%s): computed %x, tag %x, result %s", tc.TcID, tc.Comment, sum, tag, tc.Result)
					}
					if g.TagSize/8 == full {
						op.MACInit(nil)
						err := op.MACCompareFinal(msg, tag)
						if (err == nil) != (tc.Result == "valid") || (err != nil && !isResult(err, tee.ErrMACInvalid)) {
							t.Errorf("tcId %d: MACCompareFinal = %v, result %s", tc.TcID, err, tc.Result)
						}
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
			if ran == 0 {
				t.Fatal("no vectors ran")
			}
		})
	}
}

func TestWycheproofGCM(t *testing.T) {
	wp := loadWycheproof(t, "aes_gcm_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			key, iv, aad, msg, ct, tag := unhex(t, tc.Key), unhex(t, tc.IV), unhex(t, tc.AAD), unhex(t, tc.Msg), unhex(t, tc.CT), unhex(t, tc.Tag)
			k := secretKey(tee.TypeAES, key)
			if len(iv) == 0 {
				op := keyed(t, tee.AlgAESGCM, tee.ModeDecrypt, k)
				mustPanic(t, func() { op.AEInit(iv, g.TagSize, 0, 0) })
				continue
			}
			dec := keyed(t, tee.AlgAESGCM, tee.ModeDecrypt, k)
			if err := dec.AEInit(iv, g.TagSize, len(aad), len(ct)); err != nil {
				t.Fatalf("tcId %d: AEInit: %v", tc.TcID, err)
			}
			dec.AEUpdateAAD(aad[:len(aad)/2])
			dec.AEUpdateAAD(aad[len(aad)/2:])
			dec.AEUpdate(nil, ct[:len(ct)/3])
			pt := make([]byte, len(ct))
			n, err := dec.AEDecryptFinal(pt, ct[len(ct)/3:], tag)
			if tc.Result == "valid" {
				if err != nil || !bytes.Equal(pt[:n], msg) {
					t.Errorf("tcId %d: decrypt = %x, %v; want %x", tc.TcID, pt[:n], err, msg)
				}
			} else {
				if !isResult(err, tee.ErrMACInvalid) || !bytes.Equal(pt, make([]byte, len(pt))) {
					t.Errorf("tcId %d (%s): decrypt of invalid = %v, output %x", tc.TcID, tc.Comment, err, pt)
				}
			}
			if tc.Result == "valid" {
				enc := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, k)
				if err := enc.AEInit(iv, g.TagSize, len(aad), len(msg)); err != nil {
					t.Fatal(err)
				}
				enc.AEUpdateAAD(aad)
				enc.AEUpdate(nil, msg[:len(msg)/2])
				out, gotTag := make([]byte, len(msg)), make([]byte, 16)
				n, tl, err := enc.AEEncryptFinal(out, gotTag, msg[len(msg)/2:])
				if err != nil || !bytes.Equal(out[:n], ct) || !bytes.Equal(gotTag[:tl], tag) {
					t.Errorf("tcId %d: encrypt = %x %x, %v; want %x %x", tc.TcID, out[:n], gotTag[:tl], err, ct, tag)
				}
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
	if ran < 100 {
		t.Fatalf("only %d vectors ran", ran)
	}
}

func TestWycheproofXTS(t *testing.T) {
	wp := loadWycheproof(t, "aes_xts_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			key, iv, msg, ct := unhex(t, tc.Key), unhex(t, tc.IV), unhex(t, tc.Msg), unhex(t, tc.CT)
			if len(msg)%16 != 0 || len(msg) == 0 || len(iv) > 8 || tc.Result != "valid" {
				continue // no ciphertext stealing; 64-bit tweaks only
			}
			tweak := make([]byte, 16)
			copy(tweak, iv)
			half := len(key) / 2
			k1, k2 := secretKey(tee.TypeAES, key[:half]), secretKey(tee.TypeAES, key[half:])
			for _, mode := range []tee.Mode{tee.ModeEncrypt, tee.ModeDecrypt} {
				in, want := msg, ct
				if mode == tee.ModeDecrypt {
					in, want = ct, msg
				}
				op := alloc(t, tee.AlgAESXTS, mode, len(key)*8)
				if err := op.SetKey2(k1, k2); err != nil {
					t.Fatal(err)
				}
				if got := cipherChunks(t, op, tweak, in, []int{7}); !bytes.Equal(got, want) {
					t.Fatalf("tcId %d %v: got %x want %x", tc.TcID, mode, got, want)
				}
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
	if ran < 10 {
		t.Fatalf("only %d vectors ran", ran)
	}
}

// aes_cbc_pkcs5_test.json exercises AES-CBC-NOPAD on the PKCS#5-padded messages.
func TestWycheproofCBC(t *testing.T) {
	wp := loadWycheproof(t, "aes_cbc_pkcs5_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			if tc.Result != "valid" {
				continue // padding errors are not NOPAD's concern
			}
			key, iv, msg, ct := unhex(t, tc.Key), unhex(t, tc.IV), unhex(t, tc.Msg), unhex(t, tc.CT)
			p := 16 - len(msg)%16
			padded := append(bytes.Clone(msg), bytes.Repeat([]byte{byte(p)}, p)...)
			enc := keyed(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, secretKey(tee.TypeAES, key))
			if got := cipherChunks(t, enc, iv, padded, []int{5}); !bytes.Equal(got, ct) {
				t.Fatalf("tcId %d: got %x want %x", tc.TcID, got, ct)
			}
			dec := keyed(t, tee.AlgAESCBCNoPad, tee.ModeDecrypt, secretKey(tee.TypeAES, key))
			if got := cipherChunks(t, dec, iv, ct, []int{13}); !bytes.Equal(got, padded) {
				t.Fatalf("tcId %d: decrypt got %x want %x", tc.TcID, got, padded)
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
	if ran < 50 {
		t.Fatalf("only %d vectors ran", ran)
	}
}
