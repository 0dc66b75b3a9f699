package dmarc

import (
	"errors"
	"strings"

	"golang.org/x/net/idna"

	"headerlens/analyzer/address"
	"headerlens/analyzer/internal/publicsuffix"
)

// MaxTreeWalkQueries is the most "_dmarc" names one DNS Tree Walk queries
// (RFC 9989 §4.10: Author Domains with more than eight labels do not result
// in more than eight DNS queries).
const MaxTreeWalkQueries = 8

// Errors returned by NormalizeDomain and PSLOrgDomain.
var (
	// ErrInvalidDomain means the text is not a usable DNS domain name.
	ErrInvalidDomain = errors.New("dmarc: not a valid domain name")
	// ErrPublicSuffix means the domain is itself a public suffix, so the
	// Public Suffix List gives it no registered (organizational) domain.
	ErrPublicSuffix = errors.New("dmarc: domain is a public suffix")
)

// idnaProfile maps U-labels to A-labels for lookup (RFC 5891 §5) without
// rejecting the underscores and other characters that appear in real DNS
// names outside host names.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
)

// NormalizeDomain returns name in the form this package compares and
// queries: A-labels, ASCII lower case, no trailing dot. Domain names compare
// case-insensitively (RFC 4343 §2) and a single trailing dot only marks the
// name as absolute (RFC 1034 §3.1), so "Example.COM." and "example.com" give
// the same result. It fails on empty labels, labels over 63 octets, names
// over 253 octets, and characters other than letters, digits, '-' and '_'.
func NormalizeDomain(name string) (string, error) {
	s := strings.TrimSpace(name)
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", ErrInvalidDomain
	}
	if !isASCII(s) {
		a, err := idnaProfile.ToASCII(s)
		if err != nil {
			return "", ErrInvalidDomain
		}
		s = a
	}
	s = strings.ToLower(s)
	// RFC 1035 §2.3.4: 63 octets per label, 255 octets per name on the
	// wire; letters, digits, '-' and '_'.
	if !address.IsDNSName(s) {
		return "", ErrInvalidDomain
	}
	return s, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// PSLOrgDomain returns the Organizational Domain of domain as RFC 7489 §3.2
// defines it: the longest matching public suffix plus one label, using the
// Public Suffix List embedded in analyzer/internal/publicsuffix (both its
// ICANN and private sections; see PSLVersion for the list's revision). The
// result is in NormalizeDomain form.
//
// When domain is itself a public suffix (e.g. "co.uk"), the error is
// ErrPublicSuffix and the returned name is the normalized domain itself,
// which is what DMARC uses as the Organizational Domain in that case.
func PSLOrgDomain(domain string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	// RFC 7489 §3.2 steps 3–5: the longest PSL match plus one label.
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d, ErrPublicSuffix
	}
	return org, nil
}

// PSLVersion names the revision of the Public Suffix List the package uses
// (analyzer/internal/publicsuffix). Organizational
// Domains found with the PSL method depend on it.
func PSLVersion() string { return publicsuffix.Version }

// pslSuffix returns the public suffix of d (normalized) and whether the
// matching rule is in the ICANN section of the list rather than the private
// one.
func pslSuffix(d string) (string, bool) {
	return publicsuffix.PublicSuffix(d)
}

// TreeWalkNames returns, in order, the domains at which a DNS Tree Walk
// starting at domain queries "_dmarc.<name>" (RFC 9989 §4.10): the starting
// domain itself, then, if it has eight or more labels, its last seven
// labels, and from there one label fewer at a time down to the top-level
// domain. The list never has more than MaxTreeWalkQueries entries. domain
// must already be normalized.
func TreeWalkNames(domain string) []string {
	if domain == "" {
		return nil
	}
	labels := strings.Split(domain, ".")
	x := len(labels)
	out := make([]string, 0, min(x, MaxTreeWalkQueries))
	out = append(out, domain)
	// RFC 9989 §4.10 step 4: if x < 8 remove the left-most label; if
	// x >= 8 remove labels until 7 remain. Step 7: then one at a time.
	next := x - 1
	if x >= MaxTreeWalkQueries {
		next = MaxTreeWalkQueries - 1
	}
	for n := next; n >= 1; n-- {
		out = append(out, strings.Join(labels[x-n:], "."))
	}
	return out
}

// labelCount returns the number of labels of a normalized domain.
func labelCount(d string) int {
	if d == "" {
		return 0
	}
	return strings.Count(d, ".") + 1
}

// isSubdomain reports whether child is a proper subdomain of parent (both
// normalized).
func isSubdomain(child, parent string) bool {
	return len(child) > len(parent)+1 && strings.HasSuffix(child, parent) &&
		child[len(child)-len(parent)-1] == '.'
}

// oneLabelBelow returns the ancestor of d (or d itself) that has exactly
// one label more than parent. d must be a proper subdomain of parent.
func oneLabelBelow(d, parent string) string {
	labels := strings.Split(d, ".")
	n := labelCount(parent) + 1
	if n > len(labels) {
		return d
	}
	return strings.Join(labels[len(labels)-n:], ".")
}
