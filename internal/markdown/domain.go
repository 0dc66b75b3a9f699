package markdown

import (
	"io"

	"headerlens/analyzer/domaincheck"
)

// WriteDomain writes a domain check report (headerlens domain, the page's
// "Check a domain" tab) as Markdown for a ticket: the verdict, a table
// with each check's status and main finding, then each check's records
// and findings. Every string taken from DNS or the companion goes through
// Escape or Code, so a record cannot inject links, images or HTML.
func WriteDomain(out io.Writer, r *domaincheck.Report) error {
	w := &writer{w: out}
	w.line("## Domain check: %s", Code(r.Domain))
	w.line("")
	w.line("**%s**", Escape(r.Summary.Verdict))
	if r.Error != "" {
		w.line("")
		w.line("Not checked: %s", Escape(r.Error))
	}
	checks := r.Checks()
	if len(checks) > 0 {
		w.line("")
		w.row("Check", "Status", "Main finding")
		w.line("|---|---|---|")
	}
	for _, c := range checks {
		w.row(c.Name, string(c.Result.Status), Escape(mainFinding(c.Result)))
	}
	for _, c := range checks {
		if len(c.Result.Records) == 0 && len(c.Result.Findings) == 0 {
			continue
		}
		w.line("")
		w.line("### %s", c.Name)
		w.line("")
		for _, rec := range c.Result.Records {
			w.line("- record: %s", Code(rec))
		}
		for _, f := range c.Result.Findings {
			w.line("- %s: %s", f.Severity, Escape(f.Message))
		}
	}
	if r.SPF != nil && r.SPF.Status != domaincheck.Missing && r.SPF.Status != "" {
		w.line("")
		w.line("SPF DNS lookups: %d of 10 (RFC 7208 §4.6.4), void lookups: %d of 2.", r.SPF.Lookups, r.SPF.VoidLookups)
	}
	return w.err
}

// mainFinding is what a check's row shows: the finding that explains its
// status, else why it was not checked, else its first finding.
func mainFinding(c *domaincheck.CheckResult) string {
	if f := c.MainFinding(); f != nil {
		return f.Message
	}
	if c.Reason != "" {
		return c.Reason
	}
	if len(c.Findings) > 0 {
		return c.Findings[0].Message
	}
	return ""
}
