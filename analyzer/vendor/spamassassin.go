package vendor

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	vendorSpamAssassin = "SpamAssassin"
	vendorSpamFilter   = "Spam filter"
)

// Meanings follow the Mail::SpamAssassin::Conf documentation (add_header,
// "_YESNO_", "_SCORE_", "_REQD_", "_TESTS_", "_AUTOLEARN_", "_VERSION_"
// template tags; the default X-Spam-Status, X-Spam-Flag, X-Spam-Level,
// X-Spam-Report and X-Spam-Checker-Version headers) and the rule
// descriptions shipped in the SpamAssassin rule set.

// saRules describes common SpamAssassin rules (from their "describe" lines).
var saRules = meanings{
	{"ALL_TRUSTED", "passed through trusted hosts only via SMTP"},
	{"AWL", "adjusted by the auto-welcomelist (sender's past average)"},
	{"TXREP", "adjusted by the reputation of the sender"},
	{"BAYES_00", "Bayes spam probability is 0 to 1%"},
	{"BAYES_05", "Bayes spam probability is 1 to 5%"},
	{"BAYES_20", "Bayes spam probability is 5 to 20%"},
	{"BAYES_40", "Bayes spam probability is 20 to 40%"},
	{"BAYES_50", "Bayes spam probability is 40 to 60%"},
	{"BAYES_60", "Bayes spam probability is 60 to 80%"},
	{"BAYES_80", "Bayes spam probability is 80 to 95%"},
	{"BAYES_95", "Bayes spam probability is 95 to 99%"},
	{"BAYES_99", "Bayes spam probability is 99 to 100%"},
	{"BAYES_999", "Bayes spam probability is 99.9 to 100%"},
	{"DKIM_SIGNED", "message has a DKIM or DK signature, not necessarily valid"},
	{"DKIM_VALID", "message has at least one valid DKIM or DK signature"},
	{"DKIM_VALID_AU", "message has a valid DKIM or DK signature from the author's domain"},
	{"DKIM_VALID_EF", "message has a valid DKIM or DK signature from the envelope-from domain"},
	{"DKIM_INVALID", "DKIM or DK signature exists but is not valid"},
	{"DMARC_PASS", "DMARC pass policy"},
	{"DMARC_NONE", "DMARC none policy"},
	{"DMARC_QUAR", "DMARC quarantine policy"},
	{"DMARC_REJECT", "DMARC reject policy"},
	{"DMARC_MISSING", "missing DMARC policy"},
	{"SPF_PASS", "SPF: sender matches SPF record"},
	{"SPF_FAIL", "SPF: sender does not match SPF record (fail)"},
	{"SPF_SOFTFAIL", "SPF: sender does not match SPF record (softfail)"},
	{"SPF_NEUTRAL", "SPF: sender does not match SPF record (neutral)"},
	{"SPF_NONE", "SPF: sender does not publish an SPF record"},
	{"SPF_HELO_PASS", "SPF: HELO matches SPF record"},
	{"SPF_HELO_NONE", "SPF: HELO does not publish an SPF record"},
	{"SPF_HELO_FAIL", "SPF: HELO does not match SPF record (fail)"},
	{"SPF_HELO_SOFTFAIL", "SPF: HELO does not match SPF record (softfail)"},
	{"HTML_MESSAGE", "HTML included in message"},
	{"MIME_HTML_ONLY", "message only has text/html MIME parts"},
	{"MISSING_DATE", "missing Date: header"},
	{"MISSING_MID", "missing Message-Id: header"},
	{"MISSING_HEADERS", "missing To: header"},
	{"MISSING_SUBJECT", "missing Subject: header"},
	{"INVALID_DATE", "invalid Date: header (not RFC 2822)"},
	{"NO_RELAYS", "informational: message was not relayed via SMTP"},
	{"NO_RECEIVED", "informational: message has no Received headers"},
	{"RDNS_NONE", "delivered to internal network by a host with no rDNS"},
	{"RDNS_DYNAMIC", "delivered to internal network by host with dynamic-looking rDNS"},
	{"RAZOR2_CHECK", "listed in Razor2 (http://razor.sf.net/)"},
	{"RAZOR2_CF_RANGE_51_100", "Razor2 gives confidence level above 50%"},
	{"PYZOR_CHECK", "similar message reported to Pyzor (http://pyzor.org/)"},
	{"URIBL_BLOCKED", "ADMINISTRATOR NOTICE: the query to URIBL was blocked (the result says nothing about the message)"},
	{"URIBL_DBL_SPAM", "contains a spam URL listed in the Spamhaus DBL blocklist"},
	{"URIBL_ABUSE_SURBL", "contains an URL listed in the ABUSE SURBL blocklist"},
	{"RCVD_IN_DNSWL_NONE", "sender listed at https://www.dnswl.org/, no trust"},
	{"RCVD_IN_DNSWL_LOW", "sender listed at https://www.dnswl.org/, low trust"},
	{"RCVD_IN_DNSWL_MED", "sender listed at https://www.dnswl.org/, medium trust"},
	{"RCVD_IN_DNSWL_HI", "sender listed at https://www.dnswl.org/, high trust"},
	{"RCVD_IN_MSPIKE_H2", "average reputation (+2) at Mailspike"},
	{"RCVD_IN_SBL", "received via a relay in the Spamhaus SBL"},
	{"RCVD_IN_XBL", "received via a relay in the Spamhaus XBL"},
	{"RCVD_IN_PBL", "received via a relay in the Spamhaus PBL"},
	{"FREEMAIL_FROM", "sender email is commonly abused enduser mail provider"},
	{"FREEMAIL_REPLYTO", "Reply-To/From or Reply-To/body contain different freemails"},
	{"FORGED_HOTMAIL_RCVD", "Received headers claim Hotmail but were not added by Hotmail"},
	{"FORGED_YAHOO_RCVD", "Received headers claim Yahoo but were not added by Yahoo"},
	{"SUBJ_ALL_CAPS", "subject is all capitals"},
	{"T_MULTIPLE_RECIPIENTS", "testing rule: message has multiple recipients"},
	{"SHORTCIRCUIT", "not all rules were run, due to a shortcircuited rule"},
	{"USER_IN_WELCOMELIST", "sender is on the user's welcome list"},
	{"USER_IN_WHITELIST", "sender is on the user's welcome list (older name)"},
	{"USER_IN_BLOCKLIST", "sender is on the user's block list"},
	{"USER_IN_BLACKLIST", "sender is on the user's block list (older name)"},
}

