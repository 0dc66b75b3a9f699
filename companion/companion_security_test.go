package companion_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"headerlens/companion"
)

// TestSecurityHostLiteralForms feeds the smtp-tls endpoint every textual
// trick that names a loopback or otherwise private destination: decimal,
// octal and hexadecimal IPv4 forms, short forms, trailing dots, IDNA
// full-width digits and dots, IPv4-mapped, -compatible, NAT64, 6to4 and
// Teredo forms, zones, and the unspecified address. Each must be refused
// (400, 403, 422, or 502 for names the DNS cannot answer) and no connection may reach the loopback listener.
func TestSecurityHostLiteralForms(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.UnsafeAllowPrivateTargets = false })
	conns := countingServer(t, fmt.Sprintf("127.0.0.1:%d", e.smtpPort))
	hosts := []string{
		"2130706433", "0x7f000001", "017700000001", "0x7f.0.0.1", "0177.0.0.1",
		"0x7f.0.0.0x1", "127.1", "127.0.1", "127.0.0.1.", "127.0.0.1..", " 127.0.0.1 ",
		"[127.0.0.1]", "[127.0.0.1]:25", "127.0.0.1:25", "127.0.0.1%00",
		"localhost", "localhost.", "LOCALHOST", "localhost.localdomain",
		"１２７．０．０．１", "127。0。0。1", "xn--127-0.0.0.1",
		"::ffff:7f00:1", "[::ffff:127.0.0.1]", "0:0:0:0:0:ffff:7f00:1", "::ffff:0:7f00:1",
		"::127.0.0.1", "::7f00:1", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::7f00:1",
		"2002:7f00:1::", "2001:0:4136:e378:8000:63bf:80ff:fffe",
		"fe80::1%25lo", "fe80::1%lo", "[fe80::1%lo]", "::", "[::]", "0", "0.0.0.0", "00.0.0.0",
		"169.254.169.254", "[::ffff:a9fe:a9fe]", "fd00:ec2::254",
	}
	for _, h := range hosts {
		for _, port := range []string{"25", "465", "587"} {
			status, _, body := e.get("/api/v1/smtp-tls?host="+url.QueryEscape(h)+"&port="+port, nil)
			switch status {
			// 502: a name outside the fixture zone, asked of DNS and
			// refused there; nothing is dialled either way.
			case http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusBadGateway:
			default:
				t.Errorf("smtp-tls host %q port %s: got %d %v, want 400, 403, 422 or 502", h, port, status, body)
			}
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("connections to the loopback SMTP listener: got %d, want 0", n)
	}
}

// TestSecurityPortsOnlySMTP checks that no request can make the companion
// dial a port other than 25, 465 or 587, whatever the spelling of the port
// parameter.
func TestSecurityPortsOnlySMTP(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"443", "22", "6379", "0", "-25", "+25", "25.0", "0x19", "031", "025", " 25", "25 ", "2525", "65561", "4294967321", "25%00"} {
		status, _, body := e.get("/api/v1/smtp-tls?host=127.0.0.1&port="+url.QueryEscape(p), nil)
		// "+25" and "025" are 25 for strconv.Atoi; they dial port 25,
		// which is allowed. Any other spelling must be refused.
		if p == "+25" || p == "025" {
			continue
		}
		if status != http.StatusBadRequest || body["code"] != "invalid-port" {
			t.Errorf("port %q: got %d %v, want 400 invalid-port", p, status, body)
		}
	}
}

