package crypto

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gotee/gotee/tee"
)

// Published digest vectors: RFC 1321 §A.5 (MD5), FIPS 180-2 Appendices A-D ("abc" and the
// 448-bit message), NIST FIPS 202 example values for SHA3 ("abc").
func TestDigestVectors(t *testing.T) {
	const m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
	tests := []struct {
		alg  tee.Algorithm
		msg  string
		want string
	}{
		{tee.AlgMD5, "", "d41d8cd98f00b204e9800998ecf8427e"},
		{tee.AlgMD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
		{tee.AlgMD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{tee.AlgSHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{tee.AlgSHA1, m448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
		{tee.AlgSHA224, "abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
		{tee.AlgSHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{tee.AlgSHA256, m448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{tee.AlgSHA384, "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{tee.AlgSHA512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{tee.AlgSHA3_224, "abc", "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"},
		{tee.AlgSHA3_256, "abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
		{tee.AlgSHA3_384, "abc", "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"},
		{tee.AlgSHA3_512, "abc", "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
	}
	for _, tc := range tests {
		t.Run(tc.alg.String()+"/"+tc.msg, func(t *testing.T) {
			want := unhex(t, tc.want)
			op := alloc(t, tc.alg, tee.ModeDigest, 0)
			defer op.Free()
			// One shot, then byte by byte on the same operation (DoFinal resets it).
			for _, chunk := range []int{len(tc.msg) + 1, 1, 5} {
				msg := []byte(tc.msg)
				for len(msg) > chunk {
					op.DigestUpdate(msg[:chunk])
					msg = msg[chunk:]
				}
				if n, err := op.DigestDoFinal(make([]byte, len(want)-1), msg); !isResult(err, tee.ErrShortBuffer) || n != len(want) {
					t.Fatalf("short DigestDoFinal = %d, %v", n, err)
				}
				got := make([]byte, len(want)+3)
				n, err := op.DigestDoFinal(got, msg)
				if err != nil || n != len(want) || !bytes.Equal(got[:n], want) {
					t.Fatalf("chunk %d: got %x, %v; want %x", chunk, got[:n], err, want)
				}
			}
		})
	}
}

// RFC 2202 test cases 1 and 3 (HMAC-MD5; case 2's key is shorter than GP's 64-bit
// minimum, 6 and 7 longer than its 512-bit maximum, and 4 and 5 are in
// optee_vectors_test.go). HMAC-SHA-1/2/3 are covered by Wycheproof.
func TestHMACMD5Vectors(t *testing.T) {
	tests := []struct{ key, msg, want string }{
		{strings.Repeat("0b", 16), "4869205468657265", "9294727a3638bb1c13f48ef8158bfc9d"},
		{strings.Repeat("aa", 16), strings.Repeat("dd", 50), "56be34521d144c88dbb8c733f0e8b3f6"},
	}
	for _, tc := range tests {
		op := keyed(t, tee.AlgHMACMD5, tee.ModeMAC, secretKey(tee.TypeHMACMD5, unhex(t, tc.key)))
		op.MACInit(nil)
		mac := make([]byte, 16)
		if n, err := op.MACComputeFinal(mac, unhex(t, tc.msg)); err != nil || n != 16 || !bytes.Equal(mac, unhex(t, tc.want)) {
			t.Errorf("HMAC-MD5 = %x, %v; want %s", mac, err, tc.want)
		}
	}
}

// NIST SP 800-38A Appendix F (F.1.1, F.2.1, F.5.1: AES-128 ECB, CBC, CTR).
var (
	sp38aKey = "2b7e151628aed2a6abf7158809cf4f3c"
	sp38aPT  = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710"
)

type cipherVector struct {
	name    string
	alg     tee.Algorithm
	typ     tee.ObjectType
	key, iv string
	pt, ct  string
}

var cipherVectors = []cipherVector{
	{"SP800-38A F.1.1", tee.AlgAESECBNoPad, tee.TypeAES, sp38aKey, "", sp38aPT,
		"3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf 43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4"},
	{"SP800-38A F.2.1", tee.AlgAESCBCNoPad, tee.TypeAES, sp38aKey, "000102030405060708090a0b0c0d0e0f", sp38aPT,
		"7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"},
	{"SP800-38A F.5.1", tee.AlgAESCTR, tee.TypeAES, sp38aKey, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", sp38aPT,
		"874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"},
	// SP 800-38A F.5.1 truncated: CTR is a stream mode.
	{"SP800-38A F.5.1 partial", tee.AlgAESCTR, tee.TypeAES, sp38aKey, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "6bc1bee22e409f96e93d7e117393172aae2d8a",
		"874d6191b620e3261bef6864990db6ce9806f6"},
	// FIPS 81 Appendix B (ECB) and C (CBC): "Now is the time for all ".
	{"FIPS81 ECB", tee.AlgDESECBNoPad, tee.TypeDES, "0123456789abcdef", "", "4e6f772069732074 68652074696d6520 666f7220616c6c20",
		"3fa40e8a984d4815 6a271787ab8883f9 893d51ec4b563b53"},
	{"FIPS81 CBC", tee.AlgDESCBCNoPad, tee.TypeDES, "0123456789abcdef", "1234567890abcdef", "4e6f772069732074 68652074696d6520 666f7220616c6c20",
		"e5c7cdde872bf27c 43e934008c389c0f 683788499a7c05f6"},
	// NIST SP 800-67 Rev. 1 Appendix B (TDEA, three keys, ECB).
	{"SP800-67 TDEA", tee.AlgDES3ECBNoPad, tee.TypeDES3, "0123456789abcdef 23456789abcdef01 456789abcdef0123", "",
		"5468652071756663 6b2062726f776e20 666f78206a756d70", "a826fd8ce53b855f cce21c8112256fe6 68d5c05dd9b6b900"},
}

func init() {
	// RFC 3962 Appendix B: AES-128 CBC-CS3 ("chicken teriyaki", zero IV).
	const pt = "I would like the General Gau's Chicken, please, and wonton soup."
	for _, v := range []struct {
		n  int
		ct string
	}{
		{17, "c6353568f2bf8cb4d8a580362da7ff7f97"},
		{31, "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5"},
		{32, "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584"},
		{47, "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5"},
		{48, "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8"},
		{64, "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8"},
	} {
		cipherVectors = append(cipherVectors, cipherVector{
			"RFC3962 " + string(rune('0'+v.n/10)) + string(rune('0'+v.n%10)), tee.AlgAESCTS, tee.TypeAES,
			"636869636b656e207465726979616b69", "00000000000000000000000000000000",
			hexOf([]byte(pt[:v.n])), v.ct})
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, digits[c>>4], digits[c&15])
	}
	return string(s)
}

func TestCipherVectors(t *testing.T) {
	for _, v := range cipherVectors {
		t.Run(v.name, func(t *testing.T) {
			key, iv, pt, ct := unhex(t, v.key), unhex(t, v.iv), unhex(t, v.pt), unhex(t, v.ct)
			for _, mode := range []tee.Mode{tee.ModeEncrypt, tee.ModeDecrypt} {
				in, want := pt, ct
				if mode == tee.ModeDecrypt {
					in, want = ct, pt
				}
				op := keyed(t, v.alg, mode, secretKey(v.typ, key))
				for _, ch := range chunkings {
					if got := cipherChunks(t, op, iv, in, ch); !bytes.Equal(got, want) {
						t.Fatalf("%v chunks %v: got %x, want %x", mode, ch, got, want)
					}
				}
				// In place.
				buf := bytes.Clone(in)
				op.CipherInit(iv)
				if n, err := op.CipherDoFinal(buf, buf); err != nil || !bytes.Equal(buf[:n], want) {
					t.Fatalf("%v in place: got %x, %v", mode, buf[:n], err)
				}
			}
		})
	}
}

// RFC 4493 §4 (= NIST SP 800-38B D.1) AES-128 CMAC examples, and CBC-MACs derived from
// the verified SP 800-38A and FIPS 81 CBC vectors: CBC-MAC with a zero IV over
// (P1 xor IV, P2, ...) is the last CBC ciphertext block.
func TestBlockMACVectors(t *testing.T) {
	xorIV := func(pt, iv string) string {
		p, v := unhex(t, pt), unhex(t, iv)
		for i := range v {
			p[i] ^= v[i]
		}
		return hexOf(p)
	}
	tests := []struct {
		name     string
		alg      tee.Algorithm
		typ      tee.ObjectType
		key, msg string
		want     string
	}{
		{"RFC4493 ex1", tee.AlgAESCMAC, tee.TypeAES, sp38aKey, "", "bb1d6929e95937287fa37d129b756746"},
		{"RFC4493 ex2", tee.AlgAESCMAC, tee.TypeAES, sp38aKey, sp38aPT[:32], "070a16b46b4d4144f79bdd9dd04a287c"},
		{"RFC4493 ex3", tee.AlgAESCMAC, tee.TypeAES, sp38aKey, strings.ReplaceAll(sp38aPT, " ", "")[:80], "dfa66747de9ae63030ca32611497c827"},
		{"RFC4493 ex4", tee.AlgAESCMAC, tee.TypeAES, sp38aKey, sp38aPT, "51f0bebf7e3b9d92fc49741779363cfe"},
		{"AES CBC-MAC from F.2.1", tee.AlgAESCBCMACNoPad, tee.TypeAES, sp38aKey, xorIV(sp38aPT, "000102030405060708090a0b0c0d0e0f"), "3ff1caa1681fac09120eca307586e1a7"},
		// NIST SP 800-38B Appendix D.4 (updated CMAC examples), three-key TDEA, for
		// OP-TEE's TEE_ALG_DES3_CMAC extension.
		{"SP800-38B D.4 ex13", tee.AlgDES3CMAC, tee.TypeDES3, tdeaCMACKey, "", "b7a688e122ffaf95"},
		{"SP800-38B D.4 ex14", tee.AlgDES3CMAC, tee.TypeDES3, tdeaCMACKey, sp38aPT[:16], "8e8f293136283797"},
		{"SP800-38B D.4 ex15", tee.AlgDES3CMAC, tee.TypeDES3, tdeaCMACKey, strings.ReplaceAll(sp38aPT, " ", "")[:40], "743ddbe0ce2dc2ed"},
		{"SP800-38B D.4 ex16", tee.AlgDES3CMAC, tee.TypeDES3, tdeaCMACKey, strings.ReplaceAll(sp38aPT, " ", "")[:64], "33e6b1092400eae5"},
		{"DES CBC-MAC from FIPS81", tee.AlgDESCBCMACNoPad, tee.TypeDES, "0123456789abcdef", xorIV("4e6f772069732074 68652074696d6520 666f7220616c6c20", "1234567890abcdef"), "683788499a7c05f6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, want := unhex(t, tc.msg), unhex(t, tc.want)
			op := keyed(t, tc.alg, tee.ModeMAC, secretKey(tc.typ, unhex(t, tc.key)))
			for _, chunk := range []int{len(msg) + 1, 1, 7, 16, 17} {
				op.MACInit(nil)
				rest := msg
				for len(rest) > chunk {
					op.MACUpdate(rest[:chunk])
					rest = rest[chunk:]
				}
				if err := op.MACCompareFinal(rest, want); err != nil {
					t.Fatalf("chunk %d: MACCompareFinal: %v", chunk, err)
				}
			}
		})
	}
}

const tdeaCMACKey = "8aa83bf8cbda1062 0bc1bf19fbb6cd58 bc313d4a371ca8b5"

// PKCS#5 CBC-MAC equals the no-padding CBC-MAC of the explicitly padded message.
func TestCBCMACPKCS5(t *testing.T) {
	for _, tc := range []struct {
		pad, nopad tee.Algorithm
		typ        tee.ObjectType
		key        string
		bs         int
	}{
		{tee.AlgAESCBCMACPKCS5, tee.AlgAESCBCMACNoPad, tee.TypeAES, sp38aKey, 16},
		{tee.AlgDESCBCMACPKCS5, tee.AlgDESCBCMACNoPad, tee.TypeDES, "0123456789abcdef", 8},
		{tee.AlgDES3CBCMACPKCS5, tee.AlgDES3CBCMACNoPad, tee.TypeDES3, "0123456789abcdef23456789abcdef01", 8},
	} {
		key := secretKey(tc.typ, unhex(t, tc.key))
		a, b := keyed(t, tc.pad, tee.ModeMAC, key), keyed(t, tc.nopad, tee.ModeMAC, key)
		for n := range 3*tc.bs + 1 {
			msg := bytes.Repeat([]byte{byte(n)}, n)
			p := tc.bs - n%tc.bs
			padded := append(bytes.Clone(msg), bytes.Repeat([]byte{byte(p)}, p)...)
			ma, mb := make([]byte, tc.bs), make([]byte, tc.bs)
			a.MACInit(nil)
			b.MACInit(nil)
			a.MACComputeFinal(ma, msg)
			b.MACComputeFinal(mb, padded)
			if !bytes.Equal(ma, mb) {
				t.Errorf("%v len %d: %x != %x", tc.pad, n, ma, mb)
			}
		}
	}
}
