//go:build js && wasm

package dohresolver

import (
	"context"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"headerlens/lookup"
)

// These tests run under Node (GOOS=js) and exercise the fetch transport
// against a dohtest server started by the native TestWasmFetchTransport,
// which passes its URLs in the environment. They skip only when run
// without it.

func jsEndpoint(t *testing.T) string {
	u := os.Getenv("HEADERLENS_DOH_URL")
	if u == "" {
		t.Skip("HEADERLENS_DOH_URL not set: run through TestWasmFetchTransport")
	}
	return u
}

func TestJSFetchLookups(t *testing.T) {
	ep := jsEndpoint(t)
	for _, method := range []string{"POST", "GET"} {
		var log lookup.Log
		ctx := lookup.WithLog(context.Background(), &log)
		r, err := New(Config{Endpoints: []string{ep}, Method: method, Timeout: 3 * time.Second})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		txt, err := r.LookupTXT(ctx, "multi.example.com")
		slices.Sort(txt)
		if want := []string{"second record", "v=DKIM1; k=rsa; p=MIGfMA0GCSq"}; err != nil || !slices.Equal(txt, want) {
			t.Errorf("%s LookupTXT = %q, %v; want %q", method, txt, err, want)
		}
		ips, err := r.LookupNetIP(ctx, "ip", "example.com")
		want := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}
		if err != nil || !slices.Equal(ips, want) {
			t.Errorf("%s LookupNetIP = %v, %v; want %v", method, ips, err, want)
		}
		_, err = r.LookupTXT(ctx, "nonexistent.example.com")
		if got := KindOf(err); got != KindNXDomain || !lookup.IsNotFound(err) {
			t.Errorf("%s LookupTXT(nonexistent) kind = %v (%v), want NXDOMAIN", method, got, err)
		}
		// Cached: the second lookup does not fetch.
		if _, err := r.LookupTXT(ctx, "multi.example.com"); err != nil {
			t.Errorf("%s second LookupTXT: %v", method, err)
		}
		qs := log.Queries()
		if len(qs) != 5 {
			t.Fatalf("%s log has %d entries, want 5: %+v", method, len(qs), qs)
		}
		if got := qs[4]; !got.Cached || got.Endpoint != ep {
			t.Errorf("%s last log entry = %+v, want cached from %s", method, got, ep)
		}
	}
}

func TestJSFetchTimeout(t *testing.T) {
	ep := jsEndpoint(t)
	r, err := New(Config{Endpoints: []string{ep}, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	start := time.Now()
	_, err = r.LookupTXT(context.Background(), "timeout.example.com")
	if got := KindOf(err); got != KindTimeout || !lookup.IsTempFail(err) {
		t.Errorf("LookupTXT(timeout) kind = %v (%v), want timeout", got, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %v, want about 300ms", d)
	}
	// A canceled context aborts the fetch too.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = r.LookupTXT(ctx, "timeout.example.com")
	if got := KindOf(err); got != KindCanceled {
		t.Errorf("LookupTXT(canceled) kind = %v (%v), want canceled", got, err)
	}
}

func TestJSFetchBadBodies(t *testing.T) {
	ep := jsEndpoint(t)
	r, err := New(Config{Endpoints: []string{ep}, CacheSize: -1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// The native driver injects these failures (see wasmFailures).
	for name, want := range map[string]Kind{
		"oversize.example.com":  KindHTTP,
		"html.example.com":      KindHTTP,
		"truncated.example.com": KindMalformed,
		"ctype.example.com":     KindHTTP,
		"http500.example.com":   KindHTTP,
		"tc.example.com":        KindTruncated,
		"abort.example.com":     KindHTTP,
	} {
		_, err := r.LookupTXT(context.Background(), name)
		if got := KindOf(err); got != want || !lookup.IsTempFail(err) {
			t.Errorf("LookupTXT(%s) kind = %v (%v), want %v", name, got, err, want)
		}
	}
}

func TestJSFetchFallback(t *testing.T) {
	ep := jsEndpoint(t)
	bad := os.Getenv("HEADERLENS_DOH_BAD_URL")
	if bad == "" {
		t.Skip("HEADERLENS_DOH_BAD_URL not set")
	}
	r, err := New(Config{Endpoints: []string{bad}, CacheSize: -1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = r.LookupTXT(context.Background(), "example.com")
	if got := KindOf(err); got != KindHTTP {
		t.Errorf("bad endpoint alone: kind = %v (%v), want HTTP failure", got, err)
	}
	var log lookup.Log
	r, _ = New(Config{Endpoints: []string{bad, ep}, CacheSize: -1})
	txt, err := r.LookupTXT(lookup.WithLog(context.Background(), &log), "example.com")
	if err != nil || len(txt) != 1 {
		t.Errorf("with fallback: %q, %v; want the SPF record", txt, err)
	}
	if qs := log.Queries(); len(qs) != 1 || qs[0].Endpoint != ep {
		t.Errorf("log = %+v, want one entry answered by %s", qs, ep)
	}
}
