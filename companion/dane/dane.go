// Package dane matches a server's certificate chain against its TLSA
// records, following SMTP security via opportunistic DANE TLS, RFC 7672,
// and the TLSA record definition of RFC 6698 §2.
//
// Input is hostile: the records and the chain both come from the domain
// being checked. Check therefore evaluates only DNSSEC-authenticated
// answers, at most MaxRecords distinct records against at most MaxChain
// certificates, computes each certificate's association data once and
// verifies each candidate trust anchor once, and stops when its context
// ends.
package dane

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"headerlens/dnswire"
)

// MaxRecords is the number of distinct TLSA records Check lists and
// evaluates; the rest are counted in Result.RecordsOmitted.
const MaxRecords = 32

// MaxChain is the number of certificates of the presented chain (leaf
// first) that Check considers; the rest are counted in Result.ChainOmitted.
const MaxChain = 16

// Record is one TLSA record and what became of it.
type Record struct {
	// Usage is the certificate usage field (RFC 6698 §2.1.1).
	Usage uint8 `json:"usage"`
	// Selector is the selector field (RFC 6698 §2.1.2).
	Selector uint8 `json:"selector"`
	// MatchingType is the matching type field (RFC 6698 §2.1.3).
	MatchingType uint8 `json:"matchingType"`
	// Data is the certificate association data in hexadecimal.
	Data string `json:"data"`
	// Usable is false for records SMTP clients must ignore, including
	// every record of an answer that is not DNSSEC-authenticated.
	Usable bool `json:"usable"`
	// Reason explains why a record is unusable.
	Reason string `json:"reason,omitempty"`
	// Matched reports whether the presented chain satisfies this record.
	Matched bool `json:"matched"`
	// MatchedDepth is the chain position matched (0 = leaf), or -1.
	MatchedDepth int `json:"matchedDepth"`
	// Detail explains a DANE-TA near miss (matched the TA but the chain or
	// name did not validate).
	Detail string `json:"detail,omitempty"`
}

// Result is the DANE verdict for one MX host.
type Result struct {
	// Name is the TLSA query name, _25._tcp.<mx>.
	Name string `json:"name"`
	// Authenticated is the AD bit the resolver returned (RFC 4035 §3.2.3).
	Authenticated bool `json:"authenticated"`
	// Records are the distinct TLSA records found (at most MaxRecords),
	// each with its verdict.
	Records []Record `json:"records"`
	// DuplicateRecords is the number of records dropped because they
	// repeat an earlier one (same usage, selector, matching type and data).
	DuplicateRecords int `json:"duplicateRecords,omitempty"`
	// RecordsOmitted is the number of distinct records beyond MaxRecords,
	// neither listed nor evaluated.
	RecordsOmitted int `json:"recordsOmitted,omitempty"`
	// ChainOmitted is the number of presented certificates beyond
	// MaxChain, not considered for matching.
	ChainOmitted int `json:"chainOmitted,omitempty"`
	// Canceled reports that the context ended before every record was
	// evaluated.
	Canceled bool `json:"canceled,omitempty"`
	// Usable reports whether at least one usable record exists and the
	// answer was authenticated: DANE applies (RFC 7672 §2.2).
	Usable bool `json:"usable"`
	// Checked is false when no certificate chain was available to match,
	// or the context ended before a match was found.
	Checked bool `json:"checked"`
	// Matched reports whether at least one usable record matched.
	Matched bool `json:"matched"`
	// Verdict summarises: "no-tlsa", "unauthenticated", "no-usable-records",
	// "not-checked", "match", "mismatch".
	Verdict string `json:"verdict"`
}

// Name returns the TLSA owner name for an SMTP server host on port 25:
// RFC 7672 §2.2.3 and RFC 6698 §3, "_25._tcp." + host.
func Name(host string, port int) string {
	return fmt.Sprintf("_%d._tcp.%s", port, strings.TrimSuffix(host, "."))
}

// unauthenticatedReason marks every record of an answer without the AD bit.
const unauthenticatedReason = "the TLSA answer is not DNSSEC-authenticated (no AD bit): ignored (RFC 7672 §2.2)"

