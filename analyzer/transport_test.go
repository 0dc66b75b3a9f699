//go:build !js

package analyzer_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"headerlens/analyzer"
	"headerlens/companion"
	"headerlens/companion/client"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// TestTransportThroughCompanion runs the transport checks through a real
// companion server and its client: the From and recipient domains are
// asked about, each once, and nothing but their names is sent.
func TestTransportThroughCompanion(t *testing.T) {
	dns := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@       IN SOA ns.example.org. h.example.org. 1 7200 900 1209600 60
sender  IN MX  0 .
rcpt    IN MX  0 .
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
	defer hs.Close()
	c, err := client.New(hs.URL, dohresolver.NewHTTPTransport(hs.Client()))
	if err != nil {
		t.Fatal(err)
	}
	msg := "From: A <a@Sender.example.org>\nTo: b@rcpt.example.org, c@rcpt.example.org\nCc: d@sender.example.org\nSubject: hi\n"
	rep, err := analyzer.Analyze(context.Background(), []byte(msg), analyzer.Options{Transport: c})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Transport) != 2 {
		t.Fatalf("transport = %+v, want 2 domains", rep.Transport)
	}
	want := map[string]string{"sender.example.org": "[from recipient]", "rcpt.example.org": "[recipient]"}
	for _, tc := range rep.Transport {
		var res struct {
			NullMX bool `json:"nullMx"`
		}
		if tc.Error != "" || json.Unmarshal(tc.Result, &res) != nil || !res.NullMX {
			t.Errorf("%s: result %s error %q, want a null-MX report", tc.Domain, tc.Result, tc.Error)
		}
		if got := fmtRoles(tc.Roles); got != want[tc.Domain] {
			t.Errorf("%s: roles %s, want %s", tc.Domain, got, want[tc.Domain])
		}
	}
}

func fmtRoles(r []string) string { return "[" + strings.Join(r, " ") + "]" }
