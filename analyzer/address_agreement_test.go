//go:build !js

package analyzer_test

import (
	"context"
	"slices"
	"testing"

	"headerlens/analyzer"
	"headerlens/analyzer/dmarc"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/rules"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// TestFromDomainAgreement analyzes messages whose From field is hostile
// and checks that the three views of the report name the same From
// domain: the summary (summary.fromDomain), DMARC's Author Domain
// (live.dmarc.fromDomain, in A-labels, RFC 7489 §3.1) and the findings
// rules. The rules compare organizational domains, so the report shows
// their From domain through the Return-Path rule (RFC 7489 §3.1.2): a
// Return-Path in the expected domain gives no from-returnpath-mismatch,
// one elsewhere gives it.
func TestFromDomainAgreement(t *testing.T) {
	srv := dohtest.NewServer(t)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	const noField = "\x00" // the message has no From field
	tests := []struct {
		from string
		want string // summary.fromDomain
		// dmarc is the DMARC finding that refuses the From field, ""
		// when DMARC takes want as the Author Domain.
		dmarc string
	}{
		{`Alice <alice@example.org>`, "example.org", ""},
		{`alice@example.org, bob@Example.ORG`, "example.org", ""},
		{`alice@example.org, mallory@evil.example`, "example.org", "dmarc-multiple-from-domains"},
		{`<a@example.org> <b@evil.example>`, "example.org", "dmarc-multiple-from-domains"},
		{`team: a@example.org, b@example.org;`, "example.org", ""},
		{`team: a@example.org, b@evil.example;`, "example.org", "dmarc-multiple-from-domains"},
		{`undisclosed-recipients:;`, "", "dmarc-no-from"},
		{`a@example.org (b@bank.example)`, "example.org", ""},
		{`a@example.org (b@bank.example), <`, "example.org", ""},
		{`=?utf-8?q?J=C3=B6rg?= <a@example.org>`, "example.org", ""},
		{`=?utf-8?q?Bank_=3Cservice@bank.example=3E?= <x@phish.example>`, "phish.example", ""},
		{`=?x-unknown?q?a?= <a@example.org> (see <b@evil.example>)`, "example.org", ""},
		{`"service@bank.example <service@bank.example>" <x@phish.example>`, "phish.example", ""},
		{`service@bank.example <x@phish.example>`, "phish.example", ""},
		{`Bank <ceo@bank.example <x@phish.example>`, "phish.example", ""},
		{`"Doe, John" <john@example.org>`, "example.org", ""},
		{`"a,b"@example.org`, "example.org", ""},
		{`"a,b"@example.org, <`, "example.org", ""},
		{`user@bücher.example`, "bücher.example", ""},
		{`User@Bücher.Example.`, "bücher.example", ""},
		{`user@xn--bcher-kva.example`, "xn--bcher-kva.example", ""},
		{`Broken <<evil@x.example>`, "x.example", ""},
		{`Missing bracket <a@example.org`, "example.org", ""},
		{`A <a@example.org, B <b@evil.example>`, "example.org", "dmarc-multiple-from-domains"},
		{`a@[192.0.2.1]`, "[192.0.2.1]", "dmarc-bad-from"},
		{`a@`, "", "dmarc-bad-from"},
		{`Alice Example`, "", "dmarc-no-from"},
		{``, "", "dmarc-no-from"},
		{noField, "", "dmarc-no-from"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			header := "From: " + tt.from + "\r\n"
			if tt.from == noField {
				header = ""
			}
			header += "To: b@example.net\r\nSubject: s\r\n"
			rep, err := analyzer.Analyze(context.Background(), []byte(header+"\r\nbody\r\n"), analyzer.Options{Resolver: r})
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
			wantDMARC := ""
			if tt.dmarc == "" || tt.dmarc == "dmarc-multiple-from-domains" {
				if wantDMARC, err = dmarc.NormalizeDomain(tt.want); err != nil {
					t.Fatalf("NormalizeDomain(%q): %v", tt.want, err)
				}
			}
			if d.FromDomain != wantDMARC {
				t.Errorf("DMARC fromDomain: got %q, want %q (summary %q)", d.FromDomain, wantDMARC, rep.Summary.FromDomain)
			}
			if got := codes(d.Findings); tt.dmarc != "" && !slices.Contains(got, tt.dmarc) {
				t.Errorf("DMARC findings: got %v, want %v", got, tt.dmarc)
			}

			// The findings rules: no mismatch with a Return-Path in
			// the expected domain, a mismatch with one elsewhere.
			for _, rp := range []string{"bounce@" + tt.want, "bounce@elsewhere.invalid"} {
				if tt.want == "" && rp == "bounce@" {
					continue
				}
				rep, err := analyzer.Analyze(context.Background(), []byte("Return-Path: <"+rp+">\r\n"+header+"\r\nbody\r\n"), analyzer.Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := slices.Contains(codes(rep.Findings), rules.CodeFromReturnPathMismatch)
				want := tt.want != "" && rp == "bounce@elsewhere.invalid"
				if got != want {
					t.Errorf("Return-Path %s: %s finding: got %v, want %v", rp, rules.CodeFromReturnPathMismatch, got, want)
				}
				if got, want := slices.Contains(codes(rep.Findings), rules.CodeMissingFrom), tt.from == noField; got != want {
					t.Errorf("%s finding: got %v, want %v", rules.CodeMissingFrom, got, want)
				}
			}
		})
	}
}

// codes lists the codes of fs.
func codes(fs []finding.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}
