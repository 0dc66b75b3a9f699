package jsonx_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"headerlens/internal/jsonx"
)

// Named types of the basic kinds, encoded as their kind.
type (
	level  int16
	label  string
	flag   bool
	weight float32
)

// omitAll has an omitempty field of every kind.
type omitAll struct {
	B     bool              `json:"b,omitempty"`
	I     int               `json:"i,omitempty"`
	I8    int8              `json:"i8,omitempty"`
	U64   uint64            `json:"u64,omitempty"`
	Uptr  uintptr           `json:"uptr,omitempty"`
	F32   float32           `json:"f32,omitempty"`
	F64   float64           `json:"f64,omitempty"`
	S     string            `json:"s,omitempty"`
	P     *int              `json:"p,omitempty"`
	A     any               `json:"a,omitempty"`
	Sl    []int             `json:"sl,omitempty"`
	M     map[string]int    `json:"m,omitempty"`
	Arr0  [0]int            `json:"arr0,omitempty"`
	Arr2  [2]int            `json:"arr2,omitempty"`
	St    struct{}          `json:"st,omitempty"`
	Raw   jsonx.RawMessage  `json:"raw,omitempty"`
	Bytes []byte            `json:"bytes,omitempty"`
	Named label             `json:"named,omitempty"`
	PM    *map[string]int   `json:"pm,omitempty"`
	MP    map[string]*int   `json:"mp,omitempty"`
	Empty map[string]string `json:",omitempty"`
}

// Base, Inner, Tagged and the types below them are embedded in embedding.
type Base struct {
	ID   int `json:"id"`
	Name string
}

type Inner struct {
	Name  string `json:"name"`
	Extra int
}

type Tagged struct {
	V int `json:"v"`
}

type Rival struct {
	V int `json:"v"`
	W int `json:"W"`
}

type Plain struct {
	W int
	X int
}

type Shared struct{ Z int }

type Left struct{ Shared }

type Right struct{ Shared }

type Label string

type hidden struct {
	Visible int `json:"visible"`
}

type secret string

// embedding puts encoding/json's promotion rules to work: an outer field
// hides a promoted one of the same name, a tag wins over no tag at the
// same depth, two tagged fields of one name at the same depth hide each
// other, so do two copies of Shared.Z reached through Left and Right.
// (Rival is embedded as a pointer, which go vet's check of duplicate tags
// does not follow: the duplicate "v" is what the type is for.)
type embedding struct {
	Base
	*Inner
	Tagged
	*Rival
	Plain
	Left
	Right
	Label
	hidden
	secret
	Name   string `json:"Name"`
	Nested Base   `json:"nested"`
	Skip   int    `json:"-"`
	Dash   int    `json:"-,"`
	Quote  int    `json:"a'b"`
	Spaced int    `json:"with space"`
	Empty  int    `json:",omitempty"`
	ignore int
}

// node embeds a pointer to its own type.
type node struct {
	*node
	V int
}

