package crypto

import (
	"bytes"
	"testing"

	"github.com/gotee/gotee/tee"
)

const smKey = "0123456789abcdeffedcba9876543210"

func init() {
	// GB/T 32907-2016 Appendix A, example 1 (one block, the key as plaintext), and the
	// ECB, CBC and CTR examples of draft-ribose-cfrg-sm4 (the SM4 modes document submitted
	// to the IETF by the standard's authors' collaborators), §A.2.
	const (
		pt = "aaaaaaaabbbbbbbbccccccccddddddddeeeeeeeeffffffffaaaaaaaabbbbbbbb"
		iv = "000102030405060708090a0b0c0d0e0f"
	)
	cipherVectors = append(cipherVectors,
		cipherVector{"GB/T 32907 A.1", tee.AlgSM4ECBNoPad, tee.TypeSM4, smKey, "", smKey, "681edf34d206965e86b3e94f536e4246"},
		cipherVector{"SM4 draft ECB", tee.AlgSM4ECBNoPad, tee.TypeSM4, smKey, "", pt,
			"5ec8143de509cff7b5179f8f474b86192f1d305a7fb17df985f81c8482192304"},
		cipherVector{"SM4 draft CBC", tee.AlgSM4CBCNoPad, tee.TypeSM4, smKey, iv, pt,
			"78ebb11cc40b0a48312aaeb2040244cb4cb7016951909226979b0d15dc6a8f6d"},
		cipherVector{"SM4 draft CTR", tee.AlgSM4CTR, tee.TypeSM4, smKey, iv,
			"aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd" +
				"eeeeeeeeeeeeeeeeffffffffffffffffaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb",
			"ac3236cb970cc20791364c395a1342d1a3cbc1878c6f30cd074cce385cdd70c7" +
				"f234bc0e24c11980fd1286310ce37b926e02fcd0faa0baf38b2933851d824514"},
		// CTR is a stream mode: a truncated message gives the truncated ciphertext.
		cipherVector{"SM4 draft CTR partial", tee.AlgSM4CTR, tee.TypeSM4, smKey, iv,
			"aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccc", "ac3236cb970cc20791364c395a1342d1a3cb"},
	)
}

// GB/T 32907-2016 Appendix A, example 2: one block encrypted 1,000,000 times.
func TestSM4Million(t *testing.T) {
	if testing.Short() {
		t.Skip("a million block operations")
	}
	op := keyed(t, tee.AlgSM4ECBNoPad, tee.ModeEncrypt, secretKey(tee.TypeSM4, unhex(t, smKey)))
	buf := unhex(t, smKey)
	op.CipherInit(nil)
	for range 1000000 {
		if _, err := op.CipherUpdate(buf, buf); err != nil {
			t.Fatal(err)
		}
	}
	if want := unhex(t, "595298c7c6fd271f0402f804c33d3f66"); !bytes.Equal(buf, want) {
		t.Fatalf("got %x, want %x", buf, want)
	}
}

// OP-TEE buffers SM4-CTR by whole blocks (its AES-CTR streams); the sizes match it.
func TestSM4CTRUpdateSizes(t *testing.T) {
	op := keyed(t, tee.AlgSM4CTR, tee.ModeEncrypt, secretKey(tee.TypeSM4, unhex(t, smKey)))
	op.CipherInit(make([]byte, 16))
	for i, tc := range []struct{ feed, out int }{{5, 0}, {11, 16}, {17, 16}, {15, 16}, {3, 0}} {
		need, err := op.CipherUpdate(nil, make([]byte, tc.feed))
		if tc.out == 0 {
			if need != 0 || err != nil {
				t.Fatalf("feed %d: %d, %v", i, need, err)
			}
			continue
		}
		if need != tc.out || !isResult(err, tee.ErrShortBuffer) {
			t.Fatalf("feed %d: %d, %v; want %d", i, need, err, tc.out)
		}
		if n, err := op.CipherUpdate(make([]byte, need), make([]byte, tc.feed)); n != need || err != nil {
			t.Fatalf("feed %d: %d, %v", i, n, err)
		}
	}
	if n, err := op.CipherDoFinal(make([]byte, 3), nil); n != 3 || err != nil {
		t.Fatalf("final: %d, %v", n, err)
	}
}

func TestSM4Misuse(t *testing.T) {
	k := secretKey(tee.TypeSM4, unhex(t, smKey))
	for name, f := range map[string]func(){
		"NOPAD partial": func() {
			op := keyed(t, tee.AlgSM4CBCNoPad, tee.ModeEncrypt, k)
			op.CipherInit(make([]byte, 16))
			op.CipherDoFinal(make([]byte, 32), make([]byte, 17))
		},
		"ECB with IV": func() { keyed(t, tee.AlgSM4ECBNoPad, tee.ModeDecrypt, k).CipherInit(make([]byte, 16)) },
		"AES key":     func() { alloc(t, tee.AlgSM4CTR, tee.ModeEncrypt, 128).SetKey(aesKey128) },
	} {
		t.Run(name, func(t *testing.T) { mustPanic(t, f) })
	}
	if _, err := Allocate(tee.AlgSM4CBCNoPad, tee.ModeEncrypt, 256); err != tee.ErrNotSupported {
		t.Errorf("SM4 with a 256-bit maximum: %v", err)
	}
}

