package mtasts_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"headerlens/companion/internal/testenv"
	"headerlens/companion/mtasts"
	"headerlens/companion/safenet"
)

// hostileServer starts an HTTPS server on loopback with a valid
// certificate for mta-sts.hostile.test and returns its port.
func hostileServer(t *testing.T, h http.HandlerFunc) (int, *testenv.CA) {
	t.Helper()
	ca := testenv.NewCA(t, "MTA-STS Hostile Root")
	cert := ca.Issue(t, testenv.CertOptions{DNSNames: []string{"mta-sts.hostile.test"}})
	ln := testenv.Listen(t, "127.0.0.1:0")
	srv := &http.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, ca
}

func loopbackFetcher(port int, ca *testenv.CA, timeout time.Duration) *mtasts.Fetcher {
	return &mtasts.Fetcher{
		Resolve: func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		},
		Roots:   ca.Pool(),
		Port:    port,
		Timeout: timeout,
	}
}

// TestSecurityPolicyFetchBounds: a hostile policy server must not make the
// fetch read more than MaxPolicyBytes (+1), hang past its timeout, or
// follow a redirect, whatever it sends.
func TestSecurityPolicyFetchBounds(t *testing.T) {
	var redirected atomic.Int64
	tests := []struct {
		name     string
		h        http.HandlerFunc
		wantKind string
	}{
		{"endless chunked body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			chunk := []byte(strings.Repeat("mx: a.example\n", 4096))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, mtasts.KindTooLarge},
		{"lying Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "100")
			fmt.Fprint(w, "version: STSv1\n")
		}, mtasts.KindConnect},
		{"slow drip body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte("#")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
		}, mtasts.KindTimeout},
		{"header flood", func(w http.ResponseWriter, r *http.Request) {
			for i := range 2000 {
				w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("p", 64))
			}
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\n")
		}, mtasts.KindConnect},
		{"redirect to loopback", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/mta-sts.txt" {
				redirected.Add(1)
			}
			http.Redirect(w, r, "http://127.0.0.1:1/admin", http.StatusFound)
		}, mtasts.KindRedirect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port, ca := hostileServer(t, tc.h)
			start := time.Now()
			// 1.5 s leaves room for a loaded CI machine; the slow drip
			// must still be cut at that timeout.
			res := loopbackFetcher(port, ca, 1500*time.Millisecond).Fetch(t.Context(), "hostile.test")
			if took := time.Since(start); took > 4*time.Second {
				t.Errorf("fetch took %v, want it bounded by the 1.5s timeout", took)
			}
			if res.ErrorKind != tc.wantKind {
				t.Errorf("ErrorKind: got %q (%s), want %q", res.ErrorKind, res.Error, tc.wantKind)
			}
			if res.Bytes > mtasts.MaxPolicyBytes+1 {
				t.Errorf("Bytes: got %d, want at most %d", res.Bytes, mtasts.MaxPolicyBytes+1)
			}
			if len(res.Body) > 4096 {
				t.Errorf("Body: got %d bytes in the report, want at most 4096", len(res.Body))
			}
			if res.Policy != nil {
				t.Errorf("Policy: got %+v, want none", res.Policy)
			}
		})
	}
	if n := redirected.Load(); n != 0 {
		t.Errorf("redirect targets fetched: got %d, want 0", n)
	}
}

// TestSecurityPolicyHostRebinding: the production policy must refuse a
// policy host mta-sts.<domain> that resolves to loopback in any spelling,
// and the dialer's Control hook must refuse it on its own when Check is
// missing (the last line of defence against DNS rebinding).
func TestSecurityPolicyHostRebinding(t *testing.T) {
	var hits atomic.Int64
	port, ca := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\n")
	})
	policy := safenet.Policy{Ports: map[int]bool{443: true, port: true}}
	for _, addrs := range [][]string{
		{"127.0.0.1"},
		{"::ffff:127.0.0.1"},
		{"::1"},
		{"64:ff9b::7f00:1"},
		{"0.0.0.0"},
	} {
		var as []netip.Addr
		for _, a := range addrs {
			as = append(as, netip.MustParseAddr(a))
		}
		f := loopbackFetcher(port, ca, time.Second)
		f.Resolve = func(context.Context, string) ([]netip.Addr, error) { return as, nil }
		f.Check = policy.Check
		f.Dialer = policy.Dialer()
		if res := f.Fetch(t.Context(), "hostile.test"); res.ErrorKind != mtasts.KindBlocked {
			t.Errorf("policy host at %v: got %q (%s), want blocked", addrs, res.ErrorKind, res.Error)
		}
		// Without Check, the Control hook alone must still stop it.
		f.Check = nil
		if res := f.Fetch(t.Context(), "hostile.test"); res.ErrorKind != mtasts.KindBlocked {
			t.Errorf("policy host at %v, Control hook only: got %q (%s), want blocked", addrs, res.ErrorKind, res.Error)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("requests that reached the loopback policy server: got %d, want 0", n)
	}
}
