package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/result"
)

func TestParse(t *testing.T) {
	tests := []struct {
		record string
		ok     bool
		terms  []string // Name of each term, when ok
	}{
		{"v=spf1", true, nil},
		{"V=SpF1 -ALL", true, []string{"all"}},
		{"v=spf1  a   mx  -all ", true, []string{"a", "mx", "all"}},
		{"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all", true, []string{"ip4", "ip6", "all"}},
		{"v=spf1 a:foo:bar/baz.example.com", true, []string{"a"}},
		{"v=spf1 a/24//64 mx:example.com//0", true, []string{"a", "mx"}},
		{"v=spf1 include:_spf.%{d2} exists:%{ir}.%{l1r+-}._spf.%{d}", true, []string{"include", "exists"}},
		{"v=spf1 redirect=_spf.example.com", true, []string{"redirect"}},
		{"v=spf1 moo.cow-far_out=man:dog/cat -all", true, []string{"moo.cow-far_out", "all"}},
		{"v=spf1 a:foo.example.xn--zckzah", true, []string{"a"}},
		{"v=spf1 unknown=%{c}%{r}%{t}", true, []string{"unknown"}},
		{"v=spf1 ptr ptr:example.com", true, []string{"ptr", "ptr"}},
		// RFC 7208 §4.5: version must be followed by a space.
		{"v=spf10", false, nil},
		{"v=spf1\tall", false, nil},
		// §4.6.1: SP only; §3.1: ASCII only.
		{"v=spf1 a:ctrl.example.com\rptr -all", false, nil},
		{"v=spf1 \x80a:example.net -all", false, nil},
		// §5 syntax.
		{"v=spf1 -all.", false, nil},
		{"v=spf1 -all:foo", false, nil},
		{"v=spf1 -all/8", false, nil},
		{"v=spf1 include", false, nil},
		{"v=spf1 include:", false, nil},
		{"v=spf1 include:ip5.example.com/24", false, nil},
		{"v=spf1 exists:mail.example.com/24", false, nil},
		{"v=spf1 ptr/0", false, nil},
		{"v=spf1 ptr:", false, nil},
		{"v=spf1 a:", false, nil},
		{"v=spf1 a/33", false, nil},
		{"v=spf1 a//129", false, nil},
		{"v=spf1 a/24/64", false, nil},
		{"v=spf1 ip4:1.2.3.4/032", false, nil},
		{"v=spf1 ip4:1.2.3", false, nil},
		{"v=spf1 ip4:1.2.3.4:8080", false, nil},
		{"v=spf1 ip4:1.2.3.4//32", false, nil},
		{"v=spf1 ip4:::ffff:1.2.3.4", false, nil},
		{"v=spf1 ip6:1.2.3.4", false, nil},
		{"v=spf1 ip6::CAFE::BABE", false, nil},
		{"v=spf1 ip6:fe80::1%eth0", false, nil},
		{"v=spf1 ip6:::1.1.1.1//33", false, nil},
		{"v=spf1 a:museum", false, nil},
		{"v=spf1 a:museum.", false, nil},
		{"v=spf1 a:111.222.33.44", false, nil},
		{"v=spf1 a:example.-com", false, nil},
		{"v=spf1 a:example.com:8080", false, nil},
		{"v=spf1 moo", false, nil},
		// §6.
		{"v=spf1 redirect:example.com", false, nil},
		{"v=spf1 redirect=", false, nil},
		{"v=spf1 redirect=-all", false, nil},
		{"v=spf1 exp=", false, nil},
		{"v=spf1 exp=a.example.com exp=b.example.com", false, nil},
		{"v=spf1 redirect=a.example.com redirect=a.example.com", false, nil},
		{"v=spf1 =all", false, nil},
		{"v=spf1 1up=foo", false, nil},
		{"v=spf1 moo.cow/far_out=man:dog/cat", false, nil},
		{"v=spf1 foo=%abc", false, nil},
		// §7.
		{"v=spf1 a:%{a}.example.com", false, nil},
		{"v=spf1 exp=%{r}.example.com", false, nil},
		{"v=spf1 exists:%{c}.example.com", false, nil},
		{"v=spf1 exists:%{d0}.example.com", false, nil},
		{"v=spf1 exists:foo%(ir).example.com", false, nil},
		{"v=spf1 exists:foo%", false, nil},
		{"v=spf1 exists:%{ir", false, nil},
		{"v=spf1 exists:%{i2r!}.example.com", false, nil},
	}
	for _, tt := range tests {
		rec, err := Parse(tt.record)
		if (err == nil) != tt.ok {
			t.Errorf("Parse(%q): got error %v, want ok=%v", tt.record, err, tt.ok)
			continue
		}
		if !tt.ok {
			var se *SyntaxError
			if !errors.As(err, &se) && !errors.Is(err, ErrNotSPF) {
				t.Errorf("Parse(%q): got %T %v, want *SyntaxError or ErrNotSPF", tt.record, err, err)
			}
			continue
		}
		var names []string
		for _, term := range rec.Terms {
			names = append(names, term.Name)
		}
		if strings.Join(names, " ") != strings.Join(tt.terms, " ") {
			t.Errorf("Parse(%q): got terms %v, want %v", tt.record, names, tt.terms)
		}
	}
}

