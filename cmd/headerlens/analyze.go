package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"headerlens/analyzer"
	"headerlens/analyzer/message"
	"headerlens/companion/client"
	"headerlens/dohresolver"
	"headerlens/internal/markdown"
	"headerlens/lookup"
)

// stringList is a repeatable flag that also accepts comma-separated values.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

// resolverFlags are the DNS flags shared by analyze and spf.
type resolverFlags struct {
	doh     stringList
	offline bool
	timeout time.Duration
}

func (f *resolverFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.doh, "doh", "DNS-over-HTTPS endpoint URL, repeatable, tried in order (default: "+strings.Join(dohresolver.DefaultEndpoints, ", ")+")")
	fs.BoolVar(&f.offline, "offline", false, "no network at all: skip the live DNS checks")
	fs.DurationVar(&f.timeout, "timeout", analyzer.DefaultTimeout, "deadline for the whole analysis of one message, DNS included")
}

// resolver returns the configured resolver, or nil when offline.
func (f *resolverFlags) resolver() (lookup.Resolver, error) {
	if f.offline {
		return nil, nil
	}
	endpoints := []string(f.doh)
	if len(endpoints) == 0 {
		endpoints = dohresolver.DefaultEndpoints
	}
	r, err := dohresolver.New(dohresolver.Config{Endpoints: endpoints})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func runAnalyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("analyze", "Usage: headerlens analyze [flags] [FILE|DIR|-]...\n\n"+
		"Analyzes each message: a file (.eml or a header block), an mbox file, a Maildir\n"+
		"or a folder of messages, or standard input (\"-\" or no argument). One message\n"+
		"prints one report; several print JSON Lines, one object per message.", stderr)
	var (
		format   = fs.String("format", "", "output format: text, json or markdown (for a ticket) (default: text for one message, JSON Lines for several)")
		ip       = fs.String("ip", "", "SPF client IP, overriding the one found in the Received trail")
		helo     = fs.String("helo", "", "SPF HELO identity, overriding the one found in the Received trail")
		mailFrom = fs.String("mail-from", "", "SPF MAIL FROM identity, overriding Return-Path")
		compURL  = fs.String("companion", "", "URL of a headerlens companion: check the From and recipient domains' mail servers (STARTTLS, MTA-STS, TLS-RPT, DANE); only domain names are sent")
		rf       resolverFlags
	)
	rf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *format != "" && *format != "text" && *format != "json" && *format != "markdown" {
		fmt.Fprintf(stderr, "headerlens analyze: --format must be text, json or markdown, not %q\n", *format)
		return exitUsage
	}
	res, err := rf.resolver()
	if err != nil {
		fmt.Fprintf(stderr, "headerlens analyze: %v\n", err)
		return exitUsage
	}
	opts := analyzer.Options{Resolver: res, IP: *ip, HELO: *helo, MailFrom: *mailFrom, Timeout: rf.timeout}
	if *compURL != "" && !rf.offline {
		c, err := client.New(*compURL, nil)
		if err != nil {
			fmt.Fprintf(stderr, "headerlens analyze: --companion: %v\n", err)
			return exitUsage
		}
		opts.Transport = c
	}

	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	srcs, sk := collectSources(inputs, stdin)
	sk.report(stderr)
	b := batch{ctx: ctx, opts: opts, stdout: stdout, stderr: stderr, format: *format, memory: newByteBudget(batchMemory)}
	return b.run(srcs)
}

// batchMemory bounds the memory of the messages in a batch: those read and
// waiting for a worker, and those being analyzed, weighed by the capacity
// of their buffers. It is four messages of the largest size the analyzer
// accepts (message.MaxInputSize, 64 MiB), whatever the number of cores:
// the workers (GOMAXPROCS) could otherwise hold one such message each,
// plus as many again queued, so memory would grow with the machine and an
// mbox of large messages could take GiBs on a big one. One more message is
// held outside the budget, the one the reader has read and waits to queue,
// and the analysis of a message needs about as much again as the message
// (its body, canonicalized as it is hashed, and 1 MiB of header at most),
// so a batch stays under about 10 such messages, 640 MiB, at worst. A
// message larger than the budget is analyzed alone. Ordinary mail (up to
// a few MiB a message) never waits on it: hundreds of messages fit.
const batchMemory = 4 * message.MaxInputSize

// batch analyzes sources concurrently and writes the reports in input order.
type batch struct {
	ctx            context.Context
	opts           analyzer.Options
	stdout, stderr io.Writer
	format         string
	// memory bounds the message bytes in the pipeline (batchMemory).
	memory *byteBudget
}

type outcome struct {
	name   string
	report *analyzer.Report
	err    error
}

