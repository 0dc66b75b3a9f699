package message

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		names     []string // field names in order
		values    []string // values in order (nil: not checked)
		body      string   // "" with hasBody false means no body
		hasBody   bool
		noteCount int
	}{
		{
			name:   "lf headers only",
			in:     "From: a@example.com\nSubject: hi\n",
			names:  []string{"From", "Subject"},
			values: []string{"a@example.com", "hi"},
		},
		{
			name:    "crlf with body",
			in:      "From: a@example.com\r\nSubject: hi\r\n\r\nbody line\r\n",
			names:   []string{"From", "Subject"},
			body:    "body line\r\n",
			hasBody: true,
		},
		{
			name:   "folded value",
			in:     "Subject: one\n two\n\tthree\nTo: b@example.com\n",
			names:  []string{"Subject", "To"},
			values: []string{"one two\tthree", "b@example.com"},
		},
		{
			name:      "leading blank lines and mbox line",
			in:        "\n\n  \nFrom alice@example.com Mon Jan  1 00:00:00 2024\nFrom: alice@example.com\n",
			names:     []string{"From"},
			noteCount: 2,
		},
		{
			name:   "from with space before colon is a field not mbox",
			in:     "From : a@example.com\n",
			names:  []string{"From"},
			values: []string{"a@example.com"},
		},
		{
			name:      "indentation from copy-paste",
			in:        "    Received: from a\n    \tby b; Mon, 1 Jan 2024 00:00:00 +0000\n    Subject: x\n",
			names:     []string{"Received", "Subject"},
			values:    []string{"from a\tby b; Mon, 1 Jan 2024 00:00:00 +0000", "x"},
			noteCount: 1,
		},
		{
			name:      "line without colon joined",
			in:        "Subject: a long\nsubject line\nTo: x@example.com\n",
			names:     []string{"Subject", "To"},
			values:    []string{"a long subject line", "x@example.com"},
			noteCount: 1,
		},
		{
			name:   "cr only line endings",
			in:     "From: a@example.com\rTo: b@example.com\r",
			names:  []string{"From", "To"},
			values: []string{"a@example.com", "b@example.com"},
		},
		{
			name:  "whitespace-only body is no body",
			in:    "From: a@example.com\n\n  \n\n",
			names: []string{"From"},
		},
		{
			name:      "garbage before first field",
			in:        "hello there\nFrom: a@example.com\n",
			names:     []string{"From"},
			noteCount: 1,
		},
		{
			name:   "invalid utf-8 kept",
			in:     "Subject: \xff\xfe\n",
			names:  []string{"Subject"},
			values: []string{"\xff\xfe"},
		},
		{
			name:   "bom",
			in:     "\xef\xbb\xbfFrom: a@example.com\n",
			names:  []string{"From"},
			values: []string{"a@example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var gotNames, gotValues []string
			for _, f := range m.Fields {
				gotNames = append(gotNames, f.Name)
				gotValues = append(gotValues, f.Value)
				if !bytes.HasSuffix(f.Raw, []byte("\r\n")) {
					t.Errorf("field %s raw %q does not end in CRLF", f.Name, f.Raw)
				}
			}
			if strings.Join(gotNames, "|") != strings.Join(tt.names, "|") {
				t.Errorf("names = %q, want %q", gotNames, tt.names)
			}
			if tt.values != nil && strings.Join(gotValues, "|") != strings.Join(tt.values, "|") {
				t.Errorf("values = %q, want %q", gotValues, tt.values)
			}
			if m.HasBody() != tt.hasBody {
				t.Errorf("HasBody = %v, want %v", m.HasBody(), tt.hasBody)
			}
			if tt.hasBody && string(m.Body) != tt.body {
				t.Errorf("Body = %q, want %q", m.Body, tt.body)
			}
			if len(m.Notes) != tt.noteCount {
				t.Errorf("notes = %q, want %d note(s)", m.Notes, tt.noteCount)
			}
		})
	}
}

