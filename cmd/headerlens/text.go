package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"headerlens/analyzer"
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

	if r.Live != nil && !r.Live.Enabled {
		section(w, "Live checks")
		fmt.Fprintf(w, "  skipped: %s\n", r.Live.Reason)
	}
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
