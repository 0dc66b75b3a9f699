// Package dohresolver is a DNS-over-HTTPS client (RFC 8484) implementing
// headerlens/lookup.Resolver. It runs natively (net/http, HTTP/2)
// and in the browser (GOOS=js, through fetch).
//
// Queries are sent with DNS ID 0 (RFC 8484 §4.1), by POST or by GET with
// the dns parameter (RFC 8484 §4.1), with EDNS(0) (RFC 6891), the DO bit
// (RFC 3225) and block-length padding to 128 bytes (RFC 7830, RFC 8467
// §4.1). Answers are validated (HTTP status, media type RFC 8484 §6, size,
// question, TC bit) and cached for their TTL (RFC 1035, RFC 2181 §5.2),
// negative answers for the SOA minimum (RFC 2308 §5). CNAME chains are
// followed (RFC 1034 §3.6.2, RFC 6604 §2.1). Identical queries in flight
// are merged, the number of queries in flight is bounded, and endpoints
// are tried in order until one answers.
//
// Failed lookups return a *net.DNSError wrapping an *Error; see Error for
// how kinds map to IsNotFound, IsTimeout and IsTemporary.
package dohresolver

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"headerlens/dnswire"
	"headerlens/lookup"
)

// DefaultEndpoints are the DoH servers used when Config.Endpoints is empty.
var DefaultEndpoints = []string{"https://cloudflare-dns.com/dns-query", "https://dns.google/dns-query"}

// Defaults of the Config fields.
const (
	DefaultTimeout         = 5 * time.Second
	DefaultMaxConcurrent   = 8
	DefaultMaxResponseSize = 65535
	DefaultCacheSize       = 1024
)

// mediaType is the DNS message media type (RFC 8484 §6).
const mediaType = "application/dns-message"

const (
	// maxCNAMEHops bounds the CNAME chain followed inside one answer.
	maxCNAMEHops = 16
	// endpointPenalty is how long an endpoint that failed (HTTP failure,
	// timeout, malformed answer) is tried only after the others.
	endpointPenalty = 30 * time.Second
	// maxRequeries bounds the queries made for a chain that ends without
	// the type asked for.
	maxRequeries = 4
	// paddingBlock is the query padding block length (RFC 8467 §4.1).
	paddingBlock = 128
	// ednsUDPSize is the advertised EDNS(0) payload size; DoH is not UDP,
	// but RFC 6891 §6.2.5 requires a value; 1232 is the usual choice.
	ednsUDPSize = 1232
)

// Config configures a Resolver. The zero value uses DefaultEndpoints with
// every default.
type Config struct {
	// Endpoints are DoH URLs, tried in order; the next one is tried when
	// one fails (HTTP failure, timeout, malformed answer, SERVFAIL or
	// another error RCODE). An endpoint whose exchange failed (not one
	// that answered SERVFAIL) is tried after the others for the next 30
	// seconds. A URI template ending in "{?dns}" (RFC 8484 §3) is accepted
	// and the template removed. Empty: DefaultEndpoints.
	Endpoints []string
	// Method is "POST" (default) or "GET" (the query in the dns
	// parameter, base64url without padding, RFC 8484 §4.1).
	Method string
	// Timeout bounds each HTTP exchange (default DefaultTimeout). A lookup
	// takes at most Timeout per endpoint tried, and never longer than its
	// context allows.
	Timeout time.Duration
	// MaxConcurrent bounds the HTTP exchanges in flight (default
	// DefaultMaxConcurrent). Waiting for a slot honours the context.
	MaxConcurrent int
	// MaxResponseSize caps the response body in bytes (default
	// DefaultMaxResponseSize); a larger body is a KindHTTP failure.
	MaxResponseSize int
	// CacheSize is the number of answers cached: 0 means
	// DefaultCacheSize, a negative value disables the cache.
	CacheSize int
	// Transport performs the HTTP exchanges; nil means
	// DefaultTransport(): net/http natively, fetch under GOOS=js.
	Transport Transport
	// OnQuery, if set, is called once for every query (cache hits
	// included), after it is recorded in the context's lookup.Log.
	OnQuery func(lookup.Query)
}

