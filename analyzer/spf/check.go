package spf

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/result"
	"headerlens/dnswire"
	"headerlens/lookup"
)

// Processing limits of RFC 7208 §4.6.4.
const (
	// MaxLookups is the number of DNS-querying terms (include, a, mx, ptr,
	// exists, redirect) one check may evaluate.
	MaxLookups = 10
	// MaxMXNames is the number of MX names one "mx" term may look up;
	// more is a permerror.
	MaxMXNames = 10
	// MaxPTRNames is the number of PTR names one "ptr" term or %{p} macro
	// may look up; the rest are ignored.
	MaxPTRNames = 10
	// DefaultVoidLookupLimit is the recommended limit of void lookups.
	DefaultVoidLookupLimit = 2
	// DefaultTimeout is the default time limit of one check (§4.6.4:
	// "at least 20 seconds").
	DefaultTimeout = 20 * time.Second
)

// maxDepth caps include/redirect nesting. The lookup limit already bounds
// it (each level costs one lookup); this is a second fence.
const maxDepth = MaxLookups + 2

// maxTraceAnswers caps the answers shown per query in the trace.
const maxTraceAnswers = 16

// Options tune a check. The zero value follows the RFC's defaults.
type Options struct {
	// Timeout limits the whole check; DefaultTimeout when zero. When it
	// expires the result is temperror (RFC 7208 §4.6.4).
	Timeout time.Duration
	// Receiver is the %{r} macro, the receiving host's name (§7.2);
	// "unknown" when empty.
	Receiver string
	// Now is the clock for %{t}; time.Now when nil.
	Now func() time.Time
	// DefaultExplanation is returned with a fail when the record has no
	// usable exp= (RFC 7208 §6.2).
	DefaultExplanation string
	// VoidLookupLimit overrides DefaultVoidLookupLimit when positive
	// (§4.6.4: the limit MAY be configurable).
	VoidLookupLimit int
	// Exchanger, when set, is asked for SPF (type 99) records, only to
	// warn about them: RFC 7208 §3.1 withdrew the type, and §14.1 says
	// no one should publish or query it for evaluation. Nil: not asked.
	Exchanger lookup.Exchanger
}

// CheckHost runs check_host(<ip>, <domain>, <sender>) of RFC 7208 §4 with
// helo as the %{h} macro. sender is the full <sender> address (a missing
// local-part becomes "postmaster", §4.3). It never returns nil.
func CheckHost(ctx context.Context, r lookup.Resolver, ip netip.Addr, domain, sender, helo string, opts Options) *Result {
	return run(ctx, r, ip, "", domain, sender, helo, opts)
}

// CheckHELO checks the HELO identity (RFC 7208 §2.3): <domain> is the HELO
// name and <sender> is postmaster@ it. A HELO that is not a valid
// multi-label domain name (an address literal, a bare word) gives none.
func CheckHELO(ctx context.Context, r lookup.Resolver, ip netip.Addr, helo string, opts Options) *Result {
	return run(ctx, r, ip, IdentityHELO, helo, "postmaster@"+helo, helo, opts)
}

// CheckMailFrom checks the MAIL FROM identity (RFC 7208 §2.4). mailFrom may
// carry angle brackets. When it is null, the identity is postmaster@ the
// HELO name; when it has no local-part, "postmaster" is used (§4.3).
func CheckMailFrom(ctx context.Context, r lookup.Resolver, ip netip.Addr, helo, mailFrom string, opts Options) *Result {
	mailFrom = strings.TrimSpace(mailFrom)
	mailFrom = strings.TrimSuffix(strings.TrimPrefix(mailFrom, "<"), ">")
	if mailFrom == "" {
		return run(ctx, r, ip, IdentityMailFrom, helo, "postmaster@"+helo, helo, opts)
	}
	at := strings.LastIndexByte(mailFrom, '@')
	return run(ctx, r, ip, IdentityMailFrom, mailFrom[at+1:], mailFrom, helo, opts)
}

