package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"headerlens/analyzer"
	"headerlens/companion"
)

// writeText prints a report for a person to read in a terminal.
func writeText(w io.Writer, r *analyzer.Report) {
	s := r.Summary
	section(w, "Summary")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", k, oneLine(v))
		}
	}
	row("From", s.From)
	row("From domain", s.FromDomain)
	row("Sender", s.Sender)
	row("Reply-To", s.ReplyTo)
	row("Return-Path", s.ReturnPath)
	row("To", s.To)
	row("Cc", s.Cc)
	row("Subject", s.Subject)
	if s.Date != "" {
		row("Date", s.Date)
	} else {
		row("Date", s.DateRaw)
	}
	row("Message-ID", s.MessageID)
	tw.Flush()

	writeHops(w, r)
	writeRecorded(w, r)
	writeVendor(w, r)
	writeLive(w, r.Live)
	writeTransport(w, r.Transport)
	if len(r.Findings) > 0 {
		section(w, "Findings")
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  [%s] %s: %s\n", f.Severity, f.Code, oneLine(f.Message))
		}
	}
	if len(r.Notes) > 0 {
		section(w, "Input notes")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  - %s\n", oneLine(n))
		}
	}
	if len(r.DNS) > 0 {
		section(w, fmt.Sprintf("DNS queries (%d)", len(r.DNS)))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, q := range r.DNS {
			cached := ""
			if q.Cached {
				cached = "cached"
			}
			status := q.Rcode
			if q.Error != "" {
				status = q.Error
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%.1f ms\t%s\n", q.Type, q.Name, status, q.DurationMs, cached)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\n%d header fields", r.Input.Fields)
	if r.Input.HasBody {
		fmt.Fprintf(w, ", body of %d bytes", r.Input.BodyBytes)
	} else {
		fmt.Fprint(w, ", no body")
	}
	fmt.Fprintf(w, "; analyzed in %.1f ms\n", r.ElapsedMs)
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("─", len([]rune(title))))
}

// oneLine keeps a terminal line a single line: control characters from
// header text (which is attacker-controlled) are replaced so that they cannot
// move the cursor or change colours.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '·'
		}
		return r
	}, s)
}

// writeHops prints the Received trail as a table, oldest first.
func writeHops(w io.Writer, r *analyzer.Report) {
	if len(r.Hops) == 0 {
		return
	}
	title := fmt.Sprintf("Received trail (%d hops", len(r.Hops))
	if t := r.Trail.TotalSeconds; t != nil {
		title += ", " + duration(*t) + " in all"
	}
	section(w, title+")")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tdelay\tfrom\tip\tby\twith\ttls\ttime (UTC)")
	b := r.Trail.Boundary
	for _, h := range r.Hops {
		delay := "-"
		if h.DelaySeconds != nil {
			delay = duration(*h.DelaySeconds)
		}
		mark := " "
		if b != nil && h.Index == b.Index {
			mark = ">"
		}
		from := h.HELO
		if from == "" {
			from = h.From
		}
		if !h.Parsed {
			from = "(unparsed) " + h.Raw
		}
		ip := dash(h.IP)
		if h.IPClaimed {
			ip += " (HELO claim)" // not seen by the receiver
		}
		fmt.Fprintf(tw, "%s %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, h.Index+1, delay,
			clip(oneLine(from), 40), ip, clip(oneLine(dash(h.By)), 40), dash(h.Protocol), dash(h.TLS), dash(h.Time))
	}
	tw.Flush()
	if b != nil {
		fmt.Fprintf(w, "  > trust boundary: hop %d, client %s (HELO %s), decided by %s, confidence %s\n",
			b.Index+1, dash(b.IP), oneLine(dash(b.HELO)), b.Evidence, b.Confidence)
	}
}

// writeRecorded prints the verdicts the receiving servers wrote.
func writeRecorded(w io.Writer, r *analyzer.Report) {
	if len(r.Recorded) == 0 {
		return
	}
	section(w, "Recorded verdicts")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range r.Recorded {
		trust := "untrusted"
		if v.Trusted {
			trust = "trusted"
		}
		var props []string
		for _, k := range sortedKeys(v.Properties) {
			props = append(props, k+"="+v.Properties[k])
		}
		fmt.Fprintf(tw, "  %s\t%s=%s\t%s\t%s\t%s\n", clip(oneLine(dash(v.AuthservID)), 30), v.Method, v.Result, trust, v.Header, clip(oneLine(strings.Join(props, " ")), 80))
	}
	tw.Flush()
}

// writeVendor prints the decoded anti-spam headers.
func writeVendor(w io.Writer, r *analyzer.Report) {
	if len(r.Vendor) == 0 {
		return
	}
	section(w, "Anti-spam headers")
	for _, d := range r.Vendor {
		fmt.Fprintf(w, "  %s — %s: %s\n", d.Vendor, d.Header, oneLine(d.Summary))
		for _, f := range d.Fields {
			meaning := f.Meaning
			if !f.Known {
				meaning = "(undocumented) " + meaning
			}
			fmt.Fprintf(w, "      %s=%s  %s\n", oneLine(f.Key), clip(oneLine(f.Value), 60), oneLine(meaning))
		}
	}
}

