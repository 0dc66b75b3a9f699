//go:build !js

// The fixture listens on real sockets for clients in this process or
// another; under GOOS=js there are none (the wasm tests reach a fixture
// started natively, see dohresolver.TestWasmFetchTransport).

package dohtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var zoneDir = filepath.Join("..", "..", "testdata", "zones", "doh")

func newTestServer(t *testing.T) *Server {
	t.Helper()
	return NewServer(t,
		ZoneFile(filepath.Join(zoneDir, "example.com.zone")),
		ZoneFile(filepath.Join(zoneDir, "example.net.zone")))
}

// query sends q to srv by method and returns the HTTP response and the
// parsed DNS answer (nil when the body does not parse).
func query(t *testing.T, srv *Server, method string, q *dns.Msg) (*http.Response, []byte, *dns.Msg) {
	t.Helper()
	wire, err := q.Pack()
	if err != nil {
		t.Fatalf("pack: %v", err)
	}
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, srv.URL()+"?dns="+base64.RawURLEncoding.EncodeToString(wire), nil)
	} else {
		req, _ = http.NewRequest(method, srv.URL(), bytes.NewReader(wire))
		req.Header.Set("Content-Type", ContentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := new(dns.Msg)
	if m.Unpack(body) != nil {
		m = nil
	}
	return resp, body, m
}

func msg(name string, qtype uint16, edns bool) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.Id = 0
	if edns {
		q.SetEdns0(1232, true)
		q.IsEdns0().Option = append(q.IsEdns0().Option, &dns.EDNS0_PADDING{Padding: make([]byte, 10)})
	}
	return q
}

func TestAnswers(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		soaTTL  uint32 // TTL of the SOA in authority, 0 for none
	}{
		{"example.com.", dns.TypeTXT, dns.RcodeSuccess, 1, 0},
		{"Example.COM.", dns.TypeMX, dns.RcodeSuccess, 2, 0},
		{"multi.example.com.", dns.TypeTXT, dns.RcodeSuccess, 2, 0},
		{"www.example.com.", dns.TypeA, dns.RcodeSuccess, 3, 0},         // two CNAMEs and the A
		{"outside.example.com.", dns.TypeA, dns.RcodeSuccess, 2, 0},     // across zones
		{"ns1.example.com.", dns.TypeTXT, dns.RcodeSuccess, 0, 60},      // NODATA
		{"b.example.com.", dns.TypeTXT, dns.RcodeSuccess, 0, 60},        // empty non-terminal
		{"x.y.wild.example.com.", dns.TypeTXT, dns.RcodeSuccess, 1, 0},  // wildcard
		{"nope.example.com.", dns.TypeA, dns.RcodeNameError, 0, 60},     // NXDOMAIN
		{"dangling.example.com.", dns.TypeA, dns.RcodeNameError, 1, 60}, // RFC 6604
		{"nope.example.net.", dns.TypeA, dns.RcodeNameError, 0, 120},
		{"example.org.", dns.TypeA, dns.RcodeRefused, 0, 0},
	}
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, tt := range tests {
			resp, _, m := query(t, srv, method, msg(tt.name, tt.qtype, true))
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType || m == nil {
				t.Errorf("%s %s: status %d, type %q, parsed %v", method, tt.name, resp.StatusCode, resp.Header.Get("Content-Type"), m != nil)
				continue
			}
			if m.Rcode != tt.rcode || len(m.Answer) != tt.answers {
				t.Errorf("%s %s %s: rcode %s, %d answers; want %s, %d", method, tt.name, dns.TypeToString[tt.qtype],
					dns.RcodeToString[m.Rcode], len(m.Answer), dns.RcodeToString[tt.rcode], tt.answers)
			}
			var soaTTL uint32
			for _, rr := range m.Ns {
				if soa, ok := rr.(*dns.SOA); ok {
					soaTTL = soa.Hdr.Ttl
				}
			}
			if soaTTL != tt.soaTTL {
				t.Errorf("%s %s: SOA TTL in authority = %d, want %d", method, tt.name, soaTTL, tt.soaTTL)
			}
			if m.Question[0].Name != tt.name || !m.Authoritative {
				t.Errorf("%s %s: question %q, AA %v; want the question echoed and AA", method, tt.name, m.Question[0].Name, m.Authoritative)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s %s: Access-Control-Allow-Origin = %q, want *", method, tt.name, got)
			}
		}
	}
	if got, want := srv.Count(), 2*len(tests); got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	if got := srv.CountName("EXAMPLE.COM", dns.TypeTXT); got != 2 {
		t.Errorf("CountName(example.com, TXT) = %d, want 2", got)
	}
}

