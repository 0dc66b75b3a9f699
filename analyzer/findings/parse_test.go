package findings

import (
	"reflect"
	"testing"
)

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{`"support@paypal.com" <evil@x.example>`, []Address{{"support@paypal.com", "evil@x.example"}}},
		{`=?UTF-8?B?U8O2cmVu?= <s@example.com>, b@example.org`, []Address{{"Sören", "s@example.com"}, {"", "b@example.org"}}},
		{`Team: a@x.example, "B, C" <b@y.example>;`, []Address{{"", "a@x.example"}, {"B, C", "b@y.example"}}},
		{`PayPal Support <service@paypal.com> (bad, comment`, []Address{{"PayPal Support", "service@paypal.com"}}},
		{`Broken Name <no-closing@x.example`, []Address{{"Broken Name", "no-closing@x.example"}}},
		{`undisclosed-recipients:;`, nil},
		{``, nil},
	}
	for _, tt := range tests {
		if got := ParseAddresses(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddresses(%q): got %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseAddresses(f *testing.F) {
	f.Add(`"a" <b@c>, d@e`)
	f.Add(`g: (x <y>, "z\"`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := ParseAddresses(s); len(got) > maxAddresses {
			t.Fatalf("got %d addresses", len(got))
		}
	})
}
