package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"headerlens/dohresolver/dohtest"
)

// moduleRoot is the repository root, two folders up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	return root
}

// findChromium returns the browser to use, or "" when there is none.
func findChromium() string {
	if p := os.Getenv("HEADERLENS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// binary returns the headerlens binary: HEADERLENS_BIN, or a fresh build.
func binary(t *testing.T, root string) string {
	t.Helper()
	if p := os.Getenv("HEADERLENS_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	out := filepath.Join(t.TempDir(), "headerlens")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/headerlens")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// site returns the built site: HEADERLENS_DIST, or a fresh build.
func site(t *testing.T, root string) string {
	t.Helper()
	if d := os.Getenv("HEADERLENS_DIST"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "headerlens.wasm")); err == nil {
			return d
		}
	}
	out := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command(filepath.Join(root, "scripts", "build-site"), out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-site: %v\n%s", err, b)
	}
	return out
}

// serve starts "headerlens serve" and returns the URL it prints; the
// server stops when the test ends.
func serve(t *testing.T, bin, dist string, doh []string, extra ...string) string {
	t.Helper()
	u, _ := startServe(t, bin, dist, doh, extra...)
	return u
}

// startServe is serve that also returns a function stopping the server
// before the test ends (it is then not stopped again).
func startServe(t *testing.T, bin, dist string, doh []string, extra ...string) (string, func()) {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--dir", dist}, extra...)
	for _, d := range doh {
		args = append(args, "--doh", d)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HEADERLENS_ADDR=", "HEADERLENS_DOH=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { stopServe(t, cmd, &stderr) }) }
	t.Cleanup(stop)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line, ok := <-lines:
		u, found := strings.CutPrefix(line, "headerlens: serving ")
		if !ok || !found || strings.HasSuffix(u, ":0/") {
			t.Fatalf("headerlens serve printed %q, want \"headerlens: serving http://127.0.0.1:PORT/\"; stderr:\n%s", line, stderr.String())
		}
		return u, stop
	case <-time.After(30 * time.Second):
		t.Fatalf("headerlens serve printed no URL within 30 s; stderr:\n%s", stderr.String())
	}
	return "", stop
}

// stopServe ends a headerlens serve process with SIGTERM and checks that it
// exits cleanly.
func stopServe(t *testing.T, cmd *exec.Cmd, stderr *strings.Builder) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("headerlens serve exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Errorf("headerlens serve did not stop within 15 s of SIGTERM")
	}
}

// browser starts headless Chromium with the flags that keep it off the
// network, and returns a tab context.
func browser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// consoleLog collects the page's console messages and dialogs.
type consoleLog struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	dialogs  []string
	requests []*network.Request
}

func watch(ctx context.Context) *consoleLog {
	l := &consoleLog{}
	msgs := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.requests = append(l.requests, ev.Request)
			l.mu.Unlock()
		}
	}()
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.messages = append(l.messages, m)
			l.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.dialogs = append(l.dialogs, ev.Message)
			l.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return l
}

// problems returns the console errors, exceptions and CSP violations so far.
func (l *consoleLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.messages {
		if m.IsException() || m.Type == chromedp.ConsoleError ||
			strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
			out = append(out, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
		}
	}
	for _, d := range l.dialogs {
		out = append(out, "dialog opened: "+d)
	}
	return out
}

// waitFor evaluates expr until it is true. (chromedp.Poll compiles its
// predicate with new Function, which the page's CSP forbids.)
func waitFor(t *testing.T, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("error")||{}).textContent||""`))
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("status")||{}).textContent||""`))
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const r = document.getElementById("results"); return "hidden=" + r.hidden + " children=" + r.children.length + " message chars=" + document.getElementById("message").value.length; })()`))
			t.Fatalf("timed out after %v waiting for %s (last error %v; page status %q; page error %q; results %s)", timeout, what, err, status, errText, html)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// analyze pastes msg into the page, clicks Analyze and waits for a report.
func analyze(t *testing.T, ctx context.Context, msg string) {
	t.Helper()
	js, _ := json.Marshal(msg)
	// Clear the previous report so the wait below sees the new one.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("results").replaceChildren(); document.getElementById("results").hidden = true; document.getElementById("message").value = `+string(js)),
		chromedp.Click(chromedp.ID("analyze")),
	); err != nil {
		t.Fatalf("paste and click: %v", err)
	}
	waitFor(t, ctx, "the report", `(() => { const r = document.getElementById("results"); return (!r.hidden && !!r.querySelector(".report-section")) || !document.getElementById("error").hidden; })()`, 60*time.Second)
	if p := text(t, ctx, `document.getElementById("error").hidden ? "" : document.getElementById("error").textContent`); p != "" {
		t.Errorf("the page shows an error: %q", p)
	}
}

