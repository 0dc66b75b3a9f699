package dmarc

import (
	"errors"
	"strings"

	"headerlens/analyzer/address"
)

// Errors returned by AuthorDomain.
var (
	// ErrNoFrom means there is no RFC5322.From address at all.
	ErrNoFrom = errors.New("dmarc: no RFC5322.From address")
	// ErrBadFrom means the From value cannot be read as addresses or its
	// domain is not a valid domain name (e.g. an address literal).
	ErrBadFrom = errors.New("dmarc: RFC5322.From has no usable domain")
	// ErrMultipleAuthors means the From field lists addresses in more than
	// one domain.
	ErrMultipleAuthors = errors.New("dmarc: RFC5322.From has addresses in more than one domain")
)

// maxFromLen bounds the From value read; longer input is refused.
const maxFromLen = 64 << 10

// AuthorDomain returns the Author Domain (RFC 7489 §3.1; RFC 9989 §3.2) of
// an RFC5322.From value, normalized with NormalizeDomain, and the number of
// addresses found. from may be a full header field value (display names,
// comments, encoded words, groups, several addresses), with or without the
// leading "From:", a bare address, or just a domain name.
//
// Several addresses in one domain give that domain. Addresses in different
// domains give ErrMultipleAuthors with the first domain: RFC 7489 §6.6.1
// leaves it to the receiver to evaluate each domain or to reject the
// message, and this package reports it rather than choose. No address gives
// ErrNoFrom; an unreadable value or domain gives ErrBadFrom.
func AuthorDomain(from string) (string, int, error) {
	if len(from) > maxFromLen {
		return "", 0, ErrBadFrom
	}
	s := strings.TrimSpace(from)
	if len(s) >= 5 && strings.EqualFold(s[:5], "from:") {
		s = strings.TrimSpace(s[5:])
	}
	// Unfold (RFC 5322 §2.2.3).
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if strings.TrimSpace(s) == "" {
		return "", 0, ErrNoFrom
	}
	if !strings.ContainsAny(s, "@<>\",;:() ") {
		d, err := NormalizeDomain(s)
		if err != nil {
			return "", 0, ErrBadFrom
		}
		return d, 1, nil
	}
	// The same reading as the summary, the findings and the companion
	// targets (headerlens/analyzer/address), so that all name the same
	// domain; at most address.MaxAddresses addresses are read.
	addrs := address.ParseList(s)
	if len(addrs) == 0 {
		if strings.Contains(s, "@") {
			return "", 0, ErrBadFrom
		}
		return "", 0, ErrNoFrom
	}
	first := ""
	for _, a := range addrs {
		d, err := NormalizeDomain(address.Domain(a.Address))
		if err != nil {
			return "", len(addrs), ErrBadFrom
		}
		if first == "" {
			first = d
		} else if d != first {
			return first, len(addrs), ErrMultipleAuthors
		}
	}
	return first, len(addrs), nil
}
