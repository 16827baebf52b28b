// Command sha is the TA of OP-TEE's sha example
// (1dc6a16b-2fba-4aa1-9519-ea8a6c8c16e5): message digests (SHA-1, SHA-2, SHA-3,
// SHAKE) and MACs (HMAC-SHA1/224/256/384/512, AES-CMAC) computed and checked for
// the client. Algorithms are the client's raw TEE_ALG_* values.
//
// Commands, as in the example's sha_ta.h:
//
//	0 PREPARE         value a: MAC algorithm, value a: key size in bytes,
//	                  value a: key type (0 HMAC_SHA256, 1 HMAC_SHA1, 2 HMAC_SHA224,
//	                  3 HMAC_SHA384, 4 HMAC_SHA512, 5 AES)
//	1 SET_KEY         memref in: the key, exactly the prepared size
//	2 SET_IV          memref in: the IV (MACInit; ignored by these MACs)
//	3 COMPUTE_MAC     memref in: message, memref out: the MAC
//	4 COMPARE_MAC     memref in: message, memref in: the MAC expected
//	5 COMPUTE_DIGEST  memref in: message, memref out: the digest, value a: algorithm
//
// Like the OP-TEE TA, COMPUTE_MAC and COMPARE_MAC feed the message twice (as the
// update and as the final chunk), so the MAC covers it twice; that keeps MACs
// computed here comparable with the example's. COMPUTE_DIGEST runs on an operation
// of its own and leaves the prepared MAC operation alone.
package main

import (
	"errors"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdPrepare       = 0
	cmdSetKey        = 1
	cmdSetIV         = 2
	cmdComputeMAC    = 3
	cmdCompareMAC    = 4
	cmdComputeDigest = 5
)

// The key types of PREPARE, in the order of sha_ta.h.
var keyTypes = []tee.ObjectType{tee.TypeHMACSHA256, tee.TypeHMACSHA1, tee.TypeHMACSHA224,
	tee.TypeHMACSHA384, tee.TypeHMACSHA512, tee.TypeAES}

// macState is a session's MAC operation and the key object that loads its key.
type macState struct {
	keySize int // bytes
	op      *ta.Operation
	key     *ta.Object
}

func (m *macState) free() {
	m.op.Free()
	m.key.Free()
	m.op, m.key = nil, nil
}

type shaTA struct{ ta.Base }

func (shaTA) OpenSession(s *ta.Session, p *ta.Params) error {
	s.Data = &macState{}
	return nil
}

func (shaTA) CloseSession(s *ta.Session) { s.Data.(*macState).free() }

func (shaTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	m := s.Data.(*macState)
	switch cmd {
	case cmdPrepare:
		return m.prepare(p)
	case cmdSetKey:
		return m.setKey(p)
	case cmdSetIV:
		return m.setIV(p)
	case cmdComputeMAC:
		return m.computeMAC(p)
	case cmdCompareMAC:
		return m.compareMAC(p)
	case cmdComputeDigest:
		return computeDigest(p)
	}
	return tee.ErrNotSupported
}

// prepare allocates the MAC operation and keys it with an all-zero key of the
// requested size, so that SET_KEY can reset it first (GP does not reset an
// operation without a key).
func (m *macState) prepare(p *ta.Params) error {
	if err := p.Expect(tee.ValueInput, tee.ValueInput, tee.ValueInput, tee.ParamNone); err != nil {
		return err
	}
	alg, size, kt := tee.Algorithm(p[0].Value.A), int(p[1].Value.A), p[2].Value.A
	if int(kt) >= len(keyTypes) {
		return tee.ErrBadParameters
	}
	m.free()
	m.keySize = size
	err := m.allocate(alg, keyTypes[kt])
	if err != nil {
		m.free()
	}
	return err
}

func (m *macState) allocate(alg tee.Algorithm, kt tee.ObjectType) error {
	var err error
	// The operation is allocated first: it refuses a key size the algorithm does
	// not allow before anything is made of that size.
	if m.op, err = ta.AllocateOperation(alg, tee.ModeMAC, 8*m.keySize); err != nil {
		return err
	}
	if m.key, err = ta.AllocateTransientObject(kt, 8*m.keySize); err != nil {
		return err
	}
	if err := m.key.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: make([]byte, m.keySize)}); err != nil {
		return err
	}
	return m.op.SetKey(m.key)
}

func (m *macState) setKey(p *ta.Params) error {
	if m.op == nil {
		return tee.ErrBadState
	}
	if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if p[0].Size != m.keySize || len(p[0].Mem) != m.keySize {
		return tee.ErrBadParameters
	}
	// Populate copies the key out of the client's memory.
	m.key.Reset()
	if err := m.key.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: p[0].Mem}); err != nil {
		return err
	}
	m.op.Reset()
	return m.op.SetKey(m.key)
}

func (m *macState) setIV(p *ta.Params) error {
	if m.op == nil {
		return tee.ErrBadState
	}
	if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	m.op.MACInit(append([]byte(nil), p[0].Mem...))
	return nil
}

func (m *macState) computeMAC(p *ta.Params) error {
	if m.op == nil {
		return tee.ErrBadState
	}
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	msg := append([]byte(nil), p[0].Mem...)
	mac := make([]byte, len(p[1].Mem))
	m.op.MACUpdate(msg)
	n, err := m.op.MACComputeFinal(mac, msg)
	return output(&p[1], mac, n, err)
}

func (m *macState) compareMAC(p *ta.Params) error {
	if m.op == nil {
		return tee.ErrBadState
	}
	if err := p.Expect(tee.MemrefInput, tee.MemrefInput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	msg := append([]byte(nil), p[0].Mem...)
	m.op.MACUpdate(msg)
	return m.op.MACCompareFinal(msg, append([]byte(nil), p[1].Mem...))
}

func computeDigest(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ValueInput, tee.ParamNone); err != nil {
		return err
	}
	op, err := ta.AllocateOperation(tee.Algorithm(p[2].Value.A), tee.ModeDigest, 0)
	if err != nil {
		return err
	}
	defer op.Free()
	sum := make([]byte, len(p[1].Mem))
	op.DigestUpdate(append([]byte(nil), p[0].Mem...))
	n, err := op.DigestDoFinal(sum, nil)
	return output(&p[1], sum, n, err)
}

// output hands the first n bytes of buf to the client in q, or with SHORT_BUFFER
// the size needed.
func output(q *ta.Param, buf []byte, n int, err error) error {
	if err == nil {
		copy(q.Mem, buf[:n])
	}
	if err == nil || errors.Is(err, tee.ErrShortBuffer) {
		q.Size = n
	}
	return err
}

func main() { ta.Main(shaTA{}) }
