package dohresolver

import (
	"fmt"
	"net/netip"
	"strconv"
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
// format (RFC 1035 §5.1) with a backslash, the way headerlens/dnswire
// presents names it parses. SPF macros can expand to names holding spaces,
// "@" or "'" (RFC 7208 §7.3), which are valid octets in a label (RFC 2181
// §11).
func escapeName(n string) string {
	if !strings.ContainsAny(n, ` ()";@'`) {
		return n
	}
	var b strings.Builder
	b.Grow(len(n) + 8)
	for i := 0; i < len(n); i++ {
		switch c := n[i]; c {
		case ' ', '(', ')', '"', ';', '@', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// reverseName returns the name of the PTR records of ip: the octets of
// an IPv4 address in reverse order under in-addr.arpa (RFC 1035 §3.5), the
// nibbles of an IPv6 address in reverse order under ip6.arpa (RFC 3596
// §2.5). An IPv4-mapped IPv6 address is looked up as IPv4.
func reverseName(ip netip.Addr) string {
	ip = ip.Unmap()
	var b []byte
	if ip.Is4() {
		a := ip.As4()
		for i := 3; i >= 0; i-- {
			b = strconv.AppendUint(b, uint64(a[i]), 10)
			b = append(b, '.')
		}
		return string(b) + "in-addr.arpa."
	}
	const hexDigits = "0123456789abcdef"
	a := ip.As16()
	b = make([]byte, 0, 64+len("ip6.arpa."))
	for i := 15; i >= 0; i-- {
		b = append(b, hexDigits[a[i]&0xF], '.', hexDigits[a[i]>>4], '.')
	}
	return string(b) + "ip6.arpa."
}
