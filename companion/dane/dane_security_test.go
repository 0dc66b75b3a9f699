package dane_test

import (
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/miekg/dns"

	"headerlens/companion/dane"
	"headerlens/companion/internal/testenv"
)

// TestSecurityDANETACost demonstrates a bug: dane.Check runs in time
// records × chain², with no bound and no context, so one hostile MX (its
// own TLSA records, no DNSSEC needed: match runs before the AD bit is
// considered) can pin a CPU far past the companion's request deadline,
// holding a concurrency slot all along.
//
// For every usable DANE-TA (usage 2) record, match walks the presented
// chain; at each depth i whose certificate matches, it builds a fresh
// intermediate pool of chain[1:i] (one SHA-224 per certificate) and runs
// x509 Verify. A server may present a 256 KiB Certificate message (Go's
// limit): ~500 copies of the matching certificate; one 64 KiB DNS answer
// carries ~1,300 TLSA records of "2 0 1 <sha256>". That is ~1,300 × 500²/2
// ≈ 160 million pool insertions and 650,000 Verify calls per MX host, up
// to 10 hosts per mail-tls request: measured here at ~90 ms per record,
// about two minutes of CPU per host. This test uses 40 records and 500
// copies and asks for under 1 s.
//
// Fix (companion/dane/dane.go): (1) evaluate records only when the TLSA
// answer is authenticated (RFC 7672 §2.2: unauthenticated records are
// ignored, so skip match when !authenticated); (2) deduplicate records by
// (usage, selector, matching type, data) and cap the number evaluated
// (e.g. 32); (3) in match, compute each chain certificate's association
// data once per (selector, matching type), build the intermediate pool once
// per chain (chain[1:], not chain[1:i] per depth), stop at the first depth
// that verifies, and cap the chain length considered (e.g. 16 — the probe
// could also refuse chains longer than that); (4) pass the request context
// and stop when it ends.
func TestSecurityDANETACost(t *testing.T) {
	ta := testenv.NewCA(t, "Hostile TA")
	other := testenv.NewCA(t, "Other CA")
	const host = "mx.example.test"
	leaf := other.Issue(t, testenv.CertOptions{DNSNames: []string{host}}).Leaf
	chain := []*x509.Certificate{leaf}
	for range 500 {
		chain = append(chain, ta.Cert)
	}
	sum := sha256.Sum256(ta.Cert.Raw)
	var recs []*dns.TLSA
	for range 40 {
		recs = append(recs, tlsa(2, 0, 1, sum[:]))
	}
	if n := 500 * (len(ta.Cert.Raw) + 5); n > 256<<10 {
		t.Logf("note: 500 copies make a %d-byte Certificate message, over Go's 256 KiB client limit", n)
	}
	start := time.Now()
	res := dane.Check(dane.Name(host, 25), recs, false, chain, host, time.Now())
	took := time.Since(start)
	t.Logf("40 records × 500-certificate chain: %v, verdict %s", took, res.Verdict)
	if took > time.Second {
		t.Errorf("Check took %v for 40 TLSA records and a 500-certificate chain, want under 1s (the worst case is ~30× more records, per MX host)", took)
	}
}
