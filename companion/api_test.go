package companion_test

import (
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"headerlens/companion"
	"headerlens/companion/dane"
	"headerlens/companion/internal/testenv"
	"headerlens/dohresolver/dohtest"
)

// TestMailTLS runs the whole /mail-tls check against a domain with one MX,
// MTA-STS, TLS-RPT and DANE.
func TestMailTLS(t *testing.T) {
	e := newEnv(t, nil)
	const mx = "mx.good.test"
	cert := e.ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}})
	e.smtp("127.0.0.1", mx, testenv.SMTPOptions{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	e.rr(
		"good.test. 60 IN MX 10 mx.good.test.",
		"mx.good.test. 60 IN A 127.0.0.1",
		`_mta-sts.good.test. 60 IN TXT "v=STSv1; id=2024a"`,
		"mta-sts.good.test. 60 IN A 127.0.0.1",
		`_smtp._tls.good.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test"`,
		"_25._tcp.mx.good.test. 60 IN TLSA 3 1 1 "+hex.EncodeToString(dane.Associate(cert.Leaf, 1, 1)),
	)
	e.doh.SetAD("mx.good.test")
	e.policies["mta-sts.good.test"] = policyReply{200, "text/plain; charset=utf-8", "version: STSv1\nmode: enforce\nmx: *.good.test\nmax_age: 86400\n", ""}

	status, _, body := e.get("/api/v1/mail-tls?domain=Good.Test.", nil)
	if status != http.StatusOK {
		t.Fatalf("status: got %d (%v), want 200", status, body)
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"domain"}, "good.test"},
		{[]any{"hosts", 0, "host"}, mx},
		{[]any{"hosts", 0, "port"}, 25.0},
		{[]any{"hosts", 0, "addresses", 0, "address"}, "127.0.0.1"},
		{[]any{"hosts", 0, "probe", "address"}, "127.0.0.1:25"},
		{[]any{"hosts", 0, "probe", "starttlsOffered"}, true},
		{[]any{"hosts", 0, "probe", "banner", "code"}, 220.0},
		{[]any{"hosts", 0, "probe", "tls", "version"}, "TLS 1.3"},
		{[]any{"hosts", 0, "probe", "tls", "chainVerified"}, true},
		{[]any{"hosts", 0, "probe", "tls", "hostnameMatch"}, true},
		{[]any{"hosts", 0, "probe", "legacyTls", "accepted"}, false},
		{[]any{"hosts", 0, "dane", "authenticated"}, true},
		{[]any{"hosts", 0, "dane", "verdict"}, "match"},
		{[]any{"hosts", 0, "mtaStsMatch"}, true},
		{[]any{"mtaSts", "valid"}, true},
		{[]any{"mtaSts", "mode"}, "enforce"},
		{[]any{"mtaSts", "record", "id"}, "2024a"},
		{[]any{"mtaSts", "fetch", "status"}, 200.0},
		{[]any{"mtaSts", "mx", 0, "matches"}, true},
		{[]any{"tlsRpt", "valid"}, true},
		{[]any{"tlsRpt", "record", "rua", 0}, "mailto:tlsrpt@good.test"},
		{[]any{"nullMx"}, false},
	}
	for _, c := range checks {
		if got := at(body, c.path...); got != c.want {
			t.Errorf("%v: got %v, want %v", c.path, got, c.want)
		}
	}
}

