package rules

import (
	"fmt"
	"strings"

	"headerlens/analyzer/finding"
)

// ListUnsubscribeURIs returns the URIs of a List-Unsubscribe value
// (RFC 2369 §2: angle-bracketed URIs separated by commas; comments and
// white space allowed) and a description of text outside that syntax, ""
// when the value is well formed.
func ListUnsubscribeURIs(v string) (uris []string, problem string) {
	s := stripComments(v)
	var stray []string
	for len(s) > 0 && len(uris) < maxPerRule {
		s = strings.TrimLeft(s, " \t\r\n,")
		if s == "" {
			break
		}
		if s[0] == '<' {
			end := strings.IndexByte(s, '>')
			if end < 0 {
				stray = append(stray, s)
				break
			}
			if u := strings.TrimSpace(s[1:end]); u != "" {
				uris = append(uris, u)
			}
			s = s[end+1:]
			continue
		}
		end := strings.IndexAny(s, ",<")
		if end < 0 {
			end = len(s)
		}
		if end == 0 {
			end = 1
		}
		stray = append(stray, strings.TrimSpace(s[:end]))
		s = s[end:]
	}
	switch {
	case len(stray) > 0:
		problem = fmt.Sprintf("the text %q is not inside angle brackets", clip(strings.Join(stray, " "), 80))
	case len(uris) == 0:
		problem = "it holds no URI"
	}
	return uris, problem
}

func scheme(u string) string {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return ""
	}
	return strings.ToLower(u[:i])
}

// BulkSignals reports the signs of bulk mail and checks the unsubscribe
// fields:
//   - List-Unsubscribe (RFC 2369 §3.2) syntax and schemes;
//   - List-Unsubscribe-Post (RFC 8058 §3.1): exactly
//     "List-Unsubscribe=One-Click", an HTTPS URI in List-Unsubscribe, and
//     (§4) a valid DKIM signature covering both fields;
//   - Precedence: bulk/list/junk (RFC 3834 §2 cites it as a bulk marker;
//     RFC 2076 §3.9 notes it is non-standard) and Feedback-ID (Google's
//     Feedback Loop, "Postmaster Tools" help);
//   - missing unsubscribe fields where bulk markers exist (Google "Email
//     sender guidelines" and Yahoo "Sender Best Practices" require one-click
//     unsubscribe from bulk senders since February 2024).
func BulkSignals(in Input) []finding.Finding {
	var out []finding.Finding
	prec := strings.ToLower(strings.TrimSpace(stripComments(in.Precedence)))
	strongBulk := prec == "bulk" || prec == "junk" || strings.TrimSpace(in.FeedbackID) != ""
	listish := prec == "list" || strings.TrimSpace(in.ListID) != ""
	if prec == "bulk" || prec == "junk" || prec == "list" {
		out = append(out, mk(finding.Info, CodeBulkPrecedence, SourceBulk, fmt.Sprintf(
			"Precedence: %s marks the message as bulk or list mail. The field is not standard (RFC 2076 §3.9) but auto-responders should not answer such mail (RFC 3834 §2).", prec)))
	}
	if fb := strings.TrimSpace(in.FeedbackID); fb != "" {
		parts := strings.Split(fb, ":")
		msg := fmt.Sprintf("Feedback-ID %q identifies a bulk sender's campaign for Google's Feedback Loop (Postmaster Tools).", clip(fb, 100))
		if len(parts) >= 2 {
			msg += fmt.Sprintf(" The last part, %q, names the sender.", parts[len(parts)-1])
		}
		out = append(out, mk(finding.Info, CodeBulkFeedbackID, SourceBulk, msg))
	}
	var uris []string
	if in.ListUnsubscribePresent {
		var problem string
		uris, problem = ListUnsubscribeURIs(in.ListUnsubscribe)
		if problem != "" {
			out = append(out, mk(finding.Warning, CodeBulkListUnsubscribeSyntax, SourceBulk, fmt.Sprintf(
				"List-Unsubscribe is malformed: %s. RFC 2369 §2 requires each URI in angle brackets, like <mailto:leave@example.com>, <https://example.com/u/123>; clients may not offer an unsubscribe button.", problem)))
		}
		if len(uris) > 0 {
			var kinds []string
			for _, u := range uris {
				kinds = append(kinds, scheme(u))
			}
			out = append(out, mk(finding.Info, CodeBulkListUnsubscribe, SourceBulk, fmt.Sprintf(
				"The message offers unsubscribing (List-Unsubscribe, RFC 2369 §3.2) by %s. Mail clients can show an unsubscribe button; this is how legitimate bulk mail behaves.", strings.Join(kinds, " and "))))
		}
	} else if strongBulk || listish {
		sev := finding.Info
		why := "The message looks like list mail (List-Id or Precedence: list) but has no List-Unsubscribe field (RFC 2369 §3.2)."
		if strongBulk {
			sev = finding.Warning
			why = "The message carries bulk-mail markers (Precedence: bulk or a Feedback-ID) but has no List-Unsubscribe field. Gmail and Yahoo require bulk senders to offer one-click unsubscribe (RFC 2369, RFC 8058); such mail is more likely to be filtered as spam."
		}
		out = append(out, mk(sev, CodeBulkNoListUnsubscribe, SourceBulk, why))
	}
	if in.ListUnsubscribePostPresent {
		out = append(out, oneClick(in, uris)...)
	} else if in.ListUnsubscribePresent && strongBulk {
		out = append(out, mk(finding.Info, CodeBulkOneClickMissing, SourceBulk,
			"The message has List-Unsubscribe but no List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058). Gmail and Yahoo ask bulk senders for one-click unsubscribe."))
	}
	return out
}

