package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"

	"headerlens/analyzer/spf"
	"headerlens/lookup"
)

// runSPF evaluates SPF (RFC 7208) for one set of identities and prints the
// result with its trace.
func runSPF(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("spf", "Usage: headerlens spf --ip IP [--helo HOST] [--mail-from ADDR] [flags]\n\n"+
		"Runs RFC 7208 check_host() for the HELO and MAIL FROM identities and prints the\n"+
		"MAIL FROM result (or the HELO result when --mail-from is empty) with every term\n"+
		"evaluated, its DNS queries and the running lookup count.", stderr)
	var (
		format   = fs.String("format", "text", "output format: text or json")
		ipFlag   = fs.String("ip", "", "the connecting client's IP address (required)")
		helo     = fs.String("helo", "", "the HELO/EHLO name the client gave")
		mailFrom = fs.String("mail-from", "", "the MAIL FROM address (reverse-path); empty for a bounce")
		receiver = fs.String("receiver", "", "the receiving host's name, for the %{r} macro")
		rf       resolverFlags
	)
	rf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "headerlens spf: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "headerlens spf: --format must be text or json, not %q\n", *format)
		return exitUsage
	}
	ip, err := netip.ParseAddr(*ipFlag)
	if err != nil {
		fmt.Fprintf(stderr, "headerlens spf: --ip must be an IP address: %q\n", *ipFlag)
		return exitUsage
	}
	if *helo == "" && *mailFrom == "" {
		fmt.Fprintln(stderr, "headerlens spf: give --helo, --mail-from or both")
		return exitUsage
	}
	if rf.offline {
		fmt.Fprintln(stderr, "headerlens spf: SPF needs DNS; --offline cannot be used here")
		return exitUsage
	}
	res, err := rf.resolver()
	if err != nil {
		fmt.Fprintf(stderr, "headerlens spf: %v\n", err)
		return exitUsage
	}
	opts := spf.Options{Timeout: rf.timeout, Receiver: *receiver}
	if ex, ok := res.(lookup.Exchanger); ok {
		opts.Exchanger = ex // for the type 99 lint only
	}
	var r *spf.Result
	if *mailFrom == "" {
		r = spf.CheckHELO(ctx, res, ip, *helo, opts)
	} else {
		r = spf.Check(ctx, res, ip, *helo, *mailFrom, opts)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return exitFail
		}
		return exitOK
	}
	if err := r.WriteText(stdout); err != nil {
		return exitFail
	}
	return exitOK
}
