package analyzer

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"headerlens/analyzer/arc"
	"headerlens/analyzer/dkim"
	"headerlens/analyzer/dmarc"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/message"
	"headerlens/analyzer/spf"
	"headerlens/lookup"
)

// Live holds the results of the checks re-run against DNS.
type Live struct {
	// Enabled is false when the analysis ran offline.
	Enabled bool `json:"enabled"`
	// Reason says why the live checks did not run.
	Reason string `json:"reason,omitempty"`
	// Identities are the SPF identities used, and where each came from.
	Identities *Identities `json:"identities,omitempty"`
	// SPF is the RFC 7208 result for the MAIL FROM identity (its HELO
	// result inside); nil when no client IP is known.
	SPF *spf.Result `json:"spf,omitempty"`
	// SPFSkipped says why SPF was not evaluated.
	SPFSkipped string `json:"spfSkipped,omitempty"`
	// DKIM has one result per DKIM-Signature field, topmost first.
	DKIM []dkim.Result `json:"dkim"`
	// ARC is the RFC 8617 chain validation; nil when offline.
	ARC *arc.Result `json:"arc,omitempty"`
	// DMARC is the RFC 7489 / RFC 9989 evaluation.
	DMARC *dmarc.Result `json:"dmarc,omitempty"`
	// Errors lists checks that failed internally; their results are
	// missing.
	Errors []string `json:"errors,omitempty"`
	// Comparison sets each recorded verdict beside the live result and
	// explains the differences.
	Comparison []Comparison `json:"comparison,omitempty"`
}

// Identities are the SPF inputs (RFC 7208 §2.2–§2.4).
type Identities struct {
	IP       string `json:"ip"`
	HELO     string `json:"helo"`
	MailFrom string `json:"mailFrom"`
	// Source says where each came from: "option" (given by the user),
	// "trail" (the trust boundary hop), "return-path", or "" (unknown).
	IPSource       string `json:"ipSource"`
	HELOSource     string `json:"heloSource"`
	MailFromSource string `json:"mailFromSource"`
}

// identities picks the SPF identities: the options first, then the trust
// boundary of the Received trail and the Return-Path.
func identities(msg *message.Message, f offlineReading, opts Options) *Identities {
	id := &Identities{}
	b := f.trail.Boundary
	switch {
	case opts.IP != "":
		id.IP, id.IPSource = opts.IP, "option"
	case b != nil && b.IP != "":
		id.IP, id.IPSource = b.IP, "trail"
	}
	switch {
	case opts.HELO != "":
		id.HELO, id.HELOSource = opts.HELO, "option"
	case b != nil && b.HELO != "":
		id.HELO, id.HELOSource = b.HELO, "trail"
	}
	switch {
	case opts.MailFrom != "":
		id.MailFrom, id.MailFromSource = opts.MailFrom, "option"
	default:
		// RFC 5321 §4.4: the delivering server records the reverse-path
		// in Return-Path.
		if v, ok := msg.First("Return-Path"); ok {
			id.MailFrom, id.MailFromSource = returnPathAddress(v), "return-path"
		}
	}
	return id
}

// runLive runs the DNS-based checks. SPF, DKIM, ARC and the DMARC record
// discovery start at once; DMARC's verdict follows SPF and DKIM.
func runLive(ctx context.Context, msg *message.Message, f offlineReading, opts Options, now time.Time) *Live {
	if opts.Resolver == nil {
		return &Live{Enabled: false, Reason: "offline: no DNS resolver was configured, so SPF, DKIM, DMARC and ARC were not re-checked", DKIM: []dkim.Result{}}
	}
	res := opts.Resolver
	live := &Live{Enabled: true, Identities: identities(msg, f, opts)}
	fromValue, _ := msg.First("From")
	// DKIM and ARC verify the same fields and body with the same keys:
	// one session fetches each key and computes each hash once, and
	// divides one work budget between them (RFC 6376 §8.4).
	sess := dkimcore.NewSession(ctx, res, dkim.Fields(msg), msg.Body, msg.HasBody(), 0)

	// SPF, DKIM, ARC and DMARC record discovery run concurrently.
	var all sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	// run starts a check; a panic becomes a reported failure, so that a
	// bug in one check never takes the page down.
	run := func(wg *sync.WaitGroup, name string, f func()) {
		guard.Go(wg, f, func(err error) {
			mu.Lock()
			failures = append(failures, name+": "+err.Error())
			mu.Unlock()
		})
	}
	run(&all, "SPF", func() {
		ip, err := netip.ParseAddr(live.Identities.IP)
		if err != nil {
			live.SPFSkipped = "no connecting IP address was found in the Received trail, so SPF cannot be evaluated; give one with the ip option"
			return
		}
		// One deadline for the whole analysis: SPF's own default
		// (RFC 7208 §4.6.4, at least 20 s) must neither cut a longer
		// one short nor outlast a shorter one.
		spfOpts := spf.Options{Now: func() time.Time { return now }}
		if ex, ok := res.(lookup.Exchanger); ok {
			spfOpts.Exchanger = ex // for the type 99 lint only
		}
		if d, ok := ctx.Deadline(); ok {
			spfOpts.Timeout = max(time.Until(d), time.Millisecond)
		}
		live.SPF = spf.Check(ctx, res, ip, live.Identities.HELO, live.Identities.MailFrom, spfOpts)
	})
	run(&all, "DKIM", func() {
		live.DKIM = dkim.Verify(ctx, res, msg, dkim.Options{Now: now, Session: sess})
	})
	run(&all, "ARC", func() {
		a := arc.Verify(ctx, res, msg, arc.Options{Now: now, Session: sess})
		live.ARC = &a
	})
	// DMARC discovery (the From domain's record and Organizational
	// Domain) runs beside the other checks; its evaluation needs SPF and
	// DKIM, so it comes after them.
	var disc *dmarc.Discovery
	run(&all, "DMARC discovery", func() {
		disc = dmarc.Discover(ctx, res, fromValue, dmarc.MethodTreeWalk)
	})
	all.Wait()
	if disc != nil {
		run(&all, "DMARC", func() {
			r := disc.Evaluate(dmarcInputs(live))
			live.DMARC = &r
		})
		all.Wait()
	}
	if live.DKIM == nil {
		live.DKIM = []dkim.Result{}
	}
	live.Errors = failures
	return live
}

// dmarcInputs turns the SPF and DKIM results into DMARC's inputs
// (RFC 7489 §4.2: the authenticated identifiers).
func dmarcInputs(live *Live) (dmarc.SPF, []dmarc.DKIM) {
	s := dmarc.SPF{Result: "none", MailFrom: live.Identities.MailFrom, Helo: live.Identities.HELO}
	if live.SPF != nil {
		s.Result = live.SPF.Result
	}
	var ds []dmarc.DKIM
	for _, d := range live.DKIM {
		ds = append(ds, dmarc.DKIM{Domain: d.Domain, Result: d.Result, Selector: d.Selector})
	}
	return s, ds
}

// findings gathers the findings of the live checks: SPF record lint, DKIM
// signature and key findings, DMARC record findings and ARC findings.
func (l *Live) findings() []finding.Finding {
	if l == nil || !l.Enabled {
		return nil
	}
	var out []finding.Finding
	if l.SPF != nil {
		out = append(out, l.SPF.Lint...)
	}
	for _, d := range l.DKIM {
		out = append(out, d.Findings...)
	}
	if l.DMARC != nil {
		out = append(out, l.DMARC.Findings...)
	}
	if l.ARC != nil {
		out = append(out, l.ARC.Findings...)
	}
	return out
}
