// Command secure_storage is the Go client of the secure_storage example: it
// stores an object in the TA's trusted storage, reads it back, deletes it, and
// then toggles a second object that outlives the run — created if it is absent,
// deleted if a previous run left it.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gotee/gotee/client"
	"github.com/gotee/gotee/tee"
)

var secureStorageTA = tee.MustParseUUID("f4e750bb-1437-4fbf-8785-8d3580c34994")

const (
	cmdReadRaw  = 0
	cmdWriteRaw = 1
	cmdDelete   = 2
)

const objectSize = 7000 // as in the C host

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "secure_storage:", err)
		os.Exit(1)
	}
}

type storage struct {
	s   *client.Session
	ctx context.Context
}

func (st storage) write(id string, data []byte) error {
	op := &client.Operation{Params: [4]client.Param{
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(id)},
		&client.TempMemory{Type: tee.MemrefTempInput, Buffer: data},
	}}
	return st.s.Invoke(st.ctx, cmdWriteRaw, op)
}

// read returns the object's data, asking the TA for its size first.
func (st storage) read(id string) ([]byte, error) {
	out := &client.TempMemory{Type: tee.MemrefTempOutput, Buffer: make([]byte, 1)}
	op := &client.Operation{Params: [4]client.Param{&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(id)}, out}}
	err := st.s.Invoke(st.ctx, cmdReadRaw, op)
	if errors.Is(err, tee.ErrShortBuffer) {
		out.Buffer = make([]byte, out.Size)
		err = st.s.Invoke(st.ctx, cmdReadRaw, op)
	}
	if err != nil {
		return nil, err
	}
	return out.Buffer[:out.Size], nil
}

func (st storage) delete(id string) error {
	op := &client.Operation{Params: [4]client.Param{&client.TempMemory{Type: tee.MemrefTempInput, Buffer: []byte(id)}}}
	return st.s.Invoke(st.ctx, cmdDelete, op)
}

func run(ctx context.Context) error {
	c, err := client.NewContext(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to teed: %w", err)
	}
	defer c.Close()
	fmt.Println("Prepare session with the TA")
	s, err := c.OpenSession(ctx, secureStorageTA, client.Public, nil)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer s.Close()
	st := storage{s, ctx}

	fmt.Printf("\nTest on object %q\n", "object#1")
	fmt.Println("- Create and load object in the TA secure storage")
	data := bytes.Repeat([]byte{0xA1}, objectSize)
	if err := st.write("object#1", data); err != nil {
		return fmt.Errorf("create an object: %w", err)
	}
	fmt.Println("- Read back the object")
	got, err := st.read("object#1")
	if err != nil {
		return fmt.Errorf("read the object back: %w", err)
	}
	if !bytes.Equal(got, data) {
		return errors.New("unexpected content found in secure storage")
	}
	fmt.Println("- Delete the object")
	if err := st.delete("object#1"); err != nil {
		return fmt.Errorf("delete the object: %w", err)
	}
	if _, err := st.read("object#1"); !errors.Is(err, tee.ErrItemNotFound) {
		return fmt.Errorf("read a deleted object: %v, want ITEM_NOT_FOUND", err)
	}

	fmt.Printf("\nTest on object %q\n", "object#2")
	_, err = st.read("object#2")
	switch {
	case errors.Is(err, tee.ErrItemNotFound):
		fmt.Println("- Object not found in TA secure storage, create it.")
		if err := st.write("object#2", data); err != nil {
			return fmt.Errorf("create the object: %w", err)
		}
	case err == nil:
		fmt.Println("- Object found in TA secure storage, delete it.")
		if err := st.delete("object#2"); err != nil {
			return fmt.Errorf("delete the object: %w", err)
		}
	default:
		return fmt.Errorf("read the object: %w", err)
	}
	fmt.Println("\nWe're done, close and release TEE resources")
	return nil
}
