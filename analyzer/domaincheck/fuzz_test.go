package domaincheck

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

// txtResolver answers every TXT query with the same records, every MX
// query with one host, and every address query with one address: a
// hostile zone that says the same thing under every name.
type txtResolver struct{ txt []string }

func (r txtResolver) LookupTXT(context.Context, string) ([]string, error) { return r.txt, nil }
func (r txtResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("192.0.2.7")}, nil
}
func (r txtResolver) LookupMX(context.Context, string) ([]*net.MX, error) {
	return []*net.MX{{Host: "mx.example.", Pref: 10}}, nil
}
func (r txtResolver) LookupAddr(context.Context, string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
}

// FuzzCheck runs the whole check over arbitrary domain names and TXT data
// (the same records at every name: SPF, DMARC, DKIM, MTA-STS, TLS-RPT and
// BIMI parsers all see them). It must never panic and always report.
func FuzzCheck(f *testing.F) {
	f.Add("example.com", "v=spf1 include:example.com -all", "v=DMARC1; p=reject; rua=mailto:a@b.example")
	f.Add("a.example", "v=BIMI1; l=https://x/y.svg", "v=STSv1; id=1")
	f.Add("x.example", "v=DKIM1; p=", "v=TLSRPTv1; rua=ftp://x")
	f.Fuzz(func(t *testing.T, domain, txt1, txt2 string) {
		rep := Check(context.Background(), domain, Options{Resolver: txtResolver{txt: []string{txt1, txt2}}})
		if rep == nil || rep.Summary.Verdict == "" {
			t.Fatalf("no report or verdict for %q", domain)
		}
		if rep.Error == "" {
			for _, c := range []*CheckResult{&rep.MX.CheckResult, &rep.SPF.CheckResult, &rep.DMARC.CheckResult, &rep.DKIM.CheckResult, rep.MTASTS, rep.TLSRPT, rep.BIMI, &rep.DANE.CheckResult, rep.STARTTLS} {
				if c.Status == "" {
					t.Fatalf("a check without status: %+v", rep)
				}
				for _, r := range c.Records {
					if len(r) > MaxRecordLen+len("…")+64 {
						t.Fatalf("record of %d bytes kept", len(r))
					}
				}
			}
		}
	})
}
