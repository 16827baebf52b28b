package storage

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/gotee/gotee/tee"
)

// storageError is a sentinel that wraps the GP code the API returns for it.
type storageError struct {
	msg    string
	code   tee.Result
	misuse bool
}

func (e *storageError) Error() string   { return "storage: " + e.msg }
func (e *storageError) Unwrap() error   { return e.code }
func (e *storageError) Is(t error) bool { return e.misuse && t == ErrMisuse }

var (
	// ErrRollback: the store is older than the emulated RPMB counter says it
	// must be (it was copied back from an earlier moment, replaced or deleted).
	// It wraps tee.ErrCorruptObject.
	ErrRollback error = &storageError{msg: "rollback detected", code: tee.ErrCorruptObject}
	// ErrCounter: the rollback counter is missing, fails authentication, or is
	// older than the crash window allows, so the store cannot be vouched for.
	// It wraps tee.ErrCorruptObject.
	ErrCounter error = &storageError{msg: "rollback counter unusable", code: tee.ErrCorruptObject}

	// ErrMisuse matches every error for which the Internal Core API says the
	// calling TA panics (TEE_Panic) rather than gets a result: the errors below.
	// tee.Code of them gives the code OP-TEE's system call returns.
	ErrMisuse = errors.New("storage: misuse the TA must panic for")
	// ErrNoReadAccess: a read through a handle opened without ACCESS_READ.
	ErrNoReadAccess error = &storageError{msg: "handle not opened with ACCESS_READ", code: tee.ErrAccessConflict, misuse: true}
	// ErrNoWriteAccess: a write or truncation through a handle opened without
	// ACCESS_WRITE.
	ErrNoWriteAccess error = &storageError{msg: "handle not opened with ACCESS_WRITE", code: tee.ErrAccessConflict, misuse: true}
	// ErrNoWriteMeta: a rename or CloseAndDelete through a handle opened without
	// ACCESS_WRITE_META.
	ErrNoWriteMeta error = &storageError{msg: "handle not opened with ACCESS_WRITE_META", code: tee.ErrAccessConflict, misuse: true}
	// ErrHandleClosed: a handle used after Close.
	ErrHandleClosed error = &storageError{msg: "handle is closed", code: tee.ErrBadParameters, misuse: true}

	errClosed   = fmt.Errorf("storage: store is closed: %w", tee.ErrStorageNotAvail)
	errNoChange = errors.New("no change") // an update with nothing to commit
)

func corrupt(format string, args ...any) error {
	return fmt.Errorf("storage: "+format+": %w", append(args, tee.ErrCorruptObject)...)
}

// panicError is a panic recovered at the engine boundary: bbolt met a page it
// could not walk (the file changed under the running store).
type panicError struct{ v any }

func (e *panicError) Error() string { return fmt.Sprintf("storage: recovered from %v", e.v) }
func (e *panicError) Unwrap() error { return tee.ErrCorruptObject }

// ioError maps an error of the file system or of bbolt to a GP code: a full
// disk is STORAGE_NO_SPACE, any other I/O failure STORAGE_NOT_AVAILABLE.
// Errors that already carry a code keep it.
func ioError(err error) error {
	var r tee.Result
	switch {
	case err == nil || errors.As(err, &r),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("storage: %w: %v", tee.ErrStorageNoSpace, err)
	}
	return fmt.Errorf("storage: %w: %v", tee.ErrStorageNotAvail, err)
}
