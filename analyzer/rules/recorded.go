package rules

import (
	"fmt"
	"sort"
	"strings"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/recorded"
)

// RecordedFail reports recorded verdicts (Authentication-Results, ARC-
// Authentication-Results, Received-SPF) whose result is a failure.
//
// RFC 8601 §5 (and §7.2): only verdicts from authserv-ids inside the
// receiver's trust boundary mean anything; others may have been written
// by anyone, including the sender. Trusted failures are warnings, or
// errors for the verdicts that decide delivery (DMARC, SPF hard fail,
// Microsoft compauth); untrusted ones are information.
func RecordedFail(in Input) []finding.Finding {
	var out []finding.Finding
	for _, v := range in.Verdicts {
		if !v.Failed() {
			continue
		}
		desc := describeVerdict(v)
		if !v.Trusted {
			out = append(out, mk(finding.Info, CodeRecordedFail, SourceRecorded, fmt.Sprintf(
				"%s It was written outside the receiving organization's trust boundary, so it may be forged or may describe an earlier hop; the live checks are the ones to rely on.", desc)))
			continue
		}
		sev := finding.Warning
		why := ""
		switch {
		case v.Method == "dmarc" && v.Result == "fail":
			sev = finding.Error
			why = " The From domain's owner did not authorize this message (RFC 7489 §6.6.2)."
		case v.Method == "spf" && (v.Result == "fail" || v.Result == "hardfail"):
			sev = finding.Error
			why = " The sending server is not allowed to send for the envelope domain (RFC 7208 §2.6.4)."
		case v.Method == "compauth" && v.Result == "fail":
			sev = finding.Error
			why = " Microsoft 365 judged the sender spoofed."
		case v.Method == "dkim" && v.Result == "fail":
			why = " Mailing lists and forwarders that change the message also break signatures, so this alone does not prove forgery."
		case v.Result == "temperror":
			why = " A temporary error (often DNS) stopped the check; it says nothing about the sender."
		case v.Result == "permerror":
			why = " The sender's published records are broken, so the check could not complete."
		}
		out = append(out, mk(sev, CodeRecordedFail, SourceRecorded, desc+why))
	}
	return out
}

// describeVerdict writes one sentence about a verdict.
func describeVerdict(v recorded.Verdict) string {
	who := v.AuthservID
	if who == "" {
		who = "a server that did not name itself"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s by %s recorded %s=%s", v.Header, who, v.Method, v.Result)
	var keys []string
	for k := range v.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var props []string
	for _, k := range keys {
		if k == "header.b" {
			continue
		}
		props = append(props, k+"="+clip(v.Properties[k], 80))
		if len(props) == 4 {
			break
		}
	}
	if len(props) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(props, " "))
	}
	if v.Reason != "" {
		fmt.Fprintf(&b, ", reason %q", clip(v.Reason, 100))
		if v.ReasonMeaning != "" {
			fmt.Fprintf(&b, ": %s", v.ReasonMeaning)
		}
	}
	if v.Comment != "" {
		fmt.Fprintf(&b, " [%s]", clip(v.Comment, 120))
	}
	b.WriteString(".")
	return b.String()
}
