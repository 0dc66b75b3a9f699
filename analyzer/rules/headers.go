package rules

import (
	"fmt"
	"strings"
	"time"

	"headerlens/analyzer/finding"
)

// Date skew tolerances. Clocks of mail servers and clients drift by
// minutes; a Date an hour after the first hop, or a day before it, is
// beyond drift.
const (
	futureTolerance = time.Hour
	pastTolerance   = 24 * time.Hour
)

// MessageIDRules reports a missing, repeated or malformed Message-ID.
//
// RFC 5322 §3.6.4: every message SHOULD have a Message-ID; §3.6 allows it
// at most once; its syntax is
//
//	msg-id   = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//	id-left  = dot-atom-text / obs-id-left
//	id-right = dot-atom-text / no-fold-literal / obs-id-right
func MessageIDRules(in Input) []finding.Finding {
	var out []finding.Finding
	if len(in.MessageIDs) == 0 {
		return append(out, mk(finding.Warning, CodeMissingMessageID, SourceHeaders,
			"The message has no Message-ID. RFC 5322 §3.6.4 says every message should have one; the first server usually adds it, so its absence suggests the message was made by a script or a badly configured server, which spam filters count against it."))
	}
	if len(in.MessageIDs) > 1 {
		out = append(out, mk(finding.Warning, CodeDuplicateMessageID, SourceHeaders, fmt.Sprintf(
			"The message has %d Message-ID fields; RFC 5322 §3.6 allows one. Clients may thread or deduplicate it wrongly.", len(in.MessageIDs))))
	}
	if problem := MessageIDProblem(in.MessageIDs[0]); problem != "" {
		out = append(out, mk(finding.Warning, CodeMalformedMessageID, SourceHeaders, fmt.Sprintf(
			"The Message-ID %q is not valid (RFC 5322 §3.6.4): %s.", clip(in.MessageIDs[0], 120), problem)))
	}
	return out
}

// MessageIDProblem returns why a Message-ID value breaks RFC 5322 §3.6.4
// syntax, or "" when it is valid. Comments and surrounding white space
// are allowed by [CFWS]; obsolete forms with quoted id-left are accepted.
func MessageIDProblem(v string) string {
	v = strings.TrimSpace(stripComments(v))
	if v == "" {
		return "it is empty"
	}
	if !strings.HasPrefix(v, "<") || !strings.HasSuffix(v, ">") || len(v) < 2 {
		return "it must be enclosed in angle brackets, like <id@host.example>"
	}
	id := v[1 : len(v)-1]
	if strings.ContainsAny(id, "<>") {
		return "it holds more than one bracketed part"
	}
	at := strings.LastIndexByte(id, '@')
	if at < 0 {
		return "it has no \"@\" between the left and right parts"
	}
	left, right := id[:at], id[at+1:]
	if left == "" {
		return "the part before \"@\" is empty"
	}
	if right == "" {
		return "the part after \"@\" is empty"
	}
	if !(len(left) >= 2 && left[0] == '"' && left[len(left)-1] == '"') {
		if strings.ContainsRune(left, '@') {
			return "it has more than one \"@\""
		}
		if p := dotAtomProblem(left); p != "" {
			return "the part before \"@\" " + p
		}
	}
	if strings.HasPrefix(right, "[") && strings.HasSuffix(right, "]") {
		if strings.ContainsAny(right[1:len(right)-1], "[]\\ \t") {
			return "the domain literal after \"@\" holds characters it may not"
		}
		return ""
	}
	if p := dotAtomProblem(right); p != "" {
		return "the part after \"@\" " + p
	}
	return ""
}

// isAtext reports RFC 5322 §3.2.3 atext.
func isAtext(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0 || c >= 0x80 // RFC 6532 §3.2 UTF-8
}

// dotAtomProblem checks RFC 5322 §3.2.3 dot-atom-text.
func dotAtomProblem(s string) string {
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return "has a misplaced dot"
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			if s[i] == ' ' || s[i] == '\t' {
				return "contains white space"
			}
			return fmt.Sprintf("contains the character %q", s[i])
		}
	}
	return ""
}

// stripComments removes RFC 5322 §3.2.2 comments outside quoted strings.
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (inQuote || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			inQuote = !inQuote
		case c == '(' && !inQuote:
			depth++
			continue
		case c == ')' && !inQuote && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// DateRules reports a missing, repeated or unreadable Date, and a Date far
// from the time the first server received the message.
//
// RFC 5322 §3.6: the origination date is required, at most once; §3.6.1:
// it is the time the author submitted the message, so the first Received
// hop (RFC 5321 §4.4) should follow it within minutes.
func DateRules(in Input) []finding.Finding {
	var out []finding.Finding
	if len(in.Dates) == 0 {
		return append(out, mk(finding.Error, CodeMissingDate, SourceHeaders,
			"The message has no Date field, which RFC 5322 §3.6 requires. Clients will sort it by arrival time; spam filters count a missing Date against the message."))
	}
	if len(in.Dates) > 1 {
		out = append(out, mk(finding.Warning, CodeDuplicateDate, SourceHeaders, fmt.Sprintf(
			"The message has %d Date fields; RFC 5322 §3.6 allows one.", len(in.Dates))))
	}
	if in.Date.IsZero() {
		return append(out, mk(finding.Warning, CodeMalformedDate, SourceHeaders, fmt.Sprintf(
			"The Date %q could not be read as an RFC 5322 §3.3 date-time.", clip(strings.TrimSpace(in.Dates[0]), 120))))
	}
	if !in.FirstHopTime.IsZero() {
		d := in.Date.Sub(in.FirstHopTime)
		switch {
		case d > futureTolerance:
			out = append(out, mk(finding.Warning, CodeDateSkew, SourceHeaders, fmt.Sprintf(
				"The Date (%s) is %s after the first server received the message (%s): the sender's clock is wrong or the Date was set to make the message look newer.",
				in.Date.UTC().Format(time.RFC3339), human(d), in.FirstHopTime.UTC().Format(time.RFC3339))))
		case -d > pastTolerance:
			out = append(out, mk(finding.Warning, CodeDateSkew, SourceHeaders, fmt.Sprintf(
				"The Date (%s) is %s before the first server received the message (%s): the message was held back, resent, or its Date was backdated.",
				in.Date.UTC().Format(time.RFC3339), human(-d), in.FirstHopTime.UTC().Format(time.RFC3339))))
		}
	}
	if !in.Now.IsZero() && in.Date.Sub(in.Now) > futureTolerance {
		out = append(out, mk(finding.Warning, CodeDateSkew, SourceHeaders, fmt.Sprintf(
			"The Date (%s) is in the future, %s after the time of this analysis. Some spam is dated ahead so that it sorts at the top of the inbox.",
			in.Date.UTC().Format(time.RFC3339), human(in.Date.Sub(in.Now)))))
	}
	return out
}

// human writes a duration in the largest sensible unit.
func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	default:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
}
