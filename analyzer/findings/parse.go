package findings

import (
	"net/mail"
	"strings"
)

// maxAddresses bounds the mailboxes read from one field.
const maxAddresses = 100

// ParseAddresses reads the mailboxes of an address field (From, Reply-To,
// Sender) for Input: RFC 5322 §3.4 address-list with RFC 2047 encoded
// display names decoded (net/mail). When the list is not valid it falls
// back to a lenient reading, one mailbox per comma-separated part:
// "Name <addr>" or a bare "addr". Groups (RFC 5322 §3.4 "name: a, b;")
// contribute their members.
func ParseAddresses(value string) []Address {
	var out []Address
	if list, err := mail.ParseAddressList(value); err == nil {
		for _, a := range list {
			if len(out) == maxAddresses {
				break
			}
			out = append(out, Address{Name: a.Name, Address: a.Address})
		}
		return out
	}
	dec := new(mail.AddressParser)
	for _, part := range splitOutsideQuotes(value) {
		if len(out) == maxAddresses {
			break
		}
		part = strings.TrimSpace(part)
		if i := strings.IndexByte(part, ':'); i >= 0 && !strings.Contains(part[:i], "<") && !strings.Contains(part[:i], "@") {
			part = strings.TrimSpace(part[i+1:]) // group name
		}
		part = strings.TrimSuffix(part, ";")
		if part == "" {
			continue
		}
		if a, err := dec.Parse(part); err == nil {
			out = append(out, Address{Name: a.Name, Address: a.Address})
			continue
		}
		if lt := strings.LastIndexByte(part, '<'); lt >= 0 {
			gt := strings.IndexByte(part[lt:], '>')
			addr := part[lt+1:]
			if gt >= 0 {
				addr = part[lt+1 : lt+gt]
			}
			name := strings.Trim(strings.TrimSpace(part[:lt]), `"`)
			out = append(out, Address{Name: name, Address: strings.TrimSpace(addr)})
			continue
		}
		if strings.Contains(part, "@") {
			out = append(out, Address{Address: strings.Trim(part, "<> \t")})
		}
	}
	return out
}

// splitOutsideQuotes splits on commas outside quoted strings, comments
// and angle brackets.
func splitOutsideQuotes(s string) []string {
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
