//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
	"headerlens/analyzer/domaincheck"
	"headerlens/internal/markdown"
)

// TestMarkdown: headerlens.markdown of the report analyze gave is the
// Markdown the command line writes for the same message.
func TestMarkdown(t *testing.T) {
	v, rej, rejected := settle(t, call(t, fixture, map[string]any{"offline": true}))
	if rejected {
		t.Fatalf("analyze rejected: %s", errMessage(t, rej))
	}
	hl, _ := safejs.Global().Get("headerlens")
	p, err := hl.Call("markdown", v)
	if err != nil {
		t.Fatal(err)
	}
	md, rej, rejected := settle(t, p)
	if rejected {
		t.Fatalf("markdown rejected: %s", errMessage(t, rej))
	}
	got, err := md.String()
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyzer.Analyze(context.Background(), []byte(fixture), analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The run's own figures differ between the two analyses.
	elapsed, _ := v.Get("elapsedMs")
	if f, err := elapsed.Float(); err == nil {
		r.ElapsedMs = f
	}
	var want bytes.Buffer
	if err := markdown.Write(&want, r); err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Errorf("markdown(report):\n%s\nwant:\n%s", got, want.String())
	}
	if !strings.Contains(got, "`Quarterly report`") {
		t.Errorf("markdown(report) lacks the subject:\n%s", got)
	}
}

func TestMarkdownRejects(t *testing.T) {
	hl, _ := safejs.Global().Get("headerlens")
	for _, arg := range []any{nil, "text", 42} {
		p, err := hl.Call("markdown", arg)
		if err != nil {
			t.Fatal(err)
		}
		if _, rej, rejected := settle(t, p); !rejected {
			t.Errorf("markdown(%v) resolved, want a rejection", arg)
		} else if msg := errMessage(t, rej); !strings.Contains(msg, "report object") {
			t.Errorf("markdown(%v) rejection %q, want it to ask for the report object", arg, msg)
		}
	}
}

// TestDomainMarkdown: headerlens.domainMarkdown of a domain report object
// is the Markdown headerlens domain --format markdown writes.
func TestDomainMarkdown(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "domain", "02-mistakes.want.json"))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := safejs.Global().Get("JSON")
	v, err := j.Call("parse", string(raw))
	if err != nil {
		t.Fatal(err)
	}
	hl, _ := safejs.Global().Get("headerlens")
	p, err := hl.Call("domainMarkdown", v)
	if err != nil {
		t.Fatal(err)
	}
	md, rej, rejected := settle(t, p)
	if rejected {
		t.Fatalf("domainMarkdown rejected: %s", errMessage(t, rej))
	}
	got, err := md.String()
	if err != nil {
		t.Fatal(err)
	}
	var r domaincheck.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := markdown.WriteDomain(&want, &r); err != nil {
		t.Fatal(err)
	}
	if got != want.String() || !strings.Contains(got, "## Domain check: `mistakes.example`") {
		t.Errorf("domainMarkdown(report):\n%s\nwant:\n%s", got, want.String())
	}
	for _, arg := range []any{nil, "text", 42} {
		p, err := hl.Call("domainMarkdown", arg)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, rejected := settle(t, p); !rejected {
			t.Errorf("domainMarkdown(%v) resolved, want a rejection", arg)
		}
	}
}
