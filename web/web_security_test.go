package web

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func readApp(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("app.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// TestSecurityAttributeAllowlist: el() is the only place report data
// reaches attributes; its allowlist must not admit attributes that load or
// run anything (href, src, style, on*, srcdoc, action, formaction, xlink).
func TestSecurityAttributeAllowlist(t *testing.T) {
	src := readApp(t)
	m := regexp.MustCompile(`if \(!/\^\((.*?)\)\$/\.test\(k\)\)`).FindStringSubmatch(src)
	if m == nil {
		t.Fatal("el(): attribute allowlist not found")
	}
	allow := regexp.MustCompile("^(" + m[1] + ")$")
	for _, a := range []string{"href", "src", "style", "onclick", "onerror", "srcdoc", "action", "formaction", "xlink:href", "background", "poster", "data", "ping", "target"} {
		if allow.MatchString(a) {
			t.Errorf("el() allows attribute %q: got allowed, want refused", a)
		}
	}
	// setAttribute with a computed name anywhere else would bypass it. The
	// one exception is link(): an in-page href "#s-…" to one of the page's
	// own section ids, checked against a fixed pattern first.
	const sectionLink = `a.setAttribute("href", "#" + id);`
	if strings.Contains(src, sectionLink) && !strings.Contains(src, `if (!/^s-[a-z0-9-]+$/.test(id)) throw`) {
		t.Errorf("app.js: link() sets href without first checking the id against /^s-[a-z0-9-]+$/")
	}
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, sectionLink) {
			continue
		}
		if strings.Contains(line, "setAttribute(") && !strings.Contains(line, "setAttribute(k, String(v))") && !regexp.MustCompile(`setAttribute\("[a-z-]+", "[^"]*"\)`).MatchString(line) {
			t.Errorf("app.js:%d: setAttribute outside el() with a computed name or value: %q", i+1, strings.TrimSpace(line))
		}
	}
}

// TestSecurityNoURLSinksFromData: no report or companion value may become
// a navigable URL, and the page takes no cross-window messages.
func TestSecurityNoURLSinksFromData(t *testing.T) {
	src := readApp(t)
	for _, s := range []string{"postMessage", `addEventListener("message"`, "window.open", "location.assign", "location.replace", "location.href =", "location =", ".src =", "javascript:", "importScripts", "import("} {
		if strings.Contains(src, s) {
			t.Errorf("app.js uses %q: want no such sink", s)
		}
	}
	// The only .href assignments: the blob download link and the
	// settings link (built from the page's own address).
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, ".href =") && !strings.Contains(line, "a.href = url") && !strings.Contains(line, `$("settings-link").href =`) {
			t.Errorf("app.js:%d: unexpected href assignment %q", i+1, strings.TrimSpace(line))
		}
	}
}

// TestSecuritySettingsLinkNotProtocolRelative demonstrates a low-severity
// bug: the "link to these settings" href and the history.replaceState URL
// are built as location.pathname + query. When the page is reached at a
// path that starts with two slashes (headerlens serve redirects such paths
// through http.ServeMux, but the README tells people to copy dist/ to any
// static host, and hosts with an index.html fallback answer
// //evil.example/), the href becomes the protocol-relative URL
// //evil.example/?... and the link leaves the site (and replaceState
// throws, so settings stop being kept in the address). Fix in web/app.js
// readSettingsFromURL and settingsChanged: build the URL relative to the
// page, e.g. const url = "?" + qs (or "./" when empty), or at least
// location.pathname.replace(/^\/+/, "/").
func TestSecuritySettingsLinkNotProtocolRelative(t *testing.T) {
	src := readApp(t)
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "location.pathname +") {
			t.Errorf("app.js:%d: URL built from raw location.pathname (may start with //): %q", i+1, strings.TrimSpace(line))
		}
	}
}
