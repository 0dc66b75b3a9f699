//go:build js && wasm

// Command wasm is the browser bridge of headerlens: built with GOOS=js
// GOARCH=wasm, it exposes the analyzer to JavaScript as
//
//	globalThis.headerlens = { version, defaultDoh, analyze(input, options), markdown(report), checkDomain(domain, options) }
//
// version is the build's version and defaultDoh the DoH endpoints used when
// options.doh is not given.
//
// analyze takes the raw message (a string, or a Uint8Array of its bytes) and
// an optional options object, and returns a Promise. The Promise resolves
// with the analyzer's Report as a plain JavaScript object: the report is
// marshalled to JSON in Go and turned into an object with JSON.parse, so the
// page sees exactly the JSON contract of docs/report.md. It rejects with an
// Error when the input is too large, the options are invalid, the analysis
// fails, or the analysis panics (the panic is recovered; the page lives on).
//
// Options (all optional):
//
//	doh        string | string[]  DNS-over-HTTPS endpoint URL(s) (RFC 8484);
//	                              default dohresolver.DefaultEndpoints
//	offline    boolean            no network at all: no DNS queries
//	ip         string             SPF identity override: connecting IP
//	helo       string             SPF identity override: HELO/EHLO name
//	mailFrom   string             SPF identity override: MAIL FROM address
//	companion  string             URL of a headerlens companion: the From and
//	                              recipient domains' mail servers are checked
//	                              through it (report.transport); only the
//	                              domain names are sent
//	timeoutMs  number             limit on the whole analysis, DNS included
//	                              (default analyzer.DefaultTimeout)
//	warmUp     boolean            a warm-up: the live checks run, but every
//	                              DNS query is answered NXDOMAIN inside the
//	                              page (dohresolver.NXDomainTransport); doh
//	                              and companion are ignored, nothing is sent
//
// markdown takes a report object as analyze returns it and returns a Promise
// of the report as Markdown for a ticket (internal/markdown, the same text
// as headerlens analyze --format markdown).
//
// The bridge holds no logic of its own: it converts arguments, calls
// analyzer.Analyze and converts the result. When the Go program is ready it
// dispatches a "headerlens:ready" event on globalThis.
package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
	"headerlens/dohresolver"
	"headerlens/internal/jsonx"
)

// version is the build's version, set by the Makefile with
// -ldflags "-X main.version=...". When unset it falls back to the VCS
// revision recorded in the build info.
var version = ""

// MaxInputBytes is the largest message analyze accepts, in bytes (for a
// string input: in UTF-16 code units, checked before the string is copied).
const MaxInputBytes = 10 << 20

// defaultTimeout bounds one analysis when options.timeoutMs is not given.
const defaultTimeout = analyzer.DefaultTimeout

// grace is added to the analysis timeout for the context deadline, so the
// analyzer's own deadline (Options.Timeout) ends the run and it can still
// report what it found.
const grace = 5 * time.Second

// analyzeFunc is the analysis the bridge calls; tests replace it to check the
// panic recovery.
var analyzeFunc = analyzer.Analyze

// keep holds the exported functions so they are never released.
var keep []safejs.Func

func main() {
	if err := register(safejs.Global()); err != nil {
		panic(err)
	}
	// Keep the Go program running: analyze is called long after main.
	<-make(chan struct{})
}

// buildVersion returns the version string exposed to JavaScript.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	return "dev"
}

// register installs globalThis.headerlens and announces it.
func register(global safejs.Value) error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		return analyzeJS(global, args)
	})
	if err != nil {
		return err
	}
	keep = append(keep, fn)
	defaults := make([]any, len(dohresolver.DefaultEndpoints))
	for i, e := range dohresolver.DefaultEndpoints {
		defaults[i] = e
	}
	obj, err := safejs.ValueOf(map[string]any{"version": buildVersion(), "defaultDoh": defaults})
	if err != nil {
		return err
	}
	if err := obj.Set("analyze", fn.Value()); err != nil {
		return err
	}
	if err := registerMarkdown(global, obj); err != nil {
		return err
	}
	if err := registerDomain(global, obj); err != nil {
		return err
	}
	if err := global.Set("headerlens", obj); err != nil {
		return err
	}
	// Announce readiness where events exist (browsers; Node ≥ 15).
	if ctor, err := global.Get("Event"); err == nil && !ctor.IsUndefined() {
		if ev, err := ctor.New("headerlens:ready"); err == nil {
			_, _ = global.Call("dispatchEvent", ev)
		}
	}
	return nil
}

// analyzeJS implements headerlens.analyze: the arguments are read at
// once, the analysis runs in a goroutine (a JS callback must not block).
func analyzeJS(global safejs.Value, args []safejs.Value) any {
	return promise(global, func() (any, error) {
		input, opts, timeout, err := parseArgs(args)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			out, err := runAnalysis(input, opts, timeout)
			if err != nil {
				return nil, err
			}
			return parseJSON(global, out)
		}, nil
	})
}

// promise returns a JavaScript Promise settled by start, which runs in the
// Promise's executor and checks its arguments: an error rejects at once;
// otherwise it returns either the value to resolve with, or a func run in
// a goroutine (for work that may wait on fetch, which a JS callback must
// not block) whose result settles the Promise.
func promise(global safejs.Value, start func() (any, error)) any {
	ctor, err := global.Get("Promise")
	if err != nil {
		return jsError(global, err)
	}
	var executor safejs.Func
	executor, err = safejs.FuncOf(func(_ safejs.Value, pargs []safejs.Value) any {
		executor.Release()
		resolve, reject := pargs[0], pargs[1]
		settle := func(v any, err error) {
			if err != nil {
				_, _ = reject.Invoke(jsError(global, err))
				return
			}
			_, _ = resolve.Invoke(v)
		}
		v, err := start()
		if later, ok := v.(func() (any, error)); ok && err == nil {
			go func() { settle(later()) }()
			return nil
		}
		settle(v, err)
		return nil
	})
	if err != nil {
		return jsError(global, err)
	}
	p, err := ctor.New(executor.Value())
	if err != nil {
		return jsError(global, err)
	}
	return p
}

// runAnalysis runs the analysis under a timeout and returns the report as
// JSON. A panic anywhere below is recovered and returned as an error.
func runAnalysis(input []byte, opts analyzer.Options, timeout time.Duration) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("headerlens: internal error during analysis: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+grace)
	defer cancel()
	report, err := analyzeFunc(ctx, input, opts)
	if err != nil {
		return nil, err
	}
	if report == nil {
		return nil, errors.New("headerlens: the analysis returned no report")
	}
	return jsonx.Marshal(report)
}

// parseJSON turns JSON text into a JavaScript value with JSON.parse.
func parseJSON(global safejs.Value, data []byte) (safejs.Value, error) {
	j, err := global.Get("JSON")
	if err != nil {
		return safejs.Value{}, err
	}
	return j.Call("parse", string(data))
}

// jsError makes a JavaScript Error carrying err's message.
func jsError(global safejs.Value, err error) safejs.Value {
	ctor, gerr := global.Get("Error")
	if gerr != nil {
		return safejs.Null()
	}
	v, nerr := ctor.New(err.Error())
	if nerr != nil {
		return safejs.Null()
	}
	return v
}
