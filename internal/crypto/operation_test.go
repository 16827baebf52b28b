package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"

	"github.com/gotee/gotee/tee"
)

func TestAllocateNotSupported(t *testing.T) {
	tests := []struct {
		name string
		alg  tee.Algorithm
		mode tee.Mode
		max  int
	}{
		{"unknown", 0x12345678, tee.ModeEncrypt, 128},
		{"mode", tee.AlgAESCBCNoPad, tee.ModeMAC, 128},
		{"digest mode", tee.AlgSHA256, tee.ModeEncrypt, 0},
		{"MAC mode", tee.AlgHMACSHA256, tee.ModeDigest, 256},
		{"AES size", tee.AlgAESCBCNoPad, tee.ModeEncrypt, 100},
		{"DES size", tee.AlgDESECBNoPad, tee.ModeEncrypt, 128},
		{"3DES size", tee.AlgDES3ECBNoPad, tee.ModeEncrypt, 64},
		{"XTS size", tee.AlgAESXTS, tee.ModeEncrypt, 128},
		{"HMAC size", tee.AlgHMACSHA256, tee.ModeMAC, 128},
		{"CCM mode", tee.AlgAESCCM, tee.ModeMAC, 128},
		{"SM4 size", tee.AlgSM4CBCNoPad, tee.ModeEncrypt, 192},
		// OP-TEE defines these IDs but TEE_AllocateOperation refuses them.
		{"SM4 ECB PKCS5", tee.AlgSM4ECBPKCS5, tee.ModeEncrypt, 128},
		{"SM4 CBC PKCS5", tee.AlgSM4CBCPKCS5, tee.ModeEncrypt, 128},
		{"MD5SHA1", tee.AlgMD5SHA1, tee.ModeDigest, 0},
		{"SHAKE mode", tee.AlgSHAKE128, tee.ModeMAC, 0},
		{"RSA mode", tee.AlgRSANoPad, tee.ModeSign, 2048},
		{"Ed448 size", tee.AlgEd448, tee.ModeSign, 464},
		{"X448 mode", tee.AlgX448, tee.ModeSign, 448},
	}
	for _, tc := range tests {
		if _, err := Allocate(tc.alg, tc.mode, tc.max); err != tee.ErrNotSupported {
			t.Errorf("%s: Allocate = %v, want NOT_SUPPORTED", tc.name, err)
		}
	}
	if err := IsAlgorithmSupported(tee.AlgAESGCM, tee.ElementNone); err != nil {
		t.Errorf("IsAlgorithmSupported(GCM) = %v", err)
	}
	if err := IsAlgorithmSupported(tee.AlgAESGCM, tee.CurveNISTP256); err != tee.ErrNotSupported {
		t.Errorf("IsAlgorithmSupported(GCM, P256) = %v", err)
	}
	for _, alg := range []tee.Algorithm{tee.AlgAESCCM, tee.AlgSM3, tee.AlgHMACSM3, tee.AlgSM4ECBNoPad, tee.AlgSM4CBCNoPad,
		tee.AlgSM4CTR, tee.AlgSHAKE128, tee.AlgSHAKE256} {
		if err := IsAlgorithmSupported(alg, tee.ElementNone); err != nil {
			t.Errorf("IsAlgorithmSupported(%v) = %v", alg, err)
		}
	}
	for _, alg := range []tee.Algorithm{tee.AlgSM4ECBPKCS5, tee.AlgSM4CBCPKCS5, tee.AlgMD5SHA1} {
		if err := IsAlgorithmSupported(alg, tee.ElementNone); err != tee.ErrNotSupported {
			t.Errorf("IsAlgorithmSupported(%v) = %v", alg, err)
		}
	}
}

var aesKey128 = secretKey(tee.TypeAES, bytes.Repeat([]byte{1}, 16))