// Check evaluates both identities the way a receiver does, HELO (RFC 7208
// §2.3) and MAIL FROM (§2.4), concurrently. It returns the MAIL FROM result,
// the one that authorizes the message, with the HELO result in its HELO
// field. When the reverse-path is null the MAIL FROM identity is
// postmaster@HELO, so the HELO evaluation is reused rather than repeated.
func Check(ctx context.Context, r lookup.Resolver, ip netip.Addr, helo, mailFrom string, opts Options) *Result {
	mf := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(mailFrom), "<"), ">")
	if mf == "" {
		h := CheckHELO(ctx, r, ip, helo, opts)
		m := *h
		m.Identity = IdentityMailFrom
		m.HELO = h
		return &m
	}
	// The two evaluations are independent (§2.3, §2.4): run them at once
	// so that their DNS round trips overlap.
	var h *Result
	var wg sync.WaitGroup
	guard.Go(&wg, func() { h = CheckHELO(ctx, r, ip, helo, opts) }, func(err error) {
		h = &Result{Result: result.TempError, Identity: IdentityHELO, Domain: helo, IP: ip.String(), Helo: helo, Trace: []Step{},
			Reason: "while checking the HELO identity: " + err.Error()}
	})
	m := CheckMailFrom(ctx, r, ip, helo, mf, opts)
	wg.Wait()
	m.HELO = h
	return m
}

// outcome is what evaluating a record produced.
type outcome struct {
	v      result.Word
	reason string
	// exp is the exp= of the record that produced a fail, if any; it is
	// evaluated once, after the final result is known (§6.2).
	exp *expRef
}

type expRef struct {
	term   *Term
	domain string
}

// checker holds the state of one check_host() evaluation.
type checker struct {
	ctx       context.Context
	r         lookup.Resolver
	ex        lookup.Exchanger
	ip        netip.Addr
	env       macroEnv
	voidLimit int

	lookups, voids int
	steps          []Step
	lint           []finding.Finding
	linted         map[string]bool

	ptrDone  bool
	ptrNames []string // validated names of ip, for %{p}

	type99     chan DNSQuery // the pending SPF RR type 99 query, if any
	type99Step int           // the step it belongs to
}

// type99Grace is how long a check waits, once its result is known, for the
// lint-only SPF RR type 99 query still in flight.
const type99Grace = time.Second

// collectType99 records the SPF RR type 99 query started by checkHost,
// waiting at most type99Grace for it: servers that time out on type 99
// (suite "spftimeout") must not delay the result.
func (c *checker) collectType99() {
	if c.type99 == nil {
		return
	}
	t := time.NewTimer(type99Grace)
	defer t.Stop()
	select {
	case q, ok := <-c.type99:
		if !ok {
			return
		}
		c.steps[c.type99Step].Queries = append(c.steps[c.type99Step].Queries, q)
		if q.Status == "ok" {
			c.addLint(finding.Warning, LintSPFRRType, fmt.Sprintf("%s publishes a record of the SPF RR type (99): RFC 7208 §3.1 allows TXT only and §14.1 deprecates type 99, so it is ignored", q.Name))
		}
	case <-t.C:
	case <-c.ctx.Done():
	}
}

func run(ctx context.Context, r lookup.Resolver, ip netip.Addr, id Identity, domain, sender, helo string, opts Options) *Result {
	ip = ip.Unmap() // RFC 7208 §5: IPv4-mapped IPv6 is treated as IPv4.
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	// RFC 7208 §4.3: a <sender> without local-part uses "postmaster".
	local, sdom := "postmaster", domain
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		if at > 0 {
			local = sender[:at]
		}
		sdom = sender[at+1:]
	}
	sender = local + "@" + sdom
	res := &Result{Domain: domain, Identity: id, IP: ip.String(), Helo: helo, MailFrom: sender, Trace: []Step{}}
	if !ip.IsValid() {
		res.Result = result.PermError
		res.IP = ""
		res.Reason = "no valid client IP address to check"
		return res
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	c := &checker{
		ctx: ctx, r: r, ex: opts.Exchanger, ip: ip,
		env: macroEnv{
			sender: sender, local: local, senderD: sdom, ip: ip,
			helo: helo, receiver: opts.Receiver, now: now(),
		},
		voidLimit: DefaultVoidLookupLimit,
		linted:    map[string]bool{},
	}
	if opts.VoidLookupLimit > 0 {
		c.voidLimit = opts.VoidLookupLimit
	}
	var o outcome
	if validIdentity(domain) {
		o = c.checkHost(domain, 0)
	} else {
		// RFC 7208 §4.3 (and §2.3 for HELO): a malformed or single-label
		// <domain>, or an address literal, gives none without any query.
		o = outcome{v: result.None, reason: fmt.Sprintf("%q is not a valid multi-label domain name, so there is nothing to check (RFC 7208 §4.3)", domain)}
	}
	res.Result = o.v
	res.Reason = o.reason
	for _, s := range c.steps {
		if s.Kind == StepRecord && s.Depth == 0 && s.Domain == domain && s.Term != "" {
			res.Record = s.Term
			break
		}
	}
	if o.v == result.Fail {
		// RFC 7208 §6.2: the explanation is looked up only for a fail,
		// once, after the result is known.
		if o.exp != nil {
			res.Explanation = c.explain(o.exp)
		}
		if res.Explanation == "" {
			res.Explanation = opts.DefaultExplanation
		}
	}
	c.collectType99()
	res.Lookups, res.VoidLookups = c.lookups, c.voids
	res.Trace = c.steps
	c.lintResult(res)
	res.Lint = c.lint
	return res
}

