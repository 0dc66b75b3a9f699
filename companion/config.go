// Package companion is the optional server half of headerlens: the checks a
// browser cannot make, behind a small JSON HTTP API.
//
// It probes SMTP servers for STARTTLS (RFC 3207) and implicit TLS
// (RFC 8314 §3.3), reads MTA-STS records and policies (RFC 8461), TLS-RPT
// records (RFC 8460) and DANE TLSA records (RFC 7672, RFC 6698), and reports
// on them. It is built never to become an open proxy or port scanner: only
// ports 25, 465 and 587, only globally reachable unicast addresses (see
// companion/safenet), rate limits per client and overall, a concurrency cap,
// deadlines on every step and bounded reads. Requests carry host and domain
// names only; message headers are never accepted or logged.
//
// Routes: GET /api/v1/mail-tls?domain=D, GET /api/v1/smtp-tls?host=H&port=P,
// GET /api/v1/mta-sts?domain=D, GET /healthz.
package companion

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"headerlens/dnswire"
)

// Resolver is the DNS the companion needs. headerlens/dohresolver's
// *Resolver satisfies it. Errors follow headerlens/lookup: a
// *net.DNSError with IsNotFound for NXDOMAIN/NODATA.
type Resolver interface {
	// LookupTXT returns the TXT records at name, strings of each record
	// concatenated.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupNetIP returns addresses of host; network is "ip", "ip4", "ip6".
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	// LookupMX returns the MX records of name, sorted by preference.
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	// LookupTLSA returns the TLSA records at name and the AD bit of the
	// response (RFC 4035 §3.2.3).
	LookupTLSA(ctx context.Context, name string) ([]*dnswire.TLSA, bool, error)
}

// SMTPPorts are the only ports the companion will probe: 25 (SMTP relay,
// RFC 5321), 465 (submission over implicit TLS, RFC 8314 §3.3) and 587
// (submission, RFC 6409).
var SMTPPorts = []int{25, 465, 587}

// Config configures a Server. RegisterFlags fills it from command-line flags
// and environment variables; New validates it.
type Config struct {
	// Resolver answers every DNS question. Required.
	Resolver Resolver
	// AllowOrigins are the origins (scheme://host[:port]) allowed to call
	// the API from a browser (CORS). A request carrying any other Origin
	// is refused with 403. "*" allows any origin.
	AllowOrigins []string
	// RatePerClient is the sustained requests per second allowed per
	// client address (IPv6 clients are grouped by /64).
	RatePerClient float64
	// RateBurst is the per-client bucket size.
	RateBurst int
	// GlobalRate is the sustained requests per second for all clients.
	GlobalRate float64
	// GlobalBurst is the global bucket size.
	GlobalBurst int
	// MaxConcurrent caps the requests being worked on at once; more wait
	// briefly and then get 503.
	MaxConcurrent int
	// MaxMX is the number of MX hosts probed by /mail-tls (at most 10).
	MaxMX int
	// StepTimeout bounds each network step (connect, read, handshake).
	StepTimeout time.Duration
	// RequestTimeout bounds a whole API request.
	RequestTimeout time.Duration
	// HeloName is the name the probes send in EHLO.
	HeloName string
	// RootCAFile, when set, is a PEM file of roots used instead of the
	// system roots (tests and private deployments).
	RootCAFile string
	// RootCAs, when non-nil, replaces the system roots (tests).
	RootCAs *x509.CertPool
	// MarkRootsFile, when set, is a PEM file of the roots that issue
	// BIMI mark certificates (VMC, CMC). Without it, /api/v1/bimi checks
	// a mark certificate's content but says its chain was not verified:
	// those roots are not in the system store.
	MarkRootsFile string
	// MarkRoots, when non-nil, is used instead of MarkRootsFile (tests).
	MarkRoots *x509.CertPool
	// TrustProxyHeaders makes the rate limiter key on the last (rightmost)
	// address of X-Forwarded-For, the one the proxy itself appended, when
	// the request comes from a loopback proxy. Entries to its left are
	// supplied by the client and ignored.
	TrustProxyHeaders bool
	// AllowedHosts, when not empty, are the only host names or address
	// literals the Host header may name (any port; case and a trailing
	// dot ignored); other requests get 403 forbidden-host. It defeats DNS
	// rebinding of a companion listening on loopback: when its listen
	// address is loopback, serve is to set it to LoopbackHosts() plus any
	// hosts given with --allowed-host. Entries are names or literals without a
	// port: "localhost", "127.0.0.1", "[::1]" (or "::1"). Empty allows
	// any Host.
	AllowedHosts []string
	// UnsafeAllowPrivateTargets lets probes reach loopback, private and
	// other non-global addresses. Tests only.
	UnsafeAllowPrivateTargets bool
	// UnsafeSMTPPortMap redirects a public port to another port when
	// dialling (e.g. 25→2525), so tests can run unprivileged servers.
	// Key 443 redirects the MTA-STS policy fetch. Tests only.
	UnsafeSMTPPortMap map[int]int
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests only.
	Now func() time.Time
}

