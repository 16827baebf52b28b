package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// Defaults for a manifest that leaves data_size or stack_size out (or sets them to
// zero). They are the values OP-TEE's example TAs typically declare.
const (
	DefaultDataSize  = 32 << 10
	DefaultStackSize = 2 << 10
)

// Bounds on what a manifest may declare.
const (
	maxNameLen    = 64
	maxBinaryLen  = 255 // NAME_MAX
	maxStringLen  = 4096
	reservedProps = "gpd." // GP reserves the gpd. namespace for the implementation's own properties
)

// Manifest describes a TA: its identity, its GP instance properties, its custom
// properties, the executable it runs and which clients may open it. Its TOML form
// is the package's manifest.toml.
//
// Concurrent is gotee's declared extension to GP's instance model (OP-TEE's
// TA_FLAG_CONCURRENT plays the same part): GP runs one entry point of an instance at
// a time; with it the open, invoke and close entry points run at once, several
// invokes of one session included, and the TA's code must be safe for that. It is a
// manifest key, not something the TA's code declares, so that it is signed with the
// package and both teed (which hands out lanes) and the runtime see it before any
// code runs. MaxInstances makes an open past the cap TEE_ERROR_BUSY.
type Manifest struct {
	UUID              tee.UUID          `toml:"uuid"`
	Name              string            `toml:"name"`
	Version           string            `toml:"version,omitempty"`
	Description       string            `toml:"description,omitempty"`
	SingleInstance    bool              `toml:"single_instance"`
	MultiSession      bool              `toml:"multi_session"`
	InstanceKeepAlive bool              `toml:"instance_keep_alive"`
	Concurrent        bool              `toml:"concurrent"`              // entry points of one instance may run at once (see below)
	MaxInstances      uint32            `toml:"max_instances,omitempty"` // live instances of a multi-instance TA; 0: no cap of its own
	DataSize          uint32            `toml:"data_size"`
	StackSize         uint32            `toml:"stack_size"`
	Binary            string            `toml:"binary,omitempty"`
	BinarySHA256      string            `toml:"binary_sha256,omitempty"`
	Properties        map[string]string `toml:"properties,omitempty"`
	Access            Policy            `toml:"access,omitempty"`
}

// Policy says which normal-world clients may open sessions with a TA. The zero
// Policy lets every client in.
//
// A non-empty policy is a union: a client is allowed if its uid is one of UIDs, or
// its primary or a supplementary group is one of GIDs, or its executable is one of
// Executables. There is no way to require two conditions at once; a TA that needs
// that checks the client identity itself in its OpenSession entry point.
type Policy struct {
	UIDs        []uint32 `toml:"uids,omitempty"`
	GIDs        []uint32 `toml:"gids,omitempty"`
	Executables []string `toml:"executables,omitempty"` // absolute, clean paths
}

// IsZero reports whether the policy lists nothing, and so allows every client.
func (p Policy) IsZero() bool {
	return len(p.UIDs) == 0 && len(p.GIDs) == 0 && len(p.Executables) == 0
}

// Allows reports whether the client with credentials c may open the TA; see
// [Policy] for the rule. A nil c is allowed only by the zero policy.
func (p *Policy) Allows(c *tee.Credentials) bool {
	if p.IsZero() {
		return true
	}
	if c == nil {
		return false
	}
	for _, uid := range p.UIDs {
		if c.UID == uid {
			return true
		}
	}
	for _, gid := range p.GIDs {
		if c.InGroup(gid) {
			return true
		}
	}
	// An empty Exe means the kernel could not tell us; it must never match.
	if c.Exe != "" {
		for _, exe := range p.Executables {
			if c.Exe == exe {
				return true
			}
		}
	}
	return false
}

// ParseManifest decodes and validates a manifest.toml. It is strict, because a
// misspelt key in a security policy must not silently mean "open to all": unknown
// keys are errors. A zero data_size or stack_size becomes the default. Empty
// tables and lists are returned as nil, so a parse of [Manifest.Encode]'s output
// compares equal to the original.
func ParseManifest(data []byte) (*Manifest, error) {
	return parseManifest(data, true)
}

