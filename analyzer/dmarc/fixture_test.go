package dmarc

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// rootSOA makes the fixture authoritative for the whole name space, so
// names that are not served get NXDOMAIN rather than REFUSED.
const rootSOA = ". 3600 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60"

// testdataDir returns testdata/dmarc at the module root.
func testdataDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "dmarc")
}

// newFixture starts a dohtest server holding the root SOA and rrs
// (presentation format, fully qualified owners) and returns it with a real
// dohresolver client pointed at it.
func newFixture(tb testing.TB, rrs ...string) (*dohtest.Server, *dohresolver.Resolver) {
	tb.Helper()
	srv := dohtest.NewServer(tb, dohtest.ZoneText(".", rootSOA+"\n"))
	for _, rr := range rrs {
		srv.AddRR(rr)
	}
	r, err := dohresolver.New(dohresolver.Config{
		Endpoints: []string{srv.URL()},
		Timeout:   2 * time.Second,
	})
	if err != nil {
		tb.Fatalf("dohresolver.New: %v", err)
	}
	return srv, r
}

// zoneRRs converts a conformance vector zone ({name: {TYPE: [records]}})
// into presentation-format records. TXT entries are either one string or a
// list of character-strings; MX entries are {priority, exchange}.
func zoneRRs(tb testing.TB, zone map[string]map[string][]json.RawMessage) []string {
	tb.Helper()
	var out []string
	names := make([]string, 0, len(zone))
	for n := range zone {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for typ, recs := range zone[name] {
			for _, raw := range recs {
				switch typ {
				case "TXT":
					var one string
					if err := json.Unmarshal(raw, &one); err == nil {
						out = append(out, dohtest.TXTStrings(name, one))
						continue
					}
					var many []string
					if err := json.Unmarshal(raw, &many); err != nil {
						tb.Fatalf("zone %s TXT: %v", name, err)
					}
					out = append(out, dohtest.TXTStrings(name, many...))
				case "A", "AAAA":
					var ip string
					if err := json.Unmarshal(raw, &ip); err != nil {
						tb.Fatalf("zone %s %s: %v", name, typ, err)
					}
					out = append(out, fmt.Sprintf("%s. 300 IN %s %s", name, typ, ip))
				case "MX":
					var mx struct {
						Priority int    `json:"priority"`
						Exchange string `json:"exchange"`
					}
					if err := json.Unmarshal(raw, &mx); err != nil {
						tb.Fatalf("zone %s MX: %v", name, err)
					}
					out = append(out, fmt.Sprintf("%s. 300 IN MX %d %s.", name, mx.Priority, mx.Exchange))
				default:
					tb.Fatalf("zone %s: unsupported type %s", name, typ)
				}
			}
		}
	}
	return out
}

// dmarcQueries returns the distinct "_dmarc." TXT names the server saw,
// without the trailing dot, sorted.
func dmarcQueries(srv *dohtest.Server) []string {
	seen := map[string]bool{}
	for _, q := range srv.Queries() {
		n := strings.TrimSuffix(strings.ToLower(q.Name), ".")
		if strings.HasPrefix(n, "_dmarc.") && q.Type == 16 {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
