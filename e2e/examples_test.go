package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

// The OP-TEE examples whose TAs examples/ta has with the same UUIDs and commands,
// each run the way its host program can be run: the Go clients in examples/client
// take the same arguments as the C hosts of optee_examples.

// exampleRun is one run of an example client: its arguments and what its output
// must contain. The C hosts of optee_examples exit 0 even when a check fails, so
// the output, not only the exit status, says whether the run worked.
type exampleRun struct {
	args []string
	want string
	// sum, when set, is a digest or MAC the output must show after "<label>: ".
	label string
	sum   []byte
	// unsupported, when set, says why the TEE may refuse this run with
	// TEE_ERROR_NOT_SUPPORTED; the run is then skipped rather than failed.
	unsupported string
}

type example struct {
	name string
	runs []exampleRun
}

// shaMessage is what the sha runs hash and MAC.
const shaMessage = "The quick brown fox"

func examples() []example {
	aes := []exampleRun{{want: "Clear text and decoded text match"}}
	for _, a := range []string{"ECB", "CBC", "CTR"} {
		aes = append(aes, exampleRun{args: []string{"TA_AES_ALGO_" + a}, want: "Clear text and decoded text match"})
	}
	for _, a := range []string{"CCM", "GCM"} {
		aes = append(aes, exampleRun{args: []string{"TA_AES_ALGO_" + a}, want: "encryption/decryption successful!"})
	}

	acipher := []exampleRun{{args: []string{"2048", "Hello from a client"}, want: "message is matching successfully"}}
	for _, h := range []string{"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"} {
		acipher = append(acipher, exampleRun{args: []string{"2048", "Hello from a client", "TA_ALG_OAEP_MGF1_" + h}, want: "message is matching successfully"})
	}
	acipher = append(acipher, exampleRun{args: []string{"3072", "Hello"}, want: "message is matching successfully"})

	signVerify := []exampleRun{{want: "Sign and verify successful. Signature length: 256 bytes"}}
	for _, h := range []string{"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"} {
		for _, pad := range []string{"PKCS1_V1_5_", "PKCS1_PSS_MGF1_"} {
			signVerify = append(signVerify, exampleRun{args: []string{"2048", pad + h}, want: "Sign and verify successful. Signature length: 256 bytes"})
		}
	}
	signVerify = append(signVerify, exampleRun{args: []string{"3072", "PKCS1_PSS_MGF1_SHA256"}, want: "Signature length: 384 bytes"})

	ecdsa := []exampleRun{{want: "verify signature successfully."},
		{args: []string{"ECDSA_SHA1"}, want: "verify signature successfully."}}
	for _, h := range []string{"SHA224", "SHA256", "SHA384", "SHA512"} {
		ecdsa = append(ecdsa, exampleRun{args: []string{"ECDSA_" + h}, want: "verify signature successfully."})
	}

	return []example{
		{"aes", aes},
		{"hotp", []exampleRun{{want: "HOTP: 520489"}}},
		{"sha", shaRuns()},
		{"acipher", acipher},
		{"sign_verify", signVerify},
		{"ecdsa", ecdsa},
		{"ecdh", []exampleRun{{want: "ECDH shared secret (48 bytes) on curve id 3:"}}},
		// object#2 outlives a run: the first run on a fresh teed creates it, the
		// second finds it and deletes it.
		{"secure_storage", []exampleRun{
			{args: nil, want: "Object not found in TA secure storage, create it."},
			{args: []string{}, want: "Object found in TA secure storage, delete it."},
		}},
	}
}

