package web

import (
	"regexp"
	"strings"
	"testing"
)

// TestSecurityAttributeAllowlist: el() is the only place report data
// reaches attributes; its allowlist must not admit attributes that load or
// run anything (href, src, style, on*, srcdoc, action, formaction, xlink).
func TestSecurityAttributeAllowlist(t *testing.T) {
	var dom string
	for _, f := range scripts(t) {
		if f.name == "js/dom.js" {
			dom = f.src
		}
	}
	m := regexp.MustCompile(`if \(!/\^\((.*?)\)\$/\.test\(k\)\)`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("js/dom.js el(): attribute allowlist not found")
	}
	allow := regexp.MustCompile("^(" + m[1] + ")$")
	for _, a := range []string{"href", "src", "style", "onclick", "onerror", "srcdoc", "action", "formaction", "xlink:href", "background", "poster", "data", "ping", "target"} {
		if allow.MatchString(a) {
			t.Errorf("el() allows attribute %q: got allowed, want refused", a)
		}
	}
	// setAttribute with a computed name anywhere else would bypass it. The
	// one exception is link(): an in-page href "#s-…" to one of the
	// report's own section ids, checked against a fixed pattern first.
	const sectionLink = `a.setAttribute("href", "#" + id);`
	if !strings.Contains(dom, `if (!/^s-[a-z0-9-]+$/.test(id)) throw`) {
		t.Errorf("js/dom.js: link() sets href without first checking the id against /^s-[a-z0-9-]+$/")
	}
	literal := regexp.MustCompile(`setAttribute\("[a-z-]+", "[^"]*"\)`)
	lines(t, func(file string, n int, line string) {
		if strings.Contains(line, sectionLink) && file == "js/dom.js" {
			return
		}
		if strings.Contains(line, "setAttribute(") && !strings.Contains(line, "setAttribute(k, String(v))") && !literal.MatchString(line) {
			t.Errorf("%s:%d: setAttribute outside el() with a computed name or value: %q", file, n, strings.TrimSpace(line))
		}
	})
}

// TestSecurityNoURLSinksFromData: no report or companion value may become
// a navigable URL, and the page takes no cross-window messages.
func TestSecurityNoURLSinksFromData(t *testing.T) {
	sinks := []string{"postMessage", `addEventListener("message"`, "window.open", "location.assign", "location.replace", "location.href =", "location =", "javascript:", "importScripts", "import("}
	// The only .href and .src assignments, each from the page's own
	// configuration, never from a report: the blob download link, the
	// settings link (a relative "?…" URL), the stylesheet and wasm_exec.js
	// beside the element's own script.
	allowed := map[string]string{
		"js/share.js":    "a.href = url;",
		"js/app.js":      "link.href = url;",
		"header-lens.js": `style.href = new URL("style.css", here).href;`,
		"js/bridge.js":   "s.src = String(execURL);",
	}
	lines(t, func(file string, n int, line string) {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			return
		}
		for _, s := range sinks {
			if strings.Contains(line, s) {
				t.Errorf("%s:%d uses %q: want no such sink", file, n, s)
			}
		}
		if (strings.Contains(line, ".href =") || strings.Contains(line, ".src =")) && strings.TrimSpace(line) != allowed[file] {
			t.Errorf("%s:%d: unexpected URL assignment %q", file, n, strings.TrimSpace(line))
		}
	})
}

// TestSecuritySettingsLinkNotProtocolRelative: the "link to these
// settings" href and the history.replaceState URL must be relative to the
// page. Built from location.pathname, a page reached at a path starting
// with two slashes (static hosts with an index.html fallback answer
// //evil.example/) would turn the link into the protocol-relative URL
// //evil.example/?... and send the reader off the site.
func TestSecuritySettingsLinkNotProtocolRelative(t *testing.T) {
	lines(t, func(file string, n int, line string) {
		if strings.Contains(line, "location.pathname") && !strings.HasPrefix(strings.TrimSpace(line), "//") {
			t.Errorf("%s:%d: URL built from location.pathname (may start with //): %q", file, n, strings.TrimSpace(line))
		}
	})
}
