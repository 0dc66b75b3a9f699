package web

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestNoHTMLInjectionSinks fails when app.js uses a DOM API that parses a
// string as HTML: all header-derived text must go in as text nodes.
func TestNoHTMLInjectionSinks(t *testing.T) {
	src, err := os.ReadFile("app.js")
	if err != nil {
		t.Fatal(err)
	}
	sinks := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment", "DOMParser", "srcdoc", "eval(", "new Function", "setHTMLUnsafe", "parseHTMLUnsafe"}
	for i, line := range strings.Split(string(src), "\n") {
		for _, s := range sinks {
			if strings.Contains(line, s) {
				t.Errorf("app.js:%d uses %s: got %q, want text nodes only", i+1, s, strings.TrimSpace(line))
			}
		}
	}
}

// TestIndexHTMLFitsCSP fails when index.html has inline script, inline
// style or event-handler attributes, which the site's CSP blocks.
func TestIndexHTMLFitsCSP(t *testing.T) {
	src, err := os.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(src)
	checks := []struct {
		name string
		re   *regexp.Regexp
	}{
		{"inline script", regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)},
		{"style element", regexp.MustCompile(`(?i)<style[\s>]`)},
		{"style attribute", regexp.MustCompile(`(?i)\sstyle\s*=`)},
		{"event handler attribute", regexp.MustCompile(`(?i)\son[a-z]+\s*=`)},
		{"javascript: URL", regexp.MustCompile(`(?i)javascript:`)},
	}
	for _, c := range checks {
		if m := c.re.FindString(html); m != "" {
			t.Errorf("index.html has %s: got %q, want none", c.name, m)
		}
	}
	for _, tag := range regexp.MustCompile(`(?i)<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(tag, "src=") {
			t.Errorf("index.html has a script without src: got %q, want src= on every script", tag)
		}
	}
	for _, want := range []string{`src="wasm_exec.js"`, `type="module" src="app.js"`, `href="style.css"`, "never leave this machine"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}
