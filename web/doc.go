// Package web holds the sources of the static site (index.html, app.js,
// style.css), copied into dist/ by scripts/build-site. It has no Go code;
// its test enforces the page's safety rules: no HTML parsing of data in
// app.js, and nothing in index.html that the Content-Security-Policy of
// internal/site would block.
package web