// validIdentity reports whether an identity's domain can be checked at all
// (RFC 7208 §4.3): a multi-label name with labels of 1 to 63 octets, not an
// address literal, and no spaces or control characters.
func validIdentity(d string) bool {
	if strings.HasPrefix(d, "[") || !validName(d) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] <= ' ' || d[i] == 0x7f {
			return false
		}
	}
	return true
}

// step appends a trace step and returns its index.
func (c *checker) step(s Step) int {
	s.Lookups, s.VoidLookups = c.lookups, c.voids
	c.steps = append(c.steps, s)
	return len(c.steps) - 1
}

func (c *checker) finish(si int) {
	c.steps[si].Lookups, c.steps[si].VoidLookups = c.lookups, c.voids
}

// checkHost is check_host() for one <domain> (RFC 7208 §4).
func (c *checker) checkHost(domain string, depth int) outcome {
	if depth > maxDepth {
		return outcome{v: result.PermError, reason: "include/redirect nesting is too deep"}
	}
	si := c.step(Step{Depth: depth, Domain: domain, Kind: StepRecord})
	if !validName(domain) {
		// RFC 7208 §4.3: a malformed <domain> gives none.
		c.steps[si].Note = "not a valid domain name; treated as non-existent (RFC 7208 §4.3)"
		c.steps[si].Result = result.None
		return outcome{v: result.None, reason: fmt.Sprintf("%q is not a valid domain name (RFC 7208 §4.3)", domain)}
	}
	if depth == 0 && c.type99 == nil {
		// Ask for the deprecated SPF RR type alongside the evaluation, for
		// lint only; it never affects the result (RFC 7208 §3.1).
		c.type99 = c.lookupType99(domain)
		c.type99Step = si
	}
	txts, q, err := c.lookupTXT(domain)
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	if err != nil {
		if lookup.IsNotFound(err) {
			// RFC 7208 §4.3: NXDOMAIN gives none; §4.5: so does a name
			// without records.
			c.steps[si].Result = result.None
			return outcome{v: result.None, reason: fmt.Sprintf("%s has no TXT records, so no SPF record (RFC 7208 §4.5)", domain)}
		}
		// RFC 7208 §4.4: a server failure or time-out gives temperror.
		c.steps[si].Result = result.TempError
		c.steps[si].Error = err.Error()
		return outcome{v: result.TempError, reason: fmt.Sprintf("DNS error looking up the TXT records of %s: %v (RFC 7208 §4.4)", domain, err)}
	}
	var recs []string
	for _, t := range txts {
		if IsRecord(t) {
			recs = append(recs, t)
		} else if strings.HasPrefix(strings.ToLower(t), "spf2.0/") {
			c.addLint(finding.Info, LintSenderID, fmt.Sprintf("%s publishes a Sender ID record (%q); Sender ID (RFC 4406) is historic and ignored by SPF", domain, t))
		}
	}
	switch len(recs) {
	case 0:
		// RFC 7208 §4.5: no record gives none.
		c.steps[si].Result = result.None
		return outcome{v: result.None, reason: fmt.Sprintf("%s has no SPF record (RFC 7208 §4.5)", domain)}
	case 1:
	default:
		// RFC 7208 §4.5: more than one record gives permerror.
		c.steps[si].Result = result.PermError
		c.steps[si].Error = fmt.Sprintf("%d SPF records", len(recs))
		c.addLint(finding.Error, LintMultipleRecords, fmt.Sprintf("%s publishes %d SPF records; there must be exactly one (RFC 7208 §4.5)", domain, len(recs)))
		return outcome{v: result.PermError, reason: fmt.Sprintf("%s publishes %d SPF records (RFC 7208 §4.5)", domain, len(recs))}
	}
	c.steps[si].Term = recs[0]
	rec, err := Parse(recs[0])
	if err != nil {
		// RFC 7208 §4.6: a syntax error anywhere is a permerror.
		c.steps[si].Result = result.PermError
		c.steps[si].Error = err.Error()
		c.addLint(finding.Error, LintSyntax, fmt.Sprintf("the SPF record of %s has a syntax error: %v", domain, err))
		return outcome{v: result.PermError, reason: fmt.Sprintf("syntax error in the SPF record of %s: %v (RFC 7208 §4.6)", domain, err)}
	}
	c.lintRecord(rec, domain)
	return c.eval(rec, domain, depth)
}

