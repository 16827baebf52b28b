package bench

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/secapi"
	"github.com/gotee/gotee/tee"
)

// The SecAPI benchmarks run the shipped SecAPI TA (build/ta/secapi) under a real teed
// through package secapi, each beside Go's own implementation of the same operation
// in this process. The SecAPI path copies the message into the invoke and the output
// back out (the library's temporary memory, as RDK's library does), so small messages
// measure the round trip and large ones the throughput. No goal is set by the issue
// beyond the comparison; the summary prints the ratio.

// secapiSizes are the message sizes of the throughput benchmarks.
var secapiSizes = []int{16 << 10, 1 << 20}

// secapiClient is a SecAPI client with a fresh session on a teed of its own.
func secapiClient(b *testing.B) *secapi.Client {
	b.Helper()
	td := startTeed(b)
	c := secapi.NewClient(td.Connect(b), client.Login{Method: tee.LoginUser})
	b.Cleanup(func() { c.Close() })
	return c
}

// secapiKey imports a 256-bit AES key with every right.
func secapiKey(b *testing.B, c *secapi.Client, key []byte) *secapi.Key {
	b.Helper()
	k, err := c.ImportSymmetric(context.Background(), secapi.AllRights(), key)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkSecAPICipher encrypts n bytes per operation with AES-256 in CBC, CTR and
// GCM through sa_crypto_cipher_process (CBC, CTR: one context, chained across
// operations) or, for GCM, one message per operation — init with a new IV,
// sa_crypto_cipher_process_last with a 16-byte tag, release (SecAPI takes no new IV
// on a GCM context) — beside Go's crypto/cipher doing the same in place.
func BenchmarkSecAPICipher(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	for _, alg := range []struct {
		name string
		alg  secapi.CipherAlgorithm
		iv   int
	}{{"CBC", secapi.AESCBC, 16}, {"CTR", secapi.AESCTR, 16}, {"GCM", secapi.AESGCM, 12}} {
		for _, n := range secapiSizes {
			b.Run(alg.name+"/"+sizeName(n), func(b *testing.B) {
				msg := make([]byte, n)
				rand.Read(msg)
				iv := make([]byte, alg.iv)
				var base float64
				b.Run("go", func(b *testing.B) {
					buf := append(make([]byte, 0, n+16), msg...)
					b.SetBytes(int64(n))
					switch alg.alg {
					case secapi.AESCBC:
						m := cipher.NewCBCEncrypter(block, iv)
						for b.Loop() {
							m.CryptBlocks(buf, buf)
						}
					case secapi.AESCTR:
						s := cipher.NewCTR(block, iv)
						for b.Loop() {
							s.XORKeyStream(buf, buf)
						}
					case secapi.AESGCM:
						g, _ := cipher.NewGCM(block)
						var ctr uint64
						for b.Loop() {
							ctr++
							binary.BigEndian.PutUint64(iv[4:], ctr)
							buf = g.Seal(buf[:0], iv, buf[:n], nil)
						}
					}
					base = nsPerOp(b)
				})
				b.Run("secapi", func(b *testing.B) {
					c := secapiClient(b)
					ctx := context.Background()
					k := secapiKey(b, c, key)
					newCipher := func() *secapi.Cipher {
						x, err := c.NewCipher(ctx, alg.alg, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
						if err != nil {
							b.Fatal(err)
						}
						return x
					}
					var ctr uint64
					b.SetBytes(int64(n))
					if alg.alg != secapi.AESGCM {
						x := newCipher()
						defer x.Release(ctx)
						for b.Loop() {
							if _, err := x.Process(ctx, msg); err != nil {
								b.Fatal(err)
							}
						}
						compare(b, comparison{baseline: "go", baseNs: base})
						return
					}
					for b.Loop() {
						ctr++
						binary.BigEndian.PutUint64(iv[4:], ctr)
						x := newCipher()
						if _, _, err := x.ProcessLast(ctx, msg, 16, nil); err != nil {
							b.Fatal(err)
						}
						if err := x.Release(ctx); err != nil {
							b.Fatal(err)
						}
					}
					compare(b, comparison{baseline: "go", baseNs: base})
				})
			})
		}
	}
}

// BenchmarkSecAPIHMAC computes HMAC-SHA256 over n bytes per operation through
// sa_crypto_mac_init / process / compute / release (four invokes) beside Go's
// crypto/hmac over the same bytes.
func BenchmarkSecAPIHMAC(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	for _, n := range secapiSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			msg := make([]byte, n)
			rand.Read(msg)
			var base float64
			b.Run("go", func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					m := hmac.New(sha256.New, key)
					m.Write(msg)
					m.Sum(nil)
				}
				base = nsPerOp(b)
			})
			b.Run("secapi", func(b *testing.B) {
				c := secapiClient(b)
				ctx := context.Background()
				k := secapiKey(b, c, key)
				b.SetBytes(int64(n))
				for b.Loop() {
					m, err := c.NewMAC(ctx, secapi.HMAC, k, secapi.SHA256)
					if err != nil {
						b.Fatal(err)
					}
					if err := m.Process(ctx, msg); err != nil {
						b.Fatal(err)
					}
					if _, err := m.Compute(ctx); err != nil {
						b.Fatal(err)
					}
					if err := m.Release(ctx); err != nil {
						b.Fatal(err)
					}
				}
				compare(b, comparison{baseline: "go", baseNs: base})
			})
		})
	}
}
