package jsonx_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"headerlens/internal/jsonx"
)

// decodeBoth decodes data into a fresh T with jsonx and with
// encoding/json, and fails t unless both fail or both give equal values.
// It returns jsonx's value and error.
func decodeBoth[T any](t *testing.T, data string) (T, error) {
	t.Helper()
	var got, want T
	gotErr := jsonx.Unmarshal([]byte(data), &got)
	wantErr := json.Unmarshal([]byte(data), &want)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		t.Errorf("Unmarshal(%.80q) into %T: error %v; encoding/json's %v", data, &got, gotErr, wantErr)
	case gotErr == nil && !reflect.DeepEqual(got, want):
		t.Errorf("Unmarshal(%.80q) into %T = %#v; encoding/json gives %#v", data, &got, got, want)
	}
	return got, gotErr
}

// TestUnmarshalStrings checks the decoding of escapes, surrogates and
// bytes that are not UTF-8, into a string and into an empty interface.
func TestUnmarshalStrings(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"empty", `""`, ""},
		{"plain", `"abc"`, "abc"},
		{"short escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"\\u escapes", `"\u0041\u00e9\u20AC\u0000\u001f"`, "Aé€\x00\x1f"},
		{"HTML escapes", `"\u003c\u003e\u0026"`, "<>&"},
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"surrogate pair in capitals", `"\uD83D\uDE00"`, "😀"},
		{"lone high surrogate", `"\ud800"`, "\ufffd"},
		{"lone low surrogate", `"\udc00x"`, "\ufffdx"},
		{"high surrogate before a letter", `"\ud800\u0041"`, "\ufffdA"},
		{"high surrogate before a pair", `"\ud800\ud83d\ude00"`, "\ufffd😀"},
		{"two low surrogates", `"\ude00\ude00"`, "\ufffd\ufffd"},
		{"high surrogate before a short escape", `"\ud800\n"`, "\ufffd\n"},
		{"raw UTF-8", "\"héllo 日本 😀 \u2028\"", "héllo 日本 😀 \u2028"},
		{"byte that is not UTF-8", "\"a\xffb\"", "a\ufffdb"},
		{"truncated sequence before the quote", "\"\xe2\x82\"", "\ufffd\ufffd"},
		{"surrogate in UTF-8", "\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"},
		{"bad byte after an escape", "\"\\n\xff\"", "\n\ufffd"},
		{"DEL", "\"\x7f\"", "\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := decodeBoth[string](t, tt.json); err != nil || got != tt.want {
				t.Errorf("Unmarshal(%q) = %q, %v; want %q", tt.json, got, err, tt.want)
			}
			if got, err := decodeBoth[any](t, tt.json); err != nil || got != tt.want {
				t.Errorf("Unmarshal(%q) into any = %#v, %v; want %q", tt.json, got, err, tt.want)
			}
			// As a member name.
			decodeBoth[map[string]int](t, "{"+tt.json+":1}")
		})
	}
}

// numbers holds a field of every number kind.
type numbers struct {
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	Uptr uintptr
	F32  float32
	F64  float64
	L    level
	W    weight
	A    any
}

// TestUnmarshalNumbers checks numbers at and beyond the limits of each
// kind: those that do not fit are errors, as in encoding/json.
func TestUnmarshalNumbers(t *testing.T) {
	tests := []struct {
		json    string
		want    numbers
		wantErr bool
	}{
		{`{"I8":127,"I16":-32768,"I32":2147483647,"I64":-9223372036854775808}`, numbers{I8: 127, I16: -32768, I32: 2147483647, I64: -9223372036854775808}, false},
		{`{"U8":255,"U16":65535,"U32":4294967295,"U64":18446744073709551615,"Uptr":1}`, numbers{U8: 255, U16: 65535, U32: 4294967295, U64: 18446744073709551615, Uptr: 1}, false},
		{`{"I":-0,"F64":-0,"A":-0}`, numbers{A: 0.0}, false},
		{`{"F32":3.4028235e38,"F64":1.7976931348623157e308}`, numbers{F32: 3.4028235e38, F64: 1.7976931348623157e308}, false},
		{`{"F64":5e-324,"F32":1e-45}`, numbers{F64: 5e-324, F32: 1e-45}, false},
		{`{"F64":1e-400,"A":1E-400}`, numbers{A: 0.0}, false},
		{`{"F64":0.1e1,"F32":2.5E+0,"W":-1.5e-1}`, numbers{F64: 1, F32: 2.5, W: -0.15}, false},
		{`{"L":-3,"A":12345678901234567890}`, numbers{L: -3, A: 12345678901234567890.0}, false},
		{`{"I8":128}`, numbers{}, true},
		{`{"I8":-129}`, numbers{}, true},
		{`{"I64":9223372036854775808}`, numbers{}, true},
		{`{"U8":256}`, numbers{}, true},
		{`{"U64":18446744073709551616}`, numbers{}, true},
		{`{"U":-1}`, numbers{}, true},
		{`{"U":-0}`, numbers{}, true},
		{`{"I":1.0}`, numbers{}, true},
		{`{"I":1e2}`, numbers{}, true},
		{`{"L":40000}`, numbers{}, true},
		{`{"F32":3.5e38}`, numbers{}, true},
		{`{"F64":1e309}`, numbers{}, true},
		{`{"A":-1e400}`, numbers{}, true},
		{`{"I":"1"}`, numbers{}, true},
	}
	for _, tt := range tests {
		got, err := decodeBoth[numbers](t, tt.json)
		if (err != nil) != tt.wantErr || err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v, error %v", tt.json, got, err, tt.want, tt.wantErr)
		}
	}
}

