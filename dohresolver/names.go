package dohresolver

import (
	"fmt"
	"strings"
)

// checkName validates name for querying and returns it fully qualified
// (with the trailing dot). Limits: RFC 1035 §2.3.4 (labels of at most 63
// octets, names of at most 255 octets in wire format, that is 253
// characters in dotted form without the final dot). Internationalized
// names must already be in A-label form (RFC 5891 §4): a name with
// non-ASCII characters is rejected rather than converted.
func checkName(name string) (string, error) {
	n := strings.TrimSuffix(name, ".")
	switch {
	case n == "":
		return "", fmt.Errorf("empty name")
	case len(n) > 253:
		return "", fmt.Errorf("name is %d characters long, longer than 253 (RFC 1035 §2.3.4)", len(n))
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 0x80:
			return "", fmt.Errorf("name %q has non-ASCII characters: internationalized names must be given as A-labels (xn--...), RFC 5891 §4", name)
		case c < ' ' || c == 0x7f:
			// RFC 2181 §11 allows any octet in a label, but a control
			// character in a name is never legitimate mail data.
			return "", fmt.Errorf("name %q has a control character at offset %d", name, i)
		case c == '\\':
			return "", fmt.Errorf("name %q has a backslash at offset %d", name, i)
		}
	}
	for label := range strings.SplitSeq(n, ".") {
		switch {
		case label == "":
			return "", fmt.Errorf("name %q has an empty label", name)
		case len(label) > 63:
			return "", fmt.Errorf("name %q has a label of %d characters, longer than 63 (RFC 1035 §2.3.4)", name, len(label))
		}
	}
	return escapeName(n) + ".", nil
}

// escapeName writes the characters that are special in presentation
// format (RFC 1035 §5.1) with a backslash, the way miekg/dns prints names it
// unpacks. SPF macros can expand to names holding spaces or "@" (RFC 7208
// §7.3), which are valid octets in a label (RFC 2181 §11).
func escapeName(n string) string {
	if !strings.ContainsAny(n, ` ()";@`) {
		return n
	}
	var b strings.Builder
	b.Grow(len(n) + 8)
	for i := 0; i < len(n); i++ {
		switch c := n[i]; c {
		case ' ', '(', ')', '"', ';', '@':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeTXT turns a character-string as miekg/dns presents it (bytes
// '"' and '\' escaped with a backslash, unprintable bytes as \DDD,
// RFC 1035 §5.1) back into its raw bytes.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v <= 255 {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
