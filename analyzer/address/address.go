// Package address reads the mailboxes of address header fields (From,
// Sender, Reply-To, To, Cc; RFC 5322 §3.4 address-list) and the domains of
// addresses, once for the whole analyzer, so that the summary, DMARC's
// Author Domain (RFC 7489 §3.1), the findings rules and the companion
// targets always agree on what a field says.
//
// A field is read strictly first (RFC 5322 §3.4 and §3.4.1, with the
// obsolete forms of §4.4, RFC 2047 encoded words in display names and RFC
// 6532 UTF-8 addresses, through net/mail). Much real mail is not valid;
// such a field is read leniently by one reader: it is split at commas (and
// the semicolons that end groups) outside quoted strings, comments and
// angle brackets, comments are dropped, group names ("team: a@x, b@y;")
// are dropped, and each part gives every angle-addr it holds ("Name
// <a@x>"), or else its bare addr-specs. Internationalized domains (RFC
// 5890) are returned as written, U-labels or A-labels; callers that query
// DNS convert them (RFC 5891).
//
// The fields are attacker-controlled: at most MaxAddresses mailboxes are
// read from one field, and the work is linear in its length.
package address

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"

	"github.com/emersion/go-message"
)

// MaxAddresses bounds the mailboxes read from one field.
const MaxAddresses = 100

// Address is one mailbox.
type Address struct {
	// Name is the display name, RFC 2047 decoded; "" when none.
	Name string
	// Address is the addr-spec ("local@domain") as written, without angle
	// brackets; a quoted local part loses its quotes, as net/mail gives it.
	// It always holds an "@" with text on both sides.
	Address string
}

// decoder decodes RFC 2047 encoded words (RFC 2047 §6.1) in every charset
// the program can convert, and never fails on a charset it cannot.
var decoder = &mime.WordDecoder{CharsetReader: charsetReader}

// parser is the strict reader (RFC 5322 §3.4) with decoder for display
// names.
var parser = &mail.AddressParser{WordDecoder: decoder}

// charsetReader converts text in a charset other than UTF-8, US-ASCII and
// ISO-8859-1 (which mime.WordDecoder handles itself) through go-message's
// message.CharsetReader, looked up at each call: the program that links
// the analyzer chooses the converter (the command line every IANA charset,
// the WebAssembly build the browser's TextDecoder, set after this package
// is initialized).
//
// A word in a charset with no converter is kept as an encoded word (RFC
// 2047 §6.2 (a): show it as it appears), rebuilt in the Q encoding from
// its bytes; printable ASCII text is shown as it is. It is never an error,
// so whether a field reads strictly, and so which addresses it gives,
// does not depend on the converters the program was built with.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if conv := message.CharsetReader; conv != nil {
		if cr, err := conv(charset, bytes.NewReader(b)); err == nil {
			return cr, nil
		}
	}
	return strings.NewReader(mime.QEncoding.Encode(charset, string(b))), nil
}

// strict decodes RFC 2047 encoded words like decoder, but fails on a
// charset the program has no converter for.
var strict = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	if conv := message.CharsetReader; conv != nil {
		return conv(charset, r)
	}
	return nil, fmt.Errorf("no converter for charset %q", charset)
}}

// nextEncodedWord returns the start and end of the first RFC 2047 §2
// encoded-word in v at or after from ("=?" charset "?" B or Q "?" text
// "?=", no white space or "?" inside the parts), or -1, -1. It is written
// out rather than a regular expression, which would link regexp's Unicode
// tables into the WebAssembly build (about 0.5 MB).
func nextEncodedWord(v string, from int) (int, int) {
	for i := from; i+1 < len(v); i++ {
		if v[i] != '=' || v[i+1] != '?' {
			continue
		}
		// part scans a run of bytes that are neither '?' nor white space.
		part := func(j int) int {
			for j < len(v) && v[j] != '?' && v[j] != ' ' && v[j] != '\t' && v[j] != '\r' && v[j] != '\n' {
				j++
			}
			return j
		}
		cs := part(i + 2)
		if cs == i+2 || cs+2 >= len(v) || v[cs] != '?' || strings.IndexByte("bBqQ", v[cs+1]) < 0 || v[cs+2] != '?' {
			continue
		}
		text := part(cs + 3)
		if text+1 < len(v) && v[text] == '?' && v[text+1] == '=' {
			return i, text + 2
		}
	}
	return -1, -1
}

