package core

import (
	"fmt"
	"os"
	"strconv"

	"github.com/gotee/gotee/tee"
	"golang.org/x/sys/unix"
)

// peerCredentials asks the kernel who is on the other end of conn: uid, gid and
// pid as of connect(2) (SO_PEERCRED), the supplementary groups (SO_PEERGROUPS) and
// the executable. The executable is read from /proc while the client is connected;
// if it cannot be read, Exe stays empty and APPLICATION logins are refused.
func peerCredentials(conn *os.File) (tee.Credentials, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return tee.Credentials{}, err
	}
	var c tee.Credentials
	var cerr error
	err = rc.Control(func(fd uintptr) {
		uc, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		if err != nil {
			cerr = fmt.Errorf("SO_PEERCRED: %w", err)
			return
		}
		c.UID, c.GID, c.PID = uc.Uid, uc.Gid, uc.Pid
		c.Groups, _ = peerGroups(int(fd))
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return tee.Credentials{}, err
	}
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(int(c.PID)) + "/exe"); err == nil {
		c.Exe = exe
	}
	return c, nil
}
