package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/gotee/gotee/internal/storage"
	"github.com/gotee/gotee/tee"
)

// teed opens the store once and serves every TA instance's storage calls from
// it; a TA is known by its UUID, never by anything the TA says.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "storage-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	deviceKey := bytes.Repeat([]byte{1}, 32) // teed loads it from its state directory

	s, err := storage.Open(ctx, dir, deviceKey, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ta := tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b")

	// TEE_CreatePersistentObject with TEE_DATA_FLAG_ACCESS_WRITE.
	h, err := s.CreateOpen(ctx, ta, storage.StoragePrivate, []byte("counter"),
		storage.FlagAccessRead|storage.FlagAccessWrite, []byte("object info"), []byte("0001"))
	if err != nil {
		log.Fatal(err)
	}
	if err := h.WriteAt(ctx, []byte("2"), 3); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 16)
	n, _ := h.ReadAt(ctx, buf, 0)
	fmt.Printf("%s\n", buf[:n])

	// Another instance of the TA may not open it for writing meanwhile.
	_, err = s.Open(ctx, ta, storage.StoragePrivate, []byte("counter"), storage.FlagAccessWriteMeta)
	fmt.Println(errors.Is(err, tee.ErrAccessConflict))
	h.Close()
	// Output:
	// 0002
	// true
}
