//go:build !js

package dohresolver

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"headerlens/dnswire"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

func TestBadEndpoints(t *testing.T) {
	tests := []struct {
		fail dohtest.Failure
		kind Kind
	}{
		{dohtest.FailHTML, KindHTTP},
		{dohtest.FailHTMLAsDNS, KindMalformed},
		{dohtest.FailHTTP500, KindHTTP},
		{dohtest.FailTruncatedMessage, KindMalformed},
		{dohtest.FailContentType, KindHTTP},
		{dohtest.FailOversize, KindHTTP},
		{dohtest.FailTC, KindTruncated},
		{dohtest.FailWrongQuestion, KindMalformed},
		{dohtest.FailWrongID, KindMalformed},
		{dohtest.FailAbort, KindHTTP},
		{dohtest.FailServfail, KindServFail},
		{dohtest.FailRefused, KindRcode},
		{dohtest.FailTimeout, KindTimeout},
	}
	good := dohtest.NewServer(t, fixtureZones(t)...)
	for _, tt := range tests {
		t.Run(tt.fail.String(), func(t *testing.T) {
			bad := dohtest.NewServer(t, fixtureZones(t)...)
			bad.FailAll(tt.fail)
			cfg := Config{Endpoints: []string{bad.URL()}, Timeout: 300 * time.Millisecond, CacheSize: -1}
			r, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = r.LookupTXT(context.Background(), "example.com")
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("lookup took %v, want it bounded by the timeout", d)
			}
			if got := KindOf(err); got != tt.kind {
				t.Errorf("kind = %v (%v), want %v", got, err, tt.kind)
			}
			if !lookup.IsTempFail(err) || lookup.IsNotFound(err) {
				t.Errorf("IsTempFail = %v, IsNotFound = %v, want true, false (%v)", lookup.IsTempFail(err), lookup.IsNotFound(err), err)
			}
			var de *net.DNSError
			if !errors.As(err, &de) || de.Server != bad.URL() {
				t.Errorf("DNSError = %+v, want Server %s", de, bad.URL())
			}
			if got, want := de.IsTimeout, tt.kind == KindTimeout; got != want {
				t.Errorf("IsTimeout = %v, want %v", got, want)
			}

			// With a good endpoint next, the lookup succeeds there.
			var log lookup.Log
			cfg.Endpoints = []string{bad.URL(), good.URL()}
			r, _ = New(cfg)
			txt, err := r.LookupTXT(lookup.WithLog(context.Background(), &log), "example.com")
			if err != nil || len(txt) != 1 {
				t.Errorf("with fallback: %q, %v; want one record", txt, err)
			}
			if qs := log.Queries(); len(qs) != 1 || qs[0].Endpoint != good.URL() || qs[0].Rcode != "NOERROR" {
				t.Errorf("log = %+v, want one NOERROR entry from %s", qs, good.URL())
			}
		})
	}
}

func TestServfailEverywhere(t *testing.T) {
	a := dohtest.NewServer(t, fixtureZones(t)...)
	b := dohtest.NewServer(t, fixtureZones(t)...)
	a.Fail("example.com", dohtest.FailServfail)
	b.Fail("example.com", dohtest.FailServfail)
	r, _ := New(Config{Endpoints: []string{a.URL(), b.URL()}})
	_, err := r.LookupTXT(context.Background(), "example.com")
	if got := KindOf(err); got != KindServFail {
		t.Errorf("kind = %v (%v), want SERVFAIL", got, err)
	}
	if a.Count() != 1 || b.Count() != 1 {
		t.Errorf("queries = %d, %d, want 1, 1", a.Count(), b.Count())
	}
	// SERVFAIL is not cached (RFC 2308 §7.1 allows it; we choose not to).
	r.LookupTXT(context.Background(), "example.com")
	if a.Count() != 2 {
		t.Errorf("queries after retry = %d, want 2", a.Count())
	}
}

