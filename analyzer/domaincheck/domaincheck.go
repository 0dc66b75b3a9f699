// Package domaincheck answers, for a domain alone, whether its mail is
// protected: MX (RFC 5321 §5.1, null MX RFC 7505), SPF (RFC 7208), DMARC
// (RFC 7489, RFC 9989), DKIM keys (RFC 6376, RFC 8463), MTA-STS (RFC 8461),
// TLS-RPT (RFC 8460), BIMI (draft-brand-indicators-for-message-identification)
// and DANE TLSA (RFC 7672, RFC 6698). It does no networking of its own: DNS
// goes through the lookup.Resolver and lookup.Exchanger given in Options, and
// the checks needing a TCP connection (MTA-STS policy, STARTTLS, BIMI logo)
// say they were not checked when no companion is available.
package domaincheck

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"headerlens/analyzer/dmarc"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/mailtls"
	"headerlens/analyzer/spf"
	"headerlens/dnswire"
	"headerlens/lookup"
)

// Status is the verdict of one check.
type Status string

// Statuses.
const (
	// OK: configured and nothing wrong found.
	OK Status = "ok"
	// Warning: configured with weaknesses.
	Warning Status = "warning"
	// Error: configured but broken, or the lookup failed.
	Error Status = "error"
	// Missing: nothing published.
	Missing Status = "missing"
	// NotChecked: the check needs something the caller did not provide
	// (a companion server, an Exchanger); Reason says what.
	NotChecked Status = "not-checked"
)

// Limits on attacker-controlled data.
const (
	// MaxRecordLen bounds a TXT record kept in the report.
	MaxRecordLen = 4096
	// MaxMX bounds the MX hosts examined.
	MaxMX = 10
	// MaxSelectors bounds the DKIM selectors tried.
	MaxSelectors = 20
	// maxDomainLen is RFC 1035 §2.3.4's 253 characters (no final dot).
	maxDomainLen = 253
)

// CommonSelectors are DKIM selectors widely used by mail providers, tried
// in addition to Options.Selectors.
var CommonSelectors = []string{"default", "selector1", "selector2", "google", "k1", "s1", "s2", "dkim", "mail"}

// Options tune a check.
type Options struct {
	// Resolver answers the DNS queries; required.
	Resolver lookup.Resolver
	// Exchanger, when set, is asked for TLSA records and the AD bit
	// (DANE); nil: DANE is not checked.
	Exchanger lookup.Exchanger
	// Selectors are DKIM selectors to try before CommonSelectors.
	Selectors []string
	// Companion, when set, probes STARTTLS on each MX and fetches the
	// MTA-STS policy; nil: those checks say they were not done.
	Companion Companion
}

// CheckResult is the result of one check.
type CheckResult struct {
	// Status is the verdict.
	Status Status `json:"status"`
	// Reason says, for NotChecked, what was missing.
	Reason string `json:"reason,omitempty"`
	// Records are the DNS records found, as published (clipped).
	Records []string `json:"records,omitempty"`
	// Findings explain the status, each with its RFC citation.
	Findings []finding.Finding `json:"findings,omitempty"`
}

func (c *CheckResult) add(sev finding.Severity, code, msg string) {
	c.Findings = append(c.Findings, finding.Finding{Severity: sev, Code: code, Message: msg})
}