func TestInfo(t *testing.T) {
	d := alloc(t, tee.AlgSHA384, tee.ModeDigest, 0)
	if got := d.Info(); got.Class != tee.ClassDigest || got.DigestLength != 48 || got.HandleState != tee.FlagKeySet|tee.FlagInitialized {
		t.Errorf("digest info %+v", got)
	}
	if got := d.InfoMultiple(); len(got.Keys) != 0 || got.OperationState != tee.StateInitial {
		t.Errorf("digest info multiple %+v", got)
	}
	d.DigestUpdate([]byte("x"))
	if d.State() != tee.StateActive {
		t.Errorf("digest state after update %v", d.State())
	}

	op := alloc(t, tee.AlgAESCBCNoPad, tee.ModeDecrypt, 256)
	want := OperationInfo{Algorithm: tee.AlgAESCBCNoPad, Class: tee.ClassCipher, Mode: tee.ModeDecrypt, MaxKeySize: 256, RequiredKeyUsage: tee.UsageDecrypt}
	if got := op.Info(); got != want {
		t.Errorf("info %+v, want %+v", got, want)
	}
	op.SetKey(aesKey128)
	want.KeySize, want.HandleState = 128, tee.FlagKeySet
	if got := op.Info(); got != want {
		t.Errorf("info after SetKey %+v, want %+v", got, want)
	}
	op.CipherInit(make([]byte, 16))
	if got := op.InfoMultiple(); got.HandleState != tee.FlagKeySet|tee.FlagInitialized || got.OperationState != tee.StateActive ||
		len(got.Keys) != 1 || got.Keys[0] != (KeyInformation{128, tee.UsageDecrypt}) {
		t.Errorf("info multiple after init %+v", got)
	}
	op.CipherDoFinal(nil, nil)
	if got := op.Info().HandleState; got != tee.FlagKeySet {
		t.Errorf("handle state after final %#x", got)
	}
	op.SetKey(nil)
	if got := op.Info(); got.HandleState != 0 || got.KeySize != 0 {
		t.Errorf("info after clearing key %+v", got)
	}

	x := alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 512)
	x.SetKey2(secretKey(tee.TypeAES, make([]byte, 32)), secretKey(tee.TypeAES, make([]byte, 32)))
	if got := x.Info(); got.KeySize != 0 || got.RequiredKeyUsage != 0 || got.HandleState != tee.FlagKeySet|tee.FlagExpectTwoKeys {
		t.Errorf("XTS info %+v", got)
	}
	if got := x.InfoMultiple(); len(got.Keys) != 2 || got.Keys[1] != (KeyInformation{256, tee.UsageEncrypt}) {
		t.Errorf("XTS info multiple %+v", got)
	}
}

type brokenKey struct{ err error }

func (b brokenKey) OperationKey() (*Key, error) { return nil, b.err }

