// Command singlefile makes dist/headerlens.html, the single-file build of
// the headerlens page: one HTML file with the stylesheet, Go's
// wasm_exec.js, the page's ES modules and the WebAssembly analyzer inside,
// that works when opened from disk (file://), where a browser loads no
// module from another file.
//
// Usage (scripts/build-site runs it after filling DIST):
//
//	go run ./scripts/singlefile -dist DIST
//
// The modules are joined without a bundler: starting from js/single.js,
// each module's imports are placed before it, its import lines are dropped
// and the "export" keyword is removed from its declarations. That works
// because the page's modules keep to a small form, which this command
// checks and refuses otherwise: imports are single-line named imports from
// relative paths, exports are "export" before a top-level function, class,
// const or let, and no two modules declare the same top-level name.
//
// The file carries its own Content-Security-Policy in a meta tag (W3C CSP
// Level 3 §3.3; frame-ancestors cannot be set there): scripts and the
// style only by their SHA-256 hashes, 'wasm-unsafe-eval' for the
// analyzer, and connect-src limited to the default DNS-over-HTTPS
// resolvers, which the page uses only when the reader turns Offline off.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dist := flag.String("dist", "dist", "the built site (scripts/build-site's output)")
	flag.Parse()
	page, err := Build(os.DirFS(*dist))
	if err != nil {
		fmt.Fprintln(os.Stderr, "singlefile:", err)
		os.Exit(1)
	}
	out := filepath.Join(*dist, "headerlens.html")
	if err := os.WriteFile(out+".tmp", page, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "singlefile:", err)
		os.Exit(1)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		fmt.Fprintln(os.Stderr, "singlefile:", err)
		os.Exit(1)
	}
	fmt.Printf("singlefile: %s %d bytes\n", out, len(page))
}
