package tasa_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"

	"github.com/gotee/gotee/secapi/tasa"
	"github.com/gotee/gotee/tee"
)

// TestUnwrapLicense is the DRM flow with a wrapped license: the content key reaches
// the Secure Application only wrapped under a license key bound to its UUID, and the
// unwrapped key keeps just the usages the license key's child usage grants.
func TestUnwrapLicense(t *testing.T) {
	e := start(t)
	licenseKey := bytes.Repeat([]byte{0x4c}, 16)
	contentKey := bytes.Repeat([]byte{0xc7}, 16)
	lblk, _ := aes.NewCipher(licenseKey)
	cblk, _ := aes.NewCipher(contentKey)
	iv := bytes.Repeat([]byte{3}, 16)
	msg := []byte("premium content, decrypted by the unwrapped key")
	want := make([]byte, len(msg))
	cipher.NewCTR(cblk, iv).XORKeyStream(want, msg)
	enc := want // the content as the DRM TA receives it

	g, _ := cipher.NewGCM(lblk)
	aad := []byte("license 42")
	sealed := g.Seal(nil, iv[:12], contentKey, aad)
	gcmWrapped, tag := sealed[:16], sealed[16:]
	cbcWrapped := make([]byte, 32)
	cipher.NewCBCEncrypter(lblk, iv).CryptBlocks(cbcWrapped, append(bytes.Clone(contentKey), bytes.Repeat([]byte{16}, 16)...))
	ctrWrapped := make([]byte, 16)
	cipher.NewCTR(lblk, iv).XORKeyStream(ctrWrapped, contentKey)

	licenseRights := func(allowed ...tee.UUID) tasa.Rights {
		return tasa.Rights{ID: "license", Usage: tasa.UsageUnwrap | tasa.UsageSVPOptional,
			ChildUsage: tasa.UsageDecrypt, AllowedTAs: allowed}
	}

	e.withClient(t, func(c *tasa.Client) {
		lk, err := c.ImportSymmetric(licenseRights(probeUUID), licenseKey)
		if err != nil {
			t.Errorf("import the license key: %v", err)
			return
		}
		decrypts := func(t *testing.T, k *tasa.Key) {
			t.Helper()
			x, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv})
			if err != nil {
				t.Fatalf("cipher init with the unwrapped key: %v", err)
			}
			defer x.Release()
			got, _, err := x.ProcessLast(enc, 0, nil)
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("decrypted %q, %v", got, err)
			}
		}
		for _, tc := range []struct {
			name string
			alg  tasa.CipherAlgorithm
			p    tasa.CipherParams
			tag  []byte
			in   []byte
		}{
			{"GCM", tasa.AESGCM, tasa.CipherParams{IV: iv[:12], AAD: aad}, tag, gcmWrapped},
			{"CBC PKCS#7", tasa.AESCBCPKCS7, tasa.CipherParams{IV: iv}, nil, cbcWrapped},
			{"CBC", tasa.AESCBC, tasa.CipherParams{IV: iv}, nil, cbcWrapped[:16]},
			{"CTR", tasa.AESCTR, tasa.CipherParams{IV: iv}, nil, ctrWrapped},
		} {
			t.Run(tc.name, func(t *testing.T) {
				k, err := c.UnwrapSymmetric(contentRights(probeUUID), tc.alg, tc.p, tc.tag, lk, tc.in)
				if err != nil {
					t.Fatalf("unwrap: %v", err)
				}
				defer k.Release()
				decrypts(t, k)
				// The license key's child usage grants DECRYPT only.
				if _, err := c.NewCipher(tasa.AESCTR, tasa.Encrypt, k, tasa.CipherParams{IV: iv}); !errors.Is(err, tasa.StatusOperationNotAllowed) {
					t.Fatalf("encrypt with a decrypt-only unwrapped key: %v", err)
				}
			})
		}

		t.Run("refused", func(t *testing.T) {
			other, err := c.ImportSymmetric(licenseRights(otherUUID), licenseKey)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Release()
			gcm := tasa.CipherParams{IV: iv[:12], AAD: aad}
			badTag := bytes.Clone(tag)
			badTag[0] ^= 1
			// Flipping a bit of the first CBC block flips the same bit of the
			// second plaintext block: its last byte becomes 0x10 ^ 0x01, which is
			// never valid padding.
			badPad := bytes.Clone(cbcWrapped)
			badPad[15] ^= 1
			for _, tt := range []struct {
				name string
				key  *tasa.Key
				alg  tasa.CipherAlgorithm
				p    tasa.CipherParams
				tag  []byte
				in   []byte
				want error
			}{
				{"license key for another TA", other, tasa.AESGCM, gcm, tag, gcmWrapped, tasa.StatusOperationNotAllowed},
				{"wrong GCM tag", lk, tasa.AESGCM, gcm, badTag, gcmWrapped, tasa.StatusVerificationFailed},
				{"wrong GCM AAD", lk, tasa.AESGCM, tasa.CipherParams{IV: iv[:12]}, tag, gcmWrapped, tasa.StatusVerificationFailed},
				{"bad PKCS#7 padding", lk, tasa.AESCBCPKCS7, tasa.CipherParams{IV: iv}, nil, badPad, tasa.StatusInvalidKeyFormat},
				{"CBC of 15 bytes", lk, tasa.AESCBC, tasa.CipherParams{IV: iv}, nil, cbcWrapped[:15], tasa.StatusInvalidParameter},
				{"no input", lk, tasa.AESCTR, tasa.CipherParams{IV: iv}, nil, nil, tasa.StatusInvalidParameter},
				{"not an AES algorithm", lk, tasa.CipherAlgorithm(99), tasa.CipherParams{IV: iv}, nil, ctrWrapped, tasa.StatusInvalidParameter},
				{"no wrapping key", nil, tasa.AESCTR, tasa.CipherParams{IV: iv}, nil, ctrWrapped, tasa.StatusNullParameter},
			} {
				t.Run(tt.name, func(t *testing.T) {
					k, err := c.UnwrapSymmetric(contentRights(probeUUID), tt.alg, tt.p, tt.tag, tt.key, tt.in)
					if !errors.Is(err, tt.want) {
						t.Fatalf("unwrap: %v, want %v", err, tt.want)
					}
					if k != nil {
						k.Release()
					}
				})
			}
			// A content key never reaches a TA that is not allowed to use it,
			// even when the unwrap itself was allowed.
			k, err := c.UnwrapSymmetric(contentRights(otherUUID), tasa.AESCTR, tasa.CipherParams{IV: iv}, nil, lk, ctrWrapped)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Release()
			if _, err := c.NewCipher(tasa.AESCTR, tasa.Decrypt, k, tasa.CipherParams{IV: iv}); !errors.Is(err, tasa.StatusOperationNotAllowed) {
				t.Fatalf("unwrapped key for another TA: %v", err)
			}
		})
	})
	waitSlots(t, e, 0)
}
