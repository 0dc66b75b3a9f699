package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"headerlens/analyzer"
	"headerlens/analyzer/message"
)

// split runs splitMessages over in and returns the messages' texts (or
// "error: ..." for a failed item).
func split(t testing.TB, in string) []string {
	t.Helper()
	var got []string
	splitMessages("box", strings.NewReader(in), -1, func(it item) bool {
		if it.err != nil {
			got = append(got, "error: "+it.err.Error())
		} else {
			got = append(got, string(it.data))
		}
		return true
	})
	return got
}

// forged is what an attacker writes in a message body to make the mbox
// reader invent a second message with headers of their choice.
const forged = "From forged@evil.example Mon Jan  1 00:00:00 2024\n" +
	"Authentication-Results: mx.example.net; dkim=pass header.d=bank.example\n" +
	"From: Bank <security@bank.example>\n\nforged body\n"

// TestSplitMessagesLongLines: a "From " separator counts only at the start
// of a real line after an empty line, whatever the line lengths around it.
func TestSplitMessagesLongLines(t *testing.T) {
	const head = "From alice@example.org Tue Jan  3 10:00:00 2023\nFrom: alice@example.org\nSubject: one\n\n"
	for _, n := range []int{mboxLineBuffer - 1, mboxLineBuffer, mboxLineBuffer + 1, 2 * mboxLineBuffer, 1 << 20} {
		for _, eol := range []string{"\n", "\r\n"} {
			long := strings.Repeat("x", n-len(eol))
			t.Run(fmt.Sprintf("line of %d bytes, %q", n, eol), func(t *testing.T) {
				// The long line ends right before the forged text: a
				// reader that works in buffer-sized pieces sees a piece
				// that begins with "From ".
				got := split(t, head+long+forged)
				if len(got) != 1 || !strings.Contains(got[0], "forged body") {
					t.Errorf("long line then From: got %d messages, want 1 holding the forged text", len(got))
				}
				// After a line ending, but no empty line: still content.
				got = split(t, head+long+eol+forged)
				if len(got) != 1 {
					t.Errorf("From after a non-empty line: got %d messages, want 1", len(got))
				}
				// After an empty line: a real separator.
				got = split(t, head+long+eol+eol+forged)
				if len(got) != 2 || !strings.HasSuffix(got[0], long+eol) || !strings.HasPrefix(got[1], "Authentication-Results:") {
					t.Errorf("From after an empty line: got %d messages, want 2, the first ending with the long line", len(got))
				}
			})
		}
	}
}

