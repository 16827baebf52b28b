package crypto_test

import (
	"fmt"
	"github.com/gotee/gotee/tee"

	"github.com/gotee/gotee/internal/crypto"
)

// A TA's AES-GCM encryption: allocate, key, init, feed, finish.
func ExampleOperation_AEEncryptFinal() {
	op, err := crypto.Allocate(tee.AlgAESGCM, tee.ModeEncrypt, 128)
	if err != nil {
		panic(err)
	}
	defer op.Free()
	key := &crypto.Key{Type: tee.TypeAES, Usage: tee.UsageAll, Secret: make([]byte, 16)}
	if err := op.SetKey(key); err != nil {
		panic(err)
	}
	if err := op.AEInit(make([]byte, 12), 128, 0, 0); err != nil {
		panic(err)
	}
	// An empty plaintext under the all-zero key and nonce: the GCM spec's test case 1.
	tag := make([]byte, 16)
	n, tagLen, err := op.AEEncryptFinal(nil, tag, nil)
	fmt.Println(n, tagLen, err)
	fmt.Printf("%x\n", tag[:tagLen])
	// Output:
	// 0 16 <nil>
	// 58e2fccefa7e3061367f1d57a4e7455a
}
