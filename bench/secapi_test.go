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
	"time"

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

// cencSizes are the sample sizes of RDK's cenc tests with the time limit the suite
// asserts for one sample of each.
var cencSizes = []struct {
	n     int
	limit time.Duration
}{{1000, time.Millisecond}, {10000, 2 * time.Millisecond}, {100000, 5 * time.Millisecond}, {1000000, 10 * time.Millisecond}}

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

// BenchmarkSecAPIParallelSessions runs AES-256-CBC over 64 KiB per operation from N
// goroutines, each with its own SecAPI session (its own slot, and with the shipped
// multi-instance manifest its own TA process), beside N = 1. ns/op is wall time over
// all operations, so ideal scaling on k cores is a ratio of 1/min(N, k) to N = 1.
func BenchmarkSecAPIParallelSessions(b *testing.B) {
	const n = 64 << 10
	key := make([]byte, 32)
	rand.Read(key)
	msg := make([]byte, n)
	td := startTeed(b)
	ctx := context.Background()
	var base float64
	for _, sessions := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("N=%d", sessions), func(b *testing.B) {
			xs := make([]*secapi.Cipher, sessions)
			for i := range xs {
				c := secapi.NewClient(td.Connect(b), client.Login{Method: tee.LoginUser})
				b.Cleanup(func() { c.Close() })
				x, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Encrypt, secapiKey(b, c, key), secapi.CipherParams{IV: make([]byte, 16)})
				if err != nil {
					b.Fatal(err)
				}
				xs[i] = x
			}
			b.SetBytes(n)
			parallel(b, sessions, func(i int) error {
				_, err := xs[i].Process(ctx, msg)
				return err
			})
			if sessions == 1 {
				base = nsPerOp(b)
				return
			}
			compare(b, comparison{baseline: "N=1", baseNs: base})
		})
	}
}

// TestSecAPIBenchmarkSetups runs each SecAPI benchmark's operation once against the
// shipped TA and checks the result against Go, so `go test` catches a benchmark that
// would measure an error path.
func TestSecAPIBenchmarkSetups(t *testing.T) {
	td := startTeed(t)
	c := secapi.NewClient(td.Connect(t), client.Login{Method: tee.LoginUser})
	defer c.Close()
	ctx := context.Background()
	key := make([]byte, 32)
	rand.Read(key)
	k, err := c.ImportSymmetric(ctx, secapi.AllRights(), key)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 4096)
	rand.Read(msg)
	block, _ := aes.NewCipher(key)
	iv := make([]byte, 12)
	x, err := c.NewCipher(ctx, secapi.AESGCM, secapi.Encrypt, k, secapi.CipherParams{IV: iv})
	if err != nil {
		t.Fatal(err)
	}
	out, tag, err := x.ProcessLast(ctx, msg, 16, nil)
	x.Release(ctx)
	g, _ := cipher.NewGCM(block)
	if want := g.Seal(nil, iv, msg, nil); err != nil || string(append(out, tag...)) != string(want) {
		t.Fatalf("GCM through SecAPI differs from Go's (%v)", err)
	}
	m, err := c.NewMAC(ctx, secapi.HMAC, k, secapi.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release(ctx)
	if err := m.Process(ctx, msg); err != nil {
		t.Fatal(err)
	}
	sum, err := m.Compute(ctx)
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	if err != nil || !hmac.Equal(sum, h.Sum(nil)) {
		t.Fatalf("HMAC through SecAPI differs from Go's (%v)", err)
	}
}

