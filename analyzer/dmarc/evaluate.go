package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"headerlens/analyzer/address"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/result"
	"headerlens/lookup"
)

// Method is how the Organizational Domain is found.
type Method string

// Discovery methods.
const (
	// MethodTreeWalk is the RFC 9989 §4.10 DNS Tree Walk (the default).
	MethodTreeWalk Method = "tree-walk"
	// MethodPSL is RFC 7489 §6.6.3 discovery with the Public Suffix List
	// (§3.2). Only discovery and Organizational Domains differ between the
	// methods: the record is read the same way by both ("np" and "t" as in
	// RFC 9989 §4.7; "np" also as in RFC 9091), and "psd" has no
	// effect here.
	MethodPSL Method = "psl"
)

// maxIdentifierWalks bounds the number of distinct authenticated
// identifiers whose Organizational Domain is looked up by tree walk.
const maxIdentifierWalks = 8

// maxDKIM bounds the number of DKIM results considered.
const maxDKIM = 32

// SPF is the SPF outcome given to Evaluate.
type SPF struct {
	// Result is the SPF result word ("pass", "fail", "softfail"...); only
	// "pass" authenticates (RFC 7489 §4.2; RFC 9989 §4.4).
	Result result.Word `json:"result"`
	// MailFrom is the RFC5321.MailFrom domain or address that SPF
	// evaluated; empty for a null reverse-path.
	MailFrom string `json:"mailFrom,omitempty"`
	// Helo is the HELO/EHLO domain. It is the SPF identity when MailFrom
	// is empty (RFC 7208 §2.4).
	Helo string `json:"helo,omitempty"`
}

// DKIM is one DKIM signature outcome given to Evaluate.
type DKIM struct {
	// Domain is the signature's d= domain.
	Domain string `json:"domain"`
	// Result is the DKIM result word; only "pass" authenticates.
	Result result.Word `json:"result"`
	// Selector is the s= selector, for display only.
	Selector string `json:"selector,omitempty"`
}

// Input is what Evaluate needs about the message.
type Input struct {
	// From is the RFC5322.From header field value, a bare address, or the
	// Author Domain itself (see AuthorDomain).
	From string `json:"from"`
	// SPF is the SPF outcome.
	SPF SPF `json:"spf"`
	// DKIM lists the DKIM signature outcomes.
	DKIM []DKIM `json:"dkim,omitempty"`
	// Method selects policy and Organizational Domain discovery; empty
	// means MethodTreeWalk.
	Method Method `json:"method,omitempty"`
}

// OrgDomains gives the Organizational Domain of the From domain under each
// method.
type OrgDomains struct {
	// PSL is the RFC 7489 §3.2 Organizational Domain from the Public
	// Suffix List.
	PSL string `json:"psl"`
	// TreeWalk is the RFC 9989 §4.10.2 Organizational Domain; empty when
	// a DNS failure left it undetermined.
	TreeWalk string `json:"treeWalk"`
	// Agree is true when both methods give the same domain.
	Agree bool `json:"agree"`
}

// WalkStep is one "_dmarc" query of the From domain's discovery, in the
// order the method decides them.
type WalkStep struct {
	// Name is the queried name, "_dmarc.<domain>".
	Name string `json:"name"`
	// Status is "record", "none", "multiple", "error" or "not-needed"
	// (queried concurrently but after the point where the walk stopped).
	Status string `json:"status"`
	// PSD is the psd tag of the record found there, if any.
	PSD PSD `json:"psd,omitempty"`
	// Record is the DMARC record found there.
	Record string `json:"record,omitempty"`
	// Error describes a failed query.
	Error string `json:"error,omitempty"`
}

// IdentifierAlignment is the alignment of one authenticated identifier.
type IdentifierAlignment struct {
	// Domain is the identifier (SPF MAIL FROM or HELO domain, DKIM d=).
	Domain string `json:"domain"`
	// OrgDomain is its Organizational Domain under the method used, when
	// it was needed.
	OrgDomain string `json:"orgDomain,omitempty"`
	// Identical is true when the identifier equals the From domain.
	Identical bool `json:"identical"`
	// Aligned is true when it aligns under the mode in force.
	Aligned bool `json:"aligned"`
	// Error says why alignment could not be checked.
	Error string `json:"error,omitempty"`

	// undetermined marks a DNS failure: the identifier might align.
	undetermined bool
}

