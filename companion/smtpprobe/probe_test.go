package smtpprobe_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"headerlens/companion/internal/testenv"
	"headerlens/companion/safenet"
	"headerlens/companion/smtpprobe"
)

func TestProbe(t *testing.T) {
	ca := testenv.NewCA(t, "Test Root")
	const mx = "mx.example.test"
	valid := ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}})
	validRSA := ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}, RSABits: 2048})
	expired := ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	wrongName := ca.Issue(t, testenv.CertOptions{DNSNames: []string{"other.example.test"}})
	selfSigned := ca.Issue(t, testenv.CertOptions{DNSNames: []string{mx}, SelfSigned: true})

	cfg := func(c tls.Certificate) *tls.Config { return &tls.Config{Certificates: []tls.Certificate{c}} }
	tls10 := &tls.Config{Certificates: []tls.Certificate{valid}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}
	legacyOK := &tls.Config{Certificates: []tls.Certificate{valid}, MinVersion: tls.VersionTLS10}
	// An RSA certificate but only ECDSA suites, TLS 1.2 at most: the
	// server has nothing to agree on and sends handshake_failure.
	noSuite := &tls.Config{Certificates: []tls.Certificate{validRSA}, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}

	type want struct {
		mode          smtpprobe.Mode
		errKind       string
		alert         string
		starttls      bool
		version       string
		chainVerified bool
		chainKind     string
		hostMatch     bool
		expiredDays   bool // DaysToExpiry < 0
		legacy        *bool
		exts          []string
	}
	yes, no := true, false
	tests := []struct {
		name string
		srv  testenv.SMTPOptions
		want want
	}{
		{"valid STARTTLS", testenv.SMTPOptions{TLS: cfg(valid), SMTPUTF8: true, REQUIRETLS: true},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainVerified: true, hostMatch: true, legacy: &no,
				exts: []string{"STARTTLS", "PIPELINING", "8BITMIME", "SIZE", "SMTPUTF8"}}},
		{"valid RSA", testenv.SMTPOptions{TLS: cfg(validRSA)},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainVerified: true, hostMatch: true, legacy: &no}},
		{"expired", testenv.SMTPOptions{TLS: cfg(expired)},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainKind: "expired", hostMatch: true, expiredDays: true, legacy: &no}},
		{"wrong name", testenv.SMTPOptions{TLS: cfg(wrongName)},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainVerified: true, hostMatch: false, legacy: &no}},
		{"self-signed", testenv.SMTPOptions{TLS: cfg(selfSigned)},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainKind: "self-signed", hostMatch: true, legacy: &no}},
		{"TLS 1.0 only", testenv.SMTPOptions{TLS: tls10},
			want{mode: "starttls", starttls: true, version: "TLS 1.0", chainVerified: true, hostMatch: true, legacy: &yes}},
		{"modern and legacy", testenv.SMTPOptions{TLS: legacyOK},
			want{mode: "starttls", starttls: true, version: "TLS 1.3", chainVerified: true, hostMatch: true, legacy: &yes}},
		{"no STARTTLS", testenv.SMTPOptions{},
			want{mode: "starttls", errKind: smtpprobe.KindNoSTARTTLS}},
		{"handshake failure", testenv.SMTPOptions{TLS: noSuite},
			want{mode: "starttls", starttls: true, errKind: smtpprobe.KindHandshakeFailure, alert: "handshake failure"}},
		{"implicit TLS", testenv.SMTPOptions{TLS: cfg(valid), Implicit: true},
			want{mode: "implicit-tls", version: "TLS 1.3", chainVerified: true, hostMatch: true, legacy: &no}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := testenv.StartSMTP(t, tc.srv)
			mode := smtpprobe.ModeSTARTTLS
			if tc.srv.Implicit {
				mode = smtpprobe.ModeImplicitTLS
			}
			res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: mx, Addr: srv.Addr, Mode: mode, Roots: ca.Pool(), StepTimeout: 5 * time.Second})
			w := tc.want
			if got := res.Mode; got != w.mode {
				t.Errorf("Mode: got %v, want %v", got, w.mode)
			}
			if res.Banner == nil || res.Banner.Code != 220 {
				t.Errorf("Banner: got %+v, want a 220 greeting", res.Banner)
			}
			gotKind, gotAlert := "", ""
			if res.Error != nil {
				gotKind, gotAlert = res.Error.Kind, res.Error.Alert
			}
			if gotKind != w.errKind || gotAlert != w.alert {
				t.Fatalf("Error: got kind %q alert %q (%v), want kind %q alert %q", gotKind, gotAlert, res.Error, w.errKind, w.alert)
			}
			if got := res.StartTLSOffered; got != w.starttls {
				t.Errorf("StartTLSOffered: got %v, want %v", got, w.starttls)
			}
			for _, e := range w.exts {
				if !res.EHLO.Has(e) {
					t.Errorf("EHLO extension %s: got absent, want present (%v)", e, res.EHLO.Extensions)
				}
			}
			if w.version == "" {
				if res.TLS != nil {
					t.Errorf("TLS: got %+v, want none", res.TLS)
				}
				return
			}
			if res.TLS == nil {
				t.Fatalf("TLS: got nil, want %s", w.version)
			}
			if got := res.TLS.Version; got != w.version {
				t.Errorf("Version: got %v, want %v", got, w.version)
			}
			if res.TLS.CipherSuite == "" {
				t.Errorf("CipherSuite: got empty, want a name")
			}
			if got := res.TLS.ChainVerified; got != w.chainVerified {
				t.Errorf("ChainVerified: got %v (%s), want %v", got, res.TLS.ChainError, w.chainVerified)
			}
			if got := res.TLS.ChainErrorKind; got != w.chainKind {
				t.Errorf("ChainErrorKind: got %q, want %q", got, w.chainKind)
			}
			if got := res.TLS.HostnameMatch; got != w.hostMatch {
				t.Errorf("HostnameMatch: got %v, want %v", got, w.hostMatch)
			}
			if got := res.TLS.DaysToExpiry < 0; got != w.expiredDays {
				t.Errorf("DaysToExpiry<0: got %v (%d), want %v", got, res.TLS.DaysToExpiry, w.expiredDays)
			}
			if len(res.TLS.Certificates) == 0 {
				t.Fatalf("Certificates: got none, want the leaf")
			}
			leaf := res.TLS.Certificates[0]
			if leaf.KeyType == "unknown" || leaf.KeyBits == 0 || leaf.SignatureAlgorithm == "" || leaf.NotAfter.IsZero() || len(leaf.SANs) == 0 {
				t.Errorf("leaf description incomplete: got %+v", leaf)
			}
			if tc.name == "valid RSA" && (leaf.KeyType != "RSA" || leaf.KeyBits != 2048) {
				t.Errorf("leaf key: got %s %d, want RSA 2048", leaf.KeyType, leaf.KeyBits)
			}
			if tc.name == "valid STARTTLS" {
				if leaf.KeyType != "ECDSA" || leaf.KeyBits != 256 || leaf.SignatureAlgorithm != "ECDSA-SHA256" {
					t.Errorf("leaf key: got %s %d %s, want ECDSA 256 ECDSA-SHA256", leaf.KeyType, leaf.KeyBits, leaf.SignatureAlgorithm)
				}
				if res.EHLOAfterTLS == nil || !res.EHLOAfterTLS.Has("REQUIRETLS") || res.EHLOAfterTLS.Has("STARTTLS") {
					t.Errorf("EHLO after TLS: got %+v, want REQUIRETLS and no STARTTLS", res.EHLOAfterTLS)
				}
			}
			if w.legacy != nil {
				if res.LegacyTLS == nil {
					t.Fatalf("LegacyTLS: got nil, want accepted=%v", *w.legacy)
				}
				if got := res.LegacyTLS.Accepted; got != *w.legacy {
					t.Errorf("LegacyTLS.Accepted: got %v (%+v), want %v", got, res.LegacyTLS, *w.legacy)
				}
			}
			if res.Timings.ConnectMs <= 0 || res.Timings.HandshakeMs <= 0 || res.Timings.TotalMs <= 0 {
				t.Errorf("Timings: got %+v, want positive connect, handshake and total", res.Timings)
			}
			if len(res.PeerCertificates) == 0 {
				t.Errorf("PeerCertificates: got none")
			}
		})
	}
}

