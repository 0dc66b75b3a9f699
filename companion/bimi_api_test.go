package companion_test

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"headerlens/companion"
	"headerlens/companion/internal/testenv"
)

const bimiSVG = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"><title>Brand</title><rect width="1" height="1"/></svg>`

// TestBIMIEndpoint runs GET /api/v1/bimi against local HTTPS servers
// serving crafted SVGs, through the companion's own fetch rules.
func TestBIMIEndpoint(t *testing.T) {
	ln := testenv.Listen(t, "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	e := newEnv(t, func(c *companion.Config) {
		c.UnsafeSMTPPortMap = map[int]int{443: port}
	})
	cert := e.ca.Issue(t, testenv.CertOptions{DNSNames: []string{"logo.bimi.test"}})
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good.svg":
			io.WriteString(w, bimiSVG)
		case "/script.svg":
			io.WriteString(w, strings.Replace(bimiSVG, "<rect", "<script>x</script><rect", 1))
		case "/moved.svg":
			http.Redirect(w, r, "https://elsewhere.test/good.svg", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	hs.Listener.Close()
	hs.Listener = ln
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	hs.StartTLS()
	t.Cleanup(hs.Close)
	e.rr(
		"logo.bimi.test. 60 IN A 127.0.0.1",
		`default._bimi.good.bimi.test. 60 IN TXT "v=BIMI1; l=https://logo.bimi.test/good.svg"`,
		`default._bimi.bad.bimi.test. 60 IN TXT "v=BIMI1; l=https://logo.bimi.test/script.svg"`,
		`default._bimi.moved.bimi.test. 60 IN TXT "v=BIMI1; l=https://logo.bimi.test/moved.svg"`,
		`default._bimi.http.bimi.test. 60 IN TXT "v=BIMI1; l=http://logo.bimi.test/good.svg"`,
	)
	tests := []struct {
		domain   string
		valid    bool
		errPart  string
		problems bool
	}{
		{"good.bimi.test", true, "", false},
		{"bad.bimi.test", false, "", true},
		{"moved.bimi.test", false, "redirect not followed", false},
		{"http.bimi.test", false, "not an https", false},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			status, _, body := e.get("/api/v1/bimi?domain="+tt.domain, nil)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, body)
			}
			logo, ok := body["logo"].(map[string]any)
			if !ok {
				t.Fatalf("no logo in %v", body)
			}
			if logo["valid"] != tt.valid {
				t.Errorf("valid = %v, want %v (%v)", logo["valid"], tt.valid, logo)
			}
			errText, _ := logo["error"].(string)
			if !strings.Contains(errText, tt.errPart) || (tt.errPart == "" && errText != "") {
				t.Errorf("error = %q, want %q", errText, tt.errPart)
			}
			if _, has := logo["problems"]; has != tt.problems {
				t.Errorf("problems present = %v, want %v (%v)", has, tt.problems, logo)
			}
		})
	}
	status, _, body := e.get("/api/v1/bimi?domain=none.bimi.test", nil)
	if status != http.StatusOK || !strings.Contains(body["recordError"].(string), "no v=BIMI1 record") {
		t.Errorf("no record: status %d, body %v", status, body)
	}
	if status, _, _ := e.get("/api/v1/bimi?domain=a..b", nil); status != http.StatusBadRequest {
		t.Errorf("bad domain: status %d, want 400", status)
	}
}

// TestBIMIRefusesPrivate checks that, under the default address policy,
// a logo on a loopback address is not fetched.
func TestBIMIRefusesPrivate(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.UnsafeAllowPrivateTargets = false })
	e.rr(
		"logo.bimi.test. 60 IN A 127.0.0.1",
		`default._bimi.good.bimi.test. 60 IN TXT "v=BIMI1; l=https://logo.bimi.test/good.svg"`,
	)
	status, _, body := e.get("/api/v1/bimi?domain=good.bimi.test", nil)
	logo, _ := body["logo"].(map[string]any)
	if status != http.StatusOK || logo == nil || logo["error"] == nil || logo["valid"] != false {
		t.Fatalf("status %d, logo %v: want a refused fetch", status, logo)
	}
}
