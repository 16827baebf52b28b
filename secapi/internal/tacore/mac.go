package tacore

import (
	"crypto/hmac"
	"hash"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// macCtx is a MAC context. CMAC runs on the SDK's AES-CMAC. HMAC runs on Go's
// crypto/hmac, because SecAPI allows HMAC keys of 16 to 512 bytes with any digest,
// wider than GP's HMAC key sizes that the SDK enforces.
type macCtx struct {
	alg  uint32
	cmac *ta.Operation
	hmac hash.Hash
	size int
	done bool
}

func (m *macCtx) free() {
	if m.cmac != nil {
		m.cmac.Free()
	}
	if m.hmac != nil {
		m.hmac.Reset()
	}
}

func (s *slot) macInit(r *req_, now uint64) error {
	alg := r.rd.U32()
	kh := r.rd.U64()
	digest := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if alg != protocol.MACCMAC && alg != protocol.MACHMAC {
		return protocol.StatusInvalidParameter
	}
	k, plain, err := s.use(kh, now, protocol.UsageSign)
	if err != nil {
		return err
	}
	defer clear(plain)
	m := &macCtx{alg: alg}
	switch alg {
	case protocol.MACHMAC:
		if k.hdr.Type != protocol.KeyTypeSymmetric || len(plain) < minSymmetric || len(plain) > maxSymmetric {
			return protocol.StatusInvalidKeyType
		}
		newHash := digestOf(digest)
		if newHash == nil {
			return protocol.StatusInvalidParameter
		}
		m.hmac = hmac.New(newHash, plain)
		m.size = m.hmac.Size()
	case protocol.MACCMAC:
		if k.hdr.Type != protocol.KeyTypeSymmetric || (len(plain) != 16 && len(plain) != 32) {
			return protocol.StatusInvalidKeyType
		}
		op, err := aesOp(tee.AlgAESCMAC, tee.ModeMAC, plain)
		if err != nil {
			return err
		}
		op.MACInit(nil)
		m.cmac, m.size = op, aesBlock
	}
	h, err := s.macs.add(m)
	if err != nil {
		m.free()
		return err
	}
	return r.replyU64(h)
}

func (m *macCtx) write(b []byte) {
	if m.hmac != nil {
		m.hmac.Write(b)
	} else {
		m.cmac.MACUpdate(b)
	}
}

func (s *slot) macProcess(r *req_) error {
	h := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	m, err := s.macs.get(h)
	if err != nil {
		return err
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	if m.done {
		return protocol.StatusInvalidParameter
	}
	m.write(append([]byte(nil), r.in...))
	return nil
}

// macProcessKey MACs a key's bytes: the key must be symmetric (any other type is
// INVALID_PARAMETER, as the reference answers); like the reference, it needs only the
// rights every use passes (allowed TA, time, output protection).
func (s *slot) macProcessKey(r *req_, now uint64) error {
	h := r.rd.U64()
	kh := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	m, err := s.macs.get(h)
	if err != nil {
		return err
	}
	if m.done {
		return protocol.StatusInvalidParameter
	}
	k, plain, err := s.use(kh, now, -1)
	if err != nil {
		return err
	}
	defer clear(plain)
	if k.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidParameter
	}
	m.write(plain)
	return nil
}

func (s *slot) macCompute(r *req_) error {
	h := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	m, err := s.macs.get(h)
	if err != nil {
		return err
	}
	if m.done {
		return protocol.StatusInvalidParameter
	}
	if r.outCap < m.size {
		r.need = m.size
		return tee.ErrShortBuffer
	}
	m.done = true
	if m.hmac != nil {
		return r.reply(m.hmac.Sum(nil))
	}
	out := make([]byte, aesBlock)
	if _, err := m.cmac.MACComputeFinal(out, nil); err != nil {
		return protocol.StatusInternalError
	}
	return r.reply(out)
}