// Resolver is a DoH client. It is safe for concurrent use and implements
// lookup.Resolver.
type Resolver struct {
	endpoints []string
	method    string
	timeout   time.Duration
	maxResp   int
	sem       chan struct{}
	cache     *cache
	flights   flightGroup
	transport Transport
	onQuery   func(lookup.Query)
	now       func() time.Time

	downMu    sync.Mutex
	downUntil map[string]time.Time // endpoints that failed recently
}

var _ lookup.Resolver = (*Resolver)(nil)

// New returns a Resolver for cfg. It fails on an endpoint that is not an
// absolute http or https URL (RFC 8484 §3 requires https; http is allowed
// for local test servers), on an unknown method, and on negative limits.
func New(cfg Config) (*Resolver, error) {
	r := &Resolver{
		endpoints: cfg.Endpoints,
		method:    strings.ToUpper(cfg.Method),
		timeout:   cfg.Timeout,
		maxResp:   cfg.MaxResponseSize,
		transport: cfg.Transport,
		onQuery:   cfg.OnQuery,
		now:       time.Now,
	}
	if len(r.endpoints) == 0 {
		r.endpoints = DefaultEndpoints
	}
	r.endpoints = slices.Clone(r.endpoints)
	for i, ep := range r.endpoints {
		// RFC 8484 §3: servers are configured with a URI template; the
		// only variable is dns, which GET fills in itself.
		ep = strings.TrimSuffix(ep, "{?dns}")
		r.endpoints[i] = ep
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("dohresolver: endpoint %q is not an http(s) URL", ep)
		}
		if u.Fragment != "" {
			return nil, fmt.Errorf("dohresolver: endpoint %q has a fragment", ep)
		}
	}
	switch r.method {
	case "":
		r.method = "POST"
	case "POST", "GET":
	default:
		return nil, fmt.Errorf("dohresolver: method %q is neither GET nor POST", cfg.Method)
	}
	if r.timeout < 0 || cfg.MaxConcurrent < 0 || r.maxResp < 0 {
		return nil, errors.New("dohresolver: negative Timeout, MaxConcurrent or MaxResponseSize")
	}
	if r.timeout == 0 {
		r.timeout = DefaultTimeout
	}
	if r.maxResp == 0 {
		r.maxResp = DefaultMaxResponseSize
	}
	n := cfg.MaxConcurrent
	if n == 0 {
		n = DefaultMaxConcurrent
	}
	r.sem = make(chan struct{}, n)
	switch {
	case cfg.CacheSize == 0:
		r.cache = newCache(DefaultCacheSize, func() time.Time { return r.now() })
	case cfg.CacheSize > 0:
		r.cache = newCache(cfg.CacheSize, func() time.Time { return r.now() })
	}
	if r.transport == nil {
		r.transport = DefaultTransport()
	}
	return r, nil
}

// answer is a validated DNS response and where it came from.
type answer struct {
	msg      *dnswire.Msg
	endpoint string
	cached   bool
}

// exchange resolves one question (fqdn, qtype) through the cache, the
// in-flight group and the endpoints, and records it in the query log. It
// returns an answer for any RCODE; the error is non-nil only when no DNS
// answer was obtained.
func (r *Resolver) exchange(ctx context.Context, fqdn string, qtype dnswire.Type) (*answer, error) {
	start := r.now()
	key := strings.ToLower(fqdn) + "/" + qtype.String()
	ans := r.cache.get(key)
	var err error
	if ans == nil {
		ans, _, err = r.flights.do(ctx, key, func(fctx context.Context) (*answer, error) {
			a, err := r.fetch(fctx, fqdn, qtype)
			if err == nil {
				r.cache.put(key, a, cacheTTL(a.msg, qtype))
			}
			return a, err
		})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				// The caller's own context ended while waiting.
				e = &Error{Kind: ctxKind(err), Err: err}
			} else {
				c := *e // shared with the other callers of the flight
				e = &c
			}
			e.Name, e.Type = strings.TrimSuffix(fqdn, "."), qtype.String()
			err = e
		}
	}
	r.record(ctx, fqdn, qtype, start, ans, err)
	return ans, err
}

