// GP allows RSA keys from 256 bits; Go refuses those under 1024 unless told otherwise.
//
//go:debug rsa1024min=0
package crypto

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/gotee/gotee/tee"
)

// eccKeyFromScalar builds an ECDH key pair object from a private scalar.
func eccKeyFromScalar(c *curveInfo, d []byte) (*Key, error) {
	db := leftPad(d, c.bytes)
	if db == nil {
		return nil, errors.New("scalar too long")
	}
	var pt []byte
	if c.generic {
		//lint:ignore SA1019 P-192 has only the generic arithmetic (p192.go).
		x, y := c.ec.ScalarBaseMult(db)
		pt = append(append([]byte{4}, x.FillBytes(make([]byte, c.bytes))...), y.FillBytes(make([]byte, c.bytes))...)
	} else {
		priv, err := ecdsa.ParseRawPrivateKey(c.ec, db)
		if err != nil {
			return nil, err
		}
		if pt, err = priv.PublicKey.Bytes(); err != nil {
			return nil, err
		}
	}
	return &Key{Type: tee.TypeECDHKeypair, Usage: tee.UsageAll, Attrs: []tee.Attribute{
		{ID: tee.AttrECCPrivateValue, Ref: db},
		{ID: tee.AttrECCPublicValueX, Ref: pt[1 : 1+c.bytes]},
		{ID: tee.AttrECCPublicValueY, Ref: pt[1+c.bytes:]},
		{ID: tee.AttrECCCurve, A: uint32(c.id)},
	}}, nil
}

func x25519KeyFromPrivate(priv []byte) (*Key, error) {
	x, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return &Key{Type: tee.TypeX25519Keypair, Usage: tee.UsageAll, Attrs: []tee.Attribute{
		{ID: tee.AttrX25519PrivateValue, Ref: priv},
		{ID: tee.AttrX25519PublicValue, Ref: x.PublicKey().Bytes()},
	}}, nil
}

// generated makes a key object with GenerateKey, checking its attributes populate back.
func generated(tb testing.TB, t tee.ObjectType, bits int, params ...tee.Attribute) *Key {
	tb.Helper()
	attrs, err := GenerateKey(t, bits, params)
	if err != nil {
		tb.Fatalf("GenerateKey(0x%08x, %d): %v", uint32(t), bits, err)
	}
	got, err := CheckAttributes(t, bits, attrs)
	if err != nil || got != bits {
		tb.Fatalf("CheckAttributes of generated 0x%08x key = %d, %v; want %d", uint32(t), got, err, bits)
	}
	return &Key{Type: t, Size: bits, Usage: tee.UsageAll, Attrs: attrs}
}

// publicPart keeps the public attributes of a key pair, as a public-key object.
func publicPart(k *Key, t tee.ObjectType) *Key {
	var attrs []tee.Attribute
	ot := objTypes[t]
	for _, a := range k.Attrs {
		if _, ok := ot.find(a.ID); ok {
			attrs = append(attrs, a)
		}
	}
	return &Key{Type: t, Size: k.Size, Usage: tee.UsageAll, Attrs: attrs}
}

// signVerify signs digest with sk and verifies it with pk, also checking SHORT_BUFFER
// and a corrupted signature.
func signVerify(tb testing.TB, alg tee.Algorithm, sk, pk *Key, params []tee.Attribute, digest []byte) {
	tb.Helper()
	s := keyedMax(tb, alg, tee.ModeSign, sk, sk.Size)
	need, err := s.AsymmetricSignDigest(nil, params, digest)
	if !isResult(err, tee.ErrShortBuffer) || need == 0 {
		tb.Fatalf("%v: SignDigest(nil) = %d, %v; want size, SHORT_BUFFER", alg, need, err)
	}
	sig := make([]byte, need)
	n, err := s.AsymmetricSignDigest(sig, params, digest)
	if err != nil || n != need {
		tb.Fatalf("%v: SignDigest = %d, %v; want %d", alg, n, err, need)
	}
	for _, k := range []*Key{pk, sk} {
		v := keyedMax(tb, alg, tee.ModeVerify, k, k.Size)
		if err := v.AsymmetricVerifyDigest(params, digest, sig); err != nil {
			tb.Fatalf("%v: verify with 0x%08x: %v", alg, uint32(k.Type), err)
		}
		bad := bytes.Clone(sig)
		bad[len(bad)/2] ^= 1
		if err := v.AsymmetricVerifyDigest(params, digest, bad); !isResult(err, tee.ErrSignatureInvalid) {
			tb.Fatalf("%v: corrupted signature: %v", alg, err)
		}
		if err := v.AsymmetricVerifyDigest(params, digest, sig[:len(sig)-1]); !isResult(err, tee.ErrSignatureInvalid) {
			tb.Fatalf("%v: short signature: %v", alg, err)
		}
	}
}

// Domain parameters for DSA and DH tests: from the Wycheproof DSA vectors (2048/224).
func dsaDomain(tb testing.TB) (p, q, g []byte) {
	tb.Helper()
	wp := loadWPAsym(tb, "dsa_2048_224_sha224_p1363_test.json")
	pk := wp.TestGroups[0].PublicKey
	return unhex(tb, wpStr(tb, pk, "p")), unhex(tb, wpStr(tb, pk, "q")), unhex(tb, wpStr(tb, pk, "g"))
}

var rsaKeyCache = map[int]*Key{}

