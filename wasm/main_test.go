//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
)

func TestMain(m *testing.M) {
	if err := register(safejs.Global()); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// settle waits for the Promise p and returns its value or its rejection.
func settle(t *testing.T, p safejs.Value) (value safejs.Value, rejection safejs.Value, rejected bool) {
	t.Helper()
	type outcome struct {
		v        safejs.Value
		rejected bool
	}
	ch := make(chan outcome, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		ch <- outcome{v: a[0]}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		ch <- outcome{v: a[0], rejected: true}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		t.Fatalf("analyze did not return a Promise: %v", err)
	}
	select {
	case o := <-ch:
		if o.rejected {
			return safejs.Undefined(), o.v, true
		}
		return o.v, safejs.Undefined(), false
	case <-time.After(60 * time.Second):
		t.Fatal("the Promise did not settle within 60 s")
	}
	return
}

// call runs globalThis.headerlens.analyze(args...).
func call(t *testing.T, args ...any) safejs.Value {
	t.Helper()
	hl, err := safejs.Global().Get("headerlens")
	if err != nil {
		t.Fatal(err)
	}
	p, err := hl.Call("analyze", args...)
	if err != nil {
		t.Fatalf("analyze threw synchronously: %v", err)
	}
	return p
}

// get reads a property path such as "summary.subject" as a string.
func get(t *testing.T, v safejs.Value, path string) string {
	t.Helper()
	for _, p := range strings.Split(path, ".") {
		var err error
		if v, err = v.Get(p); err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
	}
	if v.Type() != safejs.TypeString {
		t.Fatalf("%s is a %v, want a string", path, v.Type())
	}
	s, _ := v.String()
	return s
}

// errMessage returns the message of a rejection, checking it is an Error.
func errMessage(t *testing.T, v safejs.Value) string {
	t.Helper()
	ctor, _ := safejs.Global().Get("Error")
	if ok, err := v.InstanceOf(ctor); err != nil || !ok {
		t.Fatalf("rejection is not an Error (type %v)", v.Type())
	}
	return get(t, v, "message")
}

const fixture = "From: Alice Example <alice@example.com>\r\n" +
	"To: bob@example.org\r\n" +
	"Subject: Quarterly report\r\n" +
	"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hello.\r\n"

func TestVersion(t *testing.T) {
	hl, _ := safejs.Global().Get("headerlens")
	if got := get(t, hl, "version"); got == "" {
		t.Errorf("version = %q, want non-empty", got)
	}
}

func TestAnalyzeResolves(t *testing.T) {
	u8, _ := safejs.Global().Get("Uint8Array")
	bytes, err := u8.New(len(fixture))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := safejs.CopyBytesToJS(bytes, []byte(fixture)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input any
	}{
		{"string", fixture},
		{"Uint8Array", bytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := map[string]any{"offline": true}
			v, rej, rejected := settle(t, call(t, tc.input, opts))
			if rejected {
				t.Fatalf("analyze rejected: %s", errMessage(t, rej))
			}
			if got, want := get(t, v, "summary.subject"), "Quarterly report"; got != want {
				t.Errorf("summary.subject = %q, want %q", got, want)
			}
			if got, want := get(t, v, "summary.from"), "alice@example.com"; !strings.Contains(got, want) {
				t.Errorf("summary.from = %q, want it to contain %q", got, want)
			}
		})
	}
}