// MechanismAlignment is the alignment outcome of SPF or DKIM.
type MechanismAlignment struct {
	// Mode is the alignment mode in force (aspf or adkim; relaxed when
	// no record applies).
	Mode AlignmentMode `json:"mode"`
	// Result is "pass" (an authenticated identifier aligns), "fail"
	// (authenticated identifiers exist but none aligns), "none" (nothing
	// authenticated) or "temperror" (a DNS failure left it open).
	Result result.Word `json:"result"`
	// Domain is the first aligned identifier.
	Domain string `json:"domain,omitempty"`
	// OrgDomain is the Organizational Domain that the aligned identifier
	// shares with the From domain (relaxed mode).
	OrgDomain string `json:"orgDomain,omitempty"`
	// Identifiers lists each authenticated identifier checked.
	Identifiers []IdentifierAlignment `json:"identifiers,omitempty"`
}

// Alignment holds the SPF and DKIM alignment outcomes.
type Alignment struct {
	// SPF is the alignment of the SPF-authenticated identifier.
	SPF MechanismAlignment `json:"spf"`
	// DKIM is the alignment of the DKIM-authenticated identifiers.
	DKIM MechanismAlignment `json:"dkim"`
}

// Result is the DMARC evaluation of one message. The first seven fields are
// the report contract (live.dmarc); the others add detail.
type Result struct {
	// Result is pass, fail, none, temperror or permerror.
	Result result.Word `json:"result"`
	// FromDomain is the Author Domain (normalized, A-labels).
	FromDomain string `json:"fromDomain"`
	// OrgDomain is the Organizational Domain of the From domain under the
	// method used.
	OrgDomain string `json:"orgDomain"`
	// Policy is the policy the domain asks for this Author Domain (from
	// p, sp or np; one level less strict under t=y). Absent when no
	// record applies.
	Policy Policy `json:"policy,omitempty"`
	// Record is the DMARC record applied, as published.
	Record string `json:"record,omitempty"`
	// SPFAligned and DKIMAligned say whether an identifier that passed
	// SPF or DKIM aligns with the From domain.
	SPFAligned  bool `json:"spfAligned"`
	DKIMAligned bool `json:"dkimAligned"`

	// RecordDomain is the domain whose "_dmarc" name held Record.
	RecordDomain string `json:"recordDomain,omitempty"`
	// Discovery is the method used: "tree-walk" or "psl".
	Discovery Method `json:"discovery"`
	// OrgDomains compares the Organizational Domain under both methods.
	OrgDomains OrgDomains `json:"orgDomains"`
	// PublishedPolicy is the policy before any t=y downgrade.
	PublishedPolicy Policy `json:"publishedPolicy,omitempty"`
	// PolicySource is the tag the policy came from: "p", "sp" or "np".
	PolicySource string `json:"policySource,omitempty"`
	// AppliedPolicy is what the domain asks receivers to do with this
	// message: "none" when it passes, Policy when it fails.
	AppliedPolicy Policy `json:"appliedPolicy,omitempty"`
	// Testing is true for a record with t=y.
	Testing bool `json:"testing,omitempty"`
	// FromExists is the result of the non-existent domain test (A, AAAA
	// and MX queries), when it was needed: np published in a record found
	// at a parent domain.
	FromExists *bool `json:"fromExists,omitempty"`
	// Alignment gives the modes and per-identifier detail.
	Alignment Alignment `json:"alignment"`
	// Tags are the applied record's tags as published.
	Tags map[string]string `json:"tags,omitempty"`
	// Walk lists the "_dmarc" queries of policy discovery in order.
	Walk []WalkStep `json:"walk,omitempty"`
	// Reason explains the result in plain words.
	Reason string `json:"reason"`
	// Findings are the problems and notable facts found.
	Findings []finding.Finding `json:"findings"`

	orgErr error
}

func (res *Result) add(sev finding.Severity, code, msg string) {
	res.Findings = append(res.Findings, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "dmarc"})
}

// Evaluate performs DMARC for one message: it extracts the Author Domain
// from in.From, discovers the DMARC record with the chosen method, checks
// SPF and DKIM Identifier Alignment and picks the policy that applies. It
// never returns an error: problems are in Result.Result, Reason and
// Findings. DNS goes only through r. It is Discover followed by
// Discovery.Evaluate.
func Evaluate(ctx context.Context, r lookup.Resolver, in Input) Result {
	return Discover(ctx, r, in.From, in.Method).Evaluate(in.SPF, in.DKIM)
}

