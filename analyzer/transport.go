package analyzer

import (
	"context"
	"strings"
	"sync"

	"headerlens/analyzer/address"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/message"
	"headerlens/internal/jsonx"
)

// TransportChecker asks a companion server about the transport security of
// a domain's mail servers: STARTTLS (RFC 3207) on each MX, MTA-STS
// (RFC 8461), TLS-RPT (RFC 8460) and DANE (RFC 7672). A browser cannot
// open SMTP connections, so this is the one check the analyzer delegates.
// headerlens/companion/client implements it; only the domain is sent.
type TransportChecker interface {
	MailTLS(ctx context.Context, domain string) (jsonx.RawMessage, error)
}

// TransportCheck is the companion's answer about one domain.
type TransportCheck struct {
	// Domain is the domain checked.
	Domain string `json:"domain"`
	// Roles says why it was checked: "from" (the author's domain) and/or
	// "recipient" (a To or Cc domain).
	Roles []string `json:"roles"`
	// Result is the companion's mail-tls report (companion.MailTLSReport).
	Result jsonx.RawMessage `json:"result,omitempty"`
	// Error says why there is no result.
	Error string `json:"error,omitempty"`
}

// maxTransportDomains bounds the domains sent to the companion per
// message.
const maxTransportDomains = 4

// transportTargets lists the From domain and the recipient (To and Cc)
// domains, each once, at most maxTransportDomains.
func transportTargets(msg *message.Message) []TransportCheck {
	var out []TransportCheck
	// domain is address.Domain's: lower case, no final dot. An address
	// literal (RFC 5321 §4.1.3) names no domain to ask about.
	add := func(domain, role string) {
		if domain == "" || strings.HasPrefix(domain, "[") || strings.ContainsAny(domain, " \t<>\"") {
			return
		}
		for i := range out {
			if out[i].Domain == domain {
				for _, r := range out[i].Roles {
					if r == role {
						return
					}
				}
				out[i].Roles = append(out[i].Roles, role)
				return
			}
		}
		if len(out) < maxTransportDomains {
			out = append(out, TransportCheck{Domain: domain, Roles: []string{role}})
		}
	}
	// The From domain is the one DMARC evaluates and the summary shows
	// (summary.fromDomain): the first address of the first From field
	// (RFC 7489 §6.6.1). The page checks the same list, fromDomain then
	// summary.recipientDomains, so both ask the companion about the same
	// domains.
	if v, ok := msg.First("From"); ok {
		if addrs := address.ParseList(v); len(addrs) > 0 {
			add(address.Domain(addrs[0].Address), "from")
		}
	}
	for _, name := range []string{"To", "Cc"} {
		for _, f := range msg.Get(name) {
			for _, a := range address.ParseList(f.Value) {
				add(address.Domain(a.Address), "recipient")
			}
		}
	}
	return out
}

// checkTransport asks the companion about each target concurrently.
func checkTransport(ctx context.Context, tc TransportChecker, targets []TransportCheck) {
	var wg sync.WaitGroup
	for i := range targets {
		t := &targets[i]
		guard.Go(&wg, func() {
			res, err := tc.MailTLS(ctx, t.Domain)
			if err != nil {
				t.Error = err.Error()
				return
			}
			t.Result = res
		}, func(err error) { t.Error = err.Error() })
	}
	wg.Wait()
}
