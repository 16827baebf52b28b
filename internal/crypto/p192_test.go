package crypto

import (
	"bytes"
	"crypto"
	"testing"

	"github.com/gotee/gotee/tee"
)

func p192Curve() tee.Attribute {
	return tee.Attribute{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP192)}
}

// TestP192RFC6979 verifies the deterministic ECDSA signatures of RFC 6979 §A.2.3 (P-192,
// messages "sample" and "test" under SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512) with
// our ECDSA verification. Populating the key pair first checks that the private value x
// gives the published public point U, which pins down the curve and its generator.
func TestP192RFC6979(t *testing.T) {
	const (
		x  = "6FAB034934E4C0FC9AE67F5B5659A9D7D1FEFD187EE09FD4"
		ux = "AC2C77F529F91689FEA0EA5EFEC7F210D8EEA0B9E047ED56"
		uy = "3BC723E57670BD4887EBC732C523063D0A7C957BC97C1C43"
	)
	pair := populated(t, tee.TypeECDSAKeypair, []tee.Attribute{
		{ID: tee.AttrECCPrivateValue, Ref: unhex(t, x)},
		{ID: tee.AttrECCPublicValueX, Ref: unhex(t, ux)},
		{ID: tee.AttrECCPublicValueY, Ref: unhex(t, uy)},
		p192Curve(),
	})
	if pair.Size != 192 {
		t.Fatalf("P-192 key size %d", pair.Size)
	}
	pub := publicPart(pair, tee.TypeECDSAPublicKey)
	algs := map[crypto.Hash]tee.Algorithm{
		crypto.SHA1: tee.AlgECDSASHA1, crypto.SHA224: tee.AlgECDSASHA224, crypto.SHA256: tee.AlgECDSASHA256,
		crypto.SHA384: tee.AlgECDSASHA384, crypto.SHA512: tee.AlgECDSASHA512,
	}
	for _, tc := range []struct {
		msg  string
		h    crypto.Hash
		r, s string
	}{
		{"sample", crypto.SHA1, "98C6BD12B23EAF5E2A2045132086BE3EB8EBD62ABF6698FF", "57A22B07DEA9530F8DE9471B1DC6624472E8E2844BC25B64"},
		{"sample", crypto.SHA224, "A1F00DAD97AEEC91C95585F36200C65F3C01812AA60378F5", "E07EC1304C7C6C9DEBBE980B9692668F81D4DE7922A0F97A"},
		{"sample", crypto.SHA256, "4B0B8CE98A92866A2820E20AA6B75B56382E0F9BFD5ECB55", "CCDB006926EA9565CBADC840829D8C384E06DE1F1E381B85"},
		{"sample", crypto.SHA384, "DA63BF0B9ABCF948FBB1E9167F136145F7A20426DCC287D5", "C3AA2C960972BD7A2003A57E1C4C77F0578F8AE95E31EC5E"},
		{"sample", crypto.SHA512, "4D60C5AB1996BD848343B31C00850205E2EA6922DAC2E4B8", "3F6E837448F027A1BF4B34E796E32A811CBB4050908D8F67"},
		{"test", crypto.SHA1, "0F2141A0EBBC44D2E1AF90A50EBCFCE5E197B3B7D4DE036D", "EB18BC9E1F3D7387500CB99CF5F7C157070A8961E38700B7"},
		{"test", crypto.SHA224, "6945A1C1D1B2206B8145548F633BB61CEF04891BAF26ED34", "B7FB7FDFC339C0B9BD61A9F5A8EAF9BE58FC5CBA2CB15293"},
		{"test", crypto.SHA256, "3A718BD8B4926C3B52EE6BBE67EF79B18CB6EB62B1AD97AE", "5662E6848A4A19B1F1AE2F72ACD4B8BBE50F1EAC65D9124F"},
		{"test", crypto.SHA384, "B234B60B4DB75A733E19280A7A6034BD6B1EE88AF5332367", "7994090B2D59BB782BE57E74A44C9A1C700413F8ABEFE77A"},
		{"test", crypto.SHA512, "FE4F4AE86A58B6507946715934FE2D8FF9D95B6B098FE739", "74CF5605C98FBA0E1EF34D4B5A1577A7DCF59457CAE52290"},
	} {
		alg := algs[tc.h]
		digest := hashOf(tc.h, []byte(tc.msg))
		sig := unhex(t, tc.r+tc.s)
		v := keyedMax(t, alg, tee.ModeVerify, pub, 192)
		if err := v.AsymmetricVerifyDigest(nil, digest, sig); err != nil {
			t.Errorf("%s/%v: %v", tc.msg, tc.h, err)
		}
		sig[0] ^= 0x80
		if err := v.AsymmetricVerifyDigest(nil, digest, sig); !isResult(err, tee.ErrSignatureInvalid) {
			t.Errorf("%s/%v: altered r: %v", tc.msg, tc.h, err)
		}
		// Our own (randomized) signature verifies too.
		s := keyedMax(t, alg, tee.ModeSign, pair, 192)
		own := make([]byte, 48)
		if n, err := s.AsymmetricSignDigest(own, nil, digest); err != nil || n != 48 {
			t.Fatalf("%s/%v: sign: %d, %v", tc.msg, tc.h, n, err)
		}
		if err := v.AsymmetricVerifyDigest(nil, digest, own); err != nil {
			t.Errorf("%s/%v: own signature: %v", tc.msg, tc.h, err)
		}
	}
}

