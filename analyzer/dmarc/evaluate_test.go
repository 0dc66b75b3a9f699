package dmarc

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/result"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

func findingCodes(res Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Code)
	}
	return out
}

func evaluate(t *testing.T, in Input, rrs ...string) (Result, *dohtest.Server) {
	t.Helper()
	srv, r := newFixture(t, rrs...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Evaluate(ctx, r, in), srv
}

// want lists the fields a case checks; empty strings are not checked
// unless the field is listed in empty.
type want struct {
	result, org, policy, source, applied, recordDomain string
	spf, dkim                                          string // mechanism results
	codes                                              []string
	notCodes                                           []string
	treeWalkOrg, pslOrg                                string
}

func (w want) check(t *testing.T, res Result) {
	t.Helper()
	eq := func(field, got, want string) {
		t.Helper()
		if want != "" && got != want {
			t.Errorf("%s: got %q, want %q (reason: %s)", field, got, want, res.Reason)
		}
	}
	eq("result", string(res.Result), w.result)
	eq("orgDomain", res.OrgDomain, w.org)
	eq("policy", string(res.Policy), w.policy)
	eq("policySource", res.PolicySource, w.source)
	eq("appliedPolicy", string(res.AppliedPolicy), w.applied)
	eq("recordDomain", res.RecordDomain, w.recordDomain)
	eq("alignment.spf.result", string(res.Alignment.SPF.Result), w.spf)
	eq("alignment.dkim.result", string(res.Alignment.DKIM.Result), w.dkim)
	eq("orgDomains.treeWalk", res.OrgDomains.TreeWalk, w.treeWalkOrg)
	eq("orgDomains.psl", res.OrgDomains.PSL, w.pslOrg)
	got := findingCodes(res)
	for _, c := range w.codes {
		if !slices.Contains(got, c) {
			t.Errorf("findings: got %v, want %s among them", got, c)
		}
	}
	for _, c := range w.notCodes {
		if slices.Contains(got, c) {
			t.Errorf("findings: got %v, want no %s", got, c)
		}
	}
	if res.SPFAligned != (res.Alignment.SPF.Result == result.Pass) || res.DKIMAligned != (res.Alignment.DKIM.Result == result.Pass) {
		t.Errorf("spfAligned/dkimAligned: got %v/%v, want them to match alignment results %s/%s", res.SPFAligned, res.DKIMAligned, res.Alignment.SPF.Result, res.Alignment.DKIM.Result)
	}
}

func dkimPass(domains ...string) []DKIM {
	var out []DKIM
	for _, d := range domains {
		out = append(out, DKIM{Domain: d, Result: "pass"})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		rrs  []string
		want want
	}{
		// Strict alignment: exact names only, case and trailing dot
		// ignored.
		{
			name: "strict DKIM and SPF, case and trailing dot",
			in: Input{From: "a@Example.COM", SPF: SPF{Result: "pass", MailFrom: "bounce@EXAMPLE.com."},
				DKIM: dkimPass("example.com.")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s")},
			want: want{result: "pass", spf: "pass", dkim: "pass", policy: "reject", source: "p", applied: "none", recordDomain: "example.com"},
		},
		{
			name: "strict: identifier is a subdomain of From",
			in: Input{From: "a@example.com", SPF: SPF{Result: "pass", MailFrom: "b@mail.example.com"},
				DKIM: dkimPass("mail.example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s")},
			want: want{result: "fail", spf: "fail", dkim: "fail", policy: "reject", applied: "reject", codes: []string{"dmarc-fail"}},
		},
		{
			name: "strict: From is a subdomain of the identifier",
			in: Input{From: "a@mail.example.com", SPF: SPF{Result: "pass", MailFrom: "b@example.com"},
				DKIM: dkimPass("example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=s")},
			want: want{result: "fail", spf: "fail", dkim: "fail", policy: "reject", source: "sp", applied: "reject", recordDomain: "example.com"},
		},
		{
			name: "strict DKIM, relaxed SPF: SPF aligns on the Organizational Domain",
			in: Input{From: "a@example.com", SPF: SPF{Result: "pass", MailFrom: "b@bounce.example.com"},
				DKIM: dkimPass("mail.example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s")},
			want: want{result: "pass", spf: "pass", dkim: "fail", org: "example.com"},
		},
		{
			name: "strict with co.uk: the suffix is not the same name",
			in:   Input{From: "a@example.co.uk", DKIM: dkimPass("co.uk")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.co.uk", "v=DMARC1; p=reject; adkim=s")},
			want: want{result: "fail", dkim: "fail", spf: "none"},
		},
		// Relaxed alignment with the tree walk.
		{
			name: "relaxed: sibling subdomains share example.com",
			in:   Input{From: "a@news.example.com", DKIM: dkimPass("mail.example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "pass", dkim: "pass", org: "example.com", policy: "reject", source: "p", recordDomain: "example.com"},
		},
		{
			name: "relaxed: unrelated domain",
			in:   Input{From: "a@example.com", DKIM: dkimPass("example.net"), SPF: SPF{Result: "pass", MailFrom: "x@example.org"}},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=quarantine; rua=mailto:d@example.com")},
			want: want{result: "fail", dkim: "fail", spf: "fail", applied: "quarantine"},
		},
		{
			name: "relaxed: suffix that is not a label boundary",
			in:   Input{From: "a@example.com", DKIM: dkimPass("badexample.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "fail", dkim: "fail"},
		},
		{
			name: "tree walk: a suffix with a DMARC record but no psd tag is an Organizational Domain",
			in:   Input{From: "a@foo.blogspot.com", DKIM: dkimPass("bar.blogspot.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.blogspot.com", "v=DMARC1; p=reject")},
			want: want{result: "pass", dkim: "pass", org: "blogspot.com", pslOrg: "foo.blogspot.com", treeWalkOrg: "blogspot.com",
				source: "p", codes: []string{"dmarc-org-domain-methods-differ", "dmarc-psl-private-suffix", "dmarc-inherited-policy"}},
		},
		{
			name: "tree walk: psd=y at the suffix keeps siblings apart",
			in:   Input{From: "a@foo.blogspot.com", DKIM: dkimPass("bar.blogspot.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.blogspot.com", "v=DMARC1; p=reject; psd=y")},
			want: want{result: "fail", dkim: "fail", org: "foo.blogspot.com", policy: "reject", codes: []string{"dmarc-psd-policy"}},
		},
		{
			name: "tree walk: identifier below a psd=n Organizational Domain",
			in:   Input{From: "a@b.mail.example.com", DKIM: dkimPass("c.mail.example.com")},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=none"),
			},
			want: want{result: "pass", dkim: "pass", org: "mail.example.com", policy: "reject", recordDomain: "mail.example.com"},
		},
		{
			name: "tree walk: psd=n splits mail.example.com from example.com",
			in:   Input{From: "a@b.mail.example.com", DKIM: dkimPass("example.com")},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=none"),
			},
			want: want{result: "fail", dkim: "fail", org: "mail.example.com", pslOrg: "example.com"},
		},
		{
			name: "tree walk: the record with the fewest labels is the Organizational Domain (RFC 9989 §4.10.2)",
			in:   Input{From: "a@a.mail.example.com"},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.mail.example.com", "v=DMARC1; p=reject"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine"),
				"a.mail.example.com. 300 IN A 192.0.2.1",
			},
			want: want{result: "fail", org: "example.com", recordDomain: "example.com", policy: "quarantine", source: "sp"},
		},
		{
			name: "tree walk: several records at an intermediate name are discarded, the walk goes on",
			in:   Input{From: "a@a.mail.example.com", DKIM: dkimPass("example.com")},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.mail.example.com", "v=DMARC1; p=reject"),
				dohtest.TXTStrings("_dmarc.mail.example.com", "v=DMARC1; p=none"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=quarantine"),
			},
			want: want{result: "pass", org: "example.com", codes: []string{"dmarc-walk-multiple-records"}},
		},
		// SPF identity.
		{
			name: "SPF: HELO identity when MAIL FROM is null (RFC 7208 §2.4)",
			in:   Input{From: "a@example.com", SPF: SPF{Result: "pass", MailFrom: "<>", Helo: "mx.example.com"}},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "pass", spf: "pass", dkim: "none"},
		},
		{
			name: "SPF: HELO is not used when MAIL FROM is set",
			in:   Input{From: "a@example.com", SPF: SPF{Result: "pass", MailFrom: "x@example.net", Helo: "mx.example.com"}},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "fail", spf: "fail"},
		},
		{
			name: "SPF softfail does not authenticate; DKIM fail does not either",
			in: Input{From: "a@example.com", SPF: SPF{Result: "softfail", MailFrom: "x@example.com"},
				DKIM: []DKIM{{Domain: "example.com", Result: "fail"}, {Domain: "example.com", Result: "temperror"}}},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "fail", spf: "none", dkim: "none"},
		},
		{
			name: "DKIM: one aligned signature among others is enough",
			in:   Input{From: "a@example.com", DKIM: dkimPass("esp.example.net", "example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "pass", dkim: "pass"},
		},
		// Policy selection.
		{
			name: "np for a non-existent subdomain",
			in:   Input{From: "a@ghost.example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none")},
			want: want{result: "fail", policy: "none", source: "np", applied: "none"},
		},
		{
			name: "sp for an existing subdomain (AAAA only)",
			in:   Input{From: "a@v6.example.com"},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none"),
				"v6.example.com. 300 IN AAAA 2001:db8::1",
			},
			want: want{result: "fail", policy: "quarantine", source: "sp"},
		},
		{
			name: "np: a TXT-only subdomain answers NODATA, so it exists (RFC 8020) and sp applies",
			in:   Input{From: "a@bounce.example.com"},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none"),
				dohtest.TXTStrings("bounce.example.com", "v=spf1 -all"),
			},
			want: want{result: "fail", policy: "quarantine", source: "sp"},
		},
		{
			name: "np: an MX-only subdomain exists",
			in:   Input{From: "a@mx.example.com"},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none"),
				"mx.example.com. 300 IN MX 10 mail.example.net.",
			},
			want: want{result: "fail", policy: "quarantine", source: "sp"},
		},
		{
			name: "np is not consulted for the Author Domain's own record",
			in:   Input{From: "a@example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; np=none")},
			want: want{result: "fail", policy: "reject", source: "p"},
		},
		{
			name: "t=y on a pass: the policy is reported downgraded, nothing applied",
			in:   Input{From: "a@example.com", DKIM: dkimPass("example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; t=y")},
			want: want{result: "pass", policy: "quarantine", applied: "none", codes: []string{"dmarc-testing"}},
		},
		{
			name: "pct does not change the outcome",
			in:   Input{From: "a@example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; pct=0")},
			want: want{result: "fail", policy: "reject", applied: "reject", codes: []string{"dmarc-pct-partial"}},
		},
		{
			name: "no usable policy: none",
			in:   Input{From: "a@example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=maybe")},
			want: want{result: "none", codes: []string{"dmarc-p-invalid", "dmarc-no-policy"}},
		},
		{
			name: "a wrongly cased version is reported and ignored",
			in:   Input{From: "a@example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=dmarc1; p=reject")},
			want: want{result: "none", codes: []string{"dmarc-bad-version", "dmarc-no-record"}},
		},
		{
			name: "several records at the Author Domain: none",
			in:   Input{From: "a@example.com", DKIM: dkimPass("example.com")},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=none"),
			},
			want: want{result: "none", codes: []string{"dmarc-multiple-records"}},
		},
		{
			name: "PSD record applies when the Organizational Domain has none",
			in:   Input{From: "a@mail.giant.bank.example"},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; psd=y"),
				"mail.giant.bank.example. 300 IN MX 10 mx.bank.example.",
			},
			want: want{result: "fail", org: "giant.bank.example", recordDomain: "bank.example", policy: "quarantine", source: "sp", codes: []string{"dmarc-psd-policy"}},
		},
		{
			name: "deep From name: the shortcut is noted",
			in:   Input{From: "a@a.b.c.d.e.f.g.h.i.j.mail.example.com"},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "fail", org: "example.com", codes: []string{"dmarc-walk-shortcut"}},
		},
		// From problems.
		{
			name: "no From",
			in:   Input{From: ""},
			want: want{result: "none", codes: []string{"dmarc-no-from"}},
		},
		{
			name: "From with two domains",
			in:   Input{From: "a@example.com, b@example.net"},
			want: want{result: "permerror", codes: []string{"dmarc-multiple-from-domains"}},
		},
		{
			name: "From with an address literal",
			in:   Input{From: "a@[192.0.2.1]"},
			want: want{result: "permerror", codes: []string{"dmarc-bad-from"}},
		},
		{
			name: "From with two addresses in one domain",
			in:   Input{From: "a@example.com, b@example.com", DKIM: dkimPass("example.com")},
			rrs:  []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			want: want{result: "pass", codes: []string{"dmarc-multiple-from"}},
		},
		{
			name: "no record anywhere",
			in:   Input{From: "a@example.com", DKIM: dkimPass("example.com")},
			want: want{result: "none", dkim: "pass", org: "example.com", codes: []string{"dmarc-no-record"}},
		},
		// The PSL method.
		{
			name: "PSL: record at the Organizational Domain, sp applies",
			in:   Input{From: "a@mail.example.co.uk", DKIM: dkimPass("example.co.uk"), Method: MethodPSL},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine"),
				"mail.example.co.uk. 300 IN A 192.0.2.1",
			},
			want: want{result: "pass", org: "example.co.uk", recordDomain: "example.co.uk", policy: "quarantine", source: "sp", dkim: "pass",
				pslOrg: "example.co.uk", treeWalkOrg: "example.co.uk"},
		},
		{
			name: "PSL: the private section keeps blogspot.com siblings apart",
			in:   Input{From: "a@foo.blogspot.com", DKIM: dkimPass("bar.blogspot.com"), Method: MethodPSL},
			rrs:  []string{dohtest.TXTStrings("_dmarc.foo.blogspot.com", "v=DMARC1; p=reject")},
			want: want{result: "fail", dkim: "fail", org: "foo.blogspot.com"},
		},
		{
			name: "PSL: a psd=y record at an unlisted suffix is the Organizational Domain's record",
			in:   Input{From: "a@sub.giant.bank.example", Method: MethodPSL},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.bank.example", "v=DMARC1; p=reject; sp=none; psd=y"),
				"sub.giant.bank.example. 300 IN A 192.0.2.1",
			},
			want: want{result: "fail", org: "bank.example", recordDomain: "bank.example", policy: "none", source: "sp",
				pslOrg: "bank.example", treeWalkOrg: "giant.bank.example", codes: []string{"dmarc-org-domain-methods-differ", "dmarc-psd-ignored-by-psl"}},
		},
		{
			name: "PSL: several records at the Organizational Domain",
			in:   Input{From: "a@mail.example.com", Method: MethodPSL},
			rrs: []string{
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject"),
				dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=none"),
			},
			want: want{result: "none", codes: []string{"dmarc-multiple-records"}},
		},
		{
			name: "PSL: no record",
			in:   Input{From: "a@mail.example.com", Method: MethodPSL},
			want: want{result: "none", org: "example.com", codes: []string{"dmarc-no-record"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := evaluate(t, tc.in, tc.rrs...)
			tc.want.check(t, res)
			if res.Findings == nil {
				t.Errorf("findings: got nil, want a (possibly empty) list")
			}
		})
	}
}

