package dkim

import (
	"strings"
	"testing"
	"time"

	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

// newDNS starts the DoH fixture with a root zone (so that absent names are
// NXDOMAIN) and returns it with a real DoH client pointed at it.
func newDNS(tb testing.TB) (*dohtest.Server, lookup.Resolver) {
	tb.Helper()
	srv := dohtest.NewServer(tb)
	srv.AddRR(". 300 IN SOA ns.invalid. hostmaster.invalid. 1 7200 3600 86400 300")
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return srv, r
}

// addTXT publishes value at name as one TXT record, split into
// character-strings of at most 255 octets (RFC 1035 §3.3.14).
func addTXT(tb testing.TB, srv *dohtest.Server, name, value string) {
	tb.Helper()
	srv.AddRR(dohtest.TXT(name, value))
}

func TestTXTSplitting(t *testing.T) {
	srv, r := newDNS(t)
	long := strings.Repeat("a", 300) + `"\;x`
	addTXT(t, srv, "long.example.com", long)
	got, err := r.LookupTXT(t.Context(), "long.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != long {
		t.Errorf("got %q, want [%q]", got, long)
	}
	if _, err := r.LookupTXT(t.Context(), "absent.example.com"); !lookup.IsNotFound(err) {
		t.Errorf("got %v, want NXDOMAIN", err)
	}
}