// Check evaluates tlsa, found at name with the given AD bit, against chain
// (leaf first, as presented by host; may be nil when no TLS session was
// established). Records of an unauthenticated answer are reported, marked
// unusable, and never matched. When ctx ends, Check stops matching, sets
// Canceled and, unless a record already matched, gives "not-checked".
func Check(ctx context.Context, name string, tlsa []*dnswire.TLSA, authenticated bool, chain []*x509.Certificate, host string, now time.Time) *Result {
	res := &Result{Name: name, Authenticated: authenticated, Records: []Record{}}
	if len(chain) > MaxChain {
		// Bound the work per record: a real chain is a handful of
		// certificates, and DANE-TA needs only the leaf and the path
		// to the trust anchor the server sends (RFC 7672 §3.2.2).
		res.ChainOmitted = len(chain) - MaxChain
		chain = chain[:MaxChain]
	}
	m := &matcher{chain: chain, host: strings.TrimSuffix(host, "."), now: now}
	seen := map[string]bool{}
	usable := 0
	for _, t := range tlsa {
		if t == nil {
			continue
		}
		rec := Record{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: hex.EncodeToString(t.Data), MatchedDepth: -1}
		key := fmt.Sprintf("%d %d %d %s", rec.Usage, rec.Selector, rec.MatchingType, rec.Data)
		if seen[key] {
			res.DuplicateRecords++
			continue
		}
		seen[key] = true
		if len(res.Records) == MaxRecords {
			res.RecordsOmitted++
			continue
		}
		rec.Usable, rec.Reason = usability(t)
		switch {
		case !authenticated:
			// RFC 7672 §2.2: TLSA records not validated by DNSSEC
			// are ignored: never matched, whatever they say.
			reason := unauthenticatedReason
			if !rec.Usable {
				reason += "; also " + rec.Reason
			}
			rec.Usable, rec.Reason = false, reason
		case rec.Usable:
			usable++
			if len(chain) > 0 && !res.Canceled {
				res.Canceled = !m.match(ctx, &rec)
			}
		}
		if rec.Matched {
			res.Matched = true
		}
		res.Records = append(res.Records, rec)
	}
	res.Usable = usable > 0 && authenticated
	res.Checked = len(chain) > 0 && (!res.Canceled || res.Matched)
	switch {
	case len(tlsa) == 0:
		res.Verdict = "no-tlsa"
	case !authenticated:
		// RFC 7672 §2.2: TLSA records not validated by DNSSEC are
		// ignored; the MX is treated as if it had none.
		res.Verdict = "unauthenticated"
	case usable == 0:
		// RFC 7672 §2.2: with only unusable records, TLS is mandatory
		// but no authentication is possible.
		res.Verdict = "no-usable-records"
	case !res.Checked:
		res.Verdict = "not-checked"
	case res.Matched:
		res.Verdict = "match"
	default:
		res.Verdict = "mismatch"
	}
	return res
}

func usability(t *dnswire.TLSA) (bool, string) {
	switch t.Usage {
	case 0, 1:
		// RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) are not
		// usable with SMTP, which has no trusted CA set in common.
		return false, fmt.Sprintf("usage %d (PKIX-%s) is not used for SMTP (RFC 7672 §3.1.3)", t.Usage, map[uint8]string{0: "TA", 1: "EE"}[t.Usage])
	case 2, 3:
	default:
		return false, fmt.Sprintf("unknown usage %d (RFC 6698 §2.1.1)", t.Usage)
	}
	if t.Selector > 1 {
		return false, fmt.Sprintf("unknown selector %d (RFC 6698 §2.1.2)", t.Selector)
	}
	want := map[uint8]int{0: -1, 1: sha256.Size, 2: sha512.Size}
	n, ok := want[t.MatchingType]
	if !ok {
		return false, fmt.Sprintf("unknown matching type %d (RFC 6698 §2.1.3)", t.MatchingType)
	}
	if len(t.Data) == 0 {
		// RFC 6698 §2.1.4: the association data is what is matched.
		return false, "association data is empty"
	}
	if n > 0 && len(t.Data) != n {
		// RFC 7672 §3.1.3 treats malformed records as unusable.
		return false, fmt.Sprintf("digest is %d bytes, want %d for matching type %d", len(t.Data), n, t.MatchingType)
	}
	return true, ""
}

