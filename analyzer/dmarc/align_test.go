package dmarc

import "testing"

// TestStrictAligned: strict alignment is an exact match of the two names
// (RFC 7489 §3.1.1, §3.1.2), compared case-insensitively with the trailing
// dot ignored; any subdomain relation, in either direction, fails.
func TestStrictAligned(t *testing.T) {
	tests := []struct {
		author, id string
		want       bool
	}{
		{"example.com", "example.com", true},
		{"example.com", "EXAMPLE.COM", true},
		{"Example.Com", "eXaMpLe.cOm", true},
		{"example.com", "example.com.", true},
		{"example.com.", "example.com", true},
		{"example.com.", "Example.COM.", true},
		{"  example.com", "example.com ", true},
		{"bücher.example", "xn--bcher-kva.example", true},
		{"BÜCHER.example", "bücher.example", true},
		// Subdomains, both ways.
		{"example.com", "mail.example.com", false},
		{"mail.example.com", "example.com", false},
		{"a.mail.example.com", "mail.example.com", false},
		{"mail.example.com", "a.mail.example.com", false},
		// Suffix but not a label boundary.
		{"example.com", "badexample.com", false},
		{"badexample.com", "example.com", false},
		{"example.com", "xexample.com", false},
		// Siblings.
		{"a.example.com", "b.example.com", false},
		// Public suffixes and PSL edge cases.
		{"example.co.uk", "example.co.uk", true},
		{"example.co.uk", "co.uk", false},
		{"co.uk", "example.co.uk", false},
		{"co.uk", "co.uk", true},
		{"mail.example.co.uk", "example.co.uk", false},
		{"foo.blogspot.com", "bar.blogspot.com", false},
		{"foo.blogspot.com", "blogspot.com", false},
		{"foo.blogspot.com", "FOO.BLOGSPOT.COM.", true},
		// Malformed names never align, even with themselves.
		{"example.com..", "example.com..", false},
		{"", "", false},
		{"example.com", "", false},
		{"", "example.com", false},
		{".example.com", "example.com", false},
		{"exa mple.com", "exa mple.com", false},
		{"example.com", "example.com\x00", false},
	}
	for _, tc := range tests {
		if got := StrictAligned(tc.author, tc.id); got != tc.want {
			t.Errorf("StrictAligned(%q, %q): got %v, want %v", tc.author, tc.id, got, tc.want)
		}
	}
}

// TestRelaxedAlignedPSL: relaxed alignment with PSL Organizational Domains
// (RFC 7489 §3.1, §3.2), including ICANN multi-label suffixes and the
// private section of the list.
func TestRelaxedAlignedPSL(t *testing.T) {
	tests := []struct {
		author, id string
		want       bool
	}{
		{"example.com", "example.com", true},
		{"example.com", "mail.example.com", true},
		{"mail.example.com", "example.com", true},
		{"a.example.com", "b.example.com", true},
		{"A.Example.COM.", "b.example.com", true},
		{"example.com", "example.net", false},
		{"example.com", "badexample.com", false},
		// co.uk is a public suffix: siblings below it are different
		// organizations.
		{"example.co.uk", "mail.example.co.uk", true},
		{"example.co.uk", "other.co.uk", false},
		{"example.co.uk", "co.uk", false},
		{"co.uk", "example.co.uk", false},
		{"co.uk", "co.uk", true},
		// Private section: blogspot.com and github.io are suffixes.
		{"foo.blogspot.com", "bar.blogspot.com", false},
		{"foo.blogspot.com", "mail.foo.blogspot.com", true},
		{"foo.blogspot.com", "blogspot.com", false},
		{"alice.github.io", "bob.github.io", false},
		// Wildcard and exception rules.
		{"a.b.test.ck", "c.b.test.ck", true},
		{"a.test.ck", "b.test.ck", false},
		{"www.ck", "mail.www.ck", true},
		// Unlisted TLD: default rule.
		{"giant.bank.example", "mega.bank.example", true},
		{"bücher.example", "mail.xn--bcher-kva.example", true},
		{"", "example.com", false},
		{"example.com", "exa mple.com", false},
	}
	for _, tc := range tests {
		if got := RelaxedAlignedPSL(tc.author, tc.id); got != tc.want {
			t.Errorf("RelaxedAlignedPSL(%q, %q): got %v, want %v", tc.author, tc.id, got, tc.want)
		}
	}
}
