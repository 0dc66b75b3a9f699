package companion

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzSecurityParseHost: parseHost never panics; a name it returns is in
// normal form (NormalizeDomain is idempotent on it), is not an address
// literal and has a non-numeric top-level label, so it can only reach the
// network through DNS, whose answers the safety policy vets.
func FuzzSecurityParseHost(f *testing.F) {
	for _, s := range []string{"mx.example.com", "127.0.0.1", "[::1]", "2130706433", "0x7f.0.0.0x1", "１２７．０．０．１", "localhost.", "xn--nxasmq6b.com", "fe80::1%eth0", "a..b", "[mx.example.com]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, addr, err := parseHost(s)
		if err != nil {
			return
		}
		if addr.IsValid() {
			if name != "" {
				t.Fatalf("parseHost(%q): both a name %q and an address %v", s, name, addr)
			}
			return
		}
		if _, perr := netip.ParseAddr(name); perr == nil {
			t.Fatalf("parseHost(%q): name %q is an address literal", s, name)
		}
		again, err := NormalizeDomain(name)
		if err != nil || again != name {
			t.Fatalf("parseHost(%q): name %q not in normal form (%q, %v)", s, name, again, err)
		}
		labels := strings.Split(name, ".")
		if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
			t.Fatalf("parseHost(%q): name %q has a numeric top-level label", s, name)
		}
	})
}
