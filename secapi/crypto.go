package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// CipherAlgorithm is sa_cipher_algorithm.
type CipherAlgorithm uint32

// The AES cipher algorithms.
const (
	AESECB      CipherAlgorithm = protocol.CipherAESECB
	AESECBPKCS7 CipherAlgorithm = protocol.CipherAESECBPKCS7
	AESCBC      CipherAlgorithm = protocol.CipherAESCBC
	AESCBCPKCS7 CipherAlgorithm = protocol.CipherAESCBCPKCS7
	AESCTR      CipherAlgorithm = protocol.CipherAESCTR
	AESGCM      CipherAlgorithm = protocol.CipherAESGCM
)

// CipherMode is sa_cipher_mode.
type CipherMode uint32

// The cipher modes.
const (
	Decrypt CipherMode = protocol.CipherModeDecrypt
	Encrypt CipherMode = protocol.CipherModeEncrypt
)

// Cipher is a cipher context (sa_crypto_cipher_context).
type Cipher struct {
	c    *Client
	h    uint64
	mode CipherMode
}

// CipherParams are the algorithm's parameters: IV (CBC, GCM), the initial counter
// (CTR, in IV), AAD (GCM, ChaCha20-Poly1305); for the algorithms of unwrap.go also
// Counter and Nonce (ChaCha20), Digest, MGF1 and Label (RSA OAEP).
type CipherParams struct {
	IV  []byte
	AAD []byte

	Counter, Nonce []byte
	Digest, MGF1   Digest
	Label          []byte
}

// NewCipher is sa_crypto_cipher_init.
func (c *Client) NewCipher(ctx context.Context, alg CipherAlgorithm, mode CipherMode, k *Key, p CipherParams) (*Cipher, error) {
	if isExtCipher(alg) {
		return c.newExtCipher(ctx, alg, mode, k, p)
	}
	if len(p.IV) > protocol.MaxIV {
		return nil, StatusInvalidParameter
	}
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U32(uint32(mode))
	w.U64(k.h)
	w.Var(p.IV)
	h, err := c.callU64(ctx, protocol.CmdCipherInit, w.Buf, p.AAD)
	if err != nil {
		return nil, err
	}
	return &Cipher{c, h, mode}, nil
}

// UpdateIV is sa_crypto_cipher_update_iv.
func (x *Cipher) UpdateIV(ctx context.Context, iv []byte) error {
	if len(iv) > protocol.MaxIV {
		return StatusInvalidParameter
	}
	var w protocol.Writer
	w.U64(x.h)
	w.Var(iv)
	_, err := x.c.call(ctx, protocol.CmdCipherUpdateIV, w.Buf, nil, 0)
	return err
}

// Process is sa_crypto_cipher_process: it returns the output for in.
func (x *Cipher) Process(ctx context.Context, in []byte) ([]byte, error) {
	if in == nil {
		in = []byte{}
	}
	return x.c.call(ctx, protocol.CmdCipherProcess, handleReq(x.h), in, max(len(in), 1))
}

// ProcessLast is sa_crypto_cipher_process_last. For GCM encryption tagLen is the tag
// wanted and the tag is returned; for GCM decryption tag is checked
// (StatusVerificationFailed if wrong). Other algorithms take no tag.
func (x *Cipher) ProcessLast(ctx context.Context, in []byte, tagLen int, tag []byte) (out, outTag []byte, err error) {
	if in == nil {
		in = []byte{}
	}
	if tagLen < 0 || tagLen > protocol.MaxTag || len(tag) > protocol.MaxTag {
		return nil, nil, StatusInvalidParameter
	}
	var w protocol.Writer
	w.U64(x.h)
	w.U32(uint32(tagLen))
	w.Var(tag)
	b, err := x.c.call(ctx, protocol.CmdCipherProcessLast, w.Buf, in, len(in)+protocol.MaxTag+16)
	if err != nil {
		return nil, nil, err
	}
	if x.mode == Encrypt && tagLen > 0 {
		if len(b) < tagLen {
			return nil, nil, StatusInternalError
		}
		return b[:len(b)-tagLen], b[len(b)-tagLen:], nil
	}
	return b, nil, nil
}

// Release is sa_crypto_cipher_release.
func (x *Cipher) Release(ctx context.Context) error {
	_, err := x.c.call(ctx, protocol.CmdCipherRelease, handleReq(x.h), nil, 0)
	return err
}

// MACAlgorithm is sa_mac_algorithm.
type MACAlgorithm uint32

// The MAC algorithms.
const (
	CMAC MACAlgorithm = protocol.MACCMAC
	HMAC MACAlgorithm = protocol.MACHMAC
)

// MAC is a MAC context (sa_crypto_mac_context).
type MAC struct {
	c *Client
	h uint64
}

// NewMAC is sa_crypto_mac_init; digest matters only for HMAC.
func (c *Client) NewMAC(ctx context.Context, alg MACAlgorithm, k *Key, digest Digest) (*MAC, error) {
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U64(k.h)
	w.U32(uint32(digest))
	h, err := c.callU64(ctx, protocol.CmdMACInit, w.Buf, nil)
	if err != nil {
		return nil, err
	}
	return &MAC{c, h}, nil
}

// Process is sa_crypto_mac_process.
func (m *MAC) Process(ctx context.Context, in []byte) error {
	if in == nil {
		in = []byte{}
	}
	_, err := m.c.call(ctx, protocol.CmdMACProcess, handleReq(m.h), in, 0)
	return err
}

// ProcessKey is sa_crypto_mac_process_key.
func (m *MAC) ProcessKey(ctx context.Context, k *Key) error {
	_, err := m.c.call(ctx, protocol.CmdMACProcessKey, handleReq(m.h, k.h), nil, 0)
	return err
}

// Compute is sa_crypto_mac_compute.
func (m *MAC) Compute(ctx context.Context) ([]byte, error) {
	return m.c.call(ctx, protocol.CmdMACCompute, handleReq(m.h), nil, 64)
}

// Release is sa_crypto_mac_release.
func (m *MAC) Release(ctx context.Context) error {
	_, err := m.c.call(ctx, protocol.CmdMACRelease, handleReq(m.h), nil, 0)
	return err
}
