package analyzer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"headerlens/analyzer/datetime"
	"headerlens/analyzer/dkim"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/findings"
	"headerlens/analyzer/message"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
	"headerlens/analyzer/trail"
	"headerlens/analyzer/vendor"
)

// TrailInfo is what the Received trail says as a whole.
type TrailInfo struct {
	// TotalSeconds is the time from the oldest to the newest dated hop.
	TotalSeconds *float64 `json:"totalSeconds,omitempty"`
	// Boundary is the hop where the final receiving organization accepted
	// the message; nil when it cannot be told.
	Boundary *trail.Boundary `json:"boundary,omitempty"`
}

// forensics is the offline reading of the header: trail, recorded
// verdicts and vendor headers.
type forensics struct {
	trail    trail.Result
	verdicts []recorded.Verdict
	vendor   []vendor.Decoded
	// vendorSkipped counts vendor fields beyond vendor.Decode's limits.
	vendorSkipped int
}

func values(fields []message.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Value
	}
	return out
}

// readForensics builds the trail, finds the trust boundary and marks the
// recorded verdicts written at or above it as trusted.
func readForensics(msg *message.Message) forensics {
	var f forensics
	f.trail = trail.Build(values(msg.Get("Received")), trail.Evidence{
		AuthenticationResults: values(msg.Get("Authentication-Results")),
		ReceivedSPF:           values(msg.Get("Received-SPF")),
	})
	f.verdicts = recorded.ParseMessage(msg.Fields)
	if b := f.trail.Boundary; b != nil {
		f.verdicts = recorded.MarkTrusted(f.verdicts, trustedAt(msg, b))
	}
	if f.verdicts == nil {
		f.verdicts = []recorded.Verdict{}
	}
	f.vendor, f.vendorSkipped = vendor.Decode(msg.Fields)
	if f.vendor == nil {
		f.vendor = []vendor.Decoded{}
	}
	return f
}

// trustedAt says which recorded verdicts the final receiving organization
// wrote (RFC 8601 §5, §7.1):
//   - every field above the boundary's Received field, added after the
//     message crossed into the organization;
//   - a field in the boundary's own trace block (below its Received field,
//     above the next older one) whose authserv-id belongs to the receiving
//     organization: receivers such as Gmail write their verdicts there,
//     and RFC 8601 §5 requires them to remove any such field that arrived
//     with the message bearing their authserv-id.
func trustedAt(msg *message.Message, b *trail.Boundary) func(recorded.Verdict) bool {
	pos := receivedPosition(msg, b.ReceivedIndex)
	next := receivedPosition(msg, b.ReceivedIndex+1)
	org := trail.OperatorDomain(b.By)
	if b.AuthServID != "" {
		if o := trail.OperatorDomain(b.AuthServID); o != "" {
			org = o
		}
	}
	return func(v recorded.Verdict) bool {
		if v.Index < pos {
			return true
		}
		return v.Index > pos && v.Index < next && org != "" && v.AuthservID != "" &&
			trail.OperatorDomain(v.AuthservID) == org
	}
}

// receivedPosition returns the position in msg.Fields of the k-th Received
// field (0 = topmost).
func receivedPosition(msg *message.Message, k int) int {
	n := 0
	for i, f := range msg.Fields {
		if strings.EqualFold(f.Name, "Received") {
			if n == k {
				return i
			}
			n++
		}
	}
	return len(msg.Fields)
}

// headerFindings runs the findings rules over the header and the results
// gathered so far.
// sigs are the DKIM results, live or (offline) verified without keys.
func headerFindings(msg *message.Message, f forensics, sigs []dkim.Result, now time.Time) []finding.Finding {
	in := findings.Input{Now: now}
	if v, ok := msg.First("From"); ok {
		in.FromPresent = true
		in.From = findings.ParseAddresses(v)
	}
	if v, ok := msg.First("Reply-To"); ok {
		in.ReplyTo = findings.ParseAddresses(v)
	}
	if v, ok := msg.First("Sender"); ok {
		if a := findings.ParseAddresses(v); len(a) > 0 {
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
		in.DKIM = append(in.DKIM, findings.DKIMSignature{Domain: d.Domain, SignedHeaders: d.SignedHeaders, Result: d.Result})
	}
	out := findings.Check(in)
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