func rsaKey(tb testing.TB, bits int) *Key {
	tb.Helper()
	if k, ok := rsaKeyCache[bits]; ok {
		return k
	}
	k := generated(tb, tee.TypeRSAKeypair, bits)
	rsaKeyCache[bits] = k
	return k
}

func TestSignRoundTrips(t *testing.T) {
	rsa := rsaKey(t, 2048)
	rsaPub := publicPart(rsa, tee.TypeRSAPublicKey)
	msg := []byte("GlobalPlatform TEE")
	for _, tc := range []struct {
		alg tee.Algorithm
		h   crypto.Hash
	}{
		{tee.AlgRSASSAPKCS1v15MD5, crypto.MD5}, {tee.AlgRSASSAPKCS1v15SHA1, crypto.SHA1},
		{tee.AlgRSASSAPKCS1v15SHA224, crypto.SHA224}, {tee.AlgRSASSAPKCS1v15SHA256, crypto.SHA256},
		{tee.AlgRSASSAPKCS1v15SHA384, crypto.SHA384}, {tee.AlgRSASSAPKCS1v15SHA512, crypto.SHA512},
		{tee.AlgRSASSAPKCS1v15MD5SHA1, crypto.MD5SHA1},
		{tee.AlgRSASSAPKCS1v15SHA3_224, crypto.SHA3_224}, {tee.AlgRSASSAPKCS1v15SHA3_512, crypto.SHA3_512},
		{tee.AlgRSASSAPKCS1PSSMGF1SHA1, crypto.SHA1}, {tee.AlgRSASSAPKCS1PSSMGF1SHA224, crypto.SHA224},
		{tee.AlgRSASSAPKCS1PSSMGF1SHA256, crypto.SHA256}, {tee.AlgRSASSAPKCS1PSSMGF1SHA384, crypto.SHA384},
		{tee.AlgRSASSAPKCS1PSSMGF1SHA512, crypto.SHA512}, {tee.AlgRSASSAPKCS1PSSMGF1SHA3_256, crypto.SHA3_256},
	} {
		t.Run(tc.alg.String(), func(t *testing.T) {
			var d []byte
			if tc.h == crypto.MD5SHA1 {
				d = append(hashOf(crypto.MD5, msg), hashOf(crypto.SHA1, msg)...)
			} else {
				d = hashOf(tc.h, msg)
			}
			signVerify(t, tc.alg, rsa, rsaPub, nil, d)
			if asymSpecs[tc.alg].scheme == schRSAPSS {
				signVerify(t, tc.alg, rsa, rsaPub, []tee.Attribute{{ID: tee.AttrRSAPSSSaltLength, A: 7}}, d)
			}
		})
	}
	for _, c := range []tee.Element{tee.CurveNISTP192, tee.CurveNISTP224, tee.CurveNISTP256, tee.CurveNISTP384, tee.CurveNISTP521} {
		k := generated(t, tee.TypeECDSAKeypair, curves[c].bits, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(c)})
		pub := publicPart(k, tee.TypeECDSAPublicKey)
		for _, alg := range []tee.Algorithm{tee.AlgECDSASHA1, tee.AlgECDSASHA256, tee.AlgECDSASHA512, tee.AlgECDSASHA3_384} {
			signVerify(t, alg, k, pub, nil, hashOf(asymSpecs[alg].hash, msg))
		}
	}
	ed := generated(t, tee.TypeEd25519Keypair, 256)
	edPub := publicPart(ed, tee.TypeEd25519PublicKey)
	for _, params := range [][]tee.Attribute{
		nil,
		{{ID: tee.AttrEdDSACtx, Ref: []byte("ctx")}},
		{{ID: tee.AttrEdDSAPrehash, A: 1}},
		{{ID: tee.AttrEdDSAPrehash, A: 1}, {ID: tee.AttrEdDSACtx, Ref: []byte("ctx")}},
	} {
		signVerify(t, tee.AlgEd25519, ed, edPub, params, msg)
	}
	p, q, g := dsaDomain(t)
	dsa := generated(t, tee.TypeDSAKeypair, 2048, tee.Attribute{ID: tee.AttrDSAPrime, Ref: p}, tee.Attribute{ID: tee.AttrDSASubprime, Ref: q}, tee.Attribute{ID: tee.AttrDSABase, Ref: g})
	signVerify(t, tee.AlgDSASHA224, dsa, publicPart(dsa, tee.TypeDSAPublicKey), nil, hashOf(crypto.SHA224, msg))
	signVerify(t, tee.AlgDSASHA256, dsa, publicPart(dsa, tee.TypeDSAPublicKey), nil, hashOf(crypto.SHA256, msg))
}

func TestEd25519RFC8032(t *testing.T) {
	// RFC 8032 §7.1 TEST 1 and §7.3 (Ed25519ph, message "abc").
	for _, tc := range []struct {
		seed, pub, msg, sig string
		params              []tee.Attribute
	}{
		{
			"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
			"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
			"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", nil,
		},
		{
			"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
			"ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", "616263",
			"98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
			[]tee.Attribute{{ID: tee.AttrEdDSAPrehash, A: 1}},
		},
	} {
		key := populated(t, tee.TypeEd25519Keypair, []tee.Attribute{
			{ID: tee.AttrEd25519PrivateValue, Ref: unhex(t, tc.seed)},
			{ID: tee.AttrEd25519PublicValue, Ref: unhex(t, tc.pub)},
		})
		op := keyed(t, tee.AlgEd25519, tee.ModeSign, key)
		sig := make([]byte, 64)
		if _, err := op.AsymmetricSignDigest(sig, tc.params, unhex(t, tc.msg)); err != nil || !bytes.Equal(sig, unhex(t, tc.sig)) {
			t.Errorf("sign %s: %x, %v", tc.msg, sig, err)
		}
	}
}