// oneClick checks RFC 8058 one-click unsubscribe.
func oneClick(in Input, uris []string) []finding.Finding {
	var out []finding.Finding
	ok := true
	// RFC 8058 §3.1: the field MUST contain the single key/value pair
	// "List-Unsubscribe=One-Click".
	if v := strings.TrimSpace(in.ListUnsubscribePost); !strings.EqualFold(v, "List-Unsubscribe=One-Click") {
		ok = false
		out = append(out, mk(finding.Warning, CodeBulkOneClickInvalid, SourceBulk, fmt.Sprintf(
			"List-Unsubscribe-Post is %q; RFC 8058 §3.1 requires exactly \"List-Unsubscribe=One-Click\", so clients will not offer one-click unsubscribe.", clip(v, 80))))
	}
	// RFC 8058 §3.1: List-Unsubscribe MUST contain one HTTPS URI.
	https := false
	for _, u := range uris {
		if scheme(u) == "https" {
			https = true
		}
	}
	if !https {
		ok = false
		msg := "List-Unsubscribe-Post asks for one-click unsubscribe, but List-Unsubscribe has no HTTPS URI to post to (RFC 8058 §3.1)."
		if !in.ListUnsubscribePresent {
			msg = "List-Unsubscribe-Post is present without a List-Unsubscribe field, so there is nothing to post to (RFC 8058 §3.1)."
		}
		out = append(out, mk(finding.Warning, CodeBulkOneClickNoHTTPS, SourceBulk, msg))
	}
	// RFC 8058 §4: both fields MUST be covered by a valid DKIM signature.
	var covering []DKIMSignature
	for _, sig := range in.DKIM {
		var lu, lup bool
		for _, h := range sig.SignedHeaders {
			switch strings.ToLower(strings.TrimSpace(h)) {
			case "list-unsubscribe":
				lu = true
			case "list-unsubscribe-post":
				lup = true
			}
		}
		if lu && lup {
			covering = append(covering, sig)
		}
	}
	note := ""
	switch {
	case len(covering) == 0:
		ok = false
		out = append(out, mk(finding.Warning, CodeBulkOneClickUnsigned, SourceBulk,
			"No DKIM signature covers both List-Unsubscribe and List-Unsubscribe-Post (its h= tag must list them). RFC 8058 §4 requires that, so receivers should ignore the one-click request."))
	default:
		passed, unverified := false, false
		for _, sig := range covering {
			switch strings.ToLower(string(sig.Result)) {
			case "pass":
				passed = true
			case "":
				unverified = true
			}
		}
		switch {
		case passed:
			note = fmt.Sprintf(" A valid DKIM signature (d=%s) covers both fields, as RFC 8058 §4 requires.", covering[0].Domain)
		case unverified:
			note = fmt.Sprintf(" The DKIM signature of d=%s covers both fields; RFC 8058 §4 requires it to be valid, which the DKIM check decides.", covering[0].Domain)
		default:
			ok = false
			out = append(out, mk(finding.Warning, CodeBulkOneClickUnsigned, SourceBulk, fmt.Sprintf(
				"The DKIM signature covering List-Unsubscribe and List-Unsubscribe-Post (d=%s) did not verify (%s); RFC 8058 §4 requires a valid one, so receivers should ignore the one-click request.",
				covering[0].Domain, covering[0].Result)))
		}
	}
	if ok {
		out = append(out, mk(finding.Info, CodeBulkOneClick, SourceBulk,
			"The message supports one-click unsubscribe (RFC 8058): the mail client can unsubscribe with a single HTTPS POST."+note))
	}
	return out
}