// Discovery is the part of DMARC that needs only the From field: the
// Author Domain, the policy record and the Organizational Domain. A caller
// can run it while SPF and DKIM are still being checked, so that the DMARC
// queries cost no round trip of their own, and then call Evaluate once.
type Discovery struct {
	res    Result
	done   bool // res is final: no Author Domain to evaluate
	from   string
	method Method
	q      *querier
	d      discovery
}

// Discover extracts the Author Domain from the RFC5322.From value from
// (see AuthorDomain) and discovers its DMARC record and Organizational
// Domain with method (RFC 9989 §4.10, or RFC 7489 §6.6.3 with MethodPSL;
// empty means MethodTreeWalk). DNS goes only through r, under ctx, which
// must stay live until Evaluate returns.
func Discover(ctx context.Context, r lookup.Resolver, from string, method Method) *Discovery {
	if method != MethodPSL {
		method = MethodTreeWalk
	}
	res := Result{Discovery: method, Findings: []finding.Finding{}, Alignment: Alignment{
		SPF:  MechanismAlignment{Mode: Relaxed, Result: result.None},
		DKIM: MechanismAlignment{Mode: Relaxed, Result: result.None},
	}}

	from, n, err := AuthorDomain(from)
	switch {
	case errors.Is(err, ErrNoFrom):
		res.Result = result.None
		res.Reason = "The message has no RFC5322.From address, so there is no Author Domain to check."
		res.add(finding.Error, "dmarc-no-from", res.Reason)
		return &Discovery{res: res, done: true}
	case errors.Is(err, ErrBadFrom):
		// RFC 7489 §6.6.1; RFC 9989 §4.4: a malformed From leaves no
		// reliable Author Domain, so DMARC cannot evaluate the message.
		res.Result = result.PermError
		res.Reason = "The RFC5322.From field has no usable domain, so DMARC cannot be evaluated."
		res.add(finding.Error, "dmarc-bad-from", res.Reason)
		return &Discovery{res: res, done: true}
	case errors.Is(err, ErrMultipleAuthors):
		// RFC 7489 §6.6.1: receivers may reject such mail or check
		// each domain; RFC 9989 §4.4 leaves it out of scope.
		res.Result = result.PermError
		res.FromDomain = from
		res.Reason = "The RFC5322.From field lists addresses in more than one domain; DMARC needs a single Author Domain."
		res.add(finding.Error, "dmarc-multiple-from-domains", res.Reason)
		return &Discovery{res: res, done: true}
	}
	res.FromDomain = from
	if n > 1 {
		res.add(finding.Warning, "dmarc-multiple-from",
			fmt.Sprintf("The From field lists %d addresses (all in %s); many receivers reject such mail.", n, from))
	}

	q := newQuerier(ctx, r)
	pslOrg, pslErr := PSLOrgDomain(from)
	res.OrgDomains.PSL = pslOrg
	if suffix, icann := pslSuffix(from); !icann && strings.Contains(suffix, ".") {
		res.add(finding.Info, "dmarc-psl-private-suffix",
			fmt.Sprintf("%s is under %s, a suffix from the private section of the Public Suffix List; tools that use only the ICANN section find a different Organizational Domain.", from, suffix))
	}
	if errors.Is(pslErr, ErrPublicSuffix) {
		res.add(finding.Warning, "dmarc-from-public-suffix",
			fmt.Sprintf("The From domain %s is itself a public suffix.", from))
	}

	var d discovery
	if method == MethodPSL {
		// Start the tree walk for the comparison at the same time.
		q.prefetch(from)
		d = q.discoverPSL(from, pslOrg)
		w := q.walk(from)
		if w.err == nil {
			res.OrgDomains.TreeWalk = w.org
		}
		res.OrgDomain = pslOrg
	} else {
		d = q.discoverTreeWalk(from)
		if d.walk.err == nil {
			res.OrgDomains.TreeWalk = d.walk.org
		}
		res.OrgDomain = d.walk.org
		res.orgErr = d.walk.err
	}
	res.Walk = d.steps
	if res.orgErr != nil && d.err == nil {
		res.add(finding.Warning, "dmarc-org-domain-undetermined",
			fmt.Sprintf("A DNS failure during the tree walk (%v) left the Organizational Domain of %s undetermined; relaxed alignment of its subdomains and parents cannot be checked.", res.orgErr, from))
	}
	res.OrgDomains.Agree = res.OrgDomains.TreeWalk != "" && res.OrgDomains.TreeWalk == res.OrgDomains.PSL
	if res.OrgDomains.TreeWalk != "" && !res.OrgDomains.Agree {
		res.add(finding.Info, "dmarc-org-domain-methods-differ",
			fmt.Sprintf("The Organizational Domain of %s is %s with the Public Suffix List (RFC 7489) but %s with the DNS Tree Walk (RFC 9989); receivers using different methods may align identifiers differently.", from, res.OrgDomains.PSL, res.OrgDomains.TreeWalk))
	}
	res.Findings = append(res.Findings, d.findings...)

	return &Discovery{res: res, from: from, method: method, q: q, d: d}
}

