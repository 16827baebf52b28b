package crypto

import (
	"crypto/cipher"
	"encoding"
	"hash"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// The Chinese national algorithms come from github.com/emmansun/gmsm, because neither Go's
// standard library nor golang.org/x/crypto has them: SM3 (GB/T 32905-2016) and the SM4
// block cipher (GB/T 32907-2016). The modes over SM4 are the same compositions the engine
// uses for AES (ECB block by block, crypto/cipher's CBC and CTR).

func newSM4(key []byte) (cipher.Block, error) { return sm4.NewCipher(key) }

// sm3Hash gives gmsm's SM3 the hash.Cloner that TEE_CopyOperation needs (and that
// crypto/hmac's Clone asks of the inner and outer hashes), by way of the binary
// marshaling gmsm's digest does implement.
type sm3Hash struct{ hash.Hash }

func newSM3() hash.Hash { return sm3Hash{sm3.New()} }

func (h sm3Hash) Clone() (hash.Cloner, error) {
	state, err := h.Hash.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	c := sm3.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, err
	}
	clear(state)
	return sm3Hash{c}, nil
}
