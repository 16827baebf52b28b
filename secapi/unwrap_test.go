package secapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/gotee/gotee/secapi"
)

// mustStatus stops the test unless err carries want.
func mustStatus(t *testing.T, what string, err error, want secapi.Status) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

// chachaRun streams in through a ChaCha20(-Poly1305) context in uneven chunks and
// returns the output (and, encrypting with the AEAD, the tag).
func chachaRun(t *testing.T, x *secapi.Cipher, in []byte, aead bool, tag []byte) ([]byte, []byte, error) {
	t.Helper()
	ctx := context.Background()
	var out []byte
	rest := in
	for _, n := range []int{1, 63, 64, 65, 7} {
		if len(rest) <= n {
			break
		}
		b, err := x.Process(ctx, rest[:n])
		if err != nil {
			return nil, nil, err
		}
		out = append(out, b...)
		rest = rest[n:]
	}
	tagLen := 0
	if aead {
		tagLen = 16
	}
	b, outTag, err := x.ProcessLast(ctx, rest, tagLen, tag)
	if err != nil {
		return nil, nil, err
	}
	return append(out, b...), outTag, nil
}

// RFC 8439 §2.4.2 and §2.8.2.
var (
	sunscreen = []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
	rfcKey1   = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	rfcCT1    = unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d")
	rfcKey2   = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
	rfcNonce2 = unhex("070000004041424344454647")
	rfcAAD2   = unhex("50515253c0c1c2c3c4c5c6c7")
	rfcCT2    = unhex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116")
	rfcTag2   = unhex("1ae10b594f09e26a7e902ecbd0600691")
)

func TestChaCha20(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	k := mustKey(t, c, secapi.AllRights(), rfcKey1)
	nonce := unhex("000000000000004a00000000")
	ctr1 := []byte{1, 0, 0, 0}
	for _, mode := range []secapi.CipherMode{secapi.Encrypt, secapi.Decrypt} {
		x, err := c.NewCipher(ctx, secapi.ChaCha20, mode, k, secapi.CipherParams{Counter: ctr1, Nonce: nonce})
		if err != nil {
			t.Fatal(err)
		}
		in, want := sunscreen, rfcCT1
		if mode == secapi.Decrypt {
			in, want = rfcCT1, sunscreen
		}
		out, _, err := chachaRun(t, x, in, false, nil)
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("mode %d: %x, %v", mode, out, err)
		}
		x.Release(ctx)
	}

	// Against x/crypto with a random key, nonce and counter.
	raw := make([]byte, 32)
	rand.Read(raw)
	k2 := mustKey(t, c, secapi.AllRights(), raw)
	nonce = make([]byte, 12)
	rand.Read(nonce)
	msg := make([]byte, 1000)
	rand.Read(msg)
	ref, _ := chacha20.NewUnauthenticatedCipher(raw, nonce)
	ref.SetCounter(7)
	want := make([]byte, len(msg))
	ref.XORKeyStream(want, msg)
	x, err := c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, k2, secapi.CipherParams{Counter: []byte{7, 0, 0, 0}, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	if out, _, err := chachaRun(t, x, msg, false, nil); err != nil || !bytes.Equal(out, want) {
		t.Fatalf("vs x/crypto: %v", err)
	}
	if _, err := x.Process(ctx, msg); err == nil {
		t.Fatal("process after process-last")
	}
	if err := x.UpdateIV(ctx, make([]byte, 16)); !errors.Is(err, secapi.StatusInvalidParameter) {
		t.Fatalf("update IV: %v", err)
	}

	// The 32-bit block counter ends the stream: 64 bytes from counter 2^32-1, no more.
	x, err = c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, k2, secapi.CipherParams{Counter: []byte{0xff, 0xff, 0xff, 0xff}, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.Process(ctx, make([]byte, 65))
	mustStatus(t, "past the counter", err, secapi.StatusInvalidParameter)
	if _, err := x.Process(ctx, make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	_, err = x.Process(ctx, make([]byte, 1))
	mustStatus(t, "counter used up", err, secapi.StatusInvalidParameter)

	// Parameters and key types, as the reference reports them.
	aes16 := mustKey(t, c, secapi.AllRights(), make([]byte, 16))
	_, err = c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, aes16, secapi.CipherParams{Counter: ctr1, Nonce: nonce})
	mustStatus(t, "16-byte key", err, secapi.StatusInvalidKeyType)
	_, err = c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, k2, secapi.CipherParams{Counter: ctr1, Nonce: nonce[:11]})
	mustStatus(t, "nonce 11", err, secapi.StatusInvalidParameter)
	_, err = c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, k2, secapi.CipherParams{Counter: ctr1[:3], Nonce: nonce})
	mustStatus(t, "counter 3", err, secapi.StatusInvalidParameter)
	noEnc := secapi.AllRights()
	noEnc.Usage &^= secapi.UsageEncrypt
	_, err = c.NewCipher(ctx, secapi.ChaCha20, secapi.Encrypt, mustKey(t, c, noEnc, raw), secapi.CipherParams{Counter: ctr1, Nonce: nonce})
	mustStatus(t, "no ENCRYPT", err, secapi.StatusOperationNotAllowed)
}

