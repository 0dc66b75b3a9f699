package dmarc

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"headerlens/analyzer/internal/guard"
	"headerlens/lookup"
)

// txtAnswer is one TXT query, started once and shared by every walk that
// needs the same name.
type txtAnswer struct {
	done chan struct{}
	recs []string
	err  error
}

// querier runs the DNS queries of one evaluation. It starts each distinct
// TXT query at most once, concurrently, and lets callers wait for the
// answers in the order the algorithm decides them.
type querier struct {
	ctx context.Context
	r   lookup.Resolver

	mu  sync.Mutex
	txt map[string]*txtAnswer
	// running counts the goroutines started, so that Evaluate can wait
	// for queries started speculatively and not return while they still
	// write to the caller's lookup.Log.
	running sync.WaitGroup
}

func newQuerier(ctx context.Context, r lookup.Resolver) *querier {
	return &querier{ctx: ctx, r: r, txt: map[string]*txtAnswer{}}
}

// errResolverPanic is reported when a resolver panics.
var errResolverPanic = errors.New("dmarc: resolver failed unexpectedly")

// start launches the TXT query for name unless it is already running.
func (q *querier) start(name string) *txtAnswer {
	q.mu.Lock()
	defer q.mu.Unlock()
	if a, ok := q.txt[name]; ok {
		return a
	}
	a := &txtAnswer{done: make(chan struct{})}
	q.txt[name] = a
	guard.Go(&q.running, func() {
		a.recs, a.err = q.r.LookupTXT(q.ctx, name)
		close(a.done)
	}, func(error) {
		a.recs, a.err = nil, errResolverPanic
		close(a.done)
	})
	return a
}

// drain waits until every query started has finished, or the context
// ends.
func (q *querier) drain() {
	done := make(chan struct{})
	var waiter sync.WaitGroup
	// Waiting cannot panic; guard.Go is used all the same, as for every
	// goroutine of the analyzer.
	guard.Go(&waiter, func() {
		q.running.Wait()
		close(done)
	}, func(error) {})
	select {
	case <-done:
	case <-q.ctx.Done():
	}
}

func (q *querier) wait(a *txtAnswer) ([]string, error) {
	select {
	case <-a.done:
		return a.recs, a.err
	case <-q.ctx.Done():
		return nil, q.ctx.Err()
	}
}

// Level statuses of a WalkStep.
const (
	StatusRecord   = "record"   // exactly one DMARC record
	StatusNone     = "none"     // no DMARC record (NXDOMAIN, NODATA or only other TXT)
	StatusMultiple = "multiple" // more than one DMARC record: all discarded
	StatusError    = "error"    // the query failed
)

// level is the outcome of querying "_dmarc.<Domain>".
type level struct {
	Domain string
	Status string
	Record *Record
	Err    error
	// BadVersion holds a TXT record that looks like DMARC but does not
	// start with exactly "v=DMARC1".
	BadVersion string
	// Others counts TXT records that are not DMARC records.
	Others int
}

// level waits for the answer at "_dmarc.<domain>" and classifies it (RFC
// 7489 §6.6.3 steps 1–2; RFC 9989 §4.10 steps 1–2 and 5–6): records that
// do not start with "v=DMARC1" are discarded; more than one remaining
// record means all are discarded.
func (q *querier) level(domain string, a *txtAnswer) level {
	lv := level{Domain: domain}
	recs, err := q.wait(a)
	if err != nil && !lookup.IsNotFound(err) {
		lv.Status, lv.Err = StatusError, err
		return lv
	}
	var dmarc []string
	for _, t := range recs {
		if IsDMARC(t) {
			dmarc = append(dmarc, t)
			continue
		}
		lv.Others++
		if lv.BadVersion == "" && looksLikeBadVersion(t) {
			lv.BadVersion = t
		}
	}
	switch len(dmarc) {
	case 0:
		lv.Status = StatusNone
	case 1:
		rec, err := ParseRecord(dmarc[0])
		if err != nil { // cannot happen: IsDMARC checked the version
			lv.Status = StatusNone
			break
		}
		lv.Status, lv.Record = StatusRecord, rec
	default:
		lv.Status = StatusMultiple
	}
	return lv
}

// Organizational Domain selection rules of a tree walk (RFC 9989 §4.10.2).
const (
	orgRulePSDNo    = "psd=n"
	orgRulePSDYes   = "psd=y"
	orgRuleFewest   = "fewest-labels"
	orgRuleNoRecord = "no-record"
)

