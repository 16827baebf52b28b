package ta

import "github.com/gotee/gotee/internal/wire"

// RawRequest sends m to teed on the instance channel of s, as a hostile TA that
// bypasses the SDK's checks would, and returns teed's answer. Tests only.
func RawRequest(s *Session, m wire.Message) wire.Message { return s.inst.request(m) }

// HandleOf is the number teed gave the persistent object o. Tests only.
func HandleOf(o *Object) uint32 { return o.pers.handle }