// record adds one entry to the context's query log and calls OnQuery.
func (r *Resolver) record(ctx context.Context, fqdn string, qtype dnswire.Type, start time.Time, ans *answer, err error) {
	log := lookup.LogFrom(ctx)
	if log == nil && r.onQuery == nil {
		return
	}
	q := lookup.Query{
		Name:       strings.TrimSuffix(fqdn, "."),
		Type:       qtype.String(),
		DurationMs: float64(r.now().Sub(start).Microseconds()) / 1000,
		StartMs:    log.Offset(start),
	}
	if ans != nil {
		q.Rcode = ans.msg.Rcode.String()
		q.Answers = countType(ans.msg, qtype)
		q.AuthenticatedData = ans.msg.AuthenticatedData
		q.Endpoint = ans.endpoint
		q.Cached = ans.cached
	}
	if err != nil {
		q.Error = err.Error()
		var e *Error
		if errors.As(err, &e) {
			q.Endpoint = e.Endpoint
			q.Rcode = e.Rcode
		}
	}
	log.Add(q)
	if r.onQuery != nil {
		r.onQuery(q)
	}
}

// countType returns the number of records of qtype in m's answer section.
func countType(m *dnswire.Msg, qtype dnswire.Type) int {
	n := 0
	for _, rr := range m.Answer {
		if rr.Type == qtype {
			n++
		}
	}
	return n
}

// buildQuery returns the query for (fqdn, qtype) and its wire form: ID 0
// (RFC 8484 §4.1, so HTTP caches can share answers), RD set, AD set to ask
// for the validation result (RFC 6840 §5.7), EDNS(0) with the DO bit
// (RFC 3225 §3) and a Padding option (RFC 7830) bringing the message to a
// multiple of 128 bytes (RFC 8467 §4.1).
func buildQuery(fqdn string, qtype dnswire.Type) (*dnswire.Msg, []byte, error) {
	m := &dnswire.Msg{
		Header:   dnswire.Header{ID: 0, RecursionDesired: true, AuthenticatedData: true},
		Question: []dnswire.Question{{Name: fqdn, Type: qtype, Class: dnswire.ClassINET}},
		OPT:      &dnswire.OPT{UDPSize: ednsUDPSize, DO: true},
	}
	wire, err := m.PackPadded(paddingBlock)
	if err != nil {
		return nil, nil, err
	}
	return m, wire, nil
}

// fetch sends the query to the endpoints in order until one gives a
// usable answer. NOERROR and NXDOMAIN answers end the search; after
// SERVFAIL or another error RCODE the next endpoint is tried, and the last
// such answer is returned if none does better.
func (r *Resolver) fetch(ctx context.Context, fqdn string, qtype dnswire.Type) (*answer, error) {
	q, wire, err := buildQuery(fqdn, qtype)
	if err != nil {
		return nil, &Error{Kind: KindInvalidName, Err: err}
	}
	var fallback *answer
	var lastErr *Error
	for _, ep := range r.order() {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Kind: ctxKind(err), Endpoint: ep, Err: err}
		}
		m, e := r.attempt(ctx, ep, q, wire)
		if e != nil {
			if !e.Kind.retryable() {
				return nil, e
			}
			r.setDown(ep, true)
			lastErr = e
			continue
		}
		r.setDown(ep, false)
		a := &answer{msg: m, endpoint: ep}
		switch m.Rcode {
		case dnswire.RcodeSuccess, dnswire.RcodeNameError:
			return a, nil
		}
		fallback = a
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, lastErr
}

// order returns the endpoints in configured order, those that failed in
// the last endpointPenalty moved to the end.
func (r *Resolver) order() []string {
	r.downMu.Lock()
	defer r.downMu.Unlock()
	if len(r.downUntil) == 0 {
		return r.endpoints
	}
	now := r.now()
	up := make([]string, 0, len(r.endpoints))
	var down []string
	for _, ep := range r.endpoints {
		if t, ok := r.downUntil[ep]; ok && now.Before(t) {
			down = append(down, ep)
		} else {
			up = append(up, ep)
		}
	}
	return append(up, down...)
}

