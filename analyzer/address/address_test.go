package address

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Address
	}{
		// Strict: RFC 5322 §3.4.
		{"name-addr", `Alice <alice@example.org>`, []Address{{"Alice", "alice@example.org"}}},
		{"display name holding an address", `"support@paypal.com" <evil@x.example>`, []Address{{"support@paypal.com", "evil@x.example"}}},
		{"encoded word and a bare address", `=?UTF-8?B?U8O2cmVu?= <s@example.com>, b@example.org`, []Address{{"Sören", "s@example.com"}, {"", "b@example.org"}}},
		{"encoded word hiding angle brackets", `=?utf-8?q?Bank_=3Cservice@bank.example=3E?= <x@phish.example>`, []Address{{"Bank <service@bank.example>", "x@phish.example"}}},
		// RFC 2047 §6.2: a charset without a converter stays encoded,
		// and the field still reads strictly.
		{"unknown charset", `=?x-unknown?q?Caf=E9?= <a@x.example> (c <d@e.example>)`, []Address{{"=?x-unknown?q?Caf=E9?=", "a@x.example"}}},
		{"group", `Team: a@x.example, "B, C" <b@y.example>;`, []Address{{"", "a@x.example"}, {"B, C", "b@y.example"}}},
		{"empty group", `undisclosed-recipients:;`, nil},
		// A trailing comment is read as the display name (as net/mail
		// does), so a name-spoofing comment is seen by the findings.
		{"comment", `a@x.example (b@y.example)`, []Address{{"b@y.example", "a@x.example"}}},
		{"quoted name with a comma", `"Doe, John" <j@x.example>, k@y.example`, []Address{{"Doe, John", "j@x.example"}, {"", "k@y.example"}}},
		{"quoted local part with a comma", `"a,b"@x.example, c@y.example`, []Address{{"", "a,b@x.example"}, {"", "c@y.example"}}},
		{"RFC 6532 UTF-8 domain", `user@bücher.example`, []Address{{"", "user@bücher.example"}}},
		{"A-label domain", `user@xn--bcher-kva.example`, []Address{{"", "user@xn--bcher-kva.example"}}},
		{"empty", ``, nil},
		{"blank", " \t ", nil},

		// Lenient: the strict parser refuses these.
		{"unclosed comment", `PayPal Support <service@paypal.com> (bad, comment`, []Address{{"PayPal Support", "service@paypal.com"}}},
		{"missing >", `Broken Name <no-closing@x.example`, []Address{{"Broken Name", "no-closing@x.example"}}},
		{"missing > before the next mailbox", `A <a@x.example, B <b@y.example>`, []Address{{"A", "a@x.example"}, {"B", "b@y.example"}}},
		{"missing > at the end", `"a@bank.example" <z@evil.example>, <x@y.example`, []Address{{"a@bank.example", "z@evil.example"}, {"", "x@y.example"}}},
		{"doubled <", `Broken <<evil@x.example>`, []Address{{"Broken", "evil@x.example"}}},
		{"inner angle-addr", `Bank <ceo@bank.example <x@phish.example>`, []Address{{"Bank <ceo@bank.example", "x@phish.example"}}},
		{"unquoted display name with @", `ceo@bank.example <x@phish.example>`, []Address{{"ceo@bank.example", "x@phish.example"}}},
		{"two angle-addrs in one mailbox", `Evil <ceo@bank.example> <x@phish.example>`, []Address{{"Evil", "ceo@bank.example"}, {"", "x@phish.example"}}},
		{"unclosed quote", `"unclosed <a@x.example>, b@y.example`, []Address{{"unclosed", "a@x.example"}, {"", "b@y.example"}}},
		{"escaped quote in a broken field", `"a\",b" <a@x.example>, c@y.example <`, []Address{{`a",b`, "a@x.example"}, {"", "c@y.example"}}},
		{"comments are not addresses", `Name <a@x.example> (see <b@y.example>) "oops`, []Address{{"Name", "a@x.example"}}},
		{"obsolete route", `<@r1.example,@r2.example:u@x.example>, <`, []Address{{"", "u@x.example"}}},
		{"group in a broken field", `team: a@x.example; c@z.example <`, []Address{{"", "a@x.example"}, {"", "c@z.example"}}},
		{"colon in a display name", `Re: Bob <bob@x.example>, <`, []Address{{"Bob", "bob@x.example"}}},
		{"bare addresses without commas", `a@x.example b@y.example`, []Address{{"", "a@x.example"}, {"", "b@y.example"}}},
		{"domain literal", `user@[192.0.2.1], <`, []Address{{"", "user@[192.0.2.1]"}}},
		{"no domain", `<a@>`, nil},
		{"no local part", `<@x.example>, "`, nil},
		{"specials in the domain", `a@b:c, <`, nil},
		{"no address", `Alice Example`, nil},
	}
	for _, tt := range tests {
		if got := ParseList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseList(%q): got %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestParseListHostile reads fields of the largest size a message keeps
// (256 KiB) built to make a parser loop, grow or keep garbage: the output
// stays bounded and made of addresses.
func TestParseListHostile(t *testing.T) {
	const n = 256 << 10
	tests := []struct {
		name string
		in   string
		want int // addresses
	}{
		{"many valid", strings.Repeat("a@x.example, ", n/13), MaxAddresses},
		{"many broken", strings.Repeat("a@x.example, ", n/13) + "<", MaxAddresses},
		{"empty parts with @", strings.Repeat("@,", n/2), 0},
		{"angle brackets never closed", "x" + strings.Repeat("<a@x.example,", n/13), MaxAddresses},
		{"angle brackets never closed, no commas", strings.Repeat("a@x.example <", n/13), MaxAddresses},
		{"nested comments never closed", strings.Repeat("@(", n/2), 0},
		{"quotes never closed", strings.Repeat(`\",`, n/3), 0},
		{"quotes and @", strings.Repeat(`"@,`, n/3), 0},
		{"groups", strings.Repeat("g: a@x.example;", n/15), MaxAddresses},
		{"colons", strings.Repeat("@:", n/2), 0},
		{"spaces in an angle-addr", "<" + strings.Repeat(" ", n/2) + strings.Repeat(",", n/2), 0},
	}
	for _, tt := range tests {
		got := ParseList(tt.in)
		if len(got) != tt.want {
			t.Errorf("%s: got %v addresses, want %v", tt.name, len(got), tt.want)
		}
		for _, a := range got {
			if Domain(a.Address) != "x.example" {
				t.Errorf("%s: got address %.40q, want one in x.example", tt.name, a.Address)
				break
			}
		}
	}
}

func FuzzParseList(f *testing.F) {
	for _, s := range []string{
		`"a" <b@c>, d@e`, `g: (x <y>, "z\"`, `A <a@x, B <b@y>`, `<@r:a@x>, <`,
		`=?x-unknown?q?=E9?= <a@x>`, `"a,b"@x, <`, `a@[1.2.3.4] (c`, `team: a@x; b@y`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ParseList(s)
		if len(got) > MaxAddresses {
			t.Fatalf("ParseList(%q): got %v addresses, want at most %v", s, len(got), MaxAddresses)
		}
		for _, a := range got {
			if !strings.Contains(a.Address, "@") || Domain(a.Address) == "" {
				t.Fatalf("ParseList(%q): got address %q, want local@domain", s, a.Address)
			}
		}
	})
}

func TestDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a@Example.COM.", "example.com"},
		{"<a@b.example>", "b.example"},
		{"\"x@y\"@z.example", "z.example"},
		{"user@[192.0.2.1]", "[192.0.2.1]"},
		{"user@Bücher.example", "bücher.example"},
		{"no-at", ""},
		{"a@", ""},
	}
	for _, tt := range tests {
		if got := Domain(tt.in); got != tt.want {
			t.Errorf("Domain(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPathDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b@Mail.example>", "mail.example"},
		{"b@mail.example.", "mail.example"},
		{"Mail.Example.", "mail.example"},
		{"<>", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PathDomain(tt.in); got != tt.want {
			t.Errorf("PathDomain(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReturnPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<bounce@mail.example.net>", "bounce@mail.example.net"},
		{" < bounce@x.example > (comment)", "bounce@x.example"},
		{"<>", ""},
		{"bounce@x.example", "bounce@x.example"},
		{"<unclosed@x.example", "<unclosed@x.example"},
	}
	for _, tt := range tests {
		if got := ReturnPath(tt.in); got != tt.want {
			t.Errorf("ReturnPath(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?ISO-8859-1?Q?Caf=E9?= menu", "Café menu"},
		{"=?UTF-8?B?U8O2cmVu?= =?UTF-8?Q?_x?=", "Sören x"},
		// RFC 2047 §6.2 (a): no converter, the word stays exactly as
		// written (its bytes say nothing without the charset); the other
		// words are decoded.
		{"=?x-unknown?B?6Q==?= and =?utf-8?q?=C3=A9?=", "=?x-unknown?B?6Q==?= and é"},
		{"=?x-unknown?q?plain?=", "=?x-unknown?q?plain?="},
		{"=?utf-8?q?a?= =?x-unknown?q?b?= =?utf-8?q?c?=", "a=?x-unknown?q?b?=c"},
		{"=?utf-8?q?a?=  x =?utf-8?q?b?=", "a  x b"},
		// A malformed word is not an encoded-word: it and the space after
		// it are text.
		{"=?utf-8?q?bad=ZZ?= =?utf-8?q?ok?=", "=?utf-8?q?bad=ZZ?= ok"},
		{"not encoded =?", "not encoded =?"},
	}
	for _, tt := range tests {
		if got := DecodeText(tt.in); got != tt.want {
			t.Errorf("DecodeText(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsDNSName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"Mail.Example.COM", true},
		{"s1._domainkey.example.com", true},
		{"xn--bcher-kva.example", true},
		{"a", true},
		{strings.Repeat("a", 63) + ".example", true},
		{strings.Repeat("a", 64) + ".example", false},
		{strings.Repeat("a.", 126) + "a", true},   // 253 octets
		{strings.Repeat("a.", 126) + "ab", false}, // 254 octets
		{"", false},
		{"example.com.", false},
		{".example.com", false},
		{"a..b", false},
		{"exa mple.com", false},
		{"exa$mple.com", false},
		{"bücher.example", false},
		{"[192.0.2.1]", false},
	}
	for _, tt := range tests {
		if got := IsDNSName(tt.in); got != tt.want {
			t.Errorf("IsDNSName(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzDecodeText: DecodeText never panics, and text without an encoded
// word comes back unchanged.
func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"=?utf-8?q?a?= =?x-unknown?q?b?=", "=?UTF-8?B?U8O2cmVu?=", "plain", "=?", "=?a?b?c?=", "=?utf-8?q?bad=ZZ?= x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeText(s)
		if !strings.Contains(s, "=?") && got != s {
			t.Errorf("DecodeText(%q) = %q, want it unchanged (no encoded word)", s, got)
		}
	})
}
