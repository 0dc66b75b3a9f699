package analyzer

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"headerlens/analyzer/address"
	msgpkg "headerlens/analyzer/message"
)

// maxSummaryLen bounds each summary string; the full text stays in Headers.
const maxSummaryLen = 4096

func summarize(msg *msgpkg.Message) Summary {
	var s Summary
	get := func(name string) string {
		v, _ := msg.First(name)
		return v
	}
	if v := get("From"); v != "" {
		addrs := address.ParseList(v)
		s.From = clean(formatAddresses(addrs, v))
		if len(addrs) > 0 {
			s.FromName = clean(addrs[0].Name)
			s.FromAddress = clean(addrs[0].Address)
			s.FromDomain = address.Domain(addrs[0].Address)
		}
	}
	addresses := func(name string) string {
		v := get(name)
		return clean(formatAddresses(address.ParseList(v), v))
	}
	s.RecipientDomains = []string{}
	for _, t := range transportTargets(msg) {
		if slices.Contains(t.Roles, "recipient") {
			s.RecipientDomains = append(s.RecipientDomains, t.Domain)
		}
	}
	s.To = addresses("To")
	s.Cc = addresses("Cc")
	s.ReplyTo = addresses("Reply-To")
	s.Sender = addresses("Sender")
	s.Subject = clean(address.DecodeText(get("Subject")))
	if v := get("Date"); v != "" {
		s.DateRaw = clean(v)
		if t, err := parseMailDate(v); err == nil {
			s.Date = t.UTC().Format(time.RFC3339)
		}
	}
	if v := get("Message-ID"); v != "" {
		s.MessageID = clean(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">"))
	}
	if v := get("Return-Path"); v != "" {
		s.ReturnPath = clean(address.ReturnPath(v))
	}
	return s
}

// parseMailDate is mail.ParseDate (RFC 5322 §3.3) with a fast path for
// the usual form. mail.ParseDate tries 48 layouts in turn, and each layout
// that does not match builds an error: the usual "Mon, 2 Jan 2006 15:04:05
// -0700" is its 25th. It cuts the text after the numeric zone and tries
// the layouts in order: the first one ("2 Jan 2006 15:04:05 -0700") and,
// when the text starts with a non-digit (so the 24 layouts without a
// day-of-week cannot match), the 25th. When that layout matches, it is
// the one mail.ParseDate would have used; anything else goes to
// mail.ParseDate itself.
func parseMailDate(v string) (time.Time, error) {
	if t, ok := fastMailDate(v); ok {
		return t, nil
	}
	return mail.ParseDate(v)
}

func fastMailDate(v string) (time.Time, bool) {
	if strings.IndexByte(v, '\r') >= 0 {
		return time.Time{}, false
	}
	s := strings.TrimLeft(v, " \t")
	ind := strings.IndexAny(s, "+-")
	if ind < 0 || len(s) < ind+5 || !commentsClosed(s[ind+5:]) {
		return time.Time{}, false
	}
	layout := "Mon, 2 Jan 2006 15:04:05 -0700"
	if '0' <= s[0] && s[0] <= '9' {
		layout = "2 Jan 2006 15:04:05 -0700"
	}
	t, err := time.Parse(layout, s[:ind+5])
	return t, err == nil
}

// commentsClosed reports whether the comments at the start of s (after
// the date) are closed, as mail.ParseDate requires (RFC 5322 §3.2.2 CFWS).
func commentsClosed(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] != '(' {
			return true
		}
		s = s[1:]
		depth := 1
		for s != "" && depth > 0 {
			switch {
			case s[0] == '\\' && len(s) > 1:
				s = s[1:]
			case s[0] == '(':
				depth++
			case s[0] == ')':
				depth--
			}
			s = s[1:]
		}
		if depth != 0 {
			return false
		}
	}
}

func formatAddresses(addrs []address.Address, raw string) string {
	if len(addrs) == 0 {
		return address.DecodeText(raw)
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

// returnPathAddress is address.ReturnPath: the path of a Return-Path
// field (RFC 5322 §3.6.7).
func returnPathAddress(v string) string { return address.ReturnPath(v) }

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
