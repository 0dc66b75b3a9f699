package dohresolver

import (
	"context"
	"errors"
	"testing"

	"headerlens/dnswire"
)

// TestNXDomainTransport: through NXDomainTransport, by POST and by GET,
// every lookup is an NXDOMAIN answer that passed the resolver's checks of
// a DoH response (status, media type, ID, question), and a body that is no
// DNS query gets HTTP 400.
func TestNXDomainTransport(t *testing.T) {
	for _, method := range []string{"POST", "GET"} {
		r, err := New(Config{Endpoints: []string{"https://warm-up.invalid/dns-query"}, Method: method, Transport: NXDomainTransport()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.LookupTXT(context.Background(), "_dmarc.example.com")
		var e *Error
		if !errors.As(err, &e) || !e.NXDomain() {
			t.Errorf("%s: LookupTXT error = %v, want an NXDOMAIN *Error", method, err)
		}
		if _, err := r.LookupMX(context.Background(), "example.org"); err == nil {
			t.Errorf("%s: LookupMX found records, want NXDOMAIN", method)
		}
	}

	query, err := (&dnswire.Msg{Question: []dnswire.Question{dnswire.NewQuestion("example.com.", dnswire.TypeTXT)}}).Pack()
	if err != nil {
		t.Fatal(err)
	}
	reply, err := (&dnswire.Msg{Header: dnswire.Header{Response: true}, Question: []dnswire.Question{dnswire.NewQuestion("example.com.", dnswire.TypeTXT)}}).Pack()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    Request
		status int
	}{
		{"POST query", Request{Method: "POST", Body: query}, 200},
		{"GET query", Request{Method: "GET", URL: getURL("https://warm-up.invalid/dns-query", query)}, 200},
		{"POST garbage", Request{Method: "POST", Body: []byte("not dns")}, 400},
		{"POST response", Request{Method: "POST", Body: reply}, 400},
		{"GET without dns", Request{Method: "GET", URL: "https://warm-up.invalid/dns-query"}, 400},
		{"GET bad base64", Request{Method: "GET", URL: "https://warm-up.invalid/dns-query?dns=***"}, 400},
	}
	for _, tt := range tests {
		resp, err := NXDomainTransport().RoundTrip(context.Background(), &tt.req)
		if err != nil || resp.Status != tt.status {
			t.Errorf("%s: got %v, %v; want status %d", tt.name, resp, err, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		m, err := dnswire.Parse(resp.Body)
		if err != nil || !m.Response || m.Rcode != dnswire.RcodeNameError || len(m.Question) != 1 || m.Question[0].Name != "example.com." {
			t.Errorf("%s: reply %+v (%v), want an NXDOMAIN response to the question", tt.name, m, err)
		}
	}
}
