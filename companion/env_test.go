package companion_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"headerlens/companion"
	"headerlens/companion/internal/testenv"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// env is one companion wired to a dohtest DNS server, a test CA, loopback
// SMTP servers (port 25 mapped to smtpPort) and an HTTPS server for MTA-STS
// policies (port 443 mapped).
type env struct {
	t        *testing.T
	doh      *dohtest.Server
	ca       *testenv.CA
	api      *httptest.Server
	srv      *companion.Server
	smtpPort int
	httpsLn  net.Listener
	policies map[string]policyReply // by Host header
	assets   map[string]string      // other HTTPS bodies, by host+path
	hits     atomic.Int64           // HTTPS policy requests
}

type policyReply struct {
	status      int
	contentType string
	body        string
	location    string
}

const soa = "test. 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 60"

// newEnv starts the fixtures. tweak may adjust the Config before New.
func newEnv(t *testing.T, tweak func(*companion.Config)) *env {
	t.Helper()
	e := &env{t: t, ca: testenv.NewCA(t, "Companion Test Root"), policies: map[string]policyReply{}, assets: map[string]string{}}
	e.doh = dohtest.NewServer(t, dohtest.ZoneText("test.", soa+"\n"))
	res, err := dohresolver.New(dohresolver.Config{Endpoints: []string{e.doh.URL()}, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Pick a port free on 127.0.0.1 for every "port 25" server.
	probe := testenv.Listen(t, "127.0.0.1:0")
	e.smtpPort = probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	e.httpsLn = testenv.Listen(t, "127.0.0.1:0")
	e.startPolicyServer()

	cfg := companion.Config{
		Resolver:                  res,
		RatePerClient:             1000,
		RateBurst:                 1000,
		GlobalRate:                1000,
		GlobalBurst:               1000,
		MaxConcurrent:             16,
		RootCAs:                   e.ca.Pool(),
		MarkRoots:                 e.ca.Pool(),
		UnsafeAllowPrivateTargets: true,
		UnsafeSMTPPortMap:         map[int]int{25: e.smtpPort, 443: e.httpsLn.Addr().(*net.TCPAddr).Port},
		Logger:                    slog.New(slog.NewTextHandler(io.Discard, nil)),
		AllowOrigins:              []string{"https://headerlens.example"},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	e.srv, err = companion.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.api = httptest.NewServer(e.srv)
	t.Cleanup(e.api.Close)
	return e
}

// rr adds DNS records.
func (e *env) rr(records ...string) {
	e.t.Helper()
	for _, r := range records {
		e.doh.AddRR(r)
	}
}

// smtp starts a STARTTLS server for host on ip:smtpPort with a valid
// certificate unless o.TLS is set.
func (e *env) smtp(ip, host string, o testenv.SMTPOptions) *testenv.SMTPServer {
	e.t.Helper()
	if o.TLS == nil {
		o.TLS = &tls.Config{Certificates: []tls.Certificate{e.ca.Issue(e.t, testenv.CertOptions{DNSNames: []string{host}})}}
	}
	o.Listen = fmt.Sprintf("%s:%d", ip, e.smtpPort)
	o.Domain = host
	return testenv.StartSMTP(e.t, o)
}

func (e *env) startPolicyServer() {
	names := []string{}
	for _, d := range []string{"good", "valid", "redirect", "big", "ctype", "nomatch", "status", "syntax", "dane", "multi", "dcgood", "dcbad"} {
		names = append(names, "mta-sts."+d+".test")
	}
	names = append(names, "brand.test")
	cert := e.ca.Issue(e.t, testenv.CertOptions{DNSNames: names})
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		if body, ok := e.assets[r.Host+r.URL.Path]; ok {
			io.WriteString(w, body)
			return
		}
		p, ok := e.policies[r.Host]
		if !ok || r.URL.Path != "/.well-known/mta-sts.txt" {
			http.NotFound(w, r)
			return
		}
		if p.location != "" {
			w.Header().Set("Location", p.location)
		}
		w.Header().Set("Content-Type", p.contentType)
		w.WriteHeader(p.status)
		io.WriteString(w, p.body)
	}))
	hs.Listener.Close()
	hs.Listener = e.httpsLn
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	hs.StartTLS()
	e.t.Cleanup(hs.Close)
}

// get calls the API and decodes the JSON answer.
func (e *env) get(path string, hdr map[string]string) (int, http.Header, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(e.t.Context(), http.MethodGet, e.api.URL+path, nil)
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v // the client sends req.Host, not Header["Host"]
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			e.t.Fatalf("GET %s: body is not JSON: %v: %s", path, err, b)
		}
	}
	return resp.StatusCode, resp.Header, body
}

// at walks a decoded JSON value: at(v, "hosts", 0, "probe", "tls").
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

// countingServer accepts loopback connections and counts them.
func countingServer(t *testing.T, listen string) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	ln := testenv.Listen(t, listen)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return &n
}