// shaRuns are the sha example's algorithms, each with the value it must print,
// computed here with Go's own hashes. The sha TA feeds the message to its MAC
// twice, as OP-TEE's does, and the host's key is 0xa5 repeated.
func shaRuns() []exampleRun {
	msg := []byte(shaMessage)
	mac := func(h func() hash.Hash, keySize int) []byte {
		m := hmac.New(h, []byte(strings.Repeat("\xa5", keySize)))
		m.Write(msg)
		m.Write(msg)
		return m.Sum(nil)
	}
	s1, s224, s256 := sha1.Sum(msg), sha256.Sum224(msg), sha256.Sum256(msg)
	s384, s512 := sha512.Sum384(msg), sha512.Sum512(msg)
	s3224, s3256, s3384, s3512 := sha3.Sum224(msg), sha3.Sum256(msg), sha3.Sum384(msg), sha3.Sum512(msg)
	runs := []exampleRun{
		{args: nil, label: "MAC", sum: mac(sha256.New, 128)},
		{args: []string{"HMAC_SHA1"}, label: "MAC", sum: mac(sha1.New, 64)},
		{args: []string{"HMAC_SHA224"}, label: "MAC", sum: mac(sha256.New224, 64)},
		{args: []string{"HMAC_SHA256"}, label: "MAC", sum: mac(sha256.New, 128)},
		{args: []string{"HMAC_SHA384"}, label: "MAC", sum: mac(sha512.New384, 128)},
		{args: []string{"HMAC_SHA512"}, label: "MAC", sum: mac(sha512.New, 128)},
		{args: []string{"AES_CMAC"}, want: "MAC successfully matching"},
		{args: []string{"SHA1"}, label: "digest", sum: s1[:]},
		{args: []string{"SHA224"}, label: "digest", sum: s224[:]},
		{args: []string{"SHA256"}, label: "digest", sum: s256[:]},
		{args: []string{"SHA384"}, label: "digest", sum: s384[:]},
		{args: []string{"SHA512"}, label: "digest", sum: s512[:]},
		{args: []string{"SHA3_224"}, label: "digest", sum: s3224[:]},
		{args: []string{"SHA3_256"}, label: "digest", sum: s3256[:]},
		{args: []string{"SHA3_384"}, label: "digest", sum: s3384[:]},
		{args: []string{"SHA3_512"}, label: "digest", sum: s3512[:]},
		// The host's digest buffer is 64 bytes, and an extendable-output function
		// fills all of it.
		{args: []string{"SHAKE128"}, label: "digest", sum: sha3.SumSHAKE128(msg, 64)},
		{args: []string{"SHAKE256"}, label: "digest", sum: sha3.SumSHAKE256(msg, 64)},
	}
	for i := range runs {
		runs[i].args = append([]string{shaMessage}, runs[i].args...)
		if runs[i].label == "MAC" {
			runs[i].want = "MAC successfully matching"
		}
	}
	return runs
}

// hexSum formats a sum as the example prints it. The C host of the sha example
// prints each byte through a plain (signed) char, so bytes of 0x80 and above come
// out sign-extended, as ffffff80.
func hexSum(b []byte, cHost bool) string {
	if !cHost {
		return hex.EncodeToString(b)
	}
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%02x", uint32(int32(int8(c))))
	}
	return s.String()
}

// runExamples runs prog (the example's client, given its name) for each run of ex.
func runExamples(t *testing.T, td *Teed, ex example, prog string, cHost bool) {
	t.Helper()
	for _, r := range ex.runs {
		name := strings.Join(r.args, " ")
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			out, err := td.Run(prog, r.args...)
			if err != nil && r.unsupported != "" && strings.Contains(out, "0xffff000a") {
				t.Skipf("NOT_SUPPORTED: %s", r.unsupported)
			}
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", ex.name, name, err, out)
			}
			if !strings.Contains(out, r.want) {
				t.Fatalf("%s %s: output lacks %q:\n%s", ex.name, name, r.want, out)
			}
			if r.sum != nil {
				line := r.label + ": " + hexSum(r.sum, cHost) + "\n"
				if !strings.Contains(out, line) {
					t.Fatalf("%s %s: output lacks %q:\n%s", ex.name, name, line, out)
				}
			}
			if strings.Contains(out, "unexpected") {
				t.Fatalf("%s %s: the client saw an unexpected value:\n%s", ex.name, name, out)
			}
		})
	}
}

func testExample(t *testing.T, name string) {
	for _, ex := range examples() {
		if ex.name == name {
			runExamples(t, StartTeed(t), ex, Bin(name), false)
			return
		}
	}
	t.Fatalf("no example %s", name)
}

// The Go client of each example, against its TA under a real teed.

func TestExampleAES(t *testing.T)           { testExample(t, "aes") }
func TestExampleHOTP(t *testing.T)          { testExample(t, "hotp") }
func TestExampleSHA(t *testing.T)           { testExample(t, "sha") }
func TestExampleACipher(t *testing.T)       { testExample(t, "acipher") }
func TestExampleSignVerify(t *testing.T)    { testExample(t, "sign_verify") }
func TestExampleECDSA(t *testing.T)         { testExample(t, "ecdsa") }
func TestExampleECDH(t *testing.T)          { testExample(t, "ecdh") }
func TestExampleSecureStorage(t *testing.T) { testExample(t, "secure_storage") }

