package domaincheck

import (
	"context"
	"fmt"
	"strings"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/mailtls"
	"headerlens/internal/jsonx"
)

// Companion asks a headerlens companion server what a browser cannot
// learn: STARTTLS on each MX (RFC 3207), the MTA-STS policy fetched over
// HTTPS (RFC 8461 §3.3), and the BIMI logo and mark certificate.
// headerlens/companion/client implements it; only the domain is sent.
type Companion interface {
	// MailTLS returns the companion's mail-tls report (GET
	// /api/v1/mail-tls).
	MailTLS(ctx context.Context, domain string) (jsonx.RawMessage, error)
	// BIMI returns the companion's BIMI report (GET /api/v1/bimi).
	BIMI(ctx context.Context, domain string) (jsonx.RawMessage, error)
}

// askCompanion decodes the companion's answer; err says why there is none.
func askCompanion(ctx context.Context, c Companion, d string) (*mailtls.Report, error) {
	raw, err := c.MailTLS(ctx, d)
	if err != nil {
		return nil, err
	}
	return mailtls.Decode(raw)
}

// askCompanionBIMI decodes the companion's BIMI answer.
func askCompanionBIMI(ctx context.Context, c Companion, d string) (*mailtls.BIMI, error) {
	raw, err := c.BIMI(ctx, d)
	if err != nil {
		return nil, err
	}
	return mailtls.DecodeBIMI(raw)
}

// applyBIMI adds to the bimi check what the companion found fetching the
// logo (l=) and the mark certificate (a=).
func applyBIMI(c *CheckResult, b *mailtls.BIMI) {
	if l := b.Logo; l != nil && !c.has("bimi-logo-not-https") {
		switch {
		case l.Error != "":
			c.add(finding.Error, "bimi-logo-fetch", "The logo at "+clip(l.URL)+" could not be fetched: "+l.Error+".")
		case len(l.Problems) > 0:
			// The SVG Tiny Portable/Secure profile
			// (draft-svg-tiny-ps-abrotman §2) is the only format
			// receivers display.
			c.add(finding.Error, "bimi-logo-svg", "The logo breaks the SVG Tiny PS profile (draft-svg-tiny-ps-abrotman §2): "+clip(strings.Join(l.Problems, "; "))+".")
		default:
			c.Records = append(c.Records, clip(fmt.Sprintf("logo: %s (%d bytes, SVG Tiny PS)", l.URL, l.Bytes)))
		}
	}
	a := b.Certificate
	if a == nil {
		return
	}
	if a.Error != "" {
		c.add(finding.Error, "bimi-vmc-fetch", "The mark certificate at "+clip(a.URL)+" could not be fetched: "+a.Error+".")
		return
	}
	if a.Subject != "" {
		c.Records = append(c.Records, clip("certificate: "+a.Subject+", valid until "+a.NotAfter))
	}
	for _, p := range a.Problems {
		switch {
		case strings.HasPrefix(p, "the chain was not verified"):
			// No mark roots configured: content checked, chain not.
			c.add(finding.Info, "bimi-vmc-not-verified", "The mark certificate's chain was not verified: the companion has no mark certificate roots (--mark-roots-file).")
		case strings.Contains(p, "logotype") && strings.Contains(p, "not the image"):
			c.add(finding.Error, "bimi-vmc-logo-mismatch", "The logo at l= is not the image embedded in the mark certificate's logotype extension (RFC 3709 §4.1); receivers show neither.")
		default:
			// RFC 3709 logotype, the BIMI extended key usage, validity
			// and the chain: a receiver refuses the mark otherwise.
			c.add(finding.Error, "bimi-vmc", "Mark certificate: "+clip(p)+".")
		}
	}
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
		case !p.StartTLSOffered && (p.Error == nil || p.Error.Kind == "no-starttls"):
			// RFC 3207 §4: STARTTLS is announced in the EHLO response.
			c.add(finding.Error, "starttls-not-offered", "MX host "+h.Host+" does not offer STARTTLS: mail to it travels in clear text (RFC 3207 §4).")
		case p.Error != nil && p.TLS == nil && !p.StartTLSOffered:
			c.add(finding.Error, "starttls-probe-failed", "MX host "+h.Host+": the SMTP session failed at "+p.Error.Step+" ("+p.Error.Kind+").")
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