// Defaults are the values RegisterFlags uses when neither a flag nor its
// environment variable is set.
const (
	DefaultRatePerClient  = 0.2 // one request per 5 s sustained
	DefaultRateBurst      = 5
	DefaultGlobalRate     = 5
	DefaultGlobalBurst    = 20
	DefaultMaxConcurrent  = 8
	DefaultMaxMX          = 10
	DefaultStepTimeout    = 10 * time.Second
	DefaultRequestTimeout = 60 * time.Second
)

// RegisterFlags defines the companion's flags on fs, storing into c. Each
// flag's default comes from an environment variable (named in its usage
// text), falling back to the built-in default.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var(listFlag{&c.AllowOrigins}, "allow-origin", "comma-separated origins allowed to call the API (CORS) [$HEADERLENS_ALLOW_ORIGIN]")
	c.AllowOrigins = splitList(os.Getenv("HEADERLENS_ALLOW_ORIGIN"))
	fs.Float64Var(&c.RatePerClient, "rate-per-client", envFloat("HEADERLENS_RATE_PER_CLIENT", DefaultRatePerClient), "sustained requests per second per client [$HEADERLENS_RATE_PER_CLIENT]")
	fs.IntVar(&c.RateBurst, "rate-burst", envInt("HEADERLENS_RATE_BURST", DefaultRateBurst), "burst of requests per client [$HEADERLENS_RATE_BURST]")
	fs.Float64Var(&c.GlobalRate, "global-rate", envFloat("HEADERLENS_GLOBAL_RATE", DefaultGlobalRate), "sustained requests per second for all clients [$HEADERLENS_GLOBAL_RATE]")
	fs.IntVar(&c.GlobalBurst, "global-burst", envInt("HEADERLENS_GLOBAL_BURST", DefaultGlobalBurst), "burst of requests for all clients [$HEADERLENS_GLOBAL_BURST]")
	fs.IntVar(&c.MaxConcurrent, "max-concurrent", envInt("HEADERLENS_MAX_CONCURRENT", DefaultMaxConcurrent), "requests worked on at once [$HEADERLENS_MAX_CONCURRENT]")
	fs.DurationVar(&c.StepTimeout, "probe-step-timeout", envDuration("HEADERLENS_PROBE_STEP_TIMEOUT", DefaultStepTimeout), "deadline of each probe step [$HEADERLENS_PROBE_STEP_TIMEOUT]")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", envDuration("HEADERLENS_REQUEST_TIMEOUT", DefaultRequestTimeout), "deadline of a whole API request [$HEADERLENS_REQUEST_TIMEOUT]")
	fs.Var(listFlag{&c.AllowedHosts}, "allowed-host", "comma-separated host names the Host header may name, any port; empty allows any (loopback names are added when listening on loopback) [$HEADERLENS_ALLOWED_HOST]")
	c.AllowedHosts = splitList(os.Getenv("HEADERLENS_ALLOWED_HOST"))
	fs.StringVar(&c.HeloName, "helo-name", envString("HEADERLENS_HELO_NAME", "localhost"), "name sent in EHLO by the probes [$HEADERLENS_HELO_NAME]")
	fs.StringVar(&c.RootCAFile, "root-ca-file", os.Getenv("HEADERLENS_ROOT_CA_FILE"), "PEM roots replacing the system roots [$HEADERLENS_ROOT_CA_FILE]")
	fs.StringVar(&c.MarkRootsFile, "mark-roots-file", os.Getenv("HEADERLENS_MARK_ROOTS_FILE"), "PEM roots of BIMI mark certificates (VMC, CMC), to verify their chains [$HEADERLENS_MARK_ROOTS_FILE]")
	fs.BoolVar(&c.TrustProxyHeaders, "trust-proxy-headers", envBool("HEADERLENS_TRUST_PROXY_HEADERS"), "rate-limit by X-Forwarded-For when the peer is loopback [$HEADERLENS_TRUST_PROXY_HEADERS]")
	fs.BoolVar(&c.UnsafeAllowPrivateTargets, "unsafe-allow-private-targets", envBool("HEADERLENS_UNSAFE_ALLOW_PRIVATE_TARGETS"), "TESTS ONLY: allow probing loopback and private addresses [$HEADERLENS_UNSAFE_ALLOW_PRIVATE_TARGETS]")
	c.UnsafeSMTPPortMap, _ = ParsePortMap(os.Getenv("HEADERLENS_UNSAFE_SMTP_PORT_MAP"))
	fs.Var(portMapFlag{&c.UnsafeSMTPPortMap}, "unsafe-smtp-port-map", "TESTS ONLY: dial other ports, e.g. 25=2525,465=2465,587=2587,443=8443 [$HEADERLENS_UNSAFE_SMTP_PORT_MAP]")
}

