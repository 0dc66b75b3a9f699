package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"headerlens/dohresolver/dohtest"
)

// subPath is where the nginx test serves the site, as docs/nginx.conf does.
const subPath = "/tools/headerlens/"

// findNginx returns Debian's nginx, or skips (fails when
// HEADERLENS_REQUIRE_NGINX=1) when it is not installed.
func findNginx(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/nginx", "nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("HEADERLENS_REQUIRE_NGINX") == "1" {
		t.Fatal("nginx is not installed and HEADERLENS_REQUIRE_NGINX=1 (install it: apt-get install -y nginx, or run scripts/ci-deps)")
	}
	t.Skip("nginx is not installed; set HEADERLENS_REQUIRE_NGINX=1 to make this a failure")
	return ""
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNginx runs nginx in the foreground with the location block of
// docs/nginx.conf serving dist under subPath, and returns the site's URL.
func startNginx(t *testing.T, nginx, root, dist string, doh string) string {
	t.Helper()
	block, err := os.ReadFile(filepath.Join(root, "docs", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(block)
	for old, new := range map[string]string{
		"alias /srv/headerlens/;":                                 "alias " + dist + "/;",
		"connect-src 'self' https://cloudflare-dns.com/dns-query": "connect-src 'self' " + doh + " https://cloudflare-dns.com/dns-query",
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("docs/nginx.conf lacks %q", old)
		}
		conf = strings.Replace(conf, old, new, 1)
	}
	dir := t.TempDir()
	port := freePort(t)
	var modules string
	if m := "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"; fileExists(m) {
		modules = "load_module " + m + ";\n"
	} else if os.Getenv("HEADERLENS_REQUIRE_NGINX") == "1" {
		t.Fatal("nginx's brotli_static module is not installed (apt-get install -y libnginx-mod-http-brotli-static, or run scripts/ci-deps)")
	} else {
		conf = strings.Replace(conf, "brotli_static on;", "", 1)
	}
	main := modules + fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:%[2]d;
        server_name localhost;
%[3]s
    }
}
`, dir, port, conf)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-t", "-c", confPath, "-p", dir).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, main)
	}
	cmd := exec.Command(nginx, "-c", confPath, "-p", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d%s", port, subPath)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not serve %s within 15 s (%v); error.log:\n%s", base, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestNginxSubPath serves the built site with Debian's nginx under a
// sub-path, configured by docs/nginx.conf, and runs the page there: media
// types, precompressed copies, the CSP, a live analysis through the
// fixture resolver, the service worker scoped to the sub-path, and the
// companion found absent (no headerlens serve behind the static host).
func TestNginxSubPath(t *testing.T) {
	chromium := needChromium(t)
	nginx := findNginx(t)
	root := moduleRoot(t)
	dist := site(t, root)
	doh := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("testdata", "zones", "e2e.example.zone")))
	base := startNginx(t, nginx, root, dist, doh.URL())

	// Plain HTTP checks of what nginx sends.
	tr := &http.Transport{DisableCompression: true}
	client := &http.Client{Transport: tr}
	for _, tc := range []struct {
		file, encoding, ctype string
	}{
		{"headerlens.wasm", "br", "application/wasm"},
		{"headerlens.wasm", "gzip", "application/wasm"},
		{"headerlens.wasm", "", "application/wasm"},
		{"js/app.js", "gzip", "text/javascript"},
		{"sw.js", "br", "text/javascript"},
		{"style.css", "", "text/css"},
		{"", "gzip", "text/html"},
		{"headerlens.html", "br", "text/html"},
	} {
		req, _ := http.NewRequest("GET", base+tc.file, nil)
		if tc.encoding != "" {
			req.Header.Set("Accept-Encoding", tc.encoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != tc.encoding || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s Accept-Encoding %q: %d, Content-Encoding %q, Content-Type %q; want 200, %q, %s",
				subPath+tc.file, tc.encoding, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), tc.encoding, tc.ctype)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") {
			t.Errorf("GET %s: CSP %q", subPath+tc.file, csp)
		}
	}

	ctx := browser(t, chromium)
	log := watch(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	pageURL := base + "?doh=" + url.QueryEscape(doh.URL())
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load under "+subPath, pageReady, 60*time.Second)
	t.Logf("startup under nginx: %v", startupTimes(t, ctx))
	analyze(t, ctx, readMessage(t, "01-plain.eml"))
	t.Logf("live analysis (fixture resolver on loopback) to first render: %s ms", renderTime(t, ctx))
	if got := text(t, ctx, `document.querySelector('[data-check="spf"]').dataset.result`); got != "pass" {
		t.Errorf("SPF under nginx = %q, want pass", got)
	}
	waitFor(t, ctx, "the companion to be found absent", `(document.getElementById("s-companion") || document.body).closest("section").textContent.includes("Transport checks unavailable")`, 30*time.Second)
	waitFor(t, ctx, "the service worker to control the page", `!!navigator.serviceWorker.controller`, 30*time.Second)
	if got := awaitText(t, ctx, `navigator.serviceWorker.getRegistration().then((r) => r ? r.scope : "none")`); got != base {
		t.Errorf("service worker scope = %q, want %q", got, base)
	}
	// Every request went to the site under the sub-path or to the resolver.
	for _, r := range log.httpRequests() {
		if !strings.HasPrefix(r.URL, base) && !strings.HasPrefix(r.URL, doh.URL()) {
			t.Errorf("request outside %s and the resolver: %s", base, r.URL)
		}
	}
	checkNoHeaderText(t, log.httpRequests())
	// The page looks for headerlens serve beside itself (healthz); a static
	// host answers 404, which the browser logs. Nothing else may be logged.
	for _, p := range log.problems() {
		if !strings.Contains(p, subPath+"healthz") {
			t.Errorf("console problem: %s", p)
		}
	}
}