// setDown records that ep failed (down) or answered (!down).
func (r *Resolver) setDown(ep string, down bool) {
	r.downMu.Lock()
	defer r.downMu.Unlock()
	if !down {
		delete(r.downUntil, ep)
		return
	}
	if r.downUntil == nil {
		r.downUntil = map[string]time.Time{}
	}
	r.downUntil[ep] = r.now().Add(endpointPenalty)
}

// attempt performs one HTTP exchange with endpoint ep and validates the
// answer.
func (r *Resolver) attempt(ctx context.Context, ep string, q *dnswire.Msg, wire []byte) (*dnswire.Msg, *Error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Kind: ctxKind(ctx.Err()), Endpoint: ep, Detail: "waiting for a free slot", Err: ctx.Err()}
	}
	defer func() { <-r.sem }()

	actx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req := &Request{Endpoint: ep, Method: r.method, MaxResponseSize: r.maxResp}
	if r.method == "GET" {
		req.URL = getURL(ep, wire)
	} else {
		req.URL, req.Body = ep, wire
	}
	resp, err := r.roundTrip(actx, req)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return nil, &Error{Kind: ctxKind(ctx.Err()), Endpoint: ep, Err: ctx.Err()}
		case actx.Err() != nil:
			return nil, &Error{Kind: KindTimeout, Endpoint: ep, Detail: fmt.Sprintf("no answer within %v", r.timeout), Err: actx.Err()}
		}
		return nil, &Error{Kind: KindHTTP, Endpoint: ep, Err: err}
	}
	m, e := validate(resp, q, r.maxResp)
	if e != nil {
		e.Endpoint = ep
		return nil, e
	}
	return m, nil
}

// roundTrip calls the transport, returning when ctx ends even if the
// transport does not.
func (r *Resolver) roundTrip(ctx context.Context, req *Request) (*Response, error) {
	type result struct {
		resp *Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{err: fmt.Errorf("transport panic: %v", p)}
			}
		}()
		resp, err := r.transport.RoundTrip(ctx, req)
		if err == nil && resp == nil {
			err = errors.New("transport returned no response")
		}
		ch <- result{resp, err}
	}()
	select {
	case res := <-ch:
		return res.resp, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// validate checks that resp is a DNS answer to q (RFC 8484 §4.2): HTTP
// status 200, media type application/dns-message (RFC 8484 §6), a body
// within max bytes that parses, is a response with q's ID and opcode, and
// has exactly q's question (RFC 1035 §7.3; the name compared without
// regard to case, RFC 4343 §3), and is not truncated (RFC 8484 §5: TC
// should never be set over HTTP, as there is no size limit to overflow).
func validate(resp *Response, q *dnswire.Msg, max int) (*dnswire.Msg, *Error) {
	if resp.Status != 200 {
		return nil, &Error{Kind: KindHTTP, Status: resp.Status, Detail: fmt.Sprintf("HTTP status %d", resp.Status)}
	}
	mt, _, err := mime.ParseMediaType(resp.ContentType)
	if err != nil || mt != mediaType {
		return nil, &Error{Kind: KindHTTP, Status: resp.Status, Detail: fmt.Sprintf("content type %q, want %s", resp.ContentType, mediaType)}
	}
	if len(resp.Body) > max {
		return nil, &Error{Kind: KindHTTP, Status: resp.Status, Detail: fmt.Sprintf("response larger than %d bytes", max)}
	}
	m, e := parseAnswer(resp.Body, q)
	if e != nil {
		e.Status = resp.Status
	}
	return m, e
}

// parseAnswer parses body and checks it answers q. A panic in the parser
// (hostile input must never crash the program) becomes KindMalformed.
func parseAnswer(body []byte, q *dnswire.Msg) (m *dnswire.Msg, e *Error) {
	defer func() {
		if p := recover(); p != nil {
			m, e = nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("unpack panic: %v", p)}
		}
	}()
	return checkAnswer(body, q)
}

