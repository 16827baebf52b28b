package ta

import (
	"time"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// Time is a point in time as the Internal Core API counts it (TEE_Time): seconds
// and milliseconds.
type Time struct {
	Seconds uint32
	Millis  uint32
}

// SystemTime is the TEE's system time (TEE_GetSystemTime): time since an arbitrary
// origin that does not go back while the machine runs — here the time since boot,
// suspend included. Its protection level (gpd.tee.systemTime.protectionLevel) is
// 100: the REE's kernel keeps it.
func SystemTime() Time {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	}
	return Time{Seconds: uint32(ts.Sec), Millis: uint32(ts.Nsec / 1e6)}
}

// REETime is the REE's wall-clock time since the Unix epoch (TEE_GetREETime).
func REETime() Time {
	ms := time.Now().UnixMilli()
	return Time{Seconds: uint32(ms / 1000), Millis: uint32(ms % 1000)}
}

// TAPersistentTime returns this TA's persistent time (TEE_GetTAPersistentTime),
// which teed keeps across restarts: TIME_NOT_SET before the TA first sets it,
// TIME_NEEDS_RESET if teed finds its record untrustworthy, and OVERFLOW — with the
// time's seconds wrapped to 32 bits — once it no longer fits.
func (s *Session) TAPersistentTime() (Time, error) {
	r, ok := s.inst.request(&wire.TimeGet{}).(*wire.TimeResp)
	if !ok {
		return Time{}, tee.ErrStorageNotAvail
	}
	t := Time{Seconds: r.Seconds, Millis: r.Millis}
	if r.Result != tee.Success {
		return t, r.Result
	}
	return t, nil
}

// SetTAPersistentTime sets this TA's persistent time (TEE_SetTAPersistentTime).
func (s *Session) SetTAPersistentTime(t Time) error {
	if t.Millis > 999 {
		Panic(tee.ErrBadParameters) // GP: an invalid time is a programming error
	}
	r, ok := s.inst.request(&wire.TimeSet{Seconds: t.Seconds, Millis: t.Millis}).(*wire.TimeResp)
	if !ok {
		return tee.ErrStorageNotAvail
	}
	if r.Result != tee.Success {
		return r.Result
	}
	return nil
}
