package markdown

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer/domaincheck"
	"headerlens/analyzer/finding"
	"headerlens/internal/golden"
)

// TestDomainGolden writes the domain check fixtures' reports
// (testdata/domain/NN-name.want.json, themselves checked by the
// domaincheck package's golden test) as Markdown and compares them with
// testdata/markdown/domain-NN-name.want.md.
func TestDomainGolden(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	files, err := filepath.Glob(filepath.Join(root, "domain", "*.want.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("domain fixtures: %v (%d)", err, len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".want.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var r domaincheck.Report
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			var md bytes.Buffer
			if err := WriteDomain(&md, &r); err != nil {
				t.Fatal(err)
			}
			golden.Text(t, filepath.Join(root, "markdown", "domain-"+name+".want.md"), md.Bytes())
			html := render(t, md.Bytes())
			checkDomainInert(t, html)
			if got := strings.Count(html, "<tr>"); got != 10 {
				t.Errorf("the table has %d rows, want 10 (a header and nine checks)", got)
			}
		})
	}
}

// checkDomainInert fails when rendered HTML holds anything active.
func checkDomainInert(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"<a ", "<img", "<script", "<iframe", "<b>", "<h1", "<h4", "<em>", "<del>"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendered Markdown contains %q:\n%s", bad, html)
		}
	}
}

// TestDomainHostileValues puts attacker-chosen text in every string a
// domain report takes from DNS or the companion.
func TestDomainHostileValues(t *testing.T) {
	for _, v := range hostile {
		c := func() *domaincheck.CheckResult {
			return &domaincheck.CheckResult{Status: domaincheck.Warning, Reason: v, Records: []string{v},
				Findings: []finding.Finding{{Severity: finding.Warning, Code: "x", Message: v}}}
		}
		r := &domaincheck.Report{Domain: v, Summary: domaincheck.Summary{Verdict: v},
			MX: &domaincheck.MXCheck{CheckResult: *c()}, SPF: &domaincheck.SPFCheck{CheckResult: *c()},
			DMARC: &domaincheck.DMARCCheck{CheckResult: *c()}, DKIM: &domaincheck.DKIMCheck{CheckResult: *c()},
			MTASTS: c(), TLSRPT: c(), BIMI: c(), DANE: &domaincheck.DANECheck{CheckResult: *c()}, STARTTLS: c()}
		var md bytes.Buffer
		if err := WriteDomain(&md, r); err != nil {
			t.Fatal(err)
		}
		html := render(t, md.Bytes())
		checkDomainInert(t, html)
		if strings.Count(html, "<table>") != 1 || strings.Count(html, "<tr>") != 10 {
			t.Errorf("value %q: %d tables, %d rows; want 1 table of 10 rows:\n%s", v, strings.Count(html, "<table>"), strings.Count(html, "<tr>"), html)
		}
		if strings.Contains(md.String(), "\u202e") {
			t.Errorf("value %q: a bidi control reached the Markdown", v)
		}
	}
}