// BenchmarkSecAPICENC decrypts one ISO/IEC 23001-7 sample per operation through
// sa_process_common_encryption — clear input as it comes from the network, output
// into an SVP buffer as a decoder would take it, five subsamples of 16 clear bytes
// and the rest protected — for the reference's sample sizes, each under the time
// limit RDK's suite asserts for it (1 000 B: 1 ms, 10 000 B: 2 ms, 100 000 B: 5 ms,
// 1 000 000 B: 10 ms): cenc (AES-CTR, no pattern) and cbcs (AES-CBC, pattern 1:9).
// The baseline is Go's AES-CTR over the same bytes in this process.
func BenchmarkSecAPICENC(b *testing.B) {
	key := make([]byte, 16)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	c := secapiClient(b)
	ctx := context.Background()
	k := secapiKey(b, c, key)
	for _, size := range cencSizes {
		in := make([]byte, size.n)
		rand.Read(in)
		subs := make([]secapi.Subsample, 5)
		for i := range subs {
			subs[i] = secapi.Subsample{Clear: 16, Protected: uint64(size.n/5 - 16)}
		}
		subs[4].Protected += uint64(size.n % 5)
		var base float64
		b.Run(fmt.Sprintf("%dB/go-ctr", size.n), func(b *testing.B) {
			out := make([]byte, size.n)
			iv := make([]byte, 16)
			b.SetBytes(int64(size.n))
			for b.Loop() {
				cipher.NewCTR(block, iv).XORKeyStream(out, in)
			}
			base = nsPerOp(b)
		})
		for _, scheme := range []struct {
			name        string
			alg         secapi.CipherAlgorithm
			crypt, skip uint64
		}{{"cenc", secapi.AESCTR, 0, 0}, {"cbcs", secapi.AESCBC, 1, 9}} {
			b.Run(fmt.Sprintf("%dB/%s", size.n, scheme.name), func(b *testing.B) {
				iv := make([]byte, 16)
				x, err := c.NewCipher(ctx, scheme.alg, secapi.Decrypt, k, secapi.CipherParams{IV: iv})
				if err != nil {
					b.Fatal(err)
				}
				defer x.Release(ctx)
				svp, mem, err := c.AllocSVPBuffer(ctx, uint64(size.n))
				if err != nil {
					b.Fatal(err)
				}
				defer func() {
					svp.Free(ctx)
					mem.Free(ctx)
				}()
				out := &secapi.Buffer{SVP: svp}
				src := &secapi.Buffer{Clear: in}
				samples := []secapi.Sample{{IV: iv, CryptByteBlock: scheme.crypt, SkipByteBlock: scheme.skip,
					Subsamples: subs, Cipher: x, Out: out, In: src}}
				b.SetBytes(int64(size.n))
				for b.Loop() {
					out.Offset, src.Offset = 0, 0
					if err := c.ProcessCommonEncryption(ctx, samples); err != nil {
						b.Fatal(err)
					}
				}
				compare(b, comparison{baseline: "go-ctr", baseNs: base, maxNs: float64(size.limit)})
			})
		}
	}
}

// BenchmarkSecAPICENCFreshBuffer is RDK's cenc test case as the suite runs it: every
// operation allocates an SVP buffer, decrypts one cbcs sample into it and frees it,
// and the goal is on the slowest sample decryption of the run (not the average,
// and not the allocation), which the suite holds to the same limits. It guards the
// first use of fresh SVP memory, whose page faults once made rare samples miss.
func BenchmarkSecAPICENCFreshBuffer(b *testing.B) {
	key := make([]byte, 16)
	rand.Read(key)
	c := secapiClient(b)
	ctx := context.Background()
	k := secapiKey(b, c, key)
	for _, size := range cencSizes[2:] {
		b.Run(fmt.Sprintf("%dB/cbcs", size.n), func(b *testing.B) {
			in := make([]byte, size.n)
			rand.Read(in)
			subs := []secapi.Subsample{{Clear: 100, Protected: uint64(size.n/2 - 100)}, {Clear: 100, Protected: uint64(size.n/2 - 100)}}
			iv := make([]byte, 16)
			x, err := c.NewCipher(ctx, secapi.AESCBC, secapi.Decrypt, k, secapi.CipherParams{IV: iv})
			if err != nil {
				b.Fatal(err)
			}
			defer x.Release(ctx)
			var slowest time.Duration
			b.SetBytes(int64(size.n))
			for b.Loop() {
				svp, mem, err := c.AllocSVPBuffer(ctx, uint64(size.n))
				if err != nil {
					b.Fatal(err)
				}
				samples := []secapi.Sample{{IV: iv, CryptByteBlock: 1, SkipByteBlock: 9, Subsamples: subs,
					Cipher: x, Out: &secapi.Buffer{SVP: svp}, In: &secapi.Buffer{Clear: in}}}
				start := time.Now()
				err = c.ProcessCommonEncryption(ctx, samples)
				slowest = max(slowest, time.Since(start))
				svp.Free(ctx)
				mem.Free(ctx)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-ms")
			compare(b, comparison{baseline: "(absolute goal on the slowest sample)", maxNs: float64(size.limit),
				goalNs: float64(slowest), goalOf: "slowest"})
		})
	}
}
