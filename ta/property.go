package ta

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/gotee/gotee/tee"
)

// PropSet names one of the three property sets of the Internal Core API §4.4.
type PropSet uint32

// The property sets, with the values of TEE_PROPSET_*.
const (
	PropsetCurrentTA         PropSet = 0xFFFFFFFF
	PropsetCurrentClient     PropSet = 0xFFFFFFFE
	PropsetTEEImplementation PropSet = 0xFFFFFFFD
)

// Property is one named property; its value is kept in the textual form GP defines
// for it, and the typed getters convert from that form.
type Property struct {
	Name  string
	Value string
}

// Properties is one property set, in enumeration order. It is immutable and safe
// for concurrent use.
type Properties struct {
	props []Property
	index map[string]int
}

func newProperties(props []Property) *Properties {
	p := &Properties{props: props, index: make(map[string]int, len(props))}
	for i, prop := range props {
		p.index[prop.Name] = i
	}
	return p
}

// Properties returns one of the session's property sets: the current TA's (gpd.ta.*
// from the manifest and its custom properties), the current client's
// (gpd.client.*), or the TEE implementation's (gpd.tee.*).
func (s *Session) Properties(set PropSet) *Properties {
	switch set {
	case PropsetCurrentTA:
		return s.inst.taProps
	case PropsetCurrentClient:
		return s.clientProps
	case PropsetTEEImplementation:
		return s.inst.teeProps
	}
	return newProperties(nil)
}

func clientProperties(id tee.Identity) *Properties {
	return newProperties([]Property{
		{"gpd.client.identity", formatIdentity(id)},
		{"gpd.client.endian", "0"}, // little-endian: the wire is little-endian
	})
}

// formatIdentity is the textual form of an identity: login method and UUID.
func formatIdentity(id tee.Identity) string {
	return strconv.FormatUint(uint64(id.Login), 10) + ":" + id.UUID.String()
}

// Len is the number of properties in the set.
func (p *Properties) Len() int { return len(p.props) }

// At returns the i-th property in enumeration order (TEE_GetNextProperty walks
// this order); it panics if i is out of range, as an enumerator past its end is
// TA misuse.
func (p *Properties) At(i int) Property { return p.props[i] }

func (p *Properties) lookup(name string) (string, error) {
	i, ok := p.index[name]
	if !ok {
		return "", tee.ErrItemNotFound
	}
	return p.props[i].Value, nil
}

// String returns a property's value as a string (TEE_GetPropertyAsString);
// ITEM_NOT_FOUND if there is none.
func (p *Properties) String(name string) (string, error) { return p.lookup(name) }

// Bool returns a boolean property (TEE_GetPropertyAsBool): "true" or "false" in
// any case; BAD_FORMAT otherwise.
func (p *Properties) Bool(name string) (bool, error) {
	v, err := p.lookup(name)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, tee.ErrBadFormat
}

// U32 returns an integer property (TEE_GetPropertyAsU32): decimal, 0x hexadecimal
// or 0b binary; BAD_FORMAT if it is not one or does not fit.
func (p *Properties) U32(name string) (uint32, error) {
	v, err := p.integer(name, 32)
	return uint32(v), err
}

// U64 is U32 for 64-bit properties (TEE_GetPropertyAsU64).
func (p *Properties) U64(name string) (uint64, error) { return p.integer(name, 64) }

func (p *Properties) integer(name string, bits int) (uint64, error) {
	v, err := p.lookup(name)
	if err != nil {
		return 0, err
	}
	base := 10
	switch {
	case strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X"):
		base, v = 16, v[2:]
	case strings.HasPrefix(v, "0b") || strings.HasPrefix(v, "0B"):
		base, v = 2, v[2:]
	}
	n, err := strconv.ParseUint(v, base, bits)
	if err != nil {
		return 0, tee.ErrBadFormat
	}
	return n, nil
}

// Binary returns a binary block property (TEE_GetPropertyAsBinaryBlock), stored
// in Base64; BAD_FORMAT if it is not valid Base64.
func (p *Properties) Binary(name string) ([]byte, error) {
	v, err := p.lookup(name)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, tee.ErrBadFormat
	}
	return b, nil
}

// UUID returns a UUID property (TEE_GetPropertyAsUUID).
func (p *Properties) UUID(name string) (tee.UUID, error) {
	v, err := p.lookup(name)
	if err != nil {
		return tee.UUID{}, err
	}
	u, err := tee.ParseUUID(v)
	if err != nil {
		return tee.UUID{}, tee.ErrBadFormat
	}
	return u, nil
}

// Identity returns an identity property (TEE_GetPropertyAsIdentity), written
// "login:uuid" with the login method in decimal or hexadecimal.
func (p *Properties) Identity(name string) (tee.Identity, error) {
	v, err := p.lookup(name)
	if err != nil {
		return tee.Identity{}, err
	}
	login, id, ok := strings.Cut(v, ":")
	if !ok {
		return tee.Identity{}, tee.ErrBadFormat
	}
	n, err := strconv.ParseUint(login, 0, 32)
	if err != nil {
		return tee.Identity{}, tee.ErrBadFormat
	}
	u, err := tee.ParseUUID(id)
	if err != nil {
		return tee.Identity{}, tee.ErrBadFormat
	}
	return tee.Identity{Login: tee.LoginMethod(n), UUID: u}, nil
}

// Enumerator walks a property set (TEE_AllocatePropertyEnumerator and friends).
// It is not safe for concurrent use.
type Enumerator struct {
	set *Properties
	i   int
}

// Enumerate starts an enumerator on the set (TEE_StartPropertyEnumerator).
func (p *Properties) Enumerate() *Enumerator { return &Enumerator{set: p} }

// Property is the current property; ITEM_NOT_FOUND past the end
// (TEE_GetPropertyName and the getters on an enumerator).
func (e *Enumerator) Property() (Property, error) {
	if e.i >= e.set.Len() {
		return Property{}, tee.ErrItemNotFound
	}
	return e.set.At(e.i), nil
}

// Next moves to the next property; ITEM_NOT_FOUND when there is none
// (TEE_GetNextProperty).
func (e *Enumerator) Next() error {
	if e.i >= e.set.Len() {
		return tee.ErrItemNotFound
	}
	e.i++
	if e.i >= e.set.Len() {
		return tee.ErrItemNotFound
	}
	return nil
}

// Reset goes back to the first property (TEE_ResetPropertyEnumerator).
func (e *Enumerator) Reset() { e.i = 0 }
