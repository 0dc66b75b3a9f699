package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer/domaincheck"
	"headerlens/analyzer/domaincheck/domaintest"
	"headerlens/dohresolver/dohtest"
)

// domainServer serves the testdata/domain fixture zones.
func domainServer(t *testing.T) *dohtest.Server {
	return domaintest.Server(t, filepath.Join("..", "..", "testdata", "domain"))
}

func TestDomainCommand(t *testing.T) {
	srv := domainServer(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"good text", []string{"--doh", srv.URL(), "good.example"}, exitOK,
			[]string{"Domain: good.example", "Protected: SPF is valid and DMARC is at enforcement.", "SPF DNS lookups: 2 of 10"}},
		{"mistakes text", []string{"--doh", srv.URL(), "mistakes.example"}, exitOK,
			[]string{"Not protected:", "+all", "p=none", "not DNSSEC-validated"}},
		{"nothing markdown", []string{"--doh", srv.URL(), "--format", "markdown", "nothing.example"}, exitOK,
			[]string{"## Domain check: `nothing.example`", "| SPF | missing |"}},
		{"selectors", []string{"--doh", srv.URL(), "--dkim-selectors", "custom", "--format", "json", "good.example"}, exitOK,
			[]string{`"custom"`, `"selector": "selector1"`}},
		{"no domain", []string{"--doh", srv.URL()}, exitUsage, nil},
		{"bad format", []string{"--doh", srv.URL(), "--format", "xml", "good.example"}, exitUsage, nil},
		{"offline", []string{"--offline", "good.example"}, exitUsage, nil},
		{"bad domain", []string{"--doh", srv.URL(), "not a domain"}, exitFail, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", append([]string{"domain"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("code = %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestDomainJSON(t *testing.T) {
	srv := domainServer(t)
	out, _, code := runCLI(t, "", "domain", "--doh", srv.URL(), "--format", "json", "mistakes.example")
	if code != exitOK {
		t.Fatalf("code = %d", code)
	}
	var rep domaincheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if got, want := rep.SPF.Lookups, 11; got != want {
		t.Errorf("spf lookups = %d, want %d", got, want)
	}
	if got, want := rep.DMARC.Status, domaincheck.Warning; got != want {
		t.Errorf("dmarc status = %q, want %q", got, want)
	}
}

// TestDomainMarkdownEscapes checks that records cannot inject Markdown
// links, images or HTML into a ticket.
func TestDomainMarkdownEscapes(t *testing.T) {
	srv := dohtest.NewServer(t, dohtest.ZoneText("evil.example.", `
$TTL 300
@       IN SOA ns.evil.example. h.evil.example. 1 7200 900 1209600 60
@       IN TXT "v=spf1 include:[x](https://a.example/) <img src=x> -all"
_dmarc  IN TXT "v=DMARC1; p=none; rua=mailto:![i](https://b.example/i.png)@c.example"
`))
	out, _, code := runCLI(t, "", "domain", "--doh", srv.URL(), "--format", "markdown", "evil.example")
	if code != exitOK {
		t.Fatalf("code = %d", code)
	}
	for _, bad := range []string{"](https://", "<img", "![i]"} {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, bad) && !strings.Contains(line, "`") {
				t.Errorf("unescaped %q in line %q", bad, line)
			}
		}
	}
	if !strings.Contains(out, `\[x\]`) && !strings.Contains(out, "`v=spf1 include:[x]") {
		t.Errorf("record not shown escaped or as code:\n%s", out)
	}
}

// TestDomainCompanionDown checks that an unreachable companion leaves
// STARTTLS and the MTA-STS policy not checked, with the reason, and the
// DNS checks done.
func TestDomainCompanionDown(t *testing.T) {
	srv := domainServer(t)
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	out, errOut, code := runCLI(t, "", "domain", "--doh", srv.URL(), "--companion", url, "--format", "json", "good.example")
	if code != exitOK {
		t.Fatalf("code = %d; stderr %q", code, errOut)
	}
	var rep domaincheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*domaincheck.CheckResult{"starttls": rep.STARTTLS, "mtaSts": rep.MTASTS} {
		if c.Status != domaincheck.NotChecked || !strings.Contains(c.Reason, "companion server did not answer") {
			t.Errorf("%s = %q, reason %q; want not-checked because the companion did not answer", name, c.Status, c.Reason)
		}
	}
	if rep.SPF.Status != domaincheck.OK {
		t.Errorf("spf = %q, want ok", rep.SPF.Status)
	}
}