// Evaluate checks SPF and DKIM Identifier Alignment against the discovered
// record and picks the policy that applies (RFC 7489 §6.6; RFC 9989 §4.4,
// §4.10.1). It may query DNS for alignment (the tree walk of an identifier)
// and for the non-existent domain test (np). Call it once.
func (disc *Discovery) Evaluate(spf SPF, dkim []DKIM) Result {
	if disc.done {
		return disc.res
	}
	defer disc.q.drain()
	res, from, method, q, d := disc.res, disc.from, disc.method, disc.q, disc.d
	in := Input{From: from, SPF: spf, DKIM: dkim, Method: method}
	rec := d.record
	alignModeSPF, alignModeDKIM := Relaxed, Relaxed
	if rec != nil && rec.Usable {
		alignModeSPF, alignModeDKIM = rec.ASPF, rec.ADKIM
	}
	orgOf := func(id string) (string, error) {
		if method == MethodPSL {
			o, err := PSLOrgDomain(id)
			if errors.Is(err, ErrPublicSuffix) {
				err = nil
			}
			return o, err
		}
		w := q.walk(id)
		return w.org, w.err
	}
	res.Alignment = alignAll(in, from, res.OrgDomain, res.orgErr, alignModeSPF, alignModeDKIM, orgOf)
	res.SPFAligned = res.Alignment.SPF.Result == result.Pass
	res.DKIMAligned = res.Alignment.DKIM.Result == result.Pass

	switch {
	case d.err != nil:
		// RFC 9989 §4.10.1: handling of DNS errors is left to the
		// receiver; a transient failure gives temperror (RFC 7489
		// §11.2).
		res.Result = result.TempError
		res.Reason = d.reason
		res.add(finding.Error, "dmarc-temperror", d.reason)
		return res
	case rec == nil:
		res.Result = result.None
		res.Reason = d.reason
		return res
	}
	res.Record = rec.Raw
	res.RecordDomain = d.recordDomain
	res.Tags = rec.Tags
	res.Findings = append(res.Findings, rec.Findings...)
	if _, ok := rec.Tags["psd"]; ok && method == MethodPSL {
		res.add(finding.Info, "dmarc-psd-ignored-by-psl",
			"The record has a psd tag, which only the RFC 9989 tree walk uses; with the Public Suffix List method it has no effect.")
	}
	if !rec.Usable {
		// RFC 7489 §6.6.3 step 6; RFC 9989 §4.10.1.
		res.Result = result.None
		res.Reason = fmt.Sprintf("The DMARC record at _dmarc.%s has no valid p tag (or an invalid sp or np) and no valid rua URI, so no DMARC processing applies.", d.recordDomain)
		return res
	}

	// Policy: p for the Author Domain's own record; sp or np for a record
	// found at a parent (RFC 9989 §4.10.1; RFC 7489 §6.6.3).
	sub := d.recordDomain != from
	exists := true
	if sub && rec.NonExistentPolicy != "" && !rec.NoneFallback {
		e := q.exists(from)
		if e.known {
			exists = e.exists
			res.FromExists = &e.exists
		} else {
			res.add(finding.Warning, "dmarc-existence-unknown",
				fmt.Sprintf("Whether %s exists could not be determined (%v), so np was not considered.", from, e.err))
		}
	}
	pol, src := rec.PolicyFor(sub, exists)
	res.PublishedPolicy, res.PolicySource = pol, src
	res.Policy = pol
	if rec.Testing {
		res.Policy = pol.downgrade()
		res.Testing = true
	}
	if sub {
		res.add(finding.Info, "dmarc-inherited-policy",
			fmt.Sprintf("%s publishes no DMARC record of its own; the record of %s applies through its %s tag.", from, d.recordDomain, src))
	}

	switch {
	case res.SPFAligned || res.DKIMAligned:
		// RFC 7489 §4.2; RFC 9989 §4.4: pass when at least one
		// authenticated identifier aligns.
		res.Result = result.Pass
		res.AppliedPolicy = PolicyNone
		var by []string
		if res.DKIMAligned {
			by = append(by, "DKIM ("+res.Alignment.DKIM.Domain+")")
		}
		if res.SPFAligned {
			by = append(by, "SPF ("+res.Alignment.SPF.Domain+")")
		}
		res.Reason = fmt.Sprintf("Aligned pass from %s.", strings.Join(by, " and "))
	case res.Alignment.SPF.Result == result.TempError || res.Alignment.DKIM.Result == result.TempError:
		res.Result = result.TempError
		res.Reason = "No identifier is known to align, and a DNS failure left the alignment of at least one identifier undetermined."
		res.add(finding.Error, "dmarc-temperror", res.Reason)
	default:
		res.Result = result.Fail
		res.AppliedPolicy = res.Policy
		res.Reason = failReason(res.Alignment)
		res.add(finding.Error, "dmarc-fail",
			fmt.Sprintf("DMARC fails: %s The domain asks receivers to apply %s.", res.Reason, res.Policy))
	}
	return res
}