// TestSecurityMailTLSDNSTricks gives MX hosts whose addresses are private
// only in disguise (NAT64, IPv4-mapped, 6to4, Teredo, IPv4-compatible,
// CNAME chains to private names, an MX target that is an address literal),
// and an MTA-STS policy host reached through a CNAME to loopback. Nothing
// may be dialled.
func TestSecurityMailTLSDNSTricks(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.UnsafeAllowPrivateTargets = false })
	conns := countingServer(t, fmt.Sprintf("127.0.0.1:%d", e.smtpPort))
	e.rr(
		"trick.test. 60 IN MX 1 nat64.trick.test.",
		"trick.test. 60 IN MX 2 mapped.trick.test.",
		"trick.test. 60 IN MX 3 sixtofour.trick.test.",
		"trick.test. 60 IN MX 4 teredo.trick.test.",
		"trick.test. 60 IN MX 5 compat.trick.test.",
		"trick.test. 60 IN MX 6 cname.trick.test.",
		"trick.test. 60 IN MX 7 127.0.0.1.",
		"trick.test. 60 IN MX 8 zero.trick.test.",
		"trick.test. 60 IN MX 9 multi.trick.test.",
		"trick.test. 60 IN MX 10 meta.trick.test.",
		"nat64.trick.test. 60 IN AAAA 64:ff9b::7f00:1",
		"mapped.trick.test. 60 IN AAAA ::ffff:10.1.2.3",
		"sixtofour.trick.test. 60 IN AAAA 2002:7f00:1::1",
		"teredo.trick.test. 60 IN AAAA 2001:0:4136:e378:8000:63bf:80ff:fffe",
		"compat.trick.test. 60 IN AAAA ::7f00:1",
		"cname.trick.test. 60 IN CNAME hop.trick.test.",
		"hop.trick.test. 60 IN CNAME inside.trick.test.",
		"inside.trick.test. 60 IN A 192.168.1.25",
		"zero.trick.test. 60 IN A 0.0.0.0",
		"multi.trick.test. 60 IN A 127.0.0.1",
		"multi.trick.test. 60 IN A 10.0.0.25",
		"multi.trick.test. 60 IN AAAA ::1",
		"meta.trick.test. 60 IN A 169.254.169.254",
		`_mta-sts.trick.test. 60 IN TXT "v=STSv1; id=1"`,
		"mta-sts.trick.test. 60 IN CNAME lo.trick.test.",
		"lo.trick.test. 60 IN AAAA ::ffff:127.0.0.1",
	)
	status, _, body := e.get("/api/v1/mail-tls?domain=trick.test", nil)
	if status != http.StatusOK {
		t.Fatalf("mail-tls: got %d %v, want 200", status, body)
	}
	hosts, _ := body["hosts"].([]any)
	if len(hosts) != 10 {
		t.Errorf("hosts: got %d, want 10", len(hosts))
	}
	for i := range hosts {
		if got := at(body, "hosts", i, "probe"); got != nil {
			t.Errorf("hosts[%d] %v: got a probe %v, want none", i, at(body, "hosts", i, "host"), got)
		}
		if got := at(body, "hosts", i, "errorKind"); got != "blocked" && got != "not-found" && got != "dns-error" {
			t.Errorf("hosts[%d] %v errorKind: got %v, want blocked", i, at(body, "hosts", i, "host"), got)
		}
	}
	if got := at(body, "mtaSts", "fetch", "errorKind"); got != "blocked" {
		t.Errorf("MTA-STS fetch errorKind: got %v, want blocked", got)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("connections to the loopback SMTP listener: got %d, want 0", n)
	}
	if n := e.hits.Load(); n != 0 {
		t.Errorf("requests to the loopback policy server: got %d, want 0", n)
	}
}

// TestSecurityXFFIgnoredWithoutTrust: with --trust-proxy-headers off (the
// default), X-Forwarded-For must not change the rate-limit key, so a client
// cannot get a fresh bucket per request by inventing addresses.
func TestSecurityXFFIgnoredWithoutTrust(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) {
		c.RatePerClient, c.RateBurst = 0.001, 2
		c.TrustProxyHeaders = false
	})
	var last int
	for i := range 4 {
		hdr := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i+1), "X-Real-IP": fmt.Sprintf("198.51.100.%d", i+1), "Forwarded": fmt.Sprintf("for=192.0.2.%d", i+1)}
		last, _, _ = e.get("/api/v1/smtp-tls?host=%21", hdr)
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("4th request with a new X-Forwarded-For each time: got %d, want 429", last)
	}
}

// TestSecurityXFFSpoofedLeftEntries: with --trust-proxy-headers on, only the
// entry our own proxy appended (the rightmost) counts; entries a client
// puts in front must not give it a new bucket.
func TestSecurityXFFSpoofedLeftEntries(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) {
		c.RatePerClient, c.RateBurst = 0.001, 2
		c.TrustProxyHeaders = true
	})
	var last int
	for i := range 4 {
		hdr := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d, 198.51.100.7", i+1)}
		last, _, _ = e.get("/api/v1/smtp-tls?host=%21", hdr)
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("4th request from 198.51.100.7 with spoofed left entries: got %d, want 429", last)
	}
}

