package companion_test

import (
	"net/http"
	"testing"

	"headerlens/companion"
)

// TestSecurityCrossSiteNoCORS: a page on another site can make a visitor's
// browser send a no-cors GET (an <img>, a <script>) to a companion on
// loopback; it carries Sec-Fetch-Site but no Origin. Such requests must be
// refused before any work is done (Fetch Metadata), unless the Origin is
// allowed; same-origin, user-initiated and non-browser requests go through.
func TestSecurityCrossSiteNoCORS(t *testing.T) {
	tests := []struct {
		name       string
		allow      []string
		hdr        map[string]string
		wantStatus int
		wantCode   string
	}{
		{"cross-site, no Origin", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, "forbidden-origin"},
		{"cross-site, upper case", nil, map[string]string{"Sec-Fetch-Site": "Cross-Site"}, http.StatusForbidden, "forbidden-origin"},
		{"same-site, no Origin", nil, map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden, "forbidden-origin"},
		{"cross-site, Origin not allowed", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden, "forbidden-origin"},
		{"cross-site, no Origin, any origin allowed", []string{"*"}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, "forbidden-origin"},
		{"cross-site, allowed Origin", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://headerlens.example"}, http.StatusBadRequest, "invalid-host"},
		{"cross-site, any origin allowed", []string{"*"}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://other.example"}, http.StatusBadRequest, "invalid-host"},
		{"same-origin", nil, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusBadRequest, "invalid-host"},
		{"typed in the address bar", nil, map[string]string{"Sec-Fetch-Site": "none"}, http.StatusBadRequest, "invalid-host"},
		{"not a browser", nil, nil, http.StatusBadRequest, "invalid-host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *companion.Config) {
				if tc.allow != nil {
					c.AllowOrigins = tc.allow
				}
			})
			// host=%21 is refused by validation (400 invalid-host)
			// once the request is let in; nothing is dialled.
			status, h, body := e.get("/api/v1/smtp-tls?host=%21", tc.hdr)
			if status != tc.wantStatus || body["code"] != tc.wantCode {
				t.Errorf("got %d %v, want %d %s", status, body, tc.wantStatus, tc.wantCode)
			}
			if status == http.StatusForbidden && h.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("refused request: got ACAO %q, want none", h.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

// TestSecurityDNSRebindingHost: with AllowedHosts set (serve does it when
// listening on loopback), a request whose Host is any other name, as after
// DNS rebinding of an attacker's name to 127.0.0.1, is refused on every
// route; the loopback names go through on any port.
func TestSecurityDNSRebindingHost(t *testing.T) {
	e := newEnv(t, func(c *companion.Config) { c.AllowedHosts = companion.LoopbackHosts() })
	for _, h := range []string{"rebind.evil.example", "rebind.evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example", "127.0.0.2", "[::2]:80", "0.0.0.0", "headerlens.example", "localhost:80:80"} {
		for _, path := range []string{"/api/v1/smtp-tls?host=%21", "/api/v1/mail-tls?domain=%21", "/healthz", "/api/v1/nope"} {
			status, _, body := e.get(path, map[string]string{"Host": h})
			if status != http.StatusForbidden || body["code"] != "forbidden-host" {
				t.Errorf("Host %q %s: got %d %v, want 403 forbidden-host", h, path, status, body)
			}
		}
	}
	for _, h := range []string{"localhost", "LOCALHOST:8080", "localhost.:1", "127.0.0.1", "127.0.0.1:9", "[::1]", "[::1]:8080"} {
		if status, _, body := e.get("/healthz", map[string]string{"Host": h}); status != http.StatusOK {
			t.Errorf("Host %q /healthz: got %d %v, want 200", h, status, body)
		}
		if status, _, body := e.get("/api/v1/smtp-tls?host=%21", map[string]string{"Host": h}); status != http.StatusBadRequest || body["code"] != "invalid-host" {
			t.Errorf("Host %q smtp-tls: got %d %v, want 400 invalid-host", h, status, body)
		}
	}
	// Empty AllowedHosts: any Host.
	open := newEnv(t, nil)
	if status, _, body := open.get("/healthz", map[string]string{"Host": "rebind.evil.example"}); status != http.StatusOK {
		t.Errorf("no AllowedHosts, Host rebind.evil.example: got %d %v, want 200", status, body)
	}
}

// TestAllowedHostsValidated: AllowedHosts entries are names or literals
// without scheme or port.
func TestAllowedHostsValidated(t *testing.T) {
	for _, h := range []string{"localhost:8080", "http://localhost", "127.0.0.1:80", "[127.0.0.1]", "", "a b", "[::1]:80"} {
		if _, err := companion.New(companion.Config{Resolver: idleResolver(t), AllowedHosts: []string{h}}); err == nil {
			t.Errorf("AllowedHosts %q: got nil error, want it refused", h)
		}
	}
	if _, err := companion.New(companion.Config{Resolver: idleResolver(t), AllowedHosts: append(companion.LoopbackHosts(), "::1", "headerlens.example.")}); err != nil {
		t.Errorf("AllowedHosts loopback names: got %v, want nil", err)
	}
}
