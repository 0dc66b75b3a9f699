package vendor

import (
	"fmt"
	"strconv"
	"strings"
)

const vendorRspamd = "rspamd"

// Meanings follow the rspamd documentation: "Milter headers module"
// (x-spamd-result, x-rspamd-server, x-rspamd-queue-id, x-spamd-bar,
// x-spam-level, x-rspamd-action routines), "Actions and scores" (action
// names) and the symbol descriptions of the SPF, DKIM, DMARC, ARC, Bayes
// and header modules.

// rspamdActions: the documented actions.
var rspamdActions = meanings{
	{"NO ACTION", "deliver normally"},
	{"GREYLIST", "temporarily reject to test the sender's retry behaviour"},
	{"ADD HEADER", "deliver with a spam header added (usually filed as junk)"},
	{"REWRITE SUBJECT", "deliver with a marked Subject"},
	{"SOFT REJECT", "temporarily reject the message"},
	{"REJECT", "permanently reject the message"},
}

var rspamdActionVerdict = meanings{
	{"NO ACTION", "not-spam"}, {"ADD HEADER", "spam"}, {"REWRITE SUBJECT", "spam"},
	{"SOFT REJECT", "spam"}, {"REJECT", "spam"},
}

// rspamdSymbols describes common rspamd symbols.
var rspamdSymbols = meanings{
	{"R_SPF_ALLOW", "SPF verification allows sending"},
	{"R_SPF_FAIL", "SPF verification failed"},
	{"R_SPF_SOFTFAIL", "SPF verification soft-failed"},
	{"R_SPF_NEUTRAL", "SPF policy is neutral"},
	{"R_SPF_NA", "missing SPF record"},
	{"R_SPF_DNSFAIL", "SPF DNS failure"},
	{"R_SPF_PERMFAIL", "SPF record is malformed or persistent DNS error"},
	{"R_DKIM_ALLOW", "DKIM verification succeeded"},
	{"R_DKIM_REJECT", "DKIM verification failed"},
	{"R_DKIM_NA", "missing DKIM signature"},
	{"R_DKIM_TEMPFAIL", "DKIM verification soft-failed (temporary error)"},
	{"R_DKIM_PERMFAIL", "DKIM verification hard-failed (invalid signature or key)"},
	{"DKIM_TRACE", "DKIM trace: domains and results (+ pass, - fail, ? temporary, ~ permanent error)"},
	{"DMARC_POLICY_ALLOW", "DMARC permit policy"},
	{"DMARC_POLICY_ALLOW_WITH_FAILURES", "DMARC permit policy with DKIM/SPF failure"},
	{"DMARC_POLICY_REJECT", "DMARC reject policy"},
	{"DMARC_POLICY_QUARANTINE", "DMARC quarantine policy"},
	{"DMARC_POLICY_SOFTFAIL", "DMARC failed"},
	{"DMARC_NA", "no DMARC record"},
	{"ARC_ALLOW", "ARC checks success"},
	{"ARC_REJECT", "ARC checks failed"},
	{"ARC_INVALID", "ARC structure invalid"},
	{"ARC_DNSFAIL", "ARC DNS error"},
	{"ARC_NA", "ARC signature absent"},
	{"BAYES_SPAM", "message probably spam, probability shown as option"},
	{"BAYES_HAM", "message probably ham, probability shown as option"},
	{"FORGED_SENDER", "sender is forged (different From: header and SMTP MAIL FROM addresses)"},
	{"FROM_HAS_DN", "From header has a display name"},
	{"FROM_EQ_ENVFROM", "From address is the same as the envelope"},
	{"FROM_NEQ_ENVFROM", "From address is different to the envelope"},
	{"TO_DN_NONE", "none of the recipients have display names"},
	{"TO_MATCH_ENVRCPT_ALL", "all of the recipients match the envelope"},
	{"RCPT_COUNT_ONE", "one recipient"},
	{"RCVD_TLS_ALL", "all hops used encrypted transports"},
	{"RCVD_TLS_LAST", "last hop used encrypted transports"},
	{"RCVD_NO_TLS_LAST", "last hop did not use encrypted transports"},
	{"MIME_GOOD", "known content-type"},
	{"MID_RHS_MATCH_FROM", "Message-ID right-hand side matches the From domain"},
	{"MX_GOOD", "MX was ok"},
	{"ASN", "information about the sender's autonomous system"},
	{"PREVIOUSLY_DELIVERED", "message for a recipient was already delivered"},
	{"R_MIXED_CHARSET", "mixed characters in a message"},
	{"FUZZY_DENIED", "matched a denied fuzzy hash (known spam)"},
}