func failReason(a Alignment) string {
	var parts []string
	for _, m := range []struct {
		name string
		al   MechanismAlignment
	}{{"SPF", a.SPF}, {"DKIM", a.DKIM}} {
		switch m.al.Result {
		case result.None:
			parts = append(parts, m.name+" did not pass")
		case result.Fail:
			var ids []string
			for _, id := range m.al.Identifiers {
				ids = append(ids, id.Domain)
			}
			parts = append(parts, fmt.Sprintf("%s passed for %s, which is not %s-aligned with the From domain", m.name, strings.Join(ids, ", "), m.al.Mode))
		}
	}
	return strings.Join(parts, "; ") + "."
}

// discovery is the outcome of policy discovery for the Author Domain.
type discovery struct {
	record       *Record
	recordDomain string
	walk         *walkResult
	steps        []WalkStep
	findings     []finding.Finding
	err          error
	reason       string
}

func (d *discovery) add(sev finding.Severity, code, msg string) {
	d.findings = append(d.findings, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "dmarc"})
}

// noteLevel adds findings about TXT records that were discarded at lv.
func (d *discovery) noteLevel(lv level) {
	if lv.BadVersion != "" {
		d.add(finding.Warning, "dmarc-bad-version",
			fmt.Sprintf("_dmarc.%s has a TXT record that looks like DMARC but does not start with exactly v=DMARC1 (%q); receivers ignore it (RFC 9989 §4.7 \"v\").", lv.Domain, clip(lv.BadVersion)))
	}
}

func stepOf(lv level) WalkStep {
	s := WalkStep{Name: "_dmarc." + lv.Domain, Status: lv.Status}
	if lv.Record != nil {
		s.Record = lv.Record.Raw
		if lv.Record.PSD != PSDUnknown {
			s.PSD = lv.Record.PSD
		}
	}
	if lv.Err != nil {
		s.Error = lv.Err.Error()
	}
	return s
}

