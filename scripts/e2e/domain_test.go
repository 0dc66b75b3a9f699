package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"headerlens/analyzer/domaincheck/domaintest"
)

// TestDomainTab runs the page's "Check a domain" tab against the domain
// check's fixture zones (testdata/domain, served by dohtest): the
// every-mistake domain's report renders with its verdict and each check's
// status, and the well-configured one is protected.
func TestDomainTab(t *testing.T) {
	chromium := needChromium(t)
	root := moduleRoot(t)
	bin, dist := binary(t, root), site(t, root)
	doh := domaintest.Server(t, filepath.Join(root, "testdata", "domain"))
	base := serve(t, bin, dist, []string{doh.URL()})
	ctx := browser(t, chromium)
	log := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?companion=off&doh="+doh.URL())); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load", pageReady+` && !document.getElementById("check-domain").disabled`, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("tab-domain").click()`)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[document.getElementById("panel-message").hidden, document.getElementById("panel-domain").hidden, document.getElementById("tab-domain").getAttribute("aria-selected")].join(",")`); got != "true,false,true" {
		t.Errorf("after choosing the domain tab: message form hidden, domain form hidden, selected = %s; want true,false,true", got)
	}
	check := func(domain string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("domain-results").replaceChildren(); document.getElementById("domain").value = `+jsString(domain)+`; document.getElementById("check-domain").click()`)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the report of "+domain, `!!document.querySelector("#domain-results .dc-overview") || !document.getElementById("error").hidden`, 60*time.Second)
		if e := text(t, ctx, `document.getElementById("error").hidden ? "" : document.getElementById("error").textContent`); e != "" {
			t.Fatalf("checking %s: the page shows an error: %s", domain, e)
		}
		return text(t, ctx, `JSON.stringify(Object.fromEntries([...document.querySelectorAll("#domain-results .dc-row")].map((r) => [r.dataset.check, r.querySelector(".badge").textContent.trim()])))`)
	}
	rows := check("mistakes.example")
	for _, want := range []string{`"spf":"✗ error"`, `"dmarc":"! warning"`, `"tlsRpt":"– missing"`, `"bimi":"✗ error"`, `"mtaSts":"– not checked"`} {
		if !strings.Contains(rows, want) {
			t.Errorf("mistakes.example rows %s lack %s", rows, want)
		}
	}
	if got := text(t, ctx, `document.querySelector("#domain-results .dc-verdict").textContent`); !strings.HasPrefix(got, "Not protected") {
		t.Errorf("mistakes.example verdict = %q, want it to start with Not protected", got)
	}
	if got := text(t, ctx, `document.querySelector("#domain-results .sec-dc-spf").textContent`); !strings.Contains(got, "more than 10 DNS-querying terms") {
		t.Errorf("the SPF card does not explain the lookup limit: %q", got)
	}
	// The report as Markdown for a ticket, made in Go; the clipboard is
	// refused here, so the page shows the text in a box.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } }); document.querySelector("#domain-results .share-markdown").click()`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the domain Markdown to copy", `!!document.querySelector("#domain-results .share-text")`, 10*time.Second)
	if got := text(t, ctx, `document.querySelector("#domain-results .share-text").value`); !strings.HasPrefix(got, "## Domain check: `mistakes.example`") || !strings.Contains(got, "| SPF | error |") {
		t.Errorf("Markdown of the domain report = %q", got)
	}
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if p := filepath.Join(screenshotDir(t), "domain-mistakes.png"); writeFile(p, buf) == nil {
			t.Logf("screenshot: %s", p)
		}
	}
	rows = check("good.example")
	if got := text(t, ctx, `document.querySelector("#domain-results .dc-verdict").textContent`); !strings.HasPrefix(got, "Protected") {
		t.Errorf("good.example verdict = %q, want it to start with Protected; rows %s", got, rows)
	}
	// The message tab keeps its own state.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("tab-message").click()`)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[document.getElementById("panel-message").hidden, document.getElementById("domain-results").hidden].join(",")`); got != "false,true" {
		t.Errorf("back on the message tab: form hidden, domain results hidden = %s; want false,true", got)
	}
	if p := log.problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}

func writeFile(p string, b []byte) error { return os.WriteFile(p, b, 0o644) }
