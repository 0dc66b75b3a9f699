package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// newSite writes a small built site into a temp dir and returns its handler.
func newSite(t *testing.T, opts Options) (http.Handler, string) {
	t.Helper()
	dir := t.TempDir()
	big := strings.Repeat("console.log('headerlens');\n", 100)
	files := map[string]string{
		"index.html":      "<!doctype html><title>headerlens</title>",
		"app.js":          big,
		"style.css":       "body{color:black}",
		"headerlens.wasm": "\x00asm\x01\x00\x00\x00",
		"sub/index.html":  "<!doctype html><title>sub</title>",
		".hidden":         "secret",
		"blob.bin":        "\x01\x02",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A precompressed copy of style.css whose content differs, so the test
	// can tell which one was served.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "body{color:green}")
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "style.css.gz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stand-in brotli copy of app.js: the handler never decodes it, so
	// its bytes only need to be recognisable.
	if err := os.WriteFile(filepath.Join(dir, "app.js.br"), []byte("BROTLI-BYTES"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file outside the site, which traversal must not reach.
	outside := filepath.Join(filepath.Dir(dir), "outside-secret.txt")
	os.WriteFile(outside, []byte("outside"), 0o644)
	t.Cleanup(func() { os.Remove(outside) })
	return Handler(dir, opts), dir
}

func do(h http.Handler, method, target string, hdr map[string]string) *http.Response {
	req := httptest.NewRequest(method, "http://site.test/", nil)
	req.URL.Path = target
	req.RequestURI = target
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMediaTypes(t *testing.T) {
	h, _ := newSite(t, Options{})
	tests := []struct {
		path, want string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/headerlens.wasm", "application/wasm"},
		{"/sub/", "text/html; charset=utf-8"},
		{"/blob.bin", "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp := do(h, "GET", tc.path, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.want {
				t.Errorf("Content-Type = %q, want %q", got, tc.want)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q, want %q", got, "no-cache")
			}
			if resp.Header.Get("ETag") == "" {
				t.Errorf("ETag missing")
			}
		})
	}
}

func TestCompression(t *testing.T) {
	h, _ := newSite(t, Options{})
	tests := []struct {
		name, path, accept string
		wantEncoding       string
		wantBody           string
	}{
		{"precompressed gz served", "/style.css", "gzip, deflate, br", "gzip", "body{color:green}"},
		{"identity when gzip not accepted", "/style.css", "identity", "", "body{color:black}"},
		{"identity when gzip has q=0", "/style.css", "gzip;q=0, deflate", "", "body{color:black}"},
		{"star accepts gzip", "/style.css", "*", "gzip", "body{color:green}"},
		{"precompressed br preferred", "/app.js", "gzip, br", "br", "BROTLI-BYTES"},
		{"br refused with q=0, no gz copy", "/app.js", "gzip, br;q=0", "", strings.Repeat("console.log('headerlens');\n", 100)},
		{"no br for style.css", "/style.css", "br", "", "body{color:black}"},
		{"no precompressed copy: served as is, never compressed per request", "/app.js", "gzip", "", strings.Repeat("console.log('headerlens');\n", 100)},
		{"nothing accepted", "/app.js", "", "", strings.Repeat("console.log('headerlens');\n", 100)},
		{"small file not gzipped", "/index.html", "gzip", "", "<!doctype html><title>headerlens</title>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.accept})
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tc.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tc.wantEncoding)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary = %q, want Accept-Encoding", got)
			}
			// The length is known for a precompressed copy as for any
			// file: the bytes sent are the file's own.
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(raw)); got != want {
				t.Errorf("Content-Length: got %q, want %q", got, want)
			}
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			if got := body(t, resp); got != tc.wantBody {
				t.Errorf("body = %q, want %q", got, tc.wantBody)
			}
		})
	}
}