// eval evaluates a parsed record (RFC 7208 §4.6.2, §4.7, §6.1).
func (c *checker) eval(rec *Record, domain string, depth int) outcome {
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.Modifier {
			continue
		}
		si := c.step(Step{Depth: depth, Domain: domain, Kind: StepTerm, Term: t.Text})
		if err := c.ctx.Err(); err != nil {
			c.steps[si].Result = result.TempError
			c.steps[si].Error = "time limit reached"
			return outcome{v: result.TempError, reason: "the check ran out of time (RFC 7208 §4.6.4)"}
		}
		matched, why, bad := c.mechanism(t, domain, depth, si)
		c.finish(si)
		if bad != nil {
			c.steps[si].Result = bad.v
			if c.steps[si].Error == "" {
				c.steps[si].Error = bad.reason
			}
			return *bad
		}
		if matched {
			// RFC 7208 §4.6.2: the first matching mechanism gives the
			// result of its qualifier.
			v := t.Qualifier.Result()
			c.steps[si].Matched = true
			c.steps[si].Result = v
			reason := "matched " + t.Text
			if why != "" {
				reason = why + " in " + t.Text
			}
			if depth == 0 {
				reason += " (record of " + domain + ")"
			}
			o := outcome{v: v, reason: reason}
			if v == result.Fail && rec.Exp != nil {
				o.exp = &expRef{term: rec.Exp, domain: domain}
			}
			return o
		}
	}
	if rec.Redirect != nil {
		// RFC 7208 §6.1: with no match, redirect= replaces the result by
		// check_host() of its target; the exp= of this record is not used
		// (§6.2).
		t := rec.Redirect
		si := c.step(Step{Depth: depth, Domain: domain, Kind: StepTerm, Term: t.Text})
		if bad := c.count(si); bad != nil {
			return *bad
		}
		target := c.target(t, domain, si)
		c.steps[si].Target = target
		inner := c.checkHost(target, depth+1)
		c.finish(si)
		c.steps[si].Result = inner.v
		switch inner.v {
		case result.None:
			// RFC 7208 §6.1: a target without a record, or a malformed
			// target, gives permerror.
			c.addLint(finding.Error, LintRedirectNone, fmt.Sprintf("%s redirects to %s, which has no SPF record (RFC 7208 §6.1)", domain, target))
			return outcome{v: result.PermError, reason: fmt.Sprintf("%s: %s (RFC 7208 §6.1)", t.Text, inner.reason)}
		case result.TempError, result.PermError:
			return inner
		}
		inner.reason += " via " + t.Text
		return inner
	}
	// RFC 7208 §4.7: no match and no redirect gives neutral.
	return outcome{v: result.Neutral, reason: fmt.Sprintf("no mechanism matched in the record of %s; the default result is neutral (RFC 7208 §4.7)", domain)}
}

// count accounts for a DNS-querying term (RFC 7208 §4.6.4) before it makes
// any query.
func (c *checker) count(si int) *outcome {
	c.lookups++
	c.finish(si)
	if c.lookups > MaxLookups {
		c.steps[si].Result = result.PermError
		c.steps[si].Error = fmt.Sprintf("more than %d DNS-querying terms", MaxLookups)
		return &outcome{v: result.PermError, reason: fmt.Sprintf("more than %d DNS-querying terms (include, a, mx, ptr, exists, redirect) were needed (RFC 7208 §4.6.4)", MaxLookups)}
	}
	return nil
}

