package companion

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"headerlens/companion/dane"
	"headerlens/companion/mtasts"
	"headerlens/companion/safenet"
	"headerlens/companion/smtpprobe"
	"headerlens/companion/tlsrpt"
	"headerlens/dnswire"
	"headerlens/lookup"
)

// AddrInfo is one resolved address of a host and whether it may be probed.
type AddrInfo struct {
	// Address is the IP address.
	Address string `json:"address"`
	// Refused names the address class when the safety policy refused it.
	Refused string `json:"refused,omitempty"`
}

// HostReport is the result for one SMTP server host.
type HostReport struct {
	// Host is the host name (MX target), or the address literal asked for.
	Host string `json:"host"`
	// Preference is the MX preference (mail-tls only).
	Preference uint16 `json:"preference"`
	// Port is the port probed (before any test-only mapping).
	Port int `json:"port"`
	// Addresses are all resolved addresses with their policy verdict.
	Addresses []AddrInfo `json:"addresses"`
	// Probe is the SMTP/TLS probe of the first allowed address.
	Probe *smtpprobe.Result `json:"probe,omitempty"`
	// DANE is the TLSA check for _<port>._tcp.<host>.
	DANE *dane.Result `json:"dane,omitempty"`
	// DANEError describes a failed TLSA lookup.
	DANEError string `json:"daneError,omitempty"`
	// MTASTSMatch tells whether the host matches the domain's MTA-STS
	// policy (mail-tls only; absent without a valid policy).
	MTASTSMatch *bool `json:"mtaStsMatch,omitempty"`
	// ErrorKind is "blocked", "dns-error", "not-found" or "" .
	ErrorKind string `json:"errorKind,omitempty"`
	// Error explains why the host was not probed.
	Error string `json:"error,omitempty"`
}

// MTASTSReport is the MTA-STS state of a domain (RFC 8461).
type MTASTSReport struct {
	// Domain is the policy domain.
	Domain string `json:"domain"`
	// TXT are the TXT strings found at _mta-sts.<domain>.
	TXT []string `json:"txt"`
	// Record is the selected, parsed record.
	Record *mtasts.Record `json:"record,omitempty"`
	// RecordError explains a missing or invalid record.
	RecordError string `json:"recordError,omitempty"`
	// Fetch is the policy fetch (attempted whenever a record exists, or
	// none exists but the policy host answers).
	Fetch *mtasts.FetchResult `json:"fetch,omitempty"`
	// MX lists each MX host and whether the policy allows it.
	MX []MXMatch `json:"mx,omitempty"`
	// Valid reports a valid record and a valid policy: the domain has
	// MTA-STS (RFC 8461 §3).
	Valid bool `json:"valid"`
	// Mode is the policy mode when valid.
	Mode mtasts.Mode `json:"mode,omitempty"`
}

// MXMatch tells whether one MX host matches the policy.
type MXMatch struct {
	// Host is the MX host name.
	Host string `json:"host"`
	// Matches reports a match with one of the policy's mx patterns.
	Matches bool `json:"matches"`
}

// TLSRPTReport is the TLS-RPT state of a domain (RFC 8460).
type TLSRPTReport struct {
	// Name is _smtp._tls.<domain>.
	Name string `json:"name"`
	// TXT are the TXT strings found.
	TXT []string `json:"txt"`
	// Record is the parsed record when valid.
	Record *tlsrpt.Record `json:"record,omitempty"`
	// Error explains a missing or invalid record.
	Error string `json:"error,omitempty"`
	// Valid reports a single valid record.
	Valid bool `json:"valid"`
}

