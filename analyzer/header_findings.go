package analyzer

// The findings about the header as a whole: the rules of package rules
// run over what the offline reading and the live checks gathered.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"headerlens/analyzer/address"
	"headerlens/analyzer/datetime"
	"headerlens/analyzer/dkim"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/message"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
	"headerlens/analyzer/rules"
	"headerlens/analyzer/vendor"
)

// headerFindings runs the findings rules over the header and the results
// gathered so far.
// sigs are the DKIM results, live or (offline) verified without keys.
func headerFindings(msg *message.Message, f offlineReading, sigs []dkim.Result, now time.Time) []finding.Finding {
	in := rules.Input{Now: now}
	if v, ok := msg.First("From"); ok {
		in.FromPresent = true
		in.From = address.ParseList(v)
	}
	if v, ok := msg.First("Reply-To"); ok {
		in.ReplyTo = address.ParseList(v)
	}
	if v, ok := msg.First("Sender"); ok {
		if a := address.ParseList(v); len(a) > 0 {
			in.Sender = &a[0]
		}
	}
	if v, ok := msg.First("Return-Path"); ok {
		in.ReturnPath = returnPathAddress(v)
	}
	in.MessageIDs = values(msg.Get("Message-ID"))
	in.Dates = values(msg.Get("Date"))
	if len(in.Dates) > 0 {
		if d, ok := datetime.Parse(in.Dates[0]); ok {
			in.Date = d.Time
		}
	}
	for _, h := range f.trail.Hops {
		if !h.At.IsZero() {
			in.FirstHopTime = h.At
			break
		}
	}
	in.ListUnsubscribe, in.ListUnsubscribePresent = msg.First("List-Unsubscribe")
	in.ListUnsubscribePost, in.ListUnsubscribePostPresent = msg.First("List-Unsubscribe-Post")
	in.ListID, _ = msg.First("List-Id")
	in.Precedence, _ = msg.First("Precedence")
	in.FeedbackID, _ = msg.First("Feedback-ID")
	in.Verdicts = f.verdicts
	for _, d := range sigs {
		in.DKIM = append(in.DKIM, rules.DKIMSignature{Domain: d.Domain, SignedHeaders: d.SignedHeaders, Result: d.Result})
	}
	out := rules.Check(in)
	out = append(out, f.trail.Findings...)
	out = append(out, conflictingVerdicts(f.verdicts)...)
	if f.vendorSkipped > 0 {
		out = append(out, finding.Finding{Severity: finding.Info, Code: "vendor-not-decoded", Source: "vendor",
			Message: fmt.Sprintf("%d more anti-spam fields were not decoded: the report shows at most %d, with %d decoded parts in all. They are still in the header list.", f.vendorSkipped, vendor.MaxDecoded, vendor.MaxMessageFields)})
	}
	return out
}

// sortFindings orders findings by severity, most serious first, keeping
// the rules' order within a severity.
func sortFindings(fs []finding.Finding) {
	rank := map[finding.Severity]int{finding.Error: 0, finding.Warning: 1, finding.Info: 2}
	slices.SortStableFunc(fs, func(a, b finding.Finding) int { return rank[a.Severity] - rank[b.Severity] })
}

// conflictingVerdicts flags trusted verdicts of one server that contradict
// each other for a method that has one result per message (SPF, DMARC). A
// receiver writes such a verdict once; a second one with the same
// authserv-id was most likely forged by the sender and left in place by a
// receiver that does not remove them, as RFC 8601 §5 requires.
func conflictingVerdicts(vs []recorded.Verdict) []finding.Finding {
	type key struct{ id, method string }
	first := map[key]result.Word{}
	var out []finding.Finding
	for _, v := range vs {
		if !v.Trusted || v.Header != recorded.HeaderAuthResults || (v.Method != "spf" && v.Method != "dmarc") {
			continue
		}
		k := key{strings.ToLower(v.AuthservID), v.Method}
		prev, seen := first[k]
		if !seen {
			first[k] = v.Result
			continue
		}
		if prev != v.Result {
			out = append(out, finding.Finding{Severity: finding.Warning, Code: "recorded-conflict", Source: "recorded",
				Message: fmt.Sprintf("Two Authentication-Results fields from %s disagree about %s (%s and %s). A receiver records one result; the other was probably forged by the sender and not removed (RFC 8601 §5). Rely on the live check.", v.AuthservID, v.Method, prev, v.Result)})
			first[k] = v.Result
		}
	}
	return out
}
