package tasa

import "github.com/gotee/gotee/secapi/internal/protocol"

// CipherAlgorithm is sa_cipher_algorithm.
type CipherAlgorithm uint32

// The AES cipher algorithms a Secure Application gets here.
const (
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

// CipherParams are the algorithm's parameters: the IV (16 bytes for CBC, the initial
// counter block for CTR, 12 bytes for GCM) and GCM's AAD.
type CipherParams struct {
	IV  []byte
	AAD []byte
}

// Cipher is a cipher context (sa_crypto_cipher_context) in the Client's slot.
type Cipher struct {
	c    *Client
	h    uint64
	mode CipherMode
}

// NewCipher is sa_crypto_cipher_init. The key's rights are checked here (allowed TA
// first: a key not meant for this TA is StatusOperationNotAllowed) and again at
// every process call.
func (c *Client) NewCipher(alg CipherAlgorithm, mode CipherMode, k *Key, p CipherParams) (*Cipher, error) {
	if len(p.IV) > protocol.MaxIV || len(p.AAD) > protocol.MaxAAD {
		return nil, StatusInvalidParameter
	}
	var w protocol.Writer
	w.U32(uint32(alg))
	w.U32(uint32(mode))
	w.U64(k.h)
	w.Var(p.IV)
	h, err := c.callU64(protocol.CmdCipherInit, w.Buf, p.AAD)
	if err != nil {
		return nil, err
	}
	return &Cipher{c, h, mode}, nil
}

// Handle is the context's handle within its Client's slot.
func (x *Cipher) Handle() uint64 { return x.h }

// UpdateIV is sa_crypto_cipher_update_iv (CBC and CTR).
func (x *Cipher) UpdateIV(iv []byte) error {
	if len(iv) > protocol.MaxIV {
		return StatusInvalidParameter
	}
	var w protocol.Writer
	w.U64(x.h)
	w.Var(iv)
	_, err := x.c.call(protocol.CmdCipherUpdateIV, w.Buf, nil, 0)
	return err
}

// Process is sa_crypto_cipher_process: it returns the output for in (CBC: whole
// blocks).
func (x *Cipher) Process(in []byte) ([]byte, error) {
	if in == nil {
		in = []byte{}
	}
	return x.c.call(protocol.CmdCipherProcess, handleReq(x.h), in, max(len(in), 1))
}

// ProcessLast is sa_crypto_cipher_process_last. For GCM encryption tagLen is the tag
// length wanted and the tag is returned; for GCM decryption tag is checked
// (StatusVerificationFailed if wrong) and tagLen must be len(tag). Other algorithms
// take no tag. CBC with PKCS#7 decrypts exactly one block here.
func (x *Cipher) ProcessLast(in []byte, tagLen int, tag []byte) (out, outTag []byte, err error) {
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
	b, err := x.c.call(protocol.CmdCipherProcessLast, w.Buf, in, len(in)+protocol.MaxTag+16)
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
func (x *Cipher) Release() error {
	_, err := x.c.call(protocol.CmdCipherRelease, handleReq(x.h), nil, 0)
	return err
}
