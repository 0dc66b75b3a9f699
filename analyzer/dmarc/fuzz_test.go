package dmarc

import (
	"errors"
	"testing"
)

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=r; pct=50; t=y; psd=n; fo=1:d; rf=afrf; ri=3600; rua=mailto:a@example.com!10m,https://r.example/x; ruf=mailto:f@example.com",
		"v=DMARC1", "v = DMARC1 ;", "v=DMARC1;;;", "v=DMARC1; p", "v=DMARC1; =", "v=DMARC1; p=; rua=,",
		"v=dmarc1; p=none", "v=DMARC1; rua=mailto:%zz@example.com", "v=DMARC1; rua=mailto:a@b!99999999999999999999999t",
		"v=DMARC1; p=reject; p=none; v=DMARC1", " v=DMARC1;\tp=none\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseRecord(txt)
		if !IsDMARC(txt) {
			if !errors.Is(err, ErrNotDMARC) || r != nil {
				t.Fatalf("ParseRecord(%q): got %v, %v; want nil, ErrNotDMARC", txt, r, err)
			}
			return
		}
		if err != nil || r == nil {
			t.Fatalf("ParseRecord(%q): got %v, want a record", txt, err)
		}
		if r.Raw != txt || r.Tags["v"] != "DMARC1" {
			t.Fatalf("ParseRecord(%q): got raw %q and v %q, want the input and DMARC1", txt, r.Raw, r.Tags["v"])
		}
		if r.Percent < 0 || r.Percent > 100 {
			t.Fatalf("ParseRecord(%q): got pct %d, want 0..100", txt, r.Percent)
		}
		for _, p := range []Policy{r.Policy, r.SubdomainPolicy, r.NonExistentPolicy} {
			switch p {
			case "", PolicyNone, PolicyQuarantine, PolicyReject:
			default:
				t.Fatalf("ParseRecord(%q): got policy %q", txt, p)
			}
		}
		if r.NoneFallback && !r.Usable {
			t.Fatalf("ParseRecord(%q): NoneFallback without Usable", txt)
		}
		if r.Usable && !r.NoneFallback && r.Policy == "" {
			t.Fatalf("ParseRecord(%q): usable without p", txt)
		}
		for _, u := range append(r.RUA, r.RUF...) {
			if u.Valid == (u.Problem != "") {
				t.Fatalf("ParseRecord(%q): URI %+v: Valid and Problem disagree", txt, u)
			}
		}
		if len(r.Order) != len(r.Tags) {
			t.Fatalf("ParseRecord(%q): got %d tags in order, %d in map", txt, len(r.Order), len(r.Tags))
		}
	})
}

func FuzzAuthorDomain(f *testing.F) {
	for _, s := range []string{
		"a@example.com", `"A" <a@example.com>, b@example.net`, "Team: a@x.example;", "=?utf-8?b?w7Y=?= <a@b.example>",
		"<a@b> <", "a@[1.2.3.4]", "bücher.example", "From: \r\n a@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, from string) {
		d, _, err := AuthorDomain(from)
		if err == nil || errors.Is(err, ErrMultipleAuthors) {
			if n, err2 := NormalizeDomain(d); err2 != nil || n != d {
				t.Fatalf("AuthorDomain(%q): got %q, which is not normalized (%q, %v)", from, d, n, err2)
			}
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"Example.COM.", "bücher.example", "a..b", "xn--bcher-kva.example", "_dmarc.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := NormalizeDomain(s)
		if err != nil {
			return
		}
		again, err := NormalizeDomain(d)
		if err != nil || again != d {
			t.Fatalf("NormalizeDomain(%q) = %q is not stable: %q, %v", s, d, again, err)
		}
		if names := TreeWalkNames(d); len(names) == 0 || len(names) > MaxTreeWalkQueries || names[0] != d {
			t.Fatalf("TreeWalkNames(%q): got %v", d, names)
		}
		if !StrictAligned(s, d) {
			t.Fatalf("StrictAligned(%q, %q): got false, want true", s, d)
		}
	})
}
