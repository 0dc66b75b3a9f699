package analyzer

import (
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // RFC 2047 words in any IANA charset
	gomail "github.com/emersion/go-message/mail"

	msgpkg "headerlens/analyzer/message"
)

// wordDecoder decodes RFC 2047 encoded words in every charset go-message
// knows (RFC 2047 §6.1).
var wordDecoder = &mime.WordDecoder{CharsetReader: message.CharsetReader}

// maxSummaryLen bounds each summary string; the full text stays in Headers.
const maxSummaryLen = 4096

func summarize(msg *msgpkg.Message) Summary {
	var s Summary
	get := func(name string) string {
		v, _ := msg.First(name)
		return v
	}
	if v := get("From"); v != "" {
		addrs := parseAddressList(v)
		s.From = clean(formatAddresses(addrs, v))
		if len(addrs) > 0 {
			s.FromName = clean(addrs[0].Name)
			s.FromAddress = clean(addrs[0].Address)
			s.FromDomain = strings.ToLower(strings.TrimSuffix(domainOf(addrs[0].Address), "."))
		}
	}
	s.To = clean(formatAddresses(parseAddressList(get("To")), get("To")))
	s.Cc = clean(formatAddresses(parseAddressList(get("Cc")), get("Cc")))
	s.ReplyTo = clean(formatAddresses(parseAddressList(get("Reply-To")), get("Reply-To")))
	s.Sender = clean(formatAddresses(parseAddressList(get("Sender")), get("Sender")))
	s.Subject = clean(decodeText(get("Subject")))
	if v := get("Date"); v != "" {
		s.DateRaw = clean(v)
		if t, err := mail.ParseDate(v); err == nil {
			s.Date = t.UTC().Format(time.RFC3339)
		}
	}
	if v := get("Message-ID"); v != "" {
		s.MessageID = clean(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">"))
	}
	if v := get("Return-Path"); v != "" {
		s.ReturnPath = clean(returnPathAddress(v))
	}
	return s
}

// parseAddressList parses an address list strictly (RFC 5322 §3.4), and
// falls back to picking out addr-specs when the strict parser refuses the
// field, as it does for much real mail.
func parseAddressList(v string) []*mail.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if addrs, err := gomail.ParseAddressList(v); err == nil {
		return addrs
	}
	return lenientAddresses(v)
}

// lenientAddresses finds "name <addr>" pairs or bare addresses in v.
func lenientAddresses(v string) []*mail.Address {
	var out []*mail.Address
	rest := v
	for len(out) < 100 {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			break
		}
		addr := strings.Trim(rest[lt+1:lt+gt], "<> \t")
		name := strings.Trim(strings.TrimSpace(rest[:lt]), `",`)
		if i := strings.LastIndexByte(name, ','); i >= 0 {
			name = strings.TrimSpace(name[i+1:])
		}
		if strings.Contains(addr, "@") {
			out = append(out, &mail.Address{Name: decodeText(name), Address: addr})
		}
		rest = rest[lt+gt+1:]
	}
	if len(out) > 0 {
		return out
	}
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		tok = strings.Trim(tok, `<>"()`)
		if strings.Count(tok, "@") == 1 && !strings.HasPrefix(tok, "@") && !strings.HasSuffix(tok, "@") {
			out = append(out, &mail.Address{Address: tok})
		}
	}
	return out
}

func formatAddresses(addrs []*mail.Address, raw string) string {
	if len(addrs) == 0 {
		return decodeText(raw)
	}
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		if a.Name != "" {
			parts[i] = a.Name + " <" + a.Address + ">"
		} else {
			parts[i] = a.Address
		}
	}
	return strings.Join(parts, ", ")
}

func decodeText(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// returnPathAddress extracts the path of a Return-Path (RFC 5322 §3.6.7);
// the null path "<>" gives "".
func returnPathAddress(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j >= 0 {
			return strings.TrimSpace(v[i+1 : i+j])
		}
	}
	return v
}

// clean makes s safe to show: valid UTF-8, no control characters other
// than tab, and at most maxSummaryLen bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > maxSummaryLen {
		cut := maxSummaryLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}
