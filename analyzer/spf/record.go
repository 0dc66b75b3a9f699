package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"headerlens/analyzer/result"
)

// Qualifier is the result a mechanism yields when it matches (RFC 7208
// §4.6.2): '+' pass, '-' fail, '~' softfail, '?' neutral.
type Qualifier byte

// The four qualifiers (RFC 7208 §4.6.2).
const (
	QPass     Qualifier = '+'
	QFail     Qualifier = '-'
	QSoftFail Qualifier = '~'
	QNeutral  Qualifier = '?'
)

// Result returns the result word a match with q produces.
func (q Qualifier) Result() result.Word {
	switch q {
	case QFail:
		return result.Fail
	case QSoftFail:
		return result.SoftFail
	case QNeutral:
		return result.Neutral
	}
	return result.Pass
}

// Term is one mechanism or modifier of a parsed record (RFC 7208 §4.6.1).
type Term struct {
	// Text is the term as written in the record.
	Text string
	// Qualifier is the mechanism's qualifier ('+' when omitted); zero for
	// modifiers.
	Qualifier Qualifier
	// Name is the mechanism or modifier name in lower case ("all",
	// "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect",
	// "exp", or an unknown modifier's name).
	Name string
	// Modifier is true for name=value terms (§6).
	Modifier bool
	// Domain is the domain-spec as written (before macro expansion), ""
	// when the term has none.
	Domain string
	// Prefix is the network of an ip4 or ip6 mechanism (§5.6).
	Prefix netip.Prefix
	// CIDR4 and CIDR6 are the dual-CIDR prefix lengths of "a" and "mx"
	// (§5.3, §5.4); 32 and 128 when not given.
	CIDR4, CIDR6 int

	spec macroString // parsed Domain
}

// Record is a parsed SPF record.
type Record struct {
	// Text is the record as published.
	Text string
	// Terms are the mechanisms and modifiers in record order, including
	// redirect and exp.
	Terms []Term
	// Redirect and Exp point into Terms, or are nil (§6: each may appear
	// at most once).
	Redirect, Exp *Term
}

// ErrNotSPF is returned by Parse for text that is not an SPF version 1
// record (RFC 7208 §4.5).
var ErrNotSPF = errors.New("not an SPF record: it does not start with \"v=spf1\" followed by a space or the end")

// SyntaxError describes why a record does not parse; check_host() turns it
// into a permerror (RFC 7208 §4.6).
type SyntaxError struct {
	// Term is the offending term, "" for errors about the whole record.
	Term string
	// Msg explains the error.
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return e.Msg
	}
	return fmt.Sprintf("%q: %s", e.Term, e.Msg)
}

