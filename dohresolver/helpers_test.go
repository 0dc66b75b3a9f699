//go:build !js

package dohresolver

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"headerlens/dohresolver/dohtest"
)

// zonesDir is testdata/zones/doh at the module root.
func zonesDir(tb testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "testdata", "zones", "doh")
}

// fixtureZones returns the zones every test serves.
func fixtureZones(tb testing.TB) []dohtest.Zone {
	d := zonesDir(tb)
	return []dohtest.Zone{
		dohtest.ZoneFile(filepath.Join(d, "example.com.zone")),
		dohtest.ZoneFile(filepath.Join(d, "example.net.zone")),
		dohtest.ZoneFile(filepath.Join(d, "2.0.192.in-addr.arpa.zone")),
	}
}

// newFixture starts a dohtest server with the fixture zones and a resolver
// using it; cfg's Endpoints default to the server alone.
func newFixture(tb testing.TB, cfg Config) (*dohtest.Server, *Resolver) {
	tb.Helper()
	srv := dohtest.NewServer(tb, fixtureZones(tb)...)
	if cfg.Endpoints == nil {
		cfg.Endpoints = []string{srv.URL()}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	r, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return srv, r
}
