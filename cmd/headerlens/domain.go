package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"headerlens/analyzer/domaincheck"
	"headerlens/companion/client"
	"headerlens/internal/markdown"
	"headerlens/lookup"
)

// runDomain checks one domain's mail protection from DNS alone (MX, SPF,
// DMARC, DKIM, MTA-STS, TLS-RPT, BIMI, DANE) and prints the report.
func runDomain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("domain", "Usage: headerlens domain [flags] DOMAIN\n\n"+
		"Checks whether DOMAIN's mail is protected: MX, SPF (with the DNS-lookup count\n"+
		"over its include tree), DMARC, DKIM keys under common and given selectors,\n"+
		"MTA-STS, TLS-RPT, BIMI and DANE records; with --companion, STARTTLS on each MX\n"+
		"and the MTA-STS policy.", stderr)
	var (
		format    = fs.String("format", "text", "output format: text, json or markdown (for a ticket)")
		selectors = fs.String("dkim-selectors", "", "comma-separated DKIM selectors to try before the common ones")
		compURL   = fs.String("companion", "", "URL of a headerlens companion: probe STARTTLS on each MX and fetch the MTA-STS policy; only the domain name is sent")
		rf        resolverFlags
	)
	rf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "headerlens domain: give exactly one DOMAIN")
		return exitUsage
	}
	if *format != "text" && *format != "json" && *format != "markdown" {
		fmt.Fprintf(stderr, "headerlens domain: --format must be text, json or markdown, not %q\n", *format)
		return exitUsage
	}
	if rf.offline {
		fmt.Fprintln(stderr, "headerlens domain: the check needs DNS; --offline cannot be used here")
		return exitUsage
	}
	res, err := rf.resolver()
	if err != nil {
		fmt.Fprintf(stderr, "headerlens domain: %v\n", err)
		return exitUsage
	}
	opts := domaincheck.Options{Resolver: res}
	if ex, ok := res.(lookup.Exchanger); ok {
		opts.Exchanger = ex
	}
	if *compURL != "" {
		c, err := client.New(*compURL, nil)
		if err != nil {
			fmt.Fprintf(stderr, "headerlens domain: --companion: %v\n", err)
			return exitUsage
		}
		opts.Companion = c
	}
	for _, s := range strings.Split(*selectors, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts.Selectors = append(opts.Selectors, s)
		}
	}
	if rf.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rf.timeout)
		defer cancel()
	}
	rep := domaincheck.Check(ctx, fs.Arg(0), opts)
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(rep)
	case "markdown":
		err = markdown.WriteDomain(stdout, rep)
	default:
		err = writeDomainText(stdout, rep)
	}
	if err != nil || rep.Error != "" {
		if rep.Error != "" {
			fmt.Fprintf(stderr, "headerlens domain: %s\n", rep.Error)
		}
		return exitFail
	}
	return exitOK
}

// writeDomainText prints the summary, then each check with its records
// and findings. DNS text is printed with control characters replaced.
func writeDomainText(w io.Writer, rep *domaincheck.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Domain: %s\n%s\n", safeText(rep.Domain), safeText(rep.Summary.Verdict))
	for _, it := range rep.Checks() {
		c := it.Result
		fmt.Fprintf(&b, "\n%-9s %s\n", it.Name, c.Status)
		if c.Reason != "" {
			fmt.Fprintf(&b, "  not checked: %s\n", safeText(c.Reason))
		}
		for _, r := range c.Records {
			fmt.Fprintf(&b, "  record: %s\n", safeText(r))
		}
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "  %-7s %s\n", f.Severity, safeText(f.Message))
		}
	}
	if rep.SPF != nil && rep.SPF.Status != domaincheck.Missing {
		fmt.Fprintf(&b, "\nSPF DNS lookups: %d of 10, void lookups: %d of 2\n", rep.SPF.Lookups, rep.SPF.VoidLookups)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// safeText replaces control characters so DNS data cannot drive the
// terminal.
func safeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
