package site_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/internal/site"
)

// TestSecuritySymlinkEscape: a symbolic link inside the site folder that
// points outside it (directly, or as the precompressed sibling of a real
// file) must never be served.
func TestSecuritySymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Skipf("cannot build the fixture: %v", err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>x</title>"+strings.Repeat(" ", 600)), 0o644))
	must(os.WriteFile(filepath.Join(dir, "app.js"), []byte(strings.Repeat("//x\n", 300)), 0o644))
	must(os.Symlink(secret, filepath.Join(dir, "leak.txt")))
	must(os.Symlink(outside, filepath.Join(dir, "sub")))
	must(os.Symlink(secret, filepath.Join(dir, "app.js.gz")))
	must(os.Symlink(secret, filepath.Join(dir, "app.js.br")))
	must(os.Symlink(secret, filepath.Join(dir, "index.html.gz")))
	h := site.Handler(dir, site.Options{})
	for _, tc := range []struct{ path, ae string }{
		{"/leak.txt", ""},
		{"/sub/secret.txt", ""},
		{"/app.js", "gzip"},
		{"/app.js", "br"},
		{"/app.js", "br, gzip"},
		{"/", "gzip"},
		{"/index.html", "gzip"},
		{"/app.js.gz", ""},
		{"/.%2e/secret.txt", ""},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://site.test"+tc.path, nil)
		if tc.ae != "" {
			req.Header.Set("Accept-Encoding", tc.ae)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), "TOP-SECRET") {
			t.Errorf("GET %s (Accept-Encoding %q): got the file outside the site folder, want it refused", tc.path, tc.ae)
		}
	}
}

// TestSecurityCSPDirectives: the policy must close every fetch directive
// that is not needed (default-src 'none' covers object-src, frame-src,
// worker-src, manifest-src, font-src, media-src), allow no inline or eval
// script (only wasm-unsafe-eval), and set base-uri, form-action and
// frame-ancestors, which do not fall back to default-src.
func TestSecurityCSPDirectives(t *testing.T) {
	csp := site.CSP(site.Options{ConnectSrc: []string{"https://cloudflare-dns.com/dns-query"}})
	dirs := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), " ")
		dirs[name] = val
	}
	want := map[string]string{
		"default-src":     "'none'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
		"frame-ancestors": "'none'",
	}
	for k, v := range want {
		if dirs[k] != v {
			t.Errorf("%s: got %q, want %q", k, dirs[k], v)
		}
	}
	for _, k := range []string{"object-src", "frame-src", "worker-src", "child-src"} {
		if v, ok := dirs[k]; ok && v != "'none'" {
			t.Errorf("%s: got %q, want absent (falls back to default-src 'none') or 'none'", k, v)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "data:", "blob:", "*", "http:", "https:"} {
		for _, k := range []string{"script-src", "style-src", "connect-src"} {
			for _, tok := range strings.Fields(dirs[k]) {
				if tok == bad {
					t.Errorf("%s: got %q in %q, want it absent", k, bad, dirs[k])
				}
			}
		}
	}
}

// TestSecurityConnectSrcWildcard demonstrates a bug: ValidateSource refuses
// the scheme source "https:" for connect-src (allowKeyword false), but
// accepts "https://*" and "http://*", which a browser reads as any host:
// with --doh https://* or --connect-src https://* the page's ?doh= and
// ?companion= parameters can send every domain of a pasted message to any
// server named in a link. Fix: in ValidateSource, refuse a host that is, or
// contains, "*" (except a leading "*." label if wildcards are wanted).
func TestSecurityConnectSrcWildcard(t *testing.T) {
	for _, s := range []string{"https://*", "http://*", "https://*:443"} {
		if err := site.ValidateSource(s, false); err == nil {
			t.Errorf("ValidateSource(%q, false): got nil, want an error like the one for \"https:\"", s)
		}
		if csp := site.CSP(site.Options{ConnectSrc: []string{s}}); strings.Contains(csp, s) {
			t.Errorf("CSP with ConnectSrc %q: got %q, want the wildcard source left out", s, csp)
		}
	}
}
