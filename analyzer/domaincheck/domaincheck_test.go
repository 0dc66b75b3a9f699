package domaincheck

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer/domaincheck/domaintest"
	"headerlens/analyzer/finding"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// fixtureDir holds the NN-name.zone fixtures and their NN-name.want.json
// reports.
var fixtureDir = filepath.Join("..", "..", "testdata", "domain")

// fixtureOptions serves every fixture zone from one in-process DoH server
// (good.example is DNSSEC-signed: answers carry the AD bit) and returns
// the zone files by origin.
func fixtureOptions(t *testing.T) (Options, map[string]string, string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.zone"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture zones: %v", err)
	}
	byOrigin := map[string]string{}
	for _, f := range files {
		byOrigin[strings.TrimSuffix(dohtest.ZoneFile(f).Origin(), ".")] = strings.TrimSuffix(f, ".zone")
	}
	srv := domaintest.Server(t, fixtureDir)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	return Options{Resolver: r, Exchanger: r}, byOrigin, srv.URL()
}

// TestGolden checks each fixture domain's whole report against its
// want.json (go test -update rewrites them).
func TestGolden(t *testing.T) {
	opts, byOrigin, url := fixtureOptions(t)
	for origin, base := range byOrigin {
		t.Run(filepath.Base(base), func(t *testing.T) {
			b, err := json.MarshalIndent(Check(context.Background(), origin, opts), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			// The DoH server's port changes on each run; resolver errors
			// quote it.
			b = bytes.ReplaceAll(b, []byte(url), []byte("DOH-SERVER"))
			golden.Bytes(t, base+".want.json", append(b, '\n'))
		})
	}
}

func codes(c *CheckResult) map[string]bool {
	m := map[string]bool{}
	for _, f := range c.Findings {
		m[f.Code] = true
	}
	return m
}

// TestFixtureFindings asserts the verdicts and findings the issue names
// for each fixture domain, independently of the golden files.
func TestFixtureFindings(t *testing.T) {
	opts, _, _ := fixtureOptions(t)
	type want struct {
		check  string
		status Status
		codes  []string
	}
	tests := []struct {
		domain  string
		verdict string
		want    []want
	}{
		{"good.example", "Protected:", []want{
			{"mx", OK, nil},
			{"spf", OK, nil},
			{"dmarc", OK, nil},
			{"dkim", OK, nil},
			{"mtaSts", NotChecked, nil},
			{"tlsRpt", OK, nil},
			{"bimi", OK, []string{"bimi-not-fetched"}},
			{"dane", OK, nil},
			{"starttls", NotChecked, nil},
		}},
		{"mistakes.example", "Not protected:", []want{
			{"mx", Error, []string{"mx-no-address"}},
			{"spf", Error, []string{"spf-lookup-limit", "spf-plus-all", "spf-ptr", "spf-permerror"}},
			{"dmarc", Warning, []string{"dmarc-p-none", "dmarc-external-unauthorized", "dmarc-report-null-mx"}},
			{"dkim", Error, []string{"dkim-weak-key", "dkim-testing", "dkim-revoked"}},
			{"mtaSts", NotChecked, nil},
			{"tlsRpt", Missing, []string{"tlsrpt-missing"}},
			{"bimi", Error, []string{"bimi-dmarc-not-enforcing", "bimi-logo-not-https", "bimi-no-vmc"}},
			{"dane", Error, []string{"dane-not-validated"}},
		}},
		{"nothing.example", "Not protected: no SPF and no DMARC", []want{
			{"mx", Missing, []string{"mx-missing"}},
			{"spf", Missing, []string{"spf-missing"}},
			{"dmarc", Missing, []string{"dmarc-missing"}},
			{"dkim", Missing, []string{"dkim-none-found"}},
			{"mtaSts", Missing, nil},
			{"tlsRpt", Missing, nil},
			{"bimi", Missing, nil},
			{"dane", NotChecked, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rep := Check(context.Background(), tt.domain, opts)
			if !strings.HasPrefix(rep.Summary.Verdict, tt.verdict) {
				t.Errorf("verdict = %q, want prefix %q", rep.Summary.Verdict, tt.verdict)
			}
			checks := map[string]*CheckResult{
				"mx": &rep.MX.CheckResult, "spf": &rep.SPF.CheckResult, "dmarc": &rep.DMARC.CheckResult,
				"dkim": &rep.DKIM.CheckResult, "mtaSts": rep.MTASTS, "tlsRpt": rep.TLSRPT,
				"bimi": rep.BIMI, "dane": &rep.DANE.CheckResult, "starttls": rep.STARTTLS,
			}
			for _, w := range tt.want {
				c := checks[w.check]
				if c.Status != w.status {
					t.Errorf("%s status = %q, want %q (findings %v)", w.check, c.Status, w.status, c.Findings)
				}
				got := codes(c)
				for _, code := range w.codes {
					if !got[code] {
						t.Errorf("%s: no finding %q in %v", w.check, code, c.Findings)
					}
				}
				if w.status == OK {
					for _, f := range c.Findings {
						if f.Severity != finding.Info {
							t.Errorf("%s is ok but has finding %+v", w.check, f)
						}
					}
				}
			}
		})
	}
}

// TestSPFLookupCount checks the §4.6.4 count over the include tree.
func TestSPFLookupCount(t *testing.T) {
	opts, _, _ := fixtureOptions(t)
	tests := []struct {
		domain  string
		lookups int
	}{
		{"good.example", 2},
		{"mistakes.example", 11},
	}
	for _, tt := range tests {
		rep := Check(context.Background(), tt.domain, opts)
		if got := rep.SPF.Lookups; got != tt.lookups {
			t.Errorf("%s: lookups = %d, want %d", tt.domain, got, tt.lookups)
		}
	}
}

// TestBadInput checks that hostile or missing input yields a report with
// an error, never a panic or a DNS query.
func TestBadInput(t *testing.T) {
	opts, _, _ := fixtureOptions(t)
	tests := []struct {
		name   string
		domain string
		opts   Options
	}{
		{"empty", "", opts},
		{"spaces", "a b.example", opts},
		{"single label", "localhost", opts},
		{"too long", strings.Repeat("a.", 200) + "example", opts},
		{"no resolver", "good.example", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Check(context.Background(), tt.domain, tt.opts)
			if rep.Error == "" || rep.SPF != nil {
				t.Errorf("got %+v, want an error and no checks", rep)
			}
		})
	}
}

// FuzzTagValue feeds arbitrary records to the tag parser used for TLS-RPT,
// MTA-STS and BIMI records.
func FuzzTagValue(f *testing.F) {
	f.Add("v=BIMI1; l=https://x/logo.svg; a=", "l")
	f.Add("v=TLSRPTv1;rua=mailto:a@b", "rua")
	f.Fuzz(func(t *testing.T, rec, tag string) {
		v := TagValue(rec, tag)
		if len(v) > len(rec) {
			t.Fatalf("value %q longer than record %q", v, rec)
		}
	})
}

// TestPNoneOnce: p=none is one warning, not the record parser's
// information beside the domain check's warning.
func TestPNoneOnce(t *testing.T) {
	opts, _, _ := fixtureOptions(t)
	rep := Check(context.Background(), "mistakes.example", opts)
	n := 0
	for _, f := range rep.DMARC.Findings {
		if f.Code == "dmarc-p-none" {
			n++
			if f.Severity != finding.Warning {
				t.Errorf("dmarc-p-none severity %q, want warning", f.Severity)
			}
		}
	}
	if n != 1 {
		t.Errorf("dmarc-p-none findings: %d, want 1", n)
	}
}

// TestDMARCPartialPolicy: pct under 100 is not enforcement, and is said
// once (the record parser's finding, which cites RFC 9989's removal of
// pct), not twice.
func TestDMARCPartialPolicy(t *testing.T) {
	srv := dohtest.NewServer(t, dohtest.ZoneText("pct.example.", `
$TTL 300
@       IN SOA ns.pct.example. h.pct.example. 1 7200 900 1209600 60
@       IN TXT "v=spf1 -all"
_dmarc  IN TXT "v=DMARC1; p=reject; pct=50"
`))
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	rep := Check(context.Background(), "pct.example", Options{Resolver: r})
	if rep.DMARC.Enforcing || rep.DMARC.Status != Warning {
		t.Errorf("pct=50: enforcing %v, status %q; want not enforcing, warning", rep.DMARC.Enforcing, rep.DMARC.Status)
	}
	n := 0
	for _, f := range rep.DMARC.Findings {
		if strings.HasPrefix(f.Code, "dmarc-pct") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d pct findings, want 1: %v", n, rep.DMARC.Findings)
	}
}
