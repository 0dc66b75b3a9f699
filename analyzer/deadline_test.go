//go:build !js

package analyzer_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"headerlens/analyzer"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
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

// deadlineRecorder passes every query to a real resolver and records the
// deadline of each TXT query's context.
type deadlineRecorder struct {
	lookup.Resolver
	mu        sync.Mutex
	deadlines map[string]time.Time
}

func (d *deadlineRecorder) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if dl, ok := ctx.Deadline(); ok {
		d.mu.Lock()
		d.deadlines[strings.TrimSuffix(name, ".")] = dl
		d.mu.Unlock()
	}
	return d.Resolver.LookupTXT(ctx, name)
}

// TestOneDeadline checks that the analysis timeout is the deadline of
// every check: SPF, whose own default is 20 s (RFC 7208 §4.6.4), gets a
// longer timeout when the analysis has one, and a shorter one likewise.
func TestOneDeadline(t *testing.T) {
	eml, err := os.ReadFile("../testdata/analyze/01-all-pass.eml")
	if err != nil {
		t.Fatal(err)
	}
	srv := dohtest.NewServer(t, loadZones(t, "../testdata/analyze/01-all-pass.zone")...)
	for _, timeout := range []time.Duration{45 * time.Second, 3 * time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
			if err != nil {
				t.Fatal(err)
			}
			rec := &deadlineRecorder{Resolver: r, deadlines: map[string]time.Time{}}
			start := time.Now()
			if _, err := analyzer.Analyze(context.Background(), eml, analyzer.Options{Resolver: rec, Timeout: timeout}); err != nil {
				t.Fatal(err)
			}
			want := start.Add(timeout)
			for _, name := range []string{"news.example.com", "_dmarc.news.example.com"} {
				got, ok := rec.deadlines[name]
				if !ok {
					t.Fatalf("no TXT query for %s with a deadline (got %v)", name, rec.deadlines)
				}
				if d := got.Sub(want); d < -time.Second || d > time.Second {
					t.Errorf("%s: query deadline %v after the start, want %v", name, got.Sub(start).Round(time.Millisecond), timeout)
				}
			}
		})
	}
}