// discoverTreeWalk is RFC 9989 §4.10.1 policy discovery. The Author Domain
// query and the tree walk from its parent are the same names as the tree
// walk that finds its Organizational Domain (§4.10.2), so one walk serves
// both.
func (q *querier) discoverTreeWalk(from string) discovery {
	w := q.walk(from)
	d := discovery{walk: w}
	for _, lv := range w.levels {
		d.steps = append(d.steps, stepOf(lv))
		d.noteLevel(lv)
	}
	for _, n := range w.names[len(w.levels):] {
		d.steps = append(d.steps, WalkStep{Name: "_dmarc." + n, Status: "not-needed"})
	}
	if len(w.names) > MaxTreeWalkQueries-1 && labelCount(from) > MaxTreeWalkQueries {
		d.add(finding.Info, "dmarc-walk-shortcut",
			fmt.Sprintf("%s has %d labels; the tree walk skips to its last seven labels after the first query (RFC 9989 §4.10).", from, labelCount(from)))
	}
	if d.authorDecides(from, w.levels[0]) {
		return d
	}
	if w.err != nil {
		d.err = w.err
		d.reason = fmt.Sprintf("The tree walk could not finish: the query for _dmarc.%s failed (%v).", w.errAt, w.err)
		return d
	}
	for _, lv := range w.levels[1:] {
		if lv.Status == StatusMultiple {
			d.add(finding.Warning, "dmarc-walk-multiple-records",
				fmt.Sprintf("_dmarc.%s holds more than one DMARC record; they were discarded during the tree walk (RFC 9989 §4.10 step 6).", lv.Domain))
		}
	}
	// §4.10.1: the record of the Organizational Domain, else that of the
	// Public Suffix Domain.
	for _, lv := range w.levels {
		if lv.Status == StatusRecord && lv.Domain == w.org {
			d.record, d.recordDomain = lv.Record, lv.Domain
			return d
		}
	}
	if w.rule == orgRulePSDYes {
		psd := w.levels[len(w.levels)-1]
		d.record, d.recordDomain = psd.Record, psd.Domain
		d.add(finding.Info, "dmarc-psd-policy",
			fmt.Sprintf("Neither %s nor its Organizational Domain %s publishes a DMARC record; the Public Suffix Domain %s does (psd=y), and its policy applies (RFC 9989 §4.10.1).", from, w.org, psd.Domain))
		return d
	}
	d.reason = fmt.Sprintf("No DMARC record was found for %s or any parent domain, so DMARC does not apply.", from)
	d.add(finding.Warning, "dmarc-no-record", d.reason)
	return d
}

// authorDecides applies what both discovery methods do with the answer at
// the Author Domain, and reports whether it ends discovery: a DNS error, a
// record (RFC 9989 §4.10.1: a valid record at the Author Domain is the
// policy) or several records (RFC 7489 §6.6.3 step 5: DMARC then does not
// apply; falling back to the parent would impose a policy the owner did
// not choose).
func (d *discovery) authorDecides(from string, author level) bool {
	switch author.Status {
	case StatusError:
		d.err = author.Err
		d.reason = fmt.Sprintf("The DMARC query for _dmarc.%s failed (%v).", from, author.Err)
		return true
	case StatusRecord:
		d.record, d.recordDomain = author.Record, from
		return true
	case StatusMultiple:
		d.reason = fmt.Sprintf("_dmarc.%s holds more than one DMARC record, so all are discarded and DMARC does not apply.", from)
		d.add(finding.Error, "dmarc-multiple-records", d.reason)
		return true
	}
	return false
}

// discoverPSL is RFC 7489 §6.6.3 policy discovery: the Author Domain, then
// its PSL Organizational Domain. Both queries start at once.
func (q *querier) discoverPSL(from, org string) discovery {
	d := discovery{}
	aAuthor := q.start("_dmarc." + from)
	var aOrg *txtAnswer
	if org != from {
		aOrg = q.start("_dmarc." + org)
	}
	author := q.level(from, aAuthor)
	d.steps = append(d.steps, stepOf(author))
	d.noteLevel(author)
	if d.authorDecides(from, author) {
		return d
	}
	if aOrg == nil {
		d.reason = fmt.Sprintf("No DMARC record was found for %s, so DMARC does not apply.", from)
		d.add(finding.Warning, "dmarc-no-record", d.reason)
		return d
	}
	// §6.6.3 step 3: query the Organizational Domain.
	lv := q.level(org, aOrg)
	d.steps = append(d.steps, stepOf(lv))
	d.noteLevel(lv)
	switch lv.Status {
	case StatusError:
		d.err = lv.Err
		d.reason = fmt.Sprintf("The DMARC query for _dmarc.%s failed (%v).", org, lv.Err)
	case StatusRecord:
		d.record, d.recordDomain = lv.Record, org
	case StatusMultiple:
		d.reason = fmt.Sprintf("_dmarc.%s holds more than one DMARC record, so all are discarded and DMARC does not apply.", org)
		d.add(finding.Error, "dmarc-multiple-records", d.reason)
	default:
		d.reason = fmt.Sprintf("No DMARC record was found for %s or its Organizational Domain %s, so DMARC does not apply.", from, org)
		d.add(finding.Warning, "dmarc-no-record", d.reason)
	}
	return d
}

