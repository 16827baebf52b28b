package crypto

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gotee/gotee/tee"
)

// ccmEncrypt encrypts msg with the lengths announced, feeding AAD and payload in two
// pieces each, and returns the ciphertext and tag.
func ccmEncrypt(tb testing.TB, key, nonce, aad, msg []byte, tagBits int) (ct, tag []byte) {
	tb.Helper()
	op := keyed(tb, tee.AlgAESCCM, tee.ModeEncrypt, secretKey(tee.TypeAES, key))
	defer op.Free()
	if err := op.AEInit(nonce, tagBits, len(aad), len(msg)); err != nil {
		tb.Fatalf("AEInit: %v", err)
	}
	op.AEUpdateAAD(aad[:len(aad)/2])
	op.AEUpdateAAD(aad[len(aad)/2:])
	if n, err := op.AEUpdate(nil, msg[:len(msg)/3]); n != 0 || err != nil {
		tb.Fatalf("AEUpdate = %d, %v", n, err)
	}
	ct, tag = make([]byte, len(msg)), make([]byte, 16)
	n, tl, err := op.AEEncryptFinal(ct, tag, msg[len(msg)/3:])
	if err != nil || n != len(msg) || tl != tagBits/8 {
		tb.Fatalf("AEEncryptFinal = %d, %d, %v", n, tl, err)
	}
	return ct, tag[:tl]
}

// ccmDecrypt decrypts ct and checks tag; on an error it also checks dst was zeroed.
func ccmDecrypt(tb testing.TB, key, nonce, aad, ct, tag []byte, tagBits int) ([]byte, error) {
	tb.Helper()
	op := keyed(tb, tee.AlgAESCCM, tee.ModeDecrypt, secretKey(tee.TypeAES, key))
	defer op.Free()
	if err := op.AEInit(nonce, tagBits, len(aad), len(ct)); err != nil {
		tb.Fatalf("AEInit: %v", err)
	}
	op.AEUpdateAAD(aad)
	op.AEUpdate(nil, ct[:len(ct)/2])
	pt := bytes.Repeat([]byte{0xaa}, len(ct))
	n, err := op.AEDecryptFinal(pt, ct[len(ct)/2:], tag)
	if err != nil {
		if !bytes.Equal(pt, make([]byte, len(pt))) {
			tb.Fatalf("output not zeroed after %v: %x", err, pt)
		}
		return nil, err
	}
	return pt[:n], nil
}

// RFC 3610 §8 packet vectors #1-#3 (13-byte nonce, 8-byte tag), and NIST SP 800-38C
// Appendix C examples 1-4 (nonces of 7, 8, 12 and 13 bytes; tags of 4, 6, 8 and 14 bytes;
// example 4 has 65536 bytes of AAD, which takes the six-byte 0xfffe length encoding).
func TestCCMVectors(t *testing.T) {
	var ex4AAD strings.Builder
	for range 256 {
		for b := range 256 {
			ex4AAD.WriteString(hexOf([]byte{byte(b)}))
		}
	}
	tests := []struct {
		name                    string
		key, nonce, aad, pt, ct string // ct includes the tag
		tagBits                 int
	}{
		{"RFC3610 #1", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5", "0001020304050607",
			"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
			"588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0", 64},
		{"RFC3610 #2", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000004030201a0a1a2a3a4a5", "0001020304050607",
			"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			"72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916", 64},
		{"RFC3610 #3", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000005040302a0a1a2a3a4a5", "0001020304050607",
			"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
			"51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5", 64},
		{"SP800-38C C.1", "404142434445464748494a4b4c4d4e4f", "10111213141516", "0001020304050607",
			"20212223", "7162015b4dac255d", 32},
		{"SP800-38C C.2", "404142434445464748494a4b4c4d4e4f", "1011121314151617", "000102030405060708090a0b0c0d0e0f",
			"202122232425262728292a2b2c2d2e2f", "d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd", 48},
		{"SP800-38C C.3", "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
			"202122232425262728292a2b2c2d2e2f3031323334353637", "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951", 64},
		{"SP800-38C C.4", "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b1c", ex4AAD.String(),
			"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
			"69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b", 112},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, nonce, aad, pt, want := unhex(t, tc.key), unhex(t, tc.nonce), unhex(t, tc.aad), unhex(t, tc.pt), unhex(t, tc.ct)
			ct, tag := ccmEncrypt(t, key, nonce, aad, pt, tc.tagBits)
			if got := append(ct, tag...); !bytes.Equal(got, want) {
				t.Fatalf("encrypt: got %x, want %x", got, want)
			}
			got, err := ccmDecrypt(t, key, nonce, aad, want[:len(pt)], want[len(pt):], tc.tagBits)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("decrypt: got %x, %v", got, err)
			}
			bad := bytes.Clone(want)
			bad[len(bad)-1] ^= 0x80
			if _, err := ccmDecrypt(t, key, nonce, aad, bad[:len(pt)], bad[len(pt):], tc.tagBits); !isResult(err, tee.ErrMACInvalid) {
				t.Fatalf("decrypt with a bad tag: %v", err)
			}
		})
	}
}

