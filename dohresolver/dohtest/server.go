// Package dohtest is an in-process DNS-over-HTTPS server (RFC 8484) for
// tests. It answers authoritatively from RFC 1035 zone files read with the
// miekg/dns zone parser: answers, CNAME chains inside the served data
// (RFC 1034 §4.3.2), NODATA and NXDOMAIN with the zone's SOA in the
// authority section (RFC 2308 §2), wildcards (RFC 4592). It echoes the
// query ID (RFC 8484 §4.1), answers EDNS(0) queries with an OPT record
// (RFC 6891) padded to 468-byte blocks when the query was padded
// (RFC 8467 §4.1), and sends CORS headers on every response so browser
// pages of any origin can use it.
//
// Tests can add latency, inject failures per name or for every query
// (SERVFAIL, timeouts, HTTP 500, HTML bodies, truncated messages, wrong
// content types, oversize bodies...), and count the queries that reached
// the server.
//
//	srv := dohtest.NewServer(t, dohtest.ZoneFile("../testdata/zones/doh/example.com.zone"))
//	srv.AddRR("extra.example.com. 60 IN TXT \"hello\"")
//	srv.Fail("broken.example.com.", dohtest.FailServfail)
//	r, _ := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
package dohtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server is a running fixture: an httptest.Server whose handler is a
// Handler. Its methods (AddRR, Fail, SetLatency, Queries, Count...) come
// from the embedded *Handler.
type Server struct {
	*Handler
	// HTTP is the underlying test server.
	HTTP *httptest.Server
	tb   testing.TB
}

// NewServer starts a plain-HTTP (HTTP/1.1) fixture serving zones. It is
// closed when the test ends. A zone that fails to parse fails the test.
func NewServer(tb testing.TB, zones ...Zone) *Server {
	tb.Helper()
	return start(tb, false, zones)
}

// NewTLSServer starts a fixture over HTTPS with HTTP/2 enabled, as real
// DoH servers are (RFC 8484 §5.2 recommends HTTP/2). Use Client (or its
// Transport) to reach it: the certificate is the test server's own.
func NewTLSServer(tb testing.TB, zones ...Zone) *Server {
	tb.Helper()
	return start(tb, true, zones)
}

func start(tb testing.TB, tls bool, zones []Zone) *Server {
	tb.Helper()
	h, err := NewHandler(zones...)
	if err != nil {
		tb.Fatalf("dohtest: %v", err)
	}
	hs := httptest.NewUnstartedServer(h)
	if tls {
		hs.EnableHTTP2 = true
		hs.StartTLS()
	} else {
		hs.Start()
	}
	tb.Cleanup(func() {
		h.Close() // release held requests first, so Close does not wait
		hs.CloseClientConnections()
		hs.Close()
	})
	return &Server{Handler: h, HTTP: hs, tb: tb}
}

// URL returns the DoH endpoint URL, e.g. "http://127.0.0.1:34567/dns-query".
func (s *Server) URL() string { return s.HTTP.URL + Path }

// Client returns an http.Client that trusts the server's certificate (and
// speaks HTTP/2 to a TLS server).
func (s *Server) Client() *http.Client { return s.HTTP.Client() }

// AddRR adds one record in presentation format (see Handler.AddRR); a
// record that does not parse fails the test.
func (s *Server) AddRR(rr string) {
	s.tb.Helper()
	if err := s.Handler.AddRR(rr); err != nil {
		s.tb.Fatalf("dohtest: AddRR(%q): %v", rr, err)
	}
}
