package spf

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds hostile records to the parser: it must never panic, and
// what it accepts must be a record whose terms are all non-empty.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=spf1 -all",
		"v=spf1 a/24//64 mx:%{d2}//0 ptr:%{p}.x.com include:_spf.%{d} exists:%{ir}.%{l1r+-}.x.com ip4:1.2.3.0/24 ip6:::1/0 ~all",
		"v=spf1 redirect=%{d}.d.spf.example.com. exp=msg.%{D2} foo=%{c}",
		"v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
		"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
		"v=spf1 ip6::CAFE::BABE a:foo:bar/baz.example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := Parse(s)
		if err != nil {
			if rec != nil {
				t.Fatalf("Parse(%q): got a record and error %v", s, err)
			}
			return
		}
		if !IsRecord(s) {
			t.Fatalf("Parse(%q): accepted a non-record", s)
		}
		for _, term := range rec.Terms {
			if term.Text == "" || term.Name == "" {
				t.Fatalf("Parse(%q): empty term %+v", s, term)
			}
		}
	})
}

// FuzzMacro feeds hostile macro-strings to the parser and expander in every
// mode: no panic, bounded output, and query names of at most 253 octets
// whenever they have a label boundary to cut at.
func FuzzMacro(f *testing.F) {
	for _, s := range []string{
		"%{ir}.%{v}._spf.%{d2}", "%{l2r+-}.user.%{d2}", "%{S}%{L}%{O}%{H}", "%%%_%-", "%{d300r=/,}",
		"%{c} %{r} %{t} %{p}", "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
	} {
		f.Add(s, "local-part+tag", "sub.example.com")
	}
	f.Fuzz(func(t *testing.T, s, local, domain string) {
		env := &macroEnv{
			sender: local + "@" + domain, local: local, senderD: domain, domain: domain,
			ip: netip.MustParseAddr("2001:db8::1"), helo: strings.Repeat(domain, 3), now: time.Unix(0, 0),
			ptr: func() string { return "ptr." + domain },
		}
		for _, mode := range []macroMode{inDomain, inModifier, inExplain} {
			m, err := parseMacroString(s, mode)
			if err != nil {
				continue
			}
			out := m.expand(env)
			if len(out) > maxExpansion {
				t.Fatalf("expand(%q): %d octets, more than %d", s, len(out), maxExpansion)
			}
			if q := queryName(out); len(q) > 253 && strings.Contains(q, ".") {
				t.Fatalf("queryName(expand(%q)): %d octets", s, len(q))
			}
		}
	})
}
