package smtpprobe_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"headerlens/companion/internal/testenv"
	"headerlens/companion/smtpprobe"
)

// TestSecurityHostileServers: a hostile SMTP server must not make the
// probe hold unbounded memory or run past its step deadline, and whatever
// text it sends must come back without control characters (no CR/LF that
// could forge lines in logs or reports).
func TestSecurityHostileServers(t *testing.T) {
	endless := func(chunk string) func(net.Conn) {
		return func(c net.Conn) {
			b := []byte(strings.Repeat(chunk, 64<<10/len(chunk)))
			for {
				if _, err := c.Write(b); err != nil {
					return
				}
			}
		}
	}
	drip := testenv.ServeRaw(t, func(c net.Conn) {
		fmt.Fprint(c, "220-")
		for {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	ehloFlood := testenv.ServeRaw(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 mx ESMTP\r\n")
		_, _ = r.ReadString('\n')
		for range 100000 {
			if _, err := fmt.Fprint(c, "250-X\r\n"); err != nil {
				return
			}
		}
	})
	tlsNever := testenv.ServeRaw(t, func(c net.Conn) { time.Sleep(3 * time.Second) })
	tests := []struct {
		name     string
		serve    func(net.Conn)
		mode     smtpprobe.Mode
		wantStep string
		wantKind string
	}{
		{"endless line, no LF", endless("x"), smtpprobe.ModeSTARTTLS, "banner", smtpprobe.KindTooLong},
		{"endless CR-only lines", endless("220-x\r"), smtpprobe.ModeSTARTTLS, "banner", smtpprobe.KindTooLong},
		{"endless continuation lines", endless("220-x\r\n"), smtpprobe.ModeSTARTTLS, "banner", smtpprobe.KindTooLong},
		{"endless NULs", endless("\x00"), smtpprobe.ModeSTARTTLS, "banner", smtpprobe.KindTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := testenv.ServeRaw(t, tc.serve)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: addr, Mode: tc.mode, StepTimeout: 2 * time.Second, SkipLegacy: true})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if res.Error == nil || res.Error.Step != tc.wantStep || res.Error.Kind != tc.wantKind {
				t.Errorf("Error: got %+v, want %s/%s", res.Error, tc.wantStep, tc.wantKind)
			}
			if took > 2*time.Second {
				t.Errorf("probe took %v, want a prompt failure once the reply limit is passed", took)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
				t.Errorf("probe allocated %d bytes, want well under 4 MiB for an %d-byte reply limit", grew, smtpprobe.MaxReplyBytes)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		addr     netip.AddrPort
		mode     smtpprobe.Mode
		wantStep string
		wantKind string
	}{
		{"one byte every 20ms", drip, smtpprobe.ModeSTARTTLS, "banner", smtpprobe.KindTimeout},
		{"EHLO flood", ehloFlood, smtpprobe.ModeSTARTTLS, "ehlo", smtpprobe.KindTooLong},
		{"implicit TLS, server silent", tlsNever, smtpprobe.ModeImplicitTLS, "handshake", smtpprobe.KindTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: tc.addr, Mode: tc.mode, StepTimeout: 300 * time.Millisecond})
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("probe took %v, want at most about one 300ms step", took)
			}
			if res.Error == nil || res.Error.Step != tc.wantStep || res.Error.Kind != tc.wantKind {
				t.Errorf("Error: got %+v, want %s/%s", res.Error, tc.wantStep, tc.wantKind)
			}
		})
	}
}

// TestSecurityReplyTextSanitised: CR, LF, NUL, ESC and invalid UTF-8 in
// a reply must not survive into the report.
func TestSecurityReplyTextSanitised(t *testing.T) {
	raw := "250-mx.example\x1b[31m hi\x00there\r\n250-STARTTLS\rINJECTED\r\n250-\xff\xfe bad\r\n250 SIZE 1\r\n"
	e, err := smtpprobe.ParseEHLOResponse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range e.Lines {
		if strings.ContainsAny(l, "\r\n\x00\x1b") || !utf8.ValidString(l) {
			t.Errorf("line %q: got control characters or invalid UTF-8, want printable text", l)
		}
	}
	for _, x := range e.Extensions {
		if strings.ContainsAny(x.Keyword+strings.Join(x.Params, ""), "\r\n\x00\x1b") {
			t.Errorf("extension %+v: got control characters", x)
		}
	}
}

