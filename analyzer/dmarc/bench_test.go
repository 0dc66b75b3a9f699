package dmarc

import (
	"context"
	"testing"
	"time"

	"headerlens/analyzer/result"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// BenchmarkEvaluate evaluates a message from a subdomain whose policy is
// published at the Organizational Domain, with a relaxed-aligned DKIM pass
// from another subdomain (so the From walk, the identifier walk and the
// existence test for np all run), through the real DoH client against the
// fixture server. "cached" lets the client cache answers across
// iterations; "uncached" makes every query an HTTP exchange.
func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := dohtest.NewServer(b, dohtest.ZoneText(".", rootSOA+"\n"))
			srv.AddRR(dohtest.TXTStrings("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.com"))
			srv.AddRR("mail.example.com. 300 IN A 192.0.2.1")
			r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 5 * time.Second, CacheSize: bc.cache})
			if err != nil {
				b.Fatal(err)
			}
			in := Input{
				From: `"News" <news@mail.example.com>`,
				SPF:  SPF{Result: "pass", MailFrom: "bounce@bounce.example.net"},
				DKIM: []DKIM{{Domain: "dkim.example.com", Result: "pass"}},
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res := Evaluate(ctx, r, in)
				if res.Result != result.Pass || res.Policy != PolicyQuarantine || res.OrgDomain != "example.com" {
					b.Fatalf("got %s/%s/%s, want pass/quarantine/example.com", res.Result, res.Policy, res.OrgDomain)
				}
			}
		})
	}
}