// GB/T 32905-2016 Appendix A examples 1 and 2.
func TestSM3Vectors(t *testing.T) {
	const abcd16 = "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd"
	for _, tc := range []struct{ msg, want string }{
		{"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
		{abcd16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"},
	} {
		want := unhex(t, tc.want)
		op := alloc(t, tee.AlgSM3, tee.ModeDigest, 0)
		if got := op.Info().DigestLength; got != 32 {
			t.Fatalf("DigestLength %d", got)
		}
		op.DigestUpdate([]byte(tc.msg[:1]))
		// A copy taken mid-message finishes to the same digest.
		cp := alloc(t, tee.AlgSM3, tee.ModeDigest, 0)
		Copy(cp, op)
		for _, o := range []*Operation{op, cp} {
			if n, err := o.DigestDoFinal(make([]byte, 31), []byte(tc.msg[1:])); n != 32 || !isResult(err, tee.ErrShortBuffer) {
				t.Fatalf("short: %d, %v", n, err)
			}
			got := make([]byte, 32)
			if _, err := o.DigestDoFinal(got, []byte(tc.msg[1:])); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("SM3(%q) = %x, %v; want %x", tc.msg, got, err, want)
			}
		}
	}
}

func TestHMACSM3Copy(t *testing.T) {
	k := secretKey(tee.TypeHMACSM3, bytes.Repeat([]byte{0x0b}, 32))
	src := keyed(t, tee.AlgHMACSM3, tee.ModeMAC, k)
	src.MACInit(nil)
	src.MACUpdate([]byte("Hi "))
	dst := alloc(t, tee.AlgHMACSM3, tee.ModeMAC, 256)
	Copy(dst, src)
	a, b := make([]byte, 32), make([]byte, 32)
	src.MACComputeFinal(a, []byte("There"))
	dst.MACComputeFinal(b, []byte("There"))
	ref := keyed(t, tee.AlgHMACSM3, tee.ModeMAC, k)
	ref.MACInit(nil)
	if !bytes.Equal(a, b) || ref.MACCompareFinal([]byte("Hi There"), a) != nil {
		t.Fatalf("copies differ or disagree: %x %x", a, b)
	}
}

// SM4-XTS (OP-TEE's extension) is x/crypto/xts over SM4; check one data unit against the
// IEEE 1619 definition computed with SM4-ECB: T = E_K2(tweak), C_j = E_K1(P_j xor T_j)
// xor T_j, T_j+1 = T_j * x in GF(2^128), little-endian.
func TestSM4XTSDefinition(t *testing.T) {
	k1, k2 := unhex(t, smKey), unhex(t, "fedcba98765432100123456789abcdef")
	tweak := unhex(t, "0102030405060708 0000000000000000")
	pt := bytes.Repeat([]byte("sixteen byte blk"), 3)
	ecb := func(key, in []byte) []byte {
		op := keyed(t, tee.AlgSM4ECBNoPad, tee.ModeEncrypt, secretKey(tee.TypeSM4, key))
		return cipherChunks(t, op, nil, in, nil)
	}
	tw := ecb(k2, tweak)
	var want []byte
	for j := 0; j < len(pt); j += 16 {
		x := make([]byte, 16)
		for i := range x {
			x[i] = pt[j+i] ^ tw[i]
		}
		c := ecb(k1, x)
		for i := range c {
			c[i] ^= tw[i]
		}
		want = append(want, c...)
		var carry byte
		for i := range tw {
			tw[i], carry = tw[i]<<1|carry, tw[i]>>7
		}
		tw[0] ^= 0x87 & -carry
	}
	for _, mode := range []tee.Mode{tee.ModeEncrypt, tee.ModeDecrypt} {
		in, out := pt, want
		if mode == tee.ModeDecrypt {
			in, out = want, pt
		}
		op := alloc(t, tee.AlgSM4XTS, mode, 256)
		if err := op.SetKey2(secretKey(tee.TypeSM4, k1), secretKey(tee.TypeSM4, k2)); err != nil {
			t.Fatal(err)
		}
		if got := cipherChunks(t, op, tweak, in, []int{5}); !bytes.Equal(got, out) {
			t.Fatalf("%v: got %x, want %x", mode, got, out)
		}
	}
	if err := IsAlgorithmSupported(tee.AlgSM4XTS, tee.ElementNone); err != nil {
		t.Error(err)
	}
}
