package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/companion"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

const sample = "Received: from mail.example.org (mail.example.org [192.0.2.25])\n" +
	"\tby mx.example.net (Postfix) with ESMTPS id 4AbC;\n" +
	"\tTue, 3 Jan 2023 10:00:05 +0000\n" +
	"From: Alice <alice@example.org>\n" +
	"To: bob@example.net\n" +
	"Subject: =?UTF-8?Q?Caf=C3=A9?=\n" +
	"Date: Tue, 3 Jan 2023 10:00:00 +0000\n" +
	"Message-ID: <1@example.org>\n"

// runCLI runs the command with args and returns stdout, stderr and the
// exit code.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestAnalyzeOneMessage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"text from stdin", []string{"analyze", "--offline"}, sample, exitOK, []string{"Summary", "Alice <alice@example.org>", "Café", "Received trail (1 hops)"}, ""},
		{"json from stdin", []string{"analyze", "--offline", "--format", "json", "-"}, sample, exitOK, []string{`"subject": "Café"`, `"fromDomain": "example.org"`, `"enabled": false`}, ""},
		{"empty input", []string{"analyze", "--offline"}, "", exitFail, nil, "the input is empty"},
		{"garbage", []string{"analyze", "--offline"}, "\x00\x01\x02 no header\n", exitFail, nil, "no header fields found"},
		{"bad format", []string{"analyze", "--offline", "--format", "xml"}, sample, exitUsage, nil, "--format must be text, json or markdown"},
		{"bad flag", []string{"analyze", "--nope"}, sample, exitUsage, nil, "flag provided but not defined"},
		{"bad ip", []string{"analyze", "--offline", "--ip", "999.1.1.1"}, sample, exitFail, nil, "not an IP address"},
		{"unknown command", []string{"frobnicate"}, "", exitUsage, nil, `unknown command "frobnicate"`},
		{"no command", nil, "", exitUsage, nil, "Usage:"},
		{"missing file", []string{"analyze", "--offline", "/nonexistent/x.eml"}, "", exitFail, nil, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

// TestAnalyzeTextNoControlCharacters checks that header text cannot inject
// terminal escape sequences into the text report.
func TestAnalyzeTextNoControlCharacters(t *testing.T) {
	out, _, code := runCLI(t, "From: a@example.org\nSubject: \x1b[31mred\x1b]0;title\x07\n", "analyze", "--offline")
	if code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("text output carries control characters: %q", out)
	}
}