// IsRecord reports whether txt is an SPF version 1 record: it starts with
// "v=spf1", compared case-insensitively, followed by a space or the end
// (RFC 7208 §4.5).
func IsRecord(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// Parse parses a whole SPF record, so that a syntax error anywhere is found
// before evaluation starts (RFC 7208 §4.6). It returns ErrNotSPF when txt is
// not an SPF record, and a *SyntaxError otherwise.
func Parse(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, ErrNotSPF
	}
	rec := &Record{Text: txt}
	// RFC 7208 §4.6.1: terms = *( 1*SP ( directive / modifier ) ), and
	// record = version terms *SP: terms are separated by one or more
	// spaces (only SP, not other white space), trailing spaces allowed.
	for t := range strings.SplitSeq(txt[6:], " ") {
		if t == "" {
			continue
		}
		term, err := parseTerm(t)
		if err != nil {
			return nil, err
		}
		rec.Terms = append(rec.Terms, term)
	}
	for i := range rec.Terms {
		t := &rec.Terms[i]
		// RFC 7208 §6: redirect and exp MUST NOT appear more than once.
		switch t.Name {
		case "redirect":
			if t.Modifier {
				if rec.Redirect != nil {
					return nil, &SyntaxError{Term: t.Text, Msg: "redirect= appears more than once (RFC 7208 §6)"}
				}
				rec.Redirect = t
			}
		case "exp":
			if t.Modifier {
				if rec.Exp != nil {
					return nil, &SyntaxError{Term: t.Text, Msg: "exp= appears more than once (RFC 7208 §6)"}
				}
				rec.Exp = t
			}
		}
	}
	return rec, nil
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseTerm parses one directive or modifier.
func parseTerm(t string) (Term, error) {
	term := Term{Text: t, CIDR4: 32, CIDR6: 128}
	fail := func(format string, a ...any) (Term, error) {
		return Term{}, &SyntaxError{Term: t, Msg: fmt.Sprintf(format, a...)}
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 0x21 || t[i] > 0x7e {
			// RFC 7208 §3.1, §4.6.1: records are 7-bit ASCII and terms
			// are separated by SP only; any other byte is a syntax error.
			return fail("contains the byte 0x%02x; SPF records are visible 7-bit ASCII separated by spaces (RFC 7208 §3.1, §4.6.1)", t[i])
		}
	}
	// RFC 7208 §4.6.1, §12: modifier = name "=" ..., with
	// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). The '=' must come
	// right after the name, before any ':' or '/'.
	n := 0
	if isAlpha(t[0]) {
		n = 1
		for n < len(t) && (isAlpha(t[n]) || isDigit(t[n]) || t[n] == '-' || t[n] == '_' || t[n] == '.') {
			n++
		}
	}
	if n < len(t) && t[n] == '=' {
		if n == 0 {
			return fail("modifier without a name (RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT / \"-\" / \"_\" / \".\" ))")
		}
		return parseModifier(term, strings.ToLower(t[:n]), t[n+1:])
	}
	// RFC 7208 §4.6.2: directive = [ qualifier ] mechanism.
	term.Qualifier = QPass
	body := t
	switch body[0] {
	case '+', '-', '~', '?':
		term.Qualifier = Qualifier(body[0])
		body = body[1:]
	}
	end := strings.IndexAny(body, ":/")
	if end < 0 {
		end = len(body)
	}
	term.Name = strings.ToLower(body[:end])
	rest := body[end:]
	switch term.Name {
	case "all":
		// RFC 7208 §5.1: all = "all".
		if rest != "" {
			return fail("\"all\" takes no argument (RFC 7208 §5.1)")
		}
	case "include", "exists":
		// RFC 7208 §5.2, §5.7: include / exists = name ":" domain-spec.
		if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
			return fail("%q needs \":\" and a domain (RFC 7208 §5.2, §5.7)", term.Name)
		}
		if err := term.setDomain(rest[1:]); err != nil {
			return fail("%v", err)
		}
	case "ptr":
		// RFC 7208 §5.5: PTR = "ptr" [ ":" domain-spec ].
		if rest != "" {
			if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
				return fail("\"ptr\" takes only \":\" and a domain (RFC 7208 §5.5)")
			}
			if err := term.setDomain(rest[1:]); err != nil {
				return fail("%v", err)
			}
		}
	case "a", "mx":
		// RFC 7208 §5.3, §5.4: name [ ":" domain-spec ] [ dual-cidr-length ].
		spec, c4, c6, err := splitDualCIDR(rest)
		if err != nil {
			return fail("%v", err)
		}
		term.CIDR4, term.CIDR6 = c4, c6
		if spec != "" {
			if !strings.HasPrefix(spec, ":") || len(spec) == 1 {
				return fail("%q: expected \":\" and a domain or a CIDR length (RFC 7208 §5.3, §5.4)", term.Name)
			}
			if err := term.setDomain(spec[1:]); err != nil {
				return fail("%v", err)
			}
		}
	case "ip4", "ip6":
		// RFC 7208 §5.6: ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ],
		// ip6 = "ip6" ":" ip6-network [ ip6-cidr-length ].
		if !strings.HasPrefix(rest, ":") {
			return fail("%q needs \":\" and an address (RFC 7208 §5.6)", term.Name)
		}
		p, err := parseNetwork(term.Name, rest[1:])
		if err != nil {
			return fail("%v", err)
		}
		term.Prefix = p
	default:
		return fail("unknown mechanism %q (RFC 7208 §5)", term.Name)
	}
	return term, nil
}