func TestAnalyzeRejects(t *testing.T) {
	tests := []struct {
		name string
		args []any
		want string
	}{
		{"oversized string", []any{strings.Repeat("a", MaxInputBytes+1), map[string]any{"offline": true}}, "larger than"},
		{"no input", nil, "needs the message"},
		{"number input", []any{42}, "string or a Uint8Array"},
		{"plain object input", []any{map[string]any{"a": 1}}, "string or a Uint8Array"},
		{"options not an object", []any{fixture, "offline"}, "options must be an object"},
		{"doh of wrong type", []any{fixture, map[string]any{"doh": 7}}, "option doh"},
		{"ip of wrong type", []any{fixture, map[string]any{"offline": true, "ip": true}}, "option ip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rej, rejected := settle(t, call(t, tc.args...))
			if !rejected {
				t.Fatalf("analyze resolved, want a rejection containing %q", tc.want)
			}
			if got := errMessage(t, rej); !strings.Contains(got, tc.want) {
				t.Errorf("rejection = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

func TestAnalyzeOversizedBytes(t *testing.T) {
	u8, _ := safejs.Global().Get("Uint8Array")
	big, err := u8.New(MaxInputBytes + 1)
	if err != nil {
		t.Fatal(err)
	}
	_, rej, rejected := settle(t, call(t, big, map[string]any{"offline": true}))
	if !rejected {
		t.Fatal("analyze resolved for an oversized Uint8Array, want a rejection")
	}
	if got, want := errMessage(t, rej), "larger than"; !strings.Contains(got, want) {
		t.Errorf("rejection = %q, want it to contain %q", got, want)
	}
}

func TestAnalyzePanicRejects(t *testing.T) {
	saved := analyzeFunc
	defer func() { analyzeFunc = saved }()
	analyzeFunc = func(context.Context, []byte, analyzer.Options) (*analyzer.Report, error) {
		var m map[string]int
		m["boom"]++ // a nil-map write panics
		return nil, nil
	}
	_, rej, rejected := settle(t, call(t, fixture, map[string]any{"offline": true}))
	if !rejected {
		t.Fatal("analyze resolved although the analysis panicked")
	}
	if got, want := errMessage(t, rej), "internal error"; !strings.Contains(got, want) {
		t.Errorf("rejection = %q, want it to contain %q", got, want)
	}
	// The bridge still works after the panic.
	analyzeFunc = saved
	if _, rej, rejected := settle(t, call(t, fixture, map[string]any{"offline": true})); rejected {
		t.Errorf("analyze after a panic rejected: %s", errMessage(t, rej))
	}
}

func TestRunAnalysisErrors(t *testing.T) {
	saved := analyzeFunc
	defer func() { analyzeFunc = saved }()
	sentinel := errors.New("sentinel")
	tests := []struct {
		name string
		fn   func(context.Context, []byte, analyzer.Options) (*analyzer.Report, error)
		want string
	}{
		{"error passes through", func(context.Context, []byte, analyzer.Options) (*analyzer.Report, error) { return nil, sentinel }, "sentinel"},
		{"nil report", func(context.Context, []byte, analyzer.Options) (*analyzer.Report, error) { return nil, nil }, "no report"},
		{"panic", func(context.Context, []byte, analyzer.Options) (*analyzer.Report, error) { panic("kaboom") }, "internal error during analysis: kaboom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			analyzeFunc = tc.fn
			out, err := runAnalysis([]byte(fixture), analyzer.Options{}, time.Second)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("runAnalysis() = %q, %v; want an error containing %q", out, err, tc.want)
			}
		})
	}
}

func TestReadOptions(t *testing.T) {
	tests := []struct {
		name          string
		opts          map[string]any
		wantResolver  bool
		wantIP        string
		wantTimeout   time.Duration
		wantCompanion bool
	}{
		{"offline", map[string]any{"offline": true, "ip": "192.0.2.1"}, false, "192.0.2.1", defaultTimeout, false},
		{"default DoH", map[string]any{}, true, "", defaultTimeout, false},
		{"DoH string", map[string]any{"doh": "https://doh.example/dns-query"}, true, "", defaultTimeout, false},
		{"DoH list and timeout", map[string]any{"doh": []any{"https://a.example/dns-query", "https://b.example/dns-query"}, "timeoutMs": 5000}, true, "", 5 * time.Second, false},
		{"companion", map[string]any{"companion": "https://companion.example"}, true, "", defaultTimeout, true},
		{"companion ignored offline", map[string]any{"companion": "https://companion.example", "offline": true}, false, "", defaultTimeout, false},
		{"warm-up, companion ignored", map[string]any{"warmUp": true, "companion": "https://companion.example"}, true, "", defaultTimeout, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := safejs.ValueOf(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, timeout, err := readOptions(v)
			if err != nil {
				t.Fatalf("readOptions: %v", err)
			}
			if (got.Resolver != nil) != tc.wantResolver {
				t.Errorf("Resolver set = %v, want %v", got.Resolver != nil, tc.wantResolver)
			}
			if got.IP != tc.wantIP {
				t.Errorf("IP = %q, want %q", got.IP, tc.wantIP)
			}
			if got.Timeout != tc.wantTimeout {
				t.Errorf("Options.Timeout = %v, want %v", got.Timeout, tc.wantTimeout)
			}
			if timeout != tc.wantTimeout {
				t.Errorf("timeout = %v, want %v", timeout, tc.wantTimeout)
			}
			if (got.Transport != nil) != tc.wantCompanion {
				t.Errorf("Transport set = %v, want %v", got.Transport != nil, tc.wantCompanion)
			}
		})
	}
	bad, err := safejs.ValueOf(map[string]any{"companion": "javascript:alert(1)"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := readOptions(bad); err == nil {
		t.Error("readOptions accepted a javascript: companion URL")
	}
}

// TestCharsetThroughTextDecoder checks that RFC 2047 words in charsets Go
// does not decode itself go through the JavaScript TextDecoder.
func TestCharsetThroughTextDecoder(t *testing.T) {
	tests := []struct{ charset, encoded, want string }{
		{"gb2312", "=?gb2312?B?1tDOxA==?=", "中文"},
		{"koi8-r", "=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"shift_jis", "=?shift_jis?B?k/qWe4zq?=", "日本語"},
		{"unknown label stays encoded", "=?x-no-such-charset?B?QUJD?=", "=?x-no-such-charset?B?QUJD?="},
	}
	for _, tt := range tests {
		r, err := analyzer.Analyze(context.Background(), []byte("From: a@example.org\nSubject: "+tt.encoded+"\n"), analyzer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Summary.Subject != tt.want {
			t.Errorf("%s: subject = %q, want %q", tt.charset, r.Summary.Subject, tt.want)
		}
	}
}

// TestAnalyzeWarmUp: with warmUp the live checks run (DNS queries are made
// and logged) but every one is answered NXDOMAIN in the page: fetch is never
// called, and the doh and companion options are ignored.
func TestAnalyzeWarmUp(t *testing.T) {
	global := safejs.Global()
	fetch, err := global.Get("fetch")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	spy, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		calls++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer spy.Release()
	if err := global.Set("fetch", spy.Value()); err != nil {
		t.Fatal(err)
	}
	defer global.Set("fetch", fetch)

	opts := map[string]any{"warmUp": true, "doh": "https://doh.example/dns-query", "companion": "https://companion.example"}
	v, rej, rejected := settle(t, call(t, fixture, opts))
	if rejected {
		t.Fatalf("analyze rejected: %s", errMessage(t, rej))
	}
	if calls != 0 {
		t.Errorf("fetch was called %d times during a warm-up, want 0", calls)
	}
	dns, err := v.Get("dns")
	if err != nil {
		t.Fatal(err)
	}
	n, err := dns.Length()
	if err != nil || n == 0 {
		t.Fatalf("report.dns has %d entries (%v), want the live queries", n, err)
	}
	for i := range n {
		q, err := dns.Index(i)
		if err != nil {
			t.Fatal(err)
		}
		if got := get(t, q, "endpoint"); got != warmUpEndpoint && !cachedQuery(t, q) {
			t.Errorf("query %d went to %q, want %q", i, got, warmUpEndpoint)
		}
		if got := get(t, q, "rcode"); got != "NXDOMAIN" {
			t.Errorf("query %d (%s %s): rcode %q, want NXDOMAIN", i, get(t, q, "name"), get(t, q, "type"), got)
		}
	}
}

// cachedQuery reports whether a report.dns entry was answered from the
// resolver's cache (it then names no endpoint).
func cachedQuery(t *testing.T, q safejs.Value) bool {
	t.Helper()
	c, err := q.Get("cached")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bool()
	return err == nil && b
}

// TestErrTooLargeNamesTheLimit: errTooLarge's text, written as a constant,
// names MaxInputBytes.
func TestErrTooLargeNamesTheLimit(t *testing.T) {
	if got, want := errTooLarge.Error(), fmt.Sprintf("headerlens: the message is larger than %d MiB; paste the headers only", MaxInputBytes>>20); got != want {
		t.Errorf("errTooLarge = %q, want %q", got, want)
	}
}