var saAutolearn = meanings{
	{"HAM", "the message was learned as ham by the Bayes classifier"},
	{"SPAM", "the message was learned as spam by the Bayes classifier"},
	{"NO", "the message was not learned (its score was between the learning thresholds)"},
	{"DISABLED", "auto-learning is turned off"},
	{"FAILED", "learning was attempted but failed"},
	{"UNAVAILABLE", "learning was not possible (no Bayes database)"},
}

// registerSpamAssassin adds this file's decoders to t.
func registerSpamAssassin(t decoderTable) {
	t.register(vendorSpamAssassin, decodeSpamStatus, "X-Spam-Status")
	t.register(vendorSpamAssassin, decodeSpamFlag, "X-Spam-Flag")
	t.register(vendorSpamAssassin, decodeSpamLevel, "X-Spam-Level")
	t.register(vendorSpamAssassin, decodeSpamReport, "X-Spam-Report")
	t.register(vendorSpamFilter, decodeSpamScore, "X-Spam-Score")
	t.register(vendorSpamAssassin, func(d *Decoded) {
		v := collapse(d.Raw)
		d.add("checker", v, "the SpamAssassin version and the host that ran it", true)
		d.Summary = "checked by " + v
	}, "X-Spam-Checker-Version")
	// rspamd and others write "X-Spam: Yes" when the add-header action applies.
	t.register(vendorSpamFilter, decodeSpamFlag, "X-Spam")
}

// decodeSpamStatus decodes "Yes, score=7.1 required=5.0 tests=A,B
// autolearn=no version=3.4.6". Older versions write hits= for score=.
func decodeSpamStatus(d *Decoded) {
	v := collapse(d.Raw)
	yn, rest, _ := strings.Cut(v, ",")
	yn = strings.TrimSpace(yn)
	if strings.Contains(yn, "=") {
		yn, rest = "", v
	}
	if yn != "" {
		switch strings.ToLower(yn) {
		case "yes":
			d.add("verdict", yn, "the score reached the required threshold: classified as spam", true)
			d.Verdict = "spam"
		case "no":
			d.add("verdict", yn, "the score stayed below the required threshold: not spam", true)
			d.Verdict = "not-spam"
		default:
			d.add("verdict", yn, "verdict word not documented", false)
		}
	}
	// tests= lists may be split by white space after commas when folded.
	rest = strings.ReplaceAll(rest, ", ", ",")
	var score, req string
	for _, p := range splitPairs(rest, "") {
		k, val := p[0], p[1]
		switch strings.ToLower(k) {
		case "score", "hits":
			score = val
			d.add(k, val, "total score of the rules that matched", true)
		case "required":
			req = val
			d.add(k, val, "threshold at or above which the message counts as spam", true)
		case "tests":
			d.add(k, val, "names of the rules that matched", true)
			for _, r := range strings.Split(val, ",") {
				if r = strings.TrimSpace(r); r == "" || strings.EqualFold(r, "none") {
					continue
				}
				d.rule(r, "")
			}
		case "autolearn":
			d.lookup(k, val, "Bayes auto-learning", saAutolearn)
		case "autolearn_force":
			d.add(k, val, "whether auto-learning was forced by a rule", true)
		case "shortcircuit":
			d.add(k, val, "whether a shortcircuit rule stopped the scan early", true)
		case "version":
			d.add(k, val, "SpamAssassin version", true)
		default:
			d.add(k, val, "not documented by SpamAssassin", false)
		}
	}
	d.Summary = "SpamAssassin"
	if yn != "" {
		d.Summary += ": " + map[bool]string{true: "spam", false: "not spam"}[strings.EqualFold(yn, "yes")]
	}
	if score != "" {
		d.Summary += fmt.Sprintf(", score %s", score)
		if req != "" {
			d.Summary += " of " + req + " required"
		}
	}
}

