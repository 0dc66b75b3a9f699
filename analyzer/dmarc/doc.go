// Package dmarc evaluates DMARC for one message: it finds the DMARC Policy
// Record that applies to the RFC5322.From domain, parses it with warnings,
// checks Identifier Alignment of the SPF- and DKIM-authenticated identifiers,
// and says which policy the Domain Owner asks receivers to apply.
//
// Two specifications are implemented side by side:
//
//   - RFC 7489 (DMARC): policy discovery at the Author Domain and then at the
//     Organizational Domain found with the Public Suffix List (§3.2, §6.6.3).
//   - RFC 9989 (DMARCbis): the DNS Tree Walk (§4.10), the "psd" tag that
//     marks Public Suffix Domains and Organizational Domains (§4.7, §4.10.2),
//     the "np" policy for non-existent subdomains and the "t" testing flag
//     (§4.7), and the retirement of "pct", "ri" and "rf" (Appendix A).
//
// The caller picks the discovery method (MethodTreeWalk by default); the
// Result always reports the Organizational Domain that each method gives
// for the From domain, and which method found the record.
//
// Other RFCs used: RFC 8601 (result words), RFC 7208 §2.4 (the MAIL FROM
// identity when the reverse-path is null), RFC 3986 (report URIs) and
// RFC 5890/5891 (internationalized domain names, compared as A-labels).
//
// All DNS goes through lookup.Resolver. Independent queries (the names of a
// tree walk, the Author and Organizational Domain queries of the PSL method,
// the A/AAAA/MX existence test) are started concurrently and decided in the
// order the specification gives.
package dmarc
