package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"headerlens/dohresolver/dohtest"
)

// needChromium returns the browser, or skips (fails when
// HEADERLENS_REQUIRE_CHROMIUM=1) when there is none.
func needChromium(t *testing.T) string {
	t.Helper()
	c := findChromium()
	if c == "" {
		if os.Getenv("HEADERLENS_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("chromium is not installed and HEADERLENS_REQUIRE_CHROMIUM=1 (install it: apt-get install -y chromium, or run scripts/ci-deps)")
		}
		t.Skip("chromium is not installed; set HEADERLENS_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	return c
}

// requests returns the HTTP(S) requests the browser sent so far.
func (l *consoleLog) httpRequests() []*network.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*network.Request
	for _, r := range l.requests {
		if strings.HasPrefix(r.URL, "http:") || strings.HasPrefix(r.URL, "https:") {
			out = append(out, r)
		}
	}
	return out
}

// headerTexts are strings of 01-plain.eml's header that must never appear
// in a request: the subject, the Message-ID and the addresses' local parts.
var headerTexts = []string{"Quarterly", "numbers for the browser", "e2e-1@", "alice@", "bob@", "Alice Example", "4AbCdE"}

// checkNoHeaderText fails when a request's URL, headers or body carries
// header text of the analyzed message, in clear or URL-encoded.
func checkNoHeaderText(t *testing.T, reqs []*network.Request) {
	t.Helper()
	for _, r := range reqs {
		var body strings.Builder
		for _, e := range r.PostDataEntries {
			body.Write(e.Bytes)
		}
		hdrs, _ := json.Marshal(r.Headers)
		all := r.URL + "\n" + string(hdrs) + "\n" + body.String()
		unescaped, _ := url.QueryUnescape(all)
		for _, s := range headerTexts {
			if strings.Contains(all, s) || strings.Contains(unescaped, s) {
				t.Errorf("request %s %s carries header text %q", r.Method, r.URL, s)
			}
		}
	}
}

// TestElement embeds <header-lens> twice in a host page on another origin
// whose own Content-Security-Policy allows only the site's origin,
// 'wasm-unsafe-eval' and the resolver, and uses both: each keeps its own
// form, report and network log. It also frames the page (?embed=1) from an
// allowed origin and from one that is not.
func TestElement(t *testing.T) {
	chromium := needChromium(t)
	root := moduleRoot(t)
	bin, dist := binary(t, root), site(t, root)
	doh := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("testdata", "zones", "e2e.example.zone")))

	var siteOrigin string
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/wiki":
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src "+siteOrigin+" 'wasm-unsafe-eval'; style-src "+siteOrigin+"; connect-src "+siteOrigin+" "+doh.URL()+"; img-src data:")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wiki page</title><link rel="icon" href="data:,">
<script type="module" src="%s/header-lens.js"></script></head>
<body><h1>Mail troubleshooting</h1><p>Paste the headers below.</p>
<header-lens id="a" offline compact></header-lens>
<header-lens id="b" doh="%s" companion="off"></header-lens>
</body></html>`, siteOrigin, doh.URL())
		case "/frame":
			w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-src "+siteOrigin+"; img-src data:")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framed</title><link rel="icon" href="data:,"></head>
<body><iframe src="%s/?embed=1&amp;offline=1" title="headerlens" width="800" height="600"></iframe></body></html>`, siteOrigin)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(host.Close)
	base := serve(t, bin, dist, []string{doh.URL()}, "--embed-origin", host.URL, "--frame-ancestors", host.URL)
	siteOrigin = strings.TrimSuffix(base, "/")

	ctx := browser(t, chromium)
	log := watch(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(host.URL+"/wiki")); err != nil {
		t.Fatal(err)
	}
	in := func(id, expr string) string {
		return `(() => { const r = document.getElementById("` + id + `").shadowRoot; return ` + expr + `; })()`
	}
	for _, id := range []string{"a", "b"} {
		waitFor(t, ctx, "instance "+id+" to load", in(id, `!!r && !!r.querySelector("#analyze") && !r.querySelector("#analyze").disabled`), 60*time.Second)
	}
	if got := text(t, ctx, in("a", `String(r.styleSheets.length && r.styleSheets[0].cssRules.length > 50)`)); got != "true" {
		t.Errorf("instance a: stylesheet loaded into the shadow root = %s, want true", got)
	}
	msg, _ := json.Marshal(readMessage(t, "01-plain.eml"))
	run := func(id string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](in(id, `(r.querySelector("#message").value = `+string(msg)+`, r.querySelector("#analyze").click())`))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "instance "+id+"'s report", in(id, `!r.querySelector("#results").hidden && !!r.querySelector("#results .report-section")`), 60*time.Second)
	}
	run("a")
	if got := text(t, ctx, in("b", `String(r.querySelector("#results").hidden)`)); got != "true" {
		t.Errorf("instance b's results hidden after a's analysis = %s, want true (instances are independent)", got)
	}
	if got := text(t, ctx, in("a", `r.querySelector(".verdict-section").textContent`)); !strings.Contains(got, "Live checks skipped") {
		t.Errorf("instance a (offline) verdict = %q, want the live checks skipped", got)
	}
	run("b")
	if got := text(t, ctx, in("b", `r.querySelector('[data-check="spf"]').dataset.result`)); got != "pass" {
		t.Errorf("instance b SPF = %q, want pass (through the resolver the host page allows)", got)
	}
	if got := text(t, ctx, in("b", `r.querySelector('#results [data-field="subject"]').textContent`)); got != "Quarterly numbers for the browser test" {
		t.Errorf("instance b subject = %q", got)
	}
	// Each network log: a's has no DNS query, b's lists them.
	if got := text(t, ctx, in("a", `String(r.querySelectorAll("#network table.netlog tbody tr").length)`)); got != "1" {
		t.Errorf("instance a network log rows = %s, want 1 (the module, loaded once for the page)", got)
	}
	if got := text(t, ctx, in("b", `[...r.querySelectorAll("#network table.netlog tbody tr")].map((tr) => tr.cells[1].textContent + " " + tr.cells[2].textContent).join("\n")`)); !strings.Contains(got, "DNS query TXT e2e.example") {
		t.Errorf("instance b network log = %q, want the SPF query for e2e.example", got)
	}
	// Section links work inside a shadow root.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](in("b", `r.querySelector('[data-check="dmarc"]').click()`))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, in("b", `String(Math.round(r.getElementById("s-dmarc").getBoundingClientRect().top))`)); got == "" || strings.HasPrefix(got, "-") {
		t.Errorf("DMARC heading top after following its link = %s, want in view", got)
	}
	checkNoHeaderText(t, log.httpRequests())
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if p := filepath.Join(screenshotDir(t), "element.png"); os.WriteFile(p, buf, 0o644) == nil {
			t.Logf("screenshot: %s", p)
		}
	}
	if p := log.problems(); len(p) > 0 {
		t.Errorf("console problems in the host page:\n%s", strings.Join(p, "\n"))
	}
	// Accessibility inside the shadow roots, with both reports shown (after
	// the console check: axe's own inline styles break the host page's CSP).
	axeScan(t, ctx, axeScript(t, root), "two <header-lens> elements")

	// The page in an iframe: allowed from host.URL (--frame-ancestors), and
	// refused from the same host page reached under another name (another
	// origin).
	other := strings.Replace(host.URL, "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		origin  string
		allowed bool
	}{{host.URL, true}, {other, false}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(tc.origin+"/frame")); err != nil {
			t.Fatal(err)
		}
		var child string
		wait := 30 * time.Second
		if !tc.allowed {
			wait = 5 * time.Second
		}
		deadline := time.Now().Add(wait)
		for time.Now().Before(deadline) {
			tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
			if err == nil && len(tree.FrameTree.ChildFrames) > 0 {
				f := tree.FrameTree.ChildFrames[0].Frame
				child = f.URL + " " + f.UnreachableURL
				if strings.Contains(f.URL, "embed=1") {
					break
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("frame from %s: %q", tc.origin, child)
		if got := strings.Contains(child, siteOrigin+"/?embed=1") && !strings.Contains(child, "chrome-error"); got != tc.allowed {
			t.Errorf("iframe from %s: frame %q, want loaded=%v", tc.origin, child, tc.allowed)
		}
	}
}

// screenshotDir is where the browser tests keep their screenshots: a
// folder that outlives the test, so that a person can look at them.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "headerlens-screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pageReady is true once the page's instance can analyze.
const pageReady = `!!document.getElementById("analyze") && !document.getElementById("analyze").disabled`

// startupTimes reads the page's performance marks (js/bridge.js), in ms
// from navigation start.
func startupTimes(t *testing.T, ctx context.Context) map[string]float64 {
	t.Helper()
	js := text(t, ctx, `JSON.stringify(Object.fromEntries(performance.getEntriesByType("mark").filter((m) => m.name.startsWith("headerlens:")).map((m) => [m.name.slice(11), Math.round(m.startTime)])))`)
	var out map[string]float64
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		t.Fatalf("marks %s: %v", js, err)
	}
	order := []string{"wasm-fetch", "wasm-fetched", "wasm-compiled", "go-started", "ready"}
	for i, name := range order {
		if _, ok := out[name]; !ok {
			t.Errorf("performance mark headerlens:%s missing; marks %v", name, out)
		} else if i > 0 && out[name] < out[order[i-1]] {
			t.Errorf("mark %s at %v ms comes before %s at %v ms", name, out[name], order[i-1], out[order[i-1]])
		}
	}
	return out
}

