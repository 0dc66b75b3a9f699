package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"headerlens/analyzer/result"
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

// FuzzCheckHost evaluates hostile records end to end, served by the
// fixture DoH server through the real client: no panic, a valid verdict,
// and the §4.6.4 bounds respected.
func FuzzCheckHost(f *testing.F) {
	for _, s := range []string{
		"v=spf1 include:inc.fuzz.example mx ptr:%{d} a:%{p}.fuzz.example exists:%{ir}.%{v}.fuzz.example ~all",
		"v=spf1 redirect=%{d}",
		"v=spf1 a/0//0 mx//0 exp=exp.fuzz.example -all",
		"v=spf1 include:%{l}.fuzz.example -all",
	} {
		f.Add(s, "user")
	}
	r, srv := fixture(f,
		`inc.fuzz.example. TXT "v=spf1 a mx -all"`,
		`inc.fuzz.example. A 192.0.2.1`,
		`inc.fuzz.example. MX 10 inc.fuzz.example.`,
		`1.2.0.192.in-addr.arpa. PTR inc.fuzz.example.`,
		`exp.fuzz.example. TXT "%{i} %{p} %{c} %{r} %{t} %{s}"`,
	)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, record, local string) {
		if len(record) > 4000 {
			t.Skip("larger than a DNS answer can carry")
		}
		name := fmt.Sprintf("r%d.fuzz.example.", n.Add(1))
		if err := srv.Handler.AddRR(name + " TXT " + presentString(record)); err != nil {
			t.Skipf("not servable: %v", err)
		}
		res := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), strings.TrimSuffix(name, "."), local+"@"+name, "helo.fuzz.example", Options{Timeout: 5 * time.Second})
		switch res.Result {
		case result.Pass, result.Fail, result.SoftFail, result.Neutral, result.None, result.TempError, result.PermError:
		default:
			t.Fatalf("record %q: got result %q", record, res.Result)
		}
		if res.Lookups > MaxLookups+1 || res.VoidLookups > DefaultVoidLookupLimit+1 {
			t.Fatalf("record %q: %d lookups, %d void", record, res.Lookups, res.VoidLookups)
		}
	})
}
