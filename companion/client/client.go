// Package client calls the API of a headerlens companion server (package
// companion) from Go: natively through net/http, and in the browser
// through fetch. It reuses dohresolver's Transport, which already does
// both, bounds response sizes and honours the context.
//
// Only domain names ever leave through this client; never header text.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"headerlens/dohresolver"
	"headerlens/internal/jsonx"
)

// MaxResponseSize bounds a companion answer. A mail-tls report for ten MX
// hosts with their certificate chains stays well under it.
const MaxResponseSize = 4 << 20

// Client calls one companion server.
type Client struct {
	base      *url.URL
	transport dohresolver.Transport
}

// New returns a client of the companion at baseURL ("https://host" or
// "https://host/prefix"). A nil transport means
// dohresolver.DefaultTransport().
func New(baseURL string, t dohresolver.Transport) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("companion URL %q must be an http or https URL without credentials, query or fragment", baseURL)
	}
	if t == nil {
		t = dohresolver.DefaultTransport()
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, transport: t}, nil
}

// Error is an error answer of the companion (its JSON {error, code}).
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("companion: %s (%s, HTTP %d)", e.Message, e.Code, e.Status)
}

// MailTLS asks GET /api/v1/mail-tls?domain=D: the STARTTLS probes of the
// domain's MX hosts and its MTA-STS, TLS-RPT and DANE state, as the JSON
// the companion returns (companion.MailTLSReport).
func (c *Client) MailTLS(ctx context.Context, domain string) (jsonx.RawMessage, error) {
	return c.get(ctx, "/api/v1/mail-tls", url.Values{"domain": {domain}})
}

// BIMI asks GET /api/v1/bimi?domain=D: the logo and mark certificate
// named by the domain's BIMI record, fetched and checked by the companion
// (companion.BIMIReport, as JSON).
func (c *Client) BIMI(ctx context.Context, domain string) (jsonx.RawMessage, error) {
	return c.get(ctx, "/api/v1/bimi", url.Values{"domain": {domain}})
}

func (c *Client) get(ctx context.Context, path string, q url.Values) (jsonx.RawMessage, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	resp, err := c.transport.RoundTrip(ctx, &dohresolver.Request{
		Endpoint:        c.base.String(),
		Method:          "GET",
		URL:             u.String(),
		Accept:          "application/json",
		MaxResponseSize: MaxResponseSize,
	})
	if err != nil {
		return nil, fmt.Errorf("companion %s: %w", c.base.Host, err)
	}
	if len(resp.Body) > MaxResponseSize {
		return nil, fmt.Errorf("companion %s: answer larger than %d bytes", c.base.Host, MaxResponseSize)
	}
	if ct := resp.ContentType; !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, fmt.Errorf("companion %s: answer of type %q, not JSON (HTTP %d)", c.base.Host, ct, resp.Status)
	}
	if resp.Status != 200 {
		var e struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}
		if jsonx.Unmarshal(resp.Body, &e) != nil || e.Error == "" {
			e.Error, e.Code = "unexpected answer", "http-error"
		}
		return nil, &Error{Status: resp.Status, Code: e.Code, Message: e.Error}
	}
	if !jsonx.Valid(resp.Body) {
		return nil, errors.New("companion: malformed JSON answer")
	}
	return jsonx.RawMessage(resp.Body), nil
}
