//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFolderTooDeep: a folder the walk cannot list is one failed entry, in
// its place among the messages, which are all analyzed, and the run ends
// with exit code 1. Permissions cannot make a folder unlistable for root,
// which the tests may run as; a path longer than the kernel's PATH_MAX
// (4096 bytes) can: opening the folder fails with ENAMETOOLONG. The chain
// of folders is made relative to open folders, where no path is long.
func TestFolderTooDeep(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.eml", "z.eml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sample), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("d", 250)
	for range 20 { // 20 × 251 bytes: over 4096, wherever the temporary folder is
		if err := syscall.Mkdirat(fd, name, 0o755); err != nil {
			syscall.Close(fd)
			t.Fatal(err)
		}
		next, err := syscall.Openat(fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		syscall.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	// A message at the bottom, which no path reaches.
	mfd, err := syscall.Openat(fd, "m.eml", syscall.O_CREAT|syscall.O_WRONLY, 0o644)
	syscall.Close(fd)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Write(mfd, []byte(sample))
	syscall.Close(mfd)

	out, errOut, code := runCLI(t, "", "analyze", "--offline", dir)
	lines := decodeLines(t, out)
	var got []string
	for _, l := range lines {
		rel := strings.TrimPrefix(l.File, dir+string(filepath.Separator))
		switch {
		case l.Error != "" && strings.HasPrefix(rel, name+string(filepath.Separator)+name):
			got = append(got, "deep folder: error")
		case l.Report != nil:
			got = append(got, rel)
		default:
			got = append(got, rel+": "+l.Error)
		}
	}
	want := []string{"a.eml", "deep folder: error", "z.eml"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if code != exitFail || !strings.Contains(errOut, "1 of 3 messages could not be analyzed") {
		t.Errorf("got exit code %d, stderr %q; want %d and the count of failures", code, errOut, exitFail)
	}
}