func TestMisusePanics(t *testing.T) {
	cbc := func() *Operation { return keyed(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, aesKey128) }
	iv := make([]byte, 16)
	tests := []struct {
		name string
		f    func()
	}{
		{"update before init", func() { cbc().CipherUpdate(make([]byte, 16), make([]byte, 16)) }},
		{"final before init", func() { cbc().CipherDoFinal(nil, nil) }},
		{"init without key", func() { alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).CipherInit(iv) }},
		{"wrong class", func() { cbc().DigestUpdate(nil) }},
		{"MAC on cipher", func() { cbc().MACInit(nil) }},
		{"AE on cipher", func() { cbc().AEInit(iv, 128, 0, 0) }},
		{"ECB with IV", func() { keyed(t, tee.AlgAESECBNoPad, tee.ModeEncrypt, aesKey128).CipherInit(iv) }},
		{"CBC short IV", func() { cbc().CipherInit(iv[:8]) }},
		{"CBC no IV", func() { cbc().CipherInit(nil) }},
		{"NOPAD partial block", func() { op := cbc(); op.CipherInit(iv); op.CipherDoFinal(make([]byte, 32), make([]byte, 17)) }},
		{"DES NOPAD partial block", func() {
			op := keyed(t, tee.AlgDESECBNoPad, tee.ModeEncrypt, secretKey(tee.TypeDES, make([]byte, 8)))
			op.CipherInit(nil)
			op.CipherUpdate(make([]byte, 8), make([]byte, 5))
			op.CipherDoFinal(make([]byte, 8), nil)
		}},
		{"CTS short", func() {
			op := keyed(t, tee.AlgAESCTS, tee.ModeEncrypt, aesKey128)
			op.CipherInit(iv)
			op.CipherDoFinal(make([]byte, 16), make([]byte, 15))
		}},
		{"XTS partial", func() {
			op := alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 256)
			op.SetKey2(aesKey128, aesKey128)
			op.CipherInit(iv)
			op.CipherDoFinal(make([]byte, 40), make([]byte, 33))
		}},
		{"XTS wide tweak", func() {
			op := alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 256)
			op.SetKey2(aesKey128, aesKey128)
			op.CipherInit(bytes.Repeat([]byte{1}, 16))
		}},
		{"SetKey while active", func() { op := cbc(); op.CipherInit(iv); op.SetKey(aesKey128) }},
		{"SetKey on digest", func() { alloc(t, tee.AlgSHA1, tee.ModeDigest, 0).SetKey(aesKey128) }},
		{"SetKey wrong type", func() {
			alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).SetKey(secretKey(tee.TypeDES3, make([]byte, 16)))
		}},
		{"SetKey too large", func() {
			alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).SetKey(secretKey(tee.TypeAES, make([]byte, 32)))
		}},
		{"SetKey bad size", func() {
			alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 256).SetKey(secretKey(tee.TypeAES, make([]byte, 20)))
		}},
		{"SetKey size mismatch", func() {
			alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 256).SetKey(&Key{Type: tee.TypeAES, Size: 256, Usage: tee.UsageAll, Secret: make([]byte, 16)})
		}},
		{"SetKey usage", func() {
			alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).SetKey(&Key{Type: tee.TypeAES, Usage: tee.UsageDecrypt, Secret: make([]byte, 16)})
		}},
		{"SetKey broken object", func() { alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).SetKey(brokenKey{errors.New("boom")}) }},
		{"SetKey on XTS", func() { alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 256).SetKey(aesKey128) }},
		{"SetKey2 on CBC", func() { alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).SetKey2(aesKey128, aesKey128) }},
		{"SetKey2 one nil", func() { alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 256).SetKey2(aesKey128, nil) }},
		{"SetKey2 sizes differ", func() {
			alloc(t, tee.AlgAESXTS, tee.ModeEncrypt, 512).SetKey2(aesKey128, secretKey(tee.TypeAES, make([]byte, 32)))
		}},
		{"Reset without key", func() { alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128).Reset() }},
		{"MACUpdate before init", func() {
			keyed(t, tee.AlgHMACSHA256, tee.ModeMAC, secretKey(tee.TypeHMACSHA256, make([]byte, 32))).MACUpdate(nil)
		}},
		{"MAC final after final", func() {
			op := keyed(t, tee.AlgAESCMAC, tee.ModeMAC, aesKey128)
			op.MACInit(nil)
			op.MACComputeFinal(make([]byte, 16), nil)
			op.MACComputeFinal(make([]byte, 16), nil)
		}},
		{"CBC-MAC NOPAD partial", func() {
			op := keyed(t, tee.AlgAESCBCMACNoPad, tee.ModeMAC, aesKey128)
			op.MACInit(nil)
			op.MACComputeFinal(make([]byte, 16), make([]byte, 5))
		}},
		{"AEUpdate before init", func() { keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128).AEUpdate(nil, nil) }},
		{"AEInit empty nonce", func() { keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128).AEInit(nil, 128, 0, 0) }},
		{"AAD after payload", func() {
			op := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128)
			op.AEInit(iv[:12], 128, 0, 0)
			op.AEUpdate(nil, []byte("x"))
			op.AEUpdateAAD([]byte("a"))
		}},
		{"AEInit while active", func() {
			op := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128)
			op.AEInit(iv[:12], 128, 0, 0)
			op.AEUpdate(nil, []byte("x"))
			op.AEInit(iv[:12], 128, 0, 0)
		}},
		{"encrypt final on decrypt op", func() {
			op := keyed(t, tee.AlgAESGCM, tee.ModeDecrypt, aesKey128)
			op.AEInit(iv[:12], 128, 0, 0)
			op.AEEncryptFinal(nil, make([]byte, 16), nil)
		}},
		{"use after free", func() { op := cbc(); op.Free(); op.CipherInit(iv) }},
		{"info after free", func() { op := cbc(); op.Free(); op.Info() }},
		{"copy different alg", func() { Copy(cbc(), keyed(t, tee.AlgAESECBNoPad, tee.ModeEncrypt, aesKey128)) }},
		{"copy different mode", func() { Copy(cbc(), keyed(t, tee.AlgAESCBCNoPad, tee.ModeDecrypt, aesKey128)) }},
		{"copy key too large", func() {
			Copy(alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128), keyed(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, secretKey(tee.TypeAES, make([]byte, 32))))
		}},
		{"nil operation", func() { var op *Operation; op.Reset() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			me := mustPanic(t, tc.f)
			if me.Op == "" || me.Code == 0 {
				t.Errorf("incomplete MisuseError %+v", me)
			}
		})
	}
	// Free on nil and twice is harmless, like TEE_FreeOperation(TEE_HANDLE_NULL).
	var nilOp *Operation
	nilOp.Free()
	op := cbc()
	op.Free()
	op.Free()
}