// TestEvaluateDNSFailures covers transient DNS failures (SERVFAIL) at each
// point of discovery and alignment.
func TestEvaluateDNSFailures(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		rrs    []string
		failAt []string
		want   want
	}{
		{
			name:   "the Author Domain query fails",
			in:     Input{From: "a@example.com", DKIM: dkimPass("example.com")},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.example.com"},
			want:   want{result: "temperror", codes: []string{"dmarc-temperror"}},
		},
		{
			name:   "a parent query fails before any record is found",
			in:     Input{From: "a@mail.example.com"},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.example.com"},
			want:   want{result: "temperror"},
		},
		{
			name:   "the TLD query fails after the Author Domain's record: an identical identifier still passes",
			in:     Input{From: "a@example.com", DKIM: dkimPass("example.com")},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.com"},
			want:   want{result: "pass", dkim: "pass", policy: "reject", codes: []string{"dmarc-org-domain-undetermined"}},
		},
		{
			name:   "the TLD query fails: relaxed alignment of a subdomain is undetermined",
			in:     Input{From: "a@example.com", DKIM: dkimPass("mail.example.com")},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.com"},
			want:   want{result: "temperror", dkim: "temperror", policy: "reject"},
		},
		{
			name:   "the TLD query fails but strict mode needs no Organizational Domain",
			in:     Input{From: "a@example.com", DKIM: dkimPass("mail.example.com")},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s")},
			failAt: []string{"_dmarc.com"},
			want:   want{result: "fail", dkim: "fail"},
		},
		{
			name:   "an identifier's own walk fails",
			in:     Input{From: "a@example.com", DKIM: dkimPass("mail.example.com")},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.mail.example.com"},
			want:   want{result: "temperror", dkim: "temperror"},
		},
		{
			name:   "the existence test fails: np is not applied",
			in:     Input{From: "a@sub.example.com"},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none")},
			failAt: []string{"sub.example.com"},
			want:   want{result: "fail", policy: "quarantine", source: "sp", codes: []string{"dmarc-existence-unknown"}},
		},
		{
			name:   "PSL: the Organizational Domain query fails",
			in:     Input{From: "a@mail.example.com", Method: MethodPSL},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.example.com"},
			want:   want{result: "temperror"},
		},
		{
			name:   "PSL: the comparison walk fails, PSL discovery does not care",
			in:     Input{From: "a@example.com", DKIM: dkimPass("mail.example.com"), Method: MethodPSL},
			rrs:    []string{dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject")},
			failAt: []string{"_dmarc.com"},
			want:   want{result: "pass", dkim: "pass", pslOrg: "example.com"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, r := newFixture(t, tc.rrs...)
			for _, n := range tc.failAt {
				srv.Fail(n, dohtest.FailServfail)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res := Evaluate(ctx, r, tc.in)
			tc.want.check(t, res)
		})
	}
}

// TestEvaluateContract checks the JSON names of the live.dmarc contract.
func TestEvaluateContract(t *testing.T) {
	res, _ := evaluate(t, Input{From: "a@mail.example.com", SPF: SPF{Result: "pass", MailFrom: "b@example.com"}},
		dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; np=none; pct=50; rua=mailto:d@example.com"),
		"mail.example.com. 300 IN A 192.0.2.1")
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"result", "fromDomain", "orgDomain", "policy", "record", "spfAligned", "dkimAligned",
		"recordDomain", "discovery", "appliedPolicy", "policySource", "alignment", "tags", "reason", "findings", "orgDomains", "walk"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON: got keys %v, want %q", keys(m), k)
		}
	}
	// RFC 9989 Appendix A.6: pct is historic; it is not a result field.
	if _, ok := m["pct"]; ok {
		t.Errorf("JSON: got a pct key, want none")
	}
	for k := range m {
		if strings.ContainsAny(k, "_-") || k[0] < 'a' || k[0] > 'z' {
			t.Errorf("JSON key %q: want camelCase", k)
		}
	}
	want := map[string]any{"result": "pass", "fromDomain": "mail.example.com", "orgDomain": "example.com", "policy": "reject",
		"spfAligned": true, "dkimAligned": false, "discovery": "tree-walk", "policySource": "p", "appliedPolicy": "none"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("JSON %s: got %v, want %v", k, m[k], v)
		}
	}
	al := m["alignment"].(map[string]any)["spf"].(map[string]any)
	if al["mode"] != "relaxed" || al["result"] != "pass" || al["domain"] != "example.com" {
		t.Errorf("JSON alignment.spf: got %v, want relaxed pass on example.com", al)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestEvaluateConcurrentWalk checks that the names of a tree walk are
// queried at once: with 150 ms per answer, a sequential eight-query walk
// takes 1.2 s.
func TestEvaluateConcurrentWalk(t *testing.T) {
	srv, r := newFixture(t, dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject"))
	srv.SetLatency(150 * time.Millisecond)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := Evaluate(ctx, r, Input{From: "a@a.b.c.d.e.f.g.h.example.com"})
	elapsed := time.Since(start)
	if res.Result != result.Fail || res.OrgDomain != "example.com" {
		t.Fatalf("got %s with org %q, want fail with org example.com", res.Result, res.OrgDomain)
	}
	if got := len(dmarcQueries(srv)); got != 8 {
		t.Errorf("queries: got %d, want 8", got)
	}
	if elapsed > 900*time.Millisecond {
		t.Errorf("elapsed: got %v, want well under the 1.2 s of a sequential walk", elapsed)
	}
}

// TestEvaluateQueryLog checks that queries go through the resolver with the
// caller's context (so they land in its lookup.Log), and that the PSL
// method adds no query that the tree walk comparison does not need.
func TestEvaluateQueryLog(t *testing.T) {
	srv, r := newFixture(t, dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject"))
	var log lookup.Log
	ctx := lookup.WithLog(context.Background(), &log)
	res := Evaluate(ctx, r, Input{From: "a@mail.example.com", DKIM: dkimPass("example.com"), Method: MethodPSL})
	if res.Result != result.Pass {
		t.Fatalf("result: got %s, want pass", res.Result)
	}
	var names []string
	for _, q := range log.Queries() {
		names = append(names, q.Name)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	want := []string{"_dmarc.com", "_dmarc.example.com", "_dmarc.mail.example.com"}
	if !slices.Equal(names, want) {
		t.Errorf("logged names: got %v, want %v", names, want)
	}
	if got := dmarcQueries(srv); !slices.Equal(got, want) {
		t.Errorf("server saw: got %v, want %v", got, want)
	}
	if len(res.Walk) != 2 || res.Walk[0].Name != "_dmarc.mail.example.com" || res.Walk[1].Status != StatusRecord {
		t.Errorf("walk: got %+v, want the Author Domain then the Organizational Domain", res.Walk)
	}
}

// TestEvaluateCancelled checks that Evaluate returns promptly when the
// context ends while the server holds every answer.
func TestEvaluateCancelled(t *testing.T) {
	srv, r := newFixture(t)
	srv.FailAll(dohtest.FailTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := Evaluate(ctx, r, Input{From: "a@example.com"})
	if res.Result != result.TempError {
		t.Errorf("result: got %s, want temperror", res.Result)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("elapsed: got %v, want about 200 ms", el)
	}
}