func TestEncryptRoundTrips(t *testing.T) {
	k := rsaKey(t, 2048)
	pub := publicPart(k, tee.TypeRSAPublicKey)
	msg := []byte("attack at dawn")
	for _, alg := range []tee.Algorithm{
		tee.AlgRSAESPKCS1v15, tee.AlgRSAESPKCS1OAEPMGF1SHA1, tee.AlgRSAESPKCS1OAEPMGF1SHA224,
		tee.AlgRSAESPKCS1OAEPMGF1SHA256, tee.AlgRSAESPKCS1OAEPMGF1SHA384, tee.AlgRSAESPKCS1OAEPMGF1SHA512,
		tee.AlgRSAESPKCS1OAEPMGF1SHA3_256, tee.AlgRSANoPad,
	} {
		t.Run(alg.String(), func(t *testing.T) {
			enc := keyedMax(t, alg, tee.ModeEncrypt, pub, 2048)
			dec := keyedMax(t, alg, tee.ModeDecrypt, k, 2048)
			need, err := enc.AsymmetricEncrypt(make([]byte, 10), nil, msg)
			if !isResult(err, tee.ErrShortBuffer) || need != 256 && alg != tee.AlgRSANoPad {
				t.Fatalf("Encrypt(short) = %d, %v", need, err)
			}
			ct := make([]byte, need)
			n, err := enc.AsymmetricEncrypt(ct, nil, msg)
			if err != nil {
				t.Fatal(err)
			}
			need, err = dec.AsymmetricDecrypt(nil, nil, ct[:n])
			if !isResult(err, tee.ErrShortBuffer) || need != len(msg) {
				t.Fatalf("Decrypt(nil) = %d, %v; want %d, SHORT_BUFFER", need, err, len(msg))
			}
			pt := make([]byte, need)
			if n, err := dec.AsymmetricDecrypt(pt, nil, ct[:n]); err != nil || !bytes.Equal(pt[:n], msg) {
				t.Fatalf("Decrypt = %q, %v", pt[:n], err)
			}
			ct[5] ^= 0x40
			if alg == tee.AlgRSAESPKCS1v15 {
				// The changed block decrypts to random bytes, valid PKCS#1 v1.5 padding
				// (00 02, eight non-zero bytes, a zero) about once in 100 000 runs:
				// change further bytes until its raw decryption does not start 00 02.
				raw := keyedMax(t, tee.AlgRSANoPad, tee.ModeDecrypt, k, 2048)
				for i := 6; startsPKCS1(raw, ct[:n]); i++ {
					ct[i] ^= 0x40
				}
			}
			if _, err := dec.AsymmetricDecrypt(pt, nil, ct[:n]); alg != tee.AlgRSANoPad && !isResult(err, tee.ErrBadParameters) {
				t.Fatalf("corrupted ciphertext: %v", err)
			}
			if alg != tee.AlgRSANoPad {
				if _, err := enc.AsymmetricEncrypt(ct, nil, make([]byte, 250)); !isResult(err, tee.ErrBadParameters) {
					t.Fatalf("too long a message: %v", err)
				}
			}
		})
	}
}

// startsPKCS1 reports whether raw (an RSA_NOPAD decryption) turns ct into a block
// that starts 00 02, as PKCS#1 v1.5 encryption padding does. RSA_NOPAD drops the
// leading zero bytes but one; a ciphertext not below the modulus decrypts to nothing.
func startsPKCS1(raw *Operation, ct []byte) bool {
	em := make([]byte, len(ct))
	n, err := raw.AsymmetricDecrypt(em, nil, ct)
	return err == nil && n == len(ct)-1 && em[0] == 2
}

// TestRSANoPadPrimitive checks RSA_NOPAD against RSASSA-PKCS1-v1_5 on the Wycheproof
// key: the raw public operation of a valid signature is its EMSA-PKCS1-v1_5 encoding,
// and the raw private operation of that encoding is the signature.
func TestRSANoPadPrimitive(t *testing.T) {
	wp := loadWPAsym(t, "rsa_oaep_2048_sha256_mgf1sha256_test.json")
	k := populated(t, tee.TypeRSAKeypair, rsaPrivAttrs(t, wp.TestGroups[0].Private))
	digest := sha256.Sum256([]byte("m"))
	s := keyedMax(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, k, 2048)
	sig := make([]byte, 256)
	if _, err := s.AsymmetricSignDigest(sig, nil, digest[:]); err != nil {
		t.Fatal(err)
	}
	prefix := unhex(t, "3031300d060960864801650304020105000420")
	em := append([]byte{1}, bytes.Repeat([]byte{0xff}, 256-3-len(prefix)-32)...)
	em = append(append(append(em, 0), prefix...), digest[:]...) // leading 00 dropped, as OP-TEE
	enc := keyedMax(t, tee.AlgRSANoPad, tee.ModeEncrypt, k, 2048)
	out := make([]byte, 256)
	n, err := enc.AsymmetricEncrypt(out, nil, sig)
	if err != nil || !bytes.Equal(out[:n], em) {
		t.Fatalf("NOPAD encrypt(sig) = %x, %v; want %x", out[:n], err, em)
	}
	dec := keyedMax(t, tee.AlgRSANoPad, tee.ModeDecrypt, k, 2048)
	n, err = dec.AsymmetricDecrypt(out, nil, append([]byte{0}, em...))
	if err != nil || !bytes.Equal(leftPad(out[:n], 256), sig) {
		t.Fatalf("NOPAD decrypt(em) = %x, %v", out[:n], err)
	}
	// An input not below the modulus is bad data.
	if _, err := enc.AsymmetricEncrypt(out, nil, bytes.Repeat([]byte{0xff}, 256)); !isResult(err, tee.ErrBadParameters) {
		t.Fatalf("NOPAD of n-or-more: %v", err)
	}
	if got := enc.Info().RequiredKeyUsage; got != tee.UsageEncrypt|tee.UsageVerify {
		t.Errorf("NOPAD encrypt requiredKeyUsage = %#x", got)
	}
}

