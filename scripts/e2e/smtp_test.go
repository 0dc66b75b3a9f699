package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// smtpServer is a minimal SMTP server with STARTTLS (RFC 3207) on
// 127.0.0.1 for the companion's probe: enough of RFC 5321 for EHLO,
// STARTTLS and QUIT. Its certificate is self-signed for host, so the page
// shows an unverified chain, and a DANE-EE TLSA record can match it.
type smtpServer struct {
	addr string
	// tlsa is the "3 1 1" TLSA data of the certificate (SHA-256 of its
	// SubjectPublicKeyInfo, RFC 6698 §2.1).
	tlsa string
}

func startSMTP(t *testing.T, host string) *smtpServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2026112901),
		Subject:      pkix.Name{CommonName: host, Organization: []string{"headerlens e2e"}},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(60 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12, // the legacy TLS 1.0/1.1 check is refused
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go smtpSession(c, host, cfg)
		}
	}()
	return &smtpServer{addr: ln.Addr().String(), tlsa: hex.EncodeToString(sum[:])}
}

func smtpSession(c net.Conn, host string, cfg *tls.Config) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	var conn net.Conn = c
	r := bufio.NewReader(conn)
	write := func(s string) bool { _, err := conn.Write([]byte(s + "\r\n")); return err == nil }
	if !write("220 " + host + " ESMTP headerlens-e2e") {
		return
	}
	encrypted := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			if encrypted {
				write("250-" + host + "\r\n250-PIPELINING\r\n250 8BITMIME")
			} else {
				write("250-" + host + "\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME")
			}
		case "STARTTLS":
			if encrypted {
				write("503 5.5.1 TLS already active")
				continue
			}
			write("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, cfg)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r, encrypted = tc, bufio.NewReader(tc), true
		case "QUIT":
			write("221 2.0.0 Bye")
			return
		default:
			write("250 2.0.0 OK")
		}
	}
}
