package ta_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

func TestDeviceSecret(t *testing.T) {
	_, c := startStorage(t)
	var mu sync.Mutex
	got := map[string][]byte{}
	get := func(u tee.UUID, name, label string) {
		t.Helper()
		mustInTA(t, open(t, c, u), func(s *ta.Session) error {
			secret, err := s.DeviceSecret(label)
			if err != nil {
				return err
			}
			if len(secret) != 32 {
				return failf("%d bytes", len(secret))
			}
			mu.Lock()
			got[name] = secret
			mu.Unlock()
			return nil
		})
	}
	get(storeUUID, "mine", "root")
	get(storeUUID, "mine again", "root") // another instance of the same TA
	get(storeUUID, "mine, other label", "wrap")
	get(otherUUID, "theirs", "root")
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Equal(got["mine"], got["mine again"]) {
		t.Error("the same TA and label gave two secrets")
	}
	if bytes.Equal(got["mine"], got["mine, other label"]) {
		t.Error("two labels gave the same secret")
	}
	if bytes.Equal(got["mine"], got["theirs"]) {
		t.Error("two TAs got the same secret")
	}

	err := inTA(t, open(t, c, storeUUID), func(s *ta.Session) error {
		_, err := s.DeviceSecret(strings.Repeat("x", 256))
		return err
	})
	if !errors.Is(err, tee.ErrTargetDead) {
		t.Fatalf("a label over 255 bytes: %v, want a panic (TARGET_DEAD)", err)
	}
}