func (b *batch) run(srcs []source) int {
	workers := runtime.GOMAXPROCS(0)
	items := make(chan item, workers)
	// send queues one message once the memory budget has room for it;
	// the worker that analyzes it gives the room back.
	send := func(it item) bool {
		b.memory.acquire(it.weight())
		select {
		case items <- it:
			return true
		case <-b.ctx.Done():
			b.memory.release(it.weight())
			return false
		}
	}
	go func() {
		defer close(items)
		for _, s := range srcs {
			rc, err := s.open()
			if err != nil {
				if !send(item{name: s.name, err: err}) {
					return
				}
				continue
			}
			splitMessages(s.name, rc, s.size, send)
			rc.Close()
		}
	}()

	// Results come back in order through a queue of per-item channels.
	queue := make(chan chan outcome, 2*workers)
	sem := make(chan struct{}, workers)
	go func() {
		defer close(queue)
		for it := range items {
			ch := make(chan outcome, 1)
			queue <- ch
			sem <- struct{}{}
			go func(it item) {
				defer func() { <-sem }()
				o := b.analyzeOne(it)
				b.memory.release(it.weight())
				ch <- o
			}(it)
		}
	}()

	prog := newProgress(b.stderr)
	var results []outcome
	failed, total := 0, 0
	var once sync.Once
	multi := false
	for ch := range queue {
		o := <-ch
		total++
		if o.err != nil {
			failed++
		}
		prog.update(total, failed)
		if !multi && total == 1 {
			// Hold the first result until we know whether there is more.
			results = append(results, o)
			continue
		}
		once.Do(func() {
			multi = true
			for _, r := range results {
				b.writeLine(r)
			}
			results = nil
		})
		b.writeLine(o)
	}
	prog.done(total, failed)
	if !multi {
		if len(results) == 0 {
			fmt.Fprintln(b.stderr, "headerlens analyze: no messages found")
			return exitFail
		}
		o := results[0]
		if o.err != nil {
			fmt.Fprintf(b.stderr, "headerlens analyze: %s: %v\n", o.name, o.err)
			return exitFail
		}
		if b.format == "json" {
			enc := json.NewEncoder(b.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(o.report); err != nil {
				return exitFail
			}
			return exitOK
		}
		if b.format == "markdown" {
			if err := markdown.Write(b.stdout, o.report); err != nil {
				return exitFail
			}
			return exitOK
		}
		writeText(b.stdout, o.report)
		return exitOK
	}
	if failed > 0 {
		fmt.Fprintf(b.stderr, "headerlens analyze: %d of %d messages could not be analyzed\n", failed, total)
		return exitFail
	}
	return exitOK
}

func (b *batch) analyzeOne(it item) outcome {
	if it.err != nil {
		return outcome{name: it.name, err: it.err}
	}
	if len(it.data) > message.MaxInputSize {
		return outcome{name: it.name, err: message.ErrTooLarge}
	}
	r, err := analyzer.Analyze(b.ctx, it.data, b.opts)
	return outcome{name: it.name, report: r, err: err}
}

// byteBudget is a counting semaphore of bytes: acquire blocks while the
// bytes held would exceed the limit. A request larger than the limit is
// let through when nothing else is held, so that it runs alone.
type byteBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int
	held  int
	// peak is the most bytes ever held at once.
	peak int
}

func newByteBudget(limit int) *byteBudget {
	b := &byteBudget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *byteBudget) acquire(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.held > 0 && b.held+n > b.limit {
		b.cond.Wait()
	}
	b.held += n
	b.peak = max(b.peak, b.held)
}

func (b *byteBudget) release(n int) {
	b.mu.Lock()
	b.held -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// batchLine is one line of JSON Lines output.
type batchLine struct {
	File   string           `json:"file"`
	Error  string           `json:"error,omitempty"`
	Report *analyzer.Report `json:"report,omitempty"`
}

func (b *batch) writeLine(o outcome) {
	if b.format == "markdown" {
		// One document per message, separated by a thematic break.
		fmt.Fprintf(b.stdout, "File %s\n\n", markdown.Code(o.name))
		if o.err != nil {
			fmt.Fprintf(b.stdout, "Could not analyze %s: %s\n\n---\n\n", markdown.Code(o.name), markdown.Escape(o.err.Error()))
			return
		}
		markdown.Write(b.stdout, o.report)
		fmt.Fprint(b.stdout, "\n---\n\n")
		return
	}
	if b.format == "text" {
		fmt.Fprintf(b.stdout, "==> %s <==\n", o.name)
		if o.err != nil {
			fmt.Fprintf(b.stdout, "error: %v\n\n", o.err)
			return
		}
		writeText(b.stdout, o.report)
		fmt.Fprintln(b.stdout)
		return
	}
	l := batchLine{File: o.name, Report: o.report}
	if o.err != nil {
		l.Error = o.err.Error()
	}
	enc := json.NewEncoder(b.stdout)
	enc.SetEscapeHTML(false)
	enc.Encode(l)
}

// progress draws a one-line counter on stderr when it is a terminal.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(n, failed int) {
	if !p.on || n < 2 || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.draw(n, failed)
}

func (p *progress) draw(n, failed int) {
	rate := float64(n) / time.Since(p.start).Seconds()
	const width = 24
	pos := n % (2 * width)
	if pos >= width {
		pos = 2*width - pos - 1
	}
	bar := strings.Repeat("·", pos) + "█" + strings.Repeat("·", width-pos-1)
	fmt.Fprintf(p.w, "\r[%s] %d messages, %d failed, %.0f msg/s ", bar, n, failed, rate)
}

func (p *progress) done(n, failed int) {
	if p.on && n >= 2 {
		p.draw(n, failed)
		fmt.Fprintln(p.w)
	}
}
