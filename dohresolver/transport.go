package dohresolver

import (
	"context"
	"encoding/base64"
	"strings"
)

// Request is one DoH HTTP exchange (RFC 8484 §4.1).
type Request struct {
	// Endpoint is the configured DoH URL (URI template without variables,
	// RFC 8484 §3).
	Endpoint string
	// Method is "POST" or "GET".
	Method string
	// URL is the URL to fetch: Endpoint itself for POST, Endpoint with the
	// dns parameter added for GET.
	URL string
	// Body is the DNS query in wire format for POST, nil for GET.
	Body []byte
	// Accept is the media type asked for; empty means
	// application/dns-message. Other callers of a Transport (the companion
	// client) set their own.
	Accept string
	// MaxResponseSize is the largest body the caller accepts. A Transport
	// reads at most MaxResponseSize+1 bytes of the body, so the caller can
	// tell an oversize body (longer than MaxResponseSize) from one that fits.
	MaxResponseSize int
}

// Response is the result of one HTTP exchange.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// ContentType is the Content-Type header as received.
	ContentType string
	// Body is the response body, at most MaxResponseSize+1 bytes of it.
	Body []byte
}

// Transport performs one HTTP exchange. The native default uses net/http
// (HTTP/2, connections reused); under GOOS=js it uses the browser's fetch.
// RoundTrip must return when ctx ends. An error means no HTTP response was
// received (connection failure, abort); HTTP error statuses are returned
// in Response.Status with a nil error.
type Transport interface {
	RoundTrip(ctx context.Context, req *Request) (*Response, error)
}

// TransportFunc adapts a function to the Transport interface.
type TransportFunc func(ctx context.Context, req *Request) (*Response, error)

// RoundTrip calls f(ctx, req).
func (f TransportFunc) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	return f(ctx, req)
}

// getURL returns the GET URL for query: RFC 8484 §4.1 puts the query in
// the "dns" parameter, base64url-encoded (RFC 4648 §5) without padding.
func getURL(endpoint string, query []byte) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + "dns=" + base64.RawURLEncoding.EncodeToString(query)
}

// accept returns the media type to send in the Accept header.
func (r *Request) accept() string {
	if r.Accept != "" {
		return r.Accept
	}
	return mediaType
}
