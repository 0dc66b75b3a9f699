//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

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
	write(filepath.Join(md, "cur", ".hidden"), sample)
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
		t.Errorf("got exit code %d, want %d", code, exitFail)
	}
	for _, w := range []string{"loop: a symbolic link to a folder (not followed)", "6-fifo: not a regular file", "1 hidden file(s) or folder(s)", "1 Maildir tmp/ folder", "1 of 4 messages could not be analyzed"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("got stderr %q, want it to say %q", errOut, w)
		}
	}
	for _, l := range lines {
		if strings.HasSuffix(l.File, "4-link") && (l.Report == nil || l.Report.Summary.FromName != "Linked") {
			t.Errorf("the linked message was not analyzed: %+v", l)
		}
	}
}

// TestArguments: a link to a message, a FIFO (as a shell's process
// substitution gives) and a missing file, named on the command line: the
// first two are read, the third is reported in its place, and the run
// ends with exit code 1.
func TestArguments(t *testing.T) {
	dir := t.TempDir()
	msg := filepath.Join(dir, "a.eml")
	if err := os.WriteFile(msg, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	linkToMsg := filepath.Join(dir, "link.eml")
	if err := os.Symlink(msg, linkToMsg); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for the reader
		if err != nil {
			return
		}
		f.WriteString(strings.Replace(sample, "Alice", "Piped", 1))
		f.Close()
	}()
	t.Cleanup(func() {
		// Should the command not have opened the FIFO, free the writer.
		if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		wg.Wait()
	})
	missing := filepath.Join(dir, "missing.eml")

	out, errOut, code := runCLI(t, "", "analyze", "--offline", linkToMsg, missing, fifo)
	lines := decodeLines(t, out)
	var got []string
	for _, l := range lines {
		switch {
		case l.Error != "":
			got = append(got, filepath.Base(l.File)+": error")
		case l.Report != nil:
			got = append(got, filepath.Base(l.File)+": "+l.Report.Summary.FromName)
		}
	}
	want := []string{"link.eml: Alice", "missing.eml: error", "fifo: Piped"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if code != exitFail || !strings.Contains(errOut, "1 of 3 messages could not be analyzed") {
		t.Errorf("got exit code %d, stderr %q; want %d and the count of failures", code, errOut, exitFail)
	}
}

// TestOpenRegular: a file listed as a regular file that became a FIFO is
// refused at once rather than waited on.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file, fifo := filepath.Join(dir, "file"), filepath.Join(dir, "fifo")
	if err := os.WriteFile(file, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		wantErr bool
	}{
		{file, false},
		{fifo, true},
		{dir, true},
		{filepath.Join(dir, "missing"), true},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() {
			rc, err := openRegular(tt.path)
			if err == nil {
				rc.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if (err != nil) != tt.wantErr {
				t.Errorf("%s: got error %v, want error: %v", filepath.Base(tt.path), err, tt.wantErr)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: open still waiting after 5s", filepath.Base(tt.path))
		}
	}
}

// TestUnreadableFolder: a folder that cannot be listed is one failed entry;
// the others are still analyzed. Root reads any folder, so the case needs
// an ordinary user; as root, TestFolderTooDeep covers the same path with a
// folder whose path the kernel refuses.
func TestUnreadableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can list a folder without permissions; TestFolderTooDeep and TestFolders (a dangling link) cover the failed-entry path")
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
	if len(lines) != 2 || lines[0].Report == nil || lines[1].Error == "" || code != exitFail {
		t.Errorf("got %d lines, exit %d; want the message, then the locked folder's error, exit %d", len(lines), code, exitFail)
	}
}