// has reports whether c has a finding with code.
func (c *CheckResult) has(code string) bool {
	for _, f := range c.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// MainFinding is the finding that explains Status: the first error, or,
// when Status is Warning, the first warning; nil when there is none (an
// ok, missing or not-checked check, or findings of information only).
func (c *CheckResult) MainFinding() *finding.Finding {
	for i, f := range c.Findings {
		if f.Severity == finding.Error || (c.Status == Warning && f.Severity == finding.Warning) {
			return &c.Findings[i]
		}
	}
	return nil
}

// settle derives Status from the findings when not already set.
func (c *CheckResult) settle() {
	if c.Status != "" {
		return
	}
	c.Status = OK
	for _, f := range c.Findings {
		switch f.Severity {
		case finding.Error:
			c.Status = Error
			return
		case finding.Warning:
			c.Status = Warning
		}
	}
}

// MXHost is one MX record.
type MXHost struct {
	// Host is the exchange name, no final dot.
	Host string `json:"host"`
	// Preference is the MX preference.
	Preference uint16 `json:"preference"`
	// Addresses are its A and AAAA addresses.
	Addresses []string `json:"addresses,omitempty"`
}

// MXCheck is the mx object.
type MXCheck struct {
	CheckResult
	// Hosts are the MX hosts, by preference.
	Hosts []MXHost `json:"hosts,omitempty"`
	// NullMX is true for a single "0 ." record (RFC 7505 §3).
	NullMX bool `json:"nullMX"`
}

// SPFCheck is the spf object.
type SPFCheck struct {
	CheckResult
	// Lookups is the DNS-querying term count over the include tree
	// (RFC 7208 §4.6.4, limit 10).
	Lookups int `json:"lookups"`
	// VoidLookups is the count of those returning no data (limit 2).
	VoidLookups int `json:"voidLookups"`
	// Tree is the evaluation trace of the record and its includes.
	Tree []spf.Step `json:"tree,omitempty"`
}

// DMARCCheck is the dmarc object.
type DMARCCheck struct {
	CheckResult
	// Record is the parsed policy record.
	Record *dmarc.Record `json:"record,omitempty"`
	// OrgDomainPSL is the organizational domain by the Public Suffix
	// List (RFC 7489 §3.2).
	OrgDomainPSL string `json:"orgDomainPSL,omitempty"`
	// OrgDomainTreeWalk is the organizational domain by the DNS tree
	// walk (RFC 9989 §4.8).
	OrgDomainTreeWalk string `json:"orgDomainTreeWalk,omitempty"`
	// Enforcing is true when p is quarantine or reject with pct 100.
	Enforcing bool `json:"enforcing"`
}

// DKIMKey is one key found.
type DKIMKey struct {
	// Selector is the selector.
	Selector string `json:"selector"`
	// Type is k= ("rsa", "ed25519").
	Type string `json:"type,omitempty"`
	// Bits is the key size.
	Bits int `json:"bits,omitempty"`
	// Testing is t=y.
	Testing bool `json:"testing,omitempty"`
	// Revoked is an empty p= (RFC 6376 §3.6.1).
	Revoked bool `json:"revoked,omitempty"`
	// Error says why the record did not parse.
	Error string `json:"error,omitempty"`
}

// DKIMCheck is the dkim object.
type DKIMCheck struct {
	CheckResult
	// Selectors lists the selectors tried.
	Selectors []string `json:"selectors"`
	// Keys are the keys found.
	Keys []DKIMKey `json:"keys,omitempty"`
}

// DANEHost is the TLSA answer for one MX.
type DANEHost struct {
	// Host is the MX host.
	Host string `json:"host"`
	// TLSA are the records at _25._tcp.<host>.
	TLSA []string `json:"tlsa,omitempty"`
	// AD is the resolver's Authenticated Data bit (RFC 4035 §3.2.3).
	AD bool `json:"ad"`
}

// DANECheck is the dane object.
type DANECheck struct {
	CheckResult
	// Hosts are the per-MX answers.
	Hosts []DANEHost `json:"hosts,omitempty"`
}

// Summary is the overall verdict.
type Summary struct {
	// Verdict is one line.
	Verdict string `json:"verdict"`
	// Points is a short list for a help desk.
	Points []string `json:"points"`
}

// Report is the domain check report.
type Report struct {
	// Domain is the domain checked, lower case, no final dot.
	Domain string `json:"domain"`
	// Error says why the domain could not be checked at all.
	Error string `json:"error,omitempty"`
	// Summary is the overall verdict.
	Summary Summary `json:"summary"`
	// MX, SPF, DMARC, DKIM, MTASTS, TLSRPT, BIMI, DANE and STARTTLS are
	// the checks.
	MX       *MXCheck     `json:"mx,omitempty"`
	SPF      *SPFCheck    `json:"spf,omitempty"`
	DMARC    *DMARCCheck  `json:"dmarc,omitempty"`
	DKIM     *DKIMCheck   `json:"dkim,omitempty"`
	MTASTS   *CheckResult `json:"mtaSts,omitempty"`
	TLSRPT   *CheckResult `json:"tlsRpt,omitempty"`
	BIMI     *CheckResult `json:"bimi,omitempty"`
	DANE     *DANECheck   `json:"dane,omitempty"`
	STARTTLS *CheckResult `json:"starttls,omitempty"`
}

// NamedCheck is one check of a Report with its display name.
type NamedCheck struct {
	// Name is the check's display name ("MX", "SPF", "MTA-STS", ...).
	Name string
	// Key is its field name in the JSON report ("mx", "mtaSts", ...).
	Key string
	// Result is the check.
	Result *CheckResult
}

// Checks lists the report's checks in display order; none when the
// domain could not be checked.
func (r *Report) Checks() []NamedCheck {
	if r.MX == nil || r.SPF == nil || r.DMARC == nil || r.DKIM == nil || r.DANE == nil ||
		r.MTASTS == nil || r.TLSRPT == nil || r.BIMI == nil || r.STARTTLS == nil {
		return nil
	}
	return []NamedCheck{
		{"MX", "mx", &r.MX.CheckResult}, {"SPF", "spf", &r.SPF.CheckResult},
		{"DMARC", "dmarc", &r.DMARC.CheckResult}, {"DKIM", "dkim", &r.DKIM.CheckResult},
		{"MTA-STS", "mtaSts", r.MTASTS}, {"TLS-RPT", "tlsRpt", r.TLSRPT}, {"BIMI", "bimi", r.BIMI},
		{"DANE", "dane", &r.DANE.CheckResult}, {"STARTTLS", "starttls", r.STARTTLS},
	}
}

// clip bounds a record kept in the report.
func clip(s string) string {
	if len(s) > MaxRecordLen {
		return s[:MaxRecordLen] + "…"
	}
	return s
}

// Check examines domain. It never returns nil and never panics on hostile
// DNS data (a panic in one check becomes that check's error).
func Check(ctx context.Context, domain string, opts Options) *Report {
	d, err := dmarc.NormalizeDomain(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	rep := &Report{Domain: strings.ToLower(d)}
	if err == nil && (len(d) > maxDomainLen || !dkimcore.ValidDomain(d) || !strings.Contains(d, ".")) {
		err = fmt.Errorf("not a domain name")
	}
	if err != nil {
		if len(domain) > maxDomainLen {
			domain = domain[:maxDomainLen]
		}
		rep.Domain = domain
		rep.Error = err.Error()
		rep.Summary = Summary{Verdict: "Not checked: " + err.Error()}
		return rep
	}
	if opts.Resolver == nil {
		rep.Error = "no DNS resolver"
		rep.Summary = Summary{Verdict: "Not checked: no DNS resolver"}
		return rep
	}
	r := opts.Resolver
	d = rep.Domain
	var wg sync.WaitGroup
	var mu sync.Mutex
	panicked := func(c *CheckResult) func(error) {
		return func(err error) {
			mu.Lock()
			c.Status = Error
			c.add(finding.Error, "internal", err.Error())
			mu.Unlock()
		}
	}
	rep.MX, rep.SPF, rep.DMARC, rep.DKIM = &MXCheck{}, &SPFCheck{}, &DMARCCheck{}, &DKIMCheck{}
	rep.TLSRPT, rep.BIMI = &CheckResult{}, &CheckResult{}
	mtsRec := &CheckResult{}
	guard.Go(&wg, func() { checkMX(ctx, r, d, rep.MX) }, panicked(&rep.MX.CheckResult))
	guard.Go(&wg, func() { checkSPF(ctx, r, d, rep.SPF) }, panicked(&rep.SPF.CheckResult))
	guard.Go(&wg, func() { checkDMARC(ctx, r, d, rep.DMARC) }, panicked(&rep.DMARC.CheckResult))
	guard.Go(&wg, func() { checkDKIM(ctx, r, d, opts.Selectors, rep.DKIM) }, panicked(&rep.DKIM.CheckResult))
	guard.Go(&wg, func() { checkTLSRPT(ctx, r, d, rep.TLSRPT) }, panicked(rep.TLSRPT))
	guard.Go(&wg, func() { checkBIMIRecord(ctx, r, d, rep.BIMI) }, panicked(rep.BIMI))
	guard.Go(&wg, func() { checkMTASTSRecord(ctx, r, d, mtsRec) }, panicked(mtsRec))
	var comp *mailtls.Report
	var bimiComp *mailtls.BIMI
	var compErr, bimiErr error
	if opts.Companion != nil {
		guard.Go(&wg, func() { comp, compErr = askCompanion(ctx, opts.Companion, d) }, func(err error) { compErr = err })
		guard.Go(&wg, func() { bimiComp, bimiErr = askCompanionBIMI(ctx, opts.Companion, d) }, func(err error) { bimiErr = err })
	}
	wg.Wait()
	rep.MTASTS = mtsRec

	// Checks depending on the MX set or the DMARC policy.
	bimiEnforcement(rep.BIMI, rep.DMARC)
	if len(rep.BIMI.Records) > 0 && rep.BIMI.Status == "" {
		switch {
		case opts.Companion == nil:
			rep.BIMI.add(finding.Info, "bimi-not-fetched", "The logo and certificate were not fetched: no companion server is configured.")
		case bimiErr != nil:
			rep.BIMI.add(finding.Info, "bimi-not-fetched", "The logo and certificate were not fetched: the companion server did not answer: "+bimiErr.Error())
		default:
			applyBIMI(rep.BIMI, bimiComp)
		}
	}
	rep.DANE = &DANECheck{}
	guard.Go(&wg, func() { checkDANE(ctx, opts.Exchanger, rep.MX, rep.DANE) }, panicked(&rep.DANE.CheckResult))
	wg.Wait()
	rep.STARTTLS = &CheckResult{}
	switch {
	case opts.Companion == nil:
		rep.STARTTLS.Status, rep.STARTTLS.Reason = NotChecked, "STARTTLS needs an SMTP connection (RFC 3207): no companion server is configured"
		if mtsRec.Status == NotChecked {
			mtsRec.Reason = "the policy at https://mta-sts." + d + "/.well-known/mta-sts.txt needs the companion server (RFC 8461 §3.3), which is not configured"
		}
	case compErr != nil:
		rep.STARTTLS.Status, rep.STARTTLS.Reason = NotChecked, "the companion server did not answer: "+compErr.Error()
		if mtsRec.Status == NotChecked {
			mtsRec.Reason = rep.STARTTLS.Reason
		}
	default:
		if rep.MX.NullMX {
			rep.STARTTLS.Status, rep.STARTTLS.Reason = NotChecked, "null MX: no mail server to probe"
		} else {
			applySTARTTLS(rep.STARTTLS, comp)
		}
		if mtsRec.Status == NotChecked {
			mtsRec.Status, mtsRec.Reason = "", ""
			applyMTASTS(mtsRec, comp)
		}
	}
	for _, c := range rep.Checks() {
		c.Result.settle()
	}
	rep.Summary = summarize(rep)
	return rep
}

// txt returns the TXT records at name that satisfy keep, clipped, and
// whether the lookup failed for a reason other than no data.
func txt(ctx context.Context, r lookup.Resolver, name string, keep func(string) bool) ([]string, error) {
	recs, err := r.LookupTXT(ctx, name)
	if err != nil {
		if lookup.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, t := range recs {
		if keep(t) {
			out = append(out, clip(t))
		}
	}
	return out, nil
}

func prefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

func checkMX(ctx context.Context, r lookup.Resolver, d string, c *MXCheck) {
	mxs, err := r.LookupMX(ctx, d)
	if err != nil {
		if lookup.IsNotFound(err) {
			c.Status = Missing
			// RFC 5321 §5.1: without MX, mail goes to the domain's A/AAAA.
			c.add(finding.Warning, "mx-missing", "No MX records: senders fall back to the domain's own address (RFC 5321 §5.1); publish MX, or a null MX if the domain takes no mail (RFC 7505).")
			return
		}
		c.Status = Error
		c.add(finding.Error, "mx-lookup", "MX lookup failed: "+err.Error())
		return
	}
	for _, mx := range mxs {
		h := strings.TrimSuffix(strings.ToLower(mx.Host), ".")
		c.Records = append(c.Records, fmt.Sprintf("%d %s.", mx.Pref, h))
		if h == "" {
			c.NullMX = true
		}
	}
	if c.NullMX {
		// RFC 7505 §3: a null MX is a single record "0 .".
		if len(mxs) != 1 || mxs[0].Pref != 0 {
			c.add(finding.Error, "mx-null-mixed", "A null MX (\".\") must be the only MX record, with preference 0 (RFC 7505 §3).")
		} else {
			c.add(finding.Info, "mx-null", "Null MX: the domain accepts no mail (RFC 7505).")
		}
		return
	}
	if len(mxs) > MaxMX {
		c.add(finding.Info, "mx-many", fmt.Sprintf("%d MX records; only the first %d are examined.", len(mxs), MaxMX))
		mxs = mxs[:MaxMX]
	}
	c.Hosts = make([]MXHost, len(mxs))
	var wg sync.WaitGroup
	for i, mx := range mxs {
		c.Hosts[i] = MXHost{Host: strings.TrimSuffix(strings.ToLower(mx.Host), "."), Preference: mx.Pref}
		h := &c.Hosts[i]
		guard.Go(&wg, func() {
			addrs, err := r.LookupNetIP(ctx, "ip", h.Host)
			if err == nil {
				for _, a := range addrs {
					h.Addresses = append(h.Addresses, a.Unmap().String())
				}
			}
		}, func(error) {})
	}
	wg.Wait()
	for _, h := range c.Hosts {
		if len(h.Addresses) == 0 {
			// RFC 5321 §5.1: an MX name must resolve to an address.
			c.add(finding.Error, "mx-no-address", "MX host "+h.Host+" has no A or AAAA record (RFC 5321 §5.1).")
		}
	}
}

// spfProbe is an address from TEST-NET-1 (RFC 5737 §3): no real policy
// matches it, so the evaluation walks the whole include tree.
var spfProbe = netip.MustParseAddr("192.0.2.1")

// probeResolver answers the reverse (PTR) lookup of spfProbe with no names
// and no error: that lookup, made by "ptr" and %{p} (RFC 7208 §5.5,
// §7.3), tells nothing about the domain, and its NXDOMAIN in real DNS
// would otherwise count as one of the domain's void lookups (§4.6.4).
type probeResolver struct{ lookup.Resolver }

// LookupAddr implements lookup.Resolver.
func (p probeResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if a, err := netip.ParseAddr(addr); err == nil && a == spfProbe {
		return nil, nil
	}
	return p.Resolver.LookupAddr(ctx, addr)
}

func checkSPF(ctx context.Context, r lookup.Resolver, d string, c *SPFCheck) {
	recs, err := txt(ctx, r, d, spf.IsRecord)
	if err != nil {
		c.Status = Error
		c.add(finding.Error, "spf-lookup", "TXT lookup failed: "+err.Error())
		return
	}
	c.Records = recs
	switch {
	case len(recs) == 0:
		c.Status = Missing
		c.add(finding.Error, "spf-missing", "No SPF record: anyone may send as this domain as far as SPF is concerned (RFC 7208 §4.5).")
		return
	case len(recs) > 1:
		// RFC 7208 §4.5: more than one record is a permerror.
		c.add(finding.Error, "spf-multiple", "More than one SPF record: receivers return permerror (RFC 7208 §4.5).")
		return
	}
	_, perr := spf.Parse(recs[0])
	if perr != nil {
		c.add(finding.Error, "spf-syntax", "The SPF record does not parse: "+perr.Error()+" (RFC 7208 §4.6).")
		return
	}
	// The evaluation itself bounds the tree (RFC 7208 §4.6.4: 10 lookups,
	// 2 void lookups, then permerror).
	res := spf.CheckHost(ctx, probeResolver{r}, spfProbe, d, "postmaster@"+d, d, spf.Options{})
	c.Lookups, c.VoidLookups, c.Tree = res.Lookups, res.VoidLookups, res.Trace
	if res.Result == "permerror" {
		c.add(finding.Error, "spf-permerror", "Evaluation ends in permerror: "+res.Reason)
	} else if res.Result == "temperror" {
		c.add(finding.Error, "spf-temperror", "Evaluation ends in temperror: "+res.Reason)
	}
	// The evaluator's lint covers every record of the tree: the §4.6.4
	// limits (10 DNS-querying terms, 2 void lookups), +all and ?all (§5.1),
	// ptr (§5.5), and the rest of its Lint codes.
	c.Findings = append(c.Findings, res.Lint...)
}

func checkDMARC(ctx context.Context, r lookup.Resolver, d string, c *DMARCCheck) {
	if org, err := dmarc.PSLOrgDomain(d); err == nil {
		c.OrgDomainPSL = org
	}
	// The discovery (RFC 9989 §4.10) finds the record that applies, the
	// domain's own or its Organizational Domain's, and both
	// Organizational Domains.
	res := dmarc.Discover(ctx, r, "postmaster@"+d, dmarc.MethodTreeWalk).Evaluate(dmarc.SPF{}, nil)
	c.OrgDomainTreeWalk = res.OrgDomains.TreeWalk
	if res.OrgDomains.PSL != "" {
		c.OrgDomainPSL = res.OrgDomains.PSL
	}
	recs, err := txt(ctx, r, "_dmarc."+d, dmarc.IsDMARC)
	if err != nil {
		c.Status = Error
		c.add(finding.Error, "dmarc-lookup", "TXT lookup failed: "+err.Error())
		return
	}
	if len(recs) == 0 && res.Record != "" && res.RecordDomain != "" && res.RecordDomain != d {
		recs = []string{clip(res.Record)}
		c.add(finding.Info, "dmarc-inherited", "No record of its own: the record of "+res.RecordDomain+" applies (RFC 7489 §6.6.3).")
	}
	c.Records = recs
	if len(recs) == 0 {
		c.Status = Missing
		c.add(finding.Error, "dmarc-missing", "No DMARC record at _dmarc."+d+" (RFC 7489 §6.1).")
		return
	}
	if len(recs) > 1 {
		// RFC 7489 §6.6.3 step 5: more than one record, no DMARC.
		c.add(finding.Error, "dmarc-multiple", "More than one DMARC record: receivers apply none (RFC 7489 §6.6.3).")
		return
	}
	rec, perr := dmarc.ParseRecord(recs[0])
	if perr != nil || rec == nil {
		c.add(finding.Error, "dmarc-syntax", fmt.Sprintf("The DMARC record does not parse: %v (RFC 7489 §6.3).", perr))
		return
	}
	c.Record = rec
	c.Findings = append(c.Findings, rec.Findings...)
	switch rec.Policy {
	case dmarc.Policy("none"):
		// The record parser notes p=none as information; for a domain's
		// protection it is a warning, said once.
		c.Findings = slices.DeleteFunc(c.Findings, func(f finding.Finding) bool { return f.Code == "dmarc-p-none" })
		c.add(finding.Warning, "dmarc-p-none", "p=none only monitors: spoofed mail is still delivered (RFC 7489 §6.3).")
	case dmarc.Policy("quarantine"), dmarc.Policy("reject"):
		c.Enforcing = rec.Percent == 100 && !rec.Testing
		if rec.Percent < 100 && !c.has("dmarc-pct-partial") {
			c.add(finding.Warning, "dmarc-pct", fmt.Sprintf("pct=%d: the policy applies to part of the mail only (RFC 7489 §6.3).", rec.Percent))
		}
		if rec.Testing {
			c.add(finding.Warning, "dmarc-testing", "t=y: the policy is in test mode (RFC 9989 §4.7).")
		}
	}
	if rec.SubdomainPolicy == dmarc.Policy("none") && rec.Policy != dmarc.Policy("none") {
		c.add(finding.Warning, "dmarc-sp-none", "sp=none leaves subdomains unprotected (RFC 7489 §6.3).")
	}
	checked := map[string]bool{}
	for _, list := range [][]dmarc.ReportURI{rec.RUA, rec.RUF} {
		for _, u := range list {
			dest := mailtoDomain(u)
			if dest == "" {
				continue
			}
			checkExternal(ctx, r, d, c.OrgDomainPSL, dest, u.Address, &c.CheckResult)
			if !checked[dest] && len(checked) < maxReportDomains {
				checked[dest] = true
				checkReportMailbox(ctx, r, dest, u.Address, &c.CheckResult)
			}
		}
	}
}

// maxReportDomains bounds the report destination domains whose mail
// servers are looked up.
const maxReportDomains = 8

// mailtoDomain returns the domain of a valid mailto: report URI, lower
// case; "" for other URIs.
func mailtoDomain(u dmarc.ReportURI) string {
	if !u.Valid || u.Scheme != "mailto" {
		return ""
	}
	at := strings.LastIndexByte(u.Address, '@')
	if at < 0 {
		return ""
	}
	dest := strings.ToLower(strings.TrimSuffix(u.Address[at+1:], "."))
	if !dkimcore.ValidDomain(dest) {
		return ""
	}
	return dest
}

// checkReportMailbox warns when reports to address cannot be delivered:
// its domain publishes a null MX (RFC 7505 §3), or has neither an MX nor
// an address to fall back to (RFC 5321 §5.1). Lookup failures add nothing:
// they say nothing certain about the mailbox.
func checkReportMailbox(ctx context.Context, r lookup.Resolver, dest, address string, c *CheckResult) {
	mxs, err := r.LookupMX(ctx, dest)
	switch {
	case err == nil && len(mxs) == 1 && strings.Trim(mxs[0].Host, ".") == "":
		c.add(finding.Warning, "dmarc-report-null-mx", "Reports to "+address+" cannot be delivered: "+dest+" publishes a null MX, so it accepts no mail (RFC 7505 §3).")
	case err == nil && len(mxs) > 0:
	case err == nil || lookup.IsNotFound(err):
		// No MX: mail goes to the domain's own address (RFC 5321 §5.1).
		addrs, aerr := r.LookupNetIP(ctx, "ip", dest)
		if (aerr == nil && len(addrs) == 0) || lookup.IsNotFound(aerr) {
			c.add(finding.Warning, "dmarc-report-undeliverable", "Reports to "+address+" cannot be delivered: "+dest+" has no MX record and no address (RFC 5321 §5.1).")
		}
	}
}

// checkExternal verifies that the report destination address, whose
// domain is dest, agreed to receive reports when it is outside org: a TXT
// "v=DMARC1" at <domain>._report._dmarc.<dest> (RFC 7489 §7.1).
func checkExternal(ctx context.Context, r lookup.Resolver, d, org, dest, address string, c *CheckResult) {
	if destOrg, err := dmarc.PSLOrgDomain(dest); err != nil || destOrg == org {
		return
	}
	recs, err := txt(ctx, r, d+"._report._dmarc."+dest, dmarc.IsDMARC)
	if err != nil {
		c.add(finding.Warning, "dmarc-external-lookup", "Could not check that "+dest+" accepts reports for "+d+": "+err.Error())
		return
	}
	if len(recs) == 0 {
		c.add(finding.Warning, "dmarc-external-unauthorized", "Report destination "+address+" is outside the domain and has not authorized it: no v=DMARC1 record at "+d+"._report._dmarc."+dest+"; receivers will not send reports there (RFC 7489 §7.1).")
	}
}

func checkDKIM(ctx context.Context, r lookup.Resolver, d string, given []string, c *DKIMCheck) {
	seen := map[string]bool{}
	for _, s := range append(append([]string{}, given...), CommonSelectors...) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" || seen[s] || !dkimcore.ValidDomain(s) || len(c.Selectors) >= MaxSelectors {
			continue
		}
		seen[s] = true
		c.Selectors = append(c.Selectors, s)
	}
	results := make([][]DKIMKey, len(c.Selectors))
	recs := make([][]string, len(c.Selectors))
	var wg sync.WaitGroup
	for i, s := range c.Selectors {
		guard.Go(&wg, func() {
			txts, err := txt(ctx, r, dkimcore.KeyName(s, d), func(string) bool { return true })
			if err != nil {
				return
			}
			for _, t := range txts {
				recs[i] = append(recs[i], s+": "+t)
				k, err := dkimcore.ParseKey(t)
				if k != nil && k.Revoked {
					// RFC 6376 §3.6.1: an empty p= revokes the key.
					results[i] = append(results[i], DKIMKey{Selector: s, Type: k.Type, Revoked: true})
					continue
				}
				if err != nil {
					results[i] = append(results[i], DKIMKey{Selector: s, Error: err.Error()})
					continue
				}
				results[i] = append(results[i], DKIMKey{Selector: s, Type: k.Type, Bits: k.Bits, Testing: k.Testing, Revoked: k.Revoked})
			}
		}, func(error) {})
	}
	wg.Wait()
	for i := range results {
		c.Keys = append(c.Keys, results[i]...)
		c.Records = append(c.Records, recs[i]...)
	}
	if len(c.Keys) == 0 {
		c.Status = Missing
		c.add(finding.Warning, "dkim-none-found", "No DKIM key found under the selectors tried; DKIM selectors cannot be listed, so give the domain's own with --dkim-selectors (RFC 6376 §3.6.2.1).")
		return
	}
	for _, k := range c.Keys {
		switch {
		case k.Error != "":
			c.add(finding.Error, "dkim-key-invalid", "Selector "+k.Selector+": "+k.Error+" (RFC 6376 §3.6.1).")
		case k.Revoked:
			c.add(finding.Info, "dkim-revoked", "Selector "+k.Selector+": key revoked (empty p=, RFC 6376 §3.6.1).")
		case k.Type == "rsa" && k.Bits < 1024:
			c.add(finding.Error, "dkim-weak-key", fmt.Sprintf("Selector %s: %d-bit RSA key; at least 1024 bits are required (RFC 8301 §3.2).", k.Selector, k.Bits))
		case k.Type == "rsa" && k.Bits < 2048:
			c.add(finding.Warning, "dkim-short-key", fmt.Sprintf("Selector %s: %d-bit RSA key; 2048 bits are recommended (RFC 8301 §3.2).", k.Selector, k.Bits))
		}
		if k.Testing {
			c.add(finding.Warning, "dkim-testing", "Selector "+k.Selector+": t=y, the domain is testing DKIM (RFC 6376 §3.6.1).")
		}
	}
}

// versionedRecords looks up the TXT records at name that begin with version
// (the selection rule of RFC 8460 §3, RFC 8461 §3.1 and BIMI), keeps them
// as c.Records and reports true; a failed lookup is an error finding under
// code, and false.
func versionedRecords(ctx context.Context, r lookup.Resolver, name, version, code string, c *CheckResult) ([]string, bool) {
	recs, err := txt(ctx, r, name, func(s string) bool { return prefixFold(s, version) })
	if err != nil {
		c.Status = Error
		c.add(finding.Error, code, "TXT lookup failed: "+err.Error())
		return nil, false
	}
	c.Records = recs
	return recs, true
}

func checkTLSRPT(ctx context.Context, r lookup.Resolver, d string, c *CheckResult) {
	recs, ok := versionedRecords(ctx, r, "_smtp._tls."+d, "v=TLSRPTv1", "tlsrpt-lookup", c)
	if !ok {
		return
	}
	switch {
	case len(recs) == 0:
		c.Status = Missing
		c.add(finding.Info, "tlsrpt-missing", "No TLS-RPT record: no reports of TLS failures are requested (RFC 8460 §3).")
	case len(recs) > 1:
		c.add(finding.Error, "tlsrpt-multiple", "More than one TLS-RPT record (RFC 8460 §3).")
	default:
		// RFC 8460 §3: "rua=" is required, mailto: or https: URIs.
		rua := TagValue(recs[0], "rua")
		if rua == "" {
			c.add(finding.Error, "tlsrpt-no-rua", "The TLS-RPT record has no rua= (RFC 8460 §3).")
		}
		for _, u := range strings.Split(rua, ",") {
			u = strings.TrimSpace(u)
			if u != "" && !prefixFold(u, "mailto:") && !prefixFold(u, "https:") {
				c.add(finding.Error, "tlsrpt-bad-rua", "rua entry "+u+" is neither mailto: nor https: (RFC 8460 §3).")
			}
		}
	}
}

// TagValue returns the value of tag, compared without case, in a
// "k=v; k=v" record (the tag-list form of RFC 6376 §3.2 that MTA-STS,
// TLS-RPT and BIMI records share), with surrounding spaces removed; "" when
// the tag is absent.
func TagValue(rec, tag string) string {
	for _, part := range strings.Split(rec, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), tag) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func checkMTASTSRecord(ctx context.Context, r lookup.Resolver, d string, c *CheckResult) {
	recs, ok := versionedRecords(ctx, r, "_mta-sts."+d, "v=STSv1", "mta-sts-lookup", c)
	if !ok {
		return
	}
	switch {
	case len(recs) == 0:
		c.Status = Missing
		c.add(finding.Info, "mta-sts-missing", "No MTA-STS record: senders may deliver without TLS (RFC 8461 §3.1).")
	case len(recs) > 1:
		// RFC 8461 §3.1: more than one record, no policy.
		c.Status = Error
		c.add(finding.Error, "mta-sts-multiple", "More than one MTA-STS record: senders treat the domain as having no policy (RFC 8461 §3.1).")
	case TagValue(recs[0], "id") == "":
		c.Status = Error
		c.add(finding.Error, "mta-sts-no-id", "The MTA-STS record has no id= (RFC 8461 §3.1).")
	default:
		// The policy is fetched over HTTPS (RFC 8461 §3.3), through the
		// companion when there is one; Check settles this.
		c.Status = NotChecked
	}
}

func checkBIMIRecord(ctx context.Context, r lookup.Resolver, d string, c *CheckResult) {
	recs, ok := versionedRecords(ctx, r, "default._bimi."+d, "v=BIMI1", "bimi-lookup", c)
	if !ok {
		return
	}
	if len(recs) == 0 {
		c.Status = Missing
		return
	}
	if len(recs) > 1 {
		c.add(finding.Error, "bimi-multiple", "More than one BIMI record at default._bimi (BIMI draft §4.3).")
		return
	}
	l, a := TagValue(recs[0], "l"), TagValue(recs[0], "a")
	if l == "" {
		c.add(finding.Warning, "bimi-no-logo", "The BIMI record has no l= logo location (BIMI draft §4.2).")
	} else if !prefixFold(l, "https://") {
		c.add(finding.Error, "bimi-logo-not-https", "The logo location must be an https: URI (BIMI draft §4.2).")
	}
	if a == "" {
		c.add(finding.Info, "bimi-no-vmc", "No a= certificate: most mailbox providers show no logo without one (BIMI draft §4.2).")
	}
	// The logo and certificate are fetched through the companion; Check
	// applies its answer or says why there is none.
}

// bimiEnforcement applies the BIMI requirement of a DMARC policy at
// enforcement (BIMI draft §4.4: p=quarantine or reject, pct=100).
func bimiEnforcement(b *CheckResult, dm *DMARCCheck) {
	if len(b.Records) == 0 || b.Status != "" {
		return
	}
	if !dm.Enforcing {
		b.add(finding.Error, "bimi-dmarc-not-enforcing", "BIMI requires DMARC at enforcement (p=quarantine or p=reject, pct=100); this domain's DMARC is not, so no logo will be shown (BIMI draft §4.4).")
	}
}

func checkDANE(ctx context.Context, x lookup.Exchanger, mx *MXCheck, c *DANECheck) {
	if x == nil {
		c.Status, c.Reason = NotChecked, "TLSA queries need a DNS exchanger, which is not configured"
		return
	}
	if len(mx.Hosts) == 0 {
		c.Status, c.Reason = NotChecked, "no MX hosts to look up TLSA records for"
		return
	}
	c.Hosts = make([]DANEHost, len(mx.Hosts))
	var wg sync.WaitGroup
	for i, h := range mx.Hosts {
		c.Hosts[i].Host = h.Host
		dh := &c.Hosts[i]
		guard.Go(&wg, func() {
			// RFC 7672 §2.2: TLSA records at _25._tcp.<MX host>.
			resp, err := x.Exchange(ctx, dnswire.NewQuestion("_25._tcp."+dh.Host, dnswire.TypeTLSA))
			if err != nil || resp == nil {
				return
			}
			dh.AD = resp.AuthenticatedData
			for _, rr := range resp.Answer {
				if t, ok := rr.Data.(*dnswire.TLSA); ok && len(dh.TLSA) < 16 {
					dh.TLSA = append(dh.TLSA, clip(fmt.Sprintf("%d %d %d %x", t.Usage, t.Selector, t.MatchingType, t.Data)))
				}
			}
		}, func(error) {})
	}
	wg.Wait()
	any := false
	for _, h := range c.Hosts {
		if len(h.TLSA) == 0 {
			continue
		}
		any = true
		if !h.AD {
			// RFC 7672 §2.2: TLSA records not validated by DNSSEC are unusable.
			c.add(finding.Error, "dane-not-validated", "TLSA records for "+h.Host+" are not DNSSEC-validated (no AD bit); senders ignore them (RFC 7672 §2.2).")
		}
	}
	if !any {
		c.Status = Missing
	}
}

func summarize(rep *Report) Summary {
	var s Summary
	bad, warn := 0, 0
	for _, nc := range rep.Checks() {
		c := nc.Result
		switch c.Status {
		case Error:
			bad++
		case Warning:
			warn++
		}
		line := nc.Name + ": " + string(c.Status)
		if f := c.MainFinding(); f != nil {
			line += " — " + f.Message
		}
		if c.Status == NotChecked && c.Reason != "" {
			line += " (" + c.Reason + ")"
		}
		s.Points = append(s.Points, line)
	}
	core := []Status{rep.SPF.Status, rep.DMARC.Status}
	switch {
	case rep.MX.NullMX && rep.SPF.Status != Missing && rep.DMARC.Status != Missing:
		s.Verdict = "Protected: the domain sends and accepts no mail (null MX)."
	case core[0] == Missing && core[1] == Missing:
		s.Verdict = "Not protected: no SPF and no DMARC; anyone can send mail as " + rep.Domain + "."
	case rep.DMARC.Enforcing && core[0] == OK && bad == 0:
		s.Verdict = "Protected: SPF is valid and DMARC is at enforcement."
	case rep.DMARC.Enforcing && core[0] != Missing:
		s.Verdict = fmt.Sprintf("Partly protected: DMARC is at enforcement, but %d check(s) have errors.", bad)
	default:
		s.Verdict = fmt.Sprintf("Not protected: DMARC is not at enforcement; %d check(s) with errors, %d with warnings.", bad, warn)
	}
	return s
}
