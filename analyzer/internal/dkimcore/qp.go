package dkimcore

// DecodeQuotedPrintable decodes a dkim-quoted-printable value (RFC 6376
// §2.11), as used by i= and z=: "=XX" stands for the octet with hex value
// XX, and folding white space is ignored. A malformed escape is a
// KindPermError.
func DecodeQuotedPrintable(s string) (string, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			// RFC 6376 §2.11: FWS in the encoded form is ignored.
		case c == '=':
			if i+2 >= len(s) {
				return "", permErr("quoted-printable escape is cut short")
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", permErr("quoted-printable escape %q is not hex", s[i:i+3])
			}
			out = append(out, hi<<4|lo)
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		// RFC 6376 §2.11 uses upper-case hex, but lower case is
		// harmless to accept.
		return c - 'a' + 10, true
	}
	return 0, false
}