// Warnings returns the warnings serve must print loudly at start-up: one
// per unsafe switch that is set.
func (c Config) Warnings() []string {
	var w []string
	if c.UnsafeAllowPrivateTargets {
		w = append(w, "!!! WARNING: --unsafe-allow-private-targets is ON: the companion will connect to loopback, private, link-local and cloud-metadata addresses. Anyone who can reach this server can use it to probe your internal network. NEVER use this outside tests. !!!")
	}
	if len(c.UnsafeSMTPPortMap) > 0 {
		w = append(w, "!!! WARNING: --unsafe-smtp-port-map is ON ("+FormatPortMap(c.UnsafeSMTPPortMap)+"): probes connect to ports other than the ones reported. Results do not describe real mail servers. NEVER use this outside tests. !!!")
	}
	if len(c.AllowOrigins) == 1 && c.AllowOrigins[0] == "*" {
		w = append(w, "WARNING: --allow-origin=* lets any web site make visitors' browsers call this companion.")
	}
	return w
}

// ParsePortMap parses "25=2525,465=2465". Keys must be 25, 465, 587 or 443;
// values 1..65535.
func ParsePortMap(s string) (map[int]int, error) {
	m := map[int]int{}
	for _, item := range splitList(s) {
		k, v, ok := strings.Cut(item, "=")
		from, err1 := strconv.Atoi(strings.TrimSpace(k))
		to, err2 := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err1 != nil || err2 != nil || to < 1 || to > 65535 {
			return nil, fmt.Errorf("port map entry %q: want FROM=TO", item)
		}
		if from != 25 && from != 465 && from != 587 && from != 443 {
			return nil, fmt.Errorf("port map entry %q: only 25, 465, 587 and 443 can be mapped", item)
		}
		m[from] = to
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// FormatPortMap renders m as ParsePortMap reads it, sorted.
func FormatPortMap(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

func (c *Config) validate() error {
	var errs []error
	if c.Resolver == nil {
		errs = append(errs, errors.New("companion: Resolver is required"))
	}
	if c.RatePerClient <= 0 || c.RateBurst < 1 || c.GlobalRate <= 0 || c.GlobalBurst < 1 {
		errs = append(errs, errors.New("companion: rates must be positive and bursts at least 1"))
	}
	if c.MaxConcurrent < 1 {
		errs = append(errs, errors.New("companion: MaxConcurrent must be at least 1"))
	}
	if c.MaxMX < 1 || c.MaxMX > 10 {
		errs = append(errs, errors.New("companion: MaxMX must be 1..10"))
	}
	for _, o := range c.AllowOrigins {
		if o != "*" && !validOrigin(o) {
			errs = append(errs, fmt.Errorf("companion: origin %q is not scheme://host[:port]", o))
		}
	}
	if h, err := normalizeHeloName(c.HeloName); err != nil {
		errs = append(errs, fmt.Errorf("companion: HeloName %q: %v", c.HeloName, err))
	} else {
		c.HeloName = h
	}
	for _, h := range c.AllowedHosts {
		if _, err := normalizeAllowedHost(h); err != nil {
			errs = append(errs, fmt.Errorf("companion: allowed host %q: %v", h, err))
		}
	}
	for k, v := range c.UnsafeSMTPPortMap {
		if (k != 25 && k != 465 && k != 587 && k != 443) || v < 1 || v > 65535 {
			errs = append(errs, fmt.Errorf("companion: port map %d=%d not allowed", k, v))
		}
	}
	return errors.Join(errs...)
}

// withDefaults fills zero fields, so a Config built in code (tests) needs
// only the Resolver.
func (c Config) withDefaults() Config {
	if c.RatePerClient == 0 {
		c.RatePerClient = DefaultRatePerClient
	}
	if c.RateBurst == 0 {
		c.RateBurst = DefaultRateBurst
	}
	if c.GlobalRate == 0 {
		c.GlobalRate = DefaultGlobalRate
	}
	if c.GlobalBurst == 0 {
		c.GlobalBurst = DefaultGlobalBurst
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.MaxMX == 0 {
		c.MaxMX = DefaultMaxMX
	}
	if c.StepTimeout == 0 {
		c.StepTimeout = DefaultStepTimeout
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.HeloName == "" {
		c.HeloName = "localhost"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// LoopbackHosts returns the Host header names of a companion reached over
// loopback: "localhost", "127.0.0.1" and "[::1]" (any port). serve puts
// them in Config.AllowedHosts when it listens on a loopback address.
func LoopbackHosts() []string {
	return []string{"localhost", "127.0.0.1", "[::1]"}
}

// normalizeHeloName checks the name the probes send in EHLO and returns it
// in the form sent. RFC 5321 §4.1.1.1: "EHLO" SP ( Domain /
// address-literal ); RFC 5321 §4.1.3: an address literal is an IPv4
// dotted quad or "IPv6:" and an IPv6 address, in brackets. Domains are
// checked and lower-cased by NormalizeDomain (A-labels, RFC 5890); the
// single-label "localhost" is allowed too. Bytes below 0x21 and 0x7f are
// refused first, so that no CR or LF can ever reach the wire.
func normalizeHeloName(h string) (string, error) {
	for i := 0; i < len(h); i++ {
		if c := h[i]; c < 0x21 || c == 0x7f {
			return "", fmt.Errorf("contains the control or space byte 0x%02x", c)
		}
	}
	if strings.EqualFold(h, "localhost") {
		return "localhost", nil
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		in := h[1 : len(h)-1]
		if len(in) > 5 && strings.EqualFold(in[:5], "IPv6:") {
			// RFC 5321 §4.1.3: IPv6-address-literal = "IPv6:" IPv6-addr
			if a, err := netip.ParseAddr(in[5:]); err == nil && a.Is6() && a.Zone() == "" {
				return "[IPv6:" + in[5:] + "]", nil
			}
			return "", errors.New("not a valid IPv6 address literal")
		}
		// RFC 5321 §4.1.3: IPv4-address-literal = Snum 3("." Snum)
		if a, err := netip.ParseAddr(in); err == nil && a.Is4() {
			return h, nil
		}
		return "", errors.New("not a valid IPv4 address literal (IPv6 needs the \"IPv6:\" tag)")
	}
	d, err := NormalizeDomain(h)
	if err != nil {
		return "", fmt.Errorf("not a domain name, localhost or an address literal: %v", err)
	}
	return d, nil
}

// normalizeAllowedHost returns the form of an AllowedHosts entry compared
// with the Host header: lower case, no brackets, no trailing dot.
func normalizeAllowedHost(h string) (string, error) {
	h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
		if a, err := netip.ParseAddr(h); err != nil || !a.Is6() {
			return "", errors.New("brackets hold only an IPv6 address")
		}
		return h, nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String(), nil
	}
	if h == "" || strings.ContainsAny(h, ":/?#@[] \t") {
		return "", errors.New("want a host name or address without scheme or port")
	}
	return h, nil
}

func validOrigin(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest == "" || strings.ContainsAny(rest, "/?#@ ") {
		return false
	}
	return true
}

type listFlag struct{ p *[]string }

func (f listFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strings.Join(*f.p, ",")
}

func (f listFlag) Set(s string) error { *f.p = splitList(s); return nil }

type portMapFlag struct{ p *map[int]int }

func (f portMapFlag) String() string {
	if f.p == nil || *f.p == nil {
		return ""
	}
	return FormatPortMap(*f.p)
}

func (f portMapFlag) Set(s string) error {
	m, err := ParsePortMap(s)
	if err != nil {
		return err
	}
	*f.p = m
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func envString(k, def string) string {
	if v, ok := os.LookupEnv(k); ok {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func envFloat(k string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(k), 64); err == nil {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func envBool(k string) bool {
	v, _ := strconv.ParseBool(os.Getenv(k))
	return v
}