// walkResult is one DNS Tree Walk (RFC 9989 §4.10).
type walkResult struct {
	start string
	// names are all the domains whose _dmarc name the walk queries, in
	// the order of the specification.
	names []string
	// levels are the levels decided, in order, up to the one where the
	// walk stopped (a psd=y or psd=n record) or failed.
	levels []level
	org    string
	rule   string
	// err is the first DNS failure met before the walk stopped; the
	// Organizational Domain is then uncertain.
	err   error
	errAt string
}

// prefetch starts the queries of the walk from start without waiting.
func (q *querier) prefetch(start string) []*txtAnswer {
	names := TreeWalkNames(start)
	ans := make([]*txtAnswer, len(names))
	for i, n := range names {
		ans[i] = q.start("_dmarc." + n)
	}
	return ans
}

// walk performs the DNS Tree Walk from start (normalized). All candidate
// names are queried at once; the answers are then decided in order.
func (q *querier) walk(start string) *walkResult {
	w := &walkResult{start: start, names: TreeWalkNames(start)}
	ans := q.prefetch(start)
	for i, n := range w.names {
		lv := q.level(n, ans[i])
		w.levels = append(w.levels, lv)
		if lv.Status == StatusError {
			w.err, w.errAt = lv.Err, n
			break
		}
		// RFC 9989 §4.10 steps 2 and 6: a single record with psd=y or
		// psd=n stops the walk.
		if lv.Status == StatusRecord && (lv.Record.PSD == PSDYes || lv.Record.PSD == PSDNo) {
			break
		}
	}
	w.org, w.rule = selectOrg(start, w.levels)
	return w
}

// selectOrg applies RFC 9989 §4.10.2 to the levels of a walk from start,
// longest name first: a psd=n record marks the Organizational Domain; a
// psd=y record other than at the start makes the domain one label below it
// the Organizational Domain; otherwise the record with the fewest labels
// wins; with no record at all the start is its own Organizational Domain.
func selectOrg(start string, levels []level) (string, string) {
	fewest := ""
	for _, lv := range levels {
		if lv.Status != StatusRecord {
			continue
		}
		switch {
		case lv.Record.PSD == PSDNo:
			return lv.Domain, orgRulePSDNo
		case lv.Record.PSD == PSDYes && lv.Domain != start:
			return oneLabelBelow(start, lv.Domain), orgRulePSDYes
		}
		fewest = lv.Domain // levels go from most to fewest labels
	}
	if fewest != "" {
		return fewest, orgRuleFewest
	}
	return start, orgRuleNoRecord
}

// existence is the outcome of the non-existent domain test.
type existence struct {
	exists bool
	known  bool
	err    error
}

// exists tests whether d exists for the "np" policy (RFC 9989 §4.7 "np",
// §4.10.1) with A, AAAA and MX queries, run concurrently. A non-existent
// domain is one whose name answers NXDOMAIN (RFC 8020): a NODATA answer
// means the name exists with other record types (a TXT-only subdomain).
// When the resolver cannot tell the two apart (lookup.NXDomain reports
// unknown), d is taken as non-existent when all three queries find
// nothing, the definition of RFC 9091 and earlier DMARCbis drafts.
func (q *querier) exists(d string) existence {
	type answer struct {
		n   int
		err error
	}
	ch := make(chan answer, 3)
	run := func(f func() (int, error)) {
		guard.Go(&q.running, func() {
			n, err := f()
			ch <- answer{n, err}
		}, func(error) {
			ch <- answer{err: errResolverPanic}
		})
	}
	for _, network := range []string{"ip4", "ip6"} {
		run(func() (int, error) {
			var addrs []netip.Addr
			addrs, err := q.r.LookupNetIP(q.ctx, network, d)
			return len(addrs), err
		})
	}
	run(func() (int, error) {
		mx, err := q.r.LookupMX(q.ctx, d)
		return len(mx), err
	})
	var failed error
	nodata := false
	for range 3 {
		var a answer
		select {
		case a = <-ch:
		case <-q.ctx.Done():
			return existence{err: q.ctx.Err()}
		}
		switch {
		case a.n > 0:
			return existence{exists: true, known: true}
		case a.err != nil && !lookup.IsNotFound(a.err):
			failed = a.err
		case a.err != nil:
			if nx, known := lookup.NXDomain(a.err); known && nx {
				// RFC 8020 §2: NXDOMAIN means nothing exists at or
				// below the name.
				return existence{exists: false, known: true}
			} else if known {
				nodata = true
			}
		}
	}
	if nodata && failed == nil {
		return existence{exists: true, known: true}
	}
	if failed != nil {
		return existence{err: fmt.Errorf("existence test of %s: %w", d, failed)}
	}
	return existence{exists: false, known: true}
}