// kinds has a field of each kind Unmarshal fills other than numbers.
type kinds struct {
	S     string
	B     bool
	P     *string
	PP    **int
	Sl    []string
	Arr   [2]int
	M     map[string]int
	LM    map[label]bool
	Bytes []byte
	Raw   jsonx.RawMessage
	RawP  *jsonx.RawMessage
	A     any
	Err   error
	In    Inner
	InP   *Inner
	Ins   []Inner
	Named label
	Flag  flag
}

// TestUnmarshalKinds decodes into each kind, null included, and compares
// with encoding/json; where the test names a value, it checks it too.
func TestUnmarshalKinds(t *testing.T) {
	hello := "hello"
	tests := []struct {
		name string
		json string
		// want, when set, is what Unmarshal must give.
		want *kinds
	}{
		{"all set", `{"S":"s","B":true,"P":"hello","PP":7,"Sl":["a","b"],"Arr":[1,2],"M":{"x":1},"LM":{"y":true},
			"Bytes":"AAH/","Raw":[ 1, {"a" : 2} ],"RawP":"x","A":{"k":[1,"2",null,false]},"Err":null,
			"In":{"name":"n","Extra":3},"InP":{"Extra":4},"Ins":[{"name":"a"},{}],"Named":"l","Flag":true}`, nil},
		{"pointer allocated", `{"P":"hello"}`, &kinds{P: &hello}},
		{"empty containers", `{"Sl":[],"M":{},"Bytes":"","A":[],"Ins":[]}`, &kinds{Sl: []string{}, M: map[string]int{}, Bytes: []byte{}, A: []any{}, Ins: []Inner{}}},
		{"null everywhere", `{"S":null,"B":null,"P":null,"PP":null,"Sl":null,"Arr":null,"M":null,"Bytes":null,"RawP":null,"A":null,"Err":null,"In":null,"InP":null,"Named":null}`, &kinds{}},
		{"null RawMessage keeps null", `{"Raw":null}`, &kinds{Raw: jsonx.RawMessage("null")}},
		{"RawMessage keeps its white space", `{"Raw": [1 , 2] }`, &kinds{Raw: jsonx.RawMessage("[1 , 2]")}},
		{"short array", `{"Arr":[5]}`, &kinds{Arr: [2]int{5, 0}}},
		{"long array", `{"Arr":[1,2,3,[4]]}`, &kinds{Arr: [2]int{1, 2}}},
		{"case-insensitive names", `{"s":"lower","NAMED":"upper","in":{"NAME":"x","extra":1}}`, &kinds{S: "lower", Named: "upper", In: Inner{Name: "x", Extra: 1}}},
		{"unknown members skipped", `{"nope":{"deep":[1,{"x":null}]},"S":"kept","Nope":"x"}`, &kinds{S: "kept"}},
		{"duplicate members merge into structs", `{"Ins":[{"name":"a","Extra":1}],"Ins":[{"name":"b"}],"InP":{"name":"x"},"InP":{"Extra":2}}`, nil},
		{"duplicate members, shorter then longer slice", `{"Ins":[{"name":"a"},{"name":"b","Extra":2}],"Ins":[{"Extra":9}],"Ins":[{},{}]}`, nil},
		{"duplicate members into a map", `{"M":{"a":1,"b":2},"M":{"a":3}}`, &kinds{M: map[string]int{"a": 3, "b": 2}}},
		{"string into bool", `{"B":"true"}`, nil},
		{"number into string", `{"S":1}`, nil},
		{"object into slice", `{"Sl":{}}`, nil},
		{"array into struct", `{"In":[]}`, nil},
		{"array into map", `{"M":[]}`, nil},
		{"bool into pointer", `{"P":true}`, nil},
		{"object into non-empty interface", `{"Err":{}}`, nil},
		{"string into non-empty interface", `{"Err":"e"}`, nil},
		{"string into byte array", `{"Arr":"AAA="}`, nil},
		{"bad base64", `{"Bytes":"!!"}`, nil},
		{"base64 with newlines", `{"Bytes":"AA\nH/\r\n"}`, &kinds{Bytes: []byte{0, 1, 0xff}}},
		{"bytes as an array", `{"Bytes":[1,2,255]}`, &kinds{Bytes: []byte{1, 2, 255}}},
		{"byte out of range", `{"Bytes":[256]}`, nil},
		{"top-level null", `null`, &kinds{}},
		{"top-level array", `[]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBoth[kinds](t, tt.json)
			if tt.want != nil && (err != nil || !reflect.DeepEqual(got, *tt.want)) {
				t.Errorf("Unmarshal = %+v, %v; want %+v", got, err, *tt.want)
			}
		})
	}
}

// TestUnmarshalFolding matches member names to fields: the exact name
// first, else the first field whose name is equal but for case, under
// Unicode simple folding (the Kelvin sign is a k, the long s an s).
func TestUnmarshalFolding(t *testing.T) {
	type folding struct {
		Kelvin int
		S      string
		Lower  int `json:"ab"`
		Upper  int `json:"AB"`
		Title  int `json:"Ab"`
		Dotted int `json:"i"`
	}
	tests := []struct {
		json string
		want folding
	}{
		{`{"kelvin":1,"s":"x"}`, folding{Kelvin: 1, S: "x"}},
		{`{"\u212aelvin":2,"\u017f":"long s"}`, folding{Kelvin: 2, S: "long s"}},
		{`{"AB":1,"ab":2,"Ab":3}`, folding{Upper: 1, Lower: 2, Title: 3}},
		{`{"aB":4}`, folding{Lower: 4}},
		{`{"I":5,"\u0130":6,"\u0131":7}`, folding{Dotted: 5}},
	}
	for _, tt := range tests {
		if got, err := decodeBoth[folding](t, tt.json); err != nil || got != tt.want {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", tt.json, got, err, tt.want)
		}
	}
}

// TestUnmarshalEmbedded decodes into embedded structs: promoted names,
// hidden names, embedded pointers allocated when one of their fields is
// set.
func TestUnmarshalEmbedded(t *testing.T) {
	for _, data := range []string{
		`{"id":1,"Name":"outer","name":"inner","Extra":2,"v":3,"W":4,"X":5,"Z":6,"Label":"l","visible":7,"-":8,"Quote":9,"a'b":10,"with space":11,"Skip":12,"nested":{"id":13}}`,
		`{"id":1}`,
		`{"extra":1}`,
		`{"NAME":"folded"}`,
		`{"V":1,"node":{},"v":2}`,
	} {
		decodeBoth[embedding](t, data)
		decodeBoth[node](t, data)
		decodeBoth[omitAll](t, data)
	}
	// A nil embedded pointer to an unexported struct cannot be
	// allocated: setting one of its fields is an error.
	type hiddenPointer struct {
		*hidden
		Own int
	}
	if _, err := decodeBoth[hiddenPointer](t, `{"visible":1}`); err == nil {
		t.Error("Unmarshal through a nil embedded pointer to an unexported struct: no error")
	}
	if got, err := decodeBoth[hiddenPointer](t, `{"Own":1}`); err != nil || got.Own != 1 {
		t.Errorf("Unmarshal beside a nil embedded pointer to an unexported struct = %+v, %v; want Own 1", got, err)
	}
	got, err := decodeBoth[embedding](t, `{"Extra":2}`)
	if err != nil || got.Inner == nil || got.Inner.Extra != 2 {
		t.Errorf("Unmarshal into an embedded nil pointer: Inner = %+v, %v; want it allocated with Extra 2", got.Inner, err)
	}
}

// TestUnmarshalExisting decodes into values already set, as encoding/json
// does: null leaves a string alone and clears a pointer, an interface
// holding a pointer is decoded through (a string cannot go there), a map
// gains members, a slice is truncated.
func TestUnmarshalExisting(t *testing.T) {
	type target struct {
		S string
		P *int
		A any
		M map[string]int
		L []int
	}
	prepare := func() *target {
		seven := 7
		inner := &Base{ID: 1}
		return &target{S: "kept", P: &seven, A: inner, M: map[string]int{"old": 1}, L: []int{1, 2, 3}}
	}
	for _, data := range []string{
		`{"S":null,"P":null,"A":null,"M":null,"L":null}`,
		`{"P":8,"A":{"Name":"x"},"M":{"new":2},"L":[9]}`,
		`{"L":[],"S":"new"}`,
		`{"A":"not a Base"}`,
	} {
		got, want := prepare(), prepare()
		gotErr := jsonx.Unmarshal([]byte(data), got)
		wantErr := json.Unmarshal([]byte(data), want)
		if (gotErr == nil) != (wantErr == nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("Unmarshal(%s) = %+v, %v; encoding/json gives %+v, %v", data, got, gotErr, want, wantErr)
		}
	}
	// An interface holding its own address.
	var self any
	self = &self
	if err := jsonx.Unmarshal([]byte(`{"a":1}`), &self); err != nil || !reflect.DeepEqual(self, map[string]any{"a": 1.0}) {
		t.Errorf("Unmarshal into an interface holding its address: %#v, %v", self, err)
	}
}

// syntaxCases returns inputs of each syntax error and valid inputs near
// them.
func syntaxCases() []string {
	return []string{
		``, ` `, `{`, `}`, `[`, `]`, `[1,]`, `[,1]`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`,
		`{1:2}`, `{'a':1}`, `{"a":1 "b":2}`, `[1 2]`, `1 2`, `01`, `-01`, `00`, `1.`, `.5`, `+1`, `-`,
		`1e`, `1e+`, `1E-`, `--1`, `1.e5`, `0x10`, `NaN`, `Infinity`, `-Infinity`, `tru`, `nul`, `nulll`,
		`True`, `NULL`, `"abc`, `"\x"`, `"\u12"`, `"\u12G4"`, `"\`, `"\u`, "\"\x01\"", "\"\t\"", "\"\x00\"",
		"\xef\xbb\xbf1", "\x001", "1\x00", `'a'`, `[1]]`, `{"a":1}}`, `"a"x`,
		`0`, `-0`, `1`, `-1.5e-3`, `1E+2`, `0.0`, `123456789012345678901234567890`, `1e999`, `true`,
		`false`, `null`, `""`, `"\u0000"`, "\"\x7f\xff\"", " \t\r\n[ ] \n", `{"":""}`, `[[[[]]]]`,
		`{"a":{"b":[1,{"c":null}]}}`, `"\/"`, `"\ud800"`,
	}
}

// TestValid compares Valid with encoding/json's on syntaxCases and at the
// nesting limit.
func TestValid(t *testing.T) {
	cases := syntaxCases()
	for _, depth := range []int{9999, 10000, 10001} {
		cases = append(cases,
			strings.Repeat("[", depth)+strings.Repeat("]", depth),
			strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth),
			strings.Repeat("[", depth)) // unclosed
	}
	for _, data := range cases {
		if got, want := jsonx.Valid([]byte(data)), json.Valid([]byte(data)); got != want {
			t.Errorf("Valid(%.40q) (%d bytes) = %v, want %v", data, len(data), got, want)
		}
	}
}

