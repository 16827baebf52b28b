package crypto

import (
	"crypto"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotee/gotee/tee"
)

// Wycheproof vectors for the asymmetric and derivation algorithms (same copy as
// wycheproof_test.go; see testdata/wycheproof/README.md).

type wpAsymTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Msg     string   `json:"msg"`
	Sig     string   `json:"sig"`
	CT      string   `json:"ct"`
	Label   string   `json:"label"`
	Public  string   `json:"public"`
	Private string   `json:"private"`
	Shared  string   `json:"shared"`
	IKM     string   `json:"ikm"`
	Salt    string   `json:"salt"`
	Info    string   `json:"info"`
	Size    int      `json:"size"`
	OKM     string   `json:"okm"`
	// PBKDF2
	Password string `json:"password"`
	Iter     int    `json:"iterationCount"`
	DKLen    int    `json:"dkLen"`
	DK       string `json:"dk"`
	Result   string `json:"result"`
}

type wpAsymFile struct {
	TestGroups []struct {
		SLen      int               `json:"sLen"`
		MGFSha    string            `json:"mgfSha"`
		PublicKey map[string]any    `json:"publicKey"`
		Private   map[string]string `json:"privateKey"`
		Curve     string            `json:"curve"`
		Tests     []wpAsymTest      `json:"tests"`
	} `json:"testGroups"`
}

func loadWPAsym(tb testing.TB, name string) *wpAsymFile {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wycheproof", name))
	if err != nil {
		tb.Fatal(err)
	}
	var f wpAsymFile
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return &f
}

func (t wpAsymTest) valid() bool { return t.Result == "valid" }

func wpStr(tb testing.TB, m map[string]any, k string) string {
	tb.Helper()
	s, ok := m[k].(string)
	if !ok {
		tb.Fatalf("public key has no %q", k)
	}
	return s
}

func hashOf(h crypto.Hash, msg []byte) []byte {
	x := hashNew(h)()
	x.Write(msg)
	return x.Sum(nil)
}

func rsaPrivAttrs(tb testing.TB, m map[string]string) []tee.Attribute {
	tb.Helper()
	ids := []struct {
		k  string
		id tee.AttributeID
	}{
		{"modulus", tee.AttrRSAModulus}, {"publicExponent", tee.AttrRSAPublicExponent},
		{"privateExponent", tee.AttrRSAPrivateExponent}, {"prime1", tee.AttrRSAPrime1},
		{"prime2", tee.AttrRSAPrime2}, {"exponent1", tee.AttrRSAExponent1},
		{"exponent2", tee.AttrRSAExponent2}, {"coefficient", tee.AttrRSACoefficient},
	}
	var out []tee.Attribute
	for _, x := range ids {
		out = append(out, tee.Attribute{ID: x.id, Ref: unhex(tb, m[x.k])})
	}
	return out
}

// populated builds a Key the way the object system would: CheckAttributes first.
func populated(tb testing.TB, t tee.ObjectType, attrs []tee.Attribute) *Key {
	tb.Helper()
	bits, err := CheckAttributes(t, 4096, attrs)
	if err != nil {
		tb.Fatalf("CheckAttributes(0x%08x): %v", uint32(t), err)
	}
	return &Key{Type: t, Size: bits, Usage: tee.UsageAll, Attrs: attrs}
}

