package companion

import (
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		in       string
		wantName string
		wantAddr string
		ok       bool
	}{
		{"mx.example.com", "mx.example.com", "", true},
		{"MX.Example.COM.", "mx.example.com", "", true},
		{"192.0.2.1", "", "192.0.2.1", true},
		{"[2001:db8::1]", "", "2001:db8::1", true},
		{"::ffff:127.0.0.1", "", "::ffff:127.0.0.1", true},
		{"127.1", "", "", false},
		{"0x7f.0.0.1", "", "", false},
		{"2130706433", "", "", false},
		{"mx.example.com:25", "", "", false},
		{"user@example.com", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		name, addr, err := parseHost(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseHost(%q): got err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		gotAddr := ""
		if addr.IsValid() {
			gotAddr = addr.String()
		}
		if err == nil && (name != tc.wantName || gotAddr != tc.wantAddr) {
			t.Errorf("parseHost(%q): got %q %q, want %q %q", tc.in, name, gotAddr, tc.wantName, tc.wantAddr)
		}
	}
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"example.com", "Bücher.example.", "a..b", "-a.com", "xn--bcher-kva.example", "1.2.3.4", strings.Repeat("a.", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := NormalizeDomain(s)
		if err != nil {
			return
		}
		if len(d) > 253 || strings.Count(d, ".") < 1 || d != strings.ToLower(d) {
			t.Fatalf("NormalizeDomain(%q) = %q: want ≤ 253 lower-case octets, two labels or more", s, d)
		}
		for _, c := range []byte(d) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				t.Fatalf("NormalizeDomain(%q) = %q: character %q outside LDH", s, d, c)
			}
		}
		if again, err := NormalizeDomain(d); err != nil || again != d {
			t.Fatalf("NormalizeDomain not idempotent: %q → %q → %q, %v", s, d, again, err)
		}
	})
}

// TestNormalizeHeloName: RFC 5321 §4.1.1.1 / §4.1.3, a domain, localhost
// or a bracketed address literal; nothing with a control byte or space.
func TestNormalizeHeloName(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"localhost", "localhost", true},
		{"LocalHost", "localhost", true},
		{"Probe.Example.NET", "probe.example.net", true},
		{"probe.example.net.", "probe.example.net", true},
		{"bücher.example", "xn--bcher-kva.example", true},
		{"[192.0.2.1]", "[192.0.2.1]", true},
		{"[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", true},
		{"[ipv6:2001:db8::1]", "[IPv6:2001:db8::1]", true},
		{"[2001:db8::1]", "", false},
		{"[IPv6:192.0.2.1]", "", false},
		{"[IPv6:fe80::1%eth0]", "", false},
		{"[192.0.2.1", "", false},
		{"[probe.example.net]", "", false},
		{"192.0.2.1", "", false},
		{"probe", "", false},
		{"probe..example", "", false},
		{"-probe.example", "", false},
		{"probe_1.example", "", false},
		{" probe.example.net", "", false},
		{"probe.example.net\r\nMAIL FROM:<a@b.example>", "", false},
		{"probe.example.net\t", "", false},
		{"probe.example\x7f.net", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, err := normalizeHeloName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("normalizeHeloName(%q): got %q, %v, want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