// DecodeText decodes the RFC 2047 encoded words of an unstructured field
// such as Subject (RFC 2047 §5 (1), §6.1). A word that cannot be decoded,
// malformed or in a charset the program cannot convert, stays exactly as
// written (RFC 2047 §6.2 (a)); the others are decoded.
func DecodeText(v string) string {
	if d, err := strict.DecodeHeader(v); err == nil {
		return d
	}
	var b strings.Builder
	last, afterWord := 0, false
	for {
		start, end := nextEncodedWord(v, last)
		if start < 0 {
			break
		}
		// RFC 2047 §6.2: white space between adjacent encoded words is
		// not shown.
		if between := v[last:start]; !afterWord || strings.Trim(between, " \t\r\n") != "" {
			b.WriteString(between)
		}
		word := v[start:end]
		if d, err := strict.DecodeHeader(word); err == nil {
			b.WriteString(d)
		} else {
			b.WriteString(word)
		}
		last, afterWord = end, true
	}
	b.WriteString(v[last:])
	return b.String()
}

// ParseList returns the mailboxes of an address field value (RFC 5322
// §3.4 address-list), groups flattened, at most MaxAddresses. It returns
// nil for a value with none, such as an empty group ("undisclosed:;").
func ParseList(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := parser.ParseList(v); err == nil {
		if len(list) == 0 {
			return nil
		}
		out := make([]Address, 0, min(len(list), MaxAddresses))
		for _, a := range list[:min(len(list), MaxAddresses)] {
			out = append(out, Address{Name: a.Name, Address: a.Address})
		}
		return out
	}
	return lenient(v)
}

// lenient reads a field the strict parser refused, part by part.
func lenient(v string) []Address {
	var out []Address
	quotes := true
	for rest := v; rest != "" && len(out) < MaxAddresses; {
		part, next, open := nextPart(rest, quotes)
		if open {
			// A quoted string that never ends would swallow the rest
			// of the field: from here on '"' is plain text (once, so
			// that the work stays linear).
			quotes = false
			part, next, _ = nextPart(rest, quotes)
		}
		out = readPart(out, part, quotes)
		rest = next
	}
	return out
}

// nextPart returns the text before the first separator of s and the text
// after it. Separators are commas between mailboxes and the semicolons
// that end groups (RFC 5322 §3.4), outside quoted strings (§3.2.4, only
// when quotes is set), comments (§3.2.2, nested, to the end of s when not
// closed) and angle brackets. An angle-addr holds no comma except in an
// obsolete route ("<@a,@b:u@x>", §4.4), so a comma in angle brackets that
// do not start with "@" ends the part: "A <a@x, B <b@y>" lacks a ">".
// open reports that s ended inside a quoted string.
func nextPart(s string, quotes bool) (part, rest string, open bool) {
	depth, quote := 0, false
	angle, route, routeKnown := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if angle && !routeKnown && c != ' ' && c != '\t' {
			route, routeKnown = c == '@', true
		}
		switch {
		case quote:
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = false
			}
		case depth > 0:
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
		case c == '"' && quotes:
			quote = true
		case c == '(':
			depth = 1
		case c == '<':
			angle, routeKnown = true, false
		case c == '>':
			angle = false
		case c == ',' && angle && route:
		case c == ',' || c == ';':
			return s[:i], s[i+1:], false
		}
	}
	return s, "", quote
}

// readPart appends the mailboxes of one part of a field that the strict
// parser refused.
func readPart(out []Address, part string, quotes bool) []Address {
	part = strings.TrimSpace(part)
	// RFC 5322 §3.4.1: every addr-spec has an "@".
	if !strings.Contains(part, "@") {
		return out
	}
	if a, err := parser.Parse(part); err == nil {
		return append(out, Address{Name: a.Name, Address: a.Address})
	}
	text := stripComments(part, quotes)
	if i := groupColon(text, quotes); i >= 0 {
		// RFC 5322 §3.4 group: "display-name:" before the first member.
		text = strings.TrimSpace(text[i+1:])
		if a, err := parser.Parse(text); err == nil {
			return append(out, Address{Name: a.Name, Address: a.Address})
		}
	}
	if n := len(out); strings.IndexByte(text, '<') >= 0 {
		if out = angleAddrs(out, text); len(out) > n {
			return out
		}
	}
	// No angle-addr: the bare addr-specs of the part (RFC 5322 §3.4
	// mailbox = addr-spec).
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '<' || r == '>'
	}) {
		if len(out) == MaxAddresses {
			break
		}
		if tok = strings.Trim(tok, "\"'"); isAddrSpec(tok) {
			out = append(out, Address{Address: tok})
		}
	}
	return out
}