func TestWycheproofCCM(t *testing.T) {
	wp := loadWycheproof(t, "aes_ccm_test.json")
	ran := map[string]int{}
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			key, iv, aad, msg, ct, tag := unhex(t, tc.Key), unhex(t, tc.IV), unhex(t, tc.AAD), unhex(t, tc.Msg), unhex(t, tc.CT), unhex(t, tc.Tag)
			k := secretKey(tee.TypeAES, key)
			switch {
			case len(iv) == 0 || len(iv) > 13:
				op := keyed(t, tee.AlgAESCCM, tee.ModeDecrypt, k)
				me := mustPanic(t, func() { op.AEInit(iv, g.TagSize, len(aad), len(ct)) })
				if me.Code != tee.ErrBadParameters {
					t.Errorf("tcId %d: nonce of %d bytes: panic code %v", tc.TcID, len(iv), me.Code)
				}
				ran["bad nonce"]++
				continue
			case g.TagSize%16 != 0 || g.TagSize < 32:
				op := keyed(t, tee.AlgAESCCM, tee.ModeDecrypt, k)
				if err := op.AEInit(iv, g.TagSize, len(aad), len(ct)); err != tee.ErrNotSupported {
					t.Errorf("tcId %d: tag of %d bits: AEInit = %v", tc.TcID, g.TagSize, err)
				}
				ran["bad tag size"]++
				continue
			case len(iv) < 7:
				op := keyed(t, tee.AlgAESCCM, tee.ModeDecrypt, k)
				if me := mustPanic(t, func() { op.AEInit(iv, g.TagSize, len(aad), len(ct)) }); me.Code != tee.ErrBadState {
					t.Errorf("tcId %d: nonce of %d bytes: panic code %v", tc.TcID, len(iv), me.Code)
				}
				ran["bad nonce"]++
				continue
			}
			pt, err := ccmDecrypt(t, key, iv, aad, ct, tag, g.TagSize)
			if tc.Result == "valid" {
				if err != nil || !bytes.Equal(pt, msg) {
					t.Errorf("tcId %d: decrypt = %x, %v; want %x", tc.TcID, pt, err, msg)
				}
				gotCT, gotTag := ccmEncrypt(t, key, iv, aad, msg, g.TagSize)
				if !bytes.Equal(gotCT, ct) || !bytes.Equal(gotTag, tag) {
					t.Errorf("tcId %d: encrypt = %x %x; want %x %x", tc.TcID, gotCT, gotTag, ct, tag)
				}
				ran["valid"]++
			} else {
				if !isResult(err, tee.ErrMACInvalid) {
					t.Errorf("tcId %d (%s): decrypt of invalid = %v", tc.TcID, tc.Comment, err)
				}
				ran["invalid"]++
			}
		}
	}
	t.Logf("vectors: %v", ran)
	if ran["valid"] < 300 || ran["invalid"] < 30 || ran["bad nonce"] < 30 || ran["bad tag size"] < 20 {
		t.Fatalf("too few vectors ran: %v", ran)
	}
}

