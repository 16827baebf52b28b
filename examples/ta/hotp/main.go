// Command hotp is the TA of OP-TEE's hotp example
// (484d4143-2d53-4841-3120-4a6f636b6542): HMAC-based one-time passwords as RFC 4226
// defines them, six digits from HMAC-SHA1 over an 8-byte counter.
//
// Commands, as in the example's hotp_ta.h:
//
//	0 REGISTER_SHARED_KEY  memref in: the shared key K, at most 64 bytes
//	1 GET_HOTP             value out a: the next HOTP value
//
// Each session has its own key and counter, starting at 0. GET_HOTP needs a key of
// 10 to 64 bytes (HMAC-SHA1's key sizes in GP), else it is BAD_PARAMETERS; the
// counter advances with every password handed out.
package main

import (
	"encoding/binary"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdRegisterSharedKey = 0
	cmdGetHOTP           = 1
)

const (
	minKeySize = 10 // bytes: GP's 80 bits for HMAC-SHA1
	maxKeySize = 64 // bytes: 512 bits
)

type hotpState struct {
	key     []byte
	counter uint64
}

type hotpTA struct{ ta.Base }

func (hotpTA) OpenSession(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.ParamNone, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	s.Data = &hotpState{}
	return nil
}

func (hotpTA) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	h := s.Data.(*hotpState)
	switch cmd {
	case cmdRegisterSharedKey:
		if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		if p[0].Size > maxKeySize {
			return tee.ErrBadParameters
		}
		clear(h.key)
		h.key = append([]byte(nil), p[0].Mem...)
		return nil
	case cmdGetHOTP:
		if err := p.Expect(tee.ValueOutput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
			return err
		}
		var msg [8]byte
		binary.BigEndian.PutUint64(msg[:], h.counter)
		mac, err := hmacSHA1(h.key, msg[:])
		if err != nil {
			return err
		}
		h.counter++
		p[0].Value.A = truncate(mac)
		return nil
	}
	return tee.ErrBadParameters
}

// hmacSHA1 computes HMAC-SHA1 of msg with key through a GP MAC operation.
func hmacSHA1(key, msg []byte) ([]byte, error) {
	if len(key) < minKeySize || len(key) > maxKeySize {
		return nil, tee.ErrBadParameters
	}
	op, err := ta.AllocateOperation(tee.AlgHMACSHA1, tee.ModeMAC, 8*len(key))
	if err != nil {
		return nil, err
	}
	defer op.Free()
	obj, err := ta.AllocateTransientObject(tee.TypeHMACSHA1, 8*len(key))
	if err != nil {
		return nil, err
	}
	defer obj.Free()
	if err := obj.Populate(tee.Attribute{ID: tee.AttrSecretValue, Ref: key}); err != nil {
		return nil, err
	}
	if err := op.SetKey(obj); err != nil {
		return nil, err
	}
	op.MACInit(nil)
	op.MACUpdate(msg)
	mac := make([]byte, 20)
	n, err := op.MACComputeFinal(mac, nil)
	return mac[:n], err
}

// truncate is RFC 4226's dynamic truncation, reduced to six digits.
func truncate(mac []byte) uint32 {
	off := mac[len(mac)-1] & 0xf
	return (binary.BigEndian.Uint32(mac[off:off+4]) & 0x7fffffff) % 1000000
}

func main() { ta.Main(hotpTA{}) }
