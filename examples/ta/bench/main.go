// Command bench is the TA that gotee's benchmarks drive
// (c0ffee00-7e57-4b3e-9e11-000000000001). Commands 0 to 2 accept any parameter
// types: 0 does nothing, 1 reads every byte of every input memref and writes every
// byte of every output memref, 2 adds one to every VALUE_INOUT. The others measure
// the Internal Core API from inside a TA:
//
//	3 AES_GCM      memref inout: encrypted in place with AES-256-GCM; memref out: the 16-byte tag
//	4 SHA256       memref in: the message; memref out: its 32-byte digest
//	5 STORE_WRITE  memref in: written at offset 0 of the persistent object "bench"
//	6 STORE_READ   memref out: filled from offset 0 of that object
//
// The key, the operations and the object handle are made on first use and kept
// by the instance, as a real TA keeps its working state.
package main

import (
	"encoding/binary"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdNull       = 0
	cmdTouch      = 1
	cmdValues     = 2
	cmdAESGCM     = 3
	cmdSHA256     = 4
	cmdStoreWrite = 5
	cmdStoreRead  = 6
)

type bench struct {
	ta.Base
	sink byte

	gcm    *ta.Operation
	sha    *ta.Operation
	nonce  uint64
	object *ta.Object
}

func (b *bench) Destroy() {
	b.gcm.Free()
	b.sha.Free()
	b.object.Close()
}

func (b *bench) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdNull:
	case cmdTouch:
		for i := range p {
			switch p[i].Type {
			case tee.MemrefInput:
				var x byte
				for _, c := range p[i].Mem {
					x ^= c
				}
				b.sink ^= x
			case tee.MemrefOutput, tee.MemrefInout:
				m := p[i].Mem
				for j := range m {
					m[j] = byte(j)
				}
			}
		}
	case cmdValues:
		for i := range p {
			if p[i].Type == tee.ValueInout {
				p[i].Value.A++
			}
		}
	case cmdAESGCM:
		return b.aesGCM(p)
	case cmdSHA256:
		return b.sha256(p)
	case cmdStoreWrite, cmdStoreRead:
		return b.store(s, cmd, p)
	default:
		return tee.ErrBadParameters
	}
	return nil
}

func (b *bench) aesGCM(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInout, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if b.gcm == nil {
		key, err := ta.AllocateTransientObject(tee.TypeAES, 256)
		if err != nil {
			return err
		}
		defer key.Free()
		if err := key.GenerateKey(256); err != nil {
			return err
		}
		op, err := ta.AllocateOperation(tee.AlgAESGCM, tee.ModeEncrypt, 256)
		if err != nil {
			return err
		}
		if err := op.SetKey(key); err != nil {
			op.Free()
			return err
		}
		b.gcm = op
	}
	b.nonce++
	nonce := binary.BigEndian.AppendUint64(make([]byte, 4, 12), b.nonce)
	if err := b.gcm.AEInit(nonce, 128, 0, len(p[0].Mem)); err != nil {
		return err
	}
	n, tagLen, err := b.gcm.AEEncryptFinal(p[0].Mem, p[1].Mem, p[0].Mem)
	p[0].Size, p[1].Size = n, tagLen
	return err
}

func (b *bench) sha256(p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if b.sha == nil {
		op, err := ta.AllocateOperation(tee.AlgSHA256, tee.ModeDigest, 0)
		if err != nil {
			return err
		}
		b.sha = op
	}
	n, err := b.sha.DigestDoFinal(p[1].Mem, p[0].Mem)
	p[1].Size = n
	return err
}

func (b *bench) store(s *ta.Session, cmd uint32, p *ta.Params) error {
	want := tee.MemrefInput
	if cmd == cmdStoreRead {
		want = tee.MemrefOutput
	}
	if err := p.Expect(want, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	if b.object == nil {
		o, err := s.CreatePersistentObject(ta.StoragePrivate, []byte("bench"),
			ta.DataAccessRead|ta.DataAccessWrite|ta.DataOverwrite, nil, make([]byte, len(p[0].Mem)))
		if err != nil {
			return err
		}
		b.object = o
	}
	if err := b.object.SeekData(0, ta.SeekSet); err != nil {
		return err
	}
	if cmd == cmdStoreWrite {
		return b.object.WriteData(p[0].Mem)
	}
	n, err := b.object.ReadData(p[0].Mem)
	p[0].Size = n
	return err
}

func main() { ta.Main(&bench{}) }