// TestSecurityCORS: a disallowed Origin gets no Access-Control-Allow-Origin
// (and no data); an allowed one gets exactly itself, never "*" with
// credentials; preflights from a disallowed origin are refused.
func TestSecurityCORS(t *testing.T) {
	e := newEnv(t, nil)
	for _, o := range []string{"https://evil.example", "null", "https://headerlens.example.evil.example", "https://headerlens.example/", "https://HEADERLENS.example", "http://headerlens.example"} {
		status, h, _ := e.get("/api/v1/smtp-tls?host=%21", map[string]string{"Origin": o})
		if status != http.StatusForbidden || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("Origin %q: got %d ACAO %q, want 403 without ACAO", o, status, h.Get("Access-Control-Allow-Origin"))
		}
	}
	_, h, _ := e.get("/api/v1/smtp-tls?host=%21", map[string]string{"Origin": "https://headerlens.example"})
	if got := h.Get("Access-Control-Allow-Origin"); got != "https://headerlens.example" {
		t.Errorf("allowed origin: ACAO got %q, want it echoed", got)
	}
	if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("Access-Control-Allow-Credentials: got %q, want none", got)
	}
	req, _ := http.NewRequest(http.MethodOptions, e.api.URL+"/api/v1/mail-tls", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from evil origin: got %d ACAO %q, want 403 without ACAO", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// TestSecurityAPIResponseHeaders: every API answer, errors included, is
// JSON with nosniff and no-store, and input reflected in an error message
// cannot become markup or break the header block.
func TestSecurityAPIResponseHeaders(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{
		"/api/v1/smtp-tls?host=" + url.QueryEscape("<script>alert(1)</script>"),
		"/api/v1/mail-tls?domain=" + url.QueryEscape("a\r\nSet-Cookie: x=1"),
		"/api/v1/mta-sts?" + url.QueryEscape("<img src=x>") + "=1",
		"/api/v1/nope",
		"/healthz",
	} {
		req, _ := http.NewRequest(http.MethodGet, e.api.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		decodeJSON(t, resp, &body)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type got %q, want application/json", path, ct)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options got %q, want nosniff", path, resp.Header.Get("X-Content-Type-Options"))
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: got a Set-Cookie header %q, want none", path, resp.Header.Get("Set-Cookie"))
		}
	}
}

// TestSecurityHeloNameValidated is the regression test for a bug (fixed):
// Config.HeloName (flag --helo-name, env HEADERLENS_HELO_NAME) was written
// into "EHLO <name>\r\n" unchecked, so a value with CR/LF made every probe
// send extra SMTP commands (MAIL, RCPT, DATA...), which the package
// promises never to do. The fix: in companion/config.go validate(),
// refuse a HeloName that is not a domain name (NormalizeDomain, allowing
// "localhost") or an address literal in brackets, and any byte < 0x21 or
// 0x7f.
func TestSecurityHeloNameValidated(t *testing.T) {
	for _, h := range []string{"probe.example\r\nMAIL FROM:<a@b.example>", "a\nRCPT TO:<x@y.example>", "a b", "a\x00b", "probe.example.net ", "\tprobe.example.net", "probe.example.net\x7f", "probe", "[not-an-address]", "192.0.2.1"} {
		if _, err := companion.New(companion.Config{Resolver: idleResolver(t), HeloName: h}); err == nil {
			t.Errorf("New with HeloName %q: got nil error, want the name refused", h)
		}
	}
	if _, err := companion.New(companion.Config{Resolver: idleResolver(t), HeloName: "probe.example.net"}); err != nil {
		t.Errorf("New with HeloName probe.example.net: got %v, want nil", err)
	}
}

// TestSecurityNullMXAmongOthers: a "." MX mixed with real ones must not
// be probed as a host with an empty name, nor panic.
func TestSecurityNullMXAmongOthers(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.UnsafeAllowPrivateTargets = false })
	e.rr(
		"nullmix.test. 60 IN MX 0 .",
		"nullmix.test. 60 IN MX 10 mx.nullmix.test.",
		"mx.nullmix.test. 60 IN A 127.0.0.1",
	)
	status, _, body := e.get("/api/v1/mail-tls?domain=nullmix.test", nil)
	if status != http.StatusOK {
		t.Fatalf("mail-tls: got %d %v, want 200", status, body)
	}
	hosts, _ := body["hosts"].([]any)
	for i := range hosts {
		if got := at(body, "hosts", i, "probe"); got != nil {
			t.Errorf("hosts[%d] %v: got a probe, want none", i, at(body, "hosts", i, "host"))
		}
	}
}
