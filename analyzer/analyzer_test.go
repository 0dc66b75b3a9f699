package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"headerlens/analyzer/message"
)

func TestAnalyzeSummary(t *testing.T) {
	in := "Return-Path: <bounce@mail.example.net>\n" +
		"From: =?UTF-8?B?SsO8cmdlbg==?= <juergen@Example.COM>\n" +
		"To: Bob <bob@example.org>, carol@example.org\n" +
		"Reply-To: help@example.com\n" +
		"Subject: =?ISO-8859-1?Q?Caf=E9?= menu\n" +
		"Date: Tue, 3 Jan 2023 10:00:00 +0100 (CET)\n" +
		"Message-ID: <abc@example.com>\n"
	r, err := Analyze(context.Background(), []byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{
		From:        "Jürgen <juergen@Example.COM>",
		FromName:    "Jürgen",
		FromAddress: "juergen@Example.COM",
		FromDomain:  "example.com",
		To:          "Bob <bob@example.org>, carol@example.org",
		Subject:     "Café menu",
		Date:        "2023-01-03T09:00:00Z",
		DateRaw:     "Tue, 3 Jan 2023 10:00:00 +0100 (CET)",
		MessageID:   "abc@example.com",
		ReturnPath:  "bounce@mail.example.net",
		ReplyTo:     "help@example.com",

		RecipientDomains: []string{"example.org"},
	}
	if !reflect.DeepEqual(r.Summary, want) {
		t.Errorf("Summary =\n%+v\nwant\n%+v", r.Summary, want)
	}
	if got := len(r.Headers); got != 7 {
		t.Errorf("len(Headers) = %d, want 7", got)
	}
	if r.Live == nil || r.Live.Enabled {
		t.Errorf("Live = %+v, want disabled (offline)", r.Live)
	}
}

func TestAnalyzeLenientFrom(t *testing.T) {
	tests := []struct {
		from, wantAddr, wantDomain string
	}{
		{`"Support" <help@Paypal.com.>`, "help@Paypal.com.", "paypal.com"},
		{`John Q. Public, Jr. <jqp@example.com>`, "jqp@example.com", "example.com"},
		{`bare@example.net`, "bare@example.net", "example.net"},
		{`Broken <<evil@x.example>`, "evil@x.example", "x.example"},
		{`no address at all`, "", ""},
	}
	for _, tt := range tests {
		r, err := Analyze(context.Background(), []byte("From: "+tt.from+"\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Summary.FromAddress != tt.wantAddr || r.Summary.FromDomain != tt.wantDomain {
			t.Errorf("From %q: address %q domain %q, want %q %q", tt.from, r.Summary.FromAddress, r.Summary.FromDomain, tt.wantAddr, tt.wantDomain)
		}
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		wantErr error // nil: a report is expected
	}{
		{"empty", nil, message.ErrEmpty},
		{"binary garbage", []byte{0x00, 0xff, 0x13, 0x88, '\n', 0x01, 0x02}, message.ErrNoHeader},
		{"line without colon", []byte("this line has no colon\n"), message.ErrNoHeader},
		{"invalid utf-8", []byte("Subject: \xc3\x28 bad \xff\nFrom: \xfe@\xfe\n"), nil},
		{"10 MB of text", bytes.Repeat([]byte("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"), 10<<20/64), nil},
		{"10 MB one line", append([]byte("Subject: "), bytes.Repeat([]byte("a"), 10<<20)...), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Analyze(context.Background(), tt.in, Options{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want a report", err)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("report does not marshal: %v", err)
			}
		})
	}
}

func TestAnalyzeInvalidIP(t *testing.T) {
	_, err := Analyze(context.Background(), []byte("From: a@example.com\n"), Options{IP: "300.1.1.1"})
	if !errors.Is(err, ErrInvalidOption) {
		t.Errorf("error = %v, want ErrInvalidOption", err)
	}
}

// corpusGlob matches the real messages of testdata/corpus (sources and
// licences in testdata/corpus/SOURCES.md).
const corpusGlob = "../testdata/corpus/*.eml"

// TestAnalyzeCorpus analyzes every real message in testdata/corpus: none
// may fail, and every one must have a From or a Received field.
func TestAnalyzeCorpus(t *testing.T) {
	files, err := filepath.Glob(corpusGlob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", corpusGlob, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Analyze(context.Background(), data, Options{})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if r.Summary.From == "" && !hasHeader(r, "Received") {
			t.Errorf("%s: no From and no Received found among %d fields", filepath.Base(f), len(r.Headers))
		}
	}
}

func hasHeader(r *Report, name string) bool {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

func FuzzAnalyzeOffline(f *testing.F) {
	files, err := filepath.Glob(corpusGlob)
	if err != nil || len(files) == 0 {
		f.Fatalf("no corpus in %s: %v", corpusGlob, err)
	}
	for i, fn := range files {
		if i >= 10 {
			break
		}
		data, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("From: =?utf-8?q?=E2=80=AE?= <a@b>\nSubject: =?x-unknown?b?AAAA?=\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := Analyze(context.Background(), in, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkAnalyzeOffline analyzes the project's corpus
// (testdata/corpus/*.eml, whole messages, many with bodies) one message per
// operation, offline, and reports messages per second. The paths are
// relative, so the benchmark also runs compiled to wasm under
// go_js_wasm_exec, which gives the program Node's file system.
func BenchmarkAnalyzeOffline(b *testing.B) {
	files, err := filepath.Glob(corpusGlob)
	if err != nil || len(files) == 0 {
		b.Fatalf("no corpus in %s: %v", corpusGlob, err)
	}
	var inputs [][]byte
	for _, fn := range files {
		data, err := os.ReadFile(fn)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	// Warm up: one pass over the corpus before timing (b.Loop resets the
	// timer), so that under Node V8 has optimized the hot wasm code.
	for _, in := range inputs {
		if _, err := Analyze(context.Background(), in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := Analyze(context.Background(), inputs[n%len(inputs)], Options{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

func TestAnalyzeCharsets(t *testing.T) {
	for enc, want := range map[string]string{
		"=?gb2312?B?1tDOxA==?=":       "中文",
		"=?koi8-r?B?8NLJ18XU?=":       "Привет",
		"=?shift_jis?B?k/qWe4zq?=":    "日本語",
		"=?iso-8859-2?Q?=A3=F3d=BC?=": "Łódź",
	} {
		r, err := Analyze(context.Background(), []byte("From: a@example.org\nSubject: "+enc+"\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Summary.Subject != want {
			t.Errorf("subject %s = %q, want %q", enc, r.Summary.Subject, want)
		}
	}
}
