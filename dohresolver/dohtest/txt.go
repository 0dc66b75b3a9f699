package dohtest

import "strings"

// TXT returns a zone-file TXT record for name with value as its text,
// split into character-strings of at most 255 octets (RFC 1035 §3.3.14),
// which clients join again (RFC 7208 §3.3, RFC 6376 §3.6.2.2). Quotes,
// backslashes and bytes outside printable ASCII are escaped (RFC 1035
// §5.1). An empty value gives one empty character-string.
func TXT(name, value string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(name, ".") + ". 300 IN TXT")
	if value == "" {
		b.WriteString(` ""`)
	}
	for len(value) > 0 {
		n := min(255, len(value))
		writeCharString(&b, value[:n])
		value = value[n:]
	}
	return b.String()
}

// TXTStrings returns a zone-file TXT record for name made of exactly the
// character-strings strs, for tests of how they are joined.
func TXTStrings(name string, strs ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(name, ".") + ". 300 IN TXT")
	for _, s := range strs {
		writeCharString(&b, s)
	}
	return b.String()
}

func writeCharString(b *strings.Builder, s string) {
	b.WriteString(` "`)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			b.WriteString("\\" + string([]byte{'0' + c/100, '0' + c/10%10, '0' + c%10}))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// AddTXT adds dohtest.TXT(name, value) to the server's data.
func (s *Server) AddTXT(name, value string) {
	s.tb.Helper()
	s.AddRR(TXT(name, value))
}