// void accounts for a term whose lookup returned nothing (RFC 7208 §4.6.4).
func (c *checker) void(si int) *outcome {
	c.voids++
	c.finish(si)
	if c.voids > c.voidLimit {
		c.steps[si].Result = result.PermError
		c.steps[si].Error = fmt.Sprintf("more than %d void lookups", c.voidLimit)
		return &outcome{v: result.PermError, reason: fmt.Sprintf("more than %d lookups returned no answer or NXDOMAIN (void lookup limit, RFC 7208 §4.6.4)", c.voidLimit)}
	}
	return nil
}

// target expands a term's domain-spec, or returns the current domain when
// the term has none (RFC 7208 §4.8).
func (c *checker) target(t *Term, domain string, si int) string {
	if len(t.spec.toks) == 0 {
		return domain
	}
	env := c.env
	env.domain = domain
	env.ptr = func() string { return c.ptrMacro(domain, si) }
	return queryName(t.spec.expand(&env))
}

// mechanism evaluates one mechanism (RFC 7208 §5). It returns whether it
// matched, an optional explanation of a match, or the outcome that ends the
// evaluation (temperror, permerror).
func (c *checker) mechanism(t *Term, domain string, depth, si int) (bool, string, *outcome) {
	switch t.Name {
	case "all":
		// RFC 7208 §5.1: always matches.
		return true, "", nil
	case "ip4", "ip6":
		// RFC 7208 §5.6: ip4 matches only IPv4 clients, ip6 only IPv6.
		return t.Prefix.Addr().Is4() == c.ip.Is4() && t.Prefix.Contains(c.ip), "", nil
	}
	if bad := c.count(si); bad != nil {
		return false, "", bad
	}
	target := c.target(t, domain, si)
	c.steps[si].Target = target
	if t.Name == "include" {
		return c.include(t, target, depth, si)
	}
	if !validName(target) {
		// RFC 7208 §4.8, §5: a target that cannot be queried (empty or
		// over-long label) is treated as non-existent: no match.
		c.steps[si].Note = fmt.Sprintf("%q is not a valid DNS name; treated as non-existent", target)
		return false, "", nil
	}
	switch t.Name {
	case "a":
		return c.mechA(t, target, si)
	case "mx":
		return c.mechMX(t, target, si)
	case "ptr":
		return c.mechPTR(target, si)
	case "exists":
		return c.mechExists(target, si)
	}
	return false, "", &outcome{v: result.PermError, reason: "unknown mechanism " + t.Name}
}

// include evaluates "include" (RFC 7208 §5.2).
func (c *checker) include(t *Term, target string, depth, si int) (bool, string, *outcome) {
	inner := c.checkHost(target, depth+1)
	c.finish(si)
	switch inner.v {
	case result.Pass:
		// RFC 7208 §5.2: pass matches; the included exp= is never used.
		return true, inner.reason, nil
	case result.Fail, result.SoftFail, result.Neutral:
		return false, "", nil
	case result.TempError:
		return false, "", &outcome{v: result.TempError, reason: fmt.Sprintf("%s: %s", t.Text, inner.reason)}
	case result.None:
		// RFC 7208 §5.2: none inside include is a permerror.
		c.addLint(finding.Error, LintIncludeNone, fmt.Sprintf("%s includes %s, which has no SPF record (RFC 7208 §5.2)", c.steps[si].Domain, target))
		return false, "", &outcome{v: result.PermError, reason: fmt.Sprintf("%s: %s, which makes the include a permerror (RFC 7208 §5.2)", t.Text, inner.reason)}
	}
	return false, "", &outcome{v: result.PermError, reason: fmt.Sprintf("%s: %s", t.Text, inner.reason)}
}

// network returns the Resolver network and query type for the client's
// address family (RFC 7208 §5.3: A for IPv4, AAAA for IPv6).
func (c *checker) network() (string, string) {
	if c.ip.Is4() {
		return "ip4", "A"
	}
	return "ip6", "AAAA"
}

