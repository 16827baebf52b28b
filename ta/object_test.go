package ta_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// failf is how a script reports a failed check: the client sees GENERIC and the
// message says what went wrong.
func failf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, tee.ErrGeneric)...)
}

func TestTransientObjects(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	key := pattern(16, 5)
	mustInTA(t, s, func(*ta.Session) error {
		if _, err := ta.AllocateTransientObject(tee.TypeAES, 100); !errors.Is(err, tee.ErrNotSupported) {
			return failf("AES of 100 bits: %v", err)
		}
		if _, err := ta.AllocateTransientObject(tee.TypeData, 0); !errors.Is(err, tee.ErrNotSupported) {
			return failf("transient data object: %v", err)
		}
		o, err := ta.AllocateTransientObject(tee.TypeAES, 256)
		if err != nil {
			return err
		}
		defer o.Free()
		info, _ := o.Info()
		if info.Size != 0 || info.MaxSize != 256 || info.Usage != tee.UsageAll || info.HandleFlags != 0 {
			return failf("fresh object %+v", info)
		}
		if err := o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: key}); err != nil {
			return err
		}
		info, _ = o.Info()
		if info.Size != 128 || info.HandleFlags != 0x00020000 {
			return failf("populated object %+v", info)
		}
		// SHORT_BUFFER with the size needed, then the key itself.
		if n, err := o.BufferAttribute(tee.AttrSecretValue, make([]byte, 4)); n != 16 || !errors.Is(err, tee.ErrShortBuffer) {
			return failf("short buffer: %d, %v", n, err)
		}
		got := make([]byte, 16)
		if n, err := o.BufferAttribute(tee.AttrSecretValue, got); n != 16 || err != nil || !bytes.Equal(got, key) {
			return failf("secret value: %d, %v", n, err)
		}
		if _, err := o.BufferAttribute(tee.AttrRSAModulus, got); !errors.Is(err, tee.ErrItemNotFound) {
			return failf("absent attribute: %v", err)
		}
		// Reset makes it reusable; GenerateKey fills it afresh.
		o.Reset()
		if err := o.GenerateKey(192); err != nil {
			return err
		}
		if n, _ := o.BufferAttribute(tee.AttrSecretValue, got); n != 24 {
			return failf("generated %d bytes of a 192-bit key", n)
		}
		return nil
	})
}

func TestKeyPairsAndCopy(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	mustInTA(t, s, func(*ta.Session) error {
		pair, err := ta.AllocateTransientObject(tee.TypeECDSAKeypair, 256)
		if err != nil {
			return err
		}
		defer pair.Free()
		if err := pair.GenerateKey(256, tee.Attribute{ID: tee.AttrECCCurve, A: uint32(tee.CurveNISTP256)}); err != nil {
			return err
		}
		if a, _, err := pair.ValueAttribute(tee.AttrECCCurve); err != nil || a != uint32(tee.CurveNISTP256) {
			return failf("curve %d, %v", a, err)
		}
		pub, err := ta.AllocateTransientObject(tee.TypeECDSAPublicKey, 256)
		if err != nil {
			return err
		}
		defer pub.Free()
		if err := ta.CopyObjectAttributes(pub, pair); err != nil {
			return err
		}
		if _, err := pub.BufferAttribute(tee.AttrECCPrivateValue, make([]byte, 66)); !errors.Is(err, tee.ErrItemNotFound) {
			return failf("the public copy has a private value: %v", err)
		}
		// Sign with the pair, verify with the public copy.
		digest := pattern(32, 1)
		sign, err := ta.AllocateOperation(tee.AlgECDSASHA256, tee.ModeSign, 256)
		if err != nil {
			return err
		}
		defer sign.Free()
		if err := sign.SetKey(pair); err != nil {
			return err
		}
		sig := make([]byte, 64)
		n, err := sign.AsymmetricSignDigest(sig, nil, digest)
		if err != nil {
			return err
		}
		verify, err := ta.AllocateOperation(tee.AlgECDSASHA256, tee.ModeVerify, 256)
		if err != nil {
			return err
		}
		defer verify.Free()
		if err := verify.SetKey(pub); err != nil {
			return err
		}
		if err := verify.AsymmetricVerifyDigest(nil, digest, sig[:n]); err != nil {
			return failf("verify: %v", err)
		}
		sig[0] ^= 1
		if err := verify.AsymmetricVerifyDigest(nil, digest, sig[:n]); !errors.Is(err, tee.ErrSignatureInvalid) {
			return failf("verify a bad signature: %v", err)
		}
		return nil
	})
}

