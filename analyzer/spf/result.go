package spf

import (
	"fmt"
	"io"
	"strings"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/result"
)

// Identity names the identity an SPF check authorized (RFC 7208 §2.3, §2.4).
type Identity string

// The two identities a receiver checks.
const (
	IdentityHELO     Identity = "helo"
	IdentityMailFrom Identity = "mailfrom"
)

// Result is the outcome of one check_host() evaluation with everything
// needed to explain it. It is the live.spf object of the report contract;
// the CLI prints it as is for --format json.
type Result struct {
	// Result is the verdict.
	Result result.Word `json:"result"`
	// Domain is the <domain> checked: the MAIL FROM domain, or the HELO
	// domain for the HELO identity and a null reverse-path.
	Domain string `json:"domain"`
	// Identity is "mailfrom" or "helo"; "" for a bare CheckHost call.
	Identity Identity `json:"identity,omitempty"`
	// IP is the client address (IPv4-mapped IPv6 addresses are shown as
	// IPv4, RFC 7208 §5).
	IP string `json:"ip"`
	// Helo is the HELO/EHLO name given.
	Helo string `json:"helo"`
	// MailFrom is the <sender> used (with "postmaster" supplied for a
	// missing local-part, RFC 7208 §4.3).
	MailFrom string `json:"mailFrom,omitempty"`
	// Record is the SPF record of Domain, when one was found.
	Record string `json:"record,omitempty"`
	// Explanation is the expanded exp= text for a fail (RFC 7208 §6.2),
	// or Options.DefaultExplanation.
	Explanation string `json:"explanation,omitempty"`
	// Lookups is the number of DNS-querying terms evaluated (RFC 7208
	// §4.6.4: include, a, mx, ptr, exists, redirect).
	Lookups int `json:"lookups"`
	// VoidLookups is the number of those terms whose lookup returned no
	// answer or NXDOMAIN (RFC 7208 §4.6.4).
	VoidLookups int `json:"voidLookups"`
	// Reason says why, in plain words.
	Reason string `json:"reason,omitempty"`
	// Trace lists every record fetched and term evaluated, in order.
	Trace []Step `json:"trace"`
	// Lint holds findings about the policies met on the way.
	Lint []finding.Finding `json:"lint,omitempty"`
	// HELO is, for Check, the result of the HELO identity evaluated
	// before the MAIL FROM identity (RFC 7208 §2.3); nil otherwise.
	HELO *Result `json:"heloResult,omitempty"`
}

// Step kinds.
const (
	// StepRecord is the lookup and selection of a domain's record.
	StepRecord = "record"
	// StepTerm is the evaluation of one mechanism or modifier.
	StepTerm = "term"
	// StepExplanation is the exp= lookup and expansion (RFC 7208 §6.2).
	StepExplanation = "explanation"
)

// Step is one entry of the trace.
type Step struct {
	// Depth is 0 for the checked domain, one more inside each include or
	// redirect.
	Depth int `json:"depth"`
	// Domain is the <domain> whose record is being evaluated.
	Domain string `json:"domain"`
	// Kind is StepRecord, StepTerm or StepExplanation.
	Kind string `json:"kind"`
	// Term is the term as written; for a record step, the record text.
	Term string `json:"term,omitempty"`
	// Target is the name the term queried, after macro expansion.
	Target string `json:"target,omitempty"`
	// Queries are the DNS questions the step asked, in order.
	Queries []DNSQuery `json:"queries,omitempty"`
	// Matched is true when a mechanism matched.
	Matched bool `json:"matched"`
	// Result is the verdict the step produced, if it ended the evaluation
	// of its record (a match, or an error).
	Result result.Word `json:"result,omitempty"`
	// Lookups and VoidLookups are the running §4.6.4 counts after the
	// step.
	Lookups     int `json:"lookups"`
	VoidLookups int `json:"voidLookups"`
	// Error describes a failure of the step.
	Error string `json:"error,omitempty"`
	// Note adds context (skipped names, ignored explanation...).
	Note string `json:"note,omitempty"`
}

// DNSQuery is one DNS question asked by a step.
type DNSQuery struct {
	// Type is "TXT", "A", "AAAA", "MX" or "PTR".
	Type string `json:"type"`
	// Name is the queried name.
	Name string `json:"name"`
	// Status is "ok", "notfound" (NXDOMAIN or no data), "temperror" or
	// "error".
	Status string `json:"status"`
	// Answers are the answers, at most maxTraceAnswers of them.
	Answers []string `json:"answers,omitempty"`
	// Error is the resolver's error text.
	Error string `json:"error,omitempty"`
}

// WriteText renders r for people (the CLI's --format text).
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.HELO != nil {
		r.HELO.writeText(&b)
		b.WriteString("\n")
	}
	r.writeText(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Result) writeText(b *strings.Builder) {
	id := string(r.Identity)
	if id == "" {
		id = "domain"
	}
	fmt.Fprintf(b, "SPF %s: %s %s, client %s", r.Result, id, r.Domain, r.IP)
	if r.Helo != "" {
		fmt.Fprintf(b, ", helo %s", r.Helo)
	}
	b.WriteString("\n")
	if r.MailFrom != "" {
		fmt.Fprintf(b, "  sender:      %s\n", r.MailFrom)
	}
	if r.Record != "" {
		fmt.Fprintf(b, "  record:      %s\n", r.Record)
	}
	if r.Reason != "" {
		fmt.Fprintf(b, "  reason:      %s\n", r.Reason)
	}
	if r.Explanation != "" {
		fmt.Fprintf(b, "  explanation: %s\n", r.Explanation)
	}
	fmt.Fprintf(b, "  lookups:     %d/%d DNS-querying terms, %d void\n", r.Lookups, MaxLookups, r.VoidLookups)
	if len(r.Trace) > 0 {
		b.WriteString("  trace:\n")
	}
	for _, s := range r.Trace {
		indent := strings.Repeat("  ", s.Depth+2)
		switch s.Kind {
		case StepRecord:
			fmt.Fprintf(b, "%s%s: record %q\n", indent, s.Domain, s.Term)
		case StepExplanation:
			fmt.Fprintf(b, "%s%s: explanation %s\n", indent, s.Domain, s.Term)
		default:
			mark := "no match"
			if s.Matched {
				mark = "match"
			}
			fmt.Fprintf(b, "%s%s  [%s, lookups %d, void %d]\n", indent, s.Term, mark, s.Lookups, s.VoidLookups)
		}
		for _, q := range s.Queries {
			fmt.Fprintf(b, "%s    %s %s: %s", indent, q.Type, q.Name, q.Status)
			if len(q.Answers) > 0 {
				fmt.Fprintf(b, " %s", strings.Join(q.Answers, ", "))
			}
			if q.Error != "" {
				fmt.Fprintf(b, " (%s)", q.Error)
			}
			b.WriteString("\n")
		}
		if s.Result != "" {
			fmt.Fprintf(b, "%s    -> %s\n", indent, s.Result)
		}
		if s.Error != "" {
			fmt.Fprintf(b, "%s    error: %s\n", indent, s.Error)
		}
		if s.Note != "" {
			fmt.Fprintf(b, "%s    note: %s\n", indent, s.Note)
		}
	}
	for _, f := range r.Lint {
		fmt.Fprintf(b, "  %s %s: %s\n", f.Severity, f.Code, f.Message)
	}
}
