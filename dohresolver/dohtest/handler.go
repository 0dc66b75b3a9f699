package dohtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Path is the URL path the fixture serves, the one RFC 8484 §3 uses in its
// examples.
const Path = "/dns-query"

// ContentType is the DNS wire-format media type (RFC 8484 §6).
const ContentType = "application/dns-message"

// maxHold bounds how long a FailTimeout request is held when the client
// never gives up, so that a test can never hang on the fixture.
const maxHold = 30 * time.Second

// Failure is a fault the fixture injects instead of answering normally.
type Failure int

// The failures Handler.Fail and Handler.FailAll can inject.
const (
	// FailNone answers normally (it clears an injected failure).
	FailNone Failure = iota
	// FailServfail answers with RCODE SERVFAIL and no records.
	FailServfail
	// FailRefused answers with RCODE REFUSED and no records.
	FailRefused
	// FailTimeout holds the request until the client gives up (its request
	// context ends), the server is closed, or 30 s pass.
	FailTimeout
	// FailHTTP500 answers with HTTP status 500 and a text body.
	FailHTTP500
	// FailHTML answers with status 200 and an HTML page (text/html), as a
	// captive portal or a wrong URL would.
	FailHTML
	// FailHTMLAsDNS answers with status 200, the DNS content type, and an
	// HTML page as the body.
	FailHTMLAsDNS
	// FailTruncatedMessage sends the first half of the correct DNS answer.
	FailTruncatedMessage
	// FailContentType sends the correct DNS answer labelled text/plain.
	FailContentType
	// FailOversize sends a 100 000-byte body with the DNS content type.
	FailOversize
	// FailTC answers with the TC (truncation) bit set and no records.
	FailTC
	// FailWrongQuestion answers a different question (the name prefixed
	// with "other.").
	FailWrongQuestion
	// FailWrongID answers with a DNS ID different from the query's.
	FailWrongID
	// FailAbort breaks the HTTP response off (connection reset or
	// HTTP/2 stream reset) without a status.
	FailAbort
)

var failureNames = map[Failure]string{
	FailNone: "none", FailServfail: "servfail", FailRefused: "refused",
	FailTimeout: "timeout", FailHTTP500: "http500", FailHTML: "html",
	FailHTMLAsDNS: "html-as-dns", FailTruncatedMessage: "truncated",
	FailContentType: "content-type", FailOversize: "oversize", FailTC: "tc",
	FailWrongQuestion: "wrong-question", FailWrongID: "wrong-id",
	FailAbort: "abort",
}

// String returns the failure's short name, the one ParseFailure accepts.
func (f Failure) String() string {
	if s, ok := failureNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Failure(%d)", int(f))
}

// ParseFailure returns the Failure whose String is s.
func ParseFailure(s string) (Failure, error) {
	for f, n := range failureNames {
		if n == s {
			return f, nil
		}
	}
	return FailNone, fmt.Errorf("dohtest: unknown failure %q", s)
}

// Query is one DNS query that reached the fixture.
type Query struct {
	// Name is the question name as received (fully qualified).
	Name string
	// Type is the question type.
	Type uint16
	// Method is the HTTP method, "GET" or "POST".
	Method string
	// ID is the DNS message ID of the query (RFC 8484 §4.1 asks for 0).
	ID uint16
	// EDNS is true when the query carried an OPT record.
	EDNS bool
	// DO is the DNSSEC OK bit of the OPT record (RFC 3225 §3).
	DO bool
	// AD is the AD bit of the query header (RFC 6840 §5.7).
	AD bool
	// Padding is the length of the EDNS(0) Padding option (RFC 7830), or
	// -1 when the query has none.
	Padding int
	// Size is the length of the query in wire format.
	Size int
	// Failure is the failure injected into the answer, FailNone if none.
	Failure Failure
}

