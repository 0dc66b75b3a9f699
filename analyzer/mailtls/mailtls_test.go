package mailtls_test

import (
	"encoding/json"
	"headerlens/analyzer/mailtls"
	"strings"
	"testing"

	"headerlens/companion"
	"headerlens/companion/bimi"
	"headerlens/companion/mtasts"
	"headerlens/companion/smtpprobe"
)

// TestDecodeCompanionReport decodes what the companion itself marshals, so
// that a renamed JSON field on either side fails here.
func TestDecodeCompanionReport(t *testing.T) {
	rep := companion.MailTLSReport{
		Domain: "example.org",
		Hosts: []*companion.HostReport{
			{Host: "mx1.example.org", Probe: &smtpprobe.Result{StartTLSOffered: true,
				TLS: &smtpprobe.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ChainVerified: true, HostnameMatch: true}}},
			{Host: "mx2.example.org", Probe: &smtpprobe.Result{Error: &smtpprobe.Error{Step: "starttls", Kind: "no-starttls", Message: "not offered"}}},
			{Host: "mx3.example.org", Error: "no address"},
		},
		MTASTS: &companion.MTASTSReport{Mode: "testing",
			Fetch: &mtasts.FetchResult{URL: "https://mta-sts.example.org/.well-known/mta-sts.txt",
				Policy: &mtasts.Policy{Mode: "testing", MaxAge: 86400, MX: []string{"*.example.net"}}},
			MX: []companion.MXMatch{{Host: "mx1.example.org", Matches: false}}},
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mailtls.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Hosts) != 3 || got.Hosts[0].Host != "mx1.example.org" || !got.Hosts[0].Probe.StartTLSOffered ||
		got.Hosts[0].Probe.TLS.Version != "TLS 1.3" || !got.Hosts[0].Probe.TLS.ChainVerified || !got.Hosts[0].Probe.TLS.HostnameMatch {
		t.Errorf("host 1 = %+v", got.Hosts[0])
	}
	if e := got.Hosts[1].Probe.Error; e == nil || e.Step != "starttls" || e.Kind != "no-starttls" || e.Message != "not offered" {
		t.Errorf("host 2 probe error = %+v", e)
	}
	if got.Hosts[2].Error != "no address" {
		t.Errorf("host 3 error = %q", got.Hosts[2].Error)
	}
	m := got.MTASTS
	if m == nil || m.Mode != "testing" || m.Fetch == nil || m.Fetch.Policy == nil || m.Fetch.Policy.MaxAge != 86400 ||
		len(m.Fetch.Policy.MX) != 1 || len(m.MX) != 1 || m.MX[0].Host != "mx1.example.org" || m.MX[0].Matches {
		t.Errorf("MTA-STS = %+v", m)
	}
}

func TestDecodeRefuses(t *testing.T) {
	if _, err := mailtls.Decode([]byte(`{"hosts": 3}`)); err == nil {
		t.Error("Decode accepted hosts that are not a list")
	}
	big := append([]byte(`{"hosts":[],"x":"`), strings.Repeat("a", mailtls.MaxJSON)...)
	if _, err := mailtls.Decode(append(big, `"}`...)); err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("Decode of an answer over mailtls.MaxJSON: error %v, want the size refusal", err)
	}
}

// TestDecodeCompanionBIMI decodes what the companion marshals for GET
// /api/v1/bimi.
func TestDecodeCompanionBIMI(t *testing.T) {
	matches := false
	rep := companion.BIMIReport{
		Domain: "example.org",
		Record: "v=BIMI1; l=https://example.org/logo.svg; a=https://example.org/vmc.pem",
		Logo: &bimi.Logo{Fetch: bimi.Fetch{URL: "https://example.org/logo.svg", Status: 200, Bytes: 812},
			Problems: []string{"forbidden element <script>"}},
		Certificate: &bimi.Certificate{Fetch: bimi.Fetch{URL: "https://example.org/vmc.pem", Error: "HTTP status 404, want 200"},
			Subject: "CN=Example", NotAfter: "2027-01-01T00:00:00Z", Logotype: true, BIMIUsage: true, ChainVerified: true,
			LogoMatches: &matches, Problems: []string{"the leaf is not valid now"}},
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mailtls.DecodeBIMI(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Record != rep.Record || got.Logo == nil || got.Logo.URL != rep.Logo.URL || got.Logo.Status != 200 || got.Logo.Bytes != 812 ||
		got.Logo.Valid || len(got.Logo.Problems) != 1 {
		t.Errorf("logo = %+v", got.Logo)
	}
	c := got.Certificate
	if c == nil || c.Error != rep.Certificate.Error || c.Subject != "CN=Example" || c.NotAfter != "2027-01-01T00:00:00Z" ||
		!c.Logotype || !c.BIMIUsage || !c.ChainVerified || c.LogoMatches == nil || *c.LogoMatches || len(c.Problems) != 1 {
		t.Errorf("certificate = %+v", c)
	}
	if _, err := mailtls.DecodeBIMI([]byte(`{"logo": "x"}`)); err == nil {
		t.Error("DecodeBIMI accepted a logo that is not an object")
	}
}