// registerRspamd adds this file's decoders to t.
func registerRspamd(t decoderTable) {
	t.register(vendorRspamd, decodeSpamdResult, "X-Spamd-Result")
	t.register(vendorRspamd, decodeSpamScore, "X-Rspamd-Score")
	t.register(vendorRspamd, func(d *Decoded) {
		v := collapse(d.Raw)
		d.lookup("action", v, "action chosen by rspamd", rspamdActions)
		d.Verdict, _ = rspamdActionVerdict.get(strings.ToUpper(v))
		d.Summary = "rspamd action: " + v
	}, "X-Rspamd-Action")
	t.register(vendorRspamd, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("server", v, "host name of the rspamd scanner", true)
		d.Summary = "scanned by rspamd on " + v
	}, "X-Rspamd-Server")
	t.register(vendorRspamd, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("queue-id", v, "the MTA queue ID of the scanned message", true)
		d.Summary = "rspamd queue ID " + v
	}, "X-Rspamd-Queue-Id")
	t.register(vendorRspamd, decodeSpamdBar, "X-Spamd-Bar")
}

// splitTop splits s on sep outside brackets and parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			if depth > 0 {
				depth--
			}
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
				if len(out) >= maxFields {
					return out
				}
			}
		}
	}
	return append(out, s[start:])
}

// decodeSpamdResult decodes "default: False [1.20 / 15.00]; SYM(score)[opts]; ...".
// The word after the metric name says whether the message reached the
// reject threshold (True) or not; the bracket holds score / threshold.
func decodeSpamdResult(d *Decoded) {
	parts := splitTop(collapse(d.Raw), ';')
	var score, req, spam string
	nsym := 0
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if i == 0 && strings.Contains(p, ":") && strings.Contains(p, "[") {
			metric, rest, _ := strings.Cut(p, ":")
			d.add("metric", strings.TrimSpace(metric), "the rspamd metric (normally \"default\")", true)
			rest = strings.TrimSpace(rest)
			flag, bracket, _ := strings.Cut(rest, "[")
			spam = strings.TrimSpace(flag)
			switch strings.ToLower(spam) {
			case "true":
				d.add("spam", spam, "the score reached the reject threshold", true)
				d.Verdict = "spam"
			case "false":
				d.add("spam", spam, "the score stayed below the reject threshold", true)
				if d.Verdict == "" {
					d.Verdict = "not-spam"
				}
			default:
				d.add("spam", spam, "flag value not documented", false)
			}
			bracket = strings.TrimSuffix(strings.TrimSpace(bracket), "]")
			s, r, _ := strings.Cut(bracket, "/")
			score, req = strings.TrimSpace(s), strings.TrimSpace(r)
			d.add("score", score, "total score of the symbols", isPoints(score))
			d.add("required", req, "the reject threshold", isPoints(req))
			continue
		}
		name, scoreS, opts := parseSymbol(p)
		meaning, known := rspamdSymbols.get(strings.ToUpper(name))
		if known {
			meaning = "symbol: " + meaning
		} else {
			meaning = "symbol: description not known here"
		}
		val := scoreS
		if opts != "" {
			val += " [" + opts + "]"
			meaning += "; options: " + opts
		}
		d.add(name, val, meaning, known)
		nsym++
	}
	d.Summary = "rspamd"
	if spam != "" {
		if strings.EqualFold(spam, "true") {
			d.Summary += ": spam"
		} else {
			d.Summary += ": not spam"
		}
	}
	if score != "" {
		d.Summary += fmt.Sprintf(", score %s of %s", score, req)
	}
	d.Summary += fmt.Sprintf(", %d symbols", nsym)
}

// parseSymbol splits "NAME(score)[opt1,opt2]".
func parseSymbol(p string) (name, score, opts string) {
	name = p
	if i := strings.IndexByte(p, '('); i >= 0 {
		name = p[:i]
		rest := p[i+1:]
		if j := strings.IndexByte(rest, ')'); j >= 0 {
			score = rest[:j]
			rest = rest[j+1:]
		}
		if k := strings.IndexByte(rest, '['); k >= 0 {
			opts = strings.TrimSuffix(strings.TrimSpace(rest[k+1:]), "]")
		}
	} else if k := strings.IndexByte(p, '['); k >= 0 {
		name = p[:k]
		opts = strings.TrimSuffix(p[k+1:], "]")
	}
	return strings.TrimSpace(name), strings.TrimSpace(score), opts
}

// decodeSpamdBar: one "+" per positive score point, one "-" per negative
// point, "/" for a score near zero.
func decodeSpamdBar(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	switch {
	case v == "/":
		d.add("bar", v, "score close to zero", true)
		d.Summary = "rspamd bar: neutral"
	case v != "" && strings.Count(v, "+") == len(v):
		d.add("bar", v, "score of about +"+strconv.Itoa(len(v))+" (one + per point)", true)
		d.Summary = "rspamd bar: +" + strconv.Itoa(len(v))
	case v != "" && strings.Count(v, "-") == len(v):
		d.add("bar", v, "score of about -"+strconv.Itoa(len(v))+" (one - per point)", true)
		d.Summary = "rspamd bar: -" + strconv.Itoa(len(v))
	default:
		d.add("bar", v, "expected a run of +, a run of - or /", false)
		d.Summary = "rspamd bar " + v
	}
}
