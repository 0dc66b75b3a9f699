package address

import (
	"reflect"
	"testing"
)

func TestParseList(t *testing.T) {
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
		// A trailing comment is read as the display name (as net/mail
		// does), so a name-spoofing comment is seen by the findings.
		{`a@x.example (b@y.example)`, []Address{{"b@y.example", "a@x.example"}}},
		{`"Doe, John" <j@x.example>, k@y.example`, []Address{{"Doe, John", "j@x.example"}, {"", "k@y.example"}}},
		{`"a@bank.example" <z@evil.example>, <x@y.example`, []Address{{"a@bank.example", "z@evil.example"}, {"", "x@y.example"}}},
		{`user@bücher.example`, []Address{{"", "user@bücher.example"}}},
		{``, nil},
	}
	for _, tt := range tests {
		if got := ParseList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseList(%q): got %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseList(f *testing.F) {
	f.Add(`"a" <b@c>, d@e`)
	f.Add(`g: (x <y>, "z\"`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := ParseList(s); len(got) > MaxAddresses {
			t.Fatalf("got %d addresses", len(got))
		}
	})
}

func TestDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a@Example.COM.", "example.com"},
		{"<a@b.example>", "b.example"},
		{"\"x@y\"@z.example", "z.example"},
		{"user@[192.0.2.1]", "[192.0.2.1]"},
		{"no-at", ""},
		{"a@", ""},
	}
	for _, tt := range tests {
		if got := Domain(tt.in); got != tt.want {
			t.Errorf("Domain(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{{"<b@Mail.example>", "mail.example"}, {"Mail.Example.", "mail.example"}, {"<>", ""}} {
		if got := PathDomain(tt.in); got != tt.want {
			t.Errorf("PathDomain(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
