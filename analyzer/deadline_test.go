//go:build !js

package analyzer_test

import (
	"context"
	"os"
	"testing"
	"time"

	"headerlens/analyzer"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// TestResolverThatNeverAnswers checks that a DoH server that holds every
// query can not hang the analysis: the run's deadline ends it, and every
// live check reports a temporary error instead of a verdict.
func TestResolverThatNeverAnswers(t *testing.T) {
	eml, err := os.ReadFile("../testdata/analyze/01-all-pass.eml")
	if err != nil {
		t.Fatal(err)
	}
	srv := dohtest.NewServer(t)
	srv.FailAll(dohtest.FailTimeout)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := analyzer.Analyze(context.Background(), eml, analyzer.Options{Resolver: r, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("analysis took %v with a 1.5 s deadline", d)
	}
	l := rep.Live
	if l.SPF == nil || l.SPF.Result != "temperror" {
		t.Errorf("spf = %+v, want temperror", l.SPF)
	}
	for _, d := range l.DKIM {
		if d.Result != "temperror" {
			t.Errorf("dkim %s: %s, want temperror", d.Selector, d.Result)
		}
	}
	if l.DMARC == nil || l.DMARC.Result != "temperror" {
		t.Errorf("dmarc = %+v, want temperror", l.DMARC)
	}
}
