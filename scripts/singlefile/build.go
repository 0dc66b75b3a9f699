package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"headerlens/dohresolver"
)

// Entry is the module the single file starts from.
const Entry = "js/single.js"

// The tags of index.html that the single file replaces; Build fails when
// one is missing, so a change to index.html cannot leave a file reference
// behind unnoticed.
const (
	tagStyle    = `<link rel="stylesheet" href="style.css">`
	tagExec     = `<script defer src="wasm_exec.js"></script>`
	tagBoot     = `<script async src="js/boot.js"></script>`
	tagModule   = `<script type="module" src="js/page.js"></script>`
	tagPreload  = `<link rel="preload" href="headerlens.wasm" as="fetch" type="application/wasm" crossorigin>`
	tagCharset  = `<meta charset="utf-8">`
	tagBodyEnd  = `</body>`
	wasmElement = "hl-wasm"
)

var (
	importLine  = regexp.MustCompile(`^import \{([A-Za-z0-9_$, ]+)\} from "(\./|\.\./)([A-Za-z0-9_/.-]+\.js)";$`)
	exportDecl  = regexp.MustCompile(`^export ((?:async )?function\*? |class |const |let )`)
	topLevel    = regexp.MustCompile(`^(?:async )?(?:function\*? |class |const |let |var )([A-Za-z0-9_$]+)`)
	anyImport   = regexp.MustCompile(`^\s*import\b|\bimport\s*\(`)
	anyExport   = regexp.MustCompile(`^export\b`)
	scriptClose = regexp.MustCompile(`(?i)</script`)
	// modulePreload matches one <link rel="modulepreload"> line of index.html.
	modulePreload = regexp.MustCompile(`<link rel="modulepreload" href="[^"]+">\n`)
	styleClose    = regexp.MustCompile(`(?i)</style`)
)

// Build makes the single file from the built site in dist.
func Build(dist fs.FS) ([]byte, error) {
	html, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		return nil, err
	}
	css, err := fs.ReadFile(dist, "style.css")
	if err != nil {
		return nil, err
	}
	exec, err := fs.ReadFile(dist, "wasm_exec.js")
	if err != nil {
		return nil, err
	}
	wasm, err := fs.ReadFile(dist, "headerlens.wasm")
	if err != nil {
		return nil, err
	}
	module, err := Join(dist, Entry)
	if err != nil {
		return nil, err
	}
	for name, text := range map[string][]byte{"wasm_exec.js": exec, "the joined modules": module} {
		if scriptClose.Match(text) {
			return nil, fmt.Errorf("%s contains </script, which would end the inline script early", name)
		}
	}
	if styleClose.Match(css) {
		return nil, fmt.Errorf("style.css contains </style")
	}
	var packed bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&packed, gzip.BestCompression)
	zw.Write(wasm)
	if err := zw.Close(); err != nil {
		return nil, err
	}

	// The module preloads name files the single file does not have.
	page := modulePreload.ReplaceAllString(string(html), "")
	csp := Policy(exec, module, css)
	replace := []struct{ old, new string }{
		{tagCharset, tagCharset + "\n" + `<meta http-equiv="Content-Security-Policy" content="` + csp + `">`},
		{tagPreload, ""},
		// The single file has the module inside: no early download.
		{tagBoot + "\n", ""},
		{tagStyle, "<style>\n" + string(css) + "</style>"},
		{tagExec, "<script>\n" + string(exec) + "</script>"},
		{tagModule, `<script type="module">` + "\n" + string(module) + "</script>"},
		{tagBodyEnd, `<script type="application/octet-stream" id="` + wasmElement + `" data-size="` + fmt.Sprint(len(wasm)) + `">` +
			base64.StdEncoding.EncodeToString(packed.Bytes()) + "</script>\n" + tagBodyEnd},
	}
	for _, r := range replace {
		if strings.Count(page, r.old) != 1 {
			return nil, fmt.Errorf("index.html: want exactly one %s, found %d", r.old, strings.Count(page, r.old))
		}
		// The replacement text is inserted literally (no $ expansion).
		i := strings.Index(page, r.old)
		page = page[:i] + r.new + page[i+len(r.old):]
	}
	return []byte(page), nil
}

// Policy is the single file's Content-Security-Policy: the two inline
// scripts and the inline style by hash (CSP3 §8.3 hash-source), and the
// default resolvers for connect-src.
func Policy(exec, module, css []byte) string {
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	// The browser hashes the element's text exactly: the newline after the
	// start tag is part of it.
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + hash(append([]byte("\n"), exec...)) + " " + hash(append([]byte("\n"), module...)) + " 'wasm-unsafe-eval'",
		"style-src " + hash(append([]byte("\n"), css...)),
		"connect-src " + strings.Join(dohresolver.DefaultEndpoints, " "),
		"img-src data:",
		"base-uri 'none'",
		"form-action 'none'",
	}, "; ")
}

// Join concatenates the module entry and everything it imports into one
// module, dependencies first, each once.
func Join(dist fs.FS, entry string) ([]byte, error) {
	var (
		out      bytes.Buffer
		done     = map[string]bool{}
		visiting = map[string]bool{}
		declared = map[string]string{} // top-level name → module
	)
	var visit func(name string) error
	visit = func(name string) error {
		if done[name] {
			return nil
		}
		if visiting[name] {
			return fmt.Errorf("%s: import cycle", name)
		}
		visiting[name] = true
		src, err := fs.ReadFile(dist, name)
		if err != nil {
			return err
		}
		var body bytes.Buffer
		for i, line := range strings.Split(string(src), "\n") {
			where := fmt.Sprintf("%s:%d", name, i+1)
			if m := importLine.FindStringSubmatch(line); m != nil {
				if strings.Contains(m[1], " as ") {
					return fmt.Errorf("%s: renamed imports cannot be joined: %q", where, line)
				}
				if err := visit(path.Join(path.Dir(name), m[2]+m[3])); err != nil {
					return err
				}
				continue
			}
			if anyImport.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				return fmt.Errorf("%s: only single-line named imports can be joined: %q", where, line)
			}
			if exportDecl.MatchString(line) {
				line = strings.TrimPrefix(line, "export ")
			} else if anyExport.MatchString(line) {
				return fmt.Errorf("%s: only exported declarations can be joined: %q", where, line)
			}
			if m := topLevel.FindStringSubmatch(line); m != nil {
				if other, dup := declared[m[1]]; dup {
					return fmt.Errorf("%s: top-level %s is also declared in %s; names must be unique across the page's modules", where, m[1], other)
				}
				declared[m[1]] = name
			}
			body.WriteString(line)
			body.WriteByte('\n')
		}
		out.WriteString("// ---- " + name + "\n")
		out.Write(bytes.TrimRight(body.Bytes(), "\n"))
		out.WriteString("\n")
		visiting[name] = false
		done[name] = true
		return nil
	}
	if err := visit(entry); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
