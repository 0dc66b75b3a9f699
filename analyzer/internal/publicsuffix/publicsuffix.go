// Package publicsuffix finds the public suffix and the registrable domain
// of a domain name with the Public Suffix List
// (https://publicsuffix.org/list/) and its matching rules
// (https://github.com/publicsuffix/list/wiki/Format#algorithm). The list is
// embedded as rules.dat: the upstream public_suffix_list.dat at the
// revision of Version (MPL-2.0, LICENSE beside it) with its comments other
// than the licence notice and the section markers removed (gen.go makes
// it; the upstream comments are half of the file's 330 KB).
//
// It replaces golang.org/x/net/publicsuffix, which gives the same answers
// from the same list but imports net/http/cookiejar, and through it
// net/http, into every program that uses it: the WebAssembly build must
// not carry an HTTP client it never uses. The list is parsed once, on
// first use.
package publicsuffix

import (
	_ "embed"
	"errors"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/idna"
)

//go:embed rules.dat
var listFile string

// Version names the list's upstream revision (github.com/publicsuffix/list),
// the one golang.org/x/net v0.62.0 compiled in, so both give the same
// answers. testdata/SOURCES.md records it too.
const Version = "publicsuffix.org's public_suffix_list.dat, git revision d6c92f1bbb7433e5db7b8405c25d4035fb8ff376 (2026-02-06T07:36:33Z)"

// node is one name of the list's tree: every rule and every parent of a
// rule ("uk" is the parent of "co.uk"), keyed by its labels in lower-case
// A-label form (RFC 5890 §2.3.2.1).
type node struct {
	// kind is parentOnly (no rule ends here), normal ("co.uk") or
	// exception ("!www.ck").
	kind uint8
	// wildcard: a rule "*.name" exists ("*.ck").
	wildcard bool
	// icann is false when a rule of the PRIVATE section ends here; a name
	// that only has rules below it counts as ICANN, as in
	// golang.org/x/net/publicsuffix.
	icann bool
}

const (
	parentOnly uint8 = iota
	normal
	exception
)

// tree is the parsed list; parse reads it once, on first use.
var tree = sync.OnceValue(parse)

// parse reads listFile. A line's rule is its first white-space separated
// word; "//" starts a comment line; the ICANN section is delimited by the
// "===BEGIN ICANN DOMAINS===" and "===END ICANN DOMAINS===" comments.
// Rules in Unicode are converted to A-labels, since DNS names are compared
// in that form.
func parse() map[string]*node {
	nodes := make(map[string]*node, 12000)
	icann := false
	for line := range strings.SplitSeq(listFile, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.Contains(line, "BEGIN ICANN DOMAINS"):
			icann = true
			continue
		case strings.Contains(line, "END ICANN DOMAINS"):
			icann = false
			continue
		case line == "" || strings.HasPrefix(line, "//"):
			continue
		}
		rule, _, _ := strings.Cut(line, " ")
		if a, err := idna.Punycode.ToASCII(rule); err == nil {
			rule = a
		}
		kind, wildcard := normal, false
		switch {
		case strings.HasPrefix(rule, "*."):
			rule, kind, wildcard = rule[2:], parentOnly, true
		case strings.HasPrefix(rule, "!"):
			rule, kind = rule[1:], exception
		}
		// The rule and every parent of it, shortest first, are nodes.
		for i := len(rule); ; {
			j := strings.LastIndexByte(rule[:i], '.')
			name := rule[j+1:]
			n := nodes[name]
			if n == nil {
				n = &node{icann: true}
				nodes[name] = n
			}
			if j < 0 {
				if kind != parentOnly && n.kind == parentOnly {
					n.kind = kind
				}
				n.icann = n.icann && icann
				n.wildcard = n.wildcard || wildcard
				break
			}
			i = j
		}
	}
	return nodes
}

// PublicSuffix returns the public suffix of domain, a name in A-label form
// without a final dot, and whether it is managed by ICANN (false for the
// PRIVATE section of the list and for a name no rule covers).
//
// The algorithm (wiki Format, "Algorithm"): among the rules that match,
// an exception rule prevails, and then the one with the most labels; with
// none, the rule "*". An exception rule's suffix is the rule without its
// first label. The tree is walked from the top-level label down, as
// golang.org/x/net/publicsuffix walks its compiled tree, so that both give
// the same answers, edge cases included; an IP address is returned as it
// is, with false.
func PublicSuffix(domain string) (publicSuffix string, icann bool) {
	if _, err := netip.ParseAddr(domain); err == nil {
		return domain, false
	}
	nodes := tree()
	s, suffix, icannNode, wildcard := domain, len(domain), false, false
	for {
		dot := strings.LastIndexByte(s, '.')
		if wildcard {
			// "*.parent": any one label under the parent is a suffix.
			icann = icannNode
			suffix = 1 + dot
		}
		n := nodes[domain[1+dot:]]
		if n == nil {
			break
		}
		icannNode = n.icann
		switch n.kind {
		case normal:
			suffix = 1 + dot
		case exception:
			// "!label.parent": the suffix is the parent.
			suffix = 1 + len(s)
		}
		if n.kind == exception {
			break
		}
		wildcard = n.wildcard
		if !wildcard {
			icann = icannNode
		}
		if dot == -1 {
			break
		}
		s = s[:dot]
	}
	if suffix == len(domain) {
		// No rule matched: the prevailing rule is "*", the last label.
		return domain[1+strings.LastIndexByte(domain, '.'):], icann
	}
	return domain[suffix:], icann
}

// EffectiveTLDPlusOne returns the registrable domain of domain: its public
// suffix plus one more label (wiki Format, step 7). It fails for a domain
// that is itself a public suffix, and for one with an empty label.
func EffectiveTLDPlusOne(domain string) (string, error) {
	if domain == "" || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", errors.New("publicsuffix: empty label in domain " + quote(domain))
	}
	suffix, _ := PublicSuffix(domain)
	if len(domain) <= len(suffix) {
		return "", errors.New("publicsuffix: cannot derive eTLD+1 for domain " + quote(domain))
	}
	i := len(domain) - len(suffix) - 1
	if domain[i] != '.' {
		return "", errors.New("publicsuffix: invalid public suffix " + quote(suffix) + " for domain " + quote(domain))
	}
	return domain[1+strings.LastIndexByte(domain[:i], '.'):], nil
}

func quote(s string) string { return `"` + s + `"` }
