package arc

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
)

// TestStalwartCases runs the ARC messages of stalwart mail-auth (Apache-2.0
// OR MIT, licences beside them): each file is "name TXT-value" lines, a
// blank line, then a message whose chain passes.
func TestStalwartCases(t *testing.T) {
	files, err := filepath.Glob("../../testdata/arc/stalwart/[0-9]*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d files (%v), want the stalwart cases", len(files), err)
	}
	tests := []struct {
		file      string
		instances int
	}{
		{"001.txt", 1},
		{"002.txt", 2},
	}
	if len(files) != len(tests) {
		t.Fatalf("got %d files, want %d", len(files), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("../../testdata/arc/stalwart", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
			dns, msgText, ok := bytes.Cut(b, []byte("\n\n"))
			if !ok {
				t.Fatal("no blank line after the DNS records")
			}
			txt := map[string]string{}
			for _, line := range strings.Split(string(dns), "\n") {
				name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
				if ok {
					txt[name] = value
				}
			}
			_, r := newDNS(t, txt)
			msg, err := message.Parse(msgText)
			if err != nil {
				t.Fatal(err)
			}
			got := Verify(t.Context(), r, msg, Options{})
			if got.Result != result.Pass || got.Instances != tc.instances {
				t.Errorf("got %s with %d sets (%s), want pass with %d", got.Result, got.Instances, got.Reason, tc.instances)
			}
			if got.BodyHash != dkimcore.BodyVerified || got.Scope != dkimcore.ScopeFull {
				t.Errorf("got bodyHash %q scope %q, want %q %q", got.BodyHash, got.Scope, dkimcore.BodyVerified, dkimcore.ScopeFull)
			}
			for _, s := range got.Sets {
				t.Logf("i=%d seal %s (%s %s %s) ams %s: %s", s.Instance, s.SealResult, s.Algorithm, s.Domain, s.Selector, s.AMSResult, s.Reason)
			}
		})
	}
}