// Handler is the fixture's http.Handler: an authoritative DoH server for
// the zones it was given. It is safe for concurrent use. Use NewServer in
// tests; NewHandler is for serving from another process (cmd/dohtest-serve).
type Handler struct {
	mu       sync.Mutex
	zones    map[string]*zoneData // by lower-case origin
	latency  time.Duration
	failName map[string]Failure // by lower-case FQDN
	failAll  Failure
	adSuffix []string
	noChase  bool
	log      []Query
	// preflights counts the CORS preflight (OPTIONS) requests.
	preflights int
	closed     chan struct{}
	once       sync.Once
}

type zoneData struct {
	origin string
	soa    *dns.SOA
	names  map[string]map[uint16][]dns.RR
}

// NewHandler returns a Handler serving zones.
func NewHandler(zones ...Zone) (*Handler, error) {
	h := &Handler{
		zones:    map[string]*zoneData{},
		failName: map[string]Failure{},
		closed:   make(chan struct{}),
	}
	for _, z := range zones {
		if err := h.AddZone(z); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// AddZone adds the records of z. Records of a zone already served are
// merged into it.
func (h *Handler) AddZone(z Zone) error {
	if z.err != nil {
		return z.err
	}
	if z.origin == "" {
		return fmt.Errorf("dohtest: zone without origin")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, rr := range z.rrs {
		h.addLocked(z.origin, dns.Copy(rr))
	}
	if h.zones[z.origin] == nil {
		h.zones[z.origin] = &zoneData{origin: z.origin, names: map[string]map[uint16][]dns.RR{}}
	}
	return nil
}

// AddRR adds one record given in zone-file presentation format with a fully
// qualified owner, e.g. "a.example. 300 IN A 192.0.2.1". The record goes
// into the served zone that is the closest enclosing one, or into a new
// zone whose origin is the record's parent name.
func (h *Handler) AddRR(s string) error {
	rr, err := dns.NewRR(s)
	if err != nil {
		return fmt.Errorf("dohtest: %w", err)
	}
	if rr == nil {
		return fmt.Errorf("dohtest: no record in %q", s)
	}
	rr.Header().Name = strings.ToLower(rr.Header().Name)
	h.mu.Lock()
	defer h.mu.Unlock()
	origin := ""
	if z := h.zoneForLocked(rr.Header().Name); z != nil {
		origin = z.origin
	} else if _, ok := rr.(*dns.SOA); ok {
		origin = rr.Header().Name
	} else {
		labels := dns.SplitDomainName(rr.Header().Name)
		origin = "."
		if len(labels) > 1 {
			origin = dns.Fqdn(strings.Join(labels[1:], "."))
		}
	}
	h.addLocked(origin, rr)
	return nil
}

func (h *Handler) addLocked(origin string, rr dns.RR) {
	z := h.zones[origin]
	if z == nil {
		z = &zoneData{origin: origin, names: map[string]map[uint16][]dns.RR{}}
		h.zones[origin] = z
	}
	if soa, ok := rr.(*dns.SOA); ok && rr.Header().Name == origin {
		z.soa = soa
	}
	name := rr.Header().Name
	if z.names[name] == nil {
		z.names[name] = map[uint16][]dns.RR{}
	}
	t := rr.Header().Rrtype
	z.names[name][t] = append(z.names[name][t], rr)
}

// SetLatency delays every answer by d (0 for none). The delay ends early
// when the client gives up.
func (h *Handler) SetLatency(d time.Duration) {
	h.mu.Lock()
	h.latency = d
	h.mu.Unlock()
}

// Fail injects f into every answer for name (any type, case-insensitive).
// FailNone removes the injection.
func (h *Handler) Fail(name string, f Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := strings.ToLower(dns.Fqdn(name))
	if f == FailNone {
		delete(h.failName, key)
		return
	}
	h.failName[key] = f
}

// FailAll injects f into every answer, whatever the name; a per-name
// failure set by Fail takes precedence. FailNone turns it off.
func (h *Handler) FailAll(f Failure) {
	h.mu.Lock()
	h.failAll = f
	h.mu.Unlock()
}

// SetAD makes answers for names at or below suffix carry the AD bit
// (RFC 4035 §3.2.3) when the query asked for it with the DO or AD bit
// (RFC 6840 §5.8), as a validating resolver would for a signed zone.
func (h *Handler) SetAD(suffix string) {
	h.mu.Lock()
	h.adSuffix = append(h.adSuffix, strings.ToLower(dns.Fqdn(suffix)))
	h.mu.Unlock()
}

// SetChase sets whether answers follow CNAME chains through the served
// data (the default, as a recursive resolver does). With false, an answer
// holds only the first CNAME, as an authoritative server for a zone not
// hosting the target would send, and the client must query the target.
func (h *Handler) SetChase(on bool) {
	h.mu.Lock()
	h.noChase = !on
	h.mu.Unlock()
}

// Queries returns the DNS queries received so far, in arrival order.
func (h *Handler) Queries() []Query {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Query(nil), h.log...)
}

// Preflights returns how many CORS preflight requests (OPTIONS, Fetch
// Standard §3.2.2) have been received so far: a browser sends one before a
// POST query, whose Content-Type is not a CORS-safelisted one, and none
// before a GET query, which carries only a safelisted Accept header.
func (h *Handler) Preflights() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.preflights
}

// Count returns how many DNS queries have been received so far.
func (h *Handler) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.log)
}