func TestChaCha20Poly1305(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	k := mustKey(t, c, secapi.AllRights(), rfcKey2)
	p := secapi.CipherParams{Nonce: rfcNonce2, AAD: rfcAAD2}
	x, err := c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Encrypt, k, p)
	if err != nil {
		t.Fatal(err)
	}
	ct, tag, err := chachaRun(t, x, sunscreen, true, nil)
	if err != nil || !bytes.Equal(ct, rfcCT2) || !bytes.Equal(tag, rfcTag2) {
		t.Fatalf("RFC 8439 §2.8.2: %x %x, %v", ct, tag, err)
	}
	x, _ = c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Decrypt, k, p)
	if pt, _, err := chachaRun(t, x, rfcCT2, true, rfcTag2); err != nil || !bytes.Equal(pt, sunscreen) {
		t.Fatalf("decrypt: %q, %v", pt, err)
	}
	bad := bytes.Clone(rfcTag2)
	bad[15] ^= 1
	x, _ = c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Decrypt, k, p)
	_, _, err = chachaRun(t, x, rfcCT2, true, bad)
	mustStatus(t, "bad tag", err, secapi.StatusVerificationFailed)
	x, _ = c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Decrypt, k, p)
	_, _, err = x.ProcessLast(ctx, rfcCT2, 15, rfcTag2[:15])
	mustStatus(t, "15-byte tag", err, secapi.StatusInvalidParameter)
	_, _, err = x.ProcessLast(ctx, rfcCT2, 0, nil)
	mustStatus(t, "no tag", err, secapi.StatusNullParameter)

	// Against x/crypto, without AAD and with an empty message.
	aead, _ := chacha20poly1305.New(rfcKey2)
	for _, n := range []int{0, 1, 16, 300} {
		msg := make([]byte, n)
		rand.Read(msg)
		sealed := aead.Seal(nil, rfcNonce2, msg, nil)
		x, err := c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Encrypt, k, secapi.CipherParams{Nonce: rfcNonce2})
		if err != nil {
			t.Fatal(err)
		}
		ct, tag, err := chachaRun(t, x, msg, true, nil)
		if err != nil || !bytes.Equal(append(ct, tag...), sealed) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	_, err = c.NewCipher(ctx, secapi.ChaCha20Poly1305, secapi.Encrypt, mustKey(t, c, secapi.AllRights(), make([]byte, 48)), p)
	mustStatus(t, "48-byte key", err, secapi.StatusInvalidKeyType)
}