// TestSecurityHugeCertificateChain: a server presenting a very long chain
// (many large certificates) must end the handshake with an error or a
// bounded report, promptly.
func TestSecurityHugeCertificateChain(t *testing.T) {
	ca := testenv.NewCA(t, "Hostile Root")
	leaf := ca.Issue(t, testenv.CertOptions{DNSNames: []string{"mx.example.test"}})
	for len(leaf.Certificate) < 400 {
		leaf.Certificate = append(leaf.Certificate, leaf.Certificate[0])
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf}}
	addr := testenv.ServeRaw(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		_ = tc.HandshakeContext(context.Background())
		fmt.Fprint(tc, "220 mx ESMTP\r\n")
		_, _ = bufio.NewReader(tc).ReadString('\n')
	})
	start := time.Now()
	res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: addr, Mode: smtpprobe.ModeImplicitTLS, StepTimeout: 2 * time.Second, SkipLegacy: true})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("probe took %v, want the step deadline to bound it", took)
	}
	if res.TLS != nil && len(res.TLS.Certificates) > 400 {
		t.Errorf("certificates: got %d, want a bounded chain", len(res.TLS.Certificates))
	}
}

// TestSecurityHeloInjection is the regression test for a bug (fixed):
// Options.HeloName went into "EHLO "+HeloName+"\r\n" unchecked (probe.go, session: s.cmd("EHLO " +
// o.HeloName)), so CR/LF in it put extra commands on the wire, although
// the probe promises never to send MAIL, RCPT or DATA. The fix: in
// Options.defaults (or at the top of Probe), refuse a HeloName containing
// any byte < 0x21 or 0x7f (return a Result with Error step "ehlo", kind
// protocol-error) — and validate --helo-name in companion.Config too.
func TestSecurityHeloInjection(t *testing.T) {
	got := make(chan string, 16)
	addr := testenv.ServeRaw(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 mx ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			got <- strings.TrimRight(line, "\r\n")
			if strings.HasPrefix(line, "QUIT") {
				return
			}
			fmt.Fprint(c, "250 ok\r\n")
		}
	})
	res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: addr, HeloName: "probe.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<victim@c.example>", StepTimeout: 500 * time.Millisecond, SkipLegacy: true})
	if res.Error == nil || res.Error.Step != "ehlo" || res.Error.Kind != smtpprobe.KindProtocol {
		t.Errorf("Error: got %+v, want ehlo/%s", res.Error, smtpprobe.KindProtocol)
	}
	deadline := time.After(2 * time.Second)
	for {
		select {
		case l := <-got:
			u := strings.ToUpper(l)
			if strings.HasPrefix(u, "MAIL") || strings.HasPrefix(u, "RCPT") || strings.HasPrefix(u, "DATA") {
				t.Fatalf("server received %q: got an injected command, want only EHLO/STARTTLS/QUIT", l)
			}
			if strings.HasPrefix(u, "QUIT") {
				return
			}
		case <-deadline:
			return
		}
	}
}

// TestSecurityHeloNameBytes: every byte below 0x21 and 0x7f, anywhere in
// the HELO name, makes the probe fail at step "ehlo" with protocol-error
// before it connects; ordinary names and address literals go through.
func TestSecurityHeloNameBytes(t *testing.T) {
	var conns atomic.Int64
	addr := testenv.ServeRaw(t, func(c net.Conn) {
		conns.Add(1)
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 mx ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil || strings.HasPrefix(line, "QUIT") {
				return
			}
			fmt.Fprint(c, "250 ok\r\n")
		}
	})
	var bad []string
	for b := range 0x21 {
		bad = append(bad, "probe"+string(rune(b))+".example", string(rune(b)))
	}
	bad = append(bad, "probe.example\x7f", "\x7fprobe.example", strings.Repeat("a", 256))
	for _, h := range bad {
		res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: addr, HeloName: h, StepTimeout: 500 * time.Millisecond, SkipLegacy: true})
		if res.Error == nil || res.Error.Step != "ehlo" || res.Error.Kind != smtpprobe.KindProtocol || strings.ContainsAny(res.Error.Message, "\r\n") {
			t.Errorf("HeloName %q: got %+v, want ehlo/%s", h, res.Error, smtpprobe.KindProtocol)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("connections with a refused HELO name: got %d, want 0", n)
	}
	for _, h := range []string{"probe.example.net", "localhost", "[192.0.2.1]", "[IPv6:2001:db8::1]"} {
		res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: addr, HeloName: h, StepTimeout: 500 * time.Millisecond, SkipLegacy: true})
		// The raw server offers no STARTTLS: the probe gets past EHLO.
		if res.Error == nil || res.Error.Kind != smtpprobe.KindNoSTARTTLS {
			t.Errorf("HeloName %q: got %+v, want %s after a sent EHLO", h, res.Error, smtpprobe.KindNoSTARTTLS)
		}
	}
}