// CountName returns how many queries for name (case-insensitive) of type
// qtype have been received; qtype 0 counts every type.
func (h *Handler) CountName(name string, qtype uint16) int {
	key := strings.ToLower(dns.Fqdn(name))
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, q := range h.log {
		if strings.ToLower(q.Name) == key && (qtype == 0 || q.Type == qtype) {
			n++
		}
	}
	return n
}

// ResetLog forgets the queries received so far.
func (h *Handler) ResetLog() {
	h.mu.Lock()
	h.log = nil
	h.mu.Unlock()
}

// Close releases every request held by FailTimeout or a latency. It does
// not stop an http.Server using h.
func (h *Handler) Close() {
	h.once.Do(func() { close(h.closed) })
}

// setCORS allows browser pages of any origin to query the fixture
// (Fetch Standard, CORS protocol).
func setCORS(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "Content-Type, Accept")
	hd.Set("Access-Control-Max-Age", "600")
}

// ServeHTTP answers RFC 8484 requests on Path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w)
	if r.URL.Path != Path {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var wire []byte
	switch r.Method {
	case http.MethodOptions:
		h.mu.Lock()
		h.preflights++
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodGet:
		// RFC 8484 §4.1: the dns parameter is base64url without padding
		// (RFC 4648 §5); padding is tolerated here.
		v := strings.TrimRight(r.URL.Query().Get("dns"), "=")
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || v == "" {
			http.Error(w, "bad dns parameter", http.StatusBadRequest)
			return
		}
		wire = b
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != ContentType {
			http.Error(w, "unsupported media type", http.StatusUnsupportedMediaType)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, 65536))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		wire = b
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := new(dns.Msg)
	if err := q.Unpack(wire); err != nil {
		http.Error(w, "malformed DNS message", http.StatusBadRequest)
		return
	}
	if len(q.Question) != 1 || q.Response {
		resp := new(dns.Msg)
		resp.SetRcodeFormatError(q)
		writeMsg(w, resp)
		return
	}
	qu := q.Question[0]
	entry := Query{Name: qu.Name, Type: qu.Qtype, Method: r.Method, ID: q.Id,
		AD: q.AuthenticatedData, Padding: -1, Size: len(wire)}
	if opt := q.IsEdns0(); opt != nil {
		entry.EDNS, entry.DO = true, opt.Do()
		for _, o := range opt.Option {
			if p, ok := o.(*dns.EDNS0_PADDING); ok {
				entry.Padding = len(p.Padding)
			}
		}
	}
	h.mu.Lock()
	fail, ok := h.failName[strings.ToLower(qu.Name)]
	if !ok {
		fail = h.failAll
	}
	entry.Failure = fail
	h.log = append(h.log, entry)
	latency := h.latency
	h.mu.Unlock()

	if latency > 0 && !h.wait(r.Context(), latency) {
		return
	}
	switch fail {
	case FailTimeout:
		h.wait(r.Context(), maxHold)
		return
	case FailHTTP500:
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	case FailHTML, FailHTMLAsDNS:
		ct := "text/html; charset=utf-8"
		if fail == FailHTMLAsDNS {
			ct = ContentType
		}
		w.Header().Set("Content-Type", ct)
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Please log in to the network.</p></body></html>\n")
		return
	case FailOversize:
		w.Header().Set("Content-Type", ContentType)
		w.Write(make([]byte, 100000))
		return
	case FailAbort:
		panic(http.ErrAbortHandler)
	}

	resp := h.answer(q)
	switch fail {
	case FailServfail:
		resp.Answer, resp.Ns, resp.Extra = nil, nil, keepOPT(resp.Extra)
		resp.Rcode = dns.RcodeServerFailure
	case FailRefused:
		resp.Answer, resp.Ns, resp.Extra = nil, nil, keepOPT(resp.Extra)
		resp.Rcode = dns.RcodeRefused
	case FailTC:
		resp.Answer, resp.Ns, resp.Extra = nil, nil, keepOPT(resp.Extra)
		resp.Truncated = true
	case FailWrongQuestion:
		resp.Question[0].Name = "other." + resp.Question[0].Name
	case FailWrongID:
		resp.Id = q.Id + 1
	}
	b, err := resp.Pack()
	if err != nil {
		http.Error(w, "pack: "+err.Error(), http.StatusInternalServerError)
		return
	}
	switch fail {
	case FailTruncatedMessage:
		b = b[:len(b)/2]
	case FailContentType:
		w.Header().Set("Content-Type", "text/plain")
		w.Write(b)
		return
	}
	writeBytes(w, b, resp)
}

