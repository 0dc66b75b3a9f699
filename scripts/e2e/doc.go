// Package e2e holds the browser test of headerlens: it runs the real
// "headerlens serve" binary on the built site, a fixture DNS-over-HTTPS
// server (dohresolver/dohtest) and headless Chromium, pastes messages into
// the page and checks what a person would see. See e2e_test.go.
//
// The test runs when Chromium is installed (HEADERLENS_CHROMIUM, chromium
// on PATH, or /usr/bin/chromium) and fails instead of skipping when
// HEADERLENS_REQUIRE_CHROMIUM=1. It reuses HEADERLENS_BIN and
// HEADERLENS_DIST when make test built them, and builds into a temporary
// folder otherwise.
package e2e