// renderTime is the time from the last Analyze to its report on screen
// (the headerlens:analyze and headerlens:rendered marks of js/app.js), in ms.
func renderTime(t *testing.T, ctx context.Context) string {
	t.Helper()
	return text(t, ctx, `(() => { const a = performance.getEntriesByName("headerlens:analyze").at(-1), r = performance.getEntriesByName("headerlens:rendered").at(-1); return a && r && r.startTime >= a.startTime ? (r.startTime - a.startTime).toFixed(1) : "missing"; })()`)
}

// TestSingleFile opens dist/headerlens.html from disk: its own CSP (hashes)
// lets its inline scripts and style run, the analyzer comes from inside the
// file, the analysis is offline and the page makes no request at all. A
// message shared in a link's fragment comes back into the box.
func TestSingleFile(t *testing.T) {
	chromium := needChromium(t)
	dist := site(t, moduleRoot(t))
	file := filepath.Join(dist, "headerlens.html")
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("headerlens.html: %d bytes", fi.Size())
	ctx := browser(t, chromium)
	log := watch(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	fileURL := (&url.URL{Scheme: "file", Path: file}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load from the file", pageReady, 60*time.Second)
	t.Logf("startup from file://: %v", startupTimes(t, ctx))
	if got := text(t, ctx, `String(document.getElementById("offline").checked)`); got != "true" {
		t.Errorf("Offline in the single file = %s, want true by default", got)
	}
	analyze(t, ctx, readMessage(t, "01-plain.eml"))
	if got := text(t, ctx, `document.querySelector('#results [data-field="subject"]').textContent`); got != "Quarterly numbers for the browser test" {
		t.Errorf("subject = %q", got)
	}
	if got := text(t, ctx, `document.querySelector(".verdict-section").textContent`); !strings.Contains(got, "Live checks skipped: offline") {
		t.Errorf("verdict = %q, want the live checks skipped, offline", got)
	}
	// The clipboard is refused here, so the page shows what it would copy
	// in a box. First the report as Markdown, made in Go.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } }); document.querySelector(".share-markdown").click()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the Markdown to copy", `!!document.querySelector(".share-text")`, 10*time.Second)
	if got := text(t, ctx, `document.querySelector(".share-text").value`); !strings.HasPrefix(got, "## Email header analysis: `Quarterly numbers for the browser test`") || !strings.Contains(got, "| From | `Alice Example <alice@e2e.example>` |") {
		t.Errorf("Markdown of the report = %q", got)
	}
	// Then the message in a link, and the link opened.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector(".share-text").remove(); document.querySelector(".share-message").click()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the warning before sharing the message", `!!document.querySelector(".share-warning .share-message-confirm")`, 10*time.Second)
	if got := text(t, ctx, `document.querySelector(".share-warning").textContent`); !strings.Contains(got, "contains the message's headers") {
		t.Errorf("share warning = %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector(".share-message-confirm").click()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the link to copy", `!!document.querySelector(".share-text")`, 10*time.Second)
	link := text(t, ctx, `document.querySelector(".share-text").value`)
	if !strings.HasPrefix(link, fileURL) || !strings.Contains(link, "#m=") || strings.Contains(link, "Quarterly") {
		t.Fatalf("shared link = %q, want the page with the message compressed after #m=", link)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load", pageReady, 60*time.Second)
	waitFor(t, ctx, "the shared message in the box", `document.getElementById("message").value.includes("Subject: Quarterly numbers for the browser test")`, 10*time.Second)
	if got := text(t, ctx, `document.getElementById("file-info").textContent`); !strings.Contains(got, "This link carried a message") {
		t.Errorf("note about the shared message = %q", got)
	}
	// Once read, the message leaves the address; changing a setting keeps
	// the address on this file.
	if got := text(t, ctx, `location.href`); got != fileURL+"?offline=1" {
		t.Errorf("address after reading the shared message = %q, want %q (no fragment)", got, fileURL+"?offline=1")
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const o = document.getElementById("offline"); o.checked = false; o.dispatchEvent(new Event("change")); })()`)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `location.href + " " + document.getElementById("settings-link").href`); got != fileURL+" "+fileURL {
		t.Errorf("address and settings link with no settings = %q, want the file itself twice", got)
	}
	if got := text(t, ctx, `String(document.getElementById("results").hidden)`); got != "true" {
		t.Errorf("results hidden after opening a shared link = %s, want true (never analyzed unasked)", got)
	}
	if reqs := log.httpRequests(); len(reqs) != 0 {
		for _, r := range reqs {
			t.Errorf("the single file made a request: %s %s", r.Method, r.URL)
		}
	}
	if p := log.problems(); len(p) > 0 {
		t.Errorf("console problems (a CSP hash that does not match shows here):\n%s", strings.Join(p, "\n"))
	}
}

// TestServiceWorker: after one visit the site works with its server
// stopped, from the service worker's cache, and an offline analysis makes
// no request (counted through the DevTools protocol).
func TestServiceWorker(t *testing.T) {
	chromium := needChromium(t)
	root := moduleRoot(t)
	bin, dist := binary(t, root), site(t, root)
	doh := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("testdata", "zones", "e2e.example.zone")))
	base, stop := startServe(t, bin, dist, []string{doh.URL()})
	ctx := browser(t, chromium)
	log := watch(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	pageURL := base + "?offline=1"
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load", pageReady, 60*time.Second)
	t.Logf("startup, cold: %v", startupTimes(t, ctx))
	waitFor(t, ctx, "the service worker to control the page", `!!navigator.serviceWorker.controller`, 30*time.Second)
	if got := awaitText(t, ctx, `caches.keys().then((k) => k.join(","))`); !strings.HasPrefix(got, "headerlens-") {
		t.Errorf("caches = %q, want this version's headerlens- cache", got)
	}

	before := len(log.httpRequests())
	analyze(t, ctx, readMessage(t, "01-plain.eml"))
	if after := log.httpRequests(); len(after) != before {
		for _, r := range after[before:] {
			t.Errorf("offline analysis made a request: %s %s", r.Method, r.URL)
		}
	}
	t.Logf("offline analysis to first render: %s ms", renderTime(t, ctx))
	if got := text(t, ctx, `String(document.querySelectorAll("#network table.netlog tbody tr").length)`); got != "1" {
		t.Errorf("network log rows after an offline analysis = %s, want 1 (the module)", got)
	}

	// A repeat visit, the files from the service worker.
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load again", pageReady, 60*time.Second)
	t.Logf("startup, repeat visit: %v", startupTimes(t, ctx))

	stop()
	if got := awaitText(t, ctx, `fetch("healthz", { cache: "no-store" }).then((r) => "answered " + r.status, () => "failed")`); got != "failed" {
		t.Errorf("healthz with the server stopped: %s, want failed (never cached)", got)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("reload with the server stopped: %v", err)
	}
	waitFor(t, ctx, "the analyzer to load with the server stopped", pageReady, 60*time.Second)
	analyze(t, ctx, readMessage(t, "01-plain.eml"))
	if got := text(t, ctx, `document.querySelector('#results [data-field="subject"]').textContent`); got != "Quarterly numbers for the browser test" {
		t.Errorf("subject with the server stopped = %q", got)
	}
	if p := log.problems(); len(p) > 0 {
		// The failed healthz fetch above logs a network error; nothing else may.
		var other []string
		for _, s := range p {
			if !strings.Contains(s, "healthz") && !strings.Contains(s, "ERR_CONNECTION_REFUSED") {
				other = append(other, s)
			}
		}
		if len(other) > 0 {
			t.Errorf("console problems:\n%s", strings.Join(other, "\n"))
		}
	}
}

// awaitText evaluates expr, a Promise of a string, and returns its value.
func awaitText(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}