// MailTLSReport is the body of /api/v1/mail-tls.
type MailTLSReport struct {
	// Domain is the normalised domain.
	Domain string `json:"domain"`
	// NullMX reports a RFC 7505 null MX: the domain accepts no mail.
	NullMX bool `json:"nullMx"`
	// ImplicitMX reports that the domain has no MX records and its own
	// address is used (RFC 5321 §5.1).
	ImplicitMX bool `json:"implicitMx"`
	// MXError explains a failed MX lookup.
	MXError string `json:"mxError,omitempty"`
	// MXTruncated is the number of MX hosts not probed beyond the cap.
	MXTruncated int `json:"mxTruncated,omitempty"`
	// Hosts are the MX hosts in preference order, each probed on port 25.
	Hosts []*HostReport `json:"hosts"`
	// MTASTS is the MTA-STS state.
	MTASTS *MTASTSReport `json:"mtaSts"`
	// TLSRPT is the TLS-RPT state.
	TLSRPT *TLSRPTReport `json:"tlsRpt"`
	// GeneratedAt is when the report was produced.
	GeneratedAt time.Time `json:"generatedAt"`
	// DurationMs is how long the checks took.
	DurationMs float64 `json:"durationMs"`
}

// SMTPTLSReport is the body of /api/v1/smtp-tls.
type SMTPTLSReport struct {
	HostReport
	// GeneratedAt is when the report was produced.
	GeneratedAt time.Time `json:"generatedAt"`
	// DurationMs is how long the checks took.
	DurationMs float64 `json:"durationMs"`
}

func (s *Server) mailTLS(ctx context.Context, q map[string]string) (any, error) {
	d, err := NormalizeDomain(q["domain"])
	if err != nil {
		return nil, badRequest("invalid-domain", "domain: %v", err)
	}
	start := time.Now()
	rep := &MailTLSReport{Domain: d, Hosts: []*HostReport{}, GeneratedAt: s.cfg.Now().UTC()}
	var wg sync.WaitGroup
	wg.Go(func() { rep.TLSRPT = s.checkTLSRPT(ctx, d) })
	mxs, mxErr := s.cfg.Resolver.LookupMX(ctx, d)
	var hosts []*HostReport
	switch {
	case mxErr != nil && lookup.IsNotFound(mxErr):
		// RFC 5321 §5.1: no MX records: the domain itself is the
		// implicit MX, with preference 0.
		rep.ImplicitMX = true
		hosts = []*HostReport{{Host: d, Port: 25}}
	case mxErr != nil:
		rep.MXError = dnsErrText(mxErr)
	case len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == ""):
		// RFC 7505 §3: a single MX of "." says no mail is accepted.
		rep.NullMX = true
	default:
		seen := map[string]bool{}
		slices.SortStableFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
		for _, mx := range mxs {
			h := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
			if seen[h] {
				continue
			}
			seen[h] = true
			if len(hosts) == s.cfg.MaxMX {
				rep.MXTruncated++
				continue
			}
			hosts = append(hosts, &HostReport{Host: h, Preference: mx.Pref, Port: 25})
		}
	}
	rep.Hosts = hosts
	var names []string
	for _, h := range hosts {
		names = append(names, h.Host)
	}
	wg.Go(func() { rep.MTASTS = s.checkMTASTS(ctx, d, names, mxErr == nil || rep.ImplicitMX) })
	for _, h := range hosts {
		wg.Go(func() { s.probeHost(ctx, h, h.Host, netip.Addr{}) })
	}
	wg.Wait()
	if rep.MTASTS.Valid && rep.MTASTS.Fetch != nil && rep.MTASTS.Fetch.Policy != nil {
		for _, h := range hosts {
			m := rep.MTASTS.Fetch.Policy.Matches(h.Host)
			h.MTASTSMatch = &m
		}
	}
	rep.DurationMs = float64(time.Since(start).Microseconds()) / 1000
	return rep, nil
}

