// Package lookup defines the DNS interface that the analyzer, the DoH
// client and the companion share, and the per-run query log that every
// resolver implementation records into. It sits below all three, so the
// DNS client (headerlens/dohresolver) does not depend on the analyzer.
//
// The analyzer never talks to the network itself. Every check that needs DNS
// (SPF, RFC 7208; DKIM keys, RFC 6376 §3.6.2; DMARC, RFC 7489 §6.1; ARC keys,
// RFC 8617) receives a Resolver. *net.Resolver satisfies the interface, and so
// does headerlens/dohresolver, the DNS-over-HTTPS client used in the browser.
//
// Errors follow the standard library's convention: a lookup that failed
// returns a *net.DNSError, whose IsNotFound field is set for NXDOMAIN and for
// NODATA, and whose IsTimeout and IsTemporary fields are set for transient
// failures (SERVFAIL, timeouts, transport errors). Use IsNotFound and
// IsTempFail rather than comparing error strings.
package lookup

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"headerlens/dnswire"
)

// Exchanger is a resolver that can ask a question of any type and return
// the whole answer message, decoded by headerlens/dnswire.
// headerlens/dohresolver implements it; SPF uses it, when given one, only
// to warn about records of the withdrawn SPF type 99 (RFC 7208 §3.1), and
// the domain check for TLSA records and the AD bit (RFC 7672 §2.2). It is
// optional: checks work with a Resolver alone.
type Exchanger interface {
	// Exchange asks q (class IN, a fully qualified name) and returns the
	// answer message, whatever its RCODE; the error is non-nil only when
	// no answer came. The message is the caller's to keep and modify.
	Exchange(ctx context.Context, q dnswire.Question) (*dnswire.Msg, error)
}

// Resolver is the set of DNS lookups the analyzer performs. The method set
// matches *net.Resolver, so the system resolver can be used directly.
type Resolver interface {
	// LookupTXT returns the TXT records at name. The character-strings of
	// each record are concatenated with nothing between them, as RFC 7208
	// §3.3 and RFC 6376 §3.6.2.2 require.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupNetIP returns the addresses of host. network is "ip4" (A),
	// "ip6" (AAAA) or "ip" (both).
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	// LookupMX returns the MX records of name, sorted by preference.
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	// LookupAddr performs a reverse (PTR) lookup of the address addr.
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// IsNotFound reports whether err says that the name does not exist (NXDOMAIN)
// or has no records of the requested type (NODATA).
func IsNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// NXDomain tells NXDOMAIN from NODATA, which IsNotFound lumps together.
// known is false when err carries no such distinction (the standard
// library's resolver does not make it); nx is then false too. Resolvers
// make the distinction by returning an error, or wrapping one, that has a
// method NXDomain() bool.
func NXDomain(err error) (nx, known bool) {
	var e interface{ NXDomain() bool }
	if err == nil || !IsNotFound(err) || !errors.As(err, &e) {
		return false, false
	}
	return e.NXDomain(), true
}

// IsTempFail reports whether err is a transient failure (SERVFAIL, timeout,
// transport error) after which the same query may later succeed.
func IsTempFail(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && (de.IsTimeout || de.IsTemporary)
}

// Query is one entry of the query log: one DNS question and how it was
// answered. It is part of the Report contract (Report.DNS).
type Query struct {
	// Name is the queried name, fully qualified without the trailing dot.
	Name string `json:"name"`
	// Type is the query type mnemonic: "TXT", "A", "AAAA", "MX", "PTR", "TLSA".
	Type string `json:"type"`
	// Rcode is the response code mnemonic ("NOERROR", "NXDOMAIN",
	// "SERVFAIL"...), or "" when no response was received.
	Rcode string `json:"rcode"`
	// Answers is the number of answer records of the requested type.
	Answers int `json:"answers"`
	// AuthenticatedData is the AD bit of the response (RFC 4035 §3.2.3).
	AuthenticatedData bool `json:"ad"`
	// StartMs is when the query started, in milliseconds since the
	// analysis began (zero when unknown).
	StartMs float64 `json:"startMs"`
	// DurationMs is how long the query took, in milliseconds.
	DurationMs float64 `json:"durationMs"`
	// Endpoint is the DoH URL (or server) that answered.
	Endpoint string `json:"endpoint,omitempty"`
	// Cached is true when the answer came from the resolver's cache.
	Cached bool `json:"cached"`
	// Error describes a failure (timeout, HTTP error, malformed answer).
	Error string `json:"error,omitempty"`
}

// Log collects Query entries. It is safe for concurrent use. The zero value
// is ready to use.
type Log struct {
	// Start is when the analysis began; resolvers set Query.StartMs
	// relative to it. The zero time leaves StartMs at zero.
	Start time.Time

	mu      sync.Mutex
	queries []Query
}

// Offset returns the milliseconds from l.Start to t, or 0 when l or
// l.Start is unset.
func (l *Log) Offset(t time.Time) float64 {
	if l == nil || l.Start.IsZero() {
		return 0
	}
	return float64(t.Sub(l.Start).Microseconds()) / 1000
}

// Add appends q to the log.
func (l *Log) Add(q Query) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.queries = append(l.queries, q)
	l.mu.Unlock()
}

// Queries returns a copy of the entries recorded so far, in the order they
// were added.
func (l *Log) Queries() []Query {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Query(nil), l.queries...)
}

type logKey struct{}

// WithLog returns a context that carries log. Resolvers record every query
// made with that context (or one derived from it) into log.
func WithLog(ctx context.Context, log *Log) context.Context {
	return context.WithValue(ctx, logKey{}, log)
}

// LogFrom returns the log carried by ctx, or nil.
func LogFrom(ctx context.Context) *Log {
	l, _ := ctx.Value(logKey{}).(*Log)
	return l
}
