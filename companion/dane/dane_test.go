package dane_test

import (
	"crypto/x509"
	"slices"
	"testing"
	"time"

	"headerlens/companion/dane"
	"headerlens/companion/internal/testenv"
	"headerlens/dnswire"
)

func tlsa(usage, sel, mt uint8, data []byte) *dnswire.TLSA {
	return &dnswire.TLSA{Usage: usage, Selector: sel, MatchingType: mt, Data: data}
}

func TestCheck(t *testing.T) {
	ca := testenv.NewCA(t, "DANE TA")
	const host = "mx.example.test"
	leaf := ca.Issue(t, testenv.CertOptions{DNSNames: []string{host}}).Leaf
	expired := ca.Issue(t, testenv.CertOptions{DNSNames: []string{host}, NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-48 * time.Hour)}).Leaf
	other := ca.Issue(t, testenv.CertOptions{DNSNames: []string{host}}).Leaf
	withTA := []*x509.Certificate{leaf, ca.Cert}
	now := time.Now()
	a := dane.Associate

	tests := []struct {
		name        string
		recs        []*dnswire.TLSA
		ad          bool
		chain       []*x509.Certificate
		host        string
		wantVerdict string
		wantUsable  []bool
		wantMatched []bool
		wantDepth   int
	}{
		{"EE SPKI SHA-256", []*dnswire.TLSA{tlsa(3, 1, 1, a(leaf, 1, 1))}, true, withTA, host, "match", []bool{true}, []bool{true}, 0},
		{"EE cert full", []*dnswire.TLSA{tlsa(3, 0, 0, a(leaf, 0, 0))}, true, withTA, host, "match", []bool{true}, []bool{true}, 0},
		{"EE SPKI SHA-512", []*dnswire.TLSA{tlsa(3, 1, 2, a(leaf, 1, 2))}, true, withTA, host, "match", []bool{true}, []bool{true}, 0},
		{"EE ignores name and expiry", []*dnswire.TLSA{tlsa(3, 0, 1, a(expired, 0, 1))}, true, []*x509.Certificate{expired}, "wrong.example", "match", []bool{true}, []bool{true}, 0},
		{"EE mismatch", []*dnswire.TLSA{tlsa(3, 1, 1, a(other, 1, 1))}, true, withTA, host, "mismatch", []bool{true}, []bool{false}, -1},
		{"TA cert SHA-256", []*dnswire.TLSA{tlsa(2, 0, 1, a(ca.Cert, 0, 1))}, true, withTA, host, "match", []bool{true}, []bool{true}, 1},
		{"TA SPKI SHA-512", []*dnswire.TLSA{tlsa(2, 1, 2, a(ca.Cert, 1, 2))}, true, withTA, host, "match", []bool{true}, []bool{true}, 1},
		{"TA wrong name", []*dnswire.TLSA{tlsa(2, 0, 1, a(ca.Cert, 0, 1))}, true, withTA, "other.example.test", "mismatch", []bool{true}, []bool{false}, -1},
		{"TA not in chain", []*dnswire.TLSA{tlsa(2, 0, 1, a(ca.Cert, 0, 1))}, true, []*x509.Certificate{leaf}, host, "mismatch", []bool{true}, []bool{false}, -1},
		{"TA expired leaf", []*dnswire.TLSA{tlsa(2, 0, 1, a(ca.Cert, 0, 1))}, true, []*x509.Certificate{expired, ca.Cert}, host, "mismatch", []bool{true}, []bool{false}, -1},
		{"second record matches", []*dnswire.TLSA{tlsa(3, 1, 1, a(other, 1, 1)), tlsa(3, 1, 1, a(leaf, 1, 1))}, true, withTA, host, "match", []bool{true, true}, []bool{false, true}, 0},
		{"PKIX usages unusable", []*dnswire.TLSA{tlsa(0, 0, 1, a(ca.Cert, 0, 1)), tlsa(1, 1, 1, a(leaf, 1, 1))}, true, withTA, host, "no-usable-records", []bool{false, false}, []bool{false, false}, -1},
		{"unknown selector", []*dnswire.TLSA{tlsa(3, 2, 1, a(leaf, 1, 1))}, true, withTA, host, "no-usable-records", []bool{false}, []bool{false}, -1},
		{"unknown matching type", []*dnswire.TLSA{tlsa(3, 1, 3, a(leaf, 1, 1))}, true, withTA, host, "no-usable-records", []bool{false}, []bool{false}, -1},
		{"short digest", []*dnswire.TLSA{tlsa(3, 1, 1, a(leaf, 1, 1)[:16])}, true, withTA, host, "no-usable-records", []bool{false}, []bool{false}, -1},
		{"empty association data", []*dnswire.TLSA{tlsa(3, 1, 0, nil)}, true, withTA, host, "no-usable-records", []bool{false}, []bool{false}, -1},
		// RFC 7672 §2.2: records of an answer without the AD bit are
		// reported but unusable, and never matched.
		{"unauthenticated", []*dnswire.TLSA{tlsa(3, 1, 1, a(leaf, 1, 1))}, false, withTA, host, "unauthenticated", []bool{false}, []bool{false}, -1},
		{"unauthenticated TA", []*dnswire.TLSA{tlsa(2, 0, 1, a(ca.Cert, 0, 1)), tlsa(0, 0, 1, a(ca.Cert, 0, 1))}, false, withTA, host, "unauthenticated", []bool{false, false}, []bool{false, false}, -1},
		{"duplicates listed once", []*dnswire.TLSA{tlsa(3, 1, 1, a(leaf, 1, 1)), tlsa(3, 1, 1, a(leaf, 1, 1)), {Usage: 3, Selector: 1, MatchingType: 1, Data: slices.Clone(a(leaf, 1, 1))}}, true, withTA, host, "match", []bool{true}, []bool{true}, 0},
		{"TA at depth 2", []*dnswire.TLSA{tlsa(2, 1, 1, a(ca.Cert, 1, 1))}, true, []*x509.Certificate{leaf, other, ca.Cert}, host, "match", []bool{true}, []bool{true}, 2},
		{"no records", nil, true, withTA, host, "no-tlsa", nil, nil, -1},
		{"no chain", []*dnswire.TLSA{tlsa(3, 1, 1, a(leaf, 1, 1))}, true, nil, host, "not-checked", []bool{true}, []bool{false}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := dane.Name(host+".", 25)
			if name != "_25._tcp.mx.example.test" {
				t.Fatalf("Name: got %q, want _25._tcp.mx.example.test", name)
			}
			r := dane.Check(t.Context(), name, tc.recs, tc.ad, tc.chain, tc.host, now)
			if r.Verdict != tc.wantVerdict {
				t.Errorf("Verdict: got %q, want %q (%+v)", r.Verdict, tc.wantVerdict, r.Records)
			}
			if len(r.Records) != len(tc.wantUsable) {
				t.Fatalf("Records: got %d, want %d", len(r.Records), len(tc.wantUsable))
			}
			depth := -1
			for i, rec := range r.Records {
				if !rec.Usable && rec.Reason == "" {
					t.Errorf("record %d: got unusable without a reason, want one", i)
				}
				if rec.Usable != tc.wantUsable[i] {
					t.Errorf("record %d Usable: got %v (%s), want %v", i, rec.Usable, rec.Reason, tc.wantUsable[i])
				}
				if rec.Matched != tc.wantMatched[i] {
					t.Errorf("record %d Matched: got %v (%s), want %v", i, rec.Matched, rec.Detail, tc.wantMatched[i])
				}
				if rec.Matched {
					depth = rec.MatchedDepth
				}
			}
			if depth != tc.wantDepth {
				t.Errorf("MatchedDepth: got %d, want %d", depth, tc.wantDepth)
			}
			if got, want := r.Usable, tc.ad && tc.wantVerdict != "no-usable-records" && tc.wantVerdict != "no-tlsa"; got != want {
				t.Errorf("Usable: got %v, want %v", got, want)
			}
		})
	}
}