// checkAnswer is parseAnswer without the panic guard, so that the fuzz
// target sees panics.
func checkAnswer(body []byte, q *dnswire.Msg) (m *dnswire.Msg, e *Error) {
	if len(body) == 0 {
		return nil, &Error{Kind: KindMalformed, Detail: "empty body"}
	}
	m, err := dnswire.Parse(body)
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Detail: "DNS message does not parse", Err: err}
	}
	switch {
	case !m.Response:
		return nil, &Error{Kind: KindMalformed, Detail: "QR bit not set: not a response"}
	case m.ID != q.ID:
		return nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("ID %d, want %d", m.ID, q.ID)}
	case m.Opcode != q.Opcode:
		return nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("opcode %d, want %d", m.Opcode, q.Opcode)}
	case len(m.Question) != 1:
		return nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("%d questions, want 1", len(m.Question))}
	}
	got, want := m.Question[0], q.Question[0]
	if !strings.EqualFold(got.Name, want.Name) || got.Type != want.Type || got.Class != want.Class {
		return nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("question %s %s, want %s %s",
			got.Name, got.Type, want.Name, want.Type)}
	}
	if m.Truncated {
		return nil, &Error{Kind: KindTruncated, Rcode: m.Rcode.String(), Detail: "TC bit set"}
	}
	return m, nil
}

// resolved is the outcome of a lookup that followed CNAMEs.
type resolved struct {
	rrs []dnswire.RR // records of the requested type at the end of the chain
	ad  bool         // every answer on the way had the AD bit
}

// resolve looks up (name, qtype), following CNAME chains inside each
// answer (RFC 1034 §3.6.2) and querying the chain's target again when the
// answer ends without the type. It turns RCODEs and empty answers into
// errors.
func (r *Resolver) resolve(ctx context.Context, name string, qtype dnswire.Type) (*resolved, error) {
	fqdn, err := checkName(name)
	if err != nil {
		e := &Error{Kind: KindInvalidName, Name: strings.TrimSuffix(name, "."), Type: qtype.String(), Detail: err.Error()}
		r.record(ctx, dnswire.Fqdn(name), qtype, r.now(), nil, e)
		return nil, e.dnsError()
	}
	res := &resolved{ad: true}
	seen := map[string]bool{}
	cur := fqdn
	for range maxRequeries {
		ans, err := r.exchange(ctx, cur, qtype)
		if err != nil {
			return nil, errorFor(err, fqdn, qtype)
		}
		m := ans.msg
		res.ad = res.ad && m.AuthenticatedData
		mk := func(k Kind, detail string) error {
			return (&Error{Kind: k, Name: strings.TrimSuffix(fqdn, "."), Type: qtype.String(),
				Endpoint: ans.endpoint, Rcode: m.Rcode.String(), Detail: detail}).dnsError()
		}
		switch m.Rcode {
		case dnswire.RcodeSuccess:
		case dnswire.RcodeNameError:
			// RFC 6604 §2.1: after a CNAME, NXDOMAIN is about the last
			// name in the chain; either way the name has no data.
			return nil, mk(KindNXDomain, "")
		case dnswire.RcodeServerFailure:
			return nil, mk(KindServFail, "")
		default:
			return nil, mk(KindRcode, "RCODE "+m.Rcode.String())
		}
		rrs, next, loop := chase(m, cur, qtype, seen)
		if loop {
			return nil, mk(KindMalformed, "CNAME loop or chain too long at "+next)
		}
		if len(rrs) > 0 {
			res.rrs = rrs
			return res, nil
		}
		if next == "" {
			return nil, mk(KindNoData, "")
		}
		cur = next
	}
	return nil, (&Error{Kind: KindMalformed, Name: strings.TrimSuffix(fqdn, "."), Type: qtype.String(),
		Detail: fmt.Sprintf("CNAME chain needs more than %d queries", maxRequeries)}).dnsError()
}