// TestMarshal checks Marshal's output for values chosen for their edges,
// and that encoding/json writes the same.
func TestMarshal(t *testing.T) {
	seven := 7
	zero := 0
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, `null`},
		{"empty string", "", `""`},
		{"plain string", "abc", `"abc"`},
		{"quotation mark and reverse solidus", `a"b\c`, `"a\"b\\c"`},
		{"solidus is not escaped", "a/b", `"a/b"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other control characters", "\x00\x01\x0b\x1f", `"\u0000\u0001\u000b\u001f"`},
		{"DEL is not escaped", "\x7f", "\"\x7f\""},
		{"HTML characters", "<a href='x'>&amp;</a>", `"\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"byte that is not UTF-8", "a\xffb", `"a\ufffdb"`},
		{"truncated sequence", "\xe2\x80", `"\ufffd\ufffd"`},
		{"truncated sequence at the end", "ab\xf0\x9f\x98", `"ab\ufffd\ufffd\ufffd"`},
		{"surrogate in UTF-8", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"overlong encoding", "\xc0\xaf", `"\ufffd\ufffd"`},
		{"U+FFFD itself", "\ufffd", "\"\ufffd\""},
		{"other non-ASCII", "héllo 日本 😀 \u0085 \u00a0", "\"héllo 日本 😀 \u0085 \u00a0\""},
		{"named string", label("<x>"), `"\u003cx\u003e"`},

		{"zero", 0.0, `0`},
		{"negative zero", math.Copysign(0, -1), `-0`},
		{"one", 1.0, `1`},
		{"fraction", 0.1, `0.1`},
		{"negative", -2.5, `-2.5`},
		{"1e20", 1e20, `100000000000000000000`},
		{"just under 1e21", math.Nextafter(1e21, 0), `999999999999999900000`},
		{"1e21", 1e21, `1e+21`},
		{"-1e21", -1e21, `-1e+21`},
		{"1e-6", 1e-6, `0.000001`},
		{"just under 1e-6", math.Nextafter(1e-6, 0), `9.999999999999997e-7`},
		{"1e-7", 1e-7, `1e-7`},
		{"1.5e-10", 1.5e-10, `1.5e-10`},
		{"1e-100", 1e-100, `1e-100`},
		{"max float64", math.MaxFloat64, `1.7976931348623157e+308`},
		{"smallest normal float64", 0x1p-1022, `2.2250738585072014e-308`},
		{"smallest denormal float64", math.SmallestNonzeroFloat64, `5e-324`},
		{"2^53+1 as float", float64(1<<53 + 1), `9007199254740992`},
		{"float32 0.1", float32(0.1), `0.1`},
		{"float32 1/3", float32(1.0 / 3), `0.33333334`},
		{"float32 1e20", float32(1e20), `100000000000000000000`},
		{"float32 1e21", float32(1e21), `1e+21`},
		{"float32 just under 1e21", math.Nextafter32(1e21, 0), `999999950000000000000`},
		{"float32 1e-6", float32(1e-6), `0.000001`},
		{"float32 1e-7", float32(1e-7), `1e-7`},
		{"float32 max", float32(math.MaxFloat32), `3.4028235e+38`},
		{"float32 smallest denormal", float32(math.SmallestNonzeroFloat32), `1e-45`},
		{"float32 negative zero", float32(math.Copysign(0, -1)), `-0`},
		{"named float32", weight(2.5), `2.5`},

		{"int8 limits", []int8{math.MinInt8, math.MaxInt8}, `[-128,127]`},
		{"int16 limits", []int16{math.MinInt16, math.MaxInt16}, `[-32768,32767]`},
		{"int32 limits", []int32{math.MinInt32, math.MaxInt32}, `[-2147483648,2147483647]`},
		{"int64 limits", []int64{math.MinInt64, math.MaxInt64}, `[-9223372036854775808,9223372036854775807]`},
		{"int", []int{-1, 0, 1}, `[-1,0,1]`},
		{"uint16 and uint32 limits", []any{uint16(math.MaxUint16), uint32(math.MaxUint32)}, `[65535,4294967295]`},
		{"uint64 limit", uint64(math.MaxUint64), `18446744073709551615`},
		{"uint and uintptr", []any{uint(7), uintptr(8)}, `[7,8]`},
		{"named int and bool", []any{level(-3), flag(true)}, `[-3,true]`},
		{"booleans", []bool{true, false}, `[true,false]`},

		{"nil slice", []int(nil), `null`},
		{"empty slice", []int{}, `[]`},
		{"nil map", map[string]int(nil), `null`},
		{"empty map", map[string]int{}, `{}`},
		{"nil byte slice", []byte(nil), `null`},
		{"empty byte slice", []byte{}, `""`},
		{"byte slice is base64", []byte{0, 1, 0xfe, 0xff}, `"AAH+/w=="`},
		{"byte array is an array", [3]byte{1, 2, 3}, `[1,2,3]`},
		{"empty array", [0]int{}, `[]`},
		{"array", [2]string{"a", "b"}, `["a","b"]`},
		{"nil pointer", (*int)(nil), `null`},
		{"pointer", &seven, `7`},
		{"pointer to pointer", func() **int { p := &seven; return &p }(), `7`},
		{"interfaces", []any{1, "a", nil, true, 2.5, map[string]any{}, []any{}}, `[1,"a",null,true,2.5,{},[]]`},
		{"nil error interface", []error{nil}, `[null]`},

		{"map keys sorted byte-wise", map[string]int{"b": 1, "a": 2, "B": 3, "é": 4, "": 5, "aa": 6}, `{"":5,"B":3,"a":2,"aa":6,"b":1,"é":4}`},
		{"map keys escaped", map[string]bool{"<&>": true, "\xff": false}, `{"\u003c\u0026\u003e":true,"\ufffd":false}`},
		{"named map keys", map[label]int{"y": 1, "x": 2}, `{"x":2,"y":1}`},
		{"map of pointers", map[string]*int{"n": nil, "p": &seven}, `{"n":null,"p":7}`},

		{"omitempty, all empty", omitAll{}, `{"arr2":[0,0],"st":{}}`},
		{"omitempty, none empty", omitAll{
			B: true, I: -1, I8: 1, U64: 1, Uptr: 1, F32: 0.5, F64: 1e-9, S: "s", P: &zero, A: 0,
			Sl: []int{0}, M: map[string]int{"": 0}, Raw: jsonx.RawMessage(`0`), Bytes: []byte{0},
			Named: "n", PM: &map[string]int{}, MP: map[string]*int{"": nil}, Empty: map[string]string{"": ""},
		}, `{"b":true,"i":-1,"i8":1,"u64":1,"uptr":1,"f32":0.5,"f64":1e-9,"s":"s","p":0,"a":0,"sl":[0],"m":{"":0},"arr2":[0,0],"st":{},"raw":0,"bytes":"AA==","named":"n","pm":{},"mp":{"":null},"Empty":{"":""}}`},
		{"omitempty leaves out negative zero", omitAll{F64: math.Copysign(0, -1), F32: float32(math.Copysign(0, -1))}, `{"arr2":[0,0],"st":{}}`},
		{"omitempty leaves out non-nil empty slices and maps", omitAll{Sl: []int{}, M: map[string]int{}, Raw: jsonx.RawMessage{}, Bytes: []byte{}}, `{"arr2":[0,0],"st":{}}`},
		{"omitempty keeps an interface holding zero", omitAll{A: ""}, `{"a":"","arr2":[0,0],"st":{}}`},

		{"embedded structs, Inner nil", embedding{
			Base: Base{ID: 1, Name: "base"}, Tagged: Tagged{V: 2}, Rival: &Rival{V: 3, W: 4}, Plain: Plain{W: 5, X: 6},
			Left: Left{Shared{Z: 7}}, Right: Right{Shared{Z: 8}}, Label: "l", hidden: hidden{Visible: 9}, secret: "s",
			Name: "outer", Nested: Base{ID: 10}, Skip: 11, Dash: 12, Quote: 13, Spaced: 14,
		}, `{"id":1,"W":4,"X":6,"Label":"l","visible":9,"Name":"outer","nested":{"id":10,"Name":""},"-":12,"Quote":13,"with space":14}`},
		{"embedded structs, one pointer set, the other nil", embedding{Inner: &Inner{Name: "inner", Extra: 1}}, `{"id":0,"name":"inner","Extra":1,"X":0,"Label":"","visible":0,"Name":"","nested":{"id":0,"Name":""},"-":0,"Quote":0,"with space":0}`},
		{"self-embedding pointer", node{node: &node{V: 1}, V: 2}, `{"V":2}`},
		{"embedded pointer to an unexported struct", struct {
			*hidden
			Own int
		}{hidden: &hidden{Visible: 1}}, `{"visible":1,"Own":0}`},
		{"struct without fields", struct{}{}, `{}`},
		{"pointer to struct", &Base{ID: 1}, `{"id":1,"Name":""}`},

		{"nil RawMessage", jsonx.RawMessage(nil), `null`},
		{"RawMessage compacted", jsonx.RawMessage(" {\"a\" :\t[1 ,\n 2.50, \"x y\"] ,\r\"b\":{ } } "), `{"a":[1,2.50,"x y"],"b":{}}`},
		{"RawMessage escaped for HTML", jsonx.RawMessage("\"<a>&\u2028\u2029\""), `"\u003ca\u003e\u0026\u2028\u2029"`},
		{"RawMessage keeps its escapes and bad bytes", jsonx.RawMessage("[\"\\u0041\\\" \\\\\", \"\xff\"]"), "[\"\\u0041\\\" \\\\\",\"\xff\"]"},
		{"RawMessage in a struct", struct {
			R jsonx.RawMessage  `json:"r"`
			N jsonx.RawMessage  `json:"n"`
			P *jsonx.RawMessage `json:"p"`
		}{R: jsonx.RawMessage(` true `)}, `{"r":true,"n":null,"p":null}`},
		{"RawMessage in an interface", []any{jsonx.RawMessage(`[ ]`)}, `[[]]`},
		{"pointer to RawMessage", &jsonx.RawMessage{'1'}, `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jsonx.Marshal(tt.v)
			if err != nil || string(got) != tt.want {
				t.Errorf("Marshal(%#v) = %s, %v; want %s", tt.v, got, err, tt.want)
			}
			std, err := json.Marshal(tt.v)
			if err != nil || string(std) != tt.want {
				t.Errorf("encoding/json writes %s, %v; the test's want is %s", std, err, tt.want)
			}
		})
	}
}

// cyclic points to itself.
type cyclic struct {
	Next *cyclic
}

// TestMarshalErrors: Marshal refuses what encoding/json refuses, and what
// it does not support.
func TestMarshalErrors(t *testing.T) {
	loop := &cyclic{}
	loop.Next = loop
	tests := []struct {
		name string
		v    any
		// stdFails: encoding/json refuses it too.
		stdFails bool
	}{
		{"channel", make(chan int), true},
		{"function", func() {}, true},
		{"complex", complex(1, 2), true},
		{"channel in a struct", struct{ C chan int }{}, true},
		{"function in an interface", []any{func() {}}, true},
		{"NaN", math.NaN(), true},
		{"+Inf", math.Inf(1), true},
		{"float32 -Inf", float32(math.Inf(-1)), true},
		{"NaN in a map", map[string]float64{"x": math.NaN()}, true},
		{"empty RawMessage", struct{ R jsonx.RawMessage }{R: jsonx.RawMessage{}}, true},
		{"RawMessage not JSON", jsonx.RawMessage(`{`), true},
		{"RawMessage of two values", jsonx.RawMessage(`1 2`), true},
		{"RawMessage with a control character", jsonx.RawMessage("\"\t\""), true},
		{"cycle", loop, true},
		{"map with int keys", map[int]string{1: "a"}, false},
		{"nil map with int keys", map[int]string(nil), false},
		{"tag option string", struct {
			N int `json:"n,string"`
		}{}, false},
		{"tag option omitzero", struct {
			N int `json:"n,omitzero"`
		}{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := jsonx.Marshal(tt.v); err == nil {
				t.Errorf("Marshal = %s, nil; want an error", got)
			}
			if _, err := json.Marshal(tt.v); (err != nil) != tt.stdFails {
				t.Errorf("encoding/json's error = %v; the test expects one: %v", err, tt.stdFails)
			}
		})
	}
}

// nestedSlices returns depth slices, one inside the other.
func nestedSlices(depth int) any {
	var v any
	for range depth {
		v = []any{v}
	}
	return v
}

// TestMarshalDepth: Marshal encodes values nested 10000 deep, as deep as
// Unmarshal decodes, and refuses deeper ones.
func TestMarshalDepth(t *testing.T) {
	for _, tt := range []struct {
		depth  int
		wantOK bool
	}{{10000, true}, {10001, false}} {
		got, err := jsonx.Marshal(nestedSlices(tt.depth))
		if (err == nil) != tt.wantOK {
			t.Errorf("Marshal(%d nested slices): error %v, want success %v", tt.depth, err, tt.wantOK)
			continue
		}
		if want := strings.Repeat("[", tt.depth) + "null" + strings.Repeat("]", tt.depth); tt.wantOK && string(got) != want {
			t.Errorf("Marshal(%d nested slices) = %.20s…, want %.20s…", tt.depth, got, want)
		}
	}
}