func TestKeyObjectErrorsPassThrough(t *testing.T) {
	for _, want := range []tee.Result{tee.ErrCorruptObject, tee.ErrStorageNotAvail} {
		op := alloc(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128)
		if err := op.SetKey(brokenKey{want}); err != want {
			t.Errorf("SetKey = %v, want %v", err, want)
		}
	}
}

func TestShortBufferLeavesStateAlone(t *testing.T) {
	hk := secretKey(tee.TypeHMACSHA256, bytes.Repeat([]byte{7}, 32))
	op := keyed(t, tee.AlgHMACSHA256, tee.ModeMAC, hk)
	op.MACInit(nil)
	op.MACUpdate([]byte("hello "))
	if n, err := op.MACComputeFinal(make([]byte, 31), []byte("world")); n != 32 || !isResult(err, tee.ErrShortBuffer) {
		t.Fatalf("short MAC = %d, %v", n, err)
	}
	a := make([]byte, 32)
	op.MACComputeFinal(a, []byte("world"))
	op.MACInit(nil)
	b := make([]byte, 32)
	op.MACComputeFinal(b, []byte("hello world"))
	if !bytes.Equal(a, b) {
		t.Fatal("SHORT_BUFFER consumed input")
	}
	// A final returns the operation to the initial state: comparing again is misuse.
	mustPanic(t, func() { op.MACCompareFinal(nil, b) })
}

func TestCipherUpdateSizes(t *testing.T) {
	iv := make([]byte, 16)
	// OP-TEE's sizes: ECB/CBC output whole blocks; CTS keeps up to two blocks.
	tests := []struct {
		alg   tee.Algorithm
		feeds []int
		outs  []int
	}{
		{tee.AlgAESCBCNoPad, []int{5, 11, 16, 17, 0}, []int{0, 16, 16, 16, 0}},
		{tee.AlgAESCTS, []int{5, 27, 1, 16, 40}, []int{0, 0, 16, 16, 32}},
		{tee.AlgAESCTR, []int{5, 11, 3}, []int{5, 11, 3}},
	}
	for _, tc := range tests {
		op := keyed(t, tc.alg, tee.ModeEncrypt, aesKey128)
		op.CipherInit(iv)
		for i, n := range tc.feeds {
			need, err := op.CipherUpdate(nil, make([]byte, n))
			if tc.outs[i] > 0 {
				if need != tc.outs[i] || !isResult(err, tee.ErrShortBuffer) {
					t.Fatalf("%v feed %d: need %d, %v; want %d", tc.alg, i, need, err, tc.outs[i])
				}
				got, err := op.CipherUpdate(make([]byte, need), make([]byte, n))
				if got != need || err != nil {
					t.Fatalf("%v feed %d: %d, %v", tc.alg, i, got, err)
				}
			} else if need != 0 || err != nil {
				t.Fatalf("%v feed %d: %d, %v; want 0", tc.alg, i, need, err)
			}
		}
	}
}