func decodeLines(t *testing.T, out string) []batchLine {
	t.Helper()
	var lines []batchLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l batchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestAnalyzeBatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.eml", sample)
	b := write("b.eml", strings.Replace(sample, "Alice", "Bob", 1))
	bad := write("bad.eml", "")
	mbox := write("box.mbox", "From alice@example.org Tue Jan  3 10:00:00 2023\n"+sample+"\nbody one\n>From the quoted line\n\n"+
		"From bob@example.org Tue Jan  3 11:00:00 2023\n"+strings.Replace(sample, "Alice", "Carol", 1)+"\nbody two\n")
	write("Maildir/cur/1.eml:2,S", sample)
	write("Maildir/new/2.eml", sample)
	write("Maildir/tmp/3.eml", sample) // still being delivered: skipped
	maildir := filepath.Join(dir, "Maildir")

	t.Run("two files give JSON Lines", func(t *testing.T) {
		out, errOut, code := runCLI(t, "", "analyze", "--offline", a, b)
		if code != exitOK {
			t.Fatalf("exit code %d: %s", code, errOut)
		}
		lines := decodeLines(t, out)
		if len(lines) != 2 {
			t.Fatalf("got %d lines, want 2", len(lines))
		}
		if lines[0].File != a || lines[1].File != b {
			t.Errorf("files = %q, %q; want input order %q, %q", lines[0].File, lines[1].File, a, b)
		}
		if got := lines[1].Report.Summary.FromName; got != "Bob" {
			t.Errorf("second report from name = %q, want Bob", got)
		}
	})
	t.Run("a failing file is reported and sets the exit code", func(t *testing.T) {
		out, _, code := runCLI(t, "", "analyze", "--offline", a, bad)
		if code != exitFail {
			t.Errorf("exit code = %d, want %d", code, exitFail)
		}
		lines := decodeLines(t, out)
		if len(lines) != 2 || lines[1].Error == "" || lines[1].Report != nil {
			t.Errorf("lines = %+v, want the second to carry an error", lines)
		}
	})
	t.Run("mbox", func(t *testing.T) {
		out, errOut, code := runCLI(t, "", "analyze", "--offline", mbox)
		if code != exitOK {
			t.Fatalf("exit code %d: %s", code, errOut)
		}
		lines := decodeLines(t, out)
		if len(lines) != 2 {
			t.Fatalf("got %d messages, want 2", len(lines))
		}
		if lines[0].File != mbox+"#1" || lines[1].Report.Summary.FromName != "Carol" {
			t.Errorf("got %q / %q, want %q / Carol", lines[0].File, lines[1].Report.Summary.FromName, mbox+"#1")
		}
		if !lines[0].Report.Input.HasBody {
			t.Error("first mbox message has no body")
		}
	})
	t.Run("maildir", func(t *testing.T) {
		out, errOut, code := runCLI(t, "", "analyze", "--offline", maildir)
		if code != exitOK {
			t.Fatalf("exit code %d: %s", code, errOut)
		}
		lines := decodeLines(t, out)
		if len(lines) != 2 {
			t.Fatalf("got %d messages, want 2 (cur and new, not tmp)", len(lines))
		}
	})
	t.Run("text format for several", func(t *testing.T) {
		out, _, code := runCLI(t, "", "analyze", "--offline", "--format", "text", a, b)
		if code != exitOK || strings.Count(out, "==> ") != 2 {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
	})
}

func TestSPFCommand(t *testing.T) {
	srv := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@        IN TXT "v=spf1 include:_spf.example.org -all"
_spf     IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"
mail     IN A   192.0.2.25
`))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantResult string
		wantErr    string
	}{
		{"pass via include", []string{"--ip", "192.0.2.25", "--helo", "mail.example.org", "--mail-from", "a@example.org"}, exitOK, "pass", ""},
		{"fail", []string{"--ip", "198.51.100.1", "--mail-from", "a@example.org"}, exitOK, "fail", ""},
		{"helo only", []string{"--ip", "198.51.100.1", "--helo", "mail.example.org"}, exitOK, "none", ""},
		{"no ip", []string{"--mail-from", "a@example.org"}, exitUsage, "", "--ip must be an IP address"},
		{"no identity", []string{"--ip", "192.0.2.1"}, exitUsage, "", "give --helo, --mail-from or both"},
		{"offline", []string{"--ip", "192.0.2.1", "--helo", "x.example", "--offline"}, exitUsage, "", "SPF needs DNS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"spf", "--format", "json", "--doh", srv.URL()}, tt.args...)
			out, errOut, code := runCLI(t, "", args...)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut, tt.wantErr) {
					t.Errorf("stderr = %q, want %q", errOut, tt.wantErr)
				}
				return
			}
			var got struct {
				Result      string            `json:"result"`
				Lookups     int               `json:"lookups"`
				Explanation string            `json:"explanation"`
				Trace       []json.RawMessage `json:"trace"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if got.Result != tt.wantResult {
				t.Errorf("result = %q, want %q", got.Result, tt.wantResult)
			}
			if len(got.Trace) == 0 {
				t.Error("empty trace")
			}
		})
	}
}

func TestAnalyzeLive(t *testing.T) {
	srv := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@        IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc   IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"
`))
	out, errOut, code := runCLI(t, sample, "analyze", "--format", "json", "--doh", srv.URL(), "--mail-from", "bounce@example.org")
	if code != exitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	var r struct {
		Live struct {
			Enabled bool `json:"enabled"`
			SPF     struct {
				Result string `json:"result"`
			} `json:"spf"`
			DMARC struct {
				Result string `json:"result"`
				Policy string `json:"policy"`
			} `json:"dmarc"`
		} `json:"live"`
		DNS []struct {
			Name string `json:"name"`
		} `json:"dns"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// The trail's boundary gives 192.0.2.25, inside the SPF range; DMARC
	// passes through the aligned SPF pass (RFC 7489 §3.1.2).
	if !r.Live.Enabled || r.Live.SPF.Result != "pass" || r.Live.DMARC.Result != "pass" || r.Live.DMARC.Policy != "reject" {
		t.Errorf("live = %+v, want spf pass, dmarc pass with policy reject", r.Live)
	}
	if len(r.DNS) == 0 {
		t.Error("empty DNS log")
	}
}

func TestAnalyzeCompanion(t *testing.T) {
	dns := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@       IN SOA ns.example.org. h.example.org. 1 7200 900 1209600 60
@       IN MX  0 .
`))
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{dns.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := companion.New(companion.Config{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	out, errOut, code := runCLI(t, sample, "analyze", "--doh", dns.URL(), "--companion", hs.URL)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Transport security (companion)") || !strings.Contains(out, "example.org (from): null MX") {
		t.Errorf("text report lacks the transport section:\n%s", out)
	}
	if _, errOut, code := runCLI(t, sample, "analyze", "--offline", "--companion", "ftp://x"); code != exitOK {
		t.Errorf("offline with a companion: exit %d (%s), want the companion ignored", code, errOut)
	}
	if _, errOut, code := runCLI(t, sample, "analyze", "--doh", dns.URL(), "--companion", "ftp://x"); code != exitUsage || !strings.Contains(errOut, "--companion") {
		t.Errorf("bad companion URL: exit %d (%s), want a usage error", code, errOut)
	}
}