func TestContextEnds(t *testing.T) {
	srv, r := newFixture(t, Config{Timeout: 10 * time.Second})
	srv.Fail("slow.example.com", dohtest.FailTimeout)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := r.LookupTXT(ctx, "slow.example.com")
	if KindOf(err) != KindTimeout || !errors.Is(err, context.DeadlineExceeded) || !lookup.IsTempFail(err) {
		t.Errorf("deadline: kind %v, err %v; want timeout wrapping DeadlineExceeded", KindOf(err), err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = r.LookupTXT(ctx, "slow.example.com")
	if KindOf(err) != KindCanceled || !errors.Is(err, context.Canceled) || lookup.IsTempFail(err) {
		t.Errorf("cancel: kind %v, err %v; want canceled", KindOf(err), err)
	}
}

func TestQueryFormat(t *testing.T) {
	for _, method := range []string{"POST", "GET"} {
		srv, r := newFixture(t, Config{Method: method})
		names := []string{"a.example.com", "a-much-longer-name-to-cross-a-padding-block.with.several.labels.example.com",
			strings.Repeat("x", 63) + "." + strings.Repeat("y", 63) + "." + strings.Repeat("z", 63) + ".example.com"}
		for _, n := range names {
			r.LookupTXT(context.Background(), n)
		}
		qs := srv.Queries()
		if len(qs) != len(names) {
			t.Fatalf("%s: %d queries, want %d", method, len(qs), len(names))
		}
		for _, q := range qs {
			if q.Method != method || q.ID != 0 || !q.EDNS || !q.DO || !q.AD || q.Padding < 0 || q.Size%128 != 0 {
				t.Errorf("%s: query %+v; want ID 0, EDNS with DO, AD, padded to 128", method, q)
			}
		}
	}
}

// fakeClock is a settable time source.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCache(t *testing.T) {
	srv, r := newFixture(t, Config{})
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	r.now = clock.Now
	ctx := context.Background()
	tests := []struct {
		step    string
		name    string
		advance time.Duration
		queries int // total queries at the server after the step
	}{
		{"first", "example.com", 0, 1},
		{"cached", "EXAMPLE.COM.", 0, 1},
		{"still fresh", "example.com", 299 * time.Second, 1},
		{"expired (TTL 300)", "example.com", time.Second, 2},
		{"short TTL first", "short.example.com", 0, 3},
		{"short TTL expired (TTL 30)", "short.example.com", 31 * time.Second, 4},
		{"NXDOMAIN first", "nx.example.com", 0, 5},
		{"NXDOMAIN cached", "nx.example.com", 59 * time.Second, 5},
		{"NXDOMAIN expired (SOA minimum 60)", "nx.example.com", time.Second, 6},
		{"NODATA first", "ns1.example.com", 0, 7},
		{"NODATA cached", "ns1.example.com", 30 * time.Second, 7},
	}
	for _, tt := range tests {
		clock.Add(tt.advance)
		r.LookupTXT(ctx, tt.name)
		if got := srv.Count(); got != tt.queries {
			t.Errorf("%s: server queries = %d, want %d", tt.step, got, tt.queries)
		}
	}

	// The cached answer's TTLs count down.
	q := dnswire.NewQuestion("host.example.com.", dnswire.TypeA)
	r.Exchange(ctx, q)
	clock.Add(100 * time.Second)
	m, err := r.Exchange(ctx, q)
	if err != nil || len(m.Answer) != 1 || m.Answer[0].TTL != 200 {
		t.Errorf("cached answer = %v, %v; want TTL 200", m, err)
	}
}

func TestCacheDisabledAndEviction(t *testing.T) {
	srv, r := newFixture(t, Config{CacheSize: -1})
	for range 3 {
		r.LookupTXT(context.Background(), "example.com")
	}
	if got := srv.Count(); got != 3 {
		t.Errorf("without cache: %d queries, want 3", got)
	}
	srv, r = newFixture(t, Config{CacheSize: 2})
	for _, n := range []string{"example.com", "host.example.com", "multi.example.com", "example.com"} {
		r.LookupTXT(context.Background(), n)
	}
	if got := srv.Count(); got != 4 {
		t.Errorf("cache of 2 after 3 names: %d queries, want 4 (example.com evicted)", got)
	}
	if got := r.cache.len(); got != 2 {
		t.Errorf("cache holds %d entries, want 2", got)
	}
}

func TestNegativeCacheCap(t *testing.T) {
	srv := dohtest.NewServer(t, dohtest.ZoneText("long.example.", `
$TTL 86400
@ IN SOA ns.long.example. h.long.example. 1 7200 900 1209600 86400
@ IN TXT "x"
`))
	r, _ := New(Config{Endpoints: []string{srv.URL()}})
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	r.now = clock.Now
	r.LookupTXT(context.Background(), "nx.long.example")
	clock.Add(maxNegativeTTL + time.Second)
	r.LookupTXT(context.Background(), "nx.long.example")
	if got := srv.Count(); got != 2 {
		t.Errorf("after the negative cap: %d queries, want 2", got)
	}
}

func TestInFlightDedup(t *testing.T) {
	srv, r := newFixture(t, Config{CacheSize: -1})
	srv.SetLatency(200 * time.Millisecond)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range 10 {
		wg.Go(func() {
			if _, err := r.LookupTXT(context.Background(), "example.com"); err != nil {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	if got := srv.Count(); got != 1 {
		t.Errorf("10 concurrent identical lookups: %d queries, want 1", got)
	}
	if f := failures.Load(); f != 0 {
		t.Errorf("%d lookups failed, want 0", f)
	}

	// A caller that gives up does not cancel the query for the others.
	srv.ResetLog()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := r.LookupTXT(context.Background(), "host.example.com")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := r.LookupTXT(ctx, "host.example.com"); KindOf(err) != KindTimeout {
		t.Errorf("impatient caller: kind %v (%v), want timeout", KindOf(err), err)
	}
	if err := <-done; err != nil {
		t.Errorf("patient caller: %v, want success", err)
	}
}

// countingTransport wraps the real HTTP transport and records the largest
// number of exchanges in flight at once.
type countingTransport struct {
	inner    Transport
	cur, max atomic.Int32
}

func (c *countingTransport) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	n := c.cur.Add(1)
	defer c.cur.Add(-1)
	for {
		m := c.max.Load()
		if n <= m || c.max.CompareAndSwap(m, n) {
			break
		}
	}
	return c.inner.RoundTrip(ctx, req)
}

func TestMaxConcurrent(t *testing.T) {
	ct := &countingTransport{inner: DefaultTransport()}
	srv, r := newFixture(t, Config{MaxConcurrent: 2, Transport: ct})
	srv.SetLatency(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r.LookupTXT(context.Background(), strings.Repeat("a", i+1)+".example.com")
		})
	}
	wg.Wait()
	if got := ct.max.Load(); got != 2 {
		t.Errorf("max exchanges in flight = %d, want 2", got)
	}
	if got := srv.Count(); got != 8 {
		t.Errorf("queries = %d, want 8", got)
	}
}

func TestQueryLog(t *testing.T) {
	var hooked []lookup.Query
	var mu sync.Mutex
	srv, r := newFixture(t, Config{OnQuery: func(q lookup.Query) {
		mu.Lock()
		hooked = append(hooked, q)
		mu.Unlock()
	}})
	srv.SetAD("example.com")
	var log lookup.Log
	ctx := lookup.WithLog(context.Background(), &log)
	r.LookupTXT(ctx, "multi.example.com")
	r.LookupTXT(ctx, "multi.example.com")
	r.LookupMX(ctx, "nx.example.com")
	r.LookupTXT(ctx, "bad..name")
	want := []lookup.Query{
		{Name: "multi.example.com", Type: "TXT", Rcode: "NOERROR", Answers: 2, AuthenticatedData: true, Endpoint: srv.URL()},
		{Name: "multi.example.com", Type: "TXT", Rcode: "NOERROR", Answers: 2, AuthenticatedData: true, Endpoint: srv.URL(), Cached: true},
		{Name: "nx.example.com", Type: "MX", Rcode: "NXDOMAIN", AuthenticatedData: true, Endpoint: srv.URL()}, // signed denial
		{Name: "bad..name", Type: "TXT"},
	}
	got := log.Queries()
	if len(got) != len(want) {
		t.Fatalf("log has %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.DurationMs < 0 || (i < 3 && g.Error != "") || (i == 3 && g.Error == "") {
			t.Errorf("entry %d: duration %v error %q", i, g.DurationMs, g.Error)
		}
		g.DurationMs, g.Error = 0, ""
		if g != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, g, want[i])
		}
	}
	if len(hooked) != len(want) {
		t.Errorf("OnQuery called %d times, want %d", len(hooked), len(want))
	}
}

