package dane_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"headerlens/companion/dane"
	"headerlens/companion/internal/testenv"
	"headerlens/dnswire"
)

// TestSecurityDANETACost is the regression test for a bug (fixed): dane.Check
// ran in time records × chain², with no bound and no context, so one
// hostile MX (its own TLSA records, no DNSSEC needed: match ran before the
// AD bit was considered) could pin a CPU far past the companion's request
// deadline, holding a concurrency slot all along.
//
// Before the fix, for every usable DANE-TA (usage 2) record, match walks the presented
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
// The fix (companion/dane/dane.go): (1) evaluate records only when the TLSA
// answer is authenticated (RFC 7672 §2.2: unauthenticated records are
// ignored, so skip match when !authenticated); (2) deduplicate records by
// (usage, selector, matching type, data) and cap the number evaluated
// (MaxRecords); (3) in match, compute each chain certificate's association
// data once per (selector, matching type), build the intermediate pool once
// per chain (chain[1:], not chain[1:i] per depth), stop at the first depth
// that verifies, and cap the chain length considered (MaxChain); (4) pass
// the request context and stop when it ends. The test runs with the AD bit
// clear and set.
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
	var recs []*dnswire.TLSA
	for range 40 {
		recs = append(recs, tlsa(2, 0, 1, sum[:]))
	}
	if n := 500 * (len(ta.Cert.Raw) + 5); n > 256<<10 {
		t.Logf("note: 500 copies make a %d-byte Certificate message, over Go's 256 KiB client limit", n)
	}
	// The same hostile input with the AD bit clear (never matched,
	// RFC 7672 §2.2) and set (matched, within the bounds).
	for _, ad := range []bool{false, true} {
		start := time.Now()
		res := dane.Check(t.Context(), dane.Name(host, 25), recs, ad, chain, host, time.Now())
		took := time.Since(start)
		t.Logf("AD=%v, 40 records × 500-certificate chain: %v, verdict %s", ad, took, res.Verdict)
		if took > time.Second {
			t.Errorf("AD=%v: Check took %v for 40 TLSA records and a 500-certificate chain, want under 1s (the worst case is ~30× more records, per MX host)", ad, took)
		}
		want := map[bool]string{false: "unauthenticated", true: "mismatch"}[ad]
		if res.Verdict != want {
			t.Errorf("AD=%v: Verdict got %q, want %q", ad, res.Verdict, want)
		}
		if len(res.Records) != 1 || res.DuplicateRecords != 39 {
			t.Errorf("AD=%v: got %d records and %d duplicates, want 1 and 39", ad, len(res.Records), res.DuplicateRecords)
		}
		if res.ChainOmitted != 500+1-dane.MaxChain {
			t.Errorf("AD=%v: ChainOmitted got %d, want %d", ad, res.ChainOmitted, 500+1-dane.MaxChain)
		}
	}
}

// TestSecurityDANEManyDistinctRecords: the worst case of the DNS answer,
// ~1,300 distinct DANE-TA records, each naming some certificate of a long
// chain (a different SPKI digest per record, so deduplication does not
// help), must be bounded by MaxRecords and MaxChain, and reported as such.
func TestSecurityDANEManyDistinctRecords(t *testing.T) {
	const host = "mx.example.test"
	other := testenv.NewCA(t, "Other CA")
	leaf := other.Issue(t, testenv.CertOptions{DNSNames: []string{host}}).Leaf
	chain := []*x509.Certificate{leaf}
	for range 20 {
		chain = append(chain, testenv.NewCA(t, "Hostile TA").Cert)
	}
	var recs []*dnswire.TLSA
	for i := range 1300 {
		c := chain[1+i%(len(chain)-1)]
		d := sha256.Sum256(append([]byte{byte(i), byte(i >> 8)}, c.RawSubjectPublicKeyInfo...))
		if i%2 == 0 {
			d = sha256.Sum256(c.Raw)
			d[0] ^= byte(i >> 1) // distinct, almost all non-matching
		}
		recs = append(recs, tlsa(2, uint8(i%2), 1, d[:]))
	}
	// Every certificate of the chain is also a real match candidate.
	for _, c := range chain[1:] {
		recs = append(recs, tlsa(2, 1, 1, dane.Associate(c, 1, 1)))
	}
	start := time.Now()
	res := dane.Check(t.Context(), dane.Name(host, 25), recs, true, chain, host, time.Now())
	if took := time.Since(start); took > time.Second {
		t.Errorf("Check took %v for %d distinct records, want under 1s", took, len(recs))
	}
	if len(res.Records) != dane.MaxRecords {
		t.Errorf("Records: got %d, want %d", len(res.Records), dane.MaxRecords)
	}
	if res.RecordsOmitted+len(res.Records)+res.DuplicateRecords != len(recs) {
		t.Errorf("listed %d + omitted %d + duplicates %d: got %d, want %d", len(res.Records), res.RecordsOmitted, res.DuplicateRecords, len(res.Records)+res.RecordsOmitted+res.DuplicateRecords, len(recs))
	}
	if res.RecordsOmitted == 0 || res.ChainOmitted != len(chain)-dane.MaxChain {
		t.Errorf("RecordsOmitted %d, ChainOmitted %d: want both reported (ChainOmitted %d)", res.RecordsOmitted, res.ChainOmitted, len(chain)-dane.MaxChain)
	}
	if res.Verdict != "mismatch" {
		t.Errorf("Verdict: got %q, want mismatch (the leaf is not issued by any listed TA)", res.Verdict)
	}
}

// TestSecurityDANEContext: once the request context has ended, Check
// matches nothing more and says so, instead of reporting a mismatch.
func TestSecurityDANEContext(t *testing.T) {
	ca := testenv.NewCA(t, "DANE TA")
	const host = "mx.example.test"
	leaf := ca.Issue(t, testenv.CertOptions{DNSNames: []string{host}}).Leaf
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := dane.Check(ctx, dane.Name(host, 25), []*dnswire.TLSA{tlsa(2, 0, 1, dane.Associate(ca.Cert, 0, 1))}, true, []*x509.Certificate{leaf, ca.Cert}, host, time.Now())
	if !res.Canceled || res.Checked || res.Matched || res.Verdict != "not-checked" {
		t.Errorf("canceled context: got Canceled %v Checked %v Matched %v Verdict %q, want true false false not-checked", res.Canceled, res.Checked, res.Matched, res.Verdict)
	}
}
