// Package jsonx encodes and decodes JSON (RFC 8259) for the reports that the
// WebAssembly build exchanges with the page: analyzer.Report,
// domaincheck.Report and the companion's answers (analyzer/mailtls).
//
// It exists for the size of the WebAssembly module (issue 10): linking
// encoding/json there costs about 230 KB of code, most of it for features
// these reports never use. jsonx walks values with reflect, as
// encoding/json does, but supports only what the reports are made of:
//
//   - structs, with the json tag's name, "omitempty" and "-", untagged
//     exported fields, and embedded structs (or pointers to structs)
//     whose fields are promoted by encoding/json's rules;
//   - pointers, interfaces, slices, arrays, and maps with string keys;
//   - strings, booleans, every integer and float kind, and named types of
//     these kinds; []byte as base64;
//   - RawMessage, a JSON value kept as its text.
//
// For values of these types, Marshal's output is byte for byte that of
// encoding/json's Marshal, and Unmarshal stores what encoding/json's
// Unmarshal stores and fails when it fails (the error texts differ). The
// differential tests and fuzz targets of this package hold it to that.
//
// MarshalJSON, UnmarshalJSON, MarshalText and UnmarshalText methods are
// ignored: a type that relies on them would be encoded by its fields
// instead. A test walks the report types and fails if one of them gains
// such a method. Maps with other keys than strings, the tag options
// "string" and "omitzero", channels, functions and complex numbers are
// refused with an error rather than encoded differently.
package jsonx

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// RawMessage is a JSON value kept as its text. Marshal writes it as
// encoding/json writes a json.RawMessage: checked, without insignificant
// white space and with HTML-sensitive characters escaped; a nil
// RawMessage is written as null. Unmarshal stores a copy of the value's
// text, null included.
type RawMessage []byte

// MarshalJSON returns m, or null when m is nil, so that encoding/json,
// which the native commands use on the same report types, treats a
// RawMessage as it treats a json.RawMessage. Marshal does not call it.
func (m RawMessage) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	return m, nil
}

// UnmarshalJSON stores a copy of data in *m, for encoding/json, as
// json.RawMessage does. Unmarshal does not call it.
func (m *RawMessage) UnmarshalJSON(data []byte) error {
	if m == nil {
		return errors.New("jsonx: UnmarshalJSON on a nil *RawMessage")
	}
	*m = append((*m)[:0], data...)
	return nil
}

// rawMessageType is matched by identity: a type defined from RawMessage
// is an ordinary byte slice.
var rawMessageType = reflect.TypeFor[RawMessage]()

// maxDepth bounds nesting. Unmarshal and Valid refuse JSON with more than
// maxDepth open objects and arrays, as encoding/json does (RFC 8259 §9
// lets a parser limit nesting); Marshal refuses values nested deeper than
// that in pointers, slices, arrays, maps and structs, which stops it on a
// cyclic value and still lets it encode whatever Unmarshal decoded.
const maxDepth = 10000

// field is one member of the JSON object of a struct type.
type field struct {
	// name is the member's name: the tag's, or else the Go field's.
	name string
	// key is name as Marshal writes it, quoted and escaped, with the
	// colon that follows it.
	key []byte
	// index leads from the struct to the field, through embedded
	// structs: a reflect.Value.FieldByIndex path whose embedded pointers
	// may be nil.
	index     []int
	omitEmpty bool
	// tagged: the name comes from the json tag.
	tagged bool
}

// structType is what Marshal and Unmarshal know of a struct type.
type structType struct {
	// fields are the members, in the order of their index paths, which
	// is the order Marshal writes them in.
	fields []field
	// byName finds a field by its exact name, byFoldedName by its name
	// folded (foldName); of fields whose names fold alike, the first.
	byName       map[string]*field
	byFoldedName map[string]*field
	// err says why the type cannot be encoded or decoded.
	err error
}

// structTypes caches structType by reflect.Type.
var structTypes sync.Map

// structOf returns what the encoder and decoder know of the struct type t.
func structOf(t reflect.Type) *structType {
	if s, ok := structTypes.Load(t); ok {
		return s.(*structType)
	}
	var candidates []field
	err := collectFields(t, nil, []reflect.Type{t}, &candidates)
	s := &structType{byName: map[string]*field{}, byFoldedName: map[string]*field{}, err: err}
	for i := range candidates {
		if dominates(candidates, i) {
			s.fields = append(s.fields, candidates[i])
		}
	}
	for i := range s.fields {
		f := &s.fields[i]
		f.key = append(appendString(nil, f.name), ':')
		s.byName[f.name] = f
		if folded := foldName(f.name); s.byFoldedName[folded] == nil {
			s.byFoldedName[folded] = f
		}
	}
	actual, _ := structTypes.LoadOrStore(t, s)
	return actual.(*structType)
}

// collectFields appends to out the candidate members of struct type t,
// whose fields are reached through index: its own fields first to last,
// each embedded struct's fields in its place, depth first (so that out
// is ordered by index path). An embedded struct without a tag name gives
// its fields rather than being one; path holds the struct types being
// walked, so that a type embedding itself is walked once.
func collectFields(t reflect.Type, index []int, path []reflect.Type, out *[]field) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		ft := sf.Type
		if sf.Anonymous {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			// The exported fields of an unexported embedded struct are
			// promoted; an unexported embedded non-struct is nothing.
			if !sf.IsExported() && ft.Kind() != reflect.Struct {
				continue
			}
		} else if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, options, _ := strings.Cut(tag, ",")
		if !validName(name) {
			name = ""
		}
		fieldIndex := append(slices.Clip(index), i)
		if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
			if !slices.Contains(path, ft) {
				if err := collectFields(ft, fieldIndex, append(path, ft), out); err != nil {
					return err
				}
			}
			continue
		}
		f := field{name: name, index: fieldIndex, tagged: name != ""}
		if name == "" {
			f.name = sf.Name
		}
		for options != "" {
			var option string
			option, options, _ = strings.Cut(options, ",")
			switch option {
			case "omitempty":
				f.omitEmpty = true
			case "string", "omitzero":
				return fmt.Errorf("jsonx: field %s of %v: the tag option %q is not supported", sf.Name, t, option)
			}
		}
		*out = append(*out, f)
	}
	return nil
}

// dominates reports whether candidates[i] is the member of its name. Of
// the candidates of one name, the shallowest wins; at equal depth, the
// one with a tag name wins over those without; two of the same depth
// that tie hide each other and every deeper one, and the name is
// dropped. These are encoding/json's rules (and Go's for selectors, with
// the tag as tie-breaker).
func dominates(candidates []field, i int) bool {
	f := candidates[i]
	for j, g := range candidates {
		if j == i || g.name != f.name {
			continue
		}
		if len(g.index) < len(f.index) || len(g.index) == len(f.index) && (g.tagged || !f.tagged) {
			return false
		}
	}
	return true
}

// validName reports whether a tag name may be used as a member name:
// letters, digits and punctuation other than quotes, backslash and
// comma. encoding/json uses the Go field name instead of any other.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// foldName maps each letter of name to the least rune it is equal to
// under Unicode simple case folding, so that two names fold alike when
// they are equal but for case. Unmarshal matches member names to fields
// this way when no field has the exact name, as encoding/json does.
func foldName(name string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, name)
}
