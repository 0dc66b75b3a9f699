package jsonx_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"

	"headerlens/analyzer"
	"headerlens/analyzer/domaincheck"
	"headerlens/analyzer/mailtls"
	"headerlens/internal/jsonx"
)

// decodeAndEncodeBoth decodes data into a fresh T with jsonx and
// encoding/json (decodeBoth) and, when both succeed, encodes the value
// with both.
func decodeAndEncodeBoth[T any](t *testing.T, data []byte) {
	t.Helper()
	v, err := decodeBoth[T](t, string(data))
	if err != nil {
		return
	}
	got, gotErr := jsonx.Marshal(&v)
	want, wantErr := json.Marshal(&v)
	if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
		t.Errorf("Marshal of the decoded %T = %.200s, %v; encoding/json writes %.200s, %v", &v, got, gotErr, want, wantErr)
	}
}

// FuzzUnmarshal: on any input, Valid answers as json.Valid; decoded into
// the report types, into types with a field of every supported kind and
// into an empty interface, jsonx and encoding/json both fail or give equal
// values, which both encode alike. Nothing panics.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range syntaxCases() {
		f.Add([]byte(s))
	}
	mailTLS, bimi := companionAnswers()
	f.Add([]byte(mailTLS))
	f.Add([]byte(bimi))
	f.Add([]byte(`{"S":"\ud83d\ude00\ud800","Sl":["\u2028"],"Arr":[1,2,3],"M":{"a":1,"A":2},"Raw":{"x":[ ]},"A":[1e21,-0,{}]}`))
	f.Add([]byte(`{"I8":-128,"U64":18446744073709551615,"F32":1e-45,"A":1e308,"L":1,"W":-1.5}`))
	f.Add([]byte(`{"id":1,"name":"x","Extra":2,"v":3,"nested":{"ID":4},"Ins":[{"name":"a"}],"Ins":[{}]}`))
	for _, name := range []string{testdata("analyze", "01-all-pass.want.json"), testdata("domain", "03-nothing.want.json"), testdata("recorded", "01-microsoft365.want.json")} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := jsonx.Valid(data), json.Valid(data); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", data, got, want)
		}
		decodeAndEncodeBoth[any](t, data)
		decodeAndEncodeBoth[kinds](t, data)
		decodeAndEncodeBoth[numbers](t, data)
		decodeAndEncodeBoth[embedding](t, data)
		decodeAndEncodeBoth[omitAll](t, data)
		decodeAndEncodeBoth[[]Inner](t, data)
		decodeAndEncodeBoth[jsonx.RawMessage](t, data)
		decodeAndEncodeBoth[analyzer.Report](t, data)
		decodeAndEncodeBoth[domaincheck.Report](t, data)
		decodeAndEncodeBoth[mailtls.Report](t, data)
		decodeAndEncodeBoth[mailtls.BIMI](t, data)
	})
}

// FuzzMarshalString: any string is written as encoding/json writes it, as
// a value, as a map key and as a struct field; as a RawMessage, both
// refuse it or both write it alike; as bytes, both write the same base64.
func FuzzMarshalString(f *testing.F) {
	for _, s := range []string{"", "abc", "\"\\/\b\f\n\r\t", "\x00\x1f\x7f", "<>&", "\u2028\u2029", "\xff\xe2\x80", "\xed\xa0\x80",
		"héllo 日本 😀", `{"a" : [1, "<b>"] }`, " [ \"\u2028\" ] ", "\"\xff\"", `1e5`, `"\ud800"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		type holder struct {
			S string         `json:"s"`
			M map[string]int `json:"m"`
		}
		for _, v := range []any{s, map[string]string{s: s, "k": s}, holder{S: s, M: map[string]int{s: 1}}, []byte(s), jsonx.RawMessage(s)} {
			got, gotErr := jsonx.Marshal(v)
			want, wantErr := json.Marshal(v)
			if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("Marshal(%#v) = %q, %v; encoding/json writes %q, %v", v, got, gotErr, want, wantErr)
			}
		}
	})
}

// FuzzMarshalFloat: any float64 and float32 is written as encoding/json
// writes it (NaN and infinities refused by both), and reads back as
// itself.
func FuzzMarshalFloat(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, 0.1, 1e20, 1e21, 1e-6, 1e-7, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(-1)} {
		f.Add(math.Float64bits(x))
	}
	f.Add(uint64(math.Float32bits(1e21)))
	f.Add(uint64(math.Float32bits(1e-7)))
	f.Fuzz(func(t *testing.T, bits uint64) {
		f64 := math.Float64frombits(bits)
		f32 := math.Float32frombits(uint32(bits))
		for _, v := range []any{f64, f32} {
			got, gotErr := jsonx.Marshal(v)
			want, wantErr := json.Marshal(v)
			if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("Marshal(%v) = %s, %v; encoding/json writes %s, %v", v, got, gotErr, want, wantErr)
			}
		}
		if math.IsNaN(f64) || math.IsInf(f64, 0) {
			return
		}
		b, _ := jsonx.Marshal(f64)
		var back float64
		if err := jsonx.Unmarshal(b, &back); err != nil || back != f64 {
			t.Fatalf("Unmarshal(%s) = %v, %v; want %v", b, back, err, f64)
		}
	})
}