func TestCopy(t *testing.T) {
	msg := bytes.Repeat([]byte("0123456789abcdef"), 9)[:137]
	t.Run("digest", func(t *testing.T) {
		for _, alg := range []tee.Algorithm{tee.AlgSHA256, tee.AlgSHA3_512, tee.AlgMD5} {
			src := alloc(t, alg, tee.ModeDigest, 0)
			src.DigestUpdate(msg[:50])
			dst := alloc(t, alg, tee.ModeDigest, 0)
			Copy(dst, src)
			a, b := make([]byte, 64), make([]byte, 64)
			n, _ := src.DigestDoFinal(a, msg[50:])
			dst.DigestUpdate(msg[50:100])
			dst.DigestDoFinal(b, msg[100:])
			if !bytes.Equal(a[:n], b[:n]) {
				t.Errorf("%v: copies differ", alg)
			}
		}
	})
	t.Run("MAC", func(t *testing.T) {
		for _, tc := range []struct {
			alg tee.Algorithm
			key *Key
		}{
			{tee.AlgHMACSHA3_256, secretKey(tee.TypeHMACSHA3_256, bytes.Repeat([]byte{3}, 32))},
			{tee.AlgHMACSHA512, secretKey(tee.TypeHMACSHA512, bytes.Repeat([]byte{3}, 64))},
			{tee.AlgAESCMAC, aesKey128},
			{tee.AlgDES3CBCMACPKCS5, secretKey(tee.TypeDES3, bytes.Repeat([]byte{5}, 24))},
		} {
			src := keyed(t, tc.alg, tee.ModeMAC, tc.key)
			src.MACInit(nil)
			src.MACUpdate(msg[:21])
			dst := alloc(t, tc.alg, tee.ModeMAC, tc.key.bits())
			Copy(dst, src)
			if dst.Info() != src.Info() {
				t.Errorf("%v: info %+v vs %+v", tc.alg, dst.Info(), src.Info())
			}
			a, b := make([]byte, 64), make([]byte, 64)
			n, _ := src.MACComputeFinal(a, msg[21:])
			dst.MACUpdate(msg[21:22])
			dst.MACComputeFinal(b, msg[22:])
			if !bytes.Equal(a[:n], b[:n]) {
				t.Errorf("%v: copies differ", tc.alg)
			}
		}
	})
	t.Run("cipher", func(t *testing.T) {
		for _, alg := range []tee.Algorithm{tee.AlgAESCTR, tee.AlgAESCBCNoPad, tee.AlgAESCTS} {
			in := msg[:128]
			if alg == tee.AlgAESCTS {
				in = msg
			}
			ref := cipherChunks(t, keyed(t, alg, tee.ModeEncrypt, aesKey128), msg[:16], in, nil)
			src := keyed(t, alg, tee.ModeEncrypt, aesKey128)
			src.CipherInit(msg[:16])
			head := make([]byte, 64)
			n, _ := src.CipherUpdate(head, in[:37])
			dst := alloc(t, alg, tee.ModeEncrypt, 256)
			Copy(dst, src)
			for _, op := range []*Operation{src, dst} {
				tail := make([]byte, len(in))
				m, err := op.CipherDoFinal(tail, in[37:])
				if err != nil {
					t.Fatal(err)
				}
				if got := append(bytes.Clone(head[:n]), tail[:m]...); !bytes.Equal(got, ref) {
					t.Errorf("%v: copy result %x, want %x", alg, got, ref)
				}
			}
		}
	})
	t.Run("AE", func(t *testing.T) {
		src := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128)
		src.AEInit(msg[:12], 128, 0, 0)
		src.AEUpdateAAD([]byte("aad"))
		src.AEUpdate(nil, msg[:10])
		dst := alloc(t, tee.AlgAESGCM, tee.ModeEncrypt, 128)
		Copy(dst, src)
		c1, t1, c2, t2 := make([]byte, 137), make([]byte, 16), make([]byte, 137), make([]byte, 16)
		src.AEEncryptFinal(c1, t1, msg[10:])
		dst.AEEncryptFinal(c2, t2, msg[10:])
		if !bytes.Equal(c1, c2) || !bytes.Equal(t1, t2) {
			t.Error("AE copies differ")
		}
	})
}

