package main

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestJoin(t *testing.T) {
	fsys := fstest.MapFS{
		"js/main.js": {Data: []byte(`import { a } from "./a.js";
import { b } from "./sub/b.js";
const main = a() + b();
`)},
		"js/a.js": {Data: []byte(`import { b } from "./sub/b.js";
// a's import of b comes first.
export function a() { return b(); }
`)},
		"js/sub/b.js": {Data: []byte(`export const b = () => 1;
export async function later() {}
export class Thing {}
`)},
	}
	got, err := Join(fsys, "js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	want := `// ---- js/sub/b.js
const b = () => 1;
async function later() {}
class Thing {}
// ---- js/a.js
// a's import of b comes first.
function a() { return b(); }
// ---- js/main.js
const main = a() + b();
`
	if string(got) != want {
		t.Errorf("Join:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestJoinRefuses(t *testing.T) {
	tests := []struct {
		name, main, other, want string
	}{
		{"renamed import", `import { x as y } from "./o.js";`, `export const x = 1;`, "renamed imports"},
		{"default export", `import { x } from "./o.js";`, `export default 1;`, "only exported declarations"},
		{"export list", `import { x } from "./o.js";`, "const x = 1;\nexport { x };", "only exported declarations"},
		{"namespace import", `import * as o from "./o.js";`, `export const x = 1;`, "only single-line named imports"},
		{"multi-line import", "import {\n  x,\n} from \"./o.js\";", `export const x = 1;`, "only single-line named imports"},
		{"dynamic import", `const m = import("./o.js");`, `export const x = 1;`, "only single-line named imports"},
		{"duplicate name", "import { x } from \"./o.js\";\nfunction helper() {}", "export const x = 1;\nfunction helper() {}", "also declared"},
		{"cycle", `import { x } from "./o.js";`, "import { y } from \"./main.js\";\nexport const x = 1;", "import cycle"},
		{"missing module", `import { x } from "./nope.js";`, ``, "nope.js"},
	}
	for _, tc := range tests {
		fsys := fstest.MapFS{"js/main.js": {Data: []byte(tc.main + "\nexport const y = 2;\n")}, "js/o.js": {Data: []byte(tc.other + "\n")}}
		_, err := Join(fsys, "js/main.js")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Join error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// site is a minimal built site with the tags Build replaces.
func site() fstest.MapFS {
	return fstest.MapFS{
		"index.html": {Data: []byte(`<!doctype html>
<html><head>
<meta charset="utf-8">
<link rel="preload" href="headerlens.wasm" as="fetch" type="application/wasm" crossorigin>
<script async src="js/boot.js"></script>
<link rel="stylesheet" href="style.css">
<link rel="modulepreload" href="js/page.js">
<link rel="modulepreload" href="js/app.js">
<script defer src="wasm_exec.js"></script>
<script type="module" src="js/page.js"></script>
</head><body><div id="headerlens"></div>
</body></html>
`)},
		"style.css":       {Data: []byte("body { color: black; }\n")},
		"wasm_exec.js":    {Data: []byte("globalThis.Go = class {};\n")},
		"headerlens.wasm": {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"js/single.js":    {Data: []byte("import { mount } from \"./app.js\";\nmount();\n")},
		"js/app.js":       {Data: []byte("export function mount() { return \"$1 & $& kept literally\"; }\n")},
	}
}

func TestBuild(t *testing.T) {
	page, err := Build(site())
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, gone := range []string{`src="wasm_exec.js"`, `src="js/boot.js"`, `src="js/page.js"`, `href="style.css"`, "modulepreload", `rel="preload"`} {
		if strings.Contains(html, gone) {
			t.Errorf("the single file still refers to another file: %q", gone)
		}
	}
	if !strings.Contains(html, "$1 & $& kept literally") {
		t.Errorf("the module's text was altered on insertion")
	}
	// Every inline script and style is allowed by a hash in the CSP, which
	// the browser computes over the element's exact text.
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(html)
	if csp == nil {
		t.Fatal("no CSP meta tag")
	}
	for _, m := range regexp.MustCompile(`(?s)<(script|style)( type="module")?>(.*?)</(?:script|style)>`).FindAllStringSubmatch(html, -1) {
		sum := sha256.Sum256([]byte(m[3]))
		h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp[1], h) {
			t.Errorf("inline <%s> (%.40q…) hash %s is not in the CSP %q", m[1], m[3], h, csp[1])
		}
	}
	for _, want := range []string{"default-src 'none'", "'wasm-unsafe-eval'", "connect-src https://", "base-uri 'none'"} {
		if !strings.Contains(csp[1], want) {
			t.Errorf("CSP %q lacks %q", csp[1], want)
		}
	}
	if strings.Contains(csp[1], "unsafe-inline") {
		t.Errorf("CSP %q allows unsafe-inline", csp[1])
	}
	if !regexp.MustCompile(`<script type="application/octet-stream" id="hl-wasm" data-size="8">[A-Za-z0-9+/=]+</script>`).MatchString(html) {
		t.Errorf("the embedded module element is missing or malformed")
	}
}

func TestBuildRefuses(t *testing.T) {
	missing := site()
	missing["index.html"] = &fstest.MapFile{Data: []byte(strings.Replace(string(missing["index.html"].Data), `<script defer src="wasm_exec.js"></script>`, "", 1))}
	if _, err := Build(missing); err == nil || !strings.Contains(err.Error(), "wasm_exec.js") {
		t.Errorf("Build without the wasm_exec.js tag: error %v, want one naming it", err)
	}
	closing := site()
	closing["js/app.js"] = &fstest.MapFile{Data: []byte("export const s = \"</script><img src=x>\";\n")}
	if _, err := Build(closing); err == nil || !strings.Contains(err.Error(), "</script") {
		t.Errorf("Build with </script in a module: error %v, want a refusal", err)
	}
}
