package dohresolver

import (
	"context"
	"encoding/base64"
	"net/url"

	"headerlens/dnswire"
)

// HTTP statuses of NXDomainTransport's answers (net/http stays out of the
// WebAssembly build).
const (
	statusOK         = 200
	statusBadRequest = 400
)

// NXDomainTransport returns a Transport that sends nothing: it answers
// every DNS query itself with NXDOMAIN (RFC 1035 §4.1.1 RCODE 3, the name
// does not exist), and anything that is not a DNS query with HTTP 400.
//
// The page uses it to warm up: browsers compile WebAssembly functions when
// they are first called, so the first analysis that resolves names is
// slower than the next ones by the compilation of the resolver's code
// (packing, parsing, validation, cache) and of the live checks that
// follow. One analysis through this transport, while the page is idle,
// takes that cost before the reader's first analysis, without a request.
func NXDomainTransport() Transport {
	return TransportFunc(func(_ context.Context, req *Request) (*Response, error) {
		query := req.Body
		if req.Method == "GET" {
			q, ok := queryFromGetURL(req.URL)
			if !ok {
				return &Response{Status: statusBadRequest}, nil
			}
			query = q
		}
		msg, err := dnswire.Parse(query)
		if err != nil || msg.Response || len(msg.Question) != 1 {
			return &Response{Status: statusBadRequest}, nil
		}
		reply := &dnswire.Msg{
			Header: dnswire.Header{
				ID: msg.ID, Response: true, Opcode: msg.Opcode,
				RecursionDesired: msg.RecursionDesired, RecursionAvailable: true,
				Rcode: dnswire.RcodeNameError,
			},
			Question: msg.Question,
		}
		body, err := reply.Pack()
		if err != nil {
			return &Response{Status: statusBadRequest}, nil
		}
		return &Response{Status: statusOK, ContentType: mediaType, Body: body}, nil
	})
}

// queryFromGetURL returns the query of a GET request's dns parameter
// (RFC 8484 §4.1: base64url without padding).
func queryFromGetURL(raw string) ([]byte, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false
	}
	q, err := base64.RawURLEncoding.DecodeString(u.Query().Get("dns"))
	return q, err == nil && len(q) > 0
}