// GP and OP-TEE rules around CCM's announced lengths.
func TestCCMRules(t *testing.T) {
	key := aesKey128
	nonce := bytes.Repeat([]byte{7}, 13)
	aad, msg := []byte("header"), []byte("twenty-one bytes long")
	enc := func(tb testing.TB) *Operation {
		tb.Helper()
		op := keyed(tb, tee.AlgAESCCM, tee.ModeEncrypt, key)
		if err := op.AEInit(nonce, 128, len(aad), len(msg)); err != nil {
			tb.Fatal(err)
		}
		return op
	}
	dec := func(tb testing.TB) *Operation {
		tb.Helper()
		op := keyed(tb, tee.AlgAESCCM, tee.ModeDecrypt, key)
		if err := op.AEInit(nonce, 128, len(aad), len(msg)); err != nil {
			tb.Fatal(err)
		}
		return op
	}
	t.Run("tag lengths", func(t *testing.T) {
		op := keyed(t, tee.AlgAESCCM, tee.ModeEncrypt, key)
		for bits := 0; bits <= 136; bits += 8 {
			err := op.AEInit(nonce, bits, 0, 0)
			if ok := bits >= 32 && bits%16 == 0 && bits <= 128; ok != (err == nil) || (!ok && err != tee.ErrNotSupported) {
				t.Errorf("tag %d bits: AEInit = %v", bits, err)
			}
			if err == nil && op.Info().DigestLength != bits/8 {
				t.Errorf("tag %d bits: DigestLength %d", bits, op.Info().DigestLength)
			}
			op.Reset()
		}
		for _, bits := range []int{33, 127} {
			if err := op.AEInit(nonce, bits, 0, 0); err != tee.ErrNotSupported {
				t.Errorf("tag %d bits: AEInit = %v", bits, err)
			}
		}
	})
	t.Run("nonce lengths", func(t *testing.T) {
		op := keyed(t, tee.AlgAESCCM, tee.ModeEncrypt, key)
		for n := 7; n <= 13; n++ {
			if err := op.AEInit(make([]byte, n), 64, 0, 0); err != nil {
				t.Errorf("nonce %d: %v", n, err)
			}
			op.Reset()
		}
	})
	t.Run("payload must fit the length field", func(t *testing.T) {
		op := keyed(t, tee.AlgAESCCM, tee.ModeEncrypt, key)
		if err := op.AEInit(nonce, 64, 0, 0xffff); err != nil {
			t.Fatal(err)
		}
		op.Reset()
		if err := op.AEInit(nonce[:12], 64, 0, 0xffffff); err != nil {
			t.Fatal(err)
		}
		op.Reset()
		if err := op.AEInit(nonce[:11], 64, ccmMaxLen, ccmMaxLen); err != nil {
			t.Fatal(err)
		}
		op.Reset()
		mustPanic(t, func() { op.AEInit(nonce, 64, 0, 0x10000) })
		mustPanic(t, func() { op.AEInit(nonce[:12], 64, 0, 0x1000000) })
		mustPanic(t, func() { op.AEInit(nonce[:7], 64, ccmMaxLen+1, 0) })
	})

	misuses := []struct {
		name string
		f    func()
		code tee.Result
	}{
		{"too much AAD", func() { op := enc(t); op.AEUpdateAAD(append(aad, 'x')) }, tee.ErrBadState},
		{"too much AAD in pieces", func() { op := enc(t); op.AEUpdateAAD(aad); op.AEUpdateAAD([]byte{0}) }, tee.ErrBadState},
		{"payload before AAD", func() { op := enc(t); op.AEUpdate(nil, msg[:1]) }, tee.ErrBadState},
		{"payload after part of AAD", func() { op := enc(t); op.AEUpdateAAD(aad[:2]); op.AEUpdate(nil, msg) }, tee.ErrBadState},
		{"too much payload", func() { op := enc(t); op.AEUpdateAAD(aad); op.AEUpdate(nil, append(msg, 'x')) }, tee.ErrBadState},
		{"too much payload at final", func() {
			op := enc(t)
			op.AEUpdateAAD(aad)
			op.AEEncryptFinal(make([]byte, 64), make([]byte, 16), append(msg, 'x'))
		}, tee.ErrBadState},
		{"short payload at encrypt final", func() {
			op := enc(t)
			op.AEUpdateAAD(aad)
			op.AEEncryptFinal(make([]byte, 64), make([]byte, 16), msg[1:])
		}, tee.ErrBadState},
		{"short payload at decrypt final", func() {
			op := dec(t)
			op.AEUpdateAAD(aad)
			op.AEDecryptFinal(make([]byte, 64), msg[1:], make([]byte, 16))
		}, tee.ErrBadState},
		{"no AAD at final", func() { op := enc(t); op.AEEncryptFinal(make([]byte, 64), make([]byte, 16), msg) }, tee.ErrBadState},
		{"nonce too long", func() { keyed(t, tee.AlgAESCCM, tee.ModeEncrypt, key).AEInit(make([]byte, 14), 128, 0, 0) }, tee.ErrBadParameters},
		{"nonce too short", func() { keyed(t, tee.AlgAESCCM, tee.ModeEncrypt, key).AEInit(make([]byte, 6), 128, 0, 0) }, tee.ErrBadState},
	}
	for _, tc := range misuses {
		t.Run(tc.name, func(t *testing.T) {
			if me := mustPanic(t, tc.f); me.Code != tc.code {
				t.Errorf("panic code %v, want %v (%v)", me.Code, tc.code, me)
			}
		})
	}

	t.Run("short buffers", func(t *testing.T) {
		op := enc(t)
		op.AEUpdateAAD(aad)
		op.AEUpdate(nil, msg[:5])
		// SHORT_BUFFER comes before the length check, and changes nothing.
		for _, tc := range []struct{ dst, tag int }{{15, 16}, {16, 15}, {0, 0}} {
			n, tl, err := op.AEEncryptFinal(make([]byte, tc.dst), make([]byte, tc.tag), msg[5:])
			if !isResult(err, tee.ErrShortBuffer) || n != len(msg) || tl != 16 {
				t.Fatalf("dst %d tag %d: %d, %d, %v", tc.dst, tc.tag, n, tl, err)
			}
		}
		if n, _, err := op.AEEncryptFinal(nil, nil, msg[6:]); !isResult(err, tee.ErrShortBuffer) || n != len(msg)-1 {
			t.Fatalf("short and short of payload: %d, %v", n, err)
		}
		ct, tag := make([]byte, len(msg)), make([]byte, 16)
		if _, _, err := op.AEEncryptFinal(ct, tag, msg[5:]); err != nil {
			t.Fatal(err)
		}
		wantCT, wantTag := ccmEncrypt(t, key.Secret, nonce, aad, msg, 128)
		if !bytes.Equal(ct, wantCT) || !bytes.Equal(tag, wantTag) {
			t.Fatal("SHORT_BUFFER changed the operation")
		}

		d := dec(t)
		d.AEUpdateAAD(aad)
		if n, err := d.AEDecryptFinal(make([]byte, len(msg)-1), ct, tag); !isResult(err, tee.ErrShortBuffer) || n != len(msg) {
			t.Fatalf("short decrypt: %d, %v", n, err)
		}
		pt := make([]byte, len(msg))
		if n, err := d.AEDecryptFinal(pt, ct, tag); err != nil || !bytes.Equal(pt[:n], msg) {
			t.Fatalf("decrypt after SHORT_BUFFER: %x, %v", pt[:n], err)
		}
	})

	t.Run("MAC invalid zeroes output", func(t *testing.T) {
		ct, tag := ccmEncrypt(t, key.Secret, nonce, aad, msg, 128)
		for name, mod := range map[string]func(c, tg []byte) ([]byte, []byte){
			"ciphertext": func(c, tg []byte) ([]byte, []byte) { c[0] ^= 1; return c, tg },
			"tag":        func(c, tg []byte) ([]byte, []byte) { tg[15] ^= 1; return c, tg },
			"short tag":  func(c, tg []byte) ([]byte, []byte) { return c, tg[:8] },
			"long tag":   func(c, tg []byte) ([]byte, []byte) { return c, append(tg, 0) },
			"empty tag":  func(c, tg []byte) ([]byte, []byte) { return c, nil },
		} {
			c, tg := mod(bytes.Clone(ct), bytes.Clone(tag))
			if _, err := ccmDecrypt(t, key.Secret, nonce, aad, c, tg, 128); !isResult(err, tee.ErrMACInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// The operation is back in the initial state after MAC_INVALID, ready for AEInit.
		op := dec(t)
		op.AEUpdateAAD(aad)
		op.AEDecryptFinal(make([]byte, len(ct)), ct, make([]byte, 16))
		if op.State() != tee.StateInitial || op.Info().HandleState&tee.FlagInitialized != 0 {
			t.Errorf("after MAC_INVALID: %v %#x", op.State(), op.Info().HandleState)
		}
	})

	t.Run("empty message", func(t *testing.T) {
		ct, tag := ccmEncrypt(t, key.Secret, nonce, nil, nil, 32)
		if len(ct) != 0 || len(tag) != 4 {
			t.Fatalf("%x %x", ct, tag)
		}
		if _, err := ccmDecrypt(t, key.Secret, nonce, nil, nil, tag, 32); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("copy", func(t *testing.T) {
		src := enc(t)
		src.AEUpdateAAD(aad)
		src.AEUpdate(nil, msg[:4])
		dst := alloc(t, tee.AlgAESCCM, tee.ModeEncrypt, 128)
		Copy(dst, src)
		c1, t1, c2, t2 := make([]byte, len(msg)), make([]byte, 16), make([]byte, len(msg)), make([]byte, 16)
		src.AEEncryptFinal(c1, t1, msg[4:])
		dst.AEEncryptFinal(c2, t2, msg[4:])
		if !bytes.Equal(c1, c2) || !bytes.Equal(t1, t2) {
			t.Error("CCM copies differ")
		}
		// The copy keeps the announced lengths.
		src = enc(t)
		Copy(dst, src)
		mustPanic(t, func() { dst.AEUpdateAAD(append(aad, 0)) })
	})
}