func (s *Server) smtpTLS(ctx context.Context, q map[string]string) (any, error) {
	name, addr, err := parseHost(q["host"])
	if err != nil {
		return nil, badRequest("invalid-host", "host: %v", err)
	}
	port, err := strconv.Atoi(q["port"])
	if q["port"] == "" {
		port, err = 25, nil
	}
	if err != nil || !slices.Contains(SMTPPorts, port) {
		return nil, badRequest("invalid-port", "port must be 25, 465 or 587")
	}
	start := time.Now()
	rep := &SMTPTLSReport{HostReport: HostReport{Host: name, Port: port}, GeneratedAt: s.cfg.Now().UTC()}
	if addr.IsValid() {
		rep.Host = addr.String()
		if err := s.policy.Check(addr); err != nil {
			return nil, &httpError{http.StatusForbidden, "target-refused", err.Error()}
		}
	}
	s.probeHost(ctx, &rep.HostReport, name, addr)
	rep.DurationMs = float64(time.Since(start).Microseconds()) / 1000
	switch rep.ErrorKind {
	case "blocked":
		return nil, &httpError{http.StatusForbidden, "target-refused", rep.Error}
	case "not-found":
		return nil, &httpError{http.StatusUnprocessableEntity, "host-not-found", rep.Error}
	case "dns-error":
		return nil, &httpError{http.StatusBadGateway, "dns-error", rep.Error}
	}
	return rep, nil
}

// MTASTSOnlyReport is the body of /api/v1/mta-sts.
type MTASTSOnlyReport struct {
	MTASTSReport
	// GeneratedAt is when the report was produced.
	GeneratedAt time.Time `json:"generatedAt"`
}

func (s *Server) mtaSTS(ctx context.Context, q map[string]string) (any, error) {
	d, err := NormalizeDomain(q["domain"])
	if err != nil {
		return nil, badRequest("invalid-domain", "domain: %v", err)
	}
	var names []string
	mxs, mxErr := s.cfg.Resolver.LookupMX(ctx, d)
	for _, mx := range mxs {
		if h := strings.ToLower(strings.TrimSuffix(mx.Host, ".")); h != "" && !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	r := s.checkMTASTS(ctx, d, names, mxErr == nil)
	return &MTASTSOnlyReport{MTASTSReport: *r, GeneratedAt: s.cfg.Now().UTC()}, nil
}

// resolve returns the vetted addresses of host, all addresses with their
// verdicts, and an error kind when none may be used.
func (s *Server) resolve(ctx context.Context, host string) ([]netip.Addr, []AddrInfo, string, error) {
	addrs, err := s.cfg.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		if lookup.IsNotFound(err) {
			return nil, nil, "not-found", fmt.Errorf("%s has no address records", host)
		}
		return nil, nil, "dns-error", errors.New(dnsErrText(err))
	}
	var ok []netip.Addr
	infos := []AddrInfo{}
	var firstRefusal error
	for _, a := range addrs {
		info := AddrInfo{Address: a.String()}
		if err := s.policy.Check(a); err != nil {
			info.Refused = err.(*safenet.RefusedError).Reason
			if firstRefusal == nil {
				firstRefusal = err
			}
		} else {
			ok = append(ok, a.Unmap())
		}
		infos = append(infos, info)
	}
	if len(ok) == 0 {
		if firstRefusal == nil {
			return nil, infos, "not-found", fmt.Errorf("%s has no address records", host)
		}
		return nil, infos, "blocked", firstRefusal
	}
	return ok, infos, "", nil
}