// TestUnmarshalSyntax: Unmarshal fails where encoding/json fails, on
// syntaxCases and at the nesting limit, into any and into a struct.
func TestUnmarshalSyntax(t *testing.T) {
	cases := syntaxCases()
	for _, depth := range []int{10000, 10001} {
		cases = append(cases, strings.Repeat("[", depth)+strings.Repeat("]", depth))
	}
	for _, data := range cases {
		decodeBoth[any](t, data)
		decodeBoth[kinds](t, data)
		decodeBoth[jsonx.RawMessage](t, data)
	}
}

// TestUnmarshalTarget: Unmarshal needs a non-nil pointer.
func TestUnmarshalTarget(t *testing.T) {
	var s string
	for _, target := range []any{nil, s, (*string)(nil)} {
		if err := jsonx.Unmarshal([]byte(`"x"`), target); err == nil {
			t.Errorf("Unmarshal into %#v: no error", target)
		}
	}
}

// TestUnmarshalUnsupported: what jsonx does not implement is an error,
// where encoding/json would decode it.
func TestUnmarshalUnsupported(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		target any
	}{
		{"map with int keys", `{"1":"a"}`, new(map[int]string)},
		{"tag option string", `{"n":"1"}`, new(struct {
			N int `json:"n,string"`
		})},
	}
	for _, tt := range tests {
		if err := jsonx.Unmarshal([]byte(tt.json), tt.target); err == nil {
			t.Errorf("%s: Unmarshal(%s) into %T: no error", tt.name, tt.json, tt.target)
		}
	}
}
