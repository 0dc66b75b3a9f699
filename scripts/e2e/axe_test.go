package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"headerlens/dohresolver/dohtest"
)

// axeScript returns axe-core (Deque, MPL-2.0), which scripts/ci-deps
// installs from npm into .cache/npm under the repository; HEADERLENS_AXE
// names another copy.
func axeScript(t *testing.T, root string) string {
	t.Helper()
	p := os.Getenv("HEADERLENS_AXE")
	if p == "" {
		p = filepath.Join(root, ".cache", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("HEADERLENS_REQUIRE_AXE") == "1" {
			t.Fatalf("axe-core is missing (%v) and HEADERLENS_REQUIRE_AXE=1; run scripts/ci-deps", err)
		}
		t.Skipf("axe-core is missing (%v); run scripts/ci-deps, or set HEADERLENS_REQUIRE_AXE=1 to make this a failure", err)
	}
	return string(b)
}

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// TestAccessibility scans the page with axe-core (WCAG 2.1 A and AA rules,
// and axe's best practices) before and after an analysis with every
// section, in light and dark mode, and inside a <header-lens> element's
// shadow root: no violation may be serious or critical.
func TestAccessibility(t *testing.T) {
	chromium := needChromium(t)
	root := moduleRoot(t)
	axe := axeScript(t, root)
	bin, dist := binary(t, root), site(t, root)
	doh := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join("..", "..", "testdata", "analyze", "01-all-pass.zone")))
	base := serve(t, bin, dist, []string{doh.URL()})
	ctx := browser(t, chromium)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"?companion=off&doh="+doh.URL())); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the analyzer to load", pageReady, 60*time.Second)

	scan := func(name string) []axeViolation { return axeScan(t, ctx, axe, name) }
	// Control: an input without a label is a critical violation, so the
	// scan does see the page.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.body.append(Object.assign(document.createElement("input"), { id: "axe-control" }))`)); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range scan("control") {
		found = found || (v.ID == "label" && v.Impact == "critical")
	}
	if !found {
		t.Fatal("axe-core did not report the unlabeled control input: the scan does not work")
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("axe-control").remove()`)); err != nil {
		t.Fatal(err)
	}
	scan("the empty page")
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("settings").open = true`)); err != nil {
		t.Fatal(err)
	}
	analyze(t, ctx, readMessage(t, "../../../../testdata/analyze/01-all-pass.eml"))
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`for (const d of document.querySelectorAll("details")) d.open = true`)); err != nil {
		t.Fatal(err)
	}
	scan("the report, light")
	if err := chromedp.Do(ctx, emulateScheme("dark")); err != nil {
		t.Fatal(err)
	}
	scan("the report, dark")
}

// axeScan runs axe-core (evaluated through the DevTools protocol, which the
// page's CSP does not govern; the page itself never loads it) on the
// current page, open shadow roots included, and fails the test for every
// serious or critical violation. A name starting with "control" only
// returns the violations.
func axeScan(t *testing.T, ctx context.Context, axe, name string) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("loading axe-core: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }).then((r) => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(res), &vs); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(name, "control") {
		return vs
	}
	minor := 0
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			minor += len(v.Nodes)
			t.Logf("%s: %s (%s, %d nodes): %s", name, v.ID, v.Impact, len(v.Nodes), v.Help)
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, fmt.Sprintf("and %d more", len(v.Nodes)-3))
				break
			}
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: %s violation %s: %s\n  %s", name, v.Impact, v.ID, v.Help, strings.Join(where, "\n  "))
	}
	t.Logf("%s: %d rules violated, %d nodes of minor or moderate impact", name, len(vs), minor)
	return vs
}