func TestSmallRSA(t *testing.T) {
	// GP allows RSA keys from 256 bits; this test binary runs with rsa1024min=0.
	k := generated(t, tee.TypeRSAKeypair, 512)
	signVerify(t, tee.AlgRSASSAPKCS1v15SHA256, k, publicPart(k, tee.TypeRSAPublicKey), nil, hashOf(crypto.SHA256, nil))
}

func TestDeriveRoundTrips(t *testing.T) {
	for _, c := range []tee.Element{tee.CurveNISTP192, tee.CurveNISTP224, tee.CurveNISTP256, tee.CurveNISTP384, tee.CurveNISTP521} {
		bits := curves[c].bits
		a := generated(t, tee.TypeECDHKeypair, bits, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(c)})
		b := generated(t, tee.TypeECDHKeypair, bits, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(c)})
		pubParams := func(k *Key) []tee.Attribute {
			x, _ := attr(k.Attrs, tee.AttrECCPublicValueX)
			y, _ := attr(k.Attrs, tee.AttrECCPublicValueY)
			return []tee.Attribute{y, x} // any order
		}
		sa := derive(t, tee.AlgECDHDeriveSharedSecret, a, pubParams(b))
		sb := derive(t, tee.AlgECDHDeriveSharedSecret, b, pubParams(a))
		if !bytes.Equal(sa, sb) || len(sa) != curves[c].bytes {
			t.Errorf("ECDH %v: %x != %x", c, sa, sb)
		}
	}
	xa, xb := generated(t, tee.TypeX25519Keypair, 256), generated(t, tee.TypeX25519Keypair, 256)
	pa, _ := attr(xa.Attrs, tee.AttrX25519PublicValue)
	pb, _ := attr(xb.Attrs, tee.AttrX25519PublicValue)
	if s1, s2 := derive(t, tee.AlgX25519, xa, []tee.Attribute{pb}), derive(t, tee.AlgX25519, xb, []tee.Attribute{pa}); !bytes.Equal(s1, s2) {
		t.Errorf("X25519: %x != %x", s1, s2)
	}
	p, q, g := dsaDomain(t)
	for _, params := range [][]tee.Attribute{
		{{ID: tee.AttrDHPrime, Ref: p}, {ID: tee.AttrDHBase, Ref: g}},
		{{ID: tee.AttrDHPrime, Ref: p}, {ID: tee.AttrDHBase, Ref: g}, {ID: tee.AttrDHSubprime, Ref: q}},
		{{ID: tee.AttrDHPrime, Ref: p}, {ID: tee.AttrDHBase, Ref: g}, {ID: tee.AttrDHXBits, A: 256}},
	} {
		da, db := generated(t, tee.TypeDHKeypair, 2048, params...), generated(t, tee.TypeDHKeypair, 2048, params...)
		ya, _ := attr(da.Attrs, tee.AttrDHPublicValue)
		yb, _ := attr(db.Attrs, tee.AttrDHPublicValue)
		if s1, s2 := derive(t, tee.AlgDHDeriveSharedSecret, da, []tee.Attribute{yb}), derive(t, tee.AlgDHDeriveSharedSecret, db, []tee.Attribute{ya}); !bytes.Equal(s1, s2) {
			t.Errorf("DH: %x != %x", s1, s2)
		}
		op := keyedMax(t, tee.AlgDHDeriveSharedSecret, tee.ModeDerive, da, 2048)
		if _, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrDHPublicValue, Ref: []byte{1}}}); !isResult(err, tee.ErrBadParameters) {
			t.Errorf("DH with peer value 1: %v", err)
		}
	}
}

func derive(tb testing.TB, alg tee.Algorithm, k *Key, params []tee.Attribute) []byte {
	tb.Helper()
	op := keyedMax(tb, alg, tee.ModeDerive, k, k.Size)
	s, err := op.DeriveKey(params)
	if err != nil {
		tb.Fatalf("%v: DeriveKey: %v", alg, err)
	}
	return s
}

func TestECDHRejectsBadPoint(t *testing.T) {
	a := generated(t, tee.TypeECDHKeypair, 256, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP256)})
	op := keyed(t, tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, a)
	_, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: []byte{1}}, {ID: tee.AttrECCPublicValueY, Ref: []byte{2}}})
	if !isResult(err, tee.ErrBadParameters) {
		t.Fatalf("point off the curve: %v", err)
	}
	mustPanic(t, func() { op.DeriveKey([]tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: []byte{1}}}) })
}

