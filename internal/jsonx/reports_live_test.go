//go:build !js

package jsonx_test

// Differential tests on reports with live checks, made against in-process
// DNS-over-HTTPS servers, which cannot run under js.

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer"
	"headerlens/analyzer/domaincheck"
	"headerlens/analyzer/domaincheck/domaintest"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/jsonx"
)

// caseZones reads the zones of a golden case of the analyzer
// (testdata/analyze/NN-name.zone), a file holding several zones, each
// from its $ORIGIN line to the next.
func caseZones(t *testing.T, path string) []dohtest.Zone {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var zones []dohtest.Zone
	origin, text := "", ""
	flush := func() {
		if origin != "" {
			zones = append(zones, dohtest.ZoneText(origin, "$ORIGIN "+origin+"\n"+text))
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "$ORIGIN" {
			flush()
			origin, text = fields[1], ""
			continue
		}
		text += sc.Text() + "\n"
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return zones
}

// TestLiveAnalyzerReports analyzes the analyzer's golden cases with their
// DNS data, live checks included, and compares the reports' encoding and
// decoding with encoding/json's.
func TestLiveAnalyzerReports(t *testing.T) {
	emls, err := filepath.Glob(testdata("analyze", "*.eml"))
	if err != nil || len(emls) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range emls {
		eml, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		srv := dohtest.NewServer(t, caseZones(t, strings.TrimSuffix(path, ".eml")+".zone")...)
		r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := analyzer.Analyze(context.Background(), eml, analyzer.Options{Resolver: r, Now: analysisTime(), Transport: transportAnswers{}})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if rep.Live == nil || !rep.Live.Enabled || len(rep.DNS) == 0 {
			t.Errorf("%s: no live checks in the report", path)
		}
		sameAsEncodingJSON(t, path, rep)
	}
}

// companionFixture answers as a companion would, with companionAnswers.
type companionFixture struct{}

func (companionFixture) MailTLS(context.Context, string) (jsonx.RawMessage, error) {
	mailTLS, _ := companionAnswers()
	return jsonx.RawMessage(mailTLS), nil
}

func (companionFixture) BIMI(context.Context, string) (jsonx.RawMessage, error) {
	_, bimi := companionAnswers()
	return jsonx.RawMessage(bimi), nil
}

// TestDomainReports runs the domain check on each fixture domain of
// testdata/domain, with and without a companion, and compares the
// reports' encoding and decoding with encoding/json's.
func TestDomainReports(t *testing.T) {
	dir := testdata("domain")
	zones, err := filepath.Glob(filepath.Join(dir, "*.zone"))
	if err != nil || len(zones) == 0 {
		t.Fatalf("no fixture zones: %v", err)
	}
	srv := domaintest.Server(t, dir)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones {
		domain := strings.TrimSuffix(dohtest.ZoneFile(z).Origin(), ".")
		for _, companion := range []domaincheck.Companion{nil, companionFixture{}} {
			rep := domaincheck.Check(context.Background(), domain, domaincheck.Options{Resolver: r, Exchanger: r, Companion: companion})
			sameAsEncodingJSON(t, domain, rep)
		}
	}
}