// parseModifier parses the value of a name=value term (RFC 7208 §6).
func parseModifier(term Term, name, value string) (Term, error) {
	term.Modifier = true
	term.Name = name
	term.CIDR4, term.CIDR6 = 0, 0
	switch name {
	case "redirect", "exp":
		// RFC 7208 §6.1, §6.2: redirect / exp = name "=" domain-spec. The
		// known names are not "greedy" unknown modifiers: a bad value is
		// a syntax error (suite "redirect-syntax-error", erratum on §6).
		if value == "" {
			return Term{}, &SyntaxError{Term: term.Text, Msg: fmt.Sprintf("%s= needs a domain (RFC 7208 §6.1, §6.2)", name)}
		}
		if err := term.setDomain(value); err != nil {
			return Term{}, &SyntaxError{Term: term.Text, Msg: err.Error()}
		}
	default:
		// RFC 7208 §6: unknown-modifier = name "=" macro-string; it is
		// ignored, but its value must still be a valid macro-string.
		if _, err := parseMacroString(value, inModifier); err != nil {
			return Term{}, &SyntaxError{Term: term.Text, Msg: err.Error()}
		}
	}
	return term, nil
}

// setDomain parses and validates a domain-spec (RFC 7208 §7.1):
// domain-spec = macro-string domain-end, domain-end = ( "." toplabel [ "." ] )
// / macro-expand.
func (t *Term) setDomain(s string) error {
	m, err := parseMacroString(s, inDomain)
	if err != nil {
		return err
	}
	if len(m.toks) == 0 {
		return fmt.Errorf("empty domain-spec (RFC 7208 §7.1)")
	}
	if last := m.toks[len(m.toks)-1]; last.kind == tokLiteral {
		lit := strings.TrimSuffix(last.text, ".")
		dot := strings.LastIndexByte(lit, '.')
		if dot < 0 || !isTopLabel(lit[dot+1:]) {
			return fmt.Errorf("domain %q does not end in a macro or in \".\" and a valid top label (RFC 7208 §7.1)", s)
		}
	}
	t.Domain = s
	t.spec = m
	return nil
}

// isTopLabel reports whether s matches RFC 7208 §7.1
// toplabel = ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).
func isTopLabel(s string) bool {
	if s == "" {
		return false
	}
	alpha, dash := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlpha(c):
			alpha = true
		case isDigit(c):
		case c == '-':
			dash = true
		default:
			return false
		}
	}
	if dash {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return alpha
}

// splitDualCIDR splits the argument of "a" or "mx" into the part before the
// dual-cidr-length and the two prefix lengths (RFC 7208 §5.6:
// dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]).
func splitDualCIDR(s string) (rest string, c4, c6 int, err error) {
	c4, c6 = 32, 128
	if i := strings.LastIndex(s, "//"); i >= 0 && allDigits(s[i+2:]) {
		if c6, err = cidrLength(s[i+2:], 128); err != nil {
			return "", 0, 0, err
		}
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && allDigits(s[i+1:]) {
		if c4, err = cidrLength(s[i+1:], 32); err != nil {
			return "", 0, 0, err
		}
		s = s[:i]
	}
	return s, c4, c6, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// cidrLength parses a prefix length: RFC 7208 §5.6 ip4-cidr-length =
// "/" ("0" / %x31-39 0*1DIGIT), ip6-cidr-length = "/" ("0" / %x31-39
// 0*2DIGIT), at most 32 and 128.
func cidrLength(s string, max int) (int, error) {
	if !allDigits(s) || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("invalid CIDR length /%s (RFC 7208 §5.6)", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	if n > max {
		return 0, fmt.Errorf("CIDR length /%s is longer than %d (RFC 7208 §5.6)", s, max)
	}
	return n, nil
}

// parseNetwork parses the argument of ip4 or ip6 (RFC 7208 §5.6).
func parseNetwork(mech, s string) (netip.Prefix, error) {
	addr, length, hasLen := strings.Cut(s, "/")
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not a valid %s address (RFC 7208 §5.6)", addr, mech)
	}
	max := 32
	if mech == "ip4" {
		if !ip.Is4() {
			return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 address (RFC 7208 §5.6)", addr)
		}
	} else {
		if !ip.Is6() {
			return netip.Prefix{}, fmt.Errorf("%q is not an IPv6 address (RFC 7208 §5.6)", addr)
		}
		max = 128
	}
	bits := max
	if hasLen {
		if bits, err = cidrLength(length, max); err != nil {
			return netip.Prefix{}, err
		}
	}
	return netip.PrefixFrom(ip, bits).Masked(), nil
}