func TestConcatKDF(t *testing.T) {
	// RFC 7518 Appendix C: the Concat KDF (SP 800-56A, SHA-256) of ECDH-ES for A128GCM.
	z := []byte{158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196}
	other := unhex(t, "00000007"+"4131323847434d"+"00000005"+"416c696365"+"00000003"+"426f62"+"00000080")
	want := []byte{86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26}
	op := keyedMax(t, tee.AlgConcatKDFSHA256DeriveKey, tee.ModeDerive, &Key{Type: tee.TypeConcatKDFZ, Usage: tee.UsageAll, Attrs: []tee.Attribute{{ID: tee.AttrConcatKDFZ, Ref: z}}}, 256)
	got, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrConcatKDFOtherInfo, Ref: other}, {ID: tee.AttrConcatKDFDKMLength, A: 16}})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Concat KDF = %x, %v; want %x", got, err, want)
	}
	// Longer than one hash: the second block uses counter 2.
	long, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrConcatKDFOtherInfo, Ref: other}, {ID: tee.AttrConcatKDFDKMLength, A: 40}})
	h := sha256.New()
	h.Write([]byte{0, 0, 0, 2})
	h.Write(z)
	h.Write(other)
	if err != nil || !bytes.Equal(long[:16], want) || !bytes.Equal(long[32:], h.Sum(nil)[:8]) {
		t.Fatalf("Concat KDF 40 bytes = %x, %v", long, err)
	}
	if _, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrConcatKDFDKMLength, A: 0}}); !isResult(err, tee.ErrBadParameters) {
		t.Fatalf("zero length: %v", err)
	}
	mustPanic(t, func() { op.DeriveKey(nil) })
}

