package tee

import (
	"fmt"
	"os"
	"path/filepath"
)

// clientUUIDNamespace is the UUIDv5 namespace Linux's TEE subsystem uses to derive a
// client's identity from its credentials (drivers/tee/tee_core.c). Using the same one
// makes the identity a TA sees for a uid or gid here the one it would see on OP-TEE.
var clientUUIDNamespace = MustParseUUID("58ac9ca0-2086-4683-a1b8-ec4bc08e01b6")

// maxIdentityName bounds the name hashed into an identity, as the kernel's
// TEE_UUID_NS_NAME_SIZE does; a longer executable path is refused, not truncated.
const maxIdentityName = 128

// Credentials is what the TEE knows of a normal-world client: read from the kernel
// (SO_PEERCRED and /proc), never taken from the client's word.
type Credentials struct {
	UID, GID uint32
	PID      int32
	Groups   []uint32 // supplementary groups
	Exe      string   // path of the client's executable
}

// InGroup reports whether the client's primary or a supplementary group is gid.
func (c *Credentials) InGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// ClientIdentity computes the identity GP gives a client that logs in with method
// (and, for the GROUP logins, asks for group gid), the way the Linux TEE driver
// does: the nil UUID for PUBLIC, and a UUIDv5 of "uid=%x", "gid=%x", "app=%s",
// "uid=%x:app=%s" or "gid=%x:app=%s" otherwise. A GROUP login for a group the client
// is not in is ACCESS_DENIED; an unknown method is BAD_PARAMETERS.
func ClientIdentity(c *Credentials, method LoginMethod, gid uint32) (Identity, error) {
	var name string
	switch method {
	case LoginPublic:
		return Identity{Login: LoginPublic}, nil
	case LoginUser:
		name = fmt.Sprintf("uid=%x", c.UID)
	case LoginGroup:
		if !c.InGroup(gid) {
			return Identity{}, ErrAccessDenied
		}
		name = fmt.Sprintf("gid=%x", gid)
	case LoginApplication:
		name = "app=" + c.Exe
	case LoginUserApplication:
		name = fmt.Sprintf("uid=%x:app=%s", c.UID, c.Exe)
	case LoginGroupApplication:
		if !c.InGroup(gid) {
			return Identity{}, ErrAccessDenied
		}
		name = fmt.Sprintf("gid=%x:app=%s", gid, c.Exe)
	default:
		return Identity{}, ErrBadParameters
	}
	if method&LoginApplication != 0 && c.Exe == "" {
		return Identity{}, ErrAccessDenied // the executable could not be established
	}
	if len(name) >= maxIdentityName {
		return Identity{}, ErrBadParameters
	}
	return Identity{Login: method, UUID: NewUUIDv5(clientUUIDNamespace, []byte(name))}, nil
}

// DefaultSocket is where teed listens and clients look for it: $TEE_SOCKET, else
// $XDG_RUNTIME_DIR/gotee/teed.sock, else /run/gotee/teed.sock.
func DefaultSocket() string {
	if p := os.Getenv("TEE_SOCKET"); p != "" {
		return p
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "gotee", "teed.sock")
	}
	return "/run/gotee/teed.sock"
}
