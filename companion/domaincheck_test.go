package companion_test

import (
	"fmt"
	"strings"
	"testing"

	"headerlens/analyzer/domaincheck"
	"headerlens/companion/client"
	"headerlens/companion/internal/testenv"
	"headerlens/dohresolver"
)

const markSVG = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>Brand</title><rect width="10" height="10" fill="#123"/></svg>`

// TestDomainCheckThroughCompanion runs the domain check of the page and
// the CLI with its companion-dependent checks (STARTTLS, MTA-STS, BIMI)
// answered by a real companion: the MX hosts are loopback SMTP servers,
// and the MTA-STS policies, logos and mark certificates come from a local
// HTTPS server, crafted per domain.
func TestDomainCheckThroughCompanion(t *testing.T) {
	e := newEnv(t, nil)
	e.rr(
		"brand.test. 60 IN A 127.0.0.1",
		// dcgood.test: STARTTLS with a valid certificate, MTA-STS in
		// enforce mode matching its MX, a valid logo and mark.
		"dcgood.test. 60 IN MX 10 mx.dcgood.test.",
		"mx.dcgood.test. 60 IN A 127.0.0.1",
		"mta-sts.dcgood.test. 60 IN A 127.0.0.1",
		`dcgood.test. 60 IN TXT "v=spf1 mx -all"`,
		`_dmarc.dcgood.test. 60 IN TXT "v=DMARC1; p=reject"`,
		`_mta-sts.dcgood.test. 60 IN TXT "v=STSv1; id=2026120501"`,
		`default._bimi.dcgood.test. 60 IN TXT "v=BIMI1; l=https://brand.test/good.svg; a=https://brand.test/good.pem"`,
		// dcbad.test: no STARTTLS, MTA-STS testing with a short max_age
		// and patterns not matching the MX, a logo with a script and a
		// mark certificate for another image, DMARC p=none.
		"dcbad.test. 60 IN MX 10 mx.dcbad.test.",
		"mx.dcbad.test. 60 IN A 127.0.0.2",
		"mta-sts.dcbad.test. 60 IN A 127.0.0.1",
		`_dmarc.dcbad.test. 60 IN TXT "v=DMARC1; p=none"`,
		`_mta-sts.dcbad.test. 60 IN TXT "v=STSv1; id=1"`,
		`default._bimi.dcbad.test. 60 IN TXT "v=BIMI1; l=https://brand.test/script.svg; a=https://brand.test/other.pem"`,
	)
	e.smtp("127.0.0.1", "mx.dcgood.test", testenv.SMTPOptions{})
	testenv.StartSMTP(t, testenv.SMTPOptions{Listen: fmt.Sprintf("127.0.0.2:%d", e.smtpPort), Domain: "mx.dcbad.test"})
	e.policies["mta-sts.dcgood.test"] = policyReply{200, "text/plain", "version: STSv1\nmode: enforce\nmx: mx.dcgood.test\nmax_age: 604800\n", ""}
	e.policies["mta-sts.dcbad.test"] = policyReply{200, "text/plain", "version: STSv1\nmode: testing\nmx: *.elsewhere.test\nmax_age: 3600\n", ""}
	e.assets["brand.test/good.svg"] = markSVG
	e.assets["brand.test/good.pem"] = string(e.ca.MarkCertificate(t, "Good Brand", []byte(markSVG)))
	e.assets["brand.test/script.svg"] = strings.Replace(markSVG, "<rect", "<script>alert(1)</script><rect", 1)
	e.assets["brand.test/other.pem"] = string(e.ca.MarkCertificate(t, "Other Brand", []byte(strings.Replace(markSVG, "#123", "#456", 1))))

	res, err := dohresolver.New(dohresolver.Config{Endpoints: []string{e.doh.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	comp, err := client.New(e.api.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := domaincheck.Options{Resolver: res, Exchanger: res, Companion: comp}

	type want struct {
		status  domaincheck.Status
		codes   []string
		records []string // substrings of some record
	}
	tests := []struct {
		domain                 string
		starttls, mtaSts, bimi want
	}{
		{"dcgood.test",
			want{domaincheck.OK, nil, []string{"mx.dcgood.test: TLS 1.3"}},
			want{domaincheck.OK, nil, []string{"mode=enforce max_age=604800"}},
			want{domaincheck.OK, nil, []string{"logo: https://brand.test/good.svg", "certificate: CN=Good Brand"}}},
		{"dcbad.test",
			want{domaincheck.Error, []string{"starttls-not-offered"}, nil},
			want{domaincheck.Error, []string{"mta-sts-testing", "mta-sts-short-max-age", "mta-sts-mx-mismatch"}, []string{"mode=testing"}},
			want{domaincheck.Error, []string{"bimi-logo-svg", "bimi-vmc-logo-mismatch", "bimi-dmarc-not-enforcing"}, []string{"certificate: CN=Other Brand"}}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			rep := domaincheck.Check(t.Context(), tt.domain, opts)
			for name, c := range map[string]struct {
				got  *domaincheck.CheckResult
				want want
			}{"starttls": {rep.STARTTLS, tt.starttls}, "mtaSts": {rep.MTASTS, tt.mtaSts}, "bimi": {rep.BIMI, tt.bimi}} {
				if c.got.Status != c.want.status {
					t.Errorf("%s: status %q, want %q (reason %q, findings %v)", name, c.got.Status, c.want.status, c.got.Reason, c.got.Findings)
				}
				have := map[string]bool{}
				for _, f := range c.got.Findings {
					have[f.Code] = true
				}
				for _, code := range c.want.codes {
					if !have[code] {
						t.Errorf("%s: no finding %q in %v", name, code, c.got.Findings)
					}
				}
				for _, r := range c.want.records {
					found := false
					for _, g := range c.got.Records {
						found = found || strings.Contains(g, r)
					}
					if !found {
						t.Errorf("%s: no record containing %q in %q", name, r, c.got.Records)
					}
				}
			}
		})
	}
}
