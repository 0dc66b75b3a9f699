package domaincheck

import (
	"context"
	"encoding/json"
	"fmt"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/mailtls"
)

// Companion asks a headerlens companion server about a domain's mail
// servers: STARTTLS on each MX (RFC 3207) and the MTA-STS policy fetched
// over HTTPS (RFC 8461 §3.3). headerlens/companion/client implements it;
// only the domain is sent. The answer is the companion's mail-tls report.
type Companion interface {
	MailTLS(ctx context.Context, domain string) (json.RawMessage, error)
}

// askCompanion decodes the companion's answer; err says why there is none.
func askCompanion(ctx context.Context, c Companion, d string) (*mailtls.Report, error) {
	raw, err := c.MailTLS(ctx, d)
	if err != nil {
		return nil, err
	}
	return mailtls.Decode(raw)
}

// applySTARTTLS fills the starttls check from the companion's probes.
func applySTARTTLS(c *CheckResult, m *mailtls.Report) {
	if len(m.Hosts) == 0 {
		c.Status, c.Reason = NotChecked, "the companion probed no MX host"
		return
	}
	for i, h := range m.Hosts {
		if i >= MaxMX {
			break
		}
		switch p := h.Probe; {
		case p == nil:
			c.add(finding.Error, "starttls-not-probed", "MX host "+h.Host+" could not be probed: "+h.Error)
		case p.Error != nil && p.TLS == nil && !p.StartTLSOffered:
			c.add(finding.Error, "starttls-probe-failed", "MX host "+h.Host+": the SMTP session failed at "+p.Error.Step+" ("+p.Error.Kind+").")
		case !p.StartTLSOffered:
			// RFC 3207 §4: STARTTLS is announced in the EHLO response.
			c.add(finding.Error, "starttls-not-offered", "MX host "+h.Host+" does not offer STARTTLS: mail to it travels in clear text (RFC 3207 §4).")
		case p.TLS == nil:
			c.add(finding.Error, "starttls-handshake-failed", "MX host "+h.Host+" offers STARTTLS but the TLS handshake failed (RFC 3207 §4).")
		default:
			c.Records = append(c.Records, clip(h.Host+": "+p.TLS.Version+" "+p.TLS.CipherSuite))
			if !p.TLS.ChainVerified || !p.TLS.HostnameMatch {
				// RFC 8461 §4.2 and RFC 7672 need a certificate valid for
				// the MX name; opportunistic TLS does not.
				c.add(finding.Warning, "starttls-certificate", "MX host "+h.Host+": the certificate does not verify for its name ("+p.TLS.ChainError+"); MTA-STS senders will refuse it (RFC 8461 §4.2).")
			}
		}
	}
}

// applyMTASTS fills the mtaSts check from the companion's policy fetch.
func applyMTASTS(c *CheckResult, m *mailtls.Report) {
	if m.MTASTS == nil || m.MTASTS.Fetch == nil {
		c.add(finding.Error, "mta-sts-policy-not-fetched", "The companion did not fetch the MTA-STS policy (RFC 8461 §3.3).")
		return
	}
	f := m.MTASTS.Fetch
	if f.Policy == nil {
		c.add(finding.Error, "mta-sts-policy-fetch", "The MTA-STS policy at "+f.URL+" could not be used: "+f.Error+" (RFC 8461 §3.3).")
		return
	}
	p := f.Policy
	c.Records = append(c.Records, clip(fmt.Sprintf("policy: mode=%s max_age=%d mx=%v", p.Mode, p.MaxAge, p.MX)))
	switch p.Mode {
	case "testing":
		c.add(finding.Warning, "mta-sts-testing", "The MTA-STS policy is in testing mode: senders report failures but still deliver without TLS (RFC 8461 §5).")
	case "none":
		c.add(finding.Warning, "mta-sts-none", "The MTA-STS policy mode is none: the domain has withdrawn MTA-STS (RFC 8461 §5).")
	}
	if p.MaxAge < 86400 {
		// RFC 8461 §3.2: max_age SHOULD be weeks or greater.
		c.add(finding.Warning, "mta-sts-short-max-age", fmt.Sprintf("max_age=%d is under a day; RFC 8461 §3.2 recommends weeks or more.", p.MaxAge))
	}
	for _, mx := range m.MTASTS.MX {
		if !mx.Matches {
			// RFC 8461 §4.1: an MX host must match one of the policy's mx
			// patterns; in enforce mode, delivery to it fails.
			c.add(finding.Error, "mta-sts-mx-mismatch", "MX host "+mx.Host+" matches none of the policy's mx patterns "+fmt.Sprint(p.MX)+" (RFC 8461 §4.1).")
		}
	}
}
