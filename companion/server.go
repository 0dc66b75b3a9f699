package companion

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"headerlens/companion/safenet"
)

// Server is the companion's http.Handler. It serves /api/v1/mail-tls,
// /api/v1/smtp-tls, /api/v1/mta-sts, /api/v1/bimi and /healthz.
type Server struct {
	cfg     Config
	log     *slog.Logger
	policy  safenet.Policy
	roots   *x509.CertPool
	marks   *x509.CertPool // BIMI mark certificate roots; nil: none
	limit   *limiter
	sem     chan struct{}
	mux     *http.ServeMux
	origins map[string]bool
	anyOrig bool
	hosts   map[string]bool // AllowedHosts, normalised; empty allows any
}

// queueWait is how long a request waits for a free slot before 503.
const queueWait = 5 * time.Second

// New validates cfg (after filling zero fields with defaults) and returns a
// Server.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "companion"),
		roots:   cfg.RootCAs,
		marks:   cfg.MarkRoots,
		limit:   newLimiter(cfg.RatePerClient, cfg.RateBurst, cfg.GlobalRate, cfg.GlobalBurst),
		sem:     make(chan struct{}, cfg.MaxConcurrent),
		mux:     http.NewServeMux(),
		origins: map[string]bool{},
		hosts:   map[string]bool{},
	}
	for _, h := range cfg.AllowedHosts {
		n, _ := normalizeAllowedHost(h) // checked by validate
		s.hosts[n] = true
	}
	if cfg.RootCAFile != "" {
		pem, err := os.ReadFile(cfg.RootCAFile)
		if err != nil {
			return nil, fmt.Errorf("companion: root CA file: %w", err)
		}
		s.roots = x509.NewCertPool()
		if !s.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("companion: no certificates in %s", cfg.RootCAFile)
		}
	}
	if cfg.MarkRootsFile != "" && s.marks == nil {
		pem, err := os.ReadFile(cfg.MarkRootsFile)
		if err != nil {
			return nil, fmt.Errorf("companion: mark roots file: %w", err)
		}
		s.marks = x509.NewCertPool()
		if !s.marks.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("companion: no certificates in %s", cfg.MarkRootsFile)
		}
	}
	// Only the allowed ports, after mapping, may ever be connected to.
	ports := map[int]bool{}
	for _, p := range append([]int{443}, SMTPPorts...) {
		ports[s.dialPort(p)] = true
	}
	s.policy = safenet.Policy{AllowPrivate: cfg.UnsafeAllowPrivateTargets, Ports: ports}
	for _, o := range cfg.AllowOrigins {
		if o == "*" {
			s.anyOrig = true
		}
		s.origins[strings.TrimSuffix(o, "/")] = true
	}
	for _, w := range cfg.Warnings() {
		s.log.Warn(w)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /api/v1/mail-tls", s.api("mail-tls", s.mailTLS))
	s.mux.Handle("GET /api/v1/smtp-tls", s.api("smtp-tls", s.smtpTLS))
	s.mux.Handle("GET /api/v1/mta-sts", s.api("mta-sts", s.mtaSTS))
	s.mux.Handle("GET /api/v1/bimi", s.api("bimi", s.bimiCheck))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/") && (r.URL.Path == "/api/v1/mail-tls" || r.URL.Path == "/api/v1/smtp-tls" || r.URL.Path == "/api/v1/mta-sts" || r.URL.Path == "/api/v1/bimi") {
			if r.Method == http.MethodOptions {
				s.preflight(w, r)
				return
			}
			w.Header().Set("Allow", "GET, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, "method-not-allowed", "only GET is supported")
			return
		}
		writeError(w, http.StatusNotFound, "not-found", "no such endpoint")
	})
	return s, nil
}

// ServeHTTP implements http.Handler. With Config.AllowedHosts set, a
// request whose Host header names another host is refused with 403
// forbidden-host before anything else: a page whose name has been rebound
// to the companion's address cannot use it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(s.hosts) > 0 && !s.hostAllowed(r.Host) {
		writeError(w, http.StatusForbidden, "forbidden-host", "Host not allowed")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// hostAllowed reports whether the Host header value (RFC 9110 §7.2:
// uri-host [ ":" port ]) names one of the allowed hosts, on any port.
func (s *Server) hostAllowed(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	n, err := normalizeAllowedHost(h)
	return err == nil && s.hosts[n]
}

func (s *Server) dialPort(p int) int {
	if m, ok := s.cfg.UnsafeSMTPPortMap[p]; ok {
		return m
	}
	return p
}

// APIError is the JSON body of every error response.
type APIError struct {
	// Error is a human-readable message.
	Error string `json:"error"`
	// Code is a stable machine-readable code, e.g. "invalid-domain".
	Code string `json:"code"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, APIError{Error: msg, Code: code})
}

// HealthStatus is the body of /healthz.
type HealthStatus struct {
	// Status is "ok".
	Status string `json:"status"`
	// InFlight is the number of API requests being worked on.
	InFlight int `json:"inFlight"`
	// MaxConcurrent is the configured cap.
	MaxConcurrent int `json:"maxConcurrent"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, HealthStatus{Status: "ok", InFlight: len(s.sem), MaxConcurrent: cap(s.sem)})
}

