package mtasts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"headerlens/companion/safenet"
)

// Fetch error kinds.
const (
	KindBlocked     = "blocked"           // destination refused by policy
	KindDNS         = "dns-error"         // mta-sts.<domain> did not resolve
	KindConnect     = "connect-error"     // TCP or TLS failure
	KindCertificate = "certificate-error" // TLS certificate invalid
	KindRedirect    = "redirect"          // 3xx: redirects are not followed
	KindHTTPStatus  = "http-status"       // any non-200 status
	KindContentType = "content-type"      // not text/plain
	KindTooLarge    = "too-large"         // body over MaxPolicyBytes
	KindTimeout     = "timeout"           // fetch ran out of time
	KindSyntax      = "syntax-error"      // the policy does not parse
	KindOther       = "fetch-error"       // anything else
)

// Fetcher retrieves policies over HTTPS (RFC 8461 §3.3).
type Fetcher struct {
	// Resolve returns the addresses of a host name. Required.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Check vets a resolved address before it is dialled; nil allows all.
	Check func(netip.Addr) error
	// Dialer opens connections; its Control hook should enforce the
	// destination policy again at connect time. Nil: a plain net.Dialer.
	Dialer *net.Dialer
	// Roots verifies the server certificate; nil means the system roots.
	Roots *x509.CertPool
	// Port is the HTTPS port; 0 means 443. Tests use another port.
	Port int
	// Timeout bounds the whole fetch; 0 means 15 seconds.
	Timeout time.Duration
}

// FetchResult reports a policy fetch.
type FetchResult struct {
	// URL is the policy URL.
	URL string `json:"url"`
	// Address is the address connected to.
	Address string `json:"address,omitempty"`
	// Status is the HTTP status code (0 when none was received).
	Status int `json:"status,omitempty"`
	// ContentType is the Content-Type header as received.
	ContentType string `json:"contentType,omitempty"`
	// Location is the Location header of a redirect, not followed.
	Location string `json:"location,omitempty"`
	// Bytes is the body length read.
	Bytes int `json:"bytes"`
	// Body is the policy text (only when it was read and is small).
	Body string `json:"body,omitempty"`
	// Policy is the parsed policy, when valid.
	Policy *Policy `json:"policy,omitempty"`
	// ErrorKind is one of the Kind constants, "" on success.
	ErrorKind string `json:"errorKind,omitempty"`
	// Error describes the failure.
	Error string `json:"error,omitempty"`
	// DurationMs is how long the fetch took.
	DurationMs float64 `json:"durationMs"`
}

func (r *FetchResult) fail(kind string, err error) *FetchResult {
	r.ErrorKind, r.Error = kind, err.Error()
	return r
}

// Fetch retrieves and parses the policy of domain from
// https://mta-sts.<domain>/.well-known/mta-sts.txt.
func (f *Fetcher) Fetch(ctx context.Context, domain string) *FetchResult {
	start := time.Now()
	host := "mta-sts." + domain
	res := &FetchResult{URL: "https://" + host + "/.well-known/mta-sts.txt"}
	defer func() { res.DurationMs = float64(time.Since(start).Microseconds()) / 1000 }()
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	addrs, err := f.Resolve(ctx, host)
	if err != nil {
		return res.fail(KindDNS, err)
	}
	target, refused := safenet.FirstAllowed(host, addrs, f.Check)
	if refused != nil {
		return res.fail(KindBlocked, refused)
	}
	port := f.Port
	if port == 0 {
		port = 443
	}
	dst := netip.AddrPortFrom(target, uint16(port)).String()
	res.Address = dst
	// RFC 8461 §3.3: the certificate must be valid for mta-sts.<domain>
	// and chain to a trusted root (RFC 6125); "HTTP 3xx redirects MUST NOT
	// be followed".
	client, done := safenet.PinnedClient(f.Dialer, dst, host, f.Roots, timeout)
	defer done()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, res.URL, nil)
	if err != nil {
		return res.fail(KindOther, err)
	}
	req.Header.Set("User-Agent", "headerlens-companion (MTA-STS check)")
	resp, err := client.Do(req)
	if err != nil {
		var ce *tls.CertificateVerificationError
		var ne net.Error
		var pol interface{ IsPolicyRefusal() bool }
		switch {
		case errors.As(err, &pol) && pol.IsPolicyRefusal():
			return res.fail(KindBlocked, err)
		case errors.As(err, &ce):
			return res.fail(KindCertificate, err)
		case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
			return res.fail(KindTimeout, err)
		}
		return res.fail(KindConnect, err)
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.ContentType = resp.Header.Get("Content-Type")
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		res.Location = resp.Header.Get("Location")
		return res.fail(KindRedirect, fmt.Errorf("HTTP %d redirect to %q not followed (RFC 8461 §3.3)", resp.StatusCode, res.Location))
	}
	// RFC 8461 §3.3: only a 200 response carries a policy.
	if resp.StatusCode != http.StatusOK {
		return res.fail(KindHTTPStatus, fmt.Errorf("HTTP status %d, want 200", resp.StatusCode))
	}
	// RFC 8461 §3.2: the policy "is served with the media type text/plain".
	if mt, _, err := mime.ParseMediaType(res.ContentType); err != nil || mt != "text/plain" {
		return res.fail(KindContentType, fmt.Errorf("content type %q, want text/plain", res.ContentType))
	}
	if resp.ContentLength > MaxPolicyBytes {
		return res.fail(KindTooLarge, fmt.Errorf("Content-Length %d exceeds %d bytes", resp.ContentLength, MaxPolicyBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPolicyBytes+1))
	res.Bytes = len(body)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return res.fail(KindTimeout, err)
		}
		return res.fail(KindConnect, err)
	}
	if len(body) > MaxPolicyBytes {
		return res.fail(KindTooLarge, errors.New("body exceeds "+strconv.Itoa(MaxPolicyBytes)+" bytes (RFC 8461 §3.3)"))
	}
	if len(body) <= 4096 {
		res.Body = string(body)
	}
	p, err := ParsePolicy(body)
	if err != nil {
		return res.fail(KindSyntax, err)
	}
	res.Policy = p
	return res
}
