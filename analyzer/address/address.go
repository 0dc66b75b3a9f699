// Package address reads the mailboxes of address header fields (From,
// Sender, Reply-To, To, Cc; RFC 5322 §3.4 address-list) and the domains of
// addresses, once for the whole analyzer, so that the summary, DMARC's
// Author Domain (RFC 7489 §3.1) and the findings rules always agree on
// what a From field says.
//
// A field is read strictly first (RFC 5322 §3.4, with the obsolete forms of
// §4.4, RFC 2047 encoded words in display names and RFC 6532 UTF-8, through
// go-message's parser). Much real mail is not valid; such a field is read
// leniently: it is split at commas outside quoted strings, comments and
// angle brackets, group names ("team: a@x, b@y;") are dropped, and each
// part gives its angle-addr ("Name <a@x>") or a bare addr-spec. The field is
// attacker-controlled: at most MaxAddresses mailboxes are read.
package address

import (
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// MaxAddresses bounds the mailboxes read from one field.
const MaxAddresses = 100

// Address is one mailbox.
type Address struct {
	// Name is the display name, RFC 2047 decoded; "" when none.
	Name string
	// Address is the addr-spec ("local@domain") as written.
	Address string
}

// decoder decodes RFC 2047 encoded words in every charset go-message knows.
var decoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader is go-message's message.CharsetReader, looked up at each
// call: the WebAssembly build sets it, to the browser's TextDecoder, after
// this package is initialized.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	if message.CharsetReader == nil {
		return nil, fmt.Errorf("no converter for charset %q", charset)
	}
	return message.CharsetReader(charset, r)
}

// ParseList returns the mailboxes of an address field value, groups
// flattened, at most MaxAddresses. It returns nil for a value with none.
func ParseList(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := gomail.ParseAddressList(v); err == nil {
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

// lenient reads a field the strict parser refused, one mailbox per
// comma-separated part.
func lenient(v string) []Address {
	var out []Address
	for _, part := range splitList(v) {
		if len(out) == MaxAddresses {
			break
		}
		part = strings.TrimSpace(part)
		if i := strings.IndexByte(part, ':'); i >= 0 && !strings.ContainsAny(part[:i], "<@\"") {
			// RFC 5322 §3.4 group: "display-name:" before the members.
			part = strings.TrimSpace(part[i+1:])
		}
		part = strings.TrimSpace(strings.TrimSuffix(part, ";"))
		if part == "" {
			continue
		}
		if a, err := gomail.ParseAddress(part); err == nil {
			out = append(out, Address{Name: a.Name, Address: a.Address})
			continue
		}
		// Every angle-addr of the part: "<a@x> <b@y>" names two
		// mailboxes, and DMARC must see both (RFC 7489 §6.6.1).
		found := false
		rest, name := part, ""
		for len(out) < MaxAddresses {
			lt := strings.IndexByte(rest, '<')
			if lt < 0 {
				break
			}
			if !found {
				name = decodeName(rest[:lt])
			}
			addr := rest[lt+1:]
			next := ""
			if gt := strings.IndexByte(addr, '>'); gt >= 0 {
				addr, next = addr[:gt], addr[gt+1:]
			}
			if addr = strings.Trim(addr, "<> \t"); strings.Contains(addr, "@") {
				out = append(out, Address{Name: name, Address: addr})
				found, name = true, ""
			}
			rest = next
		}
		if found || strings.Contains(part, "<") {
			continue
		}
		for _, tok := range strings.Fields(part) {
			tok = strings.Trim(tok, "<>\"'()[],;")
			if len(out) < MaxAddresses && strings.Count(tok, "@") == 1 && !strings.HasPrefix(tok, "@") && !strings.HasSuffix(tok, "@") {
				out = append(out, Address{Address: tok})
			}
		}
	}
	return out
}

// decodeName cleans and decodes a display name found by the lenient
// reader.
func decodeName(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if d, err := decoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// splitList splits on commas outside quoted strings, comments and angle
// brackets (RFC 5322 §3.2.4, §3.2.2, §3.4).
func splitList(s string) []string {
	var out []string
	depth, angle, quote, start := 0, false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && (quote || depth > 0):
			i++
		case c == '"' && depth == 0:
			quote = !quote
		case quote:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '<' && depth == 0:
			angle = true
		case c == '>' && depth == 0:
			angle = false
		case c == ',' && depth == 0 && !angle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Domain returns the domain of an address, lower-cased and without a
// final dot; angle brackets around the address are ignored. It is "" when
// there is no "@" or nothing after the last one. A domain literal
// ("[192.0.2.1]", RFC 5321 §4.1.3) is returned as written.
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
