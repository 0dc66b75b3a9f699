package dmarc

// StrictAligned reports whether an authenticated identifier is in strict
// alignment with the Author Domain: the two are the same domain name (RFC
// 7489 §3.1.1, §3.1.2; RFC 9989 §4.4). Names compare case-insensitively,
// with a trailing dot ignored and U-labels compared as A-labels. A
// subdomain in either direction is not aligned, and names that are not
// valid domain names never align.
func StrictAligned(author, identifier string) bool {
	a, err1 := NormalizeDomain(author)
	b, err2 := NormalizeDomain(identifier)
	return err1 == nil && err2 == nil && a == b
}

// RelaxedAlignedPSL reports whether an authenticated identifier is in
// relaxed alignment with the Author Domain when Organizational Domains come
// from the Public Suffix List: the two have the same Organizational Domain
// (RFC 7489 §3.1, §3.2). Identical names always align; a name that is
// itself a public suffix is its own Organizational Domain.
func RelaxedAlignedPSL(author, identifier string) bool {
	a, err1 := PSLOrgDomain(author)
	b, err2 := PSLOrgDomain(identifier)
	if (err1 != nil && err1 != ErrPublicSuffix) || (err2 != nil && err2 != ErrPublicSuffix) {
		return false
	}
	return a == b
}