// contains reports whether any of addrs, widened to the dual-CIDR length,
// contains the client address (RFC 7208 §5.3).
func (c *checker) contains(addrs []netip.Addr, t *Term) (netip.Addr, bool) {
	bits := t.CIDR6
	if c.ip.Is4() {
		bits = t.CIDR4
	}
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() != c.ip.Is4() {
			continue
		}
		if p, err := a.Prefix(bits); err == nil && p.Contains(c.ip) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// dnsFailure turns a failed lookup of a mechanism into its outcome: a void
// lookup for NXDOMAIN or no data, temperror otherwise (RFC 7208 §5, §4.6.4).
func (c *checker) dnsFailure(err error, what string, si int) *outcome {
	if lookup.IsNotFound(err) {
		return c.void(si)
	}
	c.steps[si].Error = err.Error()
	return &outcome{v: result.TempError, reason: fmt.Sprintf("DNS error looking up %s: %v (RFC 7208 §5)", what, err)}
}

// mechA evaluates "a" (RFC 7208 §5.3).
func (c *checker) mechA(t *Term, target string, si int) (bool, string, *outcome) {
	network, qtype := c.network()
	addrs, q, err := c.lookupIP(network, qtype, target)
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	if err != nil {
		return false, "", c.dnsFailure(err, qtype+" of "+target, si)
	}
	if len(addrs) == 0 {
		return false, "", c.void(si)
	}
	if a, ok := c.contains(addrs, t); ok {
		return true, fmt.Sprintf("%s (%s of %s)", a, qtype, target), nil
	}
	return false, "", nil
}

// mechMX evaluates "mx" (RFC 7208 §5.4). The address lookups of the MX
// names run concurrently; their results are then examined in MX order, so
// the outcome is the one a sequential evaluation gives.
func (c *checker) mechMX(t *Term, target string, si int) (bool, string, *outcome) {
	mxs, err := c.r.LookupMX(c.ctx, target)
	q := DNSQuery{Type: "MX", Name: target}
	var hosts []string
	for _, mx := range mxs {
		h := strings.TrimSuffix(mx.Host, ".")
		q.Answers = appendAnswer(q.Answers, fmt.Sprintf("%d %s.", mx.Pref, h))
		hosts = append(hosts, h)
	}
	setStatus(&q, err)
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	if err != nil {
		return false, "", c.dnsFailure(err, "MX of "+target, si)
	}
	if len(hosts) > MaxMXNames {
		// RFC 7208 §4.6.4: more than 10 MX names is a permerror.
		return false, "", &outcome{v: result.PermError, reason: fmt.Sprintf("%s has %d MX records; an mx mechanism may look up at most %d (RFC 7208 §4.6.4)", target, len(hosts), MaxMXNames)}
	}
	if len(hosts) == 0 {
		return false, "", c.void(si)
	}
	if len(hosts) == 1 && hosts[0] == "" {
		// RFC 7505 null MX: the domain accepts no mail; nothing to match.
		c.steps[si].Note = "null MX (RFC 7505): no hosts"
		return false, "", nil
	}
	network, qtype := c.network()
	type answer struct {
		addrs []netip.Addr
		q     DNSQuery
		err   error
	}
	answers := make([]answer, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		if !validName(h) {
			answers[i].q = DNSQuery{Type: qtype, Name: h, Status: "skipped"}
			continue
		}
		guard.Go(&wg, func() {
			a := &answers[i]
			a.addrs, a.q, a.err = c.lookupIP(network, qtype, h)
		}, func(err error) { answers[i].err = err })
	}
	wg.Wait()
	for i, a := range answers {
		c.steps[si].Queries = append(c.steps[si].Queries, a.q)
		if a.err != nil {
			if lookup.IsNotFound(a.err) {
				continue
			}
			c.steps[si].Error = a.err.Error()
			return false, "", &outcome{v: result.TempError, reason: fmt.Sprintf("DNS error looking up %s of MX host %s: %v (RFC 7208 §5.4)", qtype, hosts[i], a.err)}
		}
		if addr, ok := c.contains(a.addrs, t); ok {
			return true, fmt.Sprintf("%s (MX host %s of %s)", addr, hosts[i], target), nil
		}
	}
	return false, "", nil
}

// validatedNames returns the names of the client address that resolve back
// to it (RFC 7208 §5.5), considering the first MaxPTRNames PTR names and,
// when keep is not nil, only the names keep accepts. The address lookups
// run concurrently; DNS errors skip a name.
func (c *checker) validatedNames(si int, keep func(string) bool) ([]string, error) {
	names, q, err := c.lookupPTR()
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	if err != nil {
		return nil, err
	}
	if len(names) > MaxPTRNames {
		// RFC 7208 §4.6.4: only the first 10 PTR names are used.
		names = names[:MaxPTRNames]
	}
	var cand []string
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		if validName(n) && (keep == nil || keep(n)) {
			cand = append(cand, n)
		}
	}
	network, qtype := c.network()
	ok := make([]bool, len(cand))
	qs := make([]DNSQuery, len(cand))
	var wg sync.WaitGroup
	for i, n := range cand {
		guard.Go(&wg, func() {
			addrs, q, err := c.lookupIP(network, qtype, n)
			qs[i] = q
			if err != nil {
				return // RFC 7208 §5.5: a DNS error skips the name.
			}
			for _, a := range addrs {
				if a.Unmap() == c.ip {
					ok[i] = true
				}
			}
		}, func(error) {}) // a failed name is skipped, as a DNS error is (§5.5)
	}
	wg.Wait()
	var valid []string
	for i, n := range cand {
		c.steps[si].Queries = append(c.steps[si].Queries, qs[i])
		if ok[i] {
			valid = append(valid, n)
		}
	}
	return valid, nil
}

