package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gotee/gotee/tee"
)

const goodManifest = `
uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
name = "hello_world"
version = "1.0.0"
description = "says hello"
single_instance = true
multi_session = true
instance_keep_alive = false
data_size = 65536
stack_size = 4096
binary = "hello_world"
binary_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF"
[properties]
"org.example.x" = "y"
[access]
uids = [1000]
gids = [100, 200]
executables = ["/usr/bin/foo"]
`

const minimalManifest = `
uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
name = "min"
binary = "min"
binary_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
`

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{
		UUID:           tee.MustParseUUID("8aaaf200-2450-11e4-abe2-0002a5d5c51b"),
		Name:           "hello_world",
		Version:        "1.0.0",
		Description:    "says hello",
		SingleInstance: true,
		MultiSession:   true,
		DataSize:       65536,
		StackSize:      4096,
		Binary:         "hello_world",
		BinarySHA256:   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF",
		Properties:     map[string]string{"org.example.x": "y"},
		Access:         Policy{UIDs: []uint32{1000}, GIDs: []uint32{100, 200}, Executables: []string{"/usr/bin/foo"}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}

	m, err = ParseManifest([]byte(minimalManifest + "concurrent = true\nmax_instances = 256\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Concurrent || m.MaxInstances != 256 {
		t.Errorf("concurrent %v, max_instances %d; want true, 256", m.Concurrent, m.MaxInstances)
	}
	if data, err := m.Encode(); err != nil {
		t.Fatal(err)
	} else if back, err := ParseManifest(data); err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, m)
	}

	m, err = ParseManifest([]byte(minimalManifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.DataSize != DefaultDataSize || m.StackSize != DefaultStackSize {
		t.Errorf("defaults: data_size %d, stack_size %d", m.DataSize, m.StackSize)
	}
	if !m.Access.IsZero() || m.Properties != nil {
		t.Errorf("empty tables: %+v", m)
	}
}

func TestParseManifestErrors(t *testing.T) {
	// Each case edits minimalManifest: del removes a key's line, set replaces the
	// line of the key it sets, add appends lines.
	tests := []struct {
		name, del, set, add, errPart string
	}{
		{name: "unknown key", add: `colour = "red"`, errPart: `unknown key "colour"`},
		{name: "unknown access key", add: "[access]\nuid = [1]", errPart: `unknown key "access.uid"`},
		{name: "misspelt table", add: "[acces]\nuids = [1]", errPart: `unknown key "acces"`},
		{name: "missing uuid", del: "uuid", errPart: "uuid is missing"},
		{name: "nil uuid", set: `uuid = "00000000-0000-0000-0000-000000000000"`, errPart: "nil UUID"},
		{name: "bad uuid", set: `uuid = "8aaaf200"`, errPart: "uuid"},
		{name: "uuid not a string", set: `uuid = 5`, errPart: "uuid"},
		{name: "missing name", del: "name", errPart: "name is missing"},
		{name: "bad name", set: `name = "hello world"`, errPart: "only letters"},
		{name: "long name", set: `name = "` + strings.Repeat("a", 65) + `"`, errPart: "name longer"},
		{name: "missing binary", del: "binary", errPart: "binary is missing"},
		{name: "binary with slash", set: `binary = "../x"`, errPart: "not a plain file name"},
		{name: "binary dotdot", set: `binary = ".."`, errPart: "not a plain file name"},
		{name: "binary is manifest", set: `binary = "manifest.toml"`, errPart: "own"},
		{name: "missing digest", del: "binary_sha256", errPart: "binary_sha256 is missing"},
		{name: "short digest", set: `binary_sha256 = "abcd"`, errPart: "64 hexadecimal"},
		{name: "non-hex digest", set: `binary_sha256 = "` + strings.Repeat("g", 64) + `"`, errPart: "64 hexadecimal"},
		{name: "negative size", add: `data_size = -1`, errPart: "data_size"},
		{name: "huge size", add: `stack_size = 5000000000`, errPart: "stack_size"},
		{name: "multi session without single", add: `multi_session = true`, errPart: "single_instance"},
		{name: "keep alive without single", add: `instance_keep_alive = true`, errPart: "single_instance"},
		{name: "max instances on single", add: "single_instance = true\nmax_instances = 2", errPart: "max_instances needs single_instance = false"},
		{name: "negative max instances", add: `max_instances = -1`, errPart: "max_instances"},
		{name: "concurrent not bool", add: `concurrent = "yes"`, errPart: "concurrent"},
		{name: "concurrent property", add: "[properties]\n\"gotee.ta.concurrent\" = \"true\"", errPart: "concurrent key"},
		{name: "gpd property", add: "[properties]\n\"gpd.ta.appID\" = \"x\"", errPart: "reserved"},
		{name: "empty property", add: "[properties]\n\"\" = \"x\"", errPart: "empty name"},
		{name: "property not string", add: "[properties]\nx = 1", errPart: "properties"},
		{name: "relative executable", add: "[access]\nexecutables = [\"bin/foo\"]", errPart: "absolute"},
		{name: "unclean executable", add: "[access]\nexecutables = [\"/usr/../bin/foo\"]", errPart: "absolute"},
		{name: "bad toml", add: `version = `, errPart: "toml"},
		{name: "duplicate key", add: `name = "again"`, errPart: "toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := editManifest(t, minimalManifest, tt.del, tt.set, tt.add)
			m, err := ParseManifest([]byte(src))
			if err == nil {
				t.Fatalf("parsed %+v, want an error", m)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.errPart) {
				t.Errorf("error %q does not mention %q", msg, tt.errPart)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
}

// editManifest removes the line of key del, replaces the line of the key that set
// sets with set, and appends add.
func editManifest(tb testing.TB, src, del, set, add string) string {
	tb.Helper()
	setKey, _, _ := strings.Cut(set, " = ")
	var out []string
	replaced := false
	for _, l := range strings.Split(src, "\n") {
		key, _, _ := strings.Cut(l, " = ")
		switch {
		case del != "" && key == del:
			continue
		case set != "" && key == setKey:
			l, replaced = set, true
		}
		out = append(out, l)
	}
	if set != "" && !replaced {
		tb.Fatalf("no line for %q to replace", setKey)
	}
	return strings.Join(out, "\n") + "\n" + add + "\n"
}

func TestPolicyAllows(t *testing.T) {
	client := &tee.Credentials{UID: 1000, GID: 100, Groups: []uint32{27, 999}, Exe: "/usr/bin/app"}
	tests := []struct {
		name   string
		policy Policy
		creds  *tee.Credentials
		want   bool
	}{
		{"zero policy", Policy{}, client, true},
		{"zero policy nil creds", Policy{}, nil, true},
		{"nil creds", Policy{UIDs: []uint32{1000}}, nil, false},
		{"uid", Policy{UIDs: []uint32{0, 1000}}, client, true},
		{"other uid", Policy{UIDs: []uint32{0}}, client, false},
		{"primary gid", Policy{GIDs: []uint32{100}}, client, true},
		{"supplementary gid", Policy{GIDs: []uint32{999}}, client, true},
		{"other gid", Policy{GIDs: []uint32{5}}, client, false},
		{"executable", Policy{Executables: []string{"/usr/bin/app"}}, client, true},
		{"other executable", Policy{Executables: []string{"/usr/bin/other"}}, client, false},
		{"unknown executable", Policy{Executables: []string{"/usr/bin/app"}}, &tee.Credentials{UID: 1}, false},
		{"any of them", Policy{UIDs: []uint32{0}, GIDs: []uint32{5}, Executables: []string{"/usr/bin/app"}}, client, true},
		{"none of them", Policy{UIDs: []uint32{0}, GIDs: []uint32{5}, Executables: []string{"/x"}}, client, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Allows(tt.creds); got != tt.want {
				t.Errorf("Allows = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, src := range []string{goodManifest, minimalManifest} {
		m, err := ParseManifest([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, m)
	}
}

func checkRoundTrip(tb testing.TB, m *Manifest) {
	tb.Helper()
	data, err := m.Encode()
	if err != nil {
		tb.Fatalf("encode %+v: %v", m, err)
	}
	back, err := ParseManifest(data)
	if err != nil {
		tb.Fatalf("parse back %q: %v", data, err)
	}
	if !reflect.DeepEqual(back, m) {
		tb.Fatalf("round trip changed the manifest:\n%+v\n%+v\nencoded:\n%s", m, back, data)
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Add([]byte(minimalManifest))
	f.Add([]byte(minimalManifest + "description = \"\\u0000\\n\\u007f\"\n[properties]\n\"a.b\" = \"\\t\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		checkRoundTrip(t, m)
	})
}

func ExampleParseManifest() {
	m, err := ParseManifest([]byte(`
uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
name = "hello_world"
binary = "hello_world"
binary_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.UUID, m.Name, m.DataSize, m.StackSize, m.Access.IsZero())
	// Output: 8aaaf200-2450-11e4-abe2-0002a5d5c51b hello_world 32768 2048 true
}
