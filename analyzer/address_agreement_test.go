//go:build !js

package analyzer_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"headerlens/analyzer"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// TestFromDomainAgreement: on hostile From fields, the summary and DMARC's
// Author Domain name the same domain, since both read the field through
// headerlens/analyzer/address (the findings rules too).
func TestFromDomainAgreement(t *testing.T) {
	srv := dohtest.NewServer(t)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, want string
	}{
		{`Alice <alice@example.org>`, "example.org"},
		{`alice@example.org, bob@example.org`, "example.org"},
		{`alice@example.org, mallory@evil.example`, "example.org"},
		{`<a@example.org> <b@evil.example>`, "example.org"},
		{`team: a@example.org, b@example.org;`, "example.org"},
		{`undisclosed-recipients:;`, ""},
		{`a@example.org (b@bank.example)`, "example.org"},
		{`=?utf-8?q?Bank_=3Cservice@bank.example=3E?= <x@phish.example>`, "phish.example"},
		{`"service@bank.example <service@bank.example>" <x@phish.example>`, "phish.example"},
		{`"Doe, John" <john@example.org>`, "example.org"},
		{`user@bücher.example`, "bücher.example"},
		{`user@xn--bcher-kva.example`, "xn--bcher-kva.example"},
		{`Broken <<evil@x.example>`, "x.example"},
		{`Missing bracket <a@example.org`, "example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			msg := "From: " + tt.from + "\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n"
			rep, err := analyzer.Analyze(context.Background(), []byte(msg), analyzer.Options{Resolver: r})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Summary.FromDomain; got != tt.want {
				t.Errorf("summary fromDomain: got %q, want %q", got, tt.want)
			}
			d := rep.Live.DMARC
			if d == nil {
				t.Fatal("no DMARC result")
			}
			want, _ := idna.Lookup.ToASCII(tt.want)
			if d.FromDomain != "" && !strings.EqualFold(d.FromDomain, want) {
				t.Errorf("DMARC fromDomain %q, summary %q: they disagree", d.FromDomain, rep.Summary.FromDomain)
			}
			if d.FromDomain == "" && tt.want != "" {
				t.Errorf("DMARC found no Author Domain (%s: %s), summary %q", d.Result, d.Reason, tt.want)
			}
		})
	}
}
