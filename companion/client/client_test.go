//go:build !js

package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"headerlens/companion"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// newCompanion starts a real companion whose DNS comes from dohtest.
func newCompanion(t *testing.T) *httptest.Server {
	t.Helper()
	dns := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@       IN SOA ns.example.org. h.example.org. 1 7200 900 1209600 60
nomail  IN MX  0 .
`))
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{dns.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := companion.New(companion.Config{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs
}

func TestMailTLS(t *testing.T) {
	hs := newCompanion(t)
	c, err := New(hs.URL+"/", dohresolver.NewHTTPTransport(hs.Client()))
	if err != nil {
		t.Fatal(err)
	}
	// RFC 7505: a null MX means the domain takes no mail; nothing is probed.
	raw, err := c.MailTLS(context.Background(), "nomail.example.org")
	if err != nil {
		t.Fatalf("MailTLS: %v", err)
	}
	var got struct {
		Domain string `json:"domain"`
		NullMX bool   `json:"nullMx"`
	}
	if err := json.Unmarshal(raw, &got); err != nil || got.Domain != "nomail.example.org" || !got.NullMX {
		t.Errorf("MailTLS = %s (%v), want domain nomail.example.org with nullMx", raw, err)
	}

	_, err = c.MailTLS(context.Background(), "not a domain")
	var ce *Error
	if !errors.As(err, &ce) || ce.Status != 400 || ce.Code != "invalid-domain" {
		t.Errorf("MailTLS(bad domain) error = %v, want a 400 invalid-domain *Error", err)
	}
}

func TestNotJSON(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>proxy error</html>"))
	}))
	defer hs.Close()
	c, err := New(hs.URL, dohresolver.NewHTTPTransport(hs.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MailTLS(context.Background(), "example.org"); err == nil {
		t.Error("MailTLS of an HTML answer succeeded, want an error")
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"", "ftp://x.example", "https://user:pw@x.example", "https://x.example/?q=1", "//x.example", "javascript:alert(1)"} {
		if _, err := New(u, nil); err == nil {
			t.Errorf("New(%q) succeeded, want an error", u)
		}
	}
}
