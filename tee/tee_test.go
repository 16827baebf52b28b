package tee_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gotee/gotee/tee"
)

func TestUUID(t *testing.T) {
	for _, s := range []string{"8aaaf200-2450-11e4-abe2-0002a5d5c51b", "00000000-0000-0000-0000-000000000000"} {
		u, err := tee.ParseUUID(s)
		if err != nil || u.String() != s {
			t.Errorf("%s: %v, %v", s, u, err)
		}
	}
	for _, s := range []string{"", "8aaaf200-2450-11e4-abe2-0002a5d5c51", "8aaaf200x2450-11e4-abe2-0002a5d5c51b", "8aaaf200-2450-11e4-abe2-0002a5d5c5zz"} {
		if _, err := tee.ParseUUID(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

// The identities are the ones Linux's TEE driver computes for the same
// credentials (UUIDv5 in its namespace; vectors computed independently).
func TestClientIdentity(t *testing.T) {
	c := &tee.Credentials{UID: 1000, GID: 100, Groups: []uint32{100, 27}, Exe: "/usr/bin/x"}
	root := &tee.Credentials{UID: 0, GID: 0, Exe: "/usr/bin/x"}
	tests := []struct {
		creds  *tee.Credentials
		method tee.LoginMethod
		gid    uint32
		want   string
		err    error
	}{
		{c, tee.LoginPublic, 0, "00000000-0000-0000-0000-000000000000", nil},
		{c, tee.LoginUser, 0, "fc34275c-d8dd-5ba7-968b-504718363b87", nil},
		{c, tee.LoginGroup, 100, "d32f761e-b364-519b-be12-ed54ba663b0a", nil},
		{c, tee.LoginGroup, 5, "", tee.ErrAccessDenied},
		{c, tee.LoginApplication, 0, "3c8107ff-a86d-5e22-84b6-5b268f4f99a6", nil},
		{root, tee.LoginUserApplication, 0, "507126c9-f237-5b15-a176-324a6c018d90", nil},
		{root, tee.LoginGroupApplication, 0, "ce95291e-7c0b-587d-92e8-a104c982aaf1", nil},
		{&tee.Credentials{UID: 1}, tee.LoginApplication, 0, "", tee.ErrAccessDenied},
		{c, 3, 0, "", tee.ErrBadParameters},
		{c, tee.LoginTrustedApp, 0, "", tee.ErrBadParameters},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%d", tt.method, tt.gid), func(t *testing.T) {
			id, err := tee.ClientIdentity(tt.creds, tt.method, tt.gid)
			if !errors.Is(err, tt.err) || err == nil && tt.err != nil {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err == nil && (id.UUID.String() != tt.want || id.Login != tt.method) {
				t.Fatalf("identity %v/%v, want %v", id.Login, id.UUID, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("open session: %w", &tee.Error{Code: tee.ErrTargetDead, Origin: tee.OriginTEE})
	if !errors.Is(err, tee.ErrTargetDead) || errors.Is(err, tee.ErrBusy) {
		t.Error("errors.Is does not see the code")
	}
	var te *tee.Error
	if !errors.As(err, &te) || te.Origin != tee.OriginTEE {
		t.Error("errors.As does not find the origin")
	}
	if code, origin := tee.Code(err, tee.OriginAPI); code != tee.ErrTargetDead || origin != tee.OriginTEE {
		t.Errorf("Code: %v %v", code, origin)
	}
	if code, origin := tee.Code(tee.ErrShortBuffer, tee.OriginTrustedApp); code != tee.ErrShortBuffer || origin != tee.OriginTrustedApp {
		t.Errorf("Code of a bare result: %v %v", code, origin)
	}
	if code, _ := tee.Code(errors.New("other"), tee.OriginAPI); code != tee.ErrGeneric {
		t.Errorf("Code of a foreign error: %v", code)
	}
	if tee.NewError(tee.Success, tee.OriginTEE) != nil {
		t.Error("NewError(Success) is not nil")
	}
	if got := tee.ErrItemNotFound.Error(); got != "TEE result ITEM_NOT_FOUND (0xffff0008)" {
		t.Errorf("message %q", got)
	}
}

func TestParamTypes(t *testing.T) {
	packed := tee.Types(tee.ValueInout, tee.MemrefTempOutput, tee.ParamNone, tee.MemrefPartialInout)
	if packed != 0xF063 {
		t.Fatalf("packed 0x%x", packed)
	}
	for i, want := range []tee.ParamType{tee.ValueInout, tee.MemrefTempOutput, tee.ParamNone, tee.MemrefPartialInout} {
		if got := tee.TypeAt(packed, i); got != want {
			t.Errorf("TypeAt(%d) = %v", i, got)
		}
	}
	if tee.MemrefWhole.In() || tee.MemrefWhole.Out() || !tee.MemrefPartialInout.In() || tee.ValueOutput.In() {
		t.Error("directions")
	}
}

func ExampleClientIdentity() {
	id, _ := tee.ClientIdentity(&tee.Credentials{UID: 1000}, tee.LoginUser, 0)
	fmt.Println(id.UUID)
	// Output: fc34275c-d8dd-5ba7-968b-504718363b87
}