// angleAddrs appends every angle-addr of text (RFC 5322 §3.4 name-addr):
// "<a@x> <b@y>" names two mailboxes, which DMARC must both see (RFC 7489
// §6.6.1). The text before the first one is the display name. An angle
// bracket that is not closed runs to the end of the text, and of "<<a@x>"
// or "<a@x <b@y>" the innermost one counts.
func angleAddrs(out []Address, text string) []Address {
	first := true
	for len(out) < MaxAddresses {
		lt := strings.IndexByte(text, '<')
		if lt < 0 {
			break
		}
		name := text[:lt]
		seg, next := text[lt+1:], ""
		if gt := strings.IndexByte(seg, '>'); gt >= 0 {
			seg, next = seg[:gt], seg[gt+1:]
		}
		if in := strings.LastIndexByte(seg, '<'); in >= 0 {
			// The outer text stays in the display name, where the
			// findings rules look for spoofed addresses.
			name, seg = strings.TrimRight(name+"<"+seg[:in], "< \t"), seg[in+1:]
		}
		addr := strings.TrimSpace(seg)
		if strings.HasPrefix(addr, "@") {
			// RFC 5322 §4.4 obs-route "@a,@b:" before the addr-spec.
			if c := strings.LastIndexByte(addr, ':'); c >= 0 {
				addr = strings.TrimSpace(addr[c+1:])
			}
		}
		if isAddrSpec(addr) {
			a := Address{Address: addr}
			if first {
				a.Name = displayName(name)
			}
			out = append(out, a)
			first = false
		}
		text = next
	}
	return out
}

// isAddrSpec reports whether s can be read as local@domain (RFC 5322
// §3.4.1): text without white space or angle brackets before the last
// "@", and after it a domain literal ("[...]") or a domain of atext and
// dots, UTF-8 allowed (RFC 6532 §3.2), not only dots.
func isAddrSpec(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || strings.ContainsAny(s, " \t<>") {
		return false
	}
	d := s[at+1:]
	if len(d) > 2 && d[0] == '[' && d[len(d)-1] == ']' {
		return true
	}
	for i := 0; i < len(d); i++ {
		// RFC 5322 §3.2.3: specials are not atext.
		if c := d[i]; c < 0x21 || c == 0x7f || strings.IndexByte(`()<>[]:;@\,"`, c) >= 0 {
			return false
		}
	}
	return strings.Trim(d, ".") != ""
}

// displayName cleans and decodes a display name found by the lenient
// reader: a quoted string (RFC 5322 §3.2.4) loses its quotes and
// backslashes, and RFC 2047 words are decoded.
func displayName(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(s)-1; i++ {
			if s[i] == '\\' && i+1 < len(s)-1 {
				i++
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	} else {
		s = strings.Trim(s, `"`)
	}
	return DecodeText(strings.TrimSpace(s))
}

// stripComments removes the comments of s (RFC 5322 §3.2.2), nested or not
// closed, outside quoted strings when quotes is set.
func stripComments(s string, quotes bool) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth, quote := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == '"' {
				quote = false
			}
		case depth > 0:
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
		case c == '(':
			depth = 1
			b.WriteByte(' ')
		default:
			if c == '"' && quotes {
				quote = true
			}
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// groupColon returns the index of the ":" that ends a group's display name
// (RFC 5322 §3.4 group), or -1: the first ":" outside quoted strings,
// before any "<" or "@".
func groupColon(s string, quotes bool) int {
	quote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote:
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = false
			}
		case c == '"' && quotes:
			quote = true
		case c == ':':
			return i
		case c == '<' || c == '@':
			return -1
		}
	}
	return -1
}

// Domain returns the domain of an address, lower-cased and without a
// final dot; angle brackets around the address are ignored. It is "" when
// there is no "@" or nothing after the last one. A domain literal
// ("[192.0.2.1]", RFC 5321 §4.1.3) is returned as written, and an
// internationalized domain (RFC 6532 §3.2) in the labels it was written
// with.
func Domain(addr string) string {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}

// PathDomain returns the domain of an envelope path or of a value that is
// a bare domain, as SMTP MAIL FROM and Authentication-Results'
// smtp.mailfrom may be (RFC 5321 §4.1.2, RFC 8601 §2.7.2): the domain
// after "@", or the whole value when there is none.
func PathDomain(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if strings.Contains(s, "@") {
		return Domain(s)
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// ReturnPath returns the path of a Return-Path field value (RFC 5322
// §3.6.7, written by the delivering server, RFC 5321 §4.4): the text
// between the first "<" and the next ">", or the whole value trimmed when
// it has no angle brackets. The null path "<>" gives "".
func ReturnPath(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j >= 0 {
			return strings.TrimSpace(v[i+1 : i+j])
		}
	}
	return v
}

// IsDNSName reports whether s is a syntactically usable DNS name in text
// form, without a final dot: labels of 1 to 63 octets, 253 octets in all
// (RFC 1035 §2.3.4: 255 on the wire), made of ASCII letters, digits, "-"
// and "_". The underscore is not allowed in host names (RFC 1123 §2.1) but
// is in other names: DKIM selectors (RFC 6376 §3.1), "_dmarc" (RFC 7489
// §6.1). Internationalized names must be converted to A-labels first (RFC
// 5891 §5).
func IsDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		if label++; label > 63 {
			return false
		}
	}
	return label > 0
}
