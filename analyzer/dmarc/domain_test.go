package dmarc

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

func TestNormalizeDomain(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"example.com", "example.com", true},
		{"Example.COM", "example.com", true},
		{"example.com.", "example.com", true},
		{"  example.com  ", "example.com", true},
		{"_dmarc.example.com", "_dmarc.example.com", true},
		{"bücher.example", "xn--bcher-kva.example", true},
		{"BÜCHER.example", "xn--bcher-kva.example", true},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", true},
		{"com", "com", true},
		{"", "", false},
		{".", "", false},
		{"example.com..", "", false},
		{".example.com", "", false},
		{"a..example.com", "", false},
		{"exa mple.com", "", false},
		{"user@example.com", "", false},
		{"[192.0.2.1]", "", false},
		{strings.Repeat("a", 64) + ".com", "", false},
		{strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com", true},
		{strings.Repeat("a.", 127) + "com", "", false}, // 257 characters
	}
	for _, tc := range tests {
		got, err := NormalizeDomain(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormalizeDomain(%q): got %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestTreeWalkNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"com", []string{"com"}},
		{"example.com", []string{"example.com", "com"}},
		{"a.mail.example.com", []string{"a.mail.example.com", "mail.example.com", "example.com", "com"}},
		// RFC 9989 §4.10 illustration: 13 labels, eight queries.
		{"a.b.c.d.e.f.g.h.i.j.mail.example.com", []string{
			"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
			"h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
			"mail.example.com", "example.com", "com"}},
		// Exactly eight labels: 8 → 7 → ... → 1.
		{"a.b.c.d.e.f.example.com", []string{
			"a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com", "c.d.e.f.example.com",
			"d.e.f.example.com", "e.f.example.com", "f.example.com", "example.com", "com"}},
		// Seven labels: one at a time.
		{"b.c.d.e.f.example.com", []string{
			"b.c.d.e.f.example.com", "c.d.e.f.example.com", "d.e.f.example.com",
			"e.f.example.com", "f.example.com", "example.com", "com"}},
		// Nine labels: jump to seven after the first.
		{"z.a.b.c.d.e.f.example.com", []string{
			"z.a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com", "c.d.e.f.example.com",
			"d.e.f.example.com", "e.f.example.com", "f.example.com", "example.com", "com"}},
		{"", nil},
	}
	for _, tc := range tests {
		got := TreeWalkNames(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("TreeWalkNames(%q): got %v, want %v", tc.in, got, tc.want)
		}
		if len(got) > MaxTreeWalkQueries {
			t.Errorf("TreeWalkNames(%q): got %d names, want at most %d", tc.in, len(got), MaxTreeWalkQueries)
		}
	}
	// A very long name still gives eight names.
	long := strings.Repeat("x.", 100) + "example.com"
	if got := TreeWalkNames(long); len(got) != MaxTreeWalkQueries || got[1] != "x.x.x.x.x.example.com" {
		t.Errorf("TreeWalkNames(102 labels): got %v, want 8 names with x.x.x.x.x.example.com second", got)
	}
}

func TestPSLOrgDomain(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"example.com", "example.com", nil},
		{"mail.example.com", "example.com", nil},
		{"A.B.Example.COM.", "example.com", nil},
		{"example.co.uk", "example.co.uk", nil},
		{"mail.example.co.uk", "example.co.uk", nil},
		{"co.uk", "co.uk", ErrPublicSuffix},
		{"uk", "uk", ErrPublicSuffix},
		// Private section of the list.
		{"foo.blogspot.com", "foo.blogspot.com", nil},
		{"a.foo.blogspot.com", "foo.blogspot.com", nil},
		{"blogspot.com", "blogspot.com", ErrPublicSuffix},
		{"user.github.io", "user.github.io", nil},
		// Unlisted TLD: the default rule "*".
		{"giant.bank.example", "bank.example", nil},
		{"bank.example", "bank.example", nil},
		// Wildcard and exception rules (*.ck, !www.ck).
		{"a.b.test.ck", "b.test.ck", nil},
		{"www.www.ck", "www.ck", nil},
		{"bücher.example", "xn--bcher-kva.example", nil},
		{"", "", ErrInvalidDomain},
		{"a..b", "", ErrInvalidDomain},
	}
	for _, tc := range tests {
		got, err := PSLOrgDomain(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("PSLOrgDomain(%q): got %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if !strings.Contains(PSLVersion(), "public_suffix_list") {
		t.Errorf("PSLVersion(): got %q, want the list's revision", PSLVersion())
	}
}

// TestPSLVectors runs the Public Suffix List test vectors
// (testdata/dmarc/psl/tests.txt, public domain): "input registrable" with
// "null" for none. Results depend on the list bundled with
// analyzer/internal/publicsuffix (see PSLVersion); rules removed from the
// list after the vectors were written would show up here.
func TestPSLVectors(t *testing.T) {
	f, err := os.Open(filepath.Join(testdataDir(t), "psl", "tests.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	passed, total := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("bad line %q", line)
		}
		in, want := fields[0], fields[1]
		if in == "null" {
			in = ""
		}
		if want != "null" {
			a, err := idna.Lookup.ToASCII(want)
			if err != nil {
				t.Fatalf("%q: %v", want, err)
			}
			want = a
		}
		total++
		org, err := PSLOrgDomain(in)
		got := org
		if err != nil {
			got = "null"
		}
		if got != want {
			t.Errorf("PSLOrgDomain(%q): got %q (%v), want %q", in, got, err, want)
			continue
		}
		passed++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("PSL vectors: %d/%d passed (list: %s)", passed, total, PSLVersion())
	if total < 70 {
		t.Errorf("PSL vectors: got %d, want the whole file", total)
	}
}

func TestIsSubdomainAndOneLabelBelow(t *testing.T) {
	subs := []struct {
		child, parent string
		want          bool
	}{
		{"a.example.com", "example.com", true},
		{"example.com", "example.com", false},
		{"badexample.com", "example.com", false},
		{"a.b.example.com", "example.com", true},
		{"example.com", "a.example.com", false},
	}
	for _, tc := range subs {
		if got := isSubdomain(tc.child, tc.parent); got != tc.want {
			t.Errorf("isSubdomain(%q, %q): got %v, want %v", tc.child, tc.parent, got, tc.want)
		}
	}
	below := []struct{ d, parent, want string }{
		{"mail.giant.bank.example", "bank.example", "giant.bank.example"},
		{"giant.bank.example", "bank.example", "giant.bank.example"},
		{"a.mail.example.com", "com", "example.com"},
	}
	for _, tc := range below {
		if got := oneLabelBelow(tc.d, tc.parent); got != tc.want {
			t.Errorf("oneLabelBelow(%q, %q): got %q, want %q", tc.d, tc.parent, got, tc.want)
		}
	}
}