func TestAsymStateRules(t *testing.T) {
	k := rsaKey(t, 2048)
	pub := publicPart(k, tee.TypeRSAPublicKey)
	d := hashOf(crypto.SHA256, nil)
	sign := keyedMax(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, k, 2048)
	verify := keyedMax(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeVerify, pub, 2048)
	enc := keyedMax(t, tee.AlgRSAESPKCS1OAEPMGF1SHA256, tee.ModeEncrypt, pub, 2048)
	noKey := alloc(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 2048)
	sig := make([]byte, 256)
	cases := []struct {
		name string
		f    func()
	}{
		{"verify on a sign operation", func() { sign.AsymmetricVerifyDigest(nil, d, sig) }},
		{"sign on a verify operation", func() { verify.AsymmetricSignDigest(sig, nil, d) }},
		{"decrypt on an encrypt operation", func() { enc.AsymmetricDecrypt(sig, nil, sig) }},
		{"sign on a cipher operation", func() { enc.AsymmetricSignDigest(sig, nil, d) }},
		{"encrypt on a signature operation", func() { sign.AsymmetricEncrypt(sig, nil, d) }},
		{"derive on a signature operation", func() { sign.DeriveKey(nil) }},
		{"no key", func() { noKey.AsymmetricSignDigest(sig, nil, d) }},
		{"wrong digest length", func() { sign.AsymmetricSignDigest(sig, nil, d[:31]) }},
		{"wrong digest length, short buffer", func() { sign.AsymmetricSignDigest(nil, nil, d[:31]) }},
		{"wrong digest length on verify", func() { verify.AsymmetricVerifyDigest(nil, d[:31], sig) }},
		{"foreign parameter", func() { sign.AsymmetricSignDigest(sig, []tee.Attribute{{ID: tee.AttrRSAOAEPLabel}}, d) }},
		{"public key for signing", func() { alloc(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 2048).SetKey(pub) }},
		{"public key for decryption", func() { alloc(t, tee.AlgRSAESPKCS1v15, tee.ModeDecrypt, 2048).SetKey(pub) }},
		{"key over maxKeySize", func() { alloc(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 1024).SetKey(k) }},
		{"wrong key type", func() {
			alloc(t, tee.AlgECDSASHA256, tee.ModeSign, 256).SetKey(k)
		}},
		{"missing usage", func() {
			alloc(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 2048).SetKey(&Key{Type: k.Type, Size: k.Size, Usage: tee.UsageVerify, Attrs: k.Attrs})
		}},
		{"NOPAD without sign usage", func() {
			alloc(t, tee.AlgRSANoPad, tee.ModeDecrypt, 2048).SetKey(&Key{Type: k.Type, Size: k.Size, Usage: tee.UsageDecrypt, Attrs: k.Attrs})
		}},
		{"EdDSA prehash 2", func() {
			ed := generated(t, tee.TypeEd25519Keypair, 256)
			keyed(t, tee.AlgEd25519, tee.ModeSign, ed).AsymmetricSignDigest(sig, []tee.Attribute{{ID: tee.AttrEdDSAPrehash, A: 2}}, d)
		}},
		{"EdDSA context twice", func() {
			ed := generated(t, tee.TypeEd25519Keypair, 256)
			keyed(t, tee.AlgEd25519, tee.ModeSign, ed).AsymmetricSignDigest(sig, []tee.Attribute{{ID: tee.AttrEdDSACtx}, {ID: tee.AttrEdDSACtx}}, d)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { mustPanic(t, tc.f) })
	}

	// SHORT_BUFFER leaves the operation usable; Copy shares a working key.
	need, err := sign.AsymmetricSignDigest(sig[:10], nil, d)
	if !isResult(err, tee.ErrShortBuffer) || need != 256 {
		t.Fatalf("short: %d, %v", need, err)
	}
	cp := alloc(t, tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 2048)
	Copy(cp, sign)
	sign.Free()
	if _, err := cp.AsymmetricSignDigest(sig, nil, d); err != nil {
		t.Fatal(err)
	}
	if err := verify.AsymmetricVerifyDigest(nil, d, sig); err != nil {
		t.Fatal(err)
	}
	info := cp.Info()
	if info.KeySize != 2048 || info.Class != tee.ClassAsymmetricSignature || info.HandleState&tee.FlagKeySet == 0 || info.DigestLength != 32 {
		t.Errorf("info %+v", info)
	}
	// Clearing the key makes the operation unusable again.
	if err := cp.SetKey(nil); err != nil {
		t.Fatal(err)
	}
	mustPanic(t, func() { cp.AsymmetricSignDigest(sig, nil, d) })
}

func TestAllocateAsymSizes(t *testing.T) {
	for _, tc := range []struct {
		alg  tee.Algorithm
		mode tee.Mode
		max  int
		ok   bool
	}{
		{tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 2048, true},
		{tee.AlgRSASSAPKCS1v15SHA256, tee.ModeSign, 4097, false},
		{tee.AlgRSASSAPKCS1v15SHA256, tee.ModeEncrypt, 2048, false},
		{tee.AlgRSAESPKCS1v15, tee.ModeSign, 2048, false},
		{tee.AlgRSANoPad, tee.ModeDecrypt, 256, true},
		{tee.AlgECDSASHA256, tee.ModeSign, 384, true},
		{tee.AlgECDSASHA256, tee.ModeSign, 300, false},
		{tee.AlgECDSASHA1, tee.ModeVerify, 192, true}, // P-192
		{tee.AlgECDSASHA256, tee.ModeSign, 192, true},
		{tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, 521, true},
		{tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, 522, false},
		{tee.AlgEd25519, tee.ModeSign, 256, true},
		{tee.AlgEd25519, tee.ModeSign, 255, false},
		{tee.AlgX25519, tee.ModeDerive, 256, true},
		{tee.AlgX25519, tee.ModeEncrypt, 256, false},
		{tee.AlgDSASHA1, tee.ModeSign, 1024, true},
		{tee.AlgDSASHA1, tee.ModeSign, 2048, false},
		{tee.AlgDSASHA224, tee.ModeSign, 2048, true},
		{tee.AlgDSASHA256, tee.ModeSign, 3072, true},
		{tee.AlgDHDeriveSharedSecret, tee.ModeDerive, 2048, true},
		{tee.AlgDHDeriveSharedSecret, tee.ModeDerive, 4096, false},
		{tee.AlgHKDFSHA256DeriveKey, tee.ModeDerive, 4096, true},
		{tee.AlgPBKDF2HMACSHA1DeriveKey, tee.ModeDerive, 128, true},
		{tee.AlgEd448, tee.ModeSign, 448, true},
		{tee.AlgEd448, tee.ModeVerify, 456, true},
		{tee.AlgEd448, tee.ModeSign, 457, false},
		{tee.AlgEd448, tee.ModeDerive, 448, false},
		{tee.AlgX448, tee.ModeDerive, 448, true},
		{tee.AlgX448, tee.ModeDerive, 456, false},
		{tee.AlgSM2KEP, tee.ModeDerive, 512, true},
		{tee.AlgSM2KEP, tee.ModeDerive, 256, false},
	} {
		_, err := Allocate(tc.alg, tc.mode, tc.max)
		if (err == nil) != tc.ok || err != nil && !isResult(err, tee.ErrNotSupported) {
			t.Errorf("Allocate(%v, %v, %d) = %v, want ok=%v", tc.alg, tc.mode, tc.max, err, tc.ok)
		}
	}
}

func TestSupportsElement(t *testing.T) {
	for _, tc := range []struct {
		alg tee.Algorithm
		e   tee.Element
		ok  bool
	}{
		{tee.AlgECDSASHA256, tee.CurveNISTP256, true},
		{tee.AlgECDSASHA256, tee.CurveNISTP521, true},
		{tee.AlgECDSASHA1, tee.CurveNISTP192, true},
		{tee.AlgECDHDeriveSharedSecret, tee.CurveNISTP192, true},
		{tee.AlgECDSASHA256, tee.Curve25519, false},
		{tee.AlgECDHDeriveSharedSecret, tee.CurveNISTP224, true},
		{tee.AlgEd25519, tee.Curve25519, true},
		{tee.AlgX25519, tee.Curve25519, true},
		{tee.AlgX25519, tee.ElementNone, false},
		{tee.AlgRSANoPad, tee.ElementNone, true},
		{tee.AlgRSANoPad, tee.CurveNISTP256, false},
	} {
		handled, ok := supportsElement(tc.alg, tc.e)
		if !handled || ok != tc.ok {
			t.Errorf("supportsElement(%v, %#x) = %v, %v; want %v", tc.alg, tc.e, handled, ok, tc.ok)
		}
	}
}

func TestCheckAttributes(t *testing.T) {
	rsa := rsaKey(t, 2048)
	rsaAttrs := rsa.Attrs
	without := func(attrs []tee.Attribute, id tee.AttributeID) []tee.Attribute {
		var out []tee.Attribute
		for _, a := range attrs {
			if a.ID != id {
				out = append(out, a)
			}
		}
		return out
	}
	ecc := generated(t, tee.TypeECDSAKeypair, 256, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP256)})
	x, _ := attr(ecc.Attrs, tee.AttrECCPublicValueX)
	offCurve := append(without(ecc.Attrs, tee.AttrECCPublicValueX), tee.Attribute{ID: tee.AttrECCPublicValueX, Ref: append(bytes.Clone(x.Ref[:31]), x.Ref[31]^1)})
	secret := []tee.Attribute{{ID: tee.AttrSecretValue, Ref: make([]byte, 16)}}
	n, _ := attr(rsaAttrs, tee.AttrRSAModulus)
	badN := append(without(rsaAttrs, tee.AttrRSAModulus), tee.Attribute{ID: tee.AttrRSAModulus, Ref: new(big.Int).Add(new(big.Int).SetBytes(n.Ref), big.NewInt(2)).Bytes()})

	for _, tc := range []struct {
		name  string
		t     tee.ObjectType
		max   int
		attrs []tee.Attribute
		bits  int
		err   error
		panic tee.Result // 0: no panic
	}{
		{"AES", tee.TypeAES, 256, secret, 128, nil, 0},
		{"AES bad size", tee.TypeAES, 256, []tee.Attribute{{ID: tee.AttrSecretValue, Ref: make([]byte, 15)}}, 0, tee.ErrBadParameters, 0},
		{"AES over max", tee.TypeAES, 128, []tee.Attribute{{ID: tee.AttrSecretValue, Ref: make([]byte, 32)}}, 0, nil, tee.ErrBadState},
		{"AES missing secret", tee.TypeAES, 256, nil, 0, nil, tee.ErrItemNotFound},
		{"AES foreign attribute", tee.TypeAES, 256, append(secret, tee.Attribute{ID: tee.AttrRSAModulus}), 0, nil, tee.ErrItemNotFound},
		{"AES secret twice", tee.TypeAES, 256, append(secret, secret...), 0, nil, tee.ErrItemNotFound},
		{"RSA key pair", tee.TypeRSAKeypair, 2048, rsaAttrs, 2048, nil, 0},
		{"RSA without CRT", tee.TypeRSAKeypair, 2048, rsaAttrs[:3], 2048, nil, 0},
		{"RSA partial CRT", tee.TypeRSAKeypair, 2048, without(rsaAttrs, tee.AttrRSACoefficient), 0, nil, tee.ErrItemNotFound},
		{"RSA missing exponent", tee.TypeRSAKeypair, 2048, without(rsaAttrs, tee.AttrRSAPrivateExponent), 0, nil, tee.ErrItemNotFound},
		{"RSA over max", tee.TypeRSAKeypair, 1024, rsaAttrs, 0, nil, tee.ErrBadState},
		{"RSA inconsistent", tee.TypeRSAKeypair, 4096, badN, 0, tee.ErrBadParameters, 0},
		{"RSA public", tee.TypeRSAPublicKey, 4096, rsaAttrs[:2], 2048, nil, 0},
		{"RSA public with private", tee.TypeRSAPublicKey, 4096, rsaAttrs[:3], 0, nil, tee.ErrItemNotFound},
		{"ECDSA key pair", tee.TypeECDSAKeypair, 521, ecc.Attrs, 256, nil, 0},
		{"ECDH from ECDSA attributes", tee.TypeECDHKeypair, 521, ecc.Attrs, 256, nil, 0},
		{"ECDSA off the curve", tee.TypeECDSAKeypair, 521, offCurve, 0, tee.ErrBadParameters, 0},
		{"ECDSA missing curve", tee.TypeECDSAKeypair, 521, without(ecc.Attrs, tee.AttrECCCurve), 0, nil, tee.ErrItemNotFound},
		{"ECDSA unknown curve", tee.TypeECDSAKeypair, 521, append(without(ecc.Attrs, tee.AttrECCCurve), tee.Attribute{ID: tee.AttrECCCurve, A: 99}), 0, nil, tee.ErrNotSupported},
		{"ECDSA curve over max", tee.TypeECDSAKeypair, 224, ecc.Attrs, 0, nil, tee.ErrBadState},
		{"ECDSA P-192 off the curve", tee.TypeECDSAPublicKey, 521, []tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: []byte{1}}, {ID: tee.AttrECCPublicValueY, Ref: []byte{1}}, {ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP192)}}, 0, tee.ErrBadParameters, 0},
		{"Ed25519 short key", tee.TypeEd25519PublicKey, 256, []tee.Attribute{{ID: tee.AttrEd25519PublicValue, Ref: make([]byte, 31)}}, 0, tee.ErrBadParameters, 0},
		{"DH with X_BITS", tee.TypeDHKeypair, 2048, []tee.Attribute{{ID: tee.AttrDHXBits, A: 256}}, 0, nil, tee.ErrItemNotFound},
		{"HKDF IKM", tee.TypeHKDFIKM, 4096, []tee.Attribute{{ID: tee.AttrHKDFIKM, Ref: make([]byte, 22)}}, 176, nil, 0},
		{"HKDF IKM as secret value", tee.TypeHKDFIKM, 4096, secret, 0, nil, tee.ErrItemNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.panic != 0 {
				me := mustPanic(t, func() { CheckAttributes(tc.t, tc.max, tc.attrs) })
				if me.Code != tc.panic {
					t.Errorf("panic code %v, want %v", me.Code, tc.panic)
				}
				return
			}
			bits, err := CheckAttributes(tc.t, tc.max, tc.attrs)
			if bits != tc.bits || !errors.Is(err, tc.err) && err != tc.err {
				t.Errorf("= %d, %v; want %d, %v", bits, err, tc.bits, tc.err)
			}
		})
	}
}