func TestWycheproofRSASignature(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
		h    crypto.Hash
	}{
		{"rsa_signature_2048_sha256_test.json", tee.AlgRSASSAPKCS1v15SHA256, crypto.SHA256},
		{"rsa_signature_2048_sha3_256_test.json", tee.AlgRSASSAPKCS1v15SHA3_256, crypto.SHA3_256},
		{"rsa_pss_2048_sha256_mgf1_32_test.json", tee.AlgRSASSAPKCS1PSSMGF1SHA256, crypto.SHA256},
		{"rsa_pss_2048_sha1_mgf1_20_test.json", tee.AlgRSASSAPKCS1PSSMGF1SHA1, crypto.SHA1},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				key := populated(t, tee.TypeRSAPublicKey, []tee.Attribute{
					{ID: tee.AttrRSAModulus, Ref: unhex(t, wpStr(t, g.PublicKey, "modulus"))},
					{ID: tee.AttrRSAPublicExponent, Ref: unhex(t, wpStr(t, g.PublicKey, "publicExponent"))},
				})
				op := keyedMax(t, f.alg, tee.ModeVerify, key, 4096)
				var params []tee.Attribute
				if g.SLen != 0 {
					params = []tee.Attribute{{ID: tee.AttrRSAPSSSaltLength, A: uint32(g.SLen)}}
				}
				for _, tc := range g.Tests {
					err := op.AsymmetricVerifyDigest(params, hashOf(f.h, unhex(t, tc.Msg)), unhex(t, tc.Sig))
					if tc.Result == "acceptable" {
						continue
					}
					if (err == nil) != tc.valid() || err != nil && !isResult(err, tee.ErrSignatureInvalid) {
						t.Errorf("tc %d (%s): %v, want %s", tc.TcID, tc.Comment, err, tc.Result)
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

// keyedMax allocates with max bits and sets k.
func keyedMax(tb testing.TB, alg tee.Algorithm, mode tee.Mode, k *Key, max int) *Operation {
	tb.Helper()
	op := alloc(tb, alg, mode, max)
	if err := op.SetKey(k); err != nil {
		tb.Fatal(err)
	}
	return op
}

func TestWycheproofRSADecrypt(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
	}{
		{"rsa_pkcs1_2048_test.json", tee.AlgRSAESPKCS1v15},
		{"rsa_oaep_2048_sha256_mgf1sha256_test.json", tee.AlgRSAESPKCS1OAEPMGF1SHA256},
		{"rsa_oaep_2048_sha256_mgf1sha1_test.json", tee.AlgRSAESPKCS1OAEPMGF1SHA256},
		{"rsa_oaep_2048_sha1_mgf1sha1_test.json", tee.AlgRSAESPKCS1OAEPMGF1SHA1},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				key := populated(t, tee.TypeRSAKeypair, rsaPrivAttrs(t, g.Private))
				dec := keyedMax(t, f.alg, tee.ModeDecrypt, key, 2048)
				enc := keyedMax(t, f.alg, tee.ModeEncrypt, key, 2048)
				var mgf []tee.Attribute
				if g.MGFSha == "SHA-1" && f.alg != tee.AlgRSAESPKCS1OAEPMGF1SHA1 {
					b := binary.NativeEndian.AppendUint32(nil, uint32(tee.AlgSHA1))
					mgf = []tee.Attribute{{ID: tee.AttrRSAOAEPMGFHash, Ref: b}}
				}
				for _, tc := range g.Tests {
					params := mgf
					if tc.Label != "" {
						params = append(params[:len(params):len(params)], tee.Attribute{ID: tee.AttrRSAOAEPLabel, Ref: unhex(t, tc.Label)})
					}
					ct, msg := unhex(t, tc.CT), unhex(t, tc.Msg)
					dst := make([]byte, 256)
					n, err := dec.AsymmetricDecrypt(dst, params, ct)
					switch {
					case tc.valid() && (err != nil || string(dst[:n]) != string(msg)):
						t.Errorf("tc %d (%s): %x, %v; want %x", tc.TcID, tc.Comment, dst[:n], err, msg)
					case !tc.valid() && !isResult(err, tee.ErrBadParameters):
						t.Errorf("tc %d (%s): %v, want BAD_PARAMETERS", tc.TcID, tc.Comment, err)
					}
					if tc.valid() {
						// Round trip through our encryption too.
						c := make([]byte, 256)
						if n, err := enc.AsymmetricEncrypt(c, params, msg); err != nil || n != 256 {
							t.Fatalf("tc %d: encrypt %d, %v", tc.TcID, n, err)
						}
						n, err := dec.AsymmetricDecrypt(dst, params, c)
						if err != nil || string(dst[:n]) != string(msg) {
							t.Errorf("tc %d: round trip %x, %v", tc.TcID, dst[:n], err)
						}
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

var wpCurves = map[string]tee.Element{
	"secp192r1": tee.CurveNISTP192, "secp224r1": tee.CurveNISTP224, "secp256r1": tee.CurveNISTP256,
	"secp384r1": tee.CurveNISTP384, "secp521r1": tee.CurveNISTP521,
}

func TestWycheproofECDSA(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
		h    crypto.Hash
	}{
		{"ecdsa_secp192r1_sha256_p1363_test.json", tee.AlgECDSASHA256, crypto.SHA256},
		{"ecdsa_secp224r1_sha224_p1363_test.json", tee.AlgECDSASHA224, crypto.SHA224},
		{"ecdsa_secp256r1_sha256_p1363_test.json", tee.AlgECDSASHA256, crypto.SHA256},
		{"ecdsa_secp384r1_sha384_p1363_test.json", tee.AlgECDSASHA384, crypto.SHA384},
		{"ecdsa_secp521r1_sha512_p1363_test.json", tee.AlgECDSASHA512, crypto.SHA512},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				curve := wpCurves[wpStr(t, g.PublicKey, "curve")]
				key := populated(t, tee.TypeECDSAPublicKey, []tee.Attribute{
					{ID: tee.AttrECCPublicValueX, Ref: unhex(t, wpStr(t, g.PublicKey, "wx"))},
					{ID: tee.AttrECCPublicValueY, Ref: unhex(t, wpStr(t, g.PublicKey, "wy"))},
					{ID: tee.AttrECCCurve, A: uint32(curve)},
				})
				op := keyedMax(t, f.alg, tee.ModeVerify, key, key.Size)
				for _, tc := range g.Tests {
					err := op.AsymmetricVerifyDigest(nil, hashOf(f.h, unhex(t, tc.Msg)), unhex(t, tc.Sig))
					if (err == nil) != tc.valid() || err != nil && !isResult(err, tee.ErrSignatureInvalid) {
						t.Errorf("tc %d (%s): %v, want %s", tc.TcID, tc.Comment, err, tc.Result)
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

func TestWycheproofECDH(t *testing.T) {
	for _, file := range []string{"ecdh_secp224r1_ecpoint_test.json", "ecdh_secp256r1_ecpoint_test.json", "ecdh_secp384r1_ecpoint_test.json", "ecdh_secp521r1_ecpoint_test.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, file)
			ran := 0
			ops := map[string]*Operation{} // by private key: most vectors share one
			for _, g := range wp.TestGroups {
				c := curves[wpCurves[g.Curve]]
				for _, tc := range g.Tests {
					// The private scalar's public point: build the attributes the way a TA
					// would import them, then derive with the peer's ecpoint.
					op := ops[tc.Private]
					if op == nil {
						key, err := eccKeyFromScalar(c, unhex(t, tc.Private))
						if err != nil {
							t.Fatalf("tc %d: private key: %v", tc.TcID, err)
						}
						op = keyedMax(t, tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, key, c.bits)
						ops[tc.Private] = op
					}
					pub := unhex(t, tc.Public)
					var params []tee.Attribute
					if len(pub) == 1+2*c.bytes && pub[0] == 4 {
						params = []tee.Attribute{
							{ID: tee.AttrECCPublicValueX, Ref: pub[1 : 1+c.bytes]},
							{ID: tee.AttrECCPublicValueY, Ref: pub[1+c.bytes:]},
						}
					} else {
						// Compressed or malformed encodings cannot be expressed as GP's X and Y.
						if tc.valid() && tc.Result != "acceptable" {
							t.Logf("tc %d: skipping %s (%d bytes)", tc.TcID, tc.Comment, len(pub))
						}
						continue
					}
					s, err := op.DeriveKey(params)
					switch {
					case tc.Result == "acceptable":
					case tc.valid() && (err != nil || string(s) != string(unhex(t, tc.Shared))):
						t.Errorf("tc %d (%s): %x, %v", tc.TcID, tc.Comment, s, err)
					case !tc.valid() && !isResult(err, tee.ErrBadParameters):
						t.Errorf("tc %d (%s): %x, %v; want BAD_PARAMETERS", tc.TcID, tc.Comment, s, err)
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

func TestWycheproofX25519(t *testing.T) {
	wp := loadWPAsym(t, "x25519_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			priv := unhex(t, tc.Private)
			key, err := x25519KeyFromPrivate(priv)
			if err != nil {
				t.Fatal(err)
			}
			op := keyed(t, tee.AlgX25519, tee.ModeDerive, key)
			s, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrX25519PublicValue, Ref: unhex(t, tc.Public)}})
			shared := unhex(t, tc.Shared)
			zero := string(shared) == string(make([]byte, 32))
			switch {
			case zero:
				// Low-order points: crypto/ecdh refuses the all-zero secret (RFC 7748 §6.1).
				if !isResult(err, tee.ErrBadParameters) {
					t.Errorf("tc %d (%s): %x, %v; want BAD_PARAMETERS", tc.TcID, tc.Comment, s, err)
				}
			case tc.Result != "invalid" && (err != nil || string(s) != string(shared)):
				t.Errorf("tc %d (%s): %x, %v", tc.TcID, tc.Comment, s, err)
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
}

func TestWycheproofEd25519(t *testing.T) {
	wp := loadWPAsym(t, "ed25519_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		key := populated(t, tee.TypeEd25519PublicKey, []tee.Attribute{{ID: tee.AttrEd25519PublicValue, Ref: unhex(t, wpStr(t, g.PublicKey, "pk"))}})
		op := keyed(t, tee.AlgEd25519, tee.ModeVerify, key)
		for _, tc := range g.Tests {
			err := op.AsymmetricVerifyDigest(nil, unhex(t, tc.Msg), unhex(t, tc.Sig))
			if (err == nil) != tc.valid() || err != nil && !isResult(err, tee.ErrSignatureInvalid) {
				t.Errorf("tc %d (%s): %v, want %s", tc.TcID, tc.Comment, err, tc.Result)
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
}

func TestWycheproofDSA(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
		h    crypto.Hash
	}{
		{"dsa_2048_224_sha224_p1363_test.json", tee.AlgDSASHA224, crypto.SHA224},
		{"dsa_2048_256_sha256_p1363_test.json", tee.AlgDSASHA256, crypto.SHA256},
		{"dsa_3072_256_sha256_p1363_test.json", tee.AlgDSASHA256, crypto.SHA256},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				pk := g.PublicKey
				key := populated(t, tee.TypeDSAPublicKey, []tee.Attribute{
					{ID: tee.AttrDSAPrime, Ref: unhex(t, wpStr(t, pk, "p"))},
					{ID: tee.AttrDSASubprime, Ref: unhex(t, wpStr(t, pk, "q"))},
					{ID: tee.AttrDSABase, Ref: unhex(t, wpStr(t, pk, "g"))},
					{ID: tee.AttrDSAPublicValue, Ref: unhex(t, wpStr(t, pk, "y"))},
				})
				op := keyedMax(t, f.alg, tee.ModeVerify, key, key.Size)
				for _, tc := range g.Tests {
					err := op.AsymmetricVerifyDigest(nil, hashOf(f.h, unhex(t, tc.Msg)), unhex(t, tc.Sig))
					if (err == nil) != tc.valid() || err != nil && !isResult(err, tee.ErrSignatureInvalid) {
						t.Errorf("tc %d (%s): %v, want %s", tc.TcID, tc.Comment, err, tc.Result)
					}
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

func TestWycheproofHKDF(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
		h    tee.Algorithm
	}{
		{"hkdf_sha1_test.json", tee.AlgHKDFSHA1DeriveKey, tee.AlgSHA1},
		{"hkdf_sha256_test.json", tee.AlgHKDFSHA256DeriveKey, tee.AlgSHA256},
		{"hkdf_sha384_test.json", tee.AlgHKDFSHA384DeriveKey, tee.AlgSHA384},
		{"hkdf_sha512_test.json", tee.AlgHKDFSHA512DeriveKey, tee.AlgSHA512},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				for _, tc := range g.Tests {
					ikm := unhex(t, tc.IKM)
					if len(ikm) > 512 || tc.Size > maxDerivedBytes {
						continue // larger than any GP object
					}
					// OP-TEE's algorithm, with its own attribute IDs ...
					op := keyedMax(t, f.alg, tee.ModeDerive, &Key{Type: tee.TypeHKDFIKM, Usage: tee.UsageAll, Attrs: []tee.Attribute{{ID: tee.AttrHKDFIKM, Ref: ikm}}}, 4096)
					okm, err := op.DeriveKey([]tee.Attribute{
						{ID: tee.AttrOPTEEHKDFSalt, Ref: unhex(t, tc.Salt)},
						{ID: tee.AttrOPTEEHKDFInfo, Ref: unhex(t, tc.Info)},
						{ID: tee.AttrHKDFOKMLength, A: uint32(tc.Size)},
					})
					checkKDF(t, tc, okm, err, tc.OKM)
					// ... and GP 1.3.1's TEE_ALG_HKDF with the hash as a parameter.
					op = keyedMax(t, tee.AlgHKDF, tee.ModeDerive, &Key{Type: tee.TypeHKDF, Usage: tee.UsageAll, Secret: ikm}, 4096)
					okm, err = op.DeriveKey([]tee.Attribute{
						{ID: tee.AttrHKDFSalt, Ref: unhex(t, tc.Salt)},
						{ID: tee.AttrHKDFInfo, Ref: unhex(t, tc.Info)},
						{ID: tee.AttrHKDFHashAlgorithm, A: uint32(f.h)},
						{ID: tee.AttrKDFKeySize, A: uint32(tc.Size)},
					})
					checkKDF(t, tc, okm, err, tc.OKM)
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}

func checkKDF(tb testing.TB, tc wpAsymTest, got []byte, err error, want string) {
	tb.Helper()
	switch {
	case tc.valid() && (err != nil || string(got) != string(unhex(tb, want))):
		tb.Errorf("tc %d (%s): %x, %v; want %s", tc.TcID, tc.Comment, got, err, want)
	case !tc.valid() && err == nil:
		tb.Errorf("tc %d (%s): %x, want an error", tc.TcID, tc.Comment, got)
	}
}

func TestWycheproofPBKDF2(t *testing.T) {
	files := []struct {
		file string
		alg  tee.Algorithm
	}{
		{"pbkdf2_hmacsha1_test.json", tee.AlgPBKDF2HMACSHA1DeriveKey},
		{"pbkdf2_hmacsha256_test.json", tee.AlgPBKDF2HMACSHA256DeriveKey},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			t.Parallel()
			wp := loadWPAsym(t, f.file)
			ran := 0
			for _, g := range wp.TestGroups {
				for _, tc := range g.Tests {
					if tc.Iter > 4096 && os.Getenv("GOTEE_SLOW_TESTS") == "" {
						continue // RFC 6070's 2^24-iteration vector takes most of a minute
					}
					if tc.DKLen > maxDerivedBytes {
						continue
					}
					op := keyedMax(t, f.alg, tee.ModeDerive, &Key{Type: tee.TypePBKDF2Password, Usage: tee.UsageAll, Attrs: []tee.Attribute{{ID: tee.AttrPBKDF2Password, Ref: unhex(t, tc.Password)}}}, 4096)
					dk, err := op.DeriveKey([]tee.Attribute{
						{ID: tee.AttrPBKDF2Salt, Ref: unhex(t, tc.Salt)},
						{ID: tee.AttrPBKDF2IterationCount, A: uint32(tc.Iter)},
						{ID: tee.AttrPBKDF2DKMLength, A: uint32(tc.DKLen)},
					})
					checkKDF(t, tc, dk, err, tc.DK)
					ran++
				}
			}
			t.Logf("%d vectors", ran)
		})
	}
}
