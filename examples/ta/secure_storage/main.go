// Command secure_storage is the TA of OP-TEE's secure_storage example
// (f4e750bb-1437-4fbf-8785-8d3580c34994): it keeps raw data objects, named by the
// client, in the TA's private trusted storage.
//
// Commands, as in the example's secure_storage_ta.h:
//
//	0 READ_RAW   memref in: object ID, memref out: the object's data
//	1 WRITE_RAW  memref in: object ID, memref in: the data (replaces any object of that ID)
//	2 DELETE     memref in: object ID
//
// READ_RAW into a buffer too short answers SHORT_BUFFER with the size needed; an
// unknown ID is ITEM_NOT_FOUND. Unlike the C TA, WRITE_RAW creates the object with
// its data in one step, so a crash never leaves an empty object behind.
package main

import (
	"slices"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

const (
	cmdReadRaw  = 0
	cmdWriteRaw = 1
	cmdDelete   = 2
)

type secureStorage struct{ ta.Base }

func (secureStorage) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	switch cmd {
	case cmdReadRaw:
		return readRaw(s, p)
	case cmdWriteRaw:
		return writeRaw(s, p)
	case cmdDelete:
		return deleteObject(s, p)
	}
	return tee.ErrNotSupported
}

// objectID copies the ID out of the client's shared memory, which the client may
// change while the TA runs.
func objectID(p *ta.Param) ([]byte, error) {
	if p.Size > ta.ObjectIDMaxLen {
		return nil, tee.ErrBadParameters
	}
	return slices.Clone(p.Mem), nil
}

func writeRaw(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefInput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	id, err := objectID(&p[0])
	if err != nil {
		return err
	}
	flags := ta.DataAccessRead | ta.DataAccessWrite | ta.DataAccessWriteMeta | ta.DataOverwrite
	o, err := s.CreatePersistentObject(ta.StoragePrivate, id, flags, nil, slices.Clone(p[1].Mem))
	if err != nil {
		return err
	}
	o.Close()
	return nil
}

func readRaw(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.MemrefOutput, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	id, err := objectID(&p[0])
	if err != nil {
		return err
	}
	o, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataShareRead)
	if err != nil {
		return err
	}
	defer o.Close()
	info, err := o.Info()
	if err != nil {
		return err
	}
	if info.DataSize > len(p[1].Mem) {
		p[1].Size = info.DataSize
		return tee.ErrShortBuffer
	}
	data := make([]byte, info.DataSize)
	n, err := o.ReadData(data)
	if err != nil {
		return err
	}
	if n != info.DataSize { // the object shrank under us: another handle may write
		return tee.ErrCorruptObject
	}
	p[1].Size = copy(p[1].Mem, data)
	return nil
}

func deleteObject(s *ta.Session, p *ta.Params) error {
	if err := p.Expect(tee.MemrefInput, tee.ParamNone, tee.ParamNone, tee.ParamNone); err != nil {
		return err
	}
	id, err := objectID(&p[0])
	if err != nil {
		return err
	}
	o, err := s.OpenPersistentObject(ta.StoragePrivate, id, ta.DataAccessRead|ta.DataAccessWriteMeta)
	if err != nil {
		return err
	}
	return o.CloseAndDelete()
}

func main() { ta.Main(secureStorage{}) }