// optExamplesEnv names a checkout of OP-TEE's optee_examples (a directory with
// <name>/host/main.c and <name>/ta/include). When it is set,
// TestOPTEEExampleHosts builds each example's own host program, unmodified,
// against build/include and build/lib/libteec.so, and runs it against our TAs.
const optExamplesEnv = "GOTEE_OPTEE_EXAMPLES"

func TestOPTEEExampleHosts(t *testing.T) {
	dir := os.Getenv(optExamplesEnv)
	if dir == "" {
		t.Skipf("set %s to a checkout of optee_examples to run its host programs", optExamplesEnv)
	}
	needLib(t)
	lib := filepath.Join(buildDir, "lib")
	td := StartTeed(t)
	for _, ex := range examples() {
		t.Run(ex.name, func(t *testing.T) {
			src := filepath.Join(dir, ex.name, "host", "main.c")
			if _, err := os.Stat(src); err != nil {
				t.Fatalf("%s: %v", optExamplesEnv, err)
			}
			// Their code, their warnings: no -Werror.
			prog := filepath.Join(t.TempDir(), ex.name)
			runCC(t, prog, []string{
				"-I", filepath.Join(dir, ex.name, "ta", "include"), "-I", filepath.Join(buildDir, "include"),
				"-o", prog, src, "-L", lib, "-lteec", "-Wl,-rpath," + lib,
			})
			runExamples(t, td, ex, prog, true)
		})
	}
}

