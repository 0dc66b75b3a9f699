// Package dane matches a server's certificate chain against its TLSA
// records, following SMTP security via opportunistic DANE TLS, RFC 7672,
// and the TLSA record definition of RFC 6698 §2.
package dane

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

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
	// Usable is false for records SMTP clients must ignore.
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
	// Records are the TLSA records found, each with its verdict.
	Records []Record `json:"records"`
	// Usable reports whether at least one usable record exists and the
	// answer was authenticated: DANE applies (RFC 7672 §2.2).
	Usable bool `json:"usable"`
	// Checked is false when no certificate chain was available to match.
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

// Check evaluates tlsa, found at name with the given AD bit, against chain
// (leaf first, as presented by host; may be nil when no TLS session was
// established).
func Check(name string, tlsa []*dns.TLSA, authenticated bool, chain []*x509.Certificate, host string, now time.Time) *Result {
	res := &Result{Name: name, Authenticated: authenticated, Records: []Record{}}
	usable := 0
	for _, t := range tlsa {
		rec := Record{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: strings.ToLower(t.Certificate), MatchedDepth: -1}
		rec.Usable, rec.Reason = usability(t)
		if rec.Usable {
			usable++
			if len(chain) > 0 {
				match(&rec, chain, host, now)
			}
		}
		if rec.Matched {
			res.Matched = true
		}
		res.Records = append(res.Records, rec)
	}
	res.Usable = usable > 0 && authenticated
	res.Checked = len(chain) > 0
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

func usability(t *dns.TLSA) (bool, string) {
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
	data, err := hex.DecodeString(t.Certificate)
	if err != nil || len(data) == 0 {
		return false, "association data is not hexadecimal"
	}
	if n > 0 && len(data) != n {
		// RFC 7672 §3.1.3 treats malformed records as unusable.
		return false, fmt.Sprintf("digest is %d bytes, want %d for matching type %d", len(data), n, t.MatchingType)
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

func match(rec *Record, chain []*x509.Certificate, host string, now time.Time) {
	want, _ := hex.DecodeString(rec.Data)
	if rec.Usage == 3 {
		// RFC 7672 §3.1.1: DANE-EE(3) matches the leaf only; names and
		// validity dates are not checked.
		if bytes.Equal(Associate(chain[0], rec.Selector, rec.MatchingType), want) {
			rec.Matched, rec.MatchedDepth = true, 0
		}
		return
	}
	// RFC 7672 §3.1.2: DANE-TA(2) names a trust anchor that the server's
	// chain must include (the server sends it, RFC 7672 §3.2.2); the
	// leaf must chain to it and match the reference identifiers
	// (RFC 7672 §3.2.3: the MX host name).
	for i, c := range chain {
		if !bytes.Equal(Associate(c, rec.Selector, rec.MatchingType), want) {
			continue
		}
		roots := x509.NewCertPool()
		roots.AddCert(c)
		inter := x509.NewCertPool()
		for j := 1; j < i; j++ {
			inter.AddCert(chain[j])
		}
		_, err := chain[0].Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			DNSName:       strings.TrimSuffix(host, "."),
			CurrentTime:   now,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err != nil {
			rec.Detail = fmt.Sprintf("matched the certificate at depth %d, but the chain does not validate to it: %v", i, err)
			continue
		}
		rec.Matched, rec.MatchedDepth, rec.Detail = true, i, ""
		return
	}
}