// rule adds one rule name with its description; desc comes from the
// header itself when the report carries one.
func (d *Decoded) rule(name, desc string) {
	if desc != "" {
		d.add(name, "", desc, true)
		return
	}
	if m, ok := saRules.get(strings.ToUpper(name)); ok {
		d.add(name, "", "rule: "+m, true)
		return
	}
	d.add(name, "", "rule: description not known here (local or less common rule)", false)
}

func decodeSpamFlag(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	switch strings.ToLower(v) {
	case "yes", "true":
		d.add("flag", v, "the filter classified the message as spam", true)
		d.Verdict = "spam"
		d.Summary = "flagged as spam"
	case "no", "false":
		d.add("flag", v, "the filter did not classify the message as spam", true)
		d.Verdict = "not-spam"
		d.Summary = "not flagged as spam"
	default:
		d.add("flag", v, "flag value not documented", false)
		d.Summary = "spam flag " + v
	}
}

// decodeSpamLevel: one character (by default "*") per whole score point.
func decodeSpamLevel(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	if v == "" {
		d.add("level", v, "score below 1 point (one character per point)", true)
		d.Summary = "spam level: below 1 point"
		return
	}
	c := v[0]
	if strings.Count(v, string(c)) != len(v) {
		d.add("level", v, "expected a run of one repeated character", false)
		d.Summary = "spam level " + v
		return
	}
	d.add("level", v, fmt.Sprintf("score of at least %d points (one %q per point)", len(v), string(c)), true)
	d.Summary = fmt.Sprintf("spam level: %d points or more", len(v))
}

func decodeSpamScore(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		d.add("score", v, "score is not a number", false)
		d.Summary = "spam score " + v
		return
	}
	d.add("score", v, "total spam score; the threshold depends on the filter's configuration", true)
	d.Summary = "spam score " + v
}

// decodeSpamReport reads the rule table of the default report template:
// "pts rule name description" lines such as " 0.5 HTML_MESSAGE  BODY: HTML
// included in message". Lines in other shapes are kept as text.
func decodeSpamReport(d *Decoded) {
	n := 0
	for _, line := range reportLines(d.Raw) {
		if name, pts, desc, ok := reportRow(line); ok {
			d.add(name, pts, "rule: "+desc, true)
			n++
			continue
		}
		d.add("text", line, "report text", true)
	}
	d.Summary = fmt.Sprintf("SpamAssassin report: %d rules listed", n)
}

// reportLines splits a report on line breaks; an unfolded report (single
// line) is split before each "<number> <RULE_NAME>" row.
func reportLines(raw string) []string {
	var lines []string
	if strings.ContainsAny(raw, "\r\n") {
		for _, l := range strings.FieldsFunc(raw, func(r rune) bool { return r == '\r' || r == '\n' }) {
			if l = collapse(l); l != "" && strings.Trim(l, "-* ") != "" {
				lines = append(lines, l)
			}
		}
		return lines
	}
	words := strings.Fields(raw)
	var cur []string
	for i, w := range words {
		if isPoints(w) && i+1 < len(words) && isRuleName(words[i+1]) && len(cur) > 0 {
			lines = append(lines, strings.Join(cur, " "))
			cur = nil
		}
		if strings.Trim(w, "-*") == "" {
			continue
		}
		cur = append(cur, w)
	}
	if len(cur) > 0 {
		lines = append(lines, strings.Join(cur, " "))
	}
	return lines
}

func reportRow(line string) (name, pts, desc string, ok bool) {
	f := strings.Fields(strings.TrimLeft(line, "* "))
	if len(f) < 2 || !isPoints(f[0]) || !isRuleName(f[1]) {
		return "", "", "", false
	}
	return f[1], f[0], strings.Join(f[2:], " "), true
}

func isPoints(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// isRuleName: rule names are upper-case letters, digits and underscores.
func isRuleName(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return s[0] < '0' || s[0] > '9'
}
