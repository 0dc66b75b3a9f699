//go:build !js

package dohresolver

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// hostileDoH starts a loopback DoH server whose answer to each query is
// written by h.
func hostileDoH(t *testing.T, h func(w http.ResponseWriter, q *dns.Msg)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		if r.Method == http.MethodGet {
			var err error
			if body, err = decodeB64(r.URL.Query().Get("dns")); err != nil {
				http.Error(w, "bad", 400)
				return
			}
		}
		q := new(dns.Msg)
		if err := q.Unpack(body); err != nil || len(q.Question) != 1 {
			http.Error(w, "bad query", 400)
			return
		}
		h(w, q)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/dns-query"
}

func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

func writeMsg(w http.ResponseWriter, m *dns.Msg) {
	b, err := m.Pack()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/dns-message")
	_, _ = w.Write(b)
}

// TestSecurityHostileDoHServer: whatever a DoH server answers, a lookup
// ends promptly with an error or a bounded answer, never a hang, a panic
// or unbounded memory.
func TestSecurityHostileDoHServer(t *testing.T) {
	var redirectedHits atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { redirectedHits.Add(1) }))
	t.Cleanup(target.Close)
	tests := []struct {
		name string
		h    func(w http.ResponseWriter, q *dns.Msg)
	}{
		{"endless body", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Content-Type", "application/dns-message")
			chunk := make([]byte, 32<<10)
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
		{"slow drip body", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Content-Type", "application/dns-message")
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte{0}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
		}},
		{"redirect", func(w http.ResponseWriter, q *dns.Msg) {
			w.Header().Set("Location", target.URL+"/dns-query")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}},
		{"wrong question", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			m.Question[0].Name = "other.example."
			writeMsg(w, m)
		}},
		{"2000-link CNAME chain", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			cur := q.Question[0].Name
			for i := range 2000 {
				next := fmt.Sprintf("c%d.chain.example.", i)
				m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: cur, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: next})
				cur = next
			}
			m.Compress = true
			writeMsg(w, m)
		}},
		{"CNAME to itself", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			n := q.Question[0].Name
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: n, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: strings.ToUpper(n)})
			writeMsg(w, m)
		}},
		{"compression pointer loop", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			b, _ := m.Pack()
			b[7] = 1 // ANCOUNT = 1
			// An answer whose owner name points at itself.
			off := len(b)
			b = append(b, 0xC0|byte(off>>8), byte(off), 0, 16, 0, 1, 0, 0, 0, 60, 0, 1, 0)
			w.Header().Set("Content-Type", "application/dns-message")
			_, _ = w.Write(b)
		}},
		{"TC bit", func(w http.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			m.Truncated = true
			writeMsg(w, m)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(Config{Endpoints: []string{hostileDoH(t, tc.h)}, Timeout: 500 * time.Millisecond, CacheSize: -1})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			txt, err := r.LookupTXT(ctx, "victim.example")
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Errorf("LookupTXT: got %q, want an error", txt)
			}
			if took > 3*time.Second {
				t.Errorf("LookupTXT took %v, want the 500ms timeout to end it", took)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("LookupTXT allocated %d bytes, want far less for a %d-byte response cap", grew, DefaultMaxResponseSize)
			}
		})
	}
	if n := redirectedHits.Load(); n != 0 {
		t.Errorf("requests that followed the redirect: got %d, want 0", n)
	}
}

// TestSecurityMaxSizeTXT: the largest TXT answer that fits a DoH response
// is returned whole, and it is all the resolver holds.
func TestSecurityMaxSizeTXT(t *testing.T) {
	url := hostileDoH(t, func(w http.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		var strs []string
		for range 250 {
			strs = append(strs, strings.Repeat("v", 255))
		}
		m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: strs})
		writeMsg(w, m)
	})
	r, err := New(Config{Endpoints: []string{url}, Timeout: time.Second, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	txt, err := r.LookupTXT(context.Background(), "big.example")
	if err != nil {
		t.Fatalf("LookupTXT: %v", err)
	}
	if len(txt) != 1 || len(txt[0]) != 250*255 {
		t.Errorf("LookupTXT: got %d records, want one of %d bytes", len(txt), 250*255)
	}
}
