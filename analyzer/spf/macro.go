package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// macroToken is one piece of a parsed macro-string (RFC 7208 §7.1): a run of
// literal characters, an escape (%%, %_ or %-), or a macro expansion.
type macroToken struct {
	kind    tokenKind
	text    string // literal or escape replacement
	letter  byte   // macro letter, lower case
	upper   bool   // the letter was written in upper case: URL-escape (§7.3)
	digits  int    // number of right-hand parts to keep; 0 = all
	reverse bool   // the "r" transformer
	delims  string // delimiters; "" means "."
}

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokEscape
	tokMacro
)

// macroString is a parsed macro-string or explain-string.
type macroString struct {
	raw  string
	toks []macroToken
}

// maxTransformDigits caps the DIGIT transformer: no name has more parts than
// this, and it keeps hostile numbers from overflowing.
const maxTransformDigits = 255

// errMacro is wrapped by every macro syntax error.
var errMacro = errors.New("macro syntax error")

// macroMode says where a macro-string appears.
type macroMode uint8

const (
	// inDomain: a domain-spec; c, r and t are not allowed (RFC 7208 §7.2).
	inDomain macroMode = iota
	// inModifier: the value of an unknown modifier, never expanded; every
	// macro letter of the §7.1 grammar is accepted.
	inModifier
	// inExplain: an explain-string (§6.2): spaces and c, r, t allowed.
	inExplain
)

// parseMacroString parses s as a macro-string (RFC 7208 §7.1), or as an
// explain-string (§6.2) in mode inExplain.
func parseMacroString(s string, mode macroMode) (macroString, error) {
	m := macroString{raw: s}
	lit := -1 // start of the current literal run, -1 when none
	flush := func(end int) {
		if lit >= 0 {
			m.toks = append(m.toks, macroToken{kind: tokLiteral, text: s[lit:end]})
			lit = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%':
			flush(i)
			if i+1 >= len(s) {
				// RFC 7208 §7.1: a '%' not followed by '{', '%', '-' or
				// '_' is a syntax error.
				return m, fmt.Errorf("%w: %q ends with a bare %%", errMacro, s)
			}
			switch s[i+1] {
			case '%':
				m.toks = append(m.toks, macroToken{kind: tokEscape, text: "%"})
				i += 2
			case '_':
				m.toks = append(m.toks, macroToken{kind: tokEscape, text: " "})
				i += 2
			case '-':
				m.toks = append(m.toks, macroToken{kind: tokEscape, text: "%20"})
				i += 2
			case '{':
				t, n, err := parseMacroExpand(s[i:], mode)
				if err != nil {
					return m, err
				}
				m.toks = append(m.toks, t)
				i += n
			default:
				return m, fmt.Errorf("%w: %q has %%%c; only %%{, %%%%, %%_ and %%- are allowed", errMacro, s, s[i+1])
			}
		case c >= 0x21 && c <= 0x7e, mode == inExplain && c == ' ':
			// RFC 7208 §7.1: macro-literal = %x21-24 / %x26-7E ('%' is
			// handled above); §6.2: explain-string allows SP.
			if lit < 0 {
				lit = i
			}
			i++
		default:
			return m, fmt.Errorf("%w: %q contains the byte 0x%02x, outside visible ASCII", errMacro, s, c)
		}
	}
	flush(len(s))
	return m, nil
}

// parseMacroExpand parses one "%{...}" at the start of s and returns the
// token and the number of bytes consumed.
func parseMacroExpand(s string, mode macroMode) (macroToken, int, error) {
	// RFC 7208 §7.1: macro-expand = "%{" macro-letter transformers
	// *delimiter "}"; transformers = *DIGIT [ "r" ].
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return macroToken{}, 0, fmt.Errorf("%w: %q has an unterminated %%{", errMacro, s)
	}
	body := s[2:end]
	if body == "" {
		return macroToken{}, 0, fmt.Errorf("%w: empty %%{}", errMacro)
	}
	t := macroToken{kind: tokMacro}
	l := body[0]
	lower := l | 0x20
	switch lower {
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
	case 'c', 'r', 't':
		// RFC 7208 §7.2: c, r and t are allowed only in "exp" text.
		if mode == inDomain {
			return t, 0, fmt.Errorf("%w: %%{%c} is allowed only in explanation text", errMacro, l)
		}
	default:
		return t, 0, fmt.Errorf("%w: %%{%c} is not a macro letter", errMacro, l)
	}
	t.letter = lower
	t.upper = l >= 'A' && l <= 'Z'
	rest := body[1:]
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n > 0 {
		v, err := strconv.Atoi(strings.TrimLeft(rest[:n], "0"))
		if err != nil || v > maxTransformDigits {
			v = maxTransformDigits
		}
		if strings.Trim(rest[:n], "0") == "" {
			// RFC 7208 §7.3: if a DIGIT is specified, the value MUST be
			// nonzero.
			return t, 0, fmt.Errorf("%w: %%{%s} keeps zero parts", errMacro, body)
		}
		t.digits = v
		rest = rest[n:]
	}
	if rest != "" && (rest[0]|0x20) == 'r' {
		t.reverse = true
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		// RFC 7208 §7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "="
		if !strings.ContainsRune(".-+,/_=", rune(rest[i])) {
			return t, 0, fmt.Errorf("%w: %%{%s} has %q where a delimiter or '}' belongs", errMacro, body, rest[i])
		}
	}
	t.delims = rest
	return t, end + 1, nil
}