func TestRSACipher(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	priv, der := rsaKey(t, 2048)
	k, err := c.ImportRSA(ctx, secapi.AllRights(), der)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("a 32-byte secret for RSA tests..")
	decrypt := func(alg secapi.CipherAlgorithm, p secapi.CipherParams, ct []byte) ([]byte, error) {
		x, err := c.NewCipher(ctx, alg, secapi.Decrypt, k, p)
		if err != nil {
			return nil, err
		}
		defer x.Release(ctx)
		return x.Process(ctx, ct)
	}
	//lint:ignore SA1019 the ciphertext SecAPI's PKCS#1 v1.5 decryption takes.
	ct, _ := rsa.EncryptPKCS1v15(rand.Reader, &priv.PublicKey, msg)
	if out, err := decrypt(secapi.CipherRSAPKCS1v15, secapi.CipherParams{}, ct); err != nil || !bytes.Equal(out, msg) {
		t.Fatalf("PKCS#1 v1.5: %q, %v", out, err)
	}
	hashes := map[secapi.Digest]crypto.Hash{secapi.SHA1: crypto.SHA1, secapi.SHA256: crypto.SHA256, secapi.SHA384: crypto.SHA384, secapi.SHA512: crypto.SHA512}
	for d, h := range hashes {
		for m, mh := range hashes {
			label := []byte(nil)
			if d == m {
				label = []byte("label")
			}
			ct, err := rsa.EncryptOAEPWithOptions(rand.Reader, &priv.PublicKey, msg, &rsa.OAEPOptions{Hash: h, MGFHash: mh, Label: label})
			if err != nil {
				t.Fatal(err)
			}
			out, err := decrypt(secapi.CipherRSAOAEP, secapi.CipherParams{Digest: d, MGF1: m, Label: label}, ct)
			if err != nil || !bytes.Equal(out, msg) {
				t.Fatalf("OAEP %v/%v: %q, %v", h, mh, out, err)
			}
		}
	}
	// An OAEP block is 00, then the masked seed: when that seed starts 02 (once in 256)
	// the block may be valid PKCS#1 v1.5 padding too, and "OAEP as PKCS#1 v1.5" below
	// would decrypt. Encrypt again until the raw RSA decryption shows it does not.
	var oaep []byte
	for {
		oaep, _ = rsa.EncryptOAEP(sha256.New(), rand.Reader, &priv.PublicKey, msg, nil)
		em := new(big.Int).Exp(new(big.Int).SetBytes(oaep), priv.D, priv.N).FillBytes(make([]byte, priv.Size()))
		if em[1] != 2 {
			break
		}
	}
	_, err = decrypt(secapi.CipherRSAOAEP, secapi.CipherParams{Digest: secapi.SHA256, MGF1: secapi.SHA256, Label: []byte("x")}, oaep)
	mustStatus(t, "OAEP wrong label", err, secapi.StatusVerificationFailed)
	_, err = decrypt(secapi.CipherRSAPKCS1v15, secapi.CipherParams{}, oaep)
	mustStatus(t, "OAEP as PKCS#1 v1.5", err, secapi.StatusVerificationFailed)
	_, err = decrypt(secapi.CipherRSAPKCS1v15, secapi.CipherParams{}, ct[:255])
	mustStatus(t, "short ciphertext", err, secapi.StatusInvalidParameter)
	_, err = decrypt(secapi.CipherRSAOAEP, secapi.CipherParams{Digest: 4, MGF1: secapi.SHA1}, oaep)
	mustStatus(t, "unknown digest", err, secapi.StatusInvalidParameter)
	_, err = c.NewCipher(ctx, secapi.CipherRSAPKCS1v15, secapi.Encrypt, k, secapi.CipherParams{})
	mustStatus(t, "encrypt mode", err, secapi.StatusInvalidParameter)
	x, _ := c.NewCipher(ctx, secapi.CipherRSAPKCS1v15, secapi.Decrypt, k, secapi.CipherParams{})
	_, _, err = x.ProcessLast(ctx, ct, 0, nil)
	mustStatus(t, "process-last", err, secapi.StatusInvalidParameter)
	_, err = c.NewCipher(ctx, secapi.CipherRSAOAEP, secapi.Decrypt, mustKey(t, c, secapi.AllRights(), make([]byte, 16)), secapi.CipherParams{})
	mustStatus(t, "AES key", err, secapi.StatusInvalidKeyType)
	// The context keeps working after its key is released, as the reference's.
	x, _ = c.NewCipher(ctx, secapi.CipherRSAPKCS1v15, secapi.Decrypt, k, secapi.CipherParams{})
	k.Release(ctx)
	if out, err := x.Process(ctx, ct); err != nil || !bytes.Equal(out, msg) {
		t.Fatalf("after release: %v", err)
	}
}