// GCM with a non-96-bit nonce and a truncated tag takes the re-seal path; check it against
// crypto/cipher directly and check that it rejects tampering.
func TestGCMTruncatedTagLongNonce(t *testing.T) {
	nonce := bytes.Repeat([]byte{9}, 16)
	aad, msg := []byte("header"), []byte("a message that spans more than one block")
	b, _ := aes.NewCipher(aesKey128.Secret)
	g, _ := cipher.NewGCMWithNonceSize(b, 16)
	want := g.Seal(nil, nonce, msg, aad)
	for _, tagBits := range []int{96, 104, 112, 120} {
		tl := tagBits / 8
		enc := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128)
		enc.AEInit(nonce, tagBits, len(aad), len(msg))
		enc.AEUpdateAAD(aad)
		if n, tn, err := enc.AEEncryptFinal(make([]byte, len(msg)), make([]byte, tl-1), msg); !isResult(err, tee.ErrShortBuffer) || n != len(msg) || tn != tl {
			t.Fatalf("short tag: %d %d %v", n, tn, err)
		}
		ct, tag := make([]byte, len(msg)), make([]byte, 16)
		n, tn, err := enc.AEEncryptFinal(ct, tag, msg)
		if err != nil || n != len(msg) || tn != tl || !bytes.Equal(ct, want[:len(msg)]) || !bytes.Equal(tag[:tl], want[len(msg):len(msg)+tl]) {
			t.Fatalf("tag %d: %x %x %v", tagBits, ct, tag[:tn], err)
		}
		dec := keyed(t, tee.AlgAESGCM, tee.ModeDecrypt, aesKey128)
		for _, bad := range []bool{false, true} {
			dec.AEInit(nonce, tagBits, len(aad), len(msg))
			dec.AEUpdateAAD(aad)
			c := bytes.Clone(ct)
			if bad {
				c[3] ^= 1
			}
			if n, err := dec.AEDecryptFinal(make([]byte, 3), c, tag[:tl]); !isResult(err, tee.ErrShortBuffer) || n != len(c) {
				t.Fatalf("short dst: %d %v", n, err)
			}
			pt := make([]byte, len(c))
			_, err := dec.AEDecryptFinal(pt, c, tag[:tl])
			if bad != (err != nil) || (!bad && !bytes.Equal(pt, msg)) || (bad && !bytes.Equal(pt, make([]byte, len(pt)))) {
				t.Fatalf("tag %d bad=%v: %x, %v", tagBits, bad, pt, err)
			}
		}
		// A tag of the wrong length is MAC_INVALID, not a panic.
		dec.AEInit(nonce, tagBits, len(aad), len(msg))
		if _, err := dec.AEDecryptFinal(make([]byte, len(ct)), ct, tag[:tl+1]); !isResult(err, tee.ErrMACInvalid) {
			t.Fatalf("wrong tag length: %v", err)
		}
	}
	op := keyed(t, tee.AlgAESGCM, tee.ModeEncrypt, aesKey128)
	for _, bits := range []int{0, 64, 88, 100, 136} {
		if err := op.AEInit(nonce, bits, 0, 0); err != tee.ErrNotSupported {
			t.Errorf("AEInit tag %d = %v, want NOT_SUPPORTED", bits, err)
		}
	}
}

func TestResetDiscardsState(t *testing.T) {
	op := alloc(t, tee.AlgSHA256, tee.ModeDigest, 0)
	op.DigestUpdate([]byte("garbage"))
	op.Reset()
	got := make([]byte, 32)
	op.DigestDoFinal(got, []byte("abc"))
	if !bytes.Equal(got, unhex(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
		t.Fatalf("digest after reset %x", got)
	}
	c := keyed(t, tee.AlgAESCBCNoPad, tee.ModeEncrypt, aesKey128)
	c.CipherInit(make([]byte, 16))
	c.CipherUpdate(make([]byte, 16), make([]byte, 5))
	c.Reset()
	if c.State() != tee.StateInitial || c.Info().HandleState != tee.FlagKeySet {
		t.Fatalf("after reset: %v %#x", c.State(), c.Info().HandleState)
	}
	mustPanic(t, func() { c.CipherUpdate(nil, nil) })
}
