package companion

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"headerlens/analyzer/domaincheck"
	"headerlens/companion/bimi"
	"headerlens/lookup"
)

// BIMIReport is the answer of GET /api/v1/bimi?domain=: the BIMI record
// at default._bimi.<domain> and the checks of the logo and mark
// certificate it names (draft-brand-indicators-for-message-identification).
type BIMIReport struct {
	// Domain is the domain checked.
	Domain string `json:"domain"`
	// Record is the v=BIMI1 record found.
	Record string `json:"record,omitempty"`
	// RecordError explains a missing or duplicated record.
	RecordError string `json:"recordError,omitempty"`
	// Logo is the l= fetch and SVG Tiny PS check; nil without l=.
	Logo *bimi.Logo `json:"logo,omitempty"`
	// Certificate is the a= fetch and check; nil without a=.
	Certificate *bimi.Certificate `json:"certificate,omitempty"`
	// GeneratedAt is when the report was made.
	GeneratedAt time.Time `json:"generatedAt"`
}

// bimiCheck serves /api/v1/bimi. The logo and certificate are fetched
// under the same rules as the MTA-STS policy: HTTPS only, vetted
// addresses only, size and time caps, no redirects.
func (s *Server) bimiCheck(ctx context.Context, q map[string]string) (any, error) {
	d, err := NormalizeDomain(q["domain"])
	if err != nil {
		return nil, badRequest("invalid-domain", "domain: %v", err)
	}
	r := &BIMIReport{Domain: d}
	txts, err := s.cfg.Resolver.LookupTXT(ctx, "default._bimi."+d)
	var recs []string
	for _, t := range txts {
		if len(t) >= 7 && strings.EqualFold(t[:7], "v=BIMI1") {
			recs = append(recs, t)
		}
	}
	switch {
	case err != nil && !lookup.IsNotFound(err):
		r.RecordError = "TXT lookup failed: " + err.Error()
	case len(recs) == 0:
		r.RecordError = "no v=BIMI1 record at default._bimi." + d
	case len(recs) > 1:
		r.RecordError = "more than one v=BIMI1 record"
	}
	if r.RecordError != "" {
		r.GeneratedAt = s.cfg.Now().UTC()
		return r, nil
	}
	r.Record = recs[0]
	f := &bimi.Fetcher{
		Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return s.cfg.Resolver.LookupNetIP(ctx, "ip", host)
		},
		Check:    s.policy.Check,
		Dialer:   s.policy.Dialer(),
		Roots:    s.roots,
		VMCRoots: s.marks,
		Port:     s.dialPort(443),
		Timeout:  s.cfg.StepTimeout,
	}
	// The two fetches are independent.
	var wg sync.WaitGroup
	if l := domaincheck.TagValue(r.Record, "l"); l != "" {
		wg.Go(func() { r.Logo = f.FetchLogo(ctx, l) })
	}
	if a := domaincheck.TagValue(r.Record, "a"); a != "" {
		wg.Go(func() { r.Certificate = f.FetchCertificate(ctx, a, s.cfg.Now()) })
	}
	wg.Wait()
	r.Certificate.CompareLogo(r.Logo)
	r.GeneratedAt = s.cfg.Now().UTC()
	return r, nil
}