func TestParseRawPreserved(t *testing.T) {
	in := "DKIM-Signature: v=1; a=rsa-sha256;\n\td=example.com; s=sel;\nFrom: a@example.com\n"
	m, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "DKIM-Signature: v=1; a=rsa-sha256;\r\n\td=example.com; s=sel;\r\n"
	if got := string(m.Fields[0].Raw); got != want {
		t.Errorf("raw = %q, want %q", got, want)
	}
	if got := string(m.HeaderBytes()); got != want+"From: a@example.com\r\n" {
		t.Errorf("HeaderBytes = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"whitespace", []byte(" \n\t\r\n"), ErrEmpty},
		{"binary", []byte{0, 1, 2, 0xff, 0x80, '\n', 0x7f}, ErrNoHeader},
		{"prose", []byte("just some words\nno header here\n"), ErrNoHeader},
		{"too large", bytes.Repeat([]byte("a"), MaxInputSize+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxFields+5; i++ {
		b.WriteString("X-A: b\n")
	}
	m, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Fields) != MaxFields {
		t.Errorf("fields = %d, want %d", len(m.Fields), MaxFields)
	}
	if len(m.Notes) == 0 {
		t.Error("no note about dropped fields")
	}

	long := "Subject: x\n" + strings.Repeat(" continued line of text\n", MaxFieldSize/10)
	m, err = Parse([]byte(long))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.Fields[0].Raw); got > MaxFieldSize {
		t.Errorf("raw field size %d exceeds MaxFieldSize %d", got, MaxFieldSize)
	}
}

// TestParseSpaceBeforeColon: a field name followed by a long run of white
// space before its colon (RFC 5322 §4.5 obs-optional) once panicked when
// the over-long first line was cut; any sender could make a message
// unanalyzable that way.
func TestParseSpaceBeforeColon(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantName  string
		wantValue string
		wantNote  bool
	}{
		{"300,000 spaces", "Received" + strings.Repeat(" ", 300000) + ": from a.example by b.example\nFrom: x@example.com\n", "Received", "from a.example by b.example", true},
		{"past MaxFieldSize, tabs", "Subject" + strings.Repeat("\t ", MaxFieldSize) + ":hi\n", "Subject", "hi", true},
		{"a few spaces kept", "Subject   : hi\n", "Subject", "hi", false},
		{"colon alone after spaces", "Received" + strings.Repeat(" ", 300000) + ":", "Received", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			f := m.Fields[0]
			if f.Name != tt.wantName || f.Value != tt.wantValue {
				t.Errorf("field = %q: %q, want %q: %q", f.Name, f.Value, tt.wantName, tt.wantValue)
			}
			if len(f.Raw) > MaxFieldSize {
				t.Errorf("raw field of %d bytes, want at most %d", len(f.Raw), MaxFieldSize)
			}
			noted := false
			for _, n := range m.Notes {
				if strings.Contains(n, "white space before its colon") {
					noted = true
				}
			}
			if noted != tt.wantNote {
				t.Errorf("note about the white space = %v, want %v (notes %q)", noted, tt.wantNote, m.Notes)
			}
		})
	}
}

// TestParseLongName: a "name" longer than a line may be (RFC 5322 §2.1.1)
// is not a field name.
func TestParseLongName(t *testing.T) {
	m, err := Parse([]byte("From: a@example.com\n" + strings.Repeat("X", 2000) + ": y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Fields) != 1 || m.Fields[0].Name != "From" {
		t.Fatalf("fields = %d (first %q), want only From with the long line joined to it", len(m.Fields), m.Fields[0].Name)
	}
}

// TestParseHeaderSize: a header block beyond MaxHeaderSize is read up to
// the limit, the rest is noted, and the body after it is still found.
func TestParseHeaderSize(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\n")
	line := "X-Filler: " + strings.Repeat("x", 188) + "\r\n" // 200 bytes
	for b.Len() < 8*MaxHeaderSize {
		b.WriteString(line)
	}
	b.WriteString("Subject: after the limit\r\n\r\nthe body\r\n")
	m, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.HeaderBytes()); got > MaxHeaderSize {
		t.Errorf("kept %d header bytes, want at most %d", got, MaxHeaderSize)
	}
	if got, want := len(m.Fields), MaxHeaderSize/len(line); got < want-1 || got > want+1 {
		t.Errorf("kept %d fields, want about %d", got, want)
	}
	if _, ok := m.First("Subject"); ok {
		t.Error("the Subject past the limit was kept")
	}
	if string(m.Body) != "the body\r\n" {
		t.Errorf("body = %q, want %q", m.Body, "the body\r\n")
	}
	found := false
	for _, n := range m.Notes {
		if strings.Contains(n, "were not analyzed") && strings.Contains(n, "KiB") {
			found = true
		}
	}
	if !found {
		t.Errorf("no note about the header size limit in %q", m.Notes)
	}
}

func TestGet(t *testing.T) {
	m, err := Parse([]byte("Received: one\nreceived: two\nFrom: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Get("RECEIVED")
	if len(got) != 2 || got[0].Value != "one" || got[1].Value != "two" {
		t.Errorf("Get = %+v, want one, two in order", got)
	}
	if n := m.Count("received"); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if v, ok := m.First("from"); !ok || v != "x" {
		t.Errorf("First = %q, %v", v, ok)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("From: a@example.com\nSubject: hi\n\nbody\n"))
	f.Add([]byte("  Received: from a\n\tby b\n"))
	f.Add([]byte("From x\nnot a header\n\r\n\r"))
	// Once a panic: white space before the colon past MaxFieldSize.
	f.Add([]byte("Received" + strings.Repeat(" ", 300000) + ":"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Parse(in)
		if err != nil {
			return
		}
		if len(m.Fields) == 0 {
			t.Fatal("no fields without an error")
		}
		for _, f := range m.Fields {
			if !validName([]byte(f.Name)) {
				t.Fatalf("invalid field name %q", f.Name)
			}
			if len(f.Raw) > MaxFieldSize {
				t.Fatalf("raw field of %d bytes", len(f.Raw))
			}
		}
	})
}

// TestErrTooLargeNamesTheLimit: ErrTooLarge's text, written as a constant,
// names MaxInputSize.
func TestErrTooLargeNamesTheLimit(t *testing.T) {
	if got, want := ErrTooLarge.Error(), fmt.Sprintf("the input is larger than %d MiB", MaxInputSize>>20); got != want {
		t.Errorf("ErrTooLarge = %q, want %q", got, want)
	}
}
