//go:build !js

package dohresolver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// sharedClient is the default client of every native Resolver: one
// connection pool, so connections (and HTTP/2 sessions, RFC 8484 §5.2)
// are reused across resolvers and queries.
var sharedClient = &http.Client{
	Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	},
	// A DoH endpoint that redirects is misconfigured; follow none.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// DefaultTransport returns the platform's default Transport: net/http with
// a shared client (HTTP/2, connection reuse) in native builds, fetch under
// GOOS=js.
func DefaultTransport() Transport { return httpTransport{sharedClient} }

// NewHTTPTransport returns a Transport using client, e.g. the client of a
// dohtest TLS server. It is not available under GOOS=js, where DoH goes
// through fetch only.
func NewHTTPTransport(client *http.Client) Transport {
	if client == nil {
		client = sharedClient
	}
	return httpTransport{client}
}

type httpTransport struct{ c *http.Client }

// RoundTrip performs req with net/http.
func (t httpTransport) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}
	// RFC 8484 §4.1: the media type of the query and the accepted answer.
	hr.Header.Set("Accept", req.accept())
	if req.Body != nil {
		hr.Header.Set("Content-Type", mediaType)
	}
	resp, err := t.c.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(req.MaxResponseSize)+1))
	if err != nil {
		return nil, err
	}
	// Drain a little so the connection can be reused; give up on more.
	io.CopyN(io.Discard, resp.Body, 4096)
	return &Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}, nil
}