// underDomain reports whether name is target or a subdomain of it, ignoring
// case (RFC 7208 §5.5).
func underDomain(name, target string) bool {
	name, target = strings.ToLower(name), strings.ToLower(target)
	return name == target || strings.HasSuffix(name, "."+target)
}

// mechPTR evaluates "ptr" (RFC 7208 §5.5).
func (c *checker) mechPTR(target string, si int) (bool, string, *outcome) {
	valid, err := c.validatedNames(si, func(n string) bool { return underDomain(n, target) })
	if err != nil {
		if lookup.IsNotFound(err) {
			return false, "", c.void(si)
		}
		// RFC 7208 §5.5: a DNS error on the PTR lookup: no match.
		c.steps[si].Note = "PTR lookup failed: " + err.Error()
		return false, "", nil
	}
	if len(valid) > 0 {
		return true, fmt.Sprintf("%s is %s", c.ip, valid[0]), nil
	}
	return false, "", nil
}

// mechExists evaluates "exists" (RFC 7208 §5.7): an A query, whatever the
// client's address family.
func (c *checker) mechExists(target string, si int) (bool, string, *outcome) {
	addrs, q, err := c.lookupIP("ip4", "A", target)
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	if err != nil {
		return false, "", c.dnsFailure(err, "A of "+target, si)
	}
	if len(addrs) == 0 {
		return false, "", c.void(si)
	}
	return true, target + " exists", nil
}

// ptrMacro returns %{p}: a validated name of the client, preferring
// <domain> or a subdomain of it, else any validated name, else "unknown"
// (RFC 7208 §7.3). Its lookups are not terms and do not count against the
// §4.6.4 term limit; they are bounded by MaxPTRNames.
func (c *checker) ptrMacro(domain string, si int) string {
	if !c.ptrDone {
		c.ptrDone = true
		if !slices.ContainsFunc(c.lint, func(f finding.Finding) bool { return f.Code == LintPMacro }) {
			// Only the explanation text can get here unannounced: the
			// record lint has already reported %{p} in domain-specs.
			c.addLint(finding.Warning, LintPMacro, fmt.Sprintf("the explanation of %s uses the %%{p} macro, which is slow and unreliable and SHOULD NOT be used (RFC 7208 §7.3)", domain))
		}
		c.ptrNames, _ = c.validatedNames(si, nil)
	}
	for _, n := range c.ptrNames {
		if underDomain(n, domain) {
			return n
		}
	}
	if len(c.ptrNames) > 0 {
		return c.ptrNames[0]
	}
	return "unknown"
}

