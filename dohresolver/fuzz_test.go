//go:build !js

package dohresolver

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"headerlens/dnswire"
)

// FuzzParseAnswer feeds arbitrary bodies to the answer validation and the
// code that reads validated answers (CNAME chasing, TTLs, TXT unescaping).
// None may panic, and an accepted answer must match the question.
func FuzzParseAnswer(f *testing.F) {
	q, wire, err := buildQuery("www.example.com.", dnswire.TypeTXT)
	if err != nil {
		f.Fatal(err)
	}
	// The seeds are answers made by miekg/dns, another implementation.
	mq := new(dns.Msg)
	if err := mq.Unpack(wire); err != nil {
		f.Fatal(err)
	}
	seed := func(mod func(m *dns.Msg)) {
		m := new(dns.Msg)
		m.SetReply(mq)
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
		if len(m.Question) != 1 || !strings.EqualFold(m.Question[0].Name, "www.example.com.") || m.Question[0].Type != dnswire.TypeTXT || m.Truncated {
			t.Fatalf("accepted an answer to another question: %v", m)
		}
		cacheTTL(m, dnswire.TypeTXT)
		rrs, _, _ := chase(m, "www.example.com.", dnswire.TypeTXT, map[string]bool{})
		for _, rr := range rrs {
			if txt, ok := rr.Data.(*dnswire.TXT); ok {
				for _, s := range txt.Strings {
					if len(s) > 255 {
						t.Fatalf("character-string of %d octets", len(s))
					}
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