func TestCNAMERequery(t *testing.T) {
	srv, r := newFixture(t, Config{})
	srv.SetChase(false)
	ips, err := r.LookupNetIP(context.Background(), "ip4", "www.example.com")
	if err != nil || len(ips) != 1 || ips[0].String() != "192.0.2.80" {
		t.Errorf("LookupNetIP(www) = %v, %v; want 192.0.2.80", ips, err)
	}
	if got := srv.Count(); got != 3 {
		t.Errorf("queries = %d, want 3 (www, web, host)", got)
	}
	_, err = r.LookupTXT(context.Background(), "loop1.example.com")
	if KindOf(err) != KindMalformed {
		t.Errorf("CNAME loop across queries: kind %v (%v), want malformed", KindOf(err), err)
	}
}

func TestNameValidation(t *testing.T) {
	srv, r := newFixture(t, Config{})
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name string
		ok   bool
	}{
		{"example.com", true},
		{"example.com.", true},
		{"_dmarc.example.com", true},
		{long63 + ".example.com", true},
		{strings.Repeat("a", 64) + ".example.com", false},
		{strings.Join([]string{long63, long63, long63, strings.Repeat("a", 61)}, "."), true},
		{strings.Join([]string{long63, long63, long63, strings.Repeat("a", 62)}, "."), false},
		{"", false},
		{".", false},
		{"a..b", false},
		{".a", false},
		{"exämple.com", false},
		{"例え.テスト", false},
		{"a\tb.example", false},
		{"a\\.b.example", false},
	}
	for _, tt := range tests {
		srv.ResetLog()
		_, err := r.LookupTXT(context.Background(), tt.name)
		invalid := KindOf(err) == KindInvalidName
		if invalid == tt.ok {
			t.Errorf("LookupTXT(%q): invalid = %v (%v), want %v", tt.name, invalid, err, !tt.ok)
		}
		if invalid && srv.Count() != 0 {
			t.Errorf("LookupTXT(%q): invalid name reached the server", tt.name)
		}
	}
}

