// Package analyzer reads an email header block (or a whole message) and
// explains it: who sent it, the path it took, what the receiving servers
// decided, and whether SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489,
// RFC 9989) and ARC (RFC 8617) still verify.
//
// The package is pure Go: it has no syscall/js and opens no connection. The
// only way out is the lookup.Resolver in Options; with no resolver the
// analysis is offline and the live checks are skipped. The same code runs in
// the browser (compiled to WebAssembly) and in the headerlens command.
//
// Analyze returns a Report whose JSON form is the contract between the Go
// code, the command line and the web page; docs/report.md documents it.
package analyzer

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"

	"headerlens/analyzer/dkim"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/message"
	"headerlens/lookup"
)

// Version is the analyzer's version, reported in every Report. Release
// builds set it with -ldflags "-X headerlens/analyzer.Version=...".
var Version = "dev"

// DefaultTimeout bounds a whole analysis when Options.Timeout is zero.
const DefaultTimeout = 20 * time.Second

// Options controls an analysis.
type Options struct {
	// Resolver answers the DNS queries of the live checks. Nil means
	// offline: no network at all, and the live checks are skipped.
	Resolver lookup.Resolver
	// IP, HELO and MailFrom override the SPF identities that would
	// otherwise be read from the Received trail and Return-Path
	// (RFC 7208 §2.2–§2.4). Empty fields are read from the headers.
	IP       string
	HELO     string
	MailFrom string
	// Transport, when set, is asked about the mail transport security of
	// the From and recipient domains (Report.Transport). Only the domain
	// names are sent.
	Transport TransportChecker
	// Timeout bounds the whole analysis, DNS included. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Now is the time used for signature expiry and date checks. Zero
	// means time.Now().
	Now time.Time
}

// ErrInvalidOption is wrapped by errors about Options.
var ErrInvalidOption = errors.New("invalid option")

// Analyze parses input and returns its report. It returns an error only when
// there is nothing to analyze (empty input, no header fields, input over
// message.MaxInputSize) or an option is invalid; every other irregularity
// is repaired, reported in Report.Notes, and analyzed as far as possible.
// Analyze never panics: an internal failure is returned as an error.
func Analyze(ctx context.Context, input []byte, opts Options) (report *Report, err error) {
	defer func() {
		if r := recover(); r != nil {
			report = nil
			err = fmt.Errorf("internal error while analyzing (please report it): %v\n%s", r, debug.Stack())
		}
	}()
	start := time.Now()
	if opts.IP != "" {
		if _, perr := netip.ParseAddr(opts.IP); perr != nil {
			return nil, fmt.Errorf("%w: ip %q is not an IP address", ErrInvalidOption, opts.IP)
		}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dnsLog := lookup.Log{Start: start}
	ctx = lookup.WithLog(ctx, &dnsLog)

	msg, err := message.Parse(input)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	r := &Report{
		Version: Version,
		Input: Input{
			Bytes:     len(input),
			Fields:    len(msg.Fields),
			HasBody:   msg.HasBody(),
			BodyBytes: len(msg.Body),
		},
		Notes:   msg.Notes,
		Headers: headerList(msg),
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	r.Summary = summarize(msg)
	f := readOffline(msg)
	r.Hops = f.trail.Hops
	r.Trail = TrailInfo{TotalSeconds: f.trail.TotalSeconds, Boundary: f.trail.Boundary}
	r.Recorded = f.verdicts
	r.Vendor = f.vendor
	var transport sync.WaitGroup
	if opts.Transport != nil {
		r.Transport = transportTargets(msg)
		transport.Go(func() { checkTransport(ctx, opts.Transport, r.Transport) })
	}
	r.Live = runLive(ctx, msg, f, opts, now)
	transport.Wait()
	r.Live.Comparison = compare(f.verdicts, r.Live, len(msg.Notes) > 0, msg.HasBody())
	sigs := r.Live.DKIM
	var offline []finding.Finding
	if !r.Live.Enabled {
		// Offline the signatures are still parsed and judged (l=,
		// unsigned headers); only the key checks need DNS.
		sigs = dkim.Verify(ctx, nil, msg, dkim.Options{Now: now})
		for i := range sigs {
			offline = append(offline, sigs[i].Findings...)
			sigs[i].Result = "" // not verified
		}
	}
	r.Findings = append(headerFindings(msg, f, sigs, now), r.Live.findings()...)
	r.Findings = append(r.Findings, offline...)
	sortFindings(r.Findings)
	r.DNS = dnsLog.Queries()
	if r.DNS == nil {
		r.DNS = []lookup.Query{}
	}
	r.ElapsedMs = float64(time.Since(start).Microseconds()) / 1000
	return r, nil
}

func headerList(msg *message.Message) []Header {
	out := make([]Header, len(msg.Fields))
	for i, f := range msg.Fields {
		out[i] = Header{Name: f.Name, Value: f.Value}
	}
	return out
}
