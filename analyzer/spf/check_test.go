package spf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/result"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// fixture starts the fixture DoH server with a root zone and records, and
// returns a DoH client for it.
func fixture(t testing.TB, rrs ...string) (*dohresolver.Resolver, *dohtest.Server) {
	t.Helper()
	srv := dohtest.NewServer(t)
	srv.AddRR(". 300 IN SOA ns.fixture. hostmaster.fixture. 1 3600 600 86400 300")
	for _, rr := range rrs {
		srv.AddRR(rr)
	}
	return suiteResolver(t, srv), srv
}

func lintCodes(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return out
}

func TestCheckHost(t *testing.T) {
	base := []string{
		`example.com. TXT "v=spf1 include:_spf.example.com -all"`,
		`_spf.example.com. TXT "v=spf1 include:_spf2.example.com ~all"`,
		`_spf2.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
		`plusall.example. TXT "v=spf1 +all"`,
		`lint.example. TXT "v=spf1 ptr ip4:10.0.0.0/8 ip6:2001:db8::/32 foo=bar ?all mx redirect=example.com"`,
		`ptr.example. TXT "v=spf1 ptr -all"`,
		`2.2.0.192.in-addr.arpa. PTR host.ptr.example.`,
		`host.ptr.example. A 192.0.2.2`,
		`near.example. TXT "v=spf1 a a a a a a a a -all"`,
		`near.example. A 192.0.2.99`,
		`void.example. TXT "v=spf1 a:nx1.void.example exists:nx2.void.example -all"`,
		`multi.example. TXT "v=spf1 -all"`,
		`multi.example. TXT "v=spf1 +all"`,
		`sid.example. TXT "spf2.0/pra -all"`,
		`sid.example. TXT "v=spf1 -all"`,
		`loop.example. TXT "v=spf1 include:loop.example"`,
		`mx.example. TXT "v=spf1 mx -all"`,
		`mx.example. MX 10 slow.mx.example.`,
		`mx.example. MX 20 good.mx.example.`,
		`good.mx.example. A 192.0.2.7`,
		`mxnx.example. TXT "v=spf1 mx -all"`,
		`mxnx.example. MX 10 missing.mxnx.example.`,
		`mxnx.example. MX 20 good.mx.example.`,
		`exp.example. TXT "v=spf1 -all exp=why.exp.example"`,
		`why.exp.example. TXT "%{i} is not one of %{d}'s hosts (%{S})"`,
		`type99.example. TXT "v=spf1 -all"`,
		`type99.example. SPF "v=spf1 -all"`,
	}
	r, srv := fixture(t, base...)
	srv.Fail("slow.mx.example.", dohtest.FailServfail)
	tests := []struct {
		name        string
		domain      string
		ip          string
		want        result.Word
		lookups     int
		voids       int
		lint        []string
		reason      string // substring
		explanation string
	}{
		{"include chain", "example.com", "192.0.2.1", result.Pass, 2, 0, nil, "matched ip4:192.0.2.0/24 in include:_spf2.example.com in include:_spf.example.com", ""},
		{"include chain miss", "example.com", "198.51.100.1", result.Fail, 2, 0, nil, "matched -all", ""},
		{"plus all", "plusall.example", "198.51.100.1", result.Pass, 0, 0, []string{"spf-plus-all"}, "matched +all", ""},
		{"lint", "lint.example", "198.51.100.1", result.Neutral, 1, 1, // no PTR record: a void lookup
			[]string{"spf-neutral-all", "spf-ptr", "spf-redirect-ignored", "spf-terms-after-all", "spf-unknown-modifier", "spf-void-lookups", "spf-wide-ip4", "spf-wide-ip6"}, "matched ?all", ""},
		{"ptr", "ptr.example", "192.0.2.2", result.Pass, 1, 0, []string{"spf-ptr"}, "host.ptr.example", ""},
		{"near limit", "near.example", "192.0.2.1", result.Fail, 8, 0, []string{"spf-lookups-near-limit"}, "", ""},
		{"void lookups", "void.example", "192.0.2.1", result.Fail, 2, 2, []string{"spf-void-lookups"}, "", ""},
		{"multiple records", "multi.example", "192.0.2.1", result.PermError, 0, 0, []string{"spf-multiple-records"}, "2 SPF records", ""},
		{"sender id ignored", "sid.example", "192.0.2.1", result.Fail, 0, 0, []string{"spf-sender-id"}, "", ""},
		{"include loop", "loop.example", "192.0.2.1", result.PermError, 11, 0, []string{"spf-lookup-limit", "spf-no-all"}, "more than 10", ""},
		{"mx servfail before match", "mx.example", "192.0.2.7", result.TempError, 1, 0, nil, "slow.mx.example", ""},
		{"mx nxdomain then match", "mxnx.example", "192.0.2.7", result.Pass, 1, 0, nil, "MX host good.mx.example", ""},
		{"no record", "nothing.example", "192.0.2.1", result.None, 0, 0, []string{"spf-none"}, "no TXT records", ""},
		{"deprecated SPF RR type", "type99.example", "192.0.2.1", result.Fail, 0, 0, []string{"spf-rr-type-99"}, "", ""},
		{"explanation", "exp.example", "192.0.2.1", result.Fail, 0, 0, nil, "", "192.0.2.1 is not one of exp.example's hosts (postmaster%40exp.example)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckHost(context.Background(), r, netip.MustParseAddr(tt.ip), tt.domain, "@"+tt.domain, "helo.example", Options{Exchanger: r})
			if got.Result != tt.want {
				var b strings.Builder
				got.WriteText(&b)
				t.Fatalf("got %s, want %s\n%s", got.Result, tt.want, b.String())
			}
			if got.Lookups != tt.lookups || got.VoidLookups != tt.voids {
				t.Errorf("got %d lookups and %d void, want %d and %d", got.Lookups, got.VoidLookups, tt.lookups, tt.voids)
			}
			if codes := lintCodes(got.Lint); !slices.Equal(codes, tt.lint) {
				t.Errorf("got lint %v, want %v", codes, tt.lint)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("got reason %q, want it to contain %q", got.Reason, tt.reason)
			}
			if got.Explanation != tt.explanation {
				t.Errorf("got explanation %q, want %q", got.Explanation, tt.explanation)
			}
		})
	}
}

func TestTrace(t *testing.T) {
	r, _ := fixture(t,
		`example.com. TXT "v=spf1 include:_spf.example.com -all"`,
		`_spf.example.com. TXT "v=spf1 a:mail.example.com ip4:192.0.2.0/24 -all"`,
		`mail.example.com. A 198.51.100.9`,
	)
	got := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), "example.com", "a@example.com", "h.example.com", Options{Exchanger: r})
	type row struct {
		depth   int
		kind    string
		term    string
		matched bool
		lookups int
		queries string
	}
	want := []row{
		{0, StepRecord, "v=spf1 include:_spf.example.com -all", false, 0, "TXT example.com ok; SPF example.com notfound"},
		{0, StepTerm, "include:_spf.example.com", true, 2, ""},
		{1, StepRecord, "v=spf1 a:mail.example.com ip4:192.0.2.0/24 -all", false, 1, "TXT _spf.example.com ok"},
		{1, StepTerm, "a:mail.example.com", false, 2, "A mail.example.com ok"},
		{1, StepTerm, "ip4:192.0.2.0/24", true, 2, ""},
	}
	if len(got.Trace) != len(want) {
		t.Fatalf("got %d steps, want %d: %+v", len(got.Trace), len(want), got.Trace)
	}
	for i, w := range want {
		s := got.Trace[i]
		var qs []string
		for _, q := range s.Queries {
			qs = append(qs, q.Type+" "+q.Name+" "+q.Status)
		}
		g := row{s.Depth, s.Kind, s.Term, s.Matched, s.Lookups, strings.Join(qs, "; ")}
		if g != w {
			t.Errorf("step %d: got %+v, want %+v", i, g, w)
		}
	}
	if got.Record != "v=spf1 include:_spf.example.com -all" {
		t.Errorf("got record %q", got.Record)
	}
}

// TestJSON pins the live.spf contract field names.
func TestJSON(t *testing.T) {
	r, _ := fixture(t, `example.com. TXT "v=spf1 -all"`)
	res := CheckMailFrom(context.Background(), r, netip.MustParseAddr("192.0.2.1"), "h.example.com", "<a@example.com>", Options{DefaultExplanation: "not allowed"})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"result": "fail", "domain": "example.com", "ip": "192.0.2.1", "helo": "h.example.com",
		"explanation": "not allowed", "lookups": float64(0), "identity": "mailfrom", "mailFrom": "a@example.com", "voidLookups": float64(0)} {
		if m[k] != want {
			t.Errorf("JSON %s: got %v, want %v", k, m[k], want)
		}
	}
	if _, ok := m["trace"].([]any); !ok {
		t.Errorf("JSON trace: got %T, want an array", m["trace"])
	}
}

func TestCheckBothIdentities(t *testing.T) {
	r, _ := fixture(t,
		`mail.example.org. TXT "v=spf1 a -all"`,
		`mail.example.org. A 192.0.2.10`,
		`example.com. TXT "v=spf1 ip4:198.51.100.0/24 -all"`,
	)
	ip := netip.MustParseAddr("192.0.2.10")
	tests := []struct {
		helo, mailFrom     string
		wantHELO, wantMail result.Word
		wantDomain         string
	}{
		{"mail.example.org", "user@example.com", result.Pass, result.Fail, "example.com"},
		{"mail.example.org", "", result.Pass, result.Pass, "mail.example.org"},
		{"mail.example.org", "<>", result.Pass, result.Pass, "mail.example.org"},
		{"[192.0.2.10]", "user@example.com", result.None, result.Fail, "example.com"},
		{"localhost", "", result.None, result.None, "localhost"},
	}
	for _, tt := range tests {
		got := Check(context.Background(), r, ip, tt.helo, tt.mailFrom, Options{})
		if got.HELO == nil || got.HELO.Result != tt.wantHELO || got.HELO.Identity != IdentityHELO {
			t.Errorf("Check(%q, %q) HELO: got %+v, want %s", tt.helo, tt.mailFrom, got.HELO, tt.wantHELO)
		}
		if got.Result != tt.wantMail || got.Domain != tt.wantDomain || got.Identity != IdentityMailFrom {
			t.Errorf("Check(%q, %q): got %s for %s (%s), want %s for %s", tt.helo, tt.mailFrom, got.Result, got.Domain, got.Identity, tt.wantMail, tt.wantDomain)
		}
	}
}

func TestDeadline(t *testing.T) {
	r, srv := fixture(t, `slow.example. TXT "v=spf1 exists:hang.slow.example -all"`)
	srv.Fail("hang.slow.example.", dohtest.FailTimeout)
	start := time.Now()
	got := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), "slow.example", "a@slow.example", "h", Options{Timeout: 300 * time.Millisecond})
	if got.Result != result.TempError {
		t.Errorf("got %s, want temperror", got.Result)
	}
	if d := time.Since(start); d > 1200*time.Millisecond {
		t.Errorf("took %v, want the 300 ms deadline honoured", d)
	}
}

func TestHostileRecords(t *testing.T) {
	many := "v=spf1" + strings.Repeat(" a:x.example", 5000) + " -all"
	wide := "v=spf1" + strings.Repeat(" ip4:198.51.100.1", 20000) + " -all"
	r, srv := fixture(t,
		`many.example. TXT "`+many[:200]+`" "`+many[200:]+`"`,
		`x.example. A 198.51.100.1`,
	)
	_ = srv
	got := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), "many.example", "a@many.example", "h", Options{})
	if got.Result != result.PermError || got.Lookups != MaxLookups+1 {
		t.Errorf("5000 a terms: got %s after %d lookups, want permerror after %d", got.Result, got.Lookups, MaxLookups+1)
	}
	start := time.Now()
	rec, err := Parse(wide)
	if err != nil || len(rec.Terms) != 20001 {
		t.Fatalf("Parse(20000 ip4 terms): got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("parsing 20000 terms took %v", d)
	}
}

func TestWriteText(t *testing.T) {
	r, _ := fixture(t, `example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`)
	res := Check(context.Background(), r, netip.MustParseAddr("192.0.2.1"), "h.example.com", "a@example.com", Options{})
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SPF none: helo h.example.com, client 192.0.2.1",
		"SPF pass: mailfrom example.com, client 192.0.2.1, helo h.example.com",
		"record:      v=spf1 ip4:192.0.2.0/24 -all",
		"ip4:192.0.2.0/24  [match, lookups 0, void 0]",
		"TXT example.com: ok v=spf1 ip4:192.0.2.0/24 -all",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteText: got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
}

func TestInvalidIP(t *testing.T) {
	r, _ := fixture(t)
	got := CheckHost(context.Background(), r, netip.Addr{}, "example.com", "a@example.com", "h", Options{})
	if got.Result != result.PermError {
		t.Errorf("got %s, want permerror for no client IP", got.Result)
	}
}

// BenchmarkIncludeChain evaluates a three-deep include chain through the
// DoH client against the fixture server (with the client's cache on, as in
// the browser).
func BenchmarkIncludeChain(b *testing.B) {
	srv := dohtest.NewServer(b)
	srv.AddRR(". 300 IN SOA ns.fixture. hostmaster.fixture. 1 3600 600 86400 300")
	srv.AddRR(`example.com. TXT "v=spf1 include:one.example.com -all"`)
	srv.AddRR(`one.example.com. TXT "v=spf1 a include:two.example.com -all"`)
	srv.AddRR(`one.example.com. A 198.51.100.1`)
	srv.AddRR(`two.example.com. TXT "v=spf1 mx include:three.example.com -all"`)
	srv.AddRR(`two.example.com. MX 10 mx.two.example.com.`)
	srv.AddRR(`mx.two.example.com. A 198.51.100.2`)
	srv.AddRR(`three.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`)
	for _, cache := range []int{-1, 0} {
		b.Run(fmt.Sprintf("cache=%v", cache == 0), func(b *testing.B) {
			r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, CacheSize: cache})
			if err != nil {
				b.Fatal(err)
			}
			ip := netip.MustParseAddr("192.0.2.1")
			for b.Loop() {
				res := CheckHost(context.Background(), r, ip, "example.com", "a@example.com", "h.example.com", Options{})
				if res.Result != result.Pass {
					b.Fatalf("got %s, want pass: %s", res.Result, res.Reason)
				}
			}
		})
	}
}
