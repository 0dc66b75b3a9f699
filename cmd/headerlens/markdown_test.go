package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"headerlens/analyzer"
	"headerlens/internal/markdown"
)

// TestAnalyzeMarkdown: --format markdown prints internal/markdown's text for
// one message, and one document per message, each after its file name and
// followed by a thematic break, for several.
func TestAnalyzeMarkdown(t *testing.T) {
	p := filepath.Join("..", "..", "testdata", "analyze", "02-spoofed-from.eml")
	msg, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "analyze", "--offline", "--format", "markdown", p)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	r, err := analyzer.Analyze(context.Background(), msg, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := markdown.Write(&want, r); err != nil {
		t.Fatal(err)
	}
	// Only the elapsed time in the last line differs between the runs.
	elapsed := regexp.MustCompile(`DNS queries, [0-9]+ ms\.`)
	if got, w := elapsed.ReplaceAllString(out, ""), elapsed.ReplaceAllString(want.String(), ""); got != w {
		t.Errorf("--format markdown:\n%s\nwant:\n%s", out, want.String())
	}

	out, _, code = runCLI(t, "", "analyze", "--offline", "--format", "markdown", p, p, filepath.Join(t.TempDir(), "missing.eml"))
	if code != exitFail {
		t.Errorf("with a missing file: exit %d, want %d", code, exitFail)
	}
	if n := strings.Count(out, "\n## Email header analysis: "); n != 2 {
		t.Errorf("several messages: %d reports, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "\n---\n"); n != 3 {
		t.Errorf("several messages: %d breaks, want 3 (one after each entry)", n)
	}
	if !strings.Contains(out, "Could not analyze `") {
		t.Errorf("several messages: the missing file is not reported:\n%s", out)
	}

	_, errOut, code = runCLI(t, "", "analyze", "--format", "html", p)
	if code != exitUsage || !strings.Contains(errOut, "text, json or markdown") {
		t.Errorf("--format html: exit %d, stderr %q; want a usage error naming the formats", code, errOut)
	}
}
