package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// jsFile is one JavaScript source of the page.
type jsFile struct {
	name string
	src  string
}

// scripts reads every .js file of the page (web/*.js and web/js/**).
func scripts(t *testing.T) []jsFile {
	t.Helper()
	var out []jsFile
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := os.ReadFile(p)
		out = append(out, jsFile{filepath.ToSlash(p), string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found %d .js files, want the page's modules (at least 10)", len(out))
	}
	return out
}

// lines calls fn for each line of each script.
func lines(t *testing.T, fn func(file string, n int, line string)) {
	for _, f := range scripts(t) {
		for i, line := range strings.Split(f.src, "\n") {
			fn(f.name, i+1, line)
		}
	}
}

// TestNoHTMLInjectionSinks fails when a script uses a DOM API that parses a
// string as HTML: all header-derived text must go in as text nodes.
func TestNoHTMLInjectionSinks(t *testing.T) {
	sinks := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment", "DOMParser", "srcdoc", "eval(", "new Function", "setHTMLUnsafe", "parseHTMLUnsafe"}
	lines(t, func(file string, n int, line string) {
		for _, s := range sinks {
			if strings.Contains(line, s) {
				t.Errorf("%s:%d uses %s: got %q, want text nodes only", file, n, s, strings.TrimSpace(line))
			}
		}
	})
}

// TestOnlyNetFetches: net.js is the one module that calls fetch, so that
// every request the page makes is in its network log. The exceptions: the
// service worker (which only answers the page's own files), and boot.js,
// whose one request, for headerlens.wasm beside it, the bridge logs
// (TestBootFetchesOnlyTheModule).
func TestOnlyNetFetches(t *testing.T) {
	call := regexp.MustCompile(`(^|[^.\w])fetch\(|XMLHttpRequest|sendBeacon|new WebSocket|new EventSource`)
	lines(t, func(file string, n int, line string) {
		if file == "js/net.js" || file == "sw.js" || file == "js/boot.js" || strings.HasPrefix(strings.TrimSpace(line), "//") {
			return
		}
		if call.MatchString(line) {
			t.Errorf("%s:%d makes a request outside net.js: %q", file, n, strings.TrimSpace(line))
		}
	})
}

// TestBootFetchesOnlyTheModule: boot.js, which calls fetch outside net.js,
// makes one request, of headerlens.wasm beside the page, and the bridge
// writes it to the network log.
func TestBootFetchesOnlyTheModule(t *testing.T) {
	boot, err := os.ReadFile(filepath.Join("js", "boot.js"))
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`(^|[^.\w])fetch\(`)
	if n := len(call.FindAllIndex(boot, -1)); n != 1 {
		t.Errorf("boot.js calls fetch %d times, want once", n)
	}
	if !strings.Contains(string(boot), `new URL("../headerlens.wasm", document.currentScript.src)`) || !strings.Contains(string(boot), "fetch(url,") {
		t.Error("boot.js must fetch only headerlens.wasm, beside the page")
	}
	bridge, err := os.ReadFile(filepath.Join("js", "bridge.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bridge), "opts.net.record(entry)") || !strings.Contains(string(bridge), "globalThis.headerlensBoot") {
		t.Error("bridge.js must log boot.js's request in the network log")
	}
}

// TestNoDocumentLookups: the modules work inside a root element (the page's
// #headerlens or a <header-lens> shadow root); only the entry points may
// look the document up by id.
func TestNoDocumentLookups(t *testing.T) {
	lines(t, func(file string, n int, line string) {
		if file == "js/page.js" || file == "js/single.js" {
			return
		}
		for _, s := range []string{"document.getElementById", "document.querySelector"} {
			if strings.Contains(line, s) {
				t.Errorf("%s:%d uses %s: want lookups inside the instance's root", file, n, s)
			}
		}
	})
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
		{"absolute path", regexp.MustCompile(`(?i)(src|href)="/`)},
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
	for _, want := range []string{`src="wasm_exec.js"`, `type="module" src="js/page.js"`, `href="style.css"`, `id="headerlens"`, "never leave this machine"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

// TestModulePreloads: index.html preloads every module the page imports,
// so the browser fetches them all at once instead of one import level
// after another.
func TestModulePreloads(t *testing.T) {
	src, err := os.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(src)
	importRe := regexp.MustCompile(`(?m)^import \{[^}]*\} from "([^"]+)";$`)
	seen := map[string]bool{}
	var walk func(name string)
	walk = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		b, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range importRe.FindAllStringSubmatch(string(b), -1) {
			walk(filepath.ToSlash(filepath.Join(filepath.Dir(name), m[1])))
		}
	}
	walk("js/page.js")
	for name := range seen {
		if !strings.Contains(html, `<link rel="modulepreload" href="`+name+`">`) {
			t.Errorf("index.html does not preload %s, which js/page.js imports", name)
		}
	}
	for _, m := range regexp.MustCompile(`<link rel="modulepreload" href="([^"]+)">`).FindAllStringSubmatch(html, -1) {
		if !seen[m[1]] {
			t.Errorf("index.html preloads %s, which js/page.js does not import", m[1])
		}
	}
}