func TestEDNSAndID(t *testing.T) {
	srv := newTestServer(t)
	srv.SetAD("example.com")
	q := msg("example.com.", dns.TypeTXT, true)
	q.Id = 777
	resp, body, m := query(t, srv, http.MethodPost, q)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if m.Id != 777 || !m.AuthenticatedData || m.IsEdns0() == nil || !m.IsEdns0().Do() {
		t.Errorf("ID %d, AD %v, OPT %v; want 777, AD, OPT with DO", m.Id, m.AuthenticatedData, m.IsEdns0())
	}
	if len(body)%468 != 0 {
		t.Errorf("padded answer is %d bytes, want a multiple of 468", len(body))
	}
	// Without DO or AD in the query, no AD (RFC 6840 §5.8) and no OPT.
	_, body, m = query(t, srv, http.MethodPost, msg("example.com.", dns.TypeTXT, false))
	if m == nil || m.AuthenticatedData || m.IsEdns0() != nil || len(body)%468 == 0 {
		t.Errorf("plain query answered with AD %v, OPT %v, %d bytes", m != nil && m.AuthenticatedData, m != nil && m.IsEdns0() != nil, len(body))
	}
	qs := srv.Queries()
	if len(qs) != 2 || qs[0].ID != 777 || !qs[0].DO || !qs[0].EDNS || qs[0].Padding != 10 || qs[1].EDNS || qs[1].Padding != -1 {
		t.Errorf("Queries = %+v", qs)
	}
}

func TestHTTPErrors(t *testing.T) {
	srv := newTestServer(t)
	wire, _ := msg("example.com.", dns.TypeA, false).Pack()
	tests := []struct {
		method, path, ctype, body string
		status                    int
	}{
		{"OPTIONS", Path, "", "", http.StatusNoContent},
		{"PUT", Path, ContentType, string(wire), http.StatusMethodNotAllowed},
		{"POST", Path, "text/plain", string(wire), http.StatusUnsupportedMediaType},
		{"POST", Path, ContentType, "garbage", http.StatusBadRequest},
		{"GET", Path + "?dns=%%%", "", "", http.StatusBadRequest},
		{"GET", Path, "", "", http.StatusBadRequest},
		{"GET", Path + "?dns=" + base64.URLEncoding.EncodeToString(wire), "", "", http.StatusOK}, // padding tolerated
		{"GET", "/other", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.HTTP.URL+tt.path, strings.NewReader(tt.body))
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s (%s): status %d, want %d", tt.method, tt.path, tt.ctype, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s %s: no CORS header", tt.method, tt.path)
		}
		if tt.method == "OPTIONS" && !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Errorf("OPTIONS: Access-Control-Allow-Headers = %q, want Content-Type allowed", resp.Header.Get("Access-Control-Allow-Headers"))
		}
	}
	if got := srv.Count(); got != 1 {
		t.Errorf("Count = %d, want 1 (only the valid query)", got)
	}
}

func TestFailures(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		fail   Failure
		status int
		check  func(body []byte, m *dns.Msg, ctype string) bool
	}{
		{FailServfail, 200, func(_ []byte, m *dns.Msg, _ string) bool { return m != nil && m.Rcode == dns.RcodeServerFailure }},
		{FailRefused, 200, func(_ []byte, m *dns.Msg, _ string) bool { return m != nil && m.Rcode == dns.RcodeRefused }},
		{FailHTTP500, 500, func([]byte, *dns.Msg, string) bool { return true }},
		{FailHTML, 200, func(b []byte, _ *dns.Msg, ct string) bool {
			return bytes.Contains(b, []byte("<html>")) && strings.HasPrefix(ct, "text/html")
		}},
		{FailHTMLAsDNS, 200, func(b []byte, _ *dns.Msg, ct string) bool {
			return bytes.Contains(b, []byte("<html>")) && ct == ContentType
		}},
		{FailTruncatedMessage, 200, func(b []byte, m *dns.Msg, _ string) bool { return m == nil && len(b) > 0 }},
		{FailContentType, 200, func(_ []byte, m *dns.Msg, ct string) bool { return m != nil && ct == "text/plain" }},
		{FailOversize, 200, func(b []byte, _ *dns.Msg, _ string) bool { return len(b) > 65535 }},
		{FailTC, 200, func(_ []byte, m *dns.Msg, _ string) bool { return m != nil && m.Truncated }},
		{FailWrongQuestion, 200, func(_ []byte, m *dns.Msg, _ string) bool {
			return m != nil && m.Question[0].Name == "other.example.com."
		}},
		{FailWrongID, 200, func(_ []byte, m *dns.Msg, _ string) bool { return m != nil && m.Id == 1 }},
	}
	for _, tt := range tests {
		srv.Fail("example.com", tt.fail)
		resp, body, m := query(t, srv, http.MethodPost, msg("example.com.", dns.TypeTXT, false))
		if resp.StatusCode != tt.status || !tt.check(body, m, resp.Header.Get("Content-Type")) {
			t.Errorf("%v: status %d, content type %q, %d bytes: unexpected", tt.fail, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		// Other names are unaffected.
		_, _, m = query(t, srv, http.MethodPost, msg("host.example.com.", dns.TypeTXT, false))
		if m == nil || m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
			t.Errorf("%v on example.com affected host.example.com: %v", tt.fail, m)
		}
		if f, err := ParseFailure(tt.fail.String()); err != nil || f != tt.fail {
			t.Errorf("ParseFailure(%q) = %v, %v; want %v", tt.fail.String(), f, err, tt.fail)
		}
	}
	// A per-name failure beats FailAll; FailNone clears.
	srv.Fail("example.com", FailNone)
	srv.FailAll(FailServfail)
	srv.Fail("host.example.com", FailRefused)
	if _, _, m := query(t, srv, http.MethodPost, msg("host.example.com.", dns.TypeTXT, false)); m == nil || m.Rcode != dns.RcodeRefused {
		t.Errorf("per-name failure did not take precedence: %v", m)
	}
	if _, _, m := query(t, srv, http.MethodPost, msg("example.com.", dns.TypeTXT, false)); m == nil || m.Rcode != dns.RcodeServerFailure {
		t.Errorf("FailAll not applied: %v", m)
	}
	srv.FailAll(FailNone)
	if _, _, m := query(t, srv, http.MethodPost, msg("example.com.", dns.TypeTXT, false)); m == nil || m.Rcode != dns.RcodeSuccess {
		t.Errorf("FailAll(FailNone) did not clear: %v", m)
	}
	if _, err := ParseFailure("bogus"); err == nil {
		t.Errorf("ParseFailure(bogus) succeeded")
	}
}

