// Package web holds the sources of the static site, copied into dist/ by
// scripts/build-site: index.html, style.css, the ES modules under js/ (no
// bundler), the <header-lens> element (header-lens.js) and the service
// worker (sw.js). It has no Go code; its tests enforce the page's safety
// rules in every script: no HTML parsing of data, no attribute or URL
// sink fed by data, requests only through js/net.js, lookups only inside
// the instance's root, and nothing in index.html that the
// Content-Security-Policy of internal/site would block.
package web