func TestMailTLSSpecialMX(t *testing.T) {
	e := newEnv(t, nil)
	e.smtp("127.0.0.1", "implicit.test", testenv.SMTPOptions{})
	e.rr(
		"nullmx.test. 60 IN MX 0 .",
		"implicit.test. 60 IN A 127.0.0.1",
	)
	e.doh.Fail("broken.test.", dohtest.FailServfail)
	tests := []struct {
		domain string
		path   []any
		want   any
	}{
		{"nullmx.test", []any{"nullMx"}, true},
		{"nullmx.test", []any{"hosts", 0}, nil},
		{"implicit.test", []any{"implicitMx"}, true},
		{"implicit.test", []any{"hosts", 0, "probe", "tls", "hostnameMatch"}, true},
		{"nxdomain.test", []any{"implicitMx"}, true},
		{"nxdomain.test", []any{"hosts", 0, "errorKind"}, "not-found"},
		{"broken.test", []any{"implicitMx"}, false},
		{"broken.test", []any{"hosts", 0}, nil},
	}
	for _, tc := range tests {
		status, _, body := e.get("/api/v1/mail-tls?domain="+tc.domain, nil)
		if status != http.StatusOK {
			t.Fatalf("%s: status got %d (%v), want 200", tc.domain, status, body)
		}
		if got := at(body, tc.path...); got != tc.want {
			t.Errorf("%s %v: got %v, want %v", tc.domain, tc.path, got, tc.want)
		}
	}
}

// TestSMTPTLSPorts probes one host on each allowed port; 465 is implicit TLS.
func TestSMTPTLSPorts(t *testing.T) {
	p465 := testenv.Listen(t, "127.0.0.1:0")
	p587 := testenv.Listen(t, "127.0.0.1:0")
	n465, n587 := p465.Addr().String(), p587.Addr().String()
	p465.Close()
	p587.Close()
	var m465, m587 int
	fmt.Sscanf(n465[strings.LastIndex(n465, ":")+1:], "%d", &m465)
	fmt.Sscanf(n587[strings.LastIndex(n587, ":")+1:], "%d", &m587)
	e := newEnv(t, func(c *companion.Config) {
		c.UnsafeSMTPPortMap[465] = m465
		c.UnsafeSMTPPortMap[587] = m587
	})
	const host = "smtp.ports.test"
	cfg := &tls.Config{Certificates: []tls.Certificate{e.ca.Issue(t, testenv.CertOptions{DNSNames: []string{host}})}}
	e.smtp("127.0.0.1", host, testenv.SMTPOptions{TLS: cfg})
	testenv.StartSMTP(t, testenv.SMTPOptions{Listen: n465, Domain: host, TLS: cfg, Implicit: true})
	testenv.StartSMTP(t, testenv.SMTPOptions{Listen: n587, Domain: host, TLS: cfg})
	e.rr("smtp.ports.test. 60 IN A 127.0.0.1")
	tests := []struct {
		port     string
		wantMode string
		wantAddr string
	}{
		{"25", "starttls", "127.0.0.1:25"},
		{"465", "implicit-tls", "127.0.0.1:465"},
		{"587", "starttls", "127.0.0.1:587"},
		{"", "starttls", "127.0.0.1:25"},
	}
	for _, tc := range tests {
		status, _, body := e.get("/api/v1/smtp-tls?host="+host+"&port="+tc.port, nil)
		if status != http.StatusOK {
			t.Fatalf("port %s: status got %d (%v), want 200", tc.port, status, body)
		}
		if got := at(body, "probe", "mode"); got != tc.wantMode {
			t.Errorf("port %s mode: got %v, want %v", tc.port, got, tc.wantMode)
		}
		if got := at(body, "probe", "address"); got != tc.wantAddr {
			t.Errorf("port %s address: got %v, want %v", tc.port, got, tc.wantAddr)
		}
		if got := at(body, "probe", "tls", "chainVerified"); got != true {
			t.Errorf("port %s chainVerified: got %v, want true (%v)", tc.port, got, at(body, "probe", "error"))
		}
	}
}

