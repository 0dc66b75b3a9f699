package markdown

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"headerlens/analyzer"
	"headerlens/analyzer/trail"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// gfm renders Markdown as GitHub does (tables, autolinks of URLs, www.
// and e-mail addresses, strikethrough), keeping raw HTML so that a leak
// would show.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

func render(t *testing.T, md []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := gfm.Convert(md, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// goldenNow is the analysis time of the live golden case, the one of the
// analyzer's own golden tests (analyzer/e2e_test.go).
var goldenNow = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)

// TestGolden renders the reports of real analyses as Markdown and compares
// them with testdata/markdown/NAME.want.md: one live analysis against the
// zone of the analyzer's golden case 01-all-pass, served by dohtest through
// the real DoH client, and offline analyses of the messages of the
// recorded-verdict and anti-spam golden cases.
func TestGolden(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	cases := []struct{ name, eml, zone string }{
		{"01-all-pass-live", "analyze/01-all-pass.eml", "analyze/01-all-pass.zone"},
		{"02-all-pass-offline", "analyze/01-all-pass.eml", ""},
		{"03-spoofed-from-offline", "analyze/02-spoofed-from.eml", ""},
		{"04-microsoft365-offline", "recorded/01-microsoft365.eml", ""},
		{"05-gmail-arc-offline", "recorded/02-gmail-arc.eml", ""},
		{"06-filters-offline", "vendor/02-filters.eml", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eml, err := os.ReadFile(filepath.Join(root, tc.eml))
			if err != nil {
				t.Fatal(err)
			}
			opts := analyzer.Options{Now: goldenNow}
			if tc.zone != "" {
				srv := dohtest.NewServer(t, dohtest.ZoneFile(filepath.Join(root, tc.zone)))
				res, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
				if err != nil {
					t.Fatal(err)
				}
				opts.Resolver = res
			}
			r, err := analyzer.Analyze(context.Background(), eml, opts)
			if err != nil {
				t.Fatal(err)
			}
			// The run's own figures change from run to run.
			r.ElapsedMs, r.Version = 0, "test"
			var md bytes.Buffer
			if err := Write(&md, r); err != nil {
				t.Fatal(err)
			}
			golden.Text(t, filepath.Join(root, "markdown", tc.name+".want.md"), md.Bytes())
			checkInert(t, render(t, md.Bytes()), r)
		})
	}
}

// checkInert fails when rendered HTML holds anything active: a link, an
// image, raw HTML the report did not write, or a table row cut short.
func checkInert(t *testing.T, html string, r *analyzer.Report) {
	t.Helper()
	for _, bad := range []string{"<a ", "<img", "<script", "<iframe", "<b>", "<h1", "<h4"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendered Markdown contains %q:\n%s", bad, html)
		}
	}
	// Every trail row keeps its eight cells.
	rows := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(html, -1)
	for _, row := range rows {
		if n := strings.Count(row[1], "<td"); n != 0 && n != 2 && n != 3 && n != 5 && n != 8 {
			t.Errorf("a table row has %d cells: %s", n, row[1])
		}
	}
}

// hostile are attacker-chosen values placed in every text field of a report.
var hostile = []string{
	"[click here](https://evil.example/)",
	"![x](https://evil.example/x.png)",
	"<img src=x onerror=alert(1)>",
	"<b>bold</b> &amp; <script>alert(1)</script>",
	"line one\n# heading\n- item",
	"cell | split | more",
	"`code` and ``double``",
	"https://evil.example/login and www.evil.example and admin@evil.example",
	"\u202egnp.exe\u202c text",
	"*emphasis* _under_ ~~strike~~",
	"\r\n\r\n| a | b |\n|---|---|\n| x | y |",
	"<https://evil.example/>",
	"[ref]: https://evil.example/",
}

func TestHostileValues(t *testing.T) {
	for _, v := range hostile {
		delay := 3.0
		r := &analyzer.Report{
			Version: v,
			Summary: analyzer.Summary{From: v, FromDomain: v, To: v, Subject: v, MessageID: v, ReturnPath: v, DateRaw: v},
		}
		r.Hops = append(r.Hops, hopWith(v, &delay))
		r.Live = &analyzer.Live{Enabled: false, Reason: v}
		var md bytes.Buffer
		if err := Write(&md, r); err != nil {
			t.Fatal(err)
		}
		html := render(t, md.Bytes())
		checkInert(t, html, r)
		if strings.Contains(html, "<em>") || strings.Contains(html, "<del>") || strings.Contains(html, "<strong>emphasis") {
			t.Errorf("value %q formed emphasis:\n%s", v, html)
		}
		if strings.Contains(md.String(), "\u202e") {
			t.Errorf("value %q: a bidi control reached the Markdown", v)
		}
		if strings.Count(html, "<table>") != 3 {
			t.Errorf("value %q: got %d tables, want 3 (summary, verdict, trail):\n%s", v, strings.Count(html, "<table>"), html)
		}
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "`plain`"},
		{"", "—"},
		{"a`b", "``a`b``"},
		{"`start", "`` `start ``"},
		{"a|b", "`a\\|b`"},
		{"two\nlines", "`two\ufffdlines`"},
		{"\u2066x\u2069", "`\ufffdx\ufffd`"},
		{strings.Repeat("x", MaxValue+5), "`" + strings.Repeat("x", MaxValue) + "…`"},
	}
	for _, tc := range tests {
		if got := Code(tc.in); got != tc.want {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"[a](b)", `\[a\](b)`},
		{"<b>", `\<b\>`},
		{"a.b@c", `a.b\@c`},
		{"see https://x.example and www.y.example", `see https\://x.example and www\.y.example`},
		{"1. not a list, # not a heading", `1. not a list, \# not a heading`},
		{"x\ny", "x\ufffdy"},
	}
	for _, tc := range tests {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzEscape: whatever the input, Escape and Code render as one paragraph
// of text with no element but the code span, and Escape's text reads back
// as the cleaned input.
func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, md := range []string{Escape(s), Code(s)} {
			if strings.ContainsAny(md, "\r\n") {
				t.Fatalf("%q: output %q spans lines", s, md)
			}
			html := render(t, []byte("x "+md+" y"))
			for _, bad := range []string{"<a ", "<img", "<em", "<strong", "<del", "<h", "<ul", "<ol", "<table", "<script", "<br", "<blockquote", "<pre"} {
				if strings.Contains(html, bad) {
					t.Fatalf("%q: rendered %q contains %s", s, html, bad)
				}
			}
			if strings.Count(html, "<") != 2+2*strings.Count(html, "<code>") {
				t.Fatalf("%q: rendered %q holds an element other than code", s, html)
			}
		}
	})
}

// hopWith is a parsed hop whose every text field is v.
func hopWith(v string, delay *float64) trail.Hop {
	return trail.Hop{From: v, HELO: v, IP: v, By: v, With: v, Protocol: v, TLS: v, TLSVersion: v, Time: v, Parsed: true, DelaySeconds: delay}
}