// TestSplitMessages checks the message boundaries and mboxrd unquoting.
func TestSplitMessages(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one message, no mbox", "From: a@example.org\n\nbody\nFrom here on\n", []string{"From: a@example.org\n\nbody\nFrom here on\n"}},
		{"two messages", "From a Mon\nX: 1\n\nbody\n\nFrom b Mon\nX: 2\n\nb2\n", []string{"X: 1\n\nbody\n", "X: 2\n\nb2\n"}},
		{"CRLF", "From a Mon\r\nX: 1\r\n\r\nbody\r\n\r\nFrom b Mon\r\nX: 2\r\n", []string{"X: 1\r\n\r\nbody\r\n", "X: 2\r\n"}},
		{"mboxrd unquoting", "From a Mon\nX: 1\n\n>From me\n>>From you\n>Fromage\n", []string{"X: 1\n\nFrom me\n>From you\n>Fromage\n"}},
		{"quoted From after an empty line is content", "From a Mon\nX: 1\n\n\n>From me\n", []string{"X: 1\n\n\nFrom me\n"}},
		{"From in mid-line", "From a Mon\nX: 1\n\nsee From b Mon\n", []string{"X: 1\n\nsee From b Mon\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := split(t, tt.in); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSplitMessagesTooLarge: an over-size message is reported and the next
// one is still read.
func TestSplitMessagesTooLarge(t *testing.T) {
	in := "From a Mon\nX: 1\n\n" + strings.Repeat("y", message.MaxInputSize) + "\n\nFrom b Mon\nX: 2\n\nok\n"
	got := split(t, in)
	if len(got) != 2 || got[0] != "error: "+message.ErrTooLarge.Error() || got[1] != "X: 2\n\nok\n" {
		t.Errorf("got %d messages (first %.40q), want the too-large error then the second message", len(got), got[0])
	}
}

func FuzzSplitMessages(f *testing.F) {
	f.Add([]byte("From a Mon\nX: 1\n\nbody\n\nFrom b Mon\nX: 2\n"))
	f.Add([]byte("From a Mon\r\n>From x\r\n\r\nFrom b\r\n"))
	f.Add([]byte("From a\n" + strings.Repeat("z", mboxLineBuffer-3) + "\nFrom b\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The oracle reads whole lines, with no buffer in the way.
		want := 1
		if bytes.HasPrefix(in, []byte("From ")) {
			want = 0
			prevEmpty := true
			for _, line := range bytes.SplitAfter(in, []byte("\n")) {
				if prevEmpty && bytes.HasPrefix(line, []byte("From ")) {
					want++
				}
				prevEmpty = isEmptyLine(line)
			}
		}
		n, total := 0, 0
		splitMessages("f", bytes.NewReader(in), -1, func(it item) bool {
			n++
			if it.err != nil {
				t.Fatalf("error on %d bytes of input: %v", len(in), it.err)
			}
			total += len(it.data)
			return true
		})
		if n != want || total > len(in) {
			t.Fatalf("got %d messages of %d bytes in all, want %d from %d bytes of input", n, total, want, len(in))
		}
	})
}

// TestFolders: a Maildir reached through a symbolic link, links to
// message files, entries that cannot be read and entries that are not
// files. Each bad entry is reported and the run goes on; the exit code
// says something failed.
func TestFolders(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "real", "Maildir")
	for _, sub := range []string{"cur", "new", "tmp", "sub"} {
		if err := os.MkdirAll(filepath.Join(md, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, content string) {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(md, "cur", "1:2,S"), sample)
	write(filepath.Join(md, "new", "2"), sample)
	write(filepath.Join(md, "tmp", "3"), sample)
	write(filepath.Join(dir, "outside.eml"), strings.Replace(sample, "Alice", "Linked", 1))
	link := func(target, name string) {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(dir, "outside.eml"), filepath.Join(md, "cur", "4-link"))
	link(filepath.Join(dir, "missing.eml"), filepath.Join(md, "cur", "5-dangling"))
	link(md, filepath.Join(md, "sub", "loop")) // a folder link: not followed
	if err := syscall.Mkfifo(filepath.Join(md, "new", "6-fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, "Maildir-link")
	link(md, linked)

	out, errOut, code := runCLI(t, "", "analyze", "--offline", linked)
	lines := decodeLines(t, out)
	var names, errs []string
	for _, l := range lines {
		names = append(names, strings.TrimPrefix(l.File, linked+string(filepath.Separator)))
		if l.Error != "" {
			errs = append(errs, l.File)
		}
	}
	want := []string{"cur/1:2,S", "cur/4-link", "cur/5-dangling", "new/2"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("got entries %q, want %q", names, want)
	}
	if len(errs) != 1 || !strings.HasSuffix(errs[0], "5-dangling") {
		t.Errorf("got errors for %q, want one for the dangling link", errs)
	}
	if code != exitFail {
		t.Errorf("exit code %d, want %d", code, exitFail)
	}
	for _, w := range []string{"loop: a symbolic link to a folder (not followed)", "6-fifo: not a regular file", "1 Maildir tmp/ folder"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr does not say %q:\n%s", w, errOut)
		}
	}
	for _, l := range lines {
		if strings.HasSuffix(l.File, "4-link") && (l.Report == nil || l.Report.Summary.FromName != "Linked") {
			t.Errorf("the linked message was not analyzed: %+v", l)
		}
	}
}

// TestUnreadableFolder: a folder that cannot be listed is one failed entry;
// the others are still analyzed. Root reads any folder, so the case needs
// an ordinary user.
func TestUnreadableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can list a folder without permissions; TestFolders covers the failed-entry path with a dangling link")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "locked"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.eml"), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(dir, "locked"), 0o755)
	out, _, code := runCLI(t, "", "analyze", "--offline", dir)
	lines := decodeLines(t, out)
	if len(lines) != 2 || code != exitFail {
		t.Errorf("got %d lines, exit %d; want the message and the locked folder's error, exit %d", len(lines), code, exitFail)
	}
}

// TestBatchMemoryBound: the messages held by the batch (queued and being
// analyzed) never exceed its budget, yet all are analyzed, in order.
func TestBatchMemoryBound(t *testing.T) {
	body := strings.Repeat("a line of a large body\n", 40000) // about 900 KiB
	var mbox strings.Builder
	for i := range 20 {
		fmt.Fprintf(&mbox, "From a Mon\n%sX-N: %d\n\n%s\n", sample, i, body)
	}
	limit := 3 * len(body)
	var out bytes.Buffer
	b := batch{ctx: context.Background(), opts: analyzer.Options{}, stdout: &out, stderr: io.Discard, format: "json", memory: newByteBudget(limit)}
	src := source{name: "big.mbox", size: -1, open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(mbox.String())), nil }}
	if code := b.run([]source{src}); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	if b.memory.peak > limit || b.memory.peak < len(body) {
		t.Errorf("peak bytes held %d, want between one message (%d) and the limit (%d)", b.memory.peak, len(body), limit)
	}
	if b.memory.held != 0 {
		t.Errorf("%d bytes still held after the run", b.memory.held)
	}
	lines := decodeLines(t, out.String())
	if len(lines) != 20 || lines[19].File != "big.mbox#20" {
		t.Errorf("got %d reports (last %q), want 20 in order", len(lines), lines[len(lines)-1].File)
	}
}