// writeLive prints the live SPF, DKIM, DMARC and ARC results.
func writeLive(w io.Writer, l *analyzer.Live) {
	if l == nil {
		return
	}
	section(w, "Live checks")
	if !l.Enabled {
		fmt.Fprintf(w, "  skipped: %s\n", l.Reason)
		return
	}
	if id := l.Identities; id != nil {
		fmt.Fprintf(w, "  identities: ip %s (%s), helo %s (%s), mail from %s (%s)\n",
			dash(id.IP), dash(id.IPSource), oneLine(dash(id.HELO)), dash(id.HELOSource), oneLine(dash(id.MailFrom)), dash(id.MailFromSource))
	}
	if l.SPF != nil {
		fmt.Fprintf(w, "  SPF    %-9s %s (%d DNS lookups)", l.SPF.Result, oneLine(l.SPF.Domain), l.SPF.Lookups)
		if l.SPF.Reason != "" {
			fmt.Fprintf(w, ": %s", oneLine(l.SPF.Reason))
		}
		fmt.Fprintln(w)
	} else if l.SPFSkipped != "" {
		fmt.Fprintf(w, "  SPF    not checked: %s\n", l.SPFSkipped)
	}
	if len(l.DKIM) == 0 {
		fmt.Fprintln(w, "  DKIM   none      the message has no DKIM-Signature")
	}
	for _, d := range l.DKIM {
		fmt.Fprintf(w, "  DKIM   %-9s d=%s s=%s %s, %s", d.Result, oneLine(d.Domain), oneLine(d.Selector), d.Algorithm, d.Scope)
		if d.Reason != "" {
			fmt.Fprintf(w, ": %s", oneLine(d.Reason))
		}
		fmt.Fprintln(w)
	}
	if a := l.ARC; a != nil {
		fmt.Fprintf(w, "  ARC    %-9s %d instance(s)", a.Result, a.Instances)
		if a.Reason != "" {
			fmt.Fprintf(w, ": %s", oneLine(a.Reason))
		}
		fmt.Fprintln(w)
	}
	if d := l.DMARC; d != nil {
		fmt.Fprintf(w, "  DMARC  %-9s %s", d.Result, oneLine(d.FromDomain))
		if d.Policy != "" {
			fmt.Fprintf(w, " policy %s", d.Policy)
		}
		if d.Reason != "" {
			fmt.Fprintf(w, ": %s", oneLine(d.Reason))
		}
		fmt.Fprintln(w)
	}
	for _, c := range l.Comparison {
		if c.Agree && c.Explanation == "" {
			continue
		}
		rec := c.Recorded
		if rec == "" {
			rec = "nothing"
		}
		fmt.Fprintf(w, "  %s %s: recorded %s, live %s. %s\n", strings.ToUpper(c.Method), oneLine(c.Subject), rec, dash(string(c.Live)), oneLine(c.Explanation))
	}
}

func duration(sec float64) string {
	neg := sec < 0
	if neg {
		sec = -sec
	}
	d := time.Duration(sec * float64(time.Second)).Round(time.Second)
	s := d.String()
	if neg {
		s = "-" + s
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeTransport prints the companion's transport-security checks.
func writeTransport(w io.Writer, checks []analyzer.TransportCheck) {
	if len(checks) == 0 {
		return
	}
	section(w, "Transport security (companion)")
	for _, c := range checks {
		fmt.Fprintf(w, "  %s (%s)", oneLine(c.Domain), strings.Join(c.Roles, ", "))
		if c.Error != "" {
			fmt.Fprintf(w, ": %s\n", oneLine(c.Error))
			continue
		}
		var rep companion.MailTLSReport
		if err := json.Unmarshal(c.Result, &rep); err != nil {
			fmt.Fprintf(w, ": unreadable answer\n")
			continue
		}
		if rep.NullMX {
			fmt.Fprintln(w, ": null MX, the domain accepts no mail (RFC 7505)")
			continue
		}
		fmt.Fprintln(w)
		for _, h := range rep.Hosts {
			state := "not probed"
			switch p := h.Probe; {
			case h.Error != "":
				state = "error: " + h.Error
			case p == nil:
			case p.Error != nil:
				state = "error: " + p.Error.Error()
			case p.TLS != nil:
				state = "STARTTLS, " + p.TLS.Version + " " + p.TLS.CipherSuite
			case !p.StartTLSOffered:
				state = "no STARTTLS: mail to it travels unencrypted"
			}
			fmt.Fprintf(w, "    MX %s: %s\n", oneLine(h.Host), oneLine(state))
		}
		if m := rep.MTASTS; m != nil && m.Mode != "" {
			fmt.Fprintf(w, "    MTA-STS mode %s\n", oneLine(string(m.Mode)))
		}
	}
}