func readMessage(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "messages", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func text(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("HEADERLENS_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("chromium is not installed and HEADERLENS_REQUIRE_CHROMIUM=1 (install it: apt-get install -y chromium, or run scripts/ci-deps)")
		}
		t.Skip("chromium is not installed; set HEADERLENS_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	root := moduleRoot(t)
	bin := binary(t, root)
	dist := site(t, root)

	doh := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("testdata", "zones", "e2e.example.zone")))
	dohURL := doh.URL()
	// A second fixture that the server does not list in --doh: the page's
	// CSP must keep the browser from reaching it.
	blocked := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("testdata", "zones", "e2e.example.zone")))

	// The golden case 01-all-pass of the analyzer, with its own zones.
	allPass := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("..", "..", "testdata", "analyze", "01-all-pass.zone")))

	// The MX of e2e.example (mail.e2e.example, 127.0.0.1 in the zone) is a
	// local SMTP server with STARTTLS and a self-signed certificate that a
	// DNSSEC-authenticated DANE-EE TLSA record pins; the companion may
	// probe it only through the test-only switches.
	mx := startSMTP(t, "mail.e2e.example")
	doh.AddRR("_25._tcp.mail.e2e.example. 300 IN TLSA 3 1 1 " + mx.tlsa)
	doh.SetAD("e2e.example.")
	_, mxPort, _ := strings.Cut(mx.addr, ":")

	base := serve(t, bin, dist, []string{dohURL, allPass.URL()},
		"--unsafe-allow-private-targets", "--unsafe-smtp-port-map", "25="+mxPort, "--helo-name", "probe.e2e.example")
	ctx := browser(t, chromium)
	log := watch(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enabling network events: %v", err)
	}

	// The companion (this site's own server) is turned off here: it is
	// tested on its own below, within its rate limits.
	pageURL := base + "?doh=" + url.QueryEscape(dohURL) + "&companion=off"
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("navigate to %s: %v", pageURL, err)
	}
	waitFor(t, ctx, "the analyzer to load", `!document.getElementById("analyze").disabled`, 60*time.Second)

	shotDir, err := os.MkdirTemp("", "headerlens-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("summary", func(t *testing.T) {
		analyze(t, ctx, readMessage(t, "01-plain.eml"))
		tests := []struct{ field, want string }{
			{"subject", "Quarterly numbers for the browser test"},
			{"from", "alice@e2e.example"},
			{"to", "bob@receiver.example"},
		}
		for _, tc := range tests {
			got := text(t, ctx, `(document.querySelector('#results [data-field="`+tc.field+`"]')||{}).textContent||""`)
			if !strings.Contains(got, tc.want) {
				t.Errorf("summary %s = %q, want it to contain %q", tc.field, got, tc.want)
			}
		}
		headers := text(t, ctx, `String(document.querySelectorAll("#results table.headers tbody tr").length)`)
		if headers != "10" {
			t.Errorf("header rows = %s, want 10", headers)
		}
		if got := text(t, ctx, `document.getElementById("privacy-doh").textContent`); got != dohURL {
			t.Errorf("privacy statement names resolver %q, want %q", got, dohURL)
		}
	})

	t.Run("file picker reads locally", func(t *testing.T) {
		abs, err := filepath.Abs(filepath.Join("testdata", "messages", "01-plain.eml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("message").value = ""; document.getElementById("results").hidden = true; document.getElementById("results").replaceChildren()`),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{abs}),
		); err != nil {
			t.Fatalf("choosing the file: %v", err)
		}
		waitFor(t, ctx, "the file to be read", `document.getElementById("file-info").textContent.includes("01-plain.eml")`, 10*time.Second)
		if got := text(t, ctx, `document.getElementById("message").value`); !strings.Contains(got, "Subject: Quarterly numbers for the browser test") {
			t.Errorf("textarea after choosing the file = %q, want the message", got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("analyze"))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the report", `!document.getElementById("results").hidden && !!document.querySelector("#results .report-section")`, 60*time.Second)
		if got, want := text(t, ctx, `document.querySelector('#results [data-field="subject"]').textContent`), "Quarterly numbers for the browser test"; got != want {
			t.Errorf("subject = %q, want %q", got, want)
		}
	})

	t.Run("the message never leaves the page", func(t *testing.T) {
		log.mu.Lock()
		reqs := append([]*network.Request(nil), log.requests...)
		log.mu.Unlock()
		if len(reqs) == 0 {
			t.Fatal("no network requests were seen, want at least the page loads")
		}
		secrets := []string{"Quarterly numbers", "Quarterly%20numbers", "Hello Bob", "e2e-1@e2e.example", "bob@receiver.example"}
		for _, r := range reqs {
			var body strings.Builder
			for _, e := range r.PostDataEntries {
				body.Write(e.Bytes)
			}
			for _, sec := range secrets {
				if strings.Contains(r.URL, sec) || strings.Contains(body.String(), sec) {
					t.Errorf("request %s %s carries %q from the message, want nothing of it sent", r.Method, r.URL, sec)
				}
			}
			if r.Method != "GET" && !strings.HasPrefix(r.URL, dohURL) {
				t.Errorf("request %s %s: want only GETs, besides DoH queries", r.Method, r.URL)
			}
		}
		dohRequests := 0
		for _, r := range reqs {
			if strings.HasPrefix(r.URL, dohURL) {
				dohRequests++
			}
		}
		if dohRequests == 0 {
			t.Errorf("no DoH request from the page to %s, want the live checks to query it", dohURL)
		}
		t.Logf("%d requests checked, %d of them DoH queries", len(reqs), dohRequests)
		// The page queries by GET (wasm/options.go dohMethod), which
		// needs no CORS preflight: no extra round trip before the first
		// answer.
		for _, q := range doh.Queries() {
			if q.Method != "GET" {
				t.Errorf("DoH query %s type %d came by %s, want GET", q.Name, q.Type, q.Method)
				break
			}
		}
		if n := doh.Preflights(); n != 0 {
			t.Errorf("the DoH server received %d CORS preflight requests, want none", n)
		}
	})

	t.Run("hostile header is text", func(t *testing.T) {
		analyze(t, ctx, readMessage(t, "02-hostile.eml"))
		if got, want := text(t, ctx, `document.querySelector('#results [data-field="subject"]').textContent`), "<img src=x onerror=alert(1)>"; got != want {
			t.Errorf("subject shown as %q, want %q", got, want)
		}
		if got := text(t, ctx, `String(document.querySelectorAll("#results img, #results b, body img").length)`); got != "0" {
			t.Errorf("elements made from header text: %s, want 0", got)
		}
		if got := text(t, ctx, `document.querySelector('#results [data-field="from"]').textContent`); !strings.Contains(got, "<b>Mallory</b>") {
			t.Errorf("from shown as %q, want the literal <b>Mallory</b>", got)
		}
		if got := text(t, ctx, `document.querySelector("#results .v-subject").textContent`); !strings.Contains(got, "<img src=x onerror=alert(1)>") || !strings.Contains(got, "<b>Mallory</b>") {
			t.Errorf("verdict subject line = %q, want the literal header text", got)
		}
		if got := text(t, ctx, `String(document.querySelectorAll("#results table.trail tbody tr").length)`); got != "1" {
			t.Errorf("trail rows of the hostile message = %s, want 1", got)
		}
	})

	t.Run("trail with clock skew and an unparsed hop", func(t *testing.T) {
		analyze(t, ctx, readMessage(t, "03-odd-trail.eml"))
		rows := text(t, ctx, `JSON.stringify([...document.querySelectorAll("#results table.trail tbody tr")].map((r) => [r.className, r.cells[1].textContent.replace(/\s+/g, " ").trim(), r.textContent]))`)
		var got [][3]string
		if err := json.Unmarshal([]byte(rows), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("trail rows = %d, want 4: %q", len(got), got)
		}
		if !strings.Contains(got[0][0], "unparsed") || !strings.Contains(got[0][2], "<script>alert(1)</script> nothing here is a clause") {
			t.Errorf("oldest hop = %q, want it marked unparsed with its raw text shown as text", got[0])
		}
		if !strings.Contains(got[2][1], "−1 h 20 min") || !strings.Contains(got[2][1], "clock skew") {
			t.Errorf("third hop delay = %q, want \"−1 h 20 min\" marked as clock skew", got[2][1])
		}
		if got[3][1] != "1 min 5 s" {
			t.Errorf("newest hop delay = %q, want \"1 min 5 s\"", got[3][1])
		}
		if n := text(t, ctx, `String(document.querySelectorAll("#results script").length)`); n != "0" {
			t.Errorf("script elements made from header text: %s, want 0", n)
		}
	})

	t.Run("a 100-hop trail renders in one table", func(t *testing.T) {
		var b strings.Builder
		start := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
		for i := 99; i >= 0; i-- {
			fmt.Fprintf(&b, "Received: from relay%d.e2e.example (relay%d.e2e.example [192.0.2.%d])\n\tby relay%d.e2e.example with ESMTPS; %s\n",
				i, i, i+1, i+1, start.Add(time.Duration(i*i)*time.Second).Format(time.RFC1123Z))
		}
		b.WriteString("From: alice@e2e.example\nTo: bob@receiver.example\nSubject: long trail\n\n")
		analyze(t, ctx, b.String())
		if got := text(t, ctx, `String(document.querySelectorAll("#results table.trail tbody tr").length)`); got != "100" {
			t.Errorf("trail rows = %s, want 100", got)
		}
		t.Logf("page status after 100 hops: %s", text(t, ctx, `document.getElementById("status").textContent`))
	})

	t.Run("anti-spam headers mark undocumented codes", func(t *testing.T) {
		analyze(t, ctx, readMessage(t, "../../../../testdata/vendor/01-microsoft365.eml"))
		if got := text(t, ctx, `String(document.querySelectorAll("#results .vendor").length)`); got != "6" {
			t.Errorf("anti-spam blocks = %s, want 6", got)
		}
		got := text(t, ctx, `[...document.querySelectorAll("#results .vendor tr.unknown")].map((r) => r.textContent).join("\n")`)
		if !strings.Contains(got, "ARA") || !strings.Contains(got, "undocumented") {
			t.Errorf("undocumented rows = %q, want the ARA code marked undocumented", got)
		}
	})

	t.Run("all pass: verdicts, DKIM scope, SPF trace, trail", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"?doh="+url.QueryEscape(allPass.URL())+"&companion=off")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the analyzer to load", `!document.getElementById("analyze").disabled`, 60*time.Second)
		analyze(t, ctx, readMessage(t, "../../../../testdata/analyze/01-all-pass.eml"))
		for _, c := range []struct{ check, want string }{{"spf", "pass"}, {"dkim", "pass"}, {"dmarc", "pass"}, {"arc", "none"}, {"policy", "reject"}} {
			got := text(t, ctx, `(() => { const b = document.querySelector('#s-verdict ~ .verdicts [data-check="`+c.check+`"]'); return b ? b.dataset.result + "|" + b.textContent + "|" + b.getAttribute("href") : "missing"; })()`)
			parts := strings.SplitN(got, "|", 3)
			if len(parts) != 3 || parts[0] != c.want || !strings.Contains(strings.ToLower(parts[1]), c.want) {
				t.Errorf("verdict badge %s = %q, want result %q shown as a word", c.check, got, c.want)
			} else if !strings.HasPrefix(parts[2], "#s-") || text(t, ctx, `String(!!document.getElementById(`+jsString(strings.TrimPrefix(parts[2], "#"))+`))`) != "true" {
				t.Errorf("verdict badge %s links to %q, want an in-page anchor to its section", c.check, parts[2])
			}
		}
		if got := text(t, ctx, `document.querySelector('[data-check="findings"]').textContent`); !strings.Contains(got, "0 errors") || !strings.Contains(got, "2 warnings") {
			t.Errorf("findings badge = %q, want 0 errors and 2 warnings", got)
		}
		const note = "The body was not supplied, so only the header signature was verified; the body hash was not checked."
		notes := text(t, ctx, `JSON.stringify([...document.querySelectorAll("#results .dkim-card .dkim-scope-note")].filter((n) => n.checkVisibility() && n.getBoundingClientRect().height > 0).map((n) => n.textContent))`)
		var visible []string
		if err := json.Unmarshal([]byte(notes), &visible); err != nil {
			t.Fatal(err)
		}
		if len(visible) != 2 {
			t.Errorf("visible headers-only DKIM notes = %d (%q), want 2 (one per signature)", len(visible), visible)
		}
		for _, v := range visible {
			if v != note {
				t.Errorf("DKIM note = %q, want %q", v, note)
			}
		}
		trace := text(t, ctx, `(document.querySelector("#results .spf ol.trace") || {}).textContent || ""`)
		for _, want := range []string{"include:_spf.example.com", "include:_spf.mailer.example.net", "include:_netblocks.mailer.example.net", "ip4:198.51.100.0/25", "lookups 3/10"} {
			if !strings.Contains(trace, want) {
				t.Errorf("SPF trace = %q, want it to list %q", trace, want)
			}
		}
		// The tree is indented by depth: the deepest include is further right.
		if got := text(t, ctx, `(() => { const li = [...document.querySelectorAll("#results ol.trace > li")]; const x = (s) => li.find((l) => l.querySelector(".tr-head code").textContent === s).getBoundingClientRect().left; return String(x("include:_netblocks.mailer.example.net") > x("include:_spf.mailer.example.net") && x("include:_spf.mailer.example.net") > x("include:_spf.example.com")); })()`); got != "true" {
			t.Errorf("SPF trace indentation by depth: got %s, want deeper terms further right", got)
		}
		if got := text(t, ctx, `String(document.querySelectorAll("#results table.trail tbody tr").length)`); got != "3" {
			t.Errorf("trail rows = %s, want 3", got)
		}
		if got := text(t, ctx, `[...document.querySelectorAll("#results table.trail tbody tr")].map((r) => r.classList.contains("boundary") ? "B" : "-").join("")`); got != "-B-" {
			t.Errorf("boundary rows = %q, want the second hop marked (\"-B-\")", got)
		}
		if got := text(t, ctx, `document.querySelector("#results table.trail tr.boundary th").textContent`); !strings.Contains(got, "trust boundary") {
			t.Errorf("boundary row number cell = %q, want it to say trust boundary", got)
		}
		if got := text(t, ctx, `document.querySelector("#results .boundary-note").textContent`); !strings.Contains(got, "Hop 2 is the trust boundary") || !strings.Contains(got, "Received-SPF") || !strings.Contains(got, "confidence high") {
			t.Errorf("boundary explanation = %q, want hop 2, the Received-SPF evidence and the confidence", got)
		}
		if got := text(t, ctx, `[...document.querySelectorAll("#results table.trail tbody tr")].map((r) => r.cells[1].textContent.replace(/\s+/g, " ").trim()).join("|")`); got != "start|3 s|1 s" {
			t.Errorf("trail delays = %q, want \"start|3 s|1 s\"", got)
		}
		if got := text(t, ctx, `document.querySelector("#results .transit").textContent`); !strings.Contains(got, "4 s") {
			t.Errorf("transit = %q, want 4 s", got)
		}
		if got := text(t, ctx, `String(document.querySelectorAll("#results table.comparison tr.agree").length)`); got != "4" {
			t.Errorf("agreeing recorded-vs-live rows = %s, want 4", got)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			p := filepath.Join(shotDir, "all-pass.png")
			if os.WriteFile(p, buf, 0o644) == nil {
				t.Logf("screenshot: %s", p)
			}
		}
		// Printing expands the folded sections (DNS queries, header fields).
		if err := chromedp.Do(ctx, emulatePrint(true)); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `(() => { const r = document.querySelector("#results .sec-headers table.headers tbody tr"); return String(!!r && !r.closest("details").open && r.checkVisibility() && r.getBoundingClientRect().height > 0); })()`); got != "true" {
			t.Errorf("a header row of the folded Header fields section visible in print: %s, want true", got)
		}
		if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			p := filepath.Join(shotDir, "print.png")
			if os.WriteFile(p, buf, 0o644) == nil {
				t.Logf("screenshot: %s", p)
			}
		}
		if err := chromedp.Do(ctx, emulatePrint(false)); err != nil {
			t.Fatal(err)
		}
		// Offline: the verdict row says the live checks were skipped and why.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("offline").checked = true`)); err != nil {
			t.Fatal(err)
		}
		analyze(t, ctx, readMessage(t, "../../../../testdata/analyze/01-all-pass.eml"))
		if got := text(t, ctx, `document.querySelector(".verdict-section").textContent`); !strings.Contains(got, "Live checks skipped") || !strings.Contains(got, "offline") || !strings.Contains(got, "recorded: pass") {
			t.Errorf("offline verdict section = %q, want the skipped note with its reason and the recorded verdicts", got)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("offline").checked = false`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the analyzer to load", `!document.getElementById("analyze").disabled`, 60*time.Second)
	})

	for _, shot := range []struct {
		name   string
		width  int
		height int
		msg    string
		dark   bool
	}{
		{"desktop.png", 1100, 900, "01-plain.eml", false},
		{"narrow-dark.png", 360, 780, "01-plain.eml", true},
		{"odd-trail-dark.png", 1100, 900, "03-odd-trail.eml", true},
		// A message with ARC, DKIM and Authentication-Results from the
		// recorded-verdict golden cases in testdata: every report section.
		{"arc.png", 1100, 900, "../../../../testdata/recorded/02-gmail-arc.eml", false},
		{"rich.png", 1100, 900, "../../../../testdata/recorded/01-microsoft365.eml", false},
		// Anti-spam headers of eight filters, decoded.
		{"vendor.png", 1100, 900, "../../../../testdata/vendor/02-filters.eml", false},
	} {
		scheme := "light"
		if shot.dark {
			scheme = "dark"
		}
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(int64(shot.width), int64(shot.height)),
			emulateScheme(scheme),
		); err != nil {
			t.Fatalf("viewport: %v", err)
		}
		analyze(t, ctx, readMessage(t, shot.msg))
		open := "false"
		if shot.name == "desktop.png" {
			open = "true" // show the settings panel once
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("settings").open = `+open)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		p := filepath.Join(shotDir, shot.name)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}

	if p := log.problems(); len(p) > 0 {
		t.Errorf("browser console problems:\n%s", strings.Join(p, "\n"))
	}

	t.Run("companion", func(t *testing.T) {
		// No ?companion=: the page finds that its own server is headerlens
		// serve and checks the From and To domains by itself.
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"?doh="+url.QueryEscape(dohURL))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the analyzer to load", `!document.getElementById("analyze").disabled`, 60*time.Second)
		analyze(t, ctx, readMessage(t, "01-plain.eml"))
		const sec = `(document.getElementById("s-companion") || document.body).closest("section")`
		waitFor(t, ctx, "the companion's answers", `(() => { const s = `+sec+`; return !!s && s.querySelectorAll(".tls-card").length === 2 && !s.textContent.includes("Checking…"); })()`, 90*time.Second)
		got := text(t, ctx, sec+`.textContent`)
		for _, want := range []string{"this site's own server", "e2e.example", "the From domain", "receiver.example", "a recipient (To or Cc) domain", "mail.e2e.example"} {
			if !strings.Contains(got, want) {
				t.Errorf("companion section = %q, want it to contain %q", got, want)
			}
		}
		for _, want := range []string{"STARTTLS offered✓ yes", "TLS 1.3", "subject CN=mail.e2e.example", "Chain verified✗ no — the certificate is self-signed", "Host name matches✓ yes", "✓ refused", "DANE match", "AD bit: ✓ yes", "TLS-RPT (RFC 8460) ✓ reports requested", "mailto:tls-reports@e2e.example", "MTA-STS (RFC 8461)"} {
			if !strings.Contains(got, want) {
				t.Errorf("companion section lacks %q", want)
			}
		}
		if strings.Contains(got, "could not check e2e.example") {
			t.Errorf("companion section = %q, want an answer for e2e.example", got)
		}
		// The Check button of a hop: the user picks the domain.
		btn := `document.querySelector('#results table.trail button.check-tls[data-domain="receiver.example"]')`
		if got := text(t, ctx, `String(!!`+btn+`)`); got != "true" {
			t.Fatalf("no Check button for the hop received by mx.receiver.example")
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](btn+`.click()`)); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `document.activeElement.dataset.domain || document.activeElement.tagName`); got != "receiver.example" {
			t.Errorf("focus after Check = %q, want the receiver.example card", got)
		}
		// Only domain names went to the companion.
		log.mu.Lock()
		reqs := append([]*network.Request(nil), log.requests...)
		log.mu.Unlock()
		n := 0
		for _, r := range reqs {
			u, err := url.Parse(r.URL)
			if err != nil || !strings.HasPrefix(r.URL, base) || !strings.HasPrefix(u.Path, "/api/") {
				continue
			}
			n++
			q := u.Query()
			if u.Path != "/api/v1/mail-tls" || len(q) != 1 || (q.Get("domain") != "e2e.example" && q.Get("domain") != "receiver.example") {
				t.Errorf("companion request %s, want only /api/v1/mail-tls?domain= with a domain of the message", r.URL)
			}
		}
		if n != 2 {
			t.Errorf("companion requests = %d, want 2 (From and To domains; the Check of an already checked domain sends nothing)", n)
		}
		if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			p := filepath.Join(shotDir, "companion.png")
			if err := os.WriteFile(p, buf, 0o644); err == nil {
				t.Logf("screenshot: %s", p)
			}
		}
	})
	if p := log.problems(); len(p) > 0 {
		t.Errorf("browser console problems after the companion run:\n%s", strings.Join(p, "\n"))
	}

	t.Run("unlisted DoH endpoint is blocked by CSP", func(t *testing.T) {
		before := len(log.problems())
		blockedURL := blocked.URL()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"?doh="+url.QueryEscape(blockedURL)+"&companion=off")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the analyzer to load", `!document.getElementById("analyze").disabled`, 60*time.Second)
		js, _ := json.Marshal(readMessage(t, "01-plain.eml"))
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("message").value = `+string(js)),
			chromedp.Click(chromedp.ID("analyze")),
		); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the analysis to finish", `!document.getElementById("analyze").disabled && document.getElementById("status").textContent !== "Analyzing…"`, 90*time.Second)
		if n := blocked.Count(); n != 0 {
			t.Errorf("the unlisted DoH server got %d queries, want 0 (CSP connect-src must block it)", n)
		}
		// The page itself may reach the listed endpoint, and CSP blocks
		// the unlisted one (a DNS query for example.com A, RFC 8484 GET).
		const q = "?dns=AAABAAABAAAAAAAAB2V4YW1wbGUDY29tAAABAAE"
		probe := func(u string) string {
			js, _ := json.Marshal(u + q)
			res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+string(js)+`, {headers: {accept: "application/dns-message"}}).then(r => "allowed " + r.status, e => "blocked " + e.message)`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("fetch %s from the page: %v", u, err)
			}
			return res
		}
		if got := probe(dohURL); got != "allowed 200" {
			t.Errorf("fetch of the listed DoH endpoint from the page: %q, want \"allowed 200\"", got)
		}
		if got := probe(blockedURL); !strings.HasPrefix(got, "blocked") {
			t.Errorf("fetch of the unlisted DoH endpoint from the page: %q, want it blocked", got)
		}
		if n := blocked.Count(); n != 0 {
			t.Errorf("the unlisted DoH server got %d queries after the probe, want 0", n)
		}
		waitFor(t, ctx, "the page to explain the CSP refusal", `!!document.querySelector("#error:not([hidden]) .csp-note")`, 10*time.Second)
		if got := text(t, ctx, `document.querySelector("#error .csp-note").textContent`); !strings.Contains(got, "--doh "+blockedURL) {
			t.Errorf("CSP note = %q, want it to name --doh %s", got, blockedURL)
		}
		time.Sleep(300 * time.Millisecond) // let the console event arrive
		found := false
		for _, p := range log.problems()[before:] {
			if strings.Contains(p, "Content Security Policy") && strings.Contains(p, "connect-src") {
				found = true
			}
		}
		if !found {
			t.Errorf("no CSP connect-src violation was reported in the console for %s; console:\n%s", blockedURL, strings.Join(log.problems()[before:], "\n"))
		}
	})
	t.Logf("fixture DoH server answered %d queries", doh.Count())
	// Proof of privacy: of every request the page made in all the runs
	// above (DoH queries, companion calls, the page's files), none carried
	// header text of the analyzed messages.
	reqs := log.httpRequests()
	if len(reqs) < 20 {
		t.Errorf("the browser recorded %d requests, want the DoH queries and companion calls of the runs above", len(reqs))
	}
	checkNoHeaderText(t, reqs)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// emulatePrint switches the tab's CSS media type to print and back.
func emulatePrint(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		media := ""
		if on {
			media = "print"
		}
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}

// emulateScheme sets prefers-color-scheme ("light" or "dark") for the tab.
func emulateScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}
