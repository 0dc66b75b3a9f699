// Package domaintest serves the domain check's fixture zones
// (testdata/domain) to the tests of the domain check, the command line and
// the page, from one in-process DNS-over-HTTPS server (dohtest).
package domaintest

import (
	"path/filepath"
	"testing"

	"headerlens/dohresolver/dohtest"
)

// Server serves every NN-name.zone of dir with the parent zones of
// dir/parents, which answer NXDOMAIN for names outside the fixtures as a
// recursive resolver does (a server without them would answer REFUSED).
// good.example's answers carry the AD bit (RFC 4035 §3.2.3): its zone
// stands for a DNSSEC-signed one.
func Server(tb testing.TB, dir string) *dohtest.Server {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.zone"))
	if err != nil || len(files) < 3 {
		tb.Fatalf("domain fixture zones in %s: %v (%d)", dir, err, len(files))
	}
	parents, err := filepath.Glob(filepath.Join(dir, "parents", "*.zone"))
	if err != nil || len(parents) == 0 {
		tb.Fatalf("parent zones in %s: %v", dir, err)
	}
	var zones []dohtest.Zone
	for _, f := range append(files, parents...) {
		z := dohtest.ZoneFile(f)
		if z.Err() != nil {
			tb.Fatal(z.Err())
		}
		zones = append(zones, z)
	}
	srv := dohtest.NewServer(tb, zones...)
	srv.SetAD("good.example")
	return srv
}
