package spf

import (
	"fmt"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/result"
)

// Lint codes. They are stable; the page and users filter on them.
const (
	LintMultipleRecords = "spf-multiple-records"   // §4.5: more than one record
	LintSyntax          = "spf-syntax"             // §4.6: the record does not parse
	LintPTR             = "spf-ptr"                // §5.5: ptr SHOULD NOT be used
	LintPMacro          = "spf-p-macro"            // §7.3: %{p} SHOULD NOT be used
	LintPlusAll         = "spf-plus-all"           // §5.1: +all authorizes the whole Internet
	LintNeutralAll      = "spf-neutral-all"        // ?all asserts nothing
	LintNoAll           = "spf-no-all"             // §4.7: neither all nor redirect
	LintTermsAfterAll   = "spf-terms-after-all"    // §5.1: terms after all are never tested
	LintRedirectIgnored = "spf-redirect-ignored"   // §6.1: redirect with all is ignored
	LintWideIP4         = "spf-wide-ip4"           // ip4 wider than /16
	LintWideIP6         = "spf-wide-ip6"           // ip6 wider than /48
	LintUnknownModifier = "spf-unknown-modifier"   // §6: ignored modifier
	LintLongRecord      = "spf-long-record"        // §3.4: over 450 octets
	LintLookupsNear     = "spf-lookups-near-limit" // §4.6.4: 8 to 10 lookups
	LintLookupLimit     = "spf-lookup-limit"       // §4.6.4: over 10 lookups
	LintVoidLookups     = "spf-void-lookups"       // §4.6.4: void lookups seen
	LintVoidLimit       = "spf-void-limit"         // §4.6.4: over the void limit
	LintIncludeNone     = "spf-include-none"       // §5.2: include target without record
	LintRedirectNone    = "spf-redirect-none"      // §6.1: redirect target without record
	LintExpUnusable     = "spf-exp-unusable"       // §6.2: exp= gave nothing
	LintSenderID        = "spf-sender-id"          // RFC 4406 record seen
	LintNone            = "spf-none"               // §4.5: no record at all
	LintSPFRRType       = "spf-rr-type-99"         // §3.1, §14.1: deprecated SPF RR type published
)

// nearLimit is the lookup count from which LintLookupsNear is reported.
const nearLimit = 8

func (c *checker) addLint(sev finding.Severity, code, msg string) {
	for _, f := range c.lint {
		if f.Code == code && f.Message == msg {
			return
		}
	}
	c.lint = append(c.lint, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "spf"})
}

// lintRecord reports on one record, once per domain.
func (c *checker) lintRecord(rec *Record, domain string) {
	if c.linted[domain] {
		return
	}
	c.linted[domain] = true
	if len(rec.Text) > 450 {
		// RFC 7208 §3.4: keep records small enough for one UDP answer.
		c.addLint(finding.Info, LintLongRecord, fmt.Sprintf("the SPF record of %s is %d octets; records over 450 octets risk truncated DNS answers (RFC 7208 §3.4)", domain, len(rec.Text)))
	}
	hasAll := false
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if hasAll && !t.Modifier {
			c.addLint(finding.Warning, LintTermsAfterAll, fmt.Sprintf("in the SPF record of %s, %q comes after \"all\" and is never evaluated (RFC 7208 §5.1)", domain, t.Text))
		}
		switch t.Name {
		case "all":
			if t.Modifier {
				break
			}
			hasAll = true
			switch t.Qualifier {
			case QPass:
				c.addLint(finding.Error, LintPlusAll, fmt.Sprintf("the SPF record of %s ends in %q, which authorizes every host on the Internet", domain, t.Text))
			case QNeutral:
				c.addLint(finding.Warning, LintNeutralAll, fmt.Sprintf("the SPF record of %s ends in \"?all\", which asserts nothing about other hosts", domain))
			}
		case "ptr":
			if !t.Modifier {
				c.addLint(finding.Warning, LintPTR, fmt.Sprintf("the SPF record of %s uses the ptr mechanism, which is slow and unreliable and SHOULD NOT be used (RFC 7208 §5.5)", domain))
			}
		case "ip4":
			if t.Prefix.Bits() < 16 {
				c.addLint(finding.Warning, LintWideIP4, fmt.Sprintf("the SPF record of %s authorizes %s, a network wider than /16", domain, t.Prefix))
			}
		case "ip6":
			if t.Prefix.Bits() < 48 {
				c.addLint(finding.Warning, LintWideIP6, fmt.Sprintf("the SPF record of %s authorizes %s, a network wider than /48", domain, t.Prefix))
			}
		case "redirect", "exp":
		default:
			if t.Modifier {
				c.addLint(finding.Info, LintUnknownModifier, fmt.Sprintf("the SPF record of %s has the unknown modifier %q, which is ignored (RFC 7208 §6)", domain, t.Text))
			}
		}
		if t.spec.hasMacro('p') {
			c.addLint(finding.Warning, LintPMacro, fmt.Sprintf("the SPF record of %s uses the %%{p} macro, which is slow and unreliable and SHOULD NOT be used (RFC 7208 §7.3)", domain))
		}
	}
	switch {
	case hasAll && rec.Redirect != nil:
		c.addLint(finding.Warning, LintRedirectIgnored, fmt.Sprintf("the SPF record of %s has both \"all\" and %q; the redirect is never used (RFC 7208 §5.1, §6.1)", domain, rec.Redirect.Text))
	case !hasAll && rec.Redirect == nil:
		c.addLint(finding.Info, LintNoAll, fmt.Sprintf("the SPF record of %s has no \"all\" and no redirect=; unmatched hosts get neutral (RFC 7208 §4.7)", domain))
	}
}

// lintResult reports on the whole evaluation.
func (c *checker) lintResult(r *Result) {
	switch {
	case c.lookups > MaxLookups:
		c.addLint(finding.Error, LintLookupLimit, fmt.Sprintf("evaluating the policy of %s needs more than %d DNS-querying terms, so it fails with permerror (RFC 7208 §4.6.4)", r.Domain, MaxLookups))
	case c.lookups >= nearLimit:
		c.addLint(finding.Warning, LintLookupsNear, fmt.Sprintf("evaluating the policy of %s needed %d of the %d DNS-querying terms allowed (RFC 7208 §4.6.4)", r.Domain, c.lookups, MaxLookups))
	}
	switch {
	case c.voids > c.voidLimit:
		c.addLint(finding.Error, LintVoidLimit, fmt.Sprintf("evaluating the policy of %s met more than %d lookups with no answer, so it fails with permerror (RFC 7208 §4.6.4)", r.Domain, c.voidLimit))
	case c.voids > 0:
		c.addLint(finding.Warning, LintVoidLookups, fmt.Sprintf("evaluating the policy of %s met %d lookup(s) with no answer (NXDOMAIN or no data); more than %d is a permerror (RFC 7208 §4.6.4)", r.Domain, c.voids, c.voidLimit))
	}
	if r.Result == result.None && len(r.Trace) > 0 {
		c.addLint(finding.Info, LintNone, fmt.Sprintf("%s publishes no SPF record", r.Domain))
	}
}