// cors applies the origin policy. It returns false (having answered 403
// forbidden-origin) when the request carries an Origin that is not
// allowed, or when the browser says it comes from another site (Fetch
// Metadata, Sec-Fetch-Site "cross-site" or "same-site") without an allowed
// Origin: a no-cors GET (an <img> or a <script> on any page) that would
// otherwise make a browser next to a loopback companion start probes.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	allowed := origin != "" && (s.anyOrig || s.origins[origin])
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Sec-Fetch-Site"))) {
	case "cross-site", "same-site":
		if !allowed {
			writeError(w, http.StatusForbidden, "forbidden-origin", "cross-site request from an origin not allowed")
			return false
		}
	}
	if origin == "" {
		return true // not a cross-origin browser request
	}
	if !allowed {
		writeError(w, http.StatusForbidden, "forbidden-origin", "origin not allowed")
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	return true
}

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	if !s.cors(w, r) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// clientAddr returns the address the rate limiter charges.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	a := ap.Addr().Unmap()
	if s.cfg.TrustProxyHeaders && a.IsLoopback() {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			// The rightmost entry is the one our own proxy added.
			if p, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return p.Unmap()
			}
		}
	}
	return a
}

// httpError is returned by handlers to answer with an error status.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(code, format string, a ...any) *httpError {
	return &httpError{http.StatusBadRequest, code, fmt.Sprintf(format, a...)}
}

// api wraps a handler with CORS, rate limiting, the concurrency cap, the
// request deadline and logging.
func (s *Server) api(name string, h func(ctx context.Context, q map[string]string) (any, error)) http.Handler {
	params := map[string][]string{
		"mail-tls": {"domain"},
		"smtp-tls": {"host", "port"},
		"mta-sts":  {"domain"},
		"bimi":     {"domain"},
	}[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := http.StatusOK
		client := s.clientAddr(r)
		q := map[string]string{}
		defer func() {
			// Only names from the query are logged; never headers or bodies.
			s.log.Info("request", "endpoint", name, "client", client.String(), "query", q, "status", status, "durationMs", time.Since(start).Milliseconds())
		}()
		if !s.cors(w, r) {
			status = http.StatusForbidden
			return
		}
		if ok, wait := s.limit.allow(client, s.cfg.Now()); !ok {
			status = http.StatusTooManyRequests
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, status, "rate-limited", fmt.Sprintf("too many requests; retry after %d s", secs))
			return
		}
		// Strict query: only the expected parameters, each at most once.
		vals := r.URL.Query()
		if len(r.URL.RawQuery) > 1024 {
			status = http.StatusBadRequest
			writeError(w, status, "bad-request", "query too long")
			return
		}
		for k, v := range vals {
			known := false
			for _, p := range params {
				known = known || k == p
			}
			if !known || len(v) != 1 {
				status = http.StatusBadRequest
				writeError(w, status, "bad-request", fmt.Sprintf("unexpected or repeated parameter %q", k))
				return
			}
			q[k] = v[0]
		}
		timer := time.NewTimer(queueWait)
		select {
		case s.sem <- struct{}{}:
			timer.Stop()
		case <-timer.C:
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "5")
			writeError(w, status, "busy", "the companion is busy; retry later")
			return
		case <-r.Context().Done():
			status = 499
			return
		}
		defer func() { <-s.sem }()
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		v, err := h(ctx, q)
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) {
				he = &httpError{http.StatusInternalServerError, "internal", "internal error"}
				s.log.Error("handler failed", "endpoint", name, "err", err)
			}
			status = he.status
			writeError(w, status, he.code, he.msg)
			return
		}
		writeJSON(w, status, v)
	})
}

// NormalizeDomain validates a domain name from a request and returns it in
// lower-case ASCII (A-label) form without a trailing dot.
//
// RFC 1035 §2.3.4 and RFC 5321 §4.5.3.1.2: at most 253 octets in text form,
// labels of 1..63 octets; labels are letters, digits and hyphens
// (RFC 1123 §2.1), not starting or ending with a hyphen; internationalised
// names are converted with IDNA2008 (RFC 5891). At least two labels are
// required and the top-level label must not be all-numeric (RFC 3696 §2), so
// "localhost" and address-like names are refused.
func NormalizeDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty domain")
	}
	if len(s) > 1000 {
		return "", errors.New("domain too long")
	}
	if !utf8.ValidString(s) {
		return "", errors.New("domain is not valid UTF-8")
	}
	s = strings.TrimSuffix(s, ".")
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", fmt.Errorf("invalid domain: %v", err)
	}
	a = strings.ToLower(a)
	// RFC 5891 §5.4: the A-labels produced must themselves be valid.
	if again, err := idna.Lookup.ToASCII(a); err != nil || again != a {
		return "", errors.New("invalid internationalised domain")
	}
	if len(a) > 253 {
		return "", errors.New("domain longer than 253 characters")
	}
	labels := strings.Split(a, ".")
	if len(labels) < 2 {
		return "", errors.New("domain must have at least two labels")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", errors.New("domain has an empty or over-long label")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", errors.New("label starts or ends with a hyphen")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("invalid character %q in domain", c)
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", errors.New("top-level label is numeric")
	}
	return a, nil
}

// parseHost accepts a domain name or an IP address literal (optionally in
// brackets).
func parseHost(s string) (name string, addr netip.Addr, err error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		t = t[1 : len(t)-1]
	}
	if a, perr := netip.ParseAddr(t); perr == nil {
		return "", a, nil
	}
	if ip := net.ParseIP(t); ip != nil { // other textual forms
		a, _ := netip.AddrFromSlice(ip)
		return "", a, nil
	}
	n, err := NormalizeDomain(s)
	return n, netip.Addr{}, err
}