func TestConditional(t *testing.T) {
	h, _ := newSite(t, Options{})
	for _, tc := range []struct{ path, accept string }{
		{"/style.css", "gzip"}, {"/app.js", "gzip"}, {"/app.js", ""}, {"/headerlens.wasm", ""},
	} {
		first := do(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.accept})
		etag := first.Header.Get("ETag")
		again := do(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": etag})
		if got, want := again.StatusCode, http.StatusNotModified; got != want {
			t.Errorf("%s (%q) with If-None-Match %s: status = %d, want %d", tc.path, tc.accept, etag, got, want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h, _ := newSite(t, Options{ConnectSrc: []string{"https://doh.example/dns-query", "bad value; script-src *"}})
	for _, p := range []string{"/", "/missing", "/../etc/passwd"} {
		resp := do(h, "GET", p, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self' https://doh.example/dns-query;", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q does not contain %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "bad value") {
			t.Errorf("%s: CSP %q contains an invalid source", p, csp)
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "no-referrer",
			"Cross-Origin-Opener-Policy": "same-origin",
			"X-Frame-Options":            "DENY",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
	}
}

func TestFrameAncestors(t *testing.T) {
	h, _ := newSite(t, Options{FrameAncestors: []string{"https://wiki.example.com", "'self'"}})
	resp := do(h, "GET", "/", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if want := "frame-ancestors https://wiki.example.com 'self'"; !strings.Contains(csp, want) {
		t.Errorf("CSP %q does not contain %q", csp, want)
	}
	if got := resp.Header.Get("X-Frame-Options"); got != "" {
		t.Errorf("X-Frame-Options = %q, want none when framing is allowed", got)
	}
}

// TestEmbedOrigins: only a listed origin gets Access-Control-Allow-Origin,
// for itself, and every answer says it varies by Origin; with no list,
// nothing is granted.
func TestEmbedOrigins(t *testing.T) {
	h, _ := newSite(t, Options{EmbedOrigins: []string{"https://wiki.example.com"}})
	tests := []struct {
		path, origin, want string
	}{
		{"/", "https://wiki.example.com", "https://wiki.example.com"},
		{"/app.js", "https://wiki.example.com", "https://wiki.example.com"},
		{"/", "https://evil.example", ""},
		{"/", "null", ""},
		{"/", "", ""},
		{"/missing.js", "https://wiki.example.com", "https://wiki.example.com"},
	}
	for _, tc := range tests {
		resp := do(h, "GET", tc.path, map[string]string{"Origin": tc.origin})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("GET %s Origin %q: Access-Control-Allow-Origin %q, want %q", tc.path, tc.origin, got, tc.want)
		}
		if vary := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(vary, "Origin") {
			t.Errorf("GET %s Origin %q: Vary %q, want Origin in it", tc.path, tc.origin, vary)
		}
		if got := resp.Header.Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
			t.Errorf("GET %s: Cross-Origin-Resource-Policy %q, want same-origin", tc.path, got)
		}
	}
	plain, _ := newSite(t, Options{})
	if got := do(plain, "GET", "/", map[string]string{"Origin": "https://wiki.example.com"}).Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no EmbedOrigins: Access-Control-Allow-Origin %q, want none", got)
	}
}

func TestValidateOrigin(t *testing.T) {
	tests := []struct {
		s  string
		ok bool
	}{
		{"https://wiki.example.com", true},
		{"http://127.0.0.1:8090", true},
		{"https://wiki.example.com/", true},
		{"https://wiki.example.com/page", false},
		{"https://*.example.com", false},
		{"wiki.example.com", false},
		{"ftp://wiki.example.com", false},
		{"https://u@wiki.example.com", false},
		{"https://wiki.example.com?x", false},
		{"*", false},
		{"'self'", false},
	}
	for _, tc := range tests {
		if got := ValidateOrigin(tc.s) == nil; got != tc.ok {
			t.Errorf("ValidateOrigin(%q) ok=%v, want %v", tc.s, got, tc.ok)
		}
	}
}

func TestRefused(t *testing.T) {
	h, _ := newSite(t, Options{})
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/../outside-secret.txt", 404},
		{"GET", "/sub/../../outside-secret.txt", 404},
		{"GET", "/..%2foutside-secret.txt", 404},
		{"GET", "/%2e%2e/outside-secret.txt", 404},
		{"GET", "/sub\\..\\..\\outside-secret.txt", 404},
		{"GET", "/.hidden", 404},
		{"GET", "/style.css.gz", 404},
		{"GET", "/missing.js", 404},
		{"GET", "/sub", 404},
		{"GET", "/app.js\x00.html", 404},
		{"POST", "/", 405},
		{"DELETE", "/app.js", 405},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp := do(h, tc.method, tc.path, nil)
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			b := body(t, resp)
			if strings.Contains(b, "outside") || strings.Contains(b, "secret") {
				t.Errorf("body %q leaks a file it must not serve", b)
			}
			if tc.want == 404 && b != "404 page not found\n" {
				t.Errorf("404 body = %q, want the plain text", b)
			}
		})
	}
}

func TestRealServerTraversal(t *testing.T) {
	h, _ := newSite(t, Options{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{"/../outside-secret.txt", "/%2e%2e/outside-secret.txt", "/..%2F..%2Foutside-secret.txt"} {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.URL.Opaque = p // sent verbatim, without client-side cleaning
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "outside") {
			t.Errorf("%s: status %d body %q, want it refused", p, resp.StatusCode, b)
		}
	}
}

func TestMissingDir(t *testing.T) {
	h := Handler(filepath.Join(t.TempDir(), "nope"), Options{})
	resp := do(h, "GET", "/", nil)
	if got, want := resp.StatusCode, 500; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}

func TestValidateSource(t *testing.T) {
	tests := []struct {
		s       string
		keyword bool
		ok      bool
	}{
		{"https://cloudflare-dns.com/dns-query", false, true},
		{"http://127.0.0.1:8053/dns-query", false, true},
		{"ftp://x.example/", false, false},
		{"https://a.example/ q", false, false},
		{"https://a.example/;x", false, false},
		{"https://a.example/?dns=1", false, false},
		{"'self'", false, false},
		{"'self'", true, true},
		{"https:", true, true},
		{"", true, false},
		{"/relative", false, false},
		{"https://*.example.com", false, true},
		{"https://*.example.com/dns-query", false, true},
		{"https://*.com", false, false},
		{"https://*", false, false},
		{"https://a.*.example.com", false, false},
		{"https://a.example.com:*", false, false},
		{"https://a.example.com/*", false, false},
		{"*", true, false},
	}
	for _, tc := range tests {
		err := ValidateSource(tc.s, tc.keyword)
		if got := err == nil; got != tc.ok {
			t.Errorf("ValidateSource(%q, %v) = %v, want ok=%v", tc.s, tc.keyword, err, tc.ok)
		}
	}
}

func TestAccepts(t *testing.T) {
	tests := []struct {
		header, coding string
		want           bool
	}{
		{"gzip", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"*;q=0.1", "br", true},
		{"*, br;q=0", "br", false},
		{"", "gzip", false},
		{"br", "gzip", false},
	}
	for _, tc := range tests {
		if got := accepts(tc.header, tc.coding); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tc.header, tc.coding, got, tc.want)
		}
	}
}