func TestTimeoutAndLatency(t *testing.T) {
	srv := newTestServer(t)
	srv.Fail("slow.example.com", FailTimeout)
	wire, _ := msg("slow.example.com.", dns.TypeA, false).Pack()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL(), bytes.NewReader(wire))
	req.Header.Set("Content-Type", ContentType)
	start := time.Now()
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("FailTimeout answered with status %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("held for %v after the client gave up", d)
	}

	srv.SetLatency(100 * time.Millisecond)
	start = time.Now()
	query(t, srv, http.MethodPost, msg("example.com.", dns.TypeA, false))
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answer took %v with 100ms latency", d)
	}
}

func TestAddRRAndZones(t *testing.T) {
	srv := NewServer(t, ZoneText("example.org", `
$TTL 60
@ IN SOA ns.example.org. h.example.org. 1 2 3 4 5
@ IN A 203.0.113.1
`))
	srv.AddRR("extra.example.org. 30 IN TXT \"added\"")
	srv.AddRR("a.new.test. 30 IN A 203.0.113.9")
	for _, tt := range []struct {
		name  string
		qtype uint16
		n     int
	}{
		{"example.org.", dns.TypeA, 1},
		{"extra.example.org.", dns.TypeTXT, 1},
		{"a.new.test.", dns.TypeA, 1},
	} {
		_, _, m := query(t, srv, http.MethodPost, msg(tt.name, tt.qtype, false))
		if m == nil || m.Rcode != dns.RcodeSuccess || len(m.Answer) != tt.n {
			t.Errorf("%s: %v, want %d answers", tt.name, m, tt.n)
		}
	}
	if err := srv.Handler.AddRR("bad record"); err == nil {
		t.Errorf("AddRR(bad record) succeeded")
	}
	for _, z := range []Zone{ZoneText("x.test", "@ IN A not-an-ip"), ZoneFile("no/such/file.zone")} {
		if _, err := NewHandler(z); err == nil {
			t.Errorf("NewHandler with a bad zone succeeded")
		}
	}
	z := ZoneFile(filepath.Join(zoneDir, "2.0.192.in-addr.arpa.zone"))
	if z.Err() != nil || z.Origin() != "2.0.192.in-addr.arpa." || len(z.Records()) != 5 {
		t.Errorf("reverse zone: origin %q, %d records, err %v", z.Origin(), len(z.Records()), z.Err())
	}
}

func TestTLSServer(t *testing.T) {
	srv := NewTLSServer(t, ZoneFile(filepath.Join(zoneDir, "example.com.zone")))
	resp, _, m := query(t, srv, http.MethodPost, msg("example.com.", dns.TypeA, true))
	if resp.ProtoMajor != 2 || m == nil || len(m.Answer) != 1 {
		t.Errorf("TLS server: protocol %s, answer %v; want HTTP/2 and one A", resp.Proto, m)
	}
}