// TestProbeFailures covers the failures that need a misbehaving server.
func TestProbeFailures(t *testing.T) {
	closed := func() netip.AddrPort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ap := netip.MustParseAddrPort(ln.Addr().String())
		ln.Close()
		return ap
	}()
	silent := testenv.ServeRaw(t, func(c net.Conn) { _, _ = bufio.NewReader(c).ReadString('\n') })
	rejecting := testenv.ServeRaw(t, func(c net.Conn) { fmt.Fprint(c, "554 5.7.1 no service for you\r\n") })
	garbage := testenv.ServeRaw(t, func(c net.Conn) { fmt.Fprint(c, "HTTP/1.1 400 Bad Request\r\n\r\n") })
	huge := testenv.ServeRaw(t, func(c net.Conn) {
		for range 200 {
			fmt.Fprint(c, "220-"+strings.Repeat("x", 70)+"\r\n")
		}
	})
	starttls454 := testenv.ServeRaw(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 mx ESMTP\r\n")
		_, _ = r.ReadString('\n')
		fmt.Fprint(c, "250-mx\r\n250 STARTTLS\r\n")
		_, _ = r.ReadString('\n')
		fmt.Fprint(c, "454 4.7.0 TLS not available\r\n")
		_, _ = r.ReadString('\n')
	})
	injected := testenv.ServeRaw(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 mx ESMTP\r\n")
		_, _ = r.ReadString('\n')
		fmt.Fprint(c, "250-mx\r\n250 STARTTLS\r\n")
		_, _ = r.ReadString('\n')
		fmt.Fprint(c, "220 go ahead\r\n250 injected\r\n")
		_, _ = r.ReadString('\n')
	})
	tests := []struct {
		name     string
		addr     netip.AddrPort
		dialer   *net.Dialer
		wantStep string
		wantKind string
	}{
		{"connection refused", closed, nil, "connect", smtpprobe.KindRefused},
		{"silent server", silent, nil, "banner", smtpprobe.KindTimeout},
		{"554 greeting", rejecting, nil, "banner", smtpprobe.KindRejected},
		{"not SMTP", garbage, nil, "banner", smtpprobe.KindProtocol},
		{"banner too long", huge, nil, "banner", smtpprobe.KindTooLong},
		{"STARTTLS 454", starttls454, nil, "starttls", smtpprobe.KindSTARTTLSRefused},
		{"data after 220", injected, nil, "starttls", smtpprobe.KindProtocol},
		{"blocked by policy", silent, safenet.Policy{}.Dialer(), "connect", smtpprobe.KindBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := smtpprobe.Probe(t.Context(), smtpprobe.Options{Host: "mx.example.test", Addr: tc.addr, Dialer: tc.dialer, StepTimeout: 300 * time.Millisecond})
			if res.Error == nil {
				t.Fatalf("Error: got nil, want %s at %s", tc.wantKind, tc.wantStep)
			}
			if res.Error.Step != tc.wantStep || res.Error.Kind != tc.wantKind {
				t.Errorf("Error: got %s/%s (%s), want %s/%s", res.Error.Step, res.Error.Kind, res.Error.Message, tc.wantStep, tc.wantKind)
			}
		})
	}
}

// TestProbeRequestDeadline checks that the overall deadline of the caller's
// context stops a probe whose every step is within its own timeout.
func TestProbeRequestDeadline(t *testing.T) {
	slow := testenv.ServeRaw(t, func(c net.Conn) {
		time.Sleep(2 * time.Second)
		fmt.Fprint(c, "220 late\r\n")
	})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := smtpprobe.Probe(ctx, smtpprobe.Options{Host: "mx.example.test", Addr: slow, StepTimeout: 5 * time.Second})
	if took := time.Since(start); took > time.Second {
		t.Errorf("probe took %v, want the 200ms request deadline to stop it", took)
	}
	if res.Error == nil || res.Error.Kind != smtpprobe.KindTimeout || res.Error.Step != "banner" {
		t.Errorf("Error: got %+v, want banner/timeout", res.Error)
	}
}