// hasMacro reports whether the letter appears in m.
func (m macroString) hasMacro(letter byte) bool {
	for _, t := range m.toks {
		if t.kind == tokMacro && t.letter == letter {
			return true
		}
	}
	return false
}

// macroEnv holds the values the macro letters expand to (RFC 7208 §7.2).
type macroEnv struct {
	sender   string // s
	local    string // l
	senderD  string // o
	domain   string // d: the current <domain>
	ip       netip.Addr
	helo     string // h
	receiver string // r
	now      time.Time
	// ptr returns the validated domain name of ip (p); it is called only
	// when the p macro appears.
	ptr func() string
}

// maxExpansion bounds the length of an expanded macro-string; DNS names are
// truncated to 253 octets anyway (§7.3) and explanations are short text.
const maxExpansion = 8 << 10

// expand returns the expansion of m in env (RFC 7208 §7.3).
func (m macroString) expand(env *macroEnv) string {
	var b strings.Builder
	for _, t := range m.toks {
		if b.Len() > maxExpansion {
			break
		}
		switch t.kind {
		case tokLiteral, tokEscape:
			b.WriteString(t.text)
		case tokMacro:
			b.WriteString(t.apply(env.value(t.letter)))
		}
	}
	s := b.String()
	if len(s) > maxExpansion {
		s = s[:maxExpansion]
	}
	return s
}

// value returns the raw value of a macro letter (RFC 7208 §7.2).
func (env *macroEnv) value(letter byte) string {
	switch letter {
	case 's':
		return env.sender
	case 'l':
		return env.local
	case 'o':
		return env.senderD
	case 'd':
		return env.domain
	case 'i':
		return dotIP(env.ip)
	case 'p':
		if env.ptr == nil {
			return "unknown"
		}
		return env.ptr()
	case 'v':
		// RFC 7208 §7.2: "in-addr" if <ip> is IPv4, "ip6" if IPv6.
		if env.ip.Is4() {
			return "in-addr"
		}
		return "ip6"
	case 'h':
		return env.helo
	case 'c':
		// RFC 7208 §7.2: the SMTP client IP in readable form (RFC 5952
		// for IPv6).
		return env.ip.String()
	case 'r':
		if env.receiver == "" {
			return "unknown"
		}
		return env.receiver
	case 't':
		return strconv.FormatInt(env.now.Unix(), 10)
	}
	return ""
}

// dotIP renders ip for the "i" macro: dotted quad for IPv4, and for IPv6
// the 32 nibbles separated by dots (RFC 7208 §7.3), lower-case as in the
// §7.4 examples.
func dotIP(ip netip.Addr) string {
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	b := make([]byte, 0, 63)
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[x>>4], '.', hex[x&0xf])
	}
	return string(b)
}

// apply runs the transformers of t on v (RFC 7208 §7.3): split on the
// delimiters, optionally reverse, keep the right-hand parts, join with
// dots, and URL-escape when the letter was upper case.
func (t macroToken) apply(v string) string {
	delims := t.delims
	if delims == "" {
		delims = "."
	}
	if t.digits > 0 || t.reverse || delims != "." {
		parts := splitAny(v, delims)
		if t.reverse {
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
		}
		if t.digits > 0 && t.digits < len(parts) {
			parts = parts[len(parts)-t.digits:]
		}
		v = strings.Join(parts, ".")
	}
	if t.upper {
		v = urlEscape(v)
	}
	return v
}

// splitAny splits s at every byte found in delims, keeping empty parts.
func splitAny(s, delims string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(delims, s[i]) >= 0 {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// urlEscape percent-encodes every byte outside the URI unreserved set
// (RFC 7208 §7.3, RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~").
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// queryName turns an expanded domain-spec into the name to query: one
// trailing dot is dropped (§7.3 examples; suite "trailing-dot-domain") and
// names longer than 253 octets lose labels from the left until they fit
// (RFC 7208 §7.3).
func queryName(s string) string {
	s = strings.TrimSuffix(s, ".")
	for len(s) > 253 {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	return s
}

// validName reports whether s can be sent as a DNS query name: 1 to 253
// octets, every label 1 to 63 octets, at least two labels (RFC 7208 §4.3,
// RFC 1035 §2.3.4). Names that fail are treated as non-existent (§4.3,
// §4.8).
func validName(s string) bool {
	if s == "" || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
	}
	return true
}