// wait sleeps for d, returning false if the request or the handler ended
// first.
func (h *Handler) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-h.closed:
		return false
	}
}

func keepOPT(extra []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range extra {
		if rr.Header().Rrtype == dns.TypeOPT {
			out = append(out, rr)
		}
	}
	return out
}

func writeMsg(w http.ResponseWriter, m *dns.Msg) {
	b, err := m.Pack()
	if err != nil {
		http.Error(w, "pack: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBytes(w, b, m)
}

// writeBytes sends a DNS answer. RFC 8484 §5.1: the freshness lifetime of
// the HTTP response should not exceed the smallest TTL in the answer.
func writeBytes(w http.ResponseWriter, b []byte, m *dns.Msg) {
	w.Header().Set("Content-Type", ContentType)
	if ttl, ok := minTTL(m); ok {
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", ttl))
	}
	w.Write(b)
}

func minTTL(m *dns.Msg) (uint32, bool) {
	found := false
	var ttl uint32
	for _, sec := range [][]dns.RR{m.Answer, m.Ns} {
		for _, rr := range sec {
			if !found || rr.Header().Ttl < ttl {
				ttl, found = rr.Header().Ttl, true
			}
		}
	}
	return ttl, found
}

// zoneForLocked returns the served zone closest enclosing name.
func (h *Handler) zoneForLocked(name string) *zoneData {
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if z := h.zones[name[off:]]; z != nil {
			return z
		}
	}
	return h.zones["."]
}

// maxChain bounds the CNAME chain the fixture follows (and so loops).
const maxChain = 8

// answer builds the authoritative answer to q.
func (h *Handler) answer(q *dns.Msg) *dns.Msg {
	resp := new(dns.Msg)
	resp.SetReply(q)
	resp.Authoritative = true
	resp.RecursionAvailable = true
	qu := q.Question[0]
	opt := q.IsEdns0()

	h.mu.Lock()
	defer h.mu.Unlock()
	name := strings.ToLower(qu.Name)
	z := h.zoneForLocked(name)
	if z == nil || qu.Qclass != dns.ClassINET {
		resp.Rcode = dns.RcodeRefused
		return withOPT(resp, opt)
	}
	ad := true
	for i := 0; ; i++ {
		z = h.zoneForLocked(name)
		if z == nil {
			break // the chain left the served data: the client follows it
		}
		ad = ad && h.adLocked(name)
		rrs, exists := z.lookup(name)
		if !exists {
			// RFC 6604 §2.1: the RCODE is that of the last name in the
			// chain.
			resp.Rcode = dns.RcodeNameError
			resp.Ns = z.soaNeg()
			break
		}
		if set := rrs[qu.Qtype]; len(set) > 0 {
			resp.Answer = append(resp.Answer, copyAs(set, name)...)
			break
		}
		if qu.Qtype == dns.TypeANY && len(rrs) > 0 {
			for _, set := range rrs {
				resp.Answer = append(resp.Answer, copyAs(set, name)...)
			}
			break
		}
		cn := rrs[dns.TypeCNAME]
		if len(cn) > 0 && h.noChase {
			resp.Answer = append(resp.Answer, copyAs(cn[:1], name)...)
			break
		}
		if len(cn) == 0 || i >= maxChain {
			// NODATA (RFC 2308 §2.2): NOERROR, SOA in authority.
			resp.Ns = z.soaNeg()
			break
		}
		resp.Answer = append(resp.Answer, copyAs(cn[:1], name)...)
		name = strings.ToLower(cn[0].(*dns.CNAME).Target)
	}
	// RFC 6840 §5.8: AD only when the query asked with DO or AD.
	resp.AuthenticatedData = ad && (q.AuthenticatedData || (opt != nil && opt.Do()))
	return withOPT(resp, opt)
}

func (h *Handler) adLocked(name string) bool {
	for _, s := range h.adSuffix {
		if dns.IsSubDomain(s, name) {
			return true
		}
	}
	return false
}

// withOPT adds an OPT record to resp when the query had one (RFC 6891 §7),
// echoing DO (RFC 3225 §3), and pads the response to a multiple of 468
// bytes (RFC 8467 §4.1, recommended server block length).
func withOPT(resp *dns.Msg, qopt *dns.OPT) *dns.Msg {
	if qopt == nil {
		return resp
	}
	resp.SetEdns0(1232, qopt.Do())
	padded := false
	for _, o := range qopt.Option {
		if _, ok := o.(*dns.EDNS0_PADDING); ok {
			padded = true
		}
	}
	if !padded {
		return resp
	}
	opt := resp.IsEdns0()
	n := resp.Len() + 4
	pad := (468 - n%468) % 468
	opt.Option = append(opt.Option, &dns.EDNS0_PADDING{Padding: make([]byte, pad)})
	return resp
}

func copyAs(set []dns.RR, owner string) []dns.RR {
	out := make([]dns.RR, len(set))
	for i, rr := range set {
		c := dns.Copy(rr)
		c.Header().Name = owner
		out[i] = c
	}
	return out
}

func (z *zoneData) soaNeg() []dns.RR {
	if z.soa == nil {
		return nil
	}
	// RFC 2308 §3: the SOA's TTL is the lesser of its TTL and MINIMUM.
	soa := dns.Copy(z.soa).(*dns.SOA)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return []dns.RR{soa}
}

// lookup returns the records at name and whether the name exists: it owns
// records, is an empty non-terminal (RFC 8020), or is covered by a
// wildcard (RFC 4592 §3.3.1, whose records are returned).
func (z *zoneData) lookup(name string) (map[uint16][]dns.RR, bool) {
	if rrs, ok := z.names[name]; ok {
		return rrs, true
	}
	for n := range z.names {
		if dns.IsSubDomain(name, n) {
			return nil, true // empty non-terminal
		}
	}
	// RFC 4592 §3.3.1: find the closest encloser; its "*" child, if
	// present, answers.
	for off, end := dns.NextLabel(name, 0); !end; off, end = dns.NextLabel(name, off) {
		parent := name[off:]
		if w, ok := z.names["*."+parent]; ok {
			return w, true
		}
		if _, ok := z.names[parent]; ok || parent == z.origin {
			break
		}
		enclosing := false
		for n := range z.names {
			if dns.IsSubDomain(parent, n) {
				enclosing = true
				break
			}
		}
		if enclosing {
			break
		}
	}
	return nil, false
}
