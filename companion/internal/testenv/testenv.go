// Package testenv builds the fixtures the companion's tests run against: a
// test certificate authority issuing crafted certificates, in-process SMTP
// servers (github.com/emersion/go-smtp) with STARTTLS (RFC 3207) or implicit
// TLS (RFC 8314 §3.3), and raw TCP servers that misbehave. Everything
// listens on loopback only.
package testenv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// CA is a test certificate authority.
type CA struct {
	// Cert is the root certificate.
	Cert *x509.Certificate
	key  crypto.Signer
}

var serial struct {
	sync.Mutex
	n int64
}

func nextSerial() *big.Int {
	serial.Lock()
	defer serial.Unlock()
	serial.n++
	return big.NewInt(serial.n + time.Now().UnixNano()%1e6*1000)
}

// NewCA creates a root CA named name.
func NewCA(tb testing.TB, name string) *CA {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"headerlens tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &CA{Cert: c, key: key}
}

// Pool returns a pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// PEM returns the CA certificate in PEM form.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// CertOptions describe a leaf certificate.
type CertOptions struct {
	// DNSNames are the DNS SANs.
	DNSNames []string
	// IPs are the IP SANs.
	IPs []netip.Addr
	// NotBefore and NotAfter default to an hour ago and a week ahead.
	NotBefore, NotAfter time.Time
	// RSABits, when non-zero, makes an RSA key of that size; otherwise
	// ECDSA P-256.
	RSABits int
	// SelfSigned signs the leaf with its own key instead of the CA's.
	SelfSigned bool
}

// Issue creates a leaf certificate for o, signed by ca (or by itself). The
// returned tls.Certificate carries the leaf and, unless self-signed, nothing
// else: the root is not sent, as real servers do not send it.
func (ca *CA) Issue(tb testing.TB, o CertOptions) tls.Certificate {
	tb.Helper()
	var key crypto.Signer
	var err error
	if o.RSABits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, o.RSABits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(7 * 24 * time.Hour)
	}
	cn := "test"
	if len(o.DNSNames) > 0 {
		cn = o.DNSNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: cn},
		DNSNames:              o.DNSNames,
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, ip := range o.IPs {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
	}
	parent, signer := ca.Cert, ca.key
	if o.SelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// SMTPOptions describe an in-process SMTP server.
type SMTPOptions struct {
	// Listen is the address to listen on; "127.0.0.1:0" when empty. Only
	// loopback addresses may be used.
	Listen string
	// Domain is the name in the greeting; "mx.test" when empty.
	Domain string
	// TLS, when set, enables STARTTLS (or implicit TLS, see Implicit).
	// Nil: the server offers no STARTTLS.
	TLS *tls.Config
	// Implicit serves TLS from the first byte (port 465 style).
	Implicit bool
	// Delay is slept before the greeting of every connection.
	Delay time.Duration
	// SMTPUTF8 and REQUIRETLS advertise those extensions.
	SMTPUTF8, REQUIRETLS bool
}

// SMTPServer is a running server.
type SMTPServer struct {
	// Addr is the listening address.
	Addr netip.AddrPort
	srv  *smtp.Server
	ln   net.Listener
}

type session struct{}

func (session) Reset()        {}
func (session) Logout() error { return nil }
func (session) Mail(string, *smtp.MailOptions) error {
	return errors.New("probe servers accept no mail")
}
func (session) Rcpt(string, *smtp.RcptOptions) error {
	return errors.New("probe servers accept no mail")
}
func (session) Data(io.Reader) error { return errors.New("probe servers accept no mail") }

// StartSMTP starts a server and stops it when the test ends.
func StartSMTP(tb testing.TB, o SMTPOptions) *SMTPServer {
	tb.Helper()
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Domain == "" {
		o.Domain = "mx.test"
	}
	ln := Listen(tb, o.Listen)
	var l net.Listener = ln
	if o.Delay > 0 {
		l = &delayListener{Listener: l, d: o.Delay}
	}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return session{}, nil }))
	s.Domain = o.Domain
	s.MaxMessageBytes = 10 << 20
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.EnableSMTPUTF8 = o.SMTPUTF8
	s.EnableREQUIRETLS = o.REQUIRETLS
	if o.Implicit {
		l = tls.NewListener(l, o.TLS)
	} else {
		s.TLSConfig = o.TLS
	}
	go s.Serve(l) //nolint:errcheck // returns on Close
	tb.Cleanup(func() { s.Close() })
	return &SMTPServer{Addr: netip.MustParseAddrPort(ln.Addr().String()), srv: s, ln: ln}
}

// Listen listens on a loopback TCP address, failing the test for any
// other address.
func Listen(tb testing.TB, addr string) net.Listener {
	tb.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		tb.Fatalf("testenv: %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("testenv: listen %s: %v", addr, err)
	}
	tb.Cleanup(func() { ln.Close() })
	return ln
}

// delayListener delays the first write (the greeting) of each connection.
type delayListener struct {
	net.Listener
	d time.Duration
}

func (l *delayListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &delayConn{Conn: c, d: l.d}, nil
}

type delayConn struct {
	net.Conn
	d    time.Duration
	once sync.Once
}

func (c *delayConn) Write(b []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.d) })
	return c.Conn.Write(b)
}

// ServeRaw accepts connections on a loopback listener and hands each to
// handle, for servers that misbehave in ways go-smtp cannot.
func ServeRaw(tb testing.TB, handle func(net.Conn)) netip.AddrPort {
	tb.Helper()
	ln := Listen(tb, "127.0.0.1:0")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}