func TestGenerateKeyTable(t *testing.T) {
	for _, tc := range []struct {
		t    tee.ObjectType
		bits int
	}{
		{tee.TypeAES, 128}, {tee.TypeAES, 256}, {tee.TypeDES, 64}, {tee.TypeDES3, 192}, {tee.TypeSM4, 128},
		{tee.TypeHMACSHA256, 256}, {tee.TypeGenericSecret, 8}, {tee.TypeHKDFIKM, 256},
		{tee.TypeConcatKDFZ, 256}, {tee.TypePBKDF2Password, 64}, {tee.TypeHKDF, 128},
	} {
		attrs, err := GenerateKey(tc.t, tc.bits, nil)
		if err != nil || len(attrs) != 1 || len(attrs[0].Ref)*8 != tc.bits {
			t.Errorf("GenerateKey(0x%08x, %d) = %v, %v", uint32(tc.t), tc.bits, attrs, err)
		}
		if bits, err := CheckAttributes(tc.t, tc.bits, attrs); err != nil || bits != tc.bits {
			t.Errorf("CheckAttributes(generated 0x%08x) = %d, %v", uint32(tc.t), bits, err)
		}
	}
	curve := tee.Attribute{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP256)}
	for _, tc := range []struct {
		name   string
		t      tee.ObjectType
		bits   int
		params []tee.Attribute
		err    error
		panic  tee.Result
	}{
		{"ECC without curve", tee.TypeECDSAKeypair, 256, nil, nil, tee.ErrItemNotFound},
		{"ECC curve of another size", tee.TypeECDSAKeypair, 384, []tee.Attribute{curve}, tee.ErrBadParameters, 0},
		{"ECC P-192 of another size", tee.TypeECDHKeypair, 224, []tee.Attribute{{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP192)}}, tee.ErrBadParameters, 0},
		{"AES with a parameter", tee.TypeAES, 128, []tee.Attribute{curve}, nil, tee.ErrItemNotFound},
		{"AES bad size", tee.TypeAES, 100, nil, nil, tee.ErrNotSupported},
		{"RSA exponent 3", tee.TypeRSAKeypair, 1024, []tee.Attribute{{ID: tee.AttrRSAPublicExponent, Ref: []byte{3}}}, tee.ErrBadParameters, 0},
		{"DSA without domain", tee.TypeDSAKeypair, 2048, nil, nil, tee.ErrItemNotFound},
		{"public key type", tee.TypeRSAPublicKey, 2048, nil, nil, tee.ErrBadFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.panic != 0 {
				if me := mustPanic(t, func() { GenerateKey(tc.t, tc.bits, tc.params) }); me.Code != tc.panic {
					t.Errorf("panic code %v, want %v", me.Code, tc.panic)
				}
				return
			}
			if _, err := GenerateKey(tc.t, tc.bits, tc.params); !errors.Is(err, tc.err) {
				t.Errorf("err %v, want %v", err, tc.err)
			}
		})
	}
}

