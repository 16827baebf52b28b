package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// Subsample is sa_subsample_length: clear bytes, then protected bytes.
type Subsample struct{ Clear, Protected uint64 }

// Sample is sa_sample: one ISO/IEC 23001-7 sample to decrypt with Cipher, an AES-CTR
// (cenc; cens with a pattern) or AES-CBC (cbc1; cbcs with a pattern) decryption
// context. CryptByteBlock and SkipByteBlock are the pattern in 16-byte blocks (0 and
// 0: none). Out may be an SVP buffer whatever In is; clear Out needs clear In and a
// key with SVP_OPTIONAL.
type Sample struct {
	IV                            []byte
	CryptByteBlock, SkipByteBlock uint64
	Subsamples                    []Subsample
	Cipher                        *Cipher
	Out, In                       *Buffer
}

// ProcessCommonEncryption is sa_process_common_encryption. Each sample is one call
// to the TA, in order, and advances its buffers' offsets by its length, so samples
// may share an In or Out buffer and follow each other in it. The pointers the C API
// requires are checked for every sample before the first is sent; the TA's checks
// then run per sample, so an error in a later sample leaves the earlier ones done.
func (c *Client) ProcessCommonEncryption(ctx context.Context, samples []Sample) error {
	for i := range samples {
		s := &samples[i]
		if s.IV == nil || s.Subsamples == nil || s.Out == nil || s.In == nil {
			return StatusNullParameter
		}
	}
	for i := range samples {
		if err := c.processSample(ctx, &samples[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) processSample(ctx context.Context, s *Sample) error {
	if len(s.IV) > protocol.MaxIV+1 || len(s.Subsamples) > protocol.MaxSubsamples {
		return StatusInvalidParameter
	}
	if s.Cipher == nil || s.Cipher.c != c {
		return StatusInvalidParameter
	}
	need := uint64(0)
	for _, ss := range s.Subsamples {
		l := ss.Clear + ss.Protected
		if l < ss.Clear || need+l < need {
			return StatusInvalidParameter
		}
		need += l
	}
	ws := protocol.Sample{IV: s.IV, CryptBlocks: s.CryptByteBlock, SkipBlocks: s.SkipByteBlock,
		Cipher: s.Cipher.h, Out: s.Out.spec(), In: s.In.spec()}
	for _, ss := range s.Subsamples {
		ws.Subsamples = append(ws.Subsamples, protocol.Subsample(ss))
	}
	var w protocol.Writer
	ws.Put(&w)
	var data []byte
	var dst []byte
	// A clear buffer's range is checked here, since its bytes are the library's;
	// sizes past protocol.MaxData are refused as out of range.
	if s.Out.SVP == nil {
		b, err := s.Out.clearRange(need)
		if err != nil {
			return err
		}
		dst = b
	}
	if s.In.SVP == nil {
		b, err := s.In.clearRange(need)
		if err != nil {
			return err
		}
		data = b
		if data == nil {
			data = []byte{}
		}
	}
	if need > protocol.MaxData {
		return StatusInvalidParameter
	}
	var res []byte
	var err error
	if len(dst) > 0 {
		res, err = c.callInto(ctx, protocol.CmdProcessCommonEncryption, w.Buf, data, dst)
	} else {
		outLen := 0
		if dst != nil {
			outLen = 1 // an empty clear output is still present
		}
		res, err = c.call(ctx, protocol.CmdProcessCommonEncryption, w.Buf, data, outLen)
	}
	if err != nil {
		return err
	}
	if dst != nil && uint64(len(res)) != need {
		return StatusInternalError
	}
	s.In.Offset += need
	s.Out.Offset += need
	return nil
}