// explain evaluates exp= (RFC 7208 §6.2). Any failure (no or several TXT
// records, DNS error, syntax error, non-ASCII text) means no explanation.
func (c *checker) explain(ref *expRef) string {
	si := c.step(Step{Domain: ref.domain, Kind: StepExplanation, Term: ref.term.Text})
	ignore := func(why string) string {
		c.steps[si].Note = why + "; explanation ignored (RFC 7208 §6.2)"
		c.addLint(finding.Info, LintExpUnusable, fmt.Sprintf("the exp= of %s gives no explanation: %s (RFC 7208 §6.2)", ref.domain, why))
		return ""
	}
	name := c.target(ref.term, ref.domain, si)
	c.steps[si].Target = name
	if !validName(name) {
		return ignore(fmt.Sprintf("%q is not a valid DNS name", name))
	}
	txts, q, err := c.lookupTXT(name)
	c.steps[si].Queries = append(c.steps[si].Queries, q)
	switch {
	case err != nil:
		return ignore("DNS error: " + err.Error())
	case len(txts) != 1:
		return ignore(fmt.Sprintf("%d TXT records instead of one", len(txts)))
	}
	m, err := parseMacroString(txts[0], inExplain)
	if err != nil {
		// Non-ASCII text is rejected here too (§6.2: US-ASCII only).
		return ignore(err.Error())
	}
	env := c.env
	env.domain = ref.domain
	env.ptr = func() string { return c.ptrMacro(ref.domain, si) }
	return m.expand(&env)
}

// lookupType99 starts a query for SPF RR type 99 records at domain when the
// resolver can ask it, and returns a channel that delivers the query's
// description (closed without a value when it cannot).
func (c *checker) lookupType99(domain string) chan DNSQuery {
	ex := c.ex
	if ex == nil {
		return nil
	}
	ch := make(chan DNSQuery, 1)
	var wg sync.WaitGroup
	// For the lint only: a failure here never matters, and the channel is
	// closed either way.
	guard.Go(&wg, func() {
		defer close(ch)
		resp, err := ex.Exchange(c.ctx, dnswire.NewQuestion(domain, dnswire.TypeSPF))
		q := DNSQuery{Type: "SPF", Name: domain}
		if err != nil {
			setStatus(&q, err)
			ch <- q
			return
		}
		for _, rr := range resp.Answer {
			if spf, ok := rr.Data.(*dnswire.SPF); ok {
				q.Answers = appendAnswer(q.Answers, strings.Join(spf.Strings, ""))
			}
		}
		q.Status = "ok"
		if len(q.Answers) == 0 {
			q.Status = "notfound"
		}
		ch <- q
	}, func(error) {})
	return ch
}

// lookupTXT queries TXT records and describes the query.
func (c *checker) lookupTXT(name string) ([]string, DNSQuery, error) {
	txts, err := c.r.LookupTXT(c.ctx, name)
	q := DNSQuery{Type: "TXT", Name: name}
	for _, t := range txts {
		q.Answers = appendAnswer(q.Answers, t)
	}
	setStatus(&q, err)
	return txts, q, err
}

// lookupIP queries A or AAAA records and describes the query. An empty
// answer is reported as not found.
func (c *checker) lookupIP(network, qtype, name string) ([]netip.Addr, DNSQuery, error) {
	addrs, err := c.r.LookupNetIP(c.ctx, network, name)
	q := DNSQuery{Type: qtype, Name: name}
	for _, a := range addrs {
		q.Answers = appendAnswer(q.Answers, a.Unmap().String())
	}
	setStatus(&q, err)
	return addrs, q, err
}

// lookupPTR queries the PTR records of the client address.
func (c *checker) lookupPTR() ([]string, DNSQuery, error) {
	names, err := c.r.LookupAddr(c.ctx, c.ip.String())
	q := DNSQuery{Type: "PTR", Name: reverseName(c.ip)}
	for _, n := range names {
		q.Answers = appendAnswer(q.Answers, n)
	}
	setStatus(&q, err)
	return names, q, err
}

// reverseName returns the in-addr.arpa or ip6.arpa name of ip.
func reverseName(ip netip.Addr) string {
	parts := strings.Split(dotIP(ip), ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	if ip.Is4() {
		return strings.Join(parts, ".") + ".in-addr.arpa"
	}
	return strings.Join(parts, ".") + ".ip6.arpa"
}

func appendAnswer(list []string, a string) []string {
	if len(list) < maxTraceAnswers {
		return append(list, a)
	}
	if len(list) == maxTraceAnswers {
		return append(list, "…")
	}
	return list
}

func setStatus(q *DNSQuery, err error) {
	switch {
	case err == nil:
		q.Status = "ok"
	case lookup.IsNotFound(err):
		q.Status = "notfound"
	case lookup.IsTempFail(err):
		q.Status = "temperror"
		q.Error = err.Error()
	default:
		q.Status = "error"
		q.Error = err.Error()
	}
}