// errorFor returns the *net.DNSError for an exchange error, with the
// original name.
func errorFor(err error, fqdn string, qtype dnswire.Type) error {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Kind: KindMalformed, Err: err}
	}
	c := *e
	c.Name, c.Type = strings.TrimSuffix(fqdn, "."), qtype.String()
	return c.dnsError()
}

// chase follows the CNAME chain from name through m's answer section
// (RFC 1034 §3.6.2; names compared case-insensitively, RFC 4343). It
// returns the records of qtype at the end of the chain. When there are
// none, next is the name the chain ended at if a CNAME was followed (to be
// queried next), else "". loop is true for a chain that revisits a name or
// is longer than maxCNAMEHops; next is then the offending name.
func chase(m *dnswire.Msg, name string, qtype dnswire.Type, seen map[string]bool) (rrs []dnswire.RR, next string, loop bool) {
	cur := strings.ToLower(name)
	seen[cur] = true
	followed := false
	for hops := 0; ; hops++ {
		var target string
		for _, rr := range m.Answer {
			if strings.ToLower(rr.Name) != cur || rr.Class != dnswire.ClassINET {
				continue
			}
			if rr.Type == qtype {
				rrs = append(rrs, rr)
			} else if cn, ok := rr.Data.(*dnswire.CNAME); ok && target == "" {
				target = strings.ToLower(cn.Target)
			}
		}
		if len(rrs) > 0 || qtype == dnswire.TypeCNAME {
			return rrs, "", false
		}
		if target == "" {
			if followed {
				return nil, cur, false
			}
			return nil, "", false
		}
		if seen[target] || hops >= maxCNAMEHops {
			return nil, target, true
		}
		seen[target] = true
		followed = true
		cur = target
	}
}

// LookupTXT returns the TXT records of name, the character-strings of each
// record joined with nothing between them (RFC 7208 §3.3, RFC 6376
// §3.6.2.2).
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	raw, err := r.LookupTXTRaw(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(raw))
	for i, strs := range raw {
		out[i] = strings.Join(strs, "")
	}
	return out, nil
}

// LookupTXTRaw returns the TXT records of name, each as its list of
// character-strings (RFC 1035 §3.3.14) in raw bytes.
func (r *Resolver) LookupTXTRaw(ctx context.Context, name string) ([][]string, error) {
	res, err := r.resolve(ctx, name, dnswire.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, rr := range res.rrs {
		if t, ok := rr.Data.(*dnswire.TXT); ok {
			// The answer may be shared with the cache: hand out a copy.
			out = append(out, slices.Clone(t.Strings))
		}
	}
	return out, nil
}

// LookupNetIP returns the addresses of host: network "ip4" queries A,
// "ip6" AAAA, and "ip" both at once (A addresses first). With "ip", the
// lookup succeeds if either query returns addresses. An IP literal is
// returned as is.
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	var types []dnswire.Type
	switch network {
	case "ip4":
		types = []dnswire.Type{dnswire.TypeA}
	case "ip6":
		types = []dnswire.Type{dnswire.TypeAAAA}
	case "ip":
		types = []dnswire.Type{dnswire.TypeA, dnswire.TypeAAAA}
	default:
		return nil, &net.DNSError{Err: "unsupported network " + network, Name: host,
			UnwrapErr: &Error{Kind: KindInvalidName, Name: host, Detail: "unsupported network " + network}}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if (network == "ip4" && !ip.Is4()) || (network == "ip6" && ip.Is4()) {
			e := &Error{Kind: KindNoData, Name: host, Detail: "address family does not match " + network}
			return nil, e.dnsError()
		}
		return []netip.Addr{ip}, nil
	}
	addrs := make([][]netip.Addr, len(types))
	errs := make([]error, len(types))
	var wg sync.WaitGroup
	for i, t := range types {
		wg.Go(func() {
			// A panic here would end the whole WebAssembly program.
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("internal error: %v", p)
				}
			}()
			res, err := r.resolve(ctx, host, t)
			if err != nil {
				errs[i] = err
				return
			}
			for _, rr := range res.rrs {
				switch a := rr.Data.(type) {
				case *dnswire.A:
					addrs[i] = append(addrs[i], a.Addr)
				case *dnswire.AAAA:
					addrs[i] = append(addrs[i], a.Addr)
				}
			}
		})
	}
	wg.Wait()
	out := slices.Concat(addrs...)
	if len(out) > 0 {
		return out, nil
	}
	// No address: report a transient failure over "not found", since the
	// name may have addresses the failed query would have shown.
	var first error
	for _, err := range errs {
		if err != nil && lookup.IsTempFail(err) {
			return nil, err
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		e := &Error{Kind: KindNoData, Name: strings.TrimSuffix(host, ".")}
		return nil, e.dnsError()
	}
	return nil, first
}