func TestMTASTS(t *testing.T) {
	e := newEnv(t, nil)
	const good = "version: STSv1\r\nmode: enforce\r\nmx: mx.%s.test\r\nmax_age: 604800\r\n"
	tests := []struct {
		domain    string
		reply     *policyReply
		wantValid bool
		wantKind  string // fetch errorKind
		wantMatch any    // mx[0].matches
		wantRec   string // recordError substring
	}{
		{"valid", &policyReply{200, "text/plain", fmt.Sprintf(good, "valid"), ""}, true, "", true, ""},
		{"nomatch", &policyReply{200, "text/plain", "version: STSv1\nmode: testing\nmx: *.other.test\nmax_age: 600\n", ""}, true, "", false, ""},
		{"redirect", &policyReply{301, "text/plain", "", "https://mta-sts.valid.test/.well-known/mta-sts.txt"}, false, "redirect", nil, ""},
		{"big", &policyReply{200, "text/plain", fmt.Sprintf(good, "big") + strings.Repeat("# padding\n", 7000), ""}, false, "too-large", nil, ""},
		{"ctype", &policyReply{200, "text/html", fmt.Sprintf(good, "ctype"), ""}, false, "content-type", nil, ""},
		{"status", &policyReply{404, "text/plain", "", ""}, false, "http-status", nil, ""},
		{"syntax", &policyReply{200, "text/plain", "version: STSv1\nmode: sure\n", ""}, false, "syntax-error", nil, ""},
		{"badcert", &policyReply{200, "text/plain", fmt.Sprintf(good, "badcert"), ""}, false, "certificate-error", nil, ""},
		{"norecord", nil, false, "", nil, "no _mta-sts TXT record"},
		{"tworecords", nil, false, "", nil, "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			d := tc.domain + ".test"
			e.rr(fmt.Sprintf("%s. 60 IN MX 10 mx.%s.", d, d), fmt.Sprintf("mta-sts.%s. 60 IN A 127.0.0.1", d))
			switch tc.domain {
			case "norecord":
			case "tworecords":
				e.rr(`_mta-sts.tworecords.test. 60 IN TXT "v=STSv1; id=1"`, `_mta-sts.tworecords.test. 60 IN TXT "v=STSv1; id=2"`)
			default:
				e.rr(fmt.Sprintf(`_mta-sts.%s. 60 IN TXT "v=STSv1; id=x1"`, d))
			}
			if tc.reply != nil {
				e.policies["mta-sts."+d] = *tc.reply
			}
			status, _, body := e.get("/api/v1/mta-sts?domain="+d, nil)
			if status != http.StatusOK {
				t.Fatalf("status: got %d (%v), want 200", status, body)
			}
			if got := at(body, "valid"); got != tc.wantValid {
				t.Errorf("valid: got %v, want %v (%v)", got, tc.wantValid, at(body, "fetch"))
			}
			var kind any = ""
			if k := at(body, "fetch", "errorKind"); k != nil {
				kind = k
			}
			if kind != tc.wantKind {
				t.Errorf("fetch.errorKind: got %v (%v), want %q", kind, at(body, "fetch", "error"), tc.wantKind)
			}
			if got := at(body, "mx", 0, "matches"); got != tc.wantMatch {
				t.Errorf("mx[0].matches: got %v, want %v", got, tc.wantMatch)
			}
			if rec, _ := at(body, "recordError").(string); !strings.Contains(rec, tc.wantRec) || (tc.wantRec == "" && rec != "") {
				t.Errorf("recordError: got %q, want %q", rec, tc.wantRec)
			}
		})
	}
}