// TestP192ECDHCAVS runs the [P-192] cases COUNT = 0 to 4 of NIST CAVS 14.1's ECC CDH
// primitive test vectors (SP 800-56A §5.7.1.2; ecccdhtestvectors.zip, KAS_ECC_CDH_PrimitiveTest.txt
// from csrc.nist.gov's Component Testing page): the IUT's private dIUT with the CAVS
// party's public QCAVS gives the shared x coordinate ZIUT.
func TestP192ECDHCAVS(t *testing.T) {
	c := curves[tee.CurveNISTP192]
	for i, tc := range []struct{ qx, qy, d, z string }{
		{"42ea6dd9969dd2a61fea1aac7f8e98edcc896c6e55857cc0", "dfbe5d7c61fac88b11811bde328e8a0d12bf01a9d204b523",
			"f17d3fea367b74d340851ca4270dcb24c271f445bed9d527", "803d8ab2e5b6e6fca715737c3a82f7ce3c783124f6d51cd0"},
		{"deb5712fa027ac8d2f22c455ccb73a91e17b6512b5e030e7", "7e2690a02cc9b28708431a29fb54b87b1f0c14e011ac2125",
			"56e853349d96fe4c442448dacb7cf92bb7a95dcf574a9bd5", "c208847568b98835d7312cef1f97f7aa298283152313c29d"},
		{"4edaa8efc5a0f40f843663ec5815e7762dddc008e663c20f", "0a9f8dc67a3e60ef6d64b522185d03df1fc0adfd42478279",
			"c6ef61fe12e80bf56f2d3f7d0bb757394519906d55500949", "87229107047a3b611920d6e3b2c0c89bea4f49412260b8dd"},
		{"8887c276edeed3e9e866b46d58d895c73fbd80b63e382e88", "04c5097ba6645e16206cfb70f7052655947dd44a17f1f9d5",
			"e6747b9c23ba7044f38ff7e62c35e4038920f5a0163d3cda", "eec0bed8fc55e1feddc82158fd6dc0d48a4d796aaf47d46c"},
		{"0d045f30254adc1fcefa8a5b1f31bf4e739dd327cd18d594", "542c314e41427c08278a08ce8d7305f3b5b849c72d8aff73",
			"beabedd0154a1afcfc85d52181c10f5eb47adc51f655047d", "716e743b1b37a2cd8479f0a3d5a74c10ba2599be18d7e2f4"},
	} {
		key, err := eccKeyFromScalar(c, unhex(t, tc.d))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// COUNT = 0 also gives the IUT's public point: the generator is right.
			x, _ := attr(key.Attrs, tee.AttrECCPublicValueX)
			y, _ := attr(key.Attrs, tee.AttrECCPublicValueY)
			if !bytes.Equal(x.Ref, unhex(t, "b15053401f57285637ec324c1cd2139e3a67de3739234b37")) ||
				!bytes.Equal(y.Ref, unhex(t, "f269c158637482aad644cd692dd1d3ef2c8a7c49e389f7f6")) {
				t.Fatalf("QIUT = %x, %x", x.Ref, y.Ref)
			}
		}
		key = populated(t, tee.TypeECDHKeypair, key.Attrs)
		op := keyedMax(t, tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, key, 192)
		z, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: unhex(t, tc.qx)}, {ID: tee.AttrECCPublicValueY, Ref: unhex(t, tc.qy)}})
		if err != nil || !bytes.Equal(z, unhex(t, tc.z)) {
			t.Errorf("COUNT = %d: %x, %v; want %s", i, z, err, tc.z)
		}
		// A point off the curve (CAVS-style: one coordinate bit flipped) is refused.
		bad := unhex(t, tc.qx)
		bad[0] ^= 0x10
		if _, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrECCPublicValueX, Ref: bad}, {ID: tee.AttrECCPublicValueY, Ref: unhex(t, tc.qy)}}); !isResult(err, tee.ErrBadParameters) {
			t.Errorf("COUNT = %d: point off the curve: %v", i, err)
		}
	}
}

func TestP192RejectsBadKeys(t *testing.T) {
	k := generated(t, tee.TypeECDHKeypair, 192, p192Curve())
	op := keyed(t, tee.AlgECDHDeriveSharedSecret, tee.ModeDerive, k)
	p := bigHex("fffffffffffffffffffffffffffffffeffffffffffffffff").Bytes()
	x, _ := attr(k.Attrs, tee.AttrECCPublicValueX)
	y, _ := attr(k.Attrs, tee.AttrECCPublicValueY)
	for name, params := range map[string][]tee.Attribute{
		"zero point":      {{ID: tee.AttrECCPublicValueX, Ref: []byte{0}}, {ID: tee.AttrECCPublicValueY, Ref: []byte{0}}},
		"x = p":           {{ID: tee.AttrECCPublicValueX, Ref: p}, y},
		"coordinate long": {{ID: tee.AttrECCPublicValueX, Ref: append([]byte{1}, x.Ref...)}, y},
	} {
		if _, err := op.DeriveKey(params); !isResult(err, tee.ErrBadParameters) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The key's own point is fine, and a private value of n or 0 is not a key.
	if _, err := op.DeriveKey([]tee.Attribute{x, y}); err != nil {
		t.Fatal(err)
	}
	n := p192.N.Bytes()
	for _, d := range [][]byte{n, {0}} {
		attrs := []tee.Attribute{{ID: tee.AttrECCPrivateValue, Ref: d}, x, y, p192Curve()}
		if _, err := CheckAttributes(tee.TypeECDHKeypair, 192, attrs); !isResult(err, tee.ErrBadParameters) {
			t.Errorf("private value %x: %v", d, err)
		}
	}
	if err := IsAlgorithmSupported(tee.AlgECDSASHA1, tee.CurveNISTP192); err != nil {
		t.Errorf("IsAlgorithmSupported(ECDSA_SHA1, P-192) = %v", err)
	}
}
