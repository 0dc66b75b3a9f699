// Package markdown writes a headerlens report as Markdown (CommonMark with
// the GitHub tables extension) for a ticket: the verdict at a glance, the
// Received trail as a table, the live SPF, DKIM, DMARC and ARC results,
// the verdicts the receivers recorded, the findings and the transport
// checks. The command line prints it (headerlens analyze --format
// markdown) and the page copies it (headerlens.markdown in the wasm
// bridge), so both give the same text.
//
// Every string that comes from the message or from DNS is attacker
// controlled, and a ticket system renders Markdown. Such strings are
// written only as code spans (Code): inside one, CommonMark interprets no
// emphasis, link, image or raw HTML (CommonMark 0.31 §6.1), and GitHub's
// autolink extension links nothing. Line breaks, other control characters,
// the Unicode line and paragraph separators and the bidirectional
// controls are replaced by U+FFFD, so a value stays on its line and reads
// in its true order; a "|" is escaped so it cannot split a table cell
// (GFM §4.10). The package's own sentences, which may quote such strings
// (finding messages), go through Escape, which backslash-escapes every
// character that can start inline markup or an autolink (CommonMark §2.4).
package markdown

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"headerlens/analyzer"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/mailtls"
)

// MaxValue bounds the characters of one value; longer ones are cut with
// "…". The JSON report keeps everything; a ticket needs the gist.
const MaxValue = 300

