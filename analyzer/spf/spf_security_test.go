package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestSecurityQueryAmplification: an SPF record served by an attacker (the
// domain of a pasted message) must not make one check ask the resolver for
// more than the RFC 7208 §4.6.4 budget: 10 querying terms, 10 MX names per
// mx, 10 PTR names per ptr, 2 void lookups, plus the record itself; with
// 10 mx terms each naming 10 hosts that is at most about 1 + 10 × 11 + a
// few void lookups. A huge MX set, a huge PTR set, macro-expanded names
// and an explanation built from a 60 KB local part must all stay within
// it and finish promptly.
func TestSecurityQueryAmplification(t *testing.T) {
	var rrs []string
	for i := range 300 {
		rrs = append(rrs, fmt.Sprintf("many.amp.example. MX %d mx%d.amp.example.", i, i))
		rrs = append(rrs, fmt.Sprintf("mx%d.amp.example. A 198.51.100.%d", i, i%250))
		rrs = append(rrs, fmt.Sprintf("1.2.0.192.in-addr.arpa. PTR p%d.amp.example.", i))
		rrs = append(rrs, fmt.Sprintf("p%d.amp.example. A 192.0.2.%d", i, 3+i%200))
	}
	rrs = append(rrs,
		`mx.amp.example. TXT "v=spf1 mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example mx:many.amp.example -all"`,
		`ptr.amp.example. TXT "v=spf1 ptr ptr ptr ptr ptr ptr ptr ptr ptr ptr ptr ptr -all"`,
		`macro.amp.example. TXT "v=spf1 exists:%{l}%{l}%{l}%{l}%{l}.%{d}.%{ir}.%{v}.%{h} a:%{l}.x a:%{l}.y a:%{l}.z exists:%{l}.w -all"`,
		`exp.amp.example. TXT "v=spf1 -all exp=e.amp.example"`,
		`e.amp.example. TXT "%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}"`,
		`loop.amp.example. TXT "v=spf1 include:loop.amp.example -all"`,
		`chain0.amp.example. TXT "v=spf1 include:chain1.amp.example include:chain1.amp.example -all"`,
		`chain1.amp.example. TXT "v=spf1 include:chain2.amp.example include:chain2.amp.example -all"`,
		`chain2.amp.example. TXT "v=spf1 include:chain3.amp.example include:chain3.amp.example -all"`,
		`chain3.amp.example. TXT "v=spf1 include:chain4.amp.example include:chain4.amp.example -all"`,
		`chain4.amp.example. TXT "v=spf1 include:chain0.amp.example -all"`,
	)
	r, srv := fixture(t, rrs...)
	local := strings.Repeat("a", 60000)
	for _, domain := range []string{"mx.amp.example", "ptr.amp.example", "macro.amp.example", "exp.amp.example", "loop.amp.example", "chain0.amp.example"} {
		srv.Handler.ResetLog()
		start := time.Now()
		res := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), domain, local+"@"+domain, "helo.amp.example", Options{Timeout: 10 * time.Second})
		took := time.Since(start)
		n := srv.Handler.Count()
		t.Logf("%s: %s, %d queries, %d lookups, %d void, %v", domain, res.Result, n, res.Lookups, res.VoidLookups, took)
		if n > 1+MaxLookups*(1+MaxMXNames)+DefaultVoidLookupLimit+2 {
			t.Errorf("%s: %d DNS queries, want at most the RFC 7208 §4.6.4 budget", domain, n)
		}
		if res.Lookups > MaxLookups+1 {
			t.Errorf("%s: Lookups got %d, want at most %d", domain, res.Lookups, MaxLookups+1)
		}
		if took > 5*time.Second {
			t.Errorf("%s: took %v, want well under 5s", domain, took)
		}
		if len(res.Explanation) > 8<<10+1 {
			t.Errorf("%s: explanation of %d bytes, want it bounded", domain, len(res.Explanation))
		}
	}
}