// alignAll checks SPF and DKIM Identifier Alignment (RFC 7489 §3.1; RFC
// 9989 §4.4, §4.10.2). orgOf gives the Organizational Domain of an
// identifier under the method in use; it is called only for identifiers
// that are proper subdomains of (or equal to) the From domain's
// Organizational Domain, because the Organizational Domain of a name is
// always the name or one of its parents, so no other identifier can share
// it.
func alignAll(in Input, from, fromOrg string, fromOrgErr error, spfMode, dkimMode AlignmentMode, orgOf func(string) (string, error)) Alignment {
	type job struct {
		mech *MechanismAlignment
		idx  int
	}
	a := Alignment{
		SPF:  MechanismAlignment{Mode: spfMode, Result: result.None},
		DKIM: MechanismAlignment{Mode: dkimMode, Result: result.None},
	}
	// RFC 7489 §3.1.2; RFC 7208 §2.4: the MAIL FROM domain, or the HELO
	// domain when the reverse-path is null.
	if strings.EqualFold(strings.TrimSpace(string(in.SPF.Result)), "pass") {
		id := address.PathDomain(in.SPF.MailFrom)
		if strings.Trim(strings.TrimSpace(in.SPF.MailFrom), "<>") == "" {
			id = strings.TrimSpace(in.SPF.Helo)
		}
		if id != "" {
			a.SPF.Identifiers = append(a.SPF.Identifiers, IdentifierAlignment{Domain: id})
		}
	}
	seen := map[string]bool{}
	for i, k := range in.DKIM {
		if i >= maxDKIM {
			break
		}
		if !strings.EqualFold(strings.TrimSpace(string(k.Result)), "pass") {
			continue
		}
		d := strings.TrimSpace(k.Domain)
		key := strings.ToLower(strings.TrimSuffix(d, "."))
		if d == "" || seen[key] {
			continue
		}
		seen[key] = true
		a.DKIM.Identifiers = append(a.DKIM.Identifiers, IdentifierAlignment{Domain: d})
	}

	var jobs []job
	walked := map[string]bool{}
	for _, m := range []*MechanismAlignment{&a.SPF, &a.DKIM} {
		for i := range m.Identifiers {
			id := &m.Identifiers[i]
			norm, err := NormalizeDomain(id.Domain)
			if err != nil {
				id.Error = "not a valid domain name"
				continue
			}
			id.Domain = norm
			id.Identical = norm == from
			if id.Identical {
				// Identical names align in both modes.
				id.Aligned = true
				id.OrgDomain = fromOrg
				continue
			}
			if m.Mode == Strict {
				// Strict: exact match only (RFC 7489 §3.1.1).
				continue
			}
			if norm != fromOrg && !isSubdomain(norm, fromOrg) {
				// Cannot share the From domain's Organizational
				// Domain, which is always one of its own parents.
				if fromOrgErr != nil {
					id.Error = "the From domain's Organizational Domain is undetermined: " + fromOrgErr.Error()
					id.undetermined = true
				}
				continue
			}
			if fromOrgErr != nil {
				id.Error = "the From domain's Organizational Domain is undetermined: " + fromOrgErr.Error()
				id.undetermined = true
				continue
			}
			if len(walked) >= maxIdentifierWalks && !walked[norm] {
				id.Error = "too many identifiers to look up"
				continue
			}
			walked[norm] = true
			jobs = append(jobs, job{m, i})
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		id := &j.mech.Identifiers[j.idx]
		guard.Go(&wg, func() {
			org, err := orgOf(id.Domain)
			id.OrgDomain = org
			if err != nil {
				id.Error = "DNS failure while finding its Organizational Domain: " + err.Error()
				id.undetermined = true
				return
			}
			// Relaxed: same Organizational Domain (RFC 7489 §3.1;
			// RFC 9989 §4.4, §4.10.2).
			id.Aligned = org == fromOrg
		}, func(err error) {
			id.Error, id.undetermined = err.Error(), true
		})
	}
	wg.Wait()

	for _, m := range []*MechanismAlignment{&a.SPF, &a.DKIM} {
		if len(m.Identifiers) == 0 {
			continue
		}
		m.Result = result.Fail
		for _, id := range m.Identifiers {
			if id.Aligned {
				m.Result = result.Pass
				m.Domain = id.Domain
				if m.Mode == Relaxed {
					m.OrgDomain = fromOrg
				}
				break
			}
			if id.undetermined {
				m.Result = result.TempError
			}
		}
	}
	return a
}