// elgamalEncrypt is the reference tests' EC ElGamal: the message m (the curve's size,
// its last four bytes a counter bumped until m is an x coordinate) becomes the point
// M, and the ciphertext is C1 = rG, C2 = M + rQ, as x ‖ y ‖ x ‖ y. It returns the
// message actually encrypted.
func elgamalEncrypt(t testing.TB, pub *ecdsa.PublicKey, m []byte) (ct, msg []byte) {
	t.Helper()
	curve := pub.Curve
	p := curve.Params()
	n := (p.BitSize + 7) / 8
	msg = bytes.Clone(m)
	var mx, my *big.Int
	for {
		mx = new(big.Int).SetBytes(msg)
		y2 := new(big.Int).Exp(mx, big.NewInt(3), p.P)
		y2.Sub(y2, new(big.Int).Mul(mx, big.NewInt(3)))
		y2.Add(y2, p.B)
		y2.Mod(y2, p.P)
		if mx.Cmp(p.P) < 0 {
			if my = new(big.Int).ModSqrt(y2, p.P); my != nil {
				break
			}
		}
		for i := len(msg) - 1; i >= len(msg)-4; i-- {
			msg[i]++
			if msg[i] != 0 {
				break
			}
		}
	}
	r, err := rand.Int(rand.Reader, p.N)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the test needs raw point arithmetic.
	c1x, c1y := curve.ScalarBaseMult(r.Bytes())
	//lint:ignore SA1019 as above.
	sx, sy := curve.ScalarMult(pub.X, pub.Y, r.Bytes())
	//lint:ignore SA1019 as above.
	c2x, c2y := curve.Add(mx, my, sx, sy)
	for _, v := range []*big.Int{c1x, c1y, c2x, c2y} {
		ct = append(ct, v.FillBytes(make([]byte, n))...)
	}
	return ct, msg
}

func TestElGamal(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	for _, tc := range []struct {
		curve secapi.Curve
		ec    elliptic.Curve
	}{{secapi.CurveP224, elliptic.P224()}, {secapi.CurveP256, elliptic.P256()}, {secapi.CurveP384, elliptic.P384()}, {secapi.CurveP521, elliptic.P521()}} {
		priv, _ := ecdsa.GenerateKey(tc.ec, rand.Reader)
		k, err := c.ImportEC(ctx, secapi.AllRights(), tc.curve, ecPKCS8(t, priv))
		if err != nil {
			t.Fatal(err)
		}
		n := (tc.ec.Params().BitSize + 7) / 8
		m := make([]byte, n)
		rand.Read(m)
		m[0] = 0 // below p
		ct, msg := elgamalEncrypt(t, &priv.PublicKey, m)
		x, err := c.NewCipher(ctx, secapi.ECElGamal, secapi.Decrypt, k, secapi.CipherParams{})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := x.Process(ctx, ct); err != nil || !bytes.Equal(out, msg) {
			t.Fatalf("curve %d: %x, %v (want %x)", tc.curve, out, err, msg)
		}
		bad := bytes.Clone(ct)
		bad[n-1] ^= 1 // C1 off the curve
		_, err = x.Process(ctx, bad)
		mustStatus(t, "point off the curve", err, secapi.StatusVerificationFailed)
		_, err = x.Process(ctx, ct[1:])
		mustStatus(t, "short input", err, secapi.StatusInvalidParameter)

		// Unwrap a 16-byte key at the reference tests' offset.
		aesKey := make([]byte, 16)
		rand.Read(aesKey)
		off := uint64((n - 4 - 16) / 8 * 8)
		copy(m[off:], aesKey)
		ct, _ = elgamalEncrypt(t, &priv.PublicKey, m)
		uk, err := c.Unwrap(ctx, secapi.AllRights(), secapi.KeySymmetric, 0, secapi.ECElGamalWrap(off, 16), k, ct)
		if err != nil {
			t.Fatalf("curve %d unwrap: %v", tc.curve, err)
		}
		checkSym(t, uk, aesKey)
		_, err = c.Unwrap(ctx, secapi.AllRights(), secapi.KeySymmetric, 0, secapi.ECElGamalWrap(uint64(n)-15, 16), k, ct)
		mustStatus(t, "offset past the end", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, secapi.AllRights(), secapi.KeySymmetric, 0, secapi.ECElGamalWrap(^uint64(0), 16), k, ct)
		mustStatus(t, "offset overflowing", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, secapi.AllRights(), secapi.KeySymmetric, 0, secapi.ECElGamalWrap(0, 15), k, ct)
		mustStatus(t, "15-byte key", err, secapi.StatusInvalidParameter)
	}
	ed, err := c.GenerateEC(ctx, secapi.AllRights(), secapi.CurveEd25519)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.NewCipher(ctx, secapi.ECElGamal, secapi.Decrypt, ed, secapi.CipherParams{})
	mustStatus(t, "Ed25519", err, secapi.StatusOperationNotAllowed)
	p256, _ := c.GenerateEC(ctx, secapi.AllRights(), secapi.CurveP256)
	_, err = c.NewCipher(ctx, secapi.ECElGamal, secapi.Encrypt, p256, secapi.CipherParams{})
	mustStatus(t, "encrypt mode", err, secapi.StatusInvalidParameter)
}