// LookupMX returns the MX records of name sorted by preference (RFC 5321
// §5.1), ties in answer order. Hosts keep their trailing dot, as
// net.Resolver returns them; a null MX (RFC 7505) is returned as ".".
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	res, err := r.resolve(ctx, name, dnswire.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []*net.MX
	for _, rr := range res.rrs {
		if mx, ok := rr.Data.(*dnswire.MX); ok {
			out = append(out, &net.MX{Host: mx.Host, Pref: mx.Preference})
		}
	}
	slices.SortStableFunc(out, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	return out, nil
}

// LookupAddr returns the names of the address addr from its PTR records
// (RFC 1035 §3.5, RFC 3596 §2.5), with their trailing dot as net.Resolver
// returns them.
func (r *Resolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		e := &Error{Kind: KindInvalidName, Name: addr, Type: "PTR", Detail: "unrecognized address"}
		return nil, e.dnsError()
	}
	res, err := r.resolve(ctx, reverseName(ip), dnswire.TypePTR)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range res.rrs {
		if p, ok := rr.Data.(*dnswire.PTR); ok {
			out = append(out, p.Target)
		}
	}
	return out, nil
}

// LookupTLSA returns the TLSA records at name (RFC 6698 §2), e.g.
// "_25._tcp.mx.example.com", and whether every answer that produced them
// had the AD bit set (RFC 4035 §3.2.3): DANE requires records validated by
// DNSSEC (RFC 7672 §2.2). The AD bit is only as trustworthy as the DoH
// server and the HTTPS connection to it (RFC 6840 §5.7).
func (r *Resolver) LookupTLSA(ctx context.Context, name string) (records []*dnswire.TLSA, authenticated bool, err error) {
	res, err := r.resolve(ctx, name, dnswire.TypeTLSA)
	if err != nil {
		return nil, false, err
	}
	for _, rr := range res.rrs {
		if t, ok := rr.Data.(*dnswire.TLSA); ok {
			// The answer may be shared with the cache: hand out a copy.
			c := *t
			c.Data = slices.Clone(t.Data)
			records = append(records, &c)
		}
	}
	return records, res.ad, nil
}

// Exchange asks q (class IN) and returns the validated answer, whatever
// its RCODE; the error is non-nil only when no answer was obtained. The
// query sent is built as for every lookup (ID 0, RD, AD, EDNS(0) with DO
// and padding). Answers go through the cache and the in-flight
// de-duplication; the returned message is the caller's to modify.
func (r *Resolver) Exchange(ctx context.Context, q dnswire.Question) (*dnswire.Msg, error) {
	if q.Class != dnswire.ClassINET {
		e := &Error{Kind: KindInvalidName, Name: strings.TrimSuffix(q.Name, "."), Type: q.Type.String(),
			Detail: "Exchange needs a question of class IN"}
		return nil, e.dnsError()
	}
	fqdn, err := checkName(q.Name)
	if err != nil {
		e := &Error{Kind: KindInvalidName, Name: strings.TrimSuffix(q.Name, "."), Type: q.Type.String(), Detail: err.Error()}
		return nil, e.dnsError()
	}
	ans, err := r.exchange(ctx, fqdn, q.Type)
	if err != nil {
		return nil, errorFor(err, fqdn, q.Type)
	}
	return ans.msg.Copy(), nil
}

var _ lookup.Exchanger = (*Resolver)(nil)
