package main

import (
	"reflect"
	"testing"
)

// section encodes one section: id, LEB128 size, content.
func section(id byte, content []byte) []byte {
	return append([]byte{id, byte(len(content))}, content...)
}

func name(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// TestParse reads a hand-made module: one imported function, two defined
// ones whose names put them in two packages.
func TestParse(t *testing.T) {
	mod := []byte("\x00asm\x01\x00\x00\x00")
	imp := append([]byte{1}, name("go")...)
	imp = append(imp, name("debug")...)
	imp = append(imp, 0, 0) // function, type 0
	mod = append(mod, section(2, imp)...)
	code := []byte{2, 3, 0, 0x0b, 0x0b, 5, 0, 1, 2, 3, 0x0b}
	mod = append(mod, section(10, code)...)
	names := []byte{2}
	names = append(names, append([]byte{1}, name("github.com_miekg_dns.(*Msg).Pack")...)...)
	names = append(names, append([]byte{2}, name("runtime.mallocgc")...)...)
	sub := append([]byte{1, byte(len(names))}, names...)
	mod = append(mod, section(0, append(name("name"), sub...))...)

	m, err := Parse(mod)
	if err != nil {
		t.Fatal(err)
	}
	if m.Imported != 1 || !reflect.DeepEqual(m.Bodies, []int{3, 5}) {
		t.Fatalf("Parse: %d imported, bodies %v; want 1, [3 5]", m.Imported, m.Bodies)
	}
	got := m.ByPackage()
	want := []Package{{"runtime", 5}, {"github.com/miekg/dns", 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ByPackage = %v, want %v", got, want)
	}
	if _, err := Parse([]byte("not wasm")); err == nil {
		t.Error("Parse accepted a file that is not WebAssembly")
	}
	if _, err := Parse(append([]byte("\x00asm\x01\x00\x00\x00"), 10, 50, 1)); err == nil {
		t.Error("Parse accepted a truncated section")
	}
}

func TestPackageOf(t *testing.T) {
	tests := []struct{ sym, want string }{
		{"runtime.mallocgc", "runtime"},
		{"github.com_miekg_dns.(*Msg).Pack", "github.com/miekg/dns"},
		{"golang.org_x_net_idna.ToASCII", "golang.org/x/net/idna"},
		{"headerlens_analyzer_spf.Check", "headerlens/analyzer/spf"},
		{"type_.eq.runtime._panic", "(type equality and hash functions)"},
		{"slices.SortFunc[...]", "slices"},
		{"", "(unnamed)"},
	}
	for _, tc := range tests {
		if got := packageOf(tc.sym); got != tc.want {
			t.Errorf("packageOf(%q) = %q, want %q", tc.sym, got, tc.want)
		}
	}
}

// FuzzParse: any input gives a module or an error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x0a\x05\x02\x03\x00\x0b\x0b"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x08\x04name\x01\x02\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := Parse(b); err == nil {
			m.ByPackage()
		}
	})
}