// TestExampleTAErrors checks the example TAs' answers to bad calls: the codes
// their OP-TEE counterparts return, from the TA, with the instance still alive.
func TestExampleTAErrors(t *testing.T) {
	td := StartTeed(t)
	c := td.Connect(t)
	ctx := context.Background()
	val := func(a uint32) *client.Value { return &client.Value{Type: tee.ValueInput, A: a} }
	in := func(b []byte) *client.TempMemory { return &client.TempMemory{Type: tee.MemrefTempInput, Buffer: b} }
	out := func(n int) *client.TempMemory {
		return &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, n)}
	}
	type call struct {
		cmd    uint32
		params []client.Param
		want   tee.Result
	}
	tests := []struct {
		name  string
		uuid  string
		calls []call
	}{
		{"aes", "5dbac793-f574-4871-8ad3-04331ec17f24", []call{
			{3, []client.Param{in(make([]byte, 16)), out(16)}, tee.ErrBadState}, // CIPHER before PREPARE
			{0, []client.Param{val(5), val(16), val(1)}, tee.ErrBadParameters},  // no algorithm 5
			{0, []client.Param{val(0), val(24), val(1)}, tee.ErrBadParameters},  // 192-bit keys are not offered
			{0, []client.Param{val(0), val(16), val(2)}, tee.ErrBadParameters},  // no mode 2
			{0, []client.Param{val(1), val(16)}, tee.ErrBadParameters},          // parameter types
			{0, []client.Param{val(1), val(16), val(1)}, tee.Success},
			{1, []client.Param{in(make([]byte, 32))}, tee.ErrBadParameters}, // not the prepared key size
			{2, []client.Param{in(make([]byte, 16))}, tee.Success},
			{3, []client.Param{in(make([]byte, 32)), out(16)}, tee.ErrBadParameters}, // output smaller than input
			{3, []client.Param{in(make([]byte, 32)), out(32)}, tee.Success},
			{9, nil, tee.ErrNotSupported},
		}},
		{"hotp", "484d4143-2d53-4841-3120-4a6f636b6542", []call{
			{1, []client.Param{&client.Value{Type: tee.ValueOutput}}, tee.ErrBadParameters}, // no key yet
			{0, []client.Param{in(make([]byte, 65))}, tee.ErrBadParameters},                 // key too long
			{0, []client.Param{in(make([]byte, 9))}, tee.Success},
			{1, []client.Param{&client.Value{Type: tee.ValueOutput}}, tee.ErrBadParameters}, // key too short for HMAC-SHA1
			{0, []client.Param{in([]byte("12345678901234567890"))}, tee.Success},
			{1, []client.Param{&client.Value{Type: tee.ValueInput}}, tee.ErrBadParameters},
			{1, []client.Param{&client.Value{Type: tee.ValueOutput}}, tee.Success},
			{2, nil, tee.ErrBadParameters},
		}},
		{"sha", "1dc6a16b-2fba-4aa1-9519-ea8a6c8c16e5", []call{
			{1, []client.Param{in(make([]byte, 16))}, tee.ErrBadState}, // SET_KEY before PREPARE
			{0, []client.Param{val(uint32(tee.AlgHMACSHA256)), val(128), val(6)}, tee.ErrBadParameters},
			{0, []client.Param{val(uint32(tee.AlgHMACSHA256)), val(8), val(0)}, tee.ErrNotSupported}, // 64-bit HMAC-SHA256 key
			{5, []client.Param{in([]byte("abc")), out(64), val(uint32(tee.AlgHMACSHA256))}, tee.ErrNotSupported},
			{5, []client.Param{in([]byte("abc")), out(16), val(uint32(tee.AlgSHA256))}, tee.ErrShortBuffer},
			{5, []client.Param{in([]byte("abc")), out(32), val(uint32(tee.AlgSHA256))}, tee.Success},
			{9, nil, tee.ErrNotSupported},
		}},
		{"acipher", "a734eed9-d6a1-4244-aa50-7c99719e7b7b", []call{
			// ENCRYPT_DECRYPT before GEN_KEY, then a key size RSA does not have.
			{1, []client.Param{in([]byte("x")), out(256), val(1), val(uint32(tee.AlgRSAESPKCS1v15))}, tee.ErrBadState},
			{0, []client.Param{val(1 << 20)}, tee.ErrNotSupported},
			{0, []client.Param{val(2048), val(0)}, tee.ErrBadParameters},
			{9, nil, tee.ErrNotSupported},
		}},
		{"sign_verify", "f066f150-42af-404f-ae32-c8e6cd117e70", []call{
			{0, []client.Param{in([]byte("x")), out(256), val(10), val(2048)}, tee.ErrBadParameters},
			{0, []client.Param{in([]byte("x")), out(16), val(7), val(2048)}, tee.ErrShortBuffer},
			{1, nil, tee.ErrBadParameters},
		}},
		{"ecdsa", "1945e8e7-0278-4bfb-bb99-af1080b2a934", []call{
			{1, nil, tee.ErrBadParameters}, // no algorithm chosen yet
			{2, []client.Param{in(make([]byte, 32)), out(64)}, tee.ErrBadState},
			{0, []client.Param{in([]byte("x")), out(64), val(uint32(tee.AlgSHA256))}, tee.ErrBadParameters},
			{0, []client.Param{in([]byte("x")), out(64), val(uint32(tee.AlgECDSASHA256))}, tee.Success},
			{1, nil, tee.Success},
			{2, []client.Param{in(make([]byte, 32)), out(32)}, tee.ErrShortBuffer},
			{2, []client.Param{in(make([]byte, 32)), out(64)}, tee.Success},
			{9, nil, tee.ErrBadParameters},
		}},
		{"ecdh", "50c82425-94da-4072-a3e0-58ef063767c0", []call{
			{0, []client.Param{val(4), nil, nil, out(66)}, tee.ErrBadParameters}, // no curve 4
			{0, []client.Param{val(2), nil, nil, out(16)}, tee.ErrShortBuffer},
			{0, []client.Param{val(2), nil, nil, out(32)}, tee.Success},
			{0, []client.Param{val(2), out(32)}, tee.ErrBadParameters},
			{1, nil, tee.ErrBadParameters},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := c.OpenSession(ctx, tee.MustParseUUID(tt.uuid), client.Public, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i, call := range tt.calls {
				op := &client.Operation{}
				copy(op.Params[:], call.params)
				err := s.Invoke(ctx, call.cmd, op)
				if call.want == tee.Success {
					if err != nil {
						t.Fatalf("call %d (command %d): %v", i, call.cmd, err)
					}
					continue
				}
				var te *tee.Error
				if !errors.As(err, &te) || te.Code != call.want || te.Origin != tee.OriginTrustedApp {
					t.Fatalf("call %d (command %d): got %v, want %v from the TA", i, call.cmd, err, call.want)
				}
			}
		})
	}
}
