//go:build !js

package dohresolver

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzParseAnswer feeds arbitrary bodies to the answer validation and the
// code that reads validated answers (CNAME chasing, TTLs, TXT unescaping).
// None may panic, and an accepted answer must match the question.
func FuzzParseAnswer(f *testing.F) {
	q, _, err := buildQuery("www.example.com.", dns.TypeTXT)
	if err != nil {
		f.Fatal(err)
	}
	seed := func(mod func(m *dns.Msg)) {
		m := new(dns.Msg)
		m.SetReply(q)
		mod(m)
		if b, err := m.Pack(); err == nil {
			f.Add(b)
		}
	}
	seed(func(m *dns.Msg) {
		cn, _ := dns.NewRR("www.example.com. 60 IN CNAME host.example.com.")
		txt, _ := dns.NewRR(`host.example.com. 30 IN TXT "a\"b" "c\255d"`)
		m.Answer = []dns.RR{cn, txt}
	})
	seed(func(m *dns.Msg) {
		soa, _ := dns.NewRR("example.com. 60 IN SOA ns. h. 1 2 3 4 5")
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa}
	})
	seed(func(m *dns.Msg) {
		a, _ := dns.NewRR("www.example.com. 60 IN CNAME www.example.com.")
		m.Answer = []dns.RR{a}
		m.Truncated = true
	})
	f.Add([]byte("<html></html>"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, body []byte) {
		m, e := checkAnswer(body, q)
		if e != nil {
			if m != nil || e.Kind == KindUnknown || e.Error() == "" {
				t.Fatalf("error %v with message %v", e, m)
			}
			return
		}
		if len(m.Question) != 1 || !strings.EqualFold(m.Question[0].Name, "www.example.com.") || m.Question[0].Qtype != dns.TypeTXT || m.Truncated {
			t.Fatalf("accepted an answer to another question: %v", m)
		}
		cacheTTL(m, dns.TypeTXT)
		rrs, _, _ := chase(m, "www.example.com.", dns.TypeTXT, map[string]bool{})
		for _, rr := range rrs {
			if txt, ok := rr.(*dns.TXT); ok {
				for _, s := range txt.Txt {
					unescapeTXT(s)
				}
			}
		}
	})
}

// FuzzCheckName: name validation never panics, and an accepted name is
// fully qualified and within the RFC 1035 limits.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"example.com", "a..b", "", ".", "exämple.com", strings.Repeat("a.", 130)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := checkName(s)
		if err != nil {
			return
		}
		// n is in presentation form, with "\ " style escapes (RFC 1035
		// §5.1); the limit applies to the unescaped name.
		if !strings.HasSuffix(n, ".") || len(strings.ReplaceAll(n, `\`, "")) > 254 {
			t.Fatalf("checkName(%q) = %q", s, n)
		}
		if _, ok := dns.IsDomainName(n); !ok {
			t.Fatalf("checkName(%q) accepted a name miekg/dns rejects", s)
		}
	})
}

func TestUnescapeTXT(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\"b`, `a"b`},
		{`back\\slash`, `back\slash`},
		{`\255\000x`, "\xff\x00x"},
		{`\999`, "999"},
		{`trailing\`, `trailing\`},
		{`\12`, "12"},
	}
	for _, tt := range tests {
		if got := unescapeTXT(tt.in); got != tt.want {
			t.Errorf("unescapeTXT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