func TestDeriveKey(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	mustInTA(t, s, func(*ta.Session) error {
		gen := func() (*ta.Object, []byte, error) {
			o, err := ta.AllocateTransientObject(tee.TypeX25519Keypair, 256)
			if err != nil {
				return nil, nil, err
			}
			if err := o.GenerateKey(256); err != nil {
				return nil, nil, err
			}
			pub := make([]byte, 32)
			_, err = o.BufferAttribute(tee.AttrX25519PublicValue, pub)
			return o, pub, err
		}
		a, pubA, err := gen()
		if err != nil {
			return err
		}
		defer a.Free()
		b, pubB, err := gen()
		if err != nil {
			return err
		}
		defer b.Free()
		derive := func(own *ta.Object, peer []byte) ([]byte, error) {
			op, err := ta.AllocateOperation(tee.AlgX25519, tee.ModeDerive, 256)
			if err != nil {
				return nil, err
			}
			defer op.Free()
			if err := op.SetKey(own); err != nil {
				return nil, err
			}
			secret, err := ta.AllocateTransientObject(tee.TypeGenericSecret, 256)
			if err != nil {
				return nil, err
			}
			defer secret.Free()
			ta.DeriveKey(op, []tee.Attribute{{ID: tee.AttrX25519PublicValue, Ref: peer}}, secret)
			out := make([]byte, 32)
			n, err := secret.BufferAttribute(tee.AttrSecretValue, out)
			return out[:n], err
		}
		ab, err := derive(a, pubB)
		if err != nil {
			return err
		}
		ba, err := derive(b, pubA)
		if err != nil {
			return err
		}
		if !bytes.Equal(ab, ba) || len(ab) != 32 {
			return failf("the two sides derived %x and %x", ab, ba)
		}
		return nil
	})
}

// TestObjectMisuse checks that what GP makes a panic kills the instance, which the
// client sees as TARGET_DEAD.
func TestObjectMisuse(t *testing.T) {
	_, c := startStorage(t)
	cases := []struct {
		name string
		f    func(*ta.Session) error
	}{
		{"populate twice", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)})
			return o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)})
		}},
		{"key larger than the object", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			return o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 32)})
		}},
		{"foreign attribute", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			return o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)}, tee.Attribute{ID: tee.AttrRSAModulus, Ref: []byte{1}})
		}},
		{"secret of a non-extractable key", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			o.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, 16)})
			o.RestrictUsage(tee.UsageEncrypt)
			_, err := o.BufferAttribute(tee.AttrSecretValue, make([]byte, 16))
			return err
		}},
		{"use after free", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			o.Free()
			_, err := o.Info()
			return err
		}},
		{"uninitialized key", func(*ta.Session) error {
			o, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			op, _ := ta.AllocateOperation(tee.AlgAESECBNoPad, tee.ModeEncrypt, 128)
			return op.SetKey(o)
		}},
		{"cipher update before init", func(*ta.Session) error {
			k, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			k.GenerateKey(128)
			op, _ := ta.AllocateOperation(tee.AlgAESCBCNoPad, tee.ModeEncrypt, 128)
			op.SetKey(k)
			_, err := op.CipherUpdate(make([]byte, 16), make([]byte, 16))
			return err
		}},
		{"decrypt final on an encrypt operation", func(*ta.Session) error {
			k, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			k.GenerateKey(128)
			op, _ := ta.AllocateOperation(tee.AlgAESGCM, tee.ModeEncrypt, 128)
			op.SetKey(k)
			op.AEInit(make([]byte, 12), 128, 0, 0)
			_, err := op.AEDecryptFinal(nil, nil, make([]byte, 16))
			return err
		}},
		{"key of the wrong type", func(*ta.Session) error {
			k, _ := ta.AllocateTransientObject(tee.TypeHMACSHA256, 256)
			k.GenerateKey(256)
			op, _ := ta.AllocateOperation(tee.AlgAESECBNoPad, tee.ModeEncrypt, 256)
			return op.SetKey(k)
		}},
		{"sign with a public key", func(*ta.Session) error {
			pair, _ := ta.AllocateTransientObject(tee.TypeEd25519Keypair, 256)
			pair.GenerateKey(256)
			pub, _ := ta.AllocateTransientObject(tee.TypeEd25519PublicKey, 256)
			ta.CopyObjectAttributes(pub, pair)
			op, _ := ta.AllocateOperation(tee.AlgEd25519, tee.ModeSign, 256)
			return op.SetKey(pub)
		}},
		{"copy a key pair into another type", func(*ta.Session) error {
			src, _ := ta.AllocateTransientObject(tee.TypeAES, 128)
			src.GenerateKey(128)
			dst, _ := ta.AllocateTransientObject(tee.TypeHMACSHA256, 256)
			return ta.CopyObjectAttributes(dst, src)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, c, storeUUID)
			if err := inTA(t, s, tc.f); !errors.Is(err, tee.ErrTargetDead) {
				t.Fatalf("got %v, want TARGET_DEAD (a panic)", err)
			}
		})
	}
}

// TestCryptographyProperties checks that the TEE property set reports the curves the
// operation engine has: all NIST curves, Curve25519 and Curve448, the SM2 suite, and
// no Brainpool curves.
func TestCryptographyProperties(t *testing.T) {
	_, c := startStorage(t)
	s := open(t, c, storeUUID)
	mustInTA(t, s, func(s *ta.Session) error {
		set := s.Properties(ta.PropsetTEEImplementation)
		want := map[string]bool{
			"gpd.tee.cryptography.ecc": true, "gpd.tee.cryptography.nist": true,
			"gpd.tee.cryptography.ietf": true, "gpd.tee.cryptography.octa": true,
			"gpd.tee.cryptography.bsi-r": false, "gpd.tee.cryptography.bsi-t": false,
		}
		for name, v := range want {
			got, err := set.Bool(name)
			if err != nil || got != v {
				return failf("%s = %v, %v; want %v", name, got, err, v)
			}
		}
		if err := ta.IsAlgorithmSupported(tee.AlgECDSASHA1, tee.CurveNISTP192); err != nil {
			return failf("P-192 ECDSA: %v", err)
		}
		return nil
	})
}
