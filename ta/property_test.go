package ta

import (
	"errors"
	"testing"

	"github.com/gotee/gotee/tee"
)

func TestPropertyConversions(t *testing.T) {
	p := newProperties([]Property{
		{"b", "TRUE"}, {"dec", "42"}, {"hex", "0x2a"}, {"bin", "0b101010"}, {"big", "4294967296"},
		{"blob", "AQID"}, {"uuid", "8aaaf200-2450-11e4-abe2-0002a5d5c51b"},
		{"id", "1:fc34275c-d8dd-5ba7-968b-504718363b87"}, {"text", "hello"},
	})
	if v, err := p.Bool("b"); err != nil || !v {
		t.Errorf("Bool = %v, %v", v, err)
	}
	for _, name := range []string{"dec", "hex", "bin"} {
		if v, err := p.U32(name); err != nil || v != 42 {
			t.Errorf("U32(%s) = %v, %v", name, v, err)
		}
	}
	if _, err := p.U32("big"); !errors.Is(err, tee.ErrBadFormat) {
		t.Errorf("U32 overflow: %v", err)
	}
	if v, err := p.U64("big"); err != nil || v != 1<<32 {
		t.Errorf("U64 = %v, %v", v, err)
	}
	if v, err := p.Binary("blob"); err != nil || string(v) != "\x01\x02\x03" {
		t.Errorf("Binary = %v, %v", v, err)
	}
	if v, err := p.UUID("uuid"); err != nil || v.String() != "8aaaf200-2450-11e4-abe2-0002a5d5c51b" {
		t.Errorf("UUID = %v, %v", v, err)
	}
	if v, err := p.Identity("id"); err != nil || v.Login != tee.LoginUser || v.UUID.String() != "fc34275c-d8dd-5ba7-968b-504718363b87" {
		t.Errorf("Identity = %v, %v", v, err)
	}
	for name, get := range map[string]func(string) error{
		"Bool":     func(n string) error { _, err := p.Bool(n); return err },
		"U32":      func(n string) error { _, err := p.U32(n); return err },
		"Binary":   func(n string) error { _, err := p.Binary(n); return err },
		"UUID":     func(n string) error { _, err := p.UUID(n); return err },
		"Identity": func(n string) error { _, err := p.Identity(n); return err },
	} {
		if err := get("text"); !errors.Is(err, tee.ErrBadFormat) {
			t.Errorf("%s of a string: %v, want BAD_FORMAT", name, err)
		}
		if err := get("absent"); !errors.Is(err, tee.ErrItemNotFound) {
			t.Errorf("%s of an absent property: %v, want ITEM_NOT_FOUND", name, err)
		}
	}
}

func TestEnumerator(t *testing.T) {
	p := newProperties([]Property{{"a", "1"}, {"b", "2"}})
	e := p.Enumerate()
	var names []string
	for {
		prop, err := e.Property()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, prop.Name)
		if e.Next() != nil {
			break
		}
	}
	if len(names) != 2 || names[0] != "a" || names[1] != "b" {
		t.Fatalf("enumerated %v", names)
	}
	if _, err := e.Property(); !errors.Is(err, tee.ErrItemNotFound) {
		t.Errorf("past the end: %v", err)
	}
	e.Reset()
	if prop, _ := e.Property(); prop.Name != "a" {
		t.Errorf("after Reset: %v", prop)
	}
	if _, err := newProperties(nil).Enumerate().Property(); !errors.Is(err, tee.ErrItemNotFound) {
		t.Errorf("empty set: %v", err)
	}
}