func TestSM2RoundTrips(t *testing.T) {
	k := generated(t, tee.TypeSM2DSAKeypair, 256)
	digest := hashOf(crypto.SHA256, []byte("stand-in for SM3(Z || M)"))
	signVerify(t, tee.AlgSM2DSASM3, k, publicPart(k, tee.TypeSM2DSAPublicKey), nil, digest)

	pke := generated(t, tee.TypeSM2PKEKeypair, 256)
	pub := publicPart(pke, tee.TypeSM2PKEPublicKey)
	enc := keyed(t, tee.AlgSM2PKE, tee.ModeEncrypt, pub)
	dec := keyed(t, tee.AlgSM2PKE, tee.ModeDecrypt, pke)
	msg := []byte("encryption standard")
	need, err := enc.AsymmetricEncrypt(nil, nil, msg)
	if !isResult(err, tee.ErrShortBuffer) || need != 65+32+len(msg) {
		t.Fatalf("Encrypt(nil) = %d, %v", need, err)
	}
	ct := make([]byte, need)
	if _, err := enc.AsymmetricEncrypt(ct, nil, msg); err != nil {
		t.Fatal(err)
	}
	pt := make([]byte, len(msg))
	if n, err := dec.AsymmetricDecrypt(pt, nil, ct); err != nil || !bytes.Equal(pt[:n], msg) {
		t.Fatalf("Decrypt = %q, %v", pt[:n], err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := dec.AsymmetricDecrypt(pt, nil, ct); !isResult(err, tee.ErrBadParameters) {
		t.Fatalf("corrupted: %v", err)
	}
	if handled, ok := supportsElement(tee.AlgSM2PKE, tee.CurveSM2); !handled || !ok {
		t.Error("SM2_PKE with CURVE_SM2 not supported")
	}
}