// TestSpecialCharacterNames: SPF macros can expand to names holding octets
// that presentation form escapes (RFC 7208 §7.3, RFC 1035 §5.1); the
// answer's question must still be recognized as the one asked.
func TestSpecialCharacterNames(t *testing.T) {
	_, r := newFixture(t, Config{})
	for _, name := range []string{"o'brien.example.com", "a b@c.example.com", `q"u;o(t)e.example.com`} {
		_, err := r.LookupTXT(context.Background(), name)
		if got := KindOf(err); got != KindNXDomain {
			t.Errorf("LookupTXT(%q): kind %v (%v), want NXDOMAIN", name, got, err)
		}
	}
}

func TestTLSHTTP2(t *testing.T) {
	srv := dohtest.NewTLSServer(t, fixtureZones(t)...)
	r, err := New(Config{Endpoints: []string{srv.URL()}, Transport: NewHTTPTransport(srv.Client())})
	if err != nil {
		t.Fatal(err)
	}
	txt, err := r.LookupTXT(context.Background(), "host.example.com")
	if err != nil || len(txt) != 1 || txt[0] != "host text" {
		t.Errorf("LookupTXT over TLS = %q, %v; want [host text]", txt, err)
	}
}

func TestExchange(t *testing.T) {
	_, r := newFixture(t, Config{})
	tests := []struct {
		name  string
		qtype dnswire.Type
		rcode dnswire.Rcode
		n     int
	}{
		{"example.com.", dnswire.TypeMX, dnswire.RcodeSuccess, 2},
		{"www.example.com.", dnswire.TypeA, dnswire.RcodeSuccess, 3},
		{"nx.example.com.", dnswire.TypeA, dnswire.RcodeNameError, 0},
		{"example.com.", dnswire.TypeSOA, dnswire.RcodeSuccess, 1},
	}
	for _, tt := range tests {
		q := dnswire.NewQuestion(tt.name, tt.qtype)
		m, err := r.Exchange(context.Background(), q)
		if err != nil {
			t.Errorf("Exchange(%s %s): %v", tt.name, tt.qtype, err)
			continue
		}
		if m.Rcode != tt.rcode || len(m.Answer) != tt.n || len(m.Question) != 1 || m.Question[0] != q {
			t.Errorf("Exchange(%s %s) = rcode %v, %d answers, question %v; want %v, %d, %v",
				tt.name, tt.qtype, m.Rcode, len(m.Answer), m.Question, tt.rcode, tt.n, q)
		}
	}
	for _, q := range []dnswire.Question{{}, {Name: "example.com.", Type: dnswire.TypeA}} {
		if _, err := r.Exchange(context.Background(), q); KindOf(err) != KindInvalidName {
			t.Errorf("Exchange(%v): kind %v, want invalid", q, KindOf(err))
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		cfg Config
		ok  bool
	}{
		{Config{}, true},
		{Config{Endpoints: []string{"https://dns.example/dns-query{?dns}"}}, true},
		{Config{Endpoints: []string{"ftp://dns.example/"}}, false},
		{Config{Endpoints: []string{"/dns-query"}}, false},
		{Config{Method: "PUT"}, false},
		{Config{Method: "get"}, true},
		{Config{Timeout: -1}, false},
		{Config{MaxConcurrent: -1}, false},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if (err == nil) != tt.ok {
			t.Errorf("New(%+v) error = %v, want ok %v", tt.cfg, err, tt.ok)
		}
	}
}

func TestEndpointPenalty(t *testing.T) {
	bad := dohtest.NewServer(t, fixtureZones(t)...)
	bad.FailAll(dohtest.FailTimeout)
	good := dohtest.NewServer(t, fixtureZones(t)...)
	r, _ := New(Config{Endpoints: []string{bad.URL() + "{?dns}", good.URL()}, Timeout: 200 * time.Millisecond, Method: "GET"})
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	r.now = clock.Now
	names := []string{"example.com", "host.example.com", "multi.example.com"}
	for i, n := range names {
		if i == 2 {
			clock.Add(endpointPenalty) // the penalty is over: the first endpoint is tried again
		}
		if _, err := r.LookupTXT(context.Background(), n); err != nil {
			t.Errorf("LookupTXT(%s): %v", n, err)
		}
	}
	if got, want := bad.Count(), 2; got != want {
		t.Errorf("failing endpoint got %d queries, want %d (skipped while penalized)", got, want)
	}
	if got, want := good.Count(), 3; got != want {
		t.Errorf("good endpoint got %d queries, want %d", got, want)
	}
}

func TestResponseSizeCapAndGETQuery(t *testing.T) {
	srv, r := newFixture(t, Config{MaxResponseSize: 100})
	_, err := r.LookupTXT(context.Background(), "multi.example.com")
	if got := KindOf(err); got != KindHTTP {
		t.Errorf("answer over a 100-byte cap: kind %v (%v), want HTTP failure", got, err)
	}
	// GET on an endpoint that already has a query string adds &dns=.
	r, _ = New(Config{Endpoints: []string{srv.URL() + "?ct=1"}, Method: "GET"})
	if _, err := r.LookupTXT(context.Background(), "example.com"); err != nil {
		t.Errorf("GET with a query string in the endpoint: %v", err)
	}
}

func TestLogOnFailure(t *testing.T) {
	srv, r := newFixture(t, Config{Timeout: 100 * time.Millisecond})
	srv.Fail("slow.example.com", dohtest.FailTimeout)
	var log lookup.Log
	r.LookupTXT(lookup.WithLog(context.Background(), &log), "slow.example.com")
	qs := log.Queries()
	if len(qs) != 1 || qs[0].Error == "" || qs[0].Endpoint != srv.URL() || qs[0].Rcode != "" || qs[0].DurationMs < 100 {
		t.Errorf("log = %+v, want one entry with an error, the endpoint, no rcode, ≥100ms", qs)
	}
}

// TestNameWithSpace checks a name holding a space, which SPF macros can
// produce (RFC 7208 §7.3) and RFC 2181 §11 allows: the query goes out and
// the answer's question matches.
func TestNameWithSpace(t *testing.T) {
	srv, r := newFixture(t, Config{})
	srv.AddRR(`a\ b.example.com. 300 IN A 192.0.2.7`)
	got, err := r.LookupNetIP(context.Background(), "ip4", "a b.example.com")
	if err != nil || len(got) != 1 || got[0].String() != "192.0.2.7" {
		t.Errorf("LookupNetIP(%q) = %v, %v; want [192.0.2.7]", "a b.example.com", got, err)
	}
}