func TestInputValidation(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
	}{
		{"GET", "/api/v1/mail-tls", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=localhost", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=exa%20mple.com", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=-bad.example", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=a..example", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=1.2.3.4", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=" + strings.Repeat("a.", 130) + "com", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=" + strings.Repeat("a", 64) + ".com", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=a_b.example", 400, "invalid-domain"},
		{"GET", "/api/v1/mail-tls?domain=good.test&domain=x.test", 400, "bad-request"},
		{"GET", "/api/v1/mail-tls?domain=good.test&header=From", 400, "bad-request"},
		{"GET", "/api/v1/smtp-tls?host=mx.good.test&port=22", 400, "invalid-port"},
		{"GET", "/api/v1/smtp-tls?host=mx.good.test&port=2525", 400, "invalid-port"},
		{"GET", "/api/v1/smtp-tls?host=mx.good.test&port=abc", 400, "invalid-port"},
		{"GET", "/api/v1/smtp-tls?host=&port=25", 400, "invalid-host"},
		{"GET", "/api/v1/smtp-tls?host=mx.good.test:25", 400, "invalid-host"},
		{"GET", "/api/v1/smtp-tls?host=http://x.test/&port=25", 400, "invalid-host"},
		{"GET", "/api/v1/mta-sts?domain=x", 400, "invalid-domain"},
		{"POST", "/api/v1/mail-tls?domain=good.test", 405, "method-not-allowed"},
		{"GET", "/api/v1/nope", 404, "not-found"},
		{"GET", "/api/v2/mail-tls", 404, "not-found"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, e.api.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		decodeJSON(t, resp, &body)
		if resp.StatusCode != tc.wantStatus || body["code"] != tc.wantCode {
			t.Errorf("%s %s: got %d %v, want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.wantStatus, tc.wantCode)
		}
		if body["error"] == "" || body["error"] == nil {
			t.Errorf("%s %s: got no error message", tc.method, tc.path)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type got %q, want application/json", tc.method, tc.path, ct)
		}
	}
	// The IDNA form of an internationalised name is accepted.
	if got, err := companion.NormalizeDomain("Bücher.Example."); err != nil || got != "xn--bcher-kva.example" {
		t.Errorf("NormalizeDomain: got %q, %v, want xn--bcher-kva.example", got, err)
	}
}

func TestCORS(t *testing.T) {
	e := newEnv(t, nil)
	e.rr(`_mta-sts.cors.test. 60 IN TXT "nothing"`)
	tests := []struct {
		origin     string
		wantStatus int
		wantACAO   string
	}{
		{"https://headerlens.example", 200, "https://headerlens.example"},
		{"https://evil.example", 403, ""},
		{"null", 403, ""},
		{"", 200, ""},
	}
	for _, tc := range tests {
		hdr := map[string]string{}
		if tc.origin != "" {
			hdr["Origin"] = tc.origin
		}
		status, h, body := e.get("/api/v1/mta-sts?domain=cors.test", hdr)
		if status != tc.wantStatus || h.Get("Access-Control-Allow-Origin") != tc.wantACAO {
			t.Errorf("Origin %q: got %d ACAO %q (%v), want %d ACAO %q", tc.origin, status, h.Get("Access-Control-Allow-Origin"), body["code"], tc.wantStatus, tc.wantACAO)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, e.api.URL+"/api/v1/mail-tls", nil)
	req.Header.Set("Origin", "https://headerlens.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: got %d %q, want 204 with GET allowed", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Methods"))
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	status, _, body := e.get("/healthz", nil)
	if status != 200 || body["status"] != "ok" || body["maxConcurrent"] != 16.0 {
		t.Errorf("healthz: got %d %v, want 200 ok maxConcurrent 16", status, body)
	}
}

func TestConfig(t *testing.T) {
	idle := idleResolver(t)
	bad := []struct {
		name string
		cfg  companion.Config
	}{
		{"no resolver", companion.Config{}},
		{"bad origin", companion.Config{Resolver: idle, AllowOrigins: []string{"headerlens.example"}}},
		{"bad port map", companion.Config{Resolver: idle, UnsafeSMTPPortMap: map[int]int{22: 2222}}},
		{"negative rate", companion.Config{Resolver: idle, RatePerClient: -1}},
		{"too many MX", companion.Config{Resolver: idle, MaxMX: 11}},
	}
	for _, tc := range bad {
		if _, err := companion.New(tc.cfg); err == nil {
			t.Errorf("New(%s): got nil error, want one", tc.name)
		}
	}
	m, err := companion.ParsePortMap("25=2525, 465=2465,587=2587,443=8443")
	if err != nil || m[25] != 2525 || m[465] != 2465 || m[587] != 2587 || m[443] != 8443 {
		t.Errorf("ParsePortMap: got %v, %v", m, err)
	}
	if got, want := companion.FormatPortMap(m), "25=2525,443=8443,465=2465,587=2587"; got != want {
		t.Errorf("FormatPortMap: got %q, want %q", got, want)
	}
	for _, s := range []string{"22=2222", "25", "25=0", "25=x", "25=70000"} {
		if _, err := companion.ParsePortMap(s); err == nil {
			t.Errorf("ParsePortMap(%q): got nil error, want one", s)
		}
	}
	safe := companion.Config{}
	if w := safe.Warnings(); len(w) != 0 {
		t.Errorf("Warnings of a safe config: got %v, want none", w)
	}
	unsafe := companion.Config{UnsafeAllowPrivateTargets: true, UnsafeSMTPPortMap: map[int]int{25: 2525}}
	w := unsafe.Warnings()
	if len(w) != 2 || !strings.Contains(w[0], "unsafe-allow-private-targets") || !strings.Contains(w[1], "25=2525") || !strings.Contains(w[0], "WARNING") {
		t.Errorf("Warnings: got %q, want two loud warnings", w)
	}
}

func TestRegisterFlags(t *testing.T) {
	t.Setenv("HEADERLENS_ALLOW_ORIGIN", "https://a.example,https://b.example")
	t.Setenv("HEADERLENS_RATE_BURST", "7")
	t.Setenv("HEADERLENS_UNSAFE_SMTP_PORT_MAP", "25=2525")
	t.Setenv("HEADERLENS_UNSAFE_ALLOW_PRIVATE_TARGETS", "true")
	t.Setenv("HEADERLENS_ALLOWED_HOST", "localhost, headerlens.example")
	var c companion.Config
	fs := newFlagSet()
	c.RegisterFlags(fs)
	if got := strings.Join(c.AllowOrigins, " "); got != "https://a.example https://b.example" {
		t.Errorf("AllowOrigins from env: got %q", got)
	}
	if c.RateBurst != 7 || c.UnsafeSMTPPortMap[25] != 2525 || !c.UnsafeAllowPrivateTargets {
		t.Errorf("env defaults: got burst %d map %v private %v, want 7 25=2525 true", c.RateBurst, c.UnsafeSMTPPortMap, c.UnsafeAllowPrivateTargets)
	}
	if got, want := strings.Join(c.AllowedHosts, " "), "localhost headerlens.example"; got != want {
		t.Errorf("AllowedHosts from env: got %q, want %q", got, want)
	}
	err := fs.Parse([]string{"--allowed-host=[::1]", "--allow-origin=https://c.example", "--rate-burst=3", "--unsafe-smtp-port-map=465=2465", "--unsafe-allow-private-targets=false", "--max-concurrent=4", "--request-timeout=5s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AllowOrigins) != 1 || c.RateBurst != 3 || c.UnsafeSMTPPortMap[465] != 2465 || c.UnsafeSMTPPortMap[25] != 0 || c.UnsafeAllowPrivateTargets || c.MaxConcurrent != 4 || c.RequestTimeout != 5*time.Second {
		t.Errorf("flags: got %+v", c)
	}
	if got, want := strings.Join(c.AllowedHosts, " "), "[::1]"; got != want {
		t.Errorf("AllowedHosts from --allowed-host: got %q, want %q", got, want)
	}
	if err := fs.Parse([]string{"--unsafe-smtp-port-map=80=8080"}); err == nil {
		t.Errorf("port map 80: got nil error, want one")
	}
}

func TestMailTLSDNSFailure(t *testing.T) {
	e := newEnv(t, nil)
	e.doh.Fail("broken.test.", dohtest.FailServfail)
	status, _, body := e.get("/api/v1/mail-tls?domain=broken.test", nil)
	if status != http.StatusOK {
		t.Fatalf("status: got %d, want 200", status)
	}
	if msg, _ := body["mxError"].(string); !strings.Contains(msg, "temporary") {
		t.Errorf("mxError: got %q, want a temporary DNS failure", msg)
	}
}
