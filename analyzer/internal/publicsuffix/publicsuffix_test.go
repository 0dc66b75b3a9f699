package publicsuffix

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/idna"
	xps "golang.org/x/net/publicsuffix"
)

// TestVectors runs the list's own test vectors (testdata/dmarc/psl, from
// github.com/publicsuffix/list tests/tests.txt): "checkPublicSuffix(domain,
// registrable)", where null means the domain has no registrable domain.
func TestVectors(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "dmarc", "psl", "tests.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("unreadable vector %q", line)
		}
		in, want := fields[0], fields[1]
		n++
		if in == "null" {
			continue // a null input: nothing to look up
		}
		// The list's vectors mix cases and Unicode; the analyzer looks up
		// lower-case A-labels (RFC 5890), so both sides are compared so.
		d := alabels(in)
		if strings.HasPrefix(d, ".") {
			want = "null" // a leading dot is no domain
		}
		got, err := EffectiveTLDPlusOne(d)
		if err != nil {
			got = "null"
		}
		if want != "null" {
			want = alabels(want)
		}
		if got != want {
			t.Errorf("EffectiveTLDPlusOne(%q) = %q, want %q", d, got, want)
		}
	}
	if n < 70 {
		t.Fatalf("read %d vectors, want the list's 70 or more", n)
	}
}

// alabels is s in lower-case A-label form.
func alabels(s string) string {
	if a, err := idna.Punycode.ToASCII(s); err == nil {
		s = a
	}
	return strings.ToLower(s)
}

func TestPublicSuffix(t *testing.T) {
	tests := []struct {
		in, suffix string
		icann      bool
	}{
		{"example.com", "com", true},
		{"www.example.co.uk", "co.uk", true},
		{"foo.blogspot.com", "blogspot.com", false},
		{"a.b.ck", "b.ck", true}, // *.ck
		{"www.ck", "ck", true},   // !www.ck
		{"a.www.ck", "ck", true}, // the exception prevails
		{"example.unlisted", "unlisted", false},
		{"unlisted", "unlisted", false},
		{"xn--55qx5d.cn", "xn--55qx5d.cn", true}, // 公司.cn, an IDN rule
	}
	for _, tc := range tests {
		s, icann := PublicSuffix(tc.in)
		if s != tc.suffix || icann != tc.icann {
			t.Errorf("PublicSuffix(%q) = %q, %v; want %q, %v", tc.in, s, icann, tc.suffix, tc.icann)
		}
	}
}

// FuzzAgainstXNet compares every answer with golang.org/x/net/publicsuffix,
// which compiles the same revision of the list (Version).
func FuzzAgainstXNet(f *testing.F) {
	for _, s := range []string{"example.com", "a.b.ck", "www.ck", "foo.blogspot.com", "xn--55qx5d.cn", "co.uk", "", ".", "a..b", "kawasaki.jp", "city.kawasaki.jp", "x.city.kawasaki.jp", "EXAMPLE.COM", "a.b.c.d.e.github.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		gs, gi := PublicSuffix(d)
		ws, wi := xps.PublicSuffix(d)
		if gs != ws || gi != wi {
			t.Errorf("PublicSuffix(%q) = %q, %v; x/net %q, %v", d, gs, gi, ws, wi)
		}
		g, gerr := EffectiveTLDPlusOne(d)
		w, werr := xps.EffectiveTLDPlusOne(d)
		if g != w || (gerr == nil) != (werr == nil) {
			t.Errorf("EffectiveTLDPlusOne(%q) = %q, %v; x/net %q, %v", d, g, gerr, w, werr)
		}
	})
}

// TestVersion: the list's revision is the one x/net compiled.
func TestVersion(t *testing.T) {
	if Version != xps.List.String() {
		t.Errorf("Version = %q, x/net %q: the embedded list and x/net's differ, so the fuzz comparison is void", Version, xps.List.String())
	}
}