// parseManifest is ParseManifest; a source manifest for [Pack] may leave out the
// binary fields (needBinary false) since Pack fills them in.
func parseManifest(data []byte, needBinary bool) (*Manifest, error) {
	var m Manifest
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s", oneLine(err.Error()))
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		names := make([]string, 0, len(keys))
		for i, k := range keys {
			if i == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, fmt.Sprintf("%q", k.String()))
		}
		return nil, fmt.Errorf("manifest: unknown key %s", strings.Join(names, ", "))
	}
	if !md.IsDefined("uuid") {
		return nil, errors.New("manifest: uuid is missing")
	}
	if m.DataSize == 0 {
		m.DataSize = DefaultDataSize
	}
	if m.StackSize == 0 {
		m.StackSize = DefaultStackSize
	}
	if len(m.Properties) == 0 {
		m.Properties = nil
	}
	if len(m.Access.UIDs) == 0 {
		m.Access.UIDs = nil
	}
	if len(m.Access.GIDs) == 0 {
		m.Access.GIDs = nil
	}
	if len(m.Access.Executables) == 0 {
		m.Access.Executables = nil
	}
	if err := m.validate(needBinary); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &m, nil
}

func (m *Manifest) validate(needBinary bool) error {
	if m.UUID == tee.NilUUID {
		// The nil UUID is the identity of a PUBLIC client, never a TA.
		return errors.New("uuid must not be the nil UUID")
	}
	if err := checkName(m.Name); err != nil {
		return err
	}
	if len(m.Version) > maxNameLen {
		return fmt.Errorf("version longer than %d bytes", maxNameLen)
	}
	if len(m.Description) > maxStringLen {
		return fmt.Errorf("description longer than %d bytes", maxStringLen)
	}
	if !m.SingleInstance && (m.MultiSession || m.InstanceKeepAlive) {
		// GP: multiSession and instanceKeepAlive describe the one instance of a
		// single-instance TA; on a multi-instance TA they mean nothing.
		return errors.New("multi_session and instance_keep_alive need single_instance = true")
	}
	if m.SingleInstance && m.MaxInstances != 0 {
		// A single-instance TA has at most one instance by definition; a cap
		// there would only hide a mistake in the manifest.
		return errors.New("max_instances needs single_instance = false")
	}
	if needBinary || m.Binary != "" {
		if err := checkBinaryName(m.Binary); err != nil {
			return err
		}
	}
	if needBinary || m.BinarySHA256 != "" {
		if _, err := decodeDigest(m.BinarySHA256); err != nil {
			return err
		}
	}
	for name, value := range m.Properties {
		switch {
		case name == "":
			return errors.New("property with an empty name")
		case strings.HasPrefix(name, reservedProps):
			return fmt.Errorf("property %q: the gpd. namespace is reserved", name)
		case name == wire.ConcurrentProperty:
			return fmt.Errorf("property %q is set from the concurrent key", name)
		case len(name) > maxStringLen || len(value) > maxStringLen:
			return fmt.Errorf("property %.64q: longer than %d bytes", name, maxStringLen)
		}
	}
	for _, exe := range m.Access.Executables {
		// A client's executable comes from /proc/PID/exe, which is absolute and
		// clean; any other spelling could never match.
		if !filepath.IsAbs(exe) || filepath.Clean(exe) != exe {
			return fmt.Errorf("access: executable %q is not an absolute clean path", exe)
		}
	}
	return nil
}

func checkName(name string) error {
	if name == "" {
		return errors.New("name is missing")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("name longer than %d bytes", maxNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Errorf("name %q: only letters, digits, '_', '.' and '-' are allowed", name)
		}
	}
	return nil
}

// checkBinaryName accepts a plain file name inside the package directory, other
// than the package's own files.
func checkBinaryName(name string) error {
	switch {
	case name == "":
		return errors.New("binary is missing")
	case len(name) > maxBinaryLen:
		return fmt.Errorf("binary name longer than %d bytes", maxBinaryLen)
	case name == "." || name == ".." || strings.ContainsRune(name, '/'):
		return fmt.Errorf("binary %q is not a plain file name", name)
	case name == ManifestFile || name == SignatureFile:
		return fmt.Errorf("binary %q would be the package's own %s", name, name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("binary %q: control character in name", name)
		}
	}
	return nil
}

func decodeDigest(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("binary_sha256 is missing")
	}
	d, err := hex.DecodeString(s)
	if err != nil || len(d) != 32 {
		return nil, fmt.Errorf("binary_sha256 %.80q: want 64 hexadecimal digits", s)
	}
	return d, nil
}

// Encode returns the manifest in TOML, in a form ParseManifest reads back equal.
func (m *Manifest) Encode() ([]byte, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(m); err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return b.Bytes(), nil
}

// oneLine keeps error messages built from parser output to one line, since they
// end up in single-line log records and CLI errors.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