func TestParseFields(t *testing.T) {
	rec, err := Parse("v=spf1 -a:mail.%{d2}/24//64 ~ip6:2001:DB8::1/48 ?mx exp=why.%{d} redirect=other.example")
	if err != nil {
		t.Fatal(err)
	}
	a := rec.Terms[0]
	if a.Qualifier != QFail || a.Domain != "mail.%{d2}" || a.CIDR4 != 24 || a.CIDR6 != 64 {
		t.Errorf("a term: got %+v, want -a with mail.%%{d2} /24 //64", a)
	}
	if got, want := rec.Terms[1].Prefix, netip.MustParsePrefix("2001:db8::/48"); got != want || rec.Terms[1].Qualifier != QSoftFail {
		t.Errorf("ip6 term: got %v %c, want %v ~", got, rec.Terms[1].Qualifier, want)
	}
	if mx := rec.Terms[2]; mx.Qualifier != QNeutral || mx.CIDR4 != 32 || mx.CIDR6 != 128 || mx.Domain != "" {
		t.Errorf("mx term: got %+v, want ?mx with default lengths", mx)
	}
	if rec.Exp == nil || rec.Exp.Domain != "why.%{d}" || rec.Redirect == nil || rec.Redirect.Domain != "other.example" {
		t.Errorf("modifiers: got exp %v redirect %v", rec.Exp, rec.Redirect)
	}
	for q, want := range map[Qualifier]result.Word{QPass: result.Pass, QFail: result.Fail, QSoftFail: result.SoftFail, QNeutral: result.Neutral} {
		if got := q.Result(); got != want {
			t.Errorf("Qualifier(%c).Result(): got %s, want %s", q, got, want)
		}
	}
}

// TestMacroRFCExamples checks the expansions of RFC 7208 §7.4.
func TestMacroRFCExamples(t *testing.T) {
	env4 := &macroEnv{
		sender: "strong-bad@email.example.com", local: "strong-bad", senderD: "email.example.com",
		domain: "email.example.com", ip: netip.MustParseAddr("192.0.2.3"), helo: "mx.example.org",
		now: time.Unix(1234567890, 0),
	}
	env6 := *env4
	env6.ip = netip.MustParseAddr("2001:db8::cb01")
	tests := []struct {
		env  *macroEnv
		mode macroMode
		in   string
		want string
	}{
		{env4, inDomain, "%{s}", "strong-bad@email.example.com"},
		{env4, inDomain, "%{o}", "email.example.com"},
		{env4, inDomain, "%{d}", "email.example.com"},
		{env4, inDomain, "%{d4}", "email.example.com"},
		{env4, inDomain, "%{d3}", "email.example.com"},
		{env4, inDomain, "%{d2}", "example.com"},
		{env4, inDomain, "%{d1}", "com"},
		{env4, inDomain, "%{dr}", "com.example.email"},
		{env4, inDomain, "%{d2r}", "example.email"},
		{env4, inDomain, "%{l}", "strong-bad"},
		{env4, inDomain, "%{l-}", "strong.bad"},
		{env4, inDomain, "%{lr}", "strong-bad"},
		{env4, inDomain, "%{lr-}", "bad.strong"},
		{env4, inDomain, "%{l1r-}", "strong"},
		{env4, inDomain, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{env4, inDomain, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{env4, inDomain, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{env4, inDomain, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{env4, inDomain, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{&env6, inDomain, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
		// §7.1 escapes, §7.3 URL escaping and delimiters.
		{env4, inDomain, "a%%b%_c%-d", "a%b c%20d"},
		{env4, inDomain, "%{L}", "strong-bad"},
		{env4, inDomain, "%{S}", "strong-bad%40email.example.com"},
		{env4, inDomain, "%{l2r+-}", "bad.strong"},
		{env4, inDomain, "%{h}", "mx.example.org"},
		{env4, inDomain, "%{D300}", "email.example.com"},
		// §7.2: exp-only letters.
		{env4, inExplain, "%{c} at %{t} by %{r}", "192.0.2.3 at 1234567890 by unknown"},
		{&env6, inExplain, "%{c} via %{v}", "2001:db8::cb01 via ip6"},
		{env4, inExplain, "Macro Error %{l}", "Macro Error strong-bad"},
	}
	for _, tt := range tests {
		m, err := parseMacroString(tt.in, tt.mode)
		if err != nil {
			t.Errorf("parseMacroString(%q): %v", tt.in, err)
			continue
		}
		if got := m.expand(tt.env); got != tt.want {
			t.Errorf("expand(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"~jack&jill=up-a_b3.c", "~jack%26jill%3Dup-a_b3.c"},
		{"a b/c", "a%20b%2Fc"},
		{"\xff", "%FF"},
	}
	for _, tt := range tests {
		if got := urlEscape(tt.in); got != tt.want {
			t.Errorf("urlEscape(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQueryName(t *testing.T) {
	long := strings.Repeat("abcdefghi.", 30) + "example.com." // 312 octets
	tests := []struct{ in, want string }{
		{"example.com.", "example.com"},
		{"example.com", "example.com"},
		// RFC 7208 §7.3: drop labels from the left to fit in 253.
		{long, strings.Repeat("abcdefghi.", 24) + "example.com"},
	}
	for _, tt := range tests {
		if got := queryName(tt.in); got != tt.want {
			t.Errorf("queryName(%q): got %q (%d), want %q", tt.in, got, len(got), tt.want)
		}
	}
	valid := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"com", false},
		{"a..example.com", false},
		{strings.Repeat("a", 64) + ".example.com", false},
		{strings.Repeat("a", 63) + ".example.com", true},
		{"foo:bar/baz.example.com", true},
		{"", false},
	}
	for _, tt := range valid {
		if got := validName(tt.in); got != tt.want {
			t.Errorf("validName(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}