// checkSym checks that k holds raw, through its SHA-256 digest.
func checkSym(t *testing.T, k *secapi.Key, raw []byte) {
	t.Helper()
	d, err := k.Digest(context.Background(), secapi.SHA256)
	want := sha256.Sum256(raw)
	if err != nil || !bytes.Equal(d, want[:]) {
		t.Fatalf("unwrapped key differs: %v", err)
	}
}

func TestUnwrap(t *testing.T) {
	srv, _ := start(t, false)
	c := newClient(t, srv)
	ctx := context.Background()
	all := secapi.AllRights()
	for _, size := range []int{16, 32} {
		raw := make([]byte, size)
		rand.Read(raw)
		wk := mustKey(t, c, all, raw)
		blk, _ := aes.NewCipher(raw)
		iv := make([]byte, 16)
		rand.Read(iv)
		secret := make([]byte, 32)
		rand.Read(secret)
		ecb := func(in []byte) []byte {
			out := make([]byte, len(in))
			for i := 0; i < len(in); i += 16 {
				blk.Encrypt(out[i:], in[i:])
			}
			return out
		}
		cbc := func(in []byte) []byte {
			out := make([]byte, len(in))
			cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, in)
			return out
		}
		ctr := make([]byte, len(secret))
		cipher.NewCTR(blk, iv).XORKeyStream(ctr, secret)
		gcm, _ := cipher.NewGCM(blk)
		sealed := gcm.Seal(nil, iv[:12], secret, []byte("aad"))
		gct, gtag := sealed[:32], sealed[32:]
		for _, tc := range []struct {
			name string
			w    secapi.Wrapping
			in   []byte
		}{
			{"ecb", secapi.AESECBWrap(false), ecb(secret)},
			{"ecb-pkcs7", secapi.AESECBWrap(true), ecb(pkcs7(secret))},
			{"cbc", secapi.AESCBCWrap(iv, false), cbc(secret)},
			{"cbc-pkcs7", secapi.AESCBCWrap(iv, true), cbc(pkcs7(secret))},
			{"ctr", secapi.AESCTRWrap(iv), ctr},
			{"gcm", secapi.AESGCMWrap(iv[:12], []byte("aad"), gtag), gct},
			{"gcm-12", secapi.AESGCMWrap(iv[:12], []byte("aad"), gtag[:12]), gct},
		} {
			uk, err := c.Unwrap(ctx, all, secapi.KeySymmetric, 0, tc.w, wk, tc.in)
			if err != nil {
				t.Fatalf("%d %s: %v", size, tc.name, err)
			}
			checkSym(t, uk, secret)
		}
		// A last byte of 2 needs the byte before it to be 2 as well; 0 there
		// makes the padding wrong whatever the random secret holds.
		bad := cbc(append(bytes.Clone(secret[:30]), 0, 2))
		_, err := c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESCBCWrap(iv, true), wk, bad)
		mustStatus(t, "bad padding", err, secapi.StatusInvalidKeyFormat)
		badTag := bytes.Clone(gtag)
		badTag[0] ^= 1
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESGCMWrap(iv[:12], []byte("aad"), badTag), wk, gct)
		mustStatus(t, "bad GCM tag", err, secapi.StatusVerificationFailed)
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), wk, secret[:31])
		mustStatus(t, "ECB 31 bytes", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESCBCWrap(iv[:15], false), wk, cbc(secret))
		mustStatus(t, "CBC IV 15", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), wk, ecb(secret[:16]))
		if err != nil {
			t.Fatalf("16-byte key: %v", err)
		}
		_, err = c.Unwrap(ctx, all, secapi.KeyDH, 0, secapi.AESECBWrap(false), wk, ecb(secret))
		mustStatus(t, "DH type", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.WrapWith(255), wk, ecb(secret))
		mustStatus(t, "unknown algorithm", err, secapi.StatusInvalidParameter)
		_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.ChaCha20Wrap([]byte{0, 0, 0, 0}, iv[:12]), wk, secret)
		if size == 16 {
			mustStatus(t, "ChaCha20 under a 16-byte key", err, secapi.StatusInvalidKeyType)
		} else if err != nil {
			t.Fatal(err)
		}
	}

	// Rights: UNWRAP needed; the child's rights restricted as derive's.
	raw := make([]byte, 32)
	rand.Read(raw)
	blk, _ := aes.NewCipher(raw)
	secret := make([]byte, 16)
	rand.Read(secret)
	wrapped := make([]byte, 16)
	blk.Encrypt(wrapped, secret)
	noUnwrap := all
	noUnwrap.Usage &^= secapi.UsageUnwrap
	_, err := c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), mustKey(t, c, noUnwrap, raw), wrapped)
	mustStatus(t, "no UNWRAP", err, secapi.StatusOperationNotAllowed)
	onlyUnwrap := secapi.Rights{Usage: secapi.UsageUnwrap | secapi.UsageSVPOptional, ChildUsage: secapi.UsageDecrypt, AllowedTAs: all.AllowedTAs}
	uk, err := c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), mustKey(t, c, onlyUnwrap, raw), wrapped)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := uk.Header(ctx)
	if want := all.Usage &^ (secapi.UsageKeyExchange | secapi.UsageDerive | secapi.UsageUnwrap | secapi.UsageEncrypt | secapi.UsageSign); h.Rights.Usage != want {
		t.Fatalf("child usage %#x, want %#x", h.Rights.Usage, want)
	}
	mixed := secapi.Rights{Usage: secapi.UsageUnwrap | secapi.UsageDecrypt | secapi.UsageSVPOptional, AllowedTAs: all.AllowedTAs}
	uk, _ = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), mustKey(t, c, mixed, raw), wrapped)
	h, _ = uk.Header(ctx)
	if want := all.Usage &^ (secapi.UsageOutputProtections &^ secapi.UsageSVPOptional); h.Rights.Usage != want {
		t.Fatalf("child usage %#x, want %#x", h.Rights.Usage, want)
	}

	// RSA and EC keys (PKCS#8) under AES-CBC-PKCS7 and AES-GCM.
	iv := make([]byte, 16)
	rand.Read(iv)
	wk := mustKey(t, c, all, raw)
	rsaPriv, rsaDER := rsaKey(t, 1024)
	ct := make([]byte, len(pkcs7(rsaDER)))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(ct, pkcs7(rsaDER))
	rk, err := c.Unwrap(ctx, all, secapi.KeyRSA, 0, secapi.AESCBCWrap(iv, true), wk, ct)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := rk.PublicKey(ctx)
	if want, _ := x509.MarshalPKIXPublicKey(&rsaPriv.PublicKey); !bytes.Equal(pub, want) {
		t.Fatal("unwrapped RSA key differs")
	}
	ecPriv, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	gcm, _ := cipher.NewGCM(blk)
	sealed := gcm.Seal(nil, iv[:12], ecPKCS8(t, ecPriv), nil)
	ek, err := c.Unwrap(ctx, all, secapi.KeyEC, secapi.CurveP384, secapi.AESGCMWrap(iv[:12], nil, sealed[len(sealed)-16:]), wk, sealed[:len(sealed)-16])
	if err != nil {
		t.Fatal(err)
	}
	pub, _ = ek.PublicKey(ctx)
	if want, _ := x509.MarshalPKIXPublicKey(&ecPriv.PublicKey); !bytes.Equal(pub, want) {
		t.Fatal("unwrapped EC key differs")
	}
	_, err = c.Unwrap(ctx, all, secapi.KeyEC, secapi.CurveP256, secapi.AESGCMWrap(iv[:12], nil, sealed[len(sealed)-16:]), wk, sealed[:len(sealed)-16])
	mustStatus(t, "EC key of another curve", err, secapi.StatusInvalidKeyFormat)

	// ChaCha20 and ChaCha20-Poly1305.
	nonce := iv[:12]
	secret = make([]byte, 32)
	rand.Read(secret)
	cc, _ := chacha20.NewUnauthenticatedCipher(raw, nonce)
	cc.SetCounter(5)
	cct := make([]byte, 32)
	cc.XORKeyStream(cct, secret)
	uk, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.ChaCha20Wrap([]byte{5, 0, 0, 0}, nonce), wk, cct)
	if err != nil {
		t.Fatal(err)
	}
	checkSym(t, uk, secret)
	aead, _ := chacha20poly1305.New(raw)
	sealed = aead.Seal(nil, nonce, secret, []byte("hdr"))
	uk, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.ChaCha20Poly1305Wrap(nonce, []byte("hdr"), sealed[32:]), wk, sealed[:32])
	if err != nil {
		t.Fatal(err)
	}
	checkSym(t, uk, secret)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.ChaCha20Poly1305Wrap(nonce, []byte("hdX"), sealed[32:]), wk, sealed[:32])
	mustStatus(t, "ChaCha20-Poly1305 wrong AAD", err, secapi.StatusVerificationFailed)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.ChaCha20Poly1305Wrap(nonce, nil, sealed[32:47]), wk, sealed[:32])
	mustStatus(t, "ChaCha20-Poly1305 15-byte tag", err, secapi.StatusInvalidParameter)

	// RSA PKCS#1 v1.5 and OAEP.
	rsaPriv, rsaDER = rsaKey(t, 2048)
	rw, err := c.ImportRSA(ctx, all, rsaDER)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 as above.
	rct, _ := rsa.EncryptPKCS1v15(rand.Reader, &rsaPriv.PublicKey, secret)
	if uk, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.RSAPKCS1v15Wrap(), rw, rct); err != nil {
		t.Fatal(err)
	}
	checkSym(t, uk, secret)
	rct, _ = rsa.EncryptOAEPWithOptions(rand.Reader, &rsaPriv.PublicKey, secret, &rsa.OAEPOptions{Hash: crypto.SHA384, MGFHash: crypto.SHA1, Label: []byte("L")})
	if uk, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.RSAOAEPWrap(secapi.SHA384, secapi.SHA1, []byte("L")), rw, rct); err != nil {
		t.Fatal(err)
	}
	checkSym(t, uk, secret)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.RSAOAEPWrap(secapi.SHA384, secapi.SHA1, nil), rw, rct)
	mustStatus(t, "OAEP without the label", err, secapi.StatusVerificationFailed)
	_, err = c.Unwrap(ctx, all, secapi.KeyRSA, 0, secapi.RSAPKCS1v15Wrap(), rw, rct)
	mustStatus(t, "RSA-wrapped RSA key", err, secapi.StatusInvalidParameter)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.RSAPKCS1v15Wrap(), rw, rct[1:])
	mustStatus(t, "RSA short input", err, secapi.StatusInvalidParameter)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.RSAPKCS1v15Wrap(), wk, rct)
	mustStatus(t, "RSA unwrap with an AES key", err, secapi.StatusInvalidKeyType)
	_, err = c.Unwrap(ctx, all, secapi.KeySymmetric, 0, secapi.AESECBWrap(false), rw, wrapped)
	mustStatus(t, "AES unwrap with an RSA key", err, secapi.StatusInvalidKeyType)
}