// probeHost fills h: addresses, probe, DANE. name is the host name (""
// when addr is a literal).
func (s *Server) probeHost(ctx context.Context, h *HostReport, name string, addr netip.Addr) {
	var targets []netip.Addr
	if addr.IsValid() {
		targets = []netip.Addr{addr.Unmap()}
		h.Addresses = []AddrInfo{{Address: addr.String()}}
	} else {
		var kind string
		var err error
		targets, h.Addresses, kind, err = s.resolve(ctx, name)
		if err != nil {
			h.ErrorKind, h.Error = kind, err.Error()
			s.log.Info("probe target refused or unresolved", "host", name, "kind", kind, "err", err.Error())
			return
		}
	}
	var tlsa func() ([]*dnswire.TLSA, bool, error)
	var wg sync.WaitGroup
	var recs []*dnswire.TLSA
	var ad bool
	var terr error
	if name != "" {
		tlsa = func() ([]*dnswire.TLSA, bool, error) {
			return s.cfg.Resolver.LookupTLSA(ctx, dane.Name(name, h.Port))
		}
		wg.Go(func() { recs, ad, terr = tlsa() })
	}
	mode := smtpprobe.ModeSTARTTLS
	if h.Port == 465 {
		mode = smtpprobe.ModeImplicitTLS
	}
	h.Probe = smtpprobe.Probe(ctx, smtpprobe.Options{
		Host:        name,
		Addr:        netip.AddrPortFrom(targets[0], uint16(s.dialPort(h.Port))),
		Mode:        mode,
		Dialer:      s.policy.Dialer(),
		HeloName:    s.cfg.HeloName,
		Roots:       s.roots,
		StepTimeout: s.cfg.StepTimeout,
		Now:         s.cfg.Now,
	})
	if s.dialPort(h.Port) != h.Port {
		// Report the public address:port, not the test-only mapping.
		h.Probe.Address = netip.AddrPortFrom(targets[0], uint16(h.Port)).String()
	}
	wg.Wait()
	if name != "" {
		switch {
		case terr != nil && lookup.IsNotFound(terr):
			h.DANE = dane.Check(ctx, dane.Name(name, h.Port), nil, ad, nil, name, s.cfg.Now())
		case terr != nil:
			h.DANEError = dnsErrText(terr)
		default:
			h.DANE = dane.Check(ctx, dane.Name(name, h.Port), recs, ad, h.Probe.PeerCertificates, name, s.cfg.Now())
		}
	}
	s.log.Info("probed", "host", name, "address", h.Probe.Address, "port", h.Port, "ok", h.Probe.Error == nil)
}

func (s *Server) checkTLSRPT(ctx context.Context, d string) *TLSRPTReport {
	// RFC 8460 §3: the record lives at _smtp._tls.<domain>.
	r := &TLSRPTReport{Name: "_smtp._tls." + d, TXT: []string{}}
	txts, err := s.cfg.Resolver.LookupTXT(ctx, r.Name)
	if err != nil {
		if lookup.IsNotFound(err) {
			r.Error = "no TLS-RPT record"
		} else {
			r.Error = dnsErrText(err)
		}
		return r
	}
	r.TXT = txts
	rec, err := tlsrpt.Select(txts)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Record, r.Valid = rec, true
	return r
}

func (s *Server) checkMTASTS(ctx context.Context, d string, mx []string, mxKnown bool) *MTASTSReport {
	r := &MTASTSReport{Domain: d, TXT: []string{}}
	// RFC 8461 §3.1: the TXT record at _mta-sts.<domain>.
	txts, err := s.cfg.Resolver.LookupTXT(ctx, "_mta-sts."+d)
	switch {
	case err != nil && lookup.IsNotFound(err):
		r.RecordError = "no _mta-sts TXT record"
	case err != nil:
		r.RecordError = dnsErrText(err)
	default:
		r.TXT = txts
		r.Record, err = mtasts.SelectRecord(txts)
		if err != nil {
			r.RecordError = err.Error()
		}
	}
	if r.Record == nil {
		// RFC 8461 §3.3: without a valid record the policy is not
		// fetched; a sender treats the domain as having none.
		return r
	}
	f := &mtasts.Fetcher{
		Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return s.cfg.Resolver.LookupNetIP(ctx, "ip", host)
		},
		Check:   s.policy.Check,
		Dialer:  s.policy.Dialer(),
		Roots:   s.roots,
		Port:    s.dialPort(443),
		Timeout: s.cfg.StepTimeout,
	}
	r.Fetch = f.Fetch(ctx, d)
	if r.Fetch.Policy == nil {
		return r
	}
	r.Valid, r.Mode = true, r.Fetch.Policy.Mode
	if mxKnown {
		r.MX = []MXMatch{}
		for _, h := range mx {
			r.MX = append(r.MX, MXMatch{Host: h, Matches: r.Fetch.Policy.Matches(h)})
		}
	}
	return r
}

func dnsErrText(err error) string {
	var de *net.DNSError
	switch {
	case lookup.IsNotFound(err):
		return "not found"
	case errors.As(err, &de) && de.IsTimeout:
		return "DNS timeout"
	case lookup.IsTempFail(err):
		return "temporary DNS failure: " + err.Error()
	}
	return "DNS error: " + err.Error()
}