// Associate computes the association data of c for a selector and matching
// type (RFC 6698 §2.1.2, §2.1.3).
func Associate(c *x509.Certificate, selector, matchingType uint8) []byte {
	var in []byte
	switch selector {
	case 0:
		in = c.Raw // full certificate
	case 1:
		in = c.RawSubjectPublicKeyInfo // SubjectPublicKeyInfo
	default:
		return nil
	}
	switch matchingType {
	case 0:
		return in
	case 1:
		s := sha256.Sum256(in)
		return s[:]
	case 2:
		s := sha512.Sum512(in)
		return s[:]
	}
	return nil
}

// assocKey names one certificate's association data for one selector and
// matching type.
type assocKey struct {
	depth         int
	selector, mtp uint8
}

// matcher holds what one Check computes at most once per chain: the
// association data of each certificate, the intermediates pool and the
// outcome of verifying the leaf to each candidate trust anchor.
type matcher struct {
	chain  []*x509.Certificate // at most MaxChain, leaf first
	host   string
	now    time.Time
	assoc  map[assocKey][]byte
	inter  *x509.CertPool
	verify map[string]error // by SHA-256 of the trust anchor certificate
}

func (m *matcher) associate(depth int, selector, mtp uint8) []byte {
	k := assocKey{depth, selector, mtp}
	if a, ok := m.assoc[k]; ok {
		return a
	}
	if m.assoc == nil {
		m.assoc = map[assocKey][]byte{}
	}
	a := Associate(m.chain[depth], selector, mtp)
	m.assoc[k] = a
	return a
}

// verifyTo reports whether the leaf chains to the certificate at depth,
// taken as the trust anchor, and matches the host name.
func (m *matcher) verifyTo(depth int) error {
	// A certificate repeated in the chain is verified once.
	id := string(m.associate(depth, 0, 1))
	if err, ok := m.verify[id]; ok {
		return err
	}
	if m.verify == nil {
		m.verify = map[string]error{}
	}
	if m.inter == nil {
		// One pool for the whole chain (RFC 7672 §3.2.2: the server
		// sends the intermediates; order does not matter to Verify).
		m.inter = x509.NewCertPool()
		for _, c := range m.chain[1:] {
			m.inter.AddCert(c)
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(m.chain[depth])
	_, err := m.chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: m.inter,
		DNSName:       m.host,
		CurrentTime:   m.now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	m.verify[id] = err
	return err
}

// match evaluates rec against the chain. It returns false, leaving rec
// unmatched, when ctx ended first.
func (m *matcher) match(ctx context.Context, rec *Record) bool {
	if ctx.Err() != nil {
		return false
	}
	want, _ := hex.DecodeString(rec.Data)
	if rec.Usage == 3 {
		// RFC 7672 §3.1.1: DANE-EE(3) matches the leaf only; names and
		// validity dates are not checked.
		if bytes.Equal(m.associate(0, rec.Selector, rec.MatchingType), want) {
			rec.Matched, rec.MatchedDepth = true, 0
		}
		return true
	}
	// RFC 7672 §3.1.2: DANE-TA(2) names a trust anchor that the server's
	// chain must include (the server sends it, RFC 7672 §3.2.2); the
	// leaf must chain to it and match the reference identifiers
	// (RFC 7672 §3.2.3: the MX host name). The first depth that
	// verifies wins.
	for i := range m.chain {
		if !bytes.Equal(m.associate(i, rec.Selector, rec.MatchingType), want) {
			continue
		}
		if ctx.Err() != nil {
			return false
		}
		if err := m.verifyTo(i); err != nil {
			rec.Detail = fmt.Sprintf("matched the certificate at depth %d, but the chain does not validate to it: %v", i, err)
			continue
		}
		rec.Matched, rec.MatchedDepth, rec.Detail = true, i, ""
		return true
	}
	return true
}