// clean makes s one line of printable text: control characters (C0, C1),
// U+2028, U+2029 and the bidirectional formatting characters (U+200E,
// U+200F, U+202A–U+202E, U+2066–U+2069) become U+FFFD, invalid UTF-8
// too, and it is cut at MaxValue characters.
func clean(s string) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == MaxValue {
			if i < len(s) {
				b.WriteString("…")
			}
			break
		}
		n++
		switch {
		case r == utf8.RuneError, r < 0x20, r >= 0x7f && r < 0xa0, r == 0x2028, r == 0x2029,
			r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code writes s as an inline code span that is safe anywhere, table cells
// included: one line (see clean), "|" escaped, and a backtick fence longer
// than any run of backticks in s (CommonMark §6.1). An empty s gives "—".
func Code(s string) string {
	s = clean(s)
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	// A span that begins or ends with a backtick needs a space inside the
	// fence; CommonMark strips one space at each end.
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Escape writes s as plain text inside a line: one line (see clean) with a
// backslash (CommonMark §2.4) before every character that can start
// inline markup: \ ` * _ [ ] < > ! & ~ | # and @ (GFM e-mail autolinks),
// the ":" of "://" and the "." after "www" (GFM extended autolinks). The
// rest stays readable for a ticket system that shows Markdown as text.
func Escape(s string) string {
	s = clean(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("\\`*_[]<>!&~|#@", c) >= 0,
			c == ':' && strings.HasPrefix(s[i:], "://"),
			c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// writer accumulates the document; the first write error is kept.
type writer struct {
	w   io.Writer
	err error
}

func (w *writer) line(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format+"\n", args...)
	}
}

// row writes one table row of already safe cells.
func (w *writer) row(cells ...string) {
	w.line("| %s |", strings.Join(cells, " | "))
}

// Write writes r as Markdown.
func Write(out io.Writer, r *analyzer.Report) error {
	w := &writer{w: out}
	s := r.Summary
	w.line("## Email header analysis: %s", subjectOrFrom(s))
	w.line("")
	w.line("| | |")
	w.line("|---|---|")
	for _, f := range []struct{ name, value string }{
		{"From", s.From}, {"From domain", s.FromDomain}, {"To", s.To}, {"Cc", s.Cc},
		{"Subject", s.Subject}, {"Date", firstOf(s.Date, s.DateRaw)}, {"Message-ID", s.MessageID},
		{"Return-Path", s.ReturnPath}, {"Reply-To", s.ReplyTo}, {"Sender", s.Sender},
	} {
		if f.value != "" {
			w.row(f.name, Code(f.value))
		}
	}
	w.line("")
	writeVerdict(w, r)
	writeFindings(w, r.Findings)
	writeTrail(w, r)
	writeLive(w, r.Live)
	writeRecorded(w, r)
	writeTransport(w, r)
	w.line("")
	w.line("Analyzed by headerlens %s: %d header fields, %d DNS queries, %.0f ms.", Escape(firstOf(r.Version, "dev")), len(r.Headers), len(r.DNS), r.ElapsedMs)
	return w.err
}

func subjectOrFrom(s analyzer.Summary) string {
	switch {
	case s.Subject != "":
		return Code(s.Subject)
	case s.From != "":
		return "from " + Code(s.From)
	}
	return "(no subject)"
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// word writes a verdict word as bold text (its own vocabulary, never
// attacker text, but escaped all the same).
func word(s string) string {
	if s == "" {
		return "none"
	}
	return "**" + Escape(s) + "**"
}

// writeVerdict is the verdict at a glance: live results beside the
// verdicts the receiver recorded.
func writeVerdict(w *writer, r *analyzer.Report) {
	w.line("### Verdict")
	w.line("")
	live := r.Live
	if live == nil || !live.Enabled {
		reason := "offline"
		if live != nil && live.Reason != "" {
			reason = live.Reason
		}
		w.line("Live checks were not run (%s). What the receiving servers recorded:", Escape(reason))
		w.line("")
	}
	w.row("Check", "Live now", "Recorded by a trusted receiver")
	w.line("|---|---|---|")
	for _, m := range []string{"spf", "dkim", "dmarc", "arc"} {
		liveWord := "not checked"
		if live != nil && live.Enabled {
			liveWord = liveResult(live, m)
		}
		rec := "—"
		for _, v := range r.Recorded {
			if v.Trusted && strings.EqualFold(v.Method, m) {
				rec = word(string(v.Result)) + " by " + Code(v.AuthservID)
				break
			}
		}
		w.row(strings.ToUpper(m), liveWord, rec)
	}
	if live != nil && live.DMARC != nil {
		d := live.DMARC
		if p := firstOf(string(d.PublishedPolicy), string(d.Policy)); p != "" {
			w.line("")
			w.line("DMARC policy of %s: %s.", Code(firstOf(d.RecordDomain, d.OrgDomain, d.FromDomain)), word(p))
		}
	}
	w.line("")
}

// liveResult sums up one live check in a word and its subject.
func liveResult(l *analyzer.Live, method string) string {
	switch method {
	case "spf":
		if l.SPF == nil {
			return "not checked (" + Escape(firstOf(l.SPFSkipped, "no client IP")) + ")"
		}
		return word(string(l.SPF.Result)) + " for " + Code(l.SPF.Domain)
	case "dkim":
		if len(l.DKIM) == 0 {
			return "none (no signature)"
		}
		pass := 0
		for _, s := range l.DKIM {
			if s.Result == "pass" {
				pass++
			}
		}
		res := string(l.DKIM[0].Result)
		if pass > 0 {
			res = "pass"
		}
		return fmt.Sprintf("%s (%d of %d signatures pass)", word(res), pass, len(l.DKIM))
	case "dmarc":
		if l.DMARC == nil {
			return "not evaluated"
		}
		return word(string(l.DMARC.Result)) + " for " + Code(l.DMARC.FromDomain)
	case "arc":
		if l.ARC == nil {
			return "not evaluated"
		}
		return fmt.Sprintf("%s (%d sets)", word(string(l.ARC.Result)), l.ARC.Instances)
	}
	return ""
}

// severityRank orders findings most serious first.
var severityRank = map[finding.Severity]int{"error": 0, "warning": 1, "info": 2}

func writeFindings(w *writer, list []finding.Finding) {
	w.line("### Findings")
	w.line("")
	if len(list) == 0 {
		w.line("Nothing stands out.")
		w.line("")
		return
	}
	sorted := append([]finding.Finding(nil), list...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ri, ok := severityRank[sorted[i].Severity]
		if !ok {
			ri = 3
		}
		rj, ok := severityRank[sorted[j].Severity]
		if !ok {
			rj = 3
		}
		return ri < rj
	})
	for _, f := range sorted {
		w.line("- **%s** %s (%s)", Escape(string(f.Severity)), Escape(f.Message), Code(f.Code))
	}
	w.line("")
}

func writeTrail(w *writer, r *analyzer.Report) {
	w.line("### Received trail (oldest first)")
	w.line("")
	if len(r.Hops) == 0 {
		w.line("The message has no Received fields.")
		w.line("")
		return
	}
	boundary := -1
	if b := r.Trail.Boundary; b != nil {
		boundary = b.Index
	}
	w.row("#", "From", "IP", "By", "With", "TLS", "Delay", "Time (UTC)")
	w.line("|---|---|---|---|---|---|---|---|")
	for i, h := range r.Hops {
		n := fmt.Sprint(i + 1)
		if h.Index == boundary {
			n += " (trust boundary)"
		}
		if !h.Parsed {
			w.row(n, "not parsed: "+Code(h.Comment), "", "", "", "", "", Code(h.Time))
			continue
		}
		ip := Code(h.IP)
		if h.IPClaimed {
			ip += " (claimed in HELO)"
		}
		tls := "no"
		if h.Encrypted || h.TLS != "" || h.TLSVersion != "" {
			tls = Code(firstOf(h.TLSVersion, h.TLS, "yes"))
		}
		delay := "—"
		if h.DelaySeconds != nil {
			delay = fmt.Sprintf("%.0f s", *h.DelaySeconds)
		}
		w.row(n, Code(firstOf(h.HELO, h.From)), ip, Code(h.By), Code(firstOf(h.Protocol, h.With)), tls, delay, Code(h.Time))
	}
	w.line("")
	if b := r.Trail.Boundary; b != nil {
		w.line("Trust boundary: hop %d, found by %s (confidence %s). Hops before it were written by the sending side and could be forged.",
			b.Index+1, Escape(b.Evidence), Escape(b.Confidence))
		w.line("")
	}
}

func writeLive(w *writer, l *analyzer.Live) {
	if l == nil || !l.Enabled {
		return
	}
	w.line("### Authentication, checked now")
	w.line("")
	if l.SPF != nil {
		s := l.SPF
		w.line("- **SPF** %s for %s: %s", word(string(s.Result)), Code(s.Domain), Escape(s.Reason))
		if l.Identities != nil {
			w.line("  - client IP %s, HELO %s, MAIL FROM %s", Code(l.Identities.IP), Code(l.Identities.HELO), Code(l.Identities.MailFrom))
		}
	} else {
		w.line("- **SPF** not checked: %s", Escape(firstOf(l.SPFSkipped, "no client IP is known")))
	}
	for i, s := range l.DKIM {
		w.line("- **DKIM** signature %d: %s, d=%s s=%s: %s", i+1, word(string(s.Result)), Code(s.Domain), Code(s.Selector), Escape(s.Reason))
	}
	if len(l.DKIM) == 0 {
		w.line("- **DKIM** the message has no DKIM-Signature field")
	}
	if d := l.DMARC; d != nil {
		w.line("- **DMARC** %s for %s: %s", word(string(d.Result)), Code(d.FromDomain), Escape(d.Reason))
		w.line("  - SPF aligned: %s, DKIM aligned: %s, policy applied: %s", yesNo(d.SPFAligned), yesNo(d.DKIMAligned), word(string(d.AppliedPolicy)))
	}
	if a := l.ARC; a != nil {
		w.line("- **ARC** %s, %d sets: %s", word(string(a.Result)), a.Instances, Escape(a.Reason))
	}
	for _, e := range l.Errors {
		w.line("- **problem** %s", Escape(e))
	}
	w.line("")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeRecorded(w *writer, r *analyzer.Report) {
	if len(r.Recorded) == 0 {
		return
	}
	w.line("### Verdicts recorded in the header")
	w.line("")
	w.row("Method", "Result", "Recorded by", "Trusted", "Field")
	w.line("|---|---|---|---|---|")
	for _, v := range r.Recorded {
		trusted := "no: could be forged"
		if v.Trusted {
			trusted = "yes"
		}
		w.row(Code(v.Method), word(string(v.Result)), Code(v.AuthservID), trusted, Code(v.Header))
	}
	w.line("")
	if r.Live != nil {
		for _, c := range r.Live.Comparison {
			if !c.Agree && c.Explanation != "" {
				w.line("- %s: recorded %s, now %s. %s", Escape(strings.ToUpper(c.Method)), word(string(c.Recorded)), word(string(c.Live)), Escape(c.Explanation))
			}
		}
		w.line("")
	}
}

func writeTransport(w *writer, r *analyzer.Report) {
	if len(r.Transport) == 0 {
		return
	}
	w.line("### Transport security (companion)")
	w.line("")
	for _, t := range r.Transport {
		if t.Error != "" {
			w.line("- %s: not checked (%s)", Code(t.Domain), Escape(t.Error))
			continue
		}
		rep, err := mailtls.Decode(t.Result)
		switch {
		case err != nil:
			w.line("- %s: the companion's answer could not be read", Code(t.Domain))
			continue
		case rep.NullMX:
			w.line("- %s: null MX, the domain accepts no mail (RFC 7505)", Code(t.Domain))
			continue
		}
		mode := ""
		if rep.MTASTS != nil && rep.MTASTS.Mode != "" {
			mode = ", MTA-STS mode " + Code(rep.MTASTS.Mode)
		}
		w.line("- %s%s", Code(t.Domain), mode)
		for _, h := range rep.Hosts {
			state := "not probed"
			switch p := h.Probe; {
			case h.Error != "":
				state = "error: " + Escape(h.Error)
			case p == nil:
			case p.Error != nil:
				state = "error: " + Escape(p.Error.Kind+" "+p.Error.Message)
			case p.TLS != nil:
				state = "STARTTLS, " + Code(p.TLS.Version+" "+p.TLS.CipherSuite)
			case !p.StartTLSOffered:
				state = "**no STARTTLS**: mail to it travels unencrypted"
			}
			w.line("  - MX %s: %s", Code(h.Host), state)
		}
	}
	w.line("")
}
