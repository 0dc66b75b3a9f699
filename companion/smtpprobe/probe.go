// Package smtpprobe connects to an SMTP server and reports on its transport
// security: banner, EHLO extensions (RFC 5321 §4.1.1.1), STARTTLS (RFC 3207)
// or implicit TLS (RFC 8314 §3.3), the negotiated TLS version and cipher
// suite, the certificate chain, its verification and hostname match
// (RFC 6125 §6, as applied to SMTP by RFC 7817 §3), and whether the server
// still accepts TLS 1.0 or 1.1 (deprecated by RFC 8996).
//
// The handshake is made with verification off and the chain is verified
// afterwards, so that a bad certificate is reported on instead of ending the
// probe. The probe never sends MAIL, RCPT or DATA: after EHLO it says QUIT.
package smtpprobe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"
)

// Mode is how TLS is started.
type Mode string

const (
	// ModeSTARTTLS speaks plain SMTP and upgrades with STARTTLS
	// (RFC 3207 §4), as on ports 25 and 587.
	ModeSTARTTLS Mode = "starttls"
	// ModeImplicitTLS starts TLS as soon as the connection is open
	// (RFC 8314 §3.3), as on port 465.
	ModeImplicitTLS Mode = "implicit-tls"
)

// Options configure one probe.
type Options struct {
	// Host is the server name: used for SNI and the hostname check. For an
	// MX probe it is the MX target name. Empty when probing an address.
	Host string
	// Addr is the vetted address to connect to. The probe dials this
	// literal and never resolves a name.
	Addr netip.AddrPort
	// Mode is ModeSTARTTLS or ModeImplicitTLS.
	Mode Mode
	// Dialer opens the connection; its Control hook is expected to enforce
	// the destination policy (see companion/safenet). Nil means a plain
	// net.Dialer.
	Dialer *net.Dialer
	// HeloName is the name sent in EHLO; "localhost" when empty. A name
	// with a byte below 0x21 or 0x7f (space, CR, LF, other controls, DEL)
	// or longer than 255 octets makes Probe fail at step "ehlo" with
	// KindProtocol before connecting.
	HeloName string
	// Roots verifies the chain; nil means the system roots.
	Roots *x509.CertPool
	// StepTimeout bounds each step (connect, banner, each command, the
	// handshake). Zero means 10 seconds.
	StepTimeout time.Duration
	// SkipLegacy skips the second handshake that checks TLS 1.0/1.1.
	SkipLegacy bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Result is the report of one probe. Fields are filled in as far as the
// probe got; Error says where and why it stopped.
type Result struct {
	// Host is Options.Host.
	Host string `json:"host,omitempty"`
	// Address is the address connected to.
	Address string `json:"address"`
	// Mode is "starttls" or "implicit-tls".
	Mode Mode `json:"mode"`
	// Banner is the server greeting (RFC 5321 §4.3.1).
	Banner *Reply `json:"banner,omitempty"`
	// EHLO is the reply to the first EHLO (before STARTTLS, or over TLS
	// for implicit TLS).
	EHLO *EHLO `json:"ehlo,omitempty"`
	// EHLOAfterTLS is the reply to EHLO repeated after STARTTLS
	// (RFC 3207 §4.2 requires the client to discard what it knew).
	EHLOAfterTLS *EHLO `json:"ehloAfterTls,omitempty"`
	// StartTLSOffered reports whether EHLO listed STARTTLS.
	StartTLSOffered bool `json:"starttlsOffered"`
	// TLS describes the TLS session, when one was established.
	TLS *TLSInfo `json:"tls,omitempty"`
	// LegacyTLS reports whether TLS 1.0 or 1.1 is still accepted.
	LegacyTLS *Legacy `json:"legacyTls,omitempty"`
	// Timings are the durations of each step in milliseconds.
	Timings Timings `json:"timings"`
	// Error is set when the probe could not complete.
	Error *Error `json:"error,omitempty"`

	// PeerCertificates is the chain the server presented, for DANE
	// matching by the caller. Not serialised.
	PeerCertificates []*x509.Certificate `json:"-"`
}

// Timings are step durations in milliseconds.
type Timings struct {
	// ConnectMs is the TCP connect time.
	ConnectMs float64 `json:"connectMs"`
	// BannerMs is the wait for the greeting after connecting.
	BannerMs float64 `json:"bannerMs"`
	// EHLOMs is the EHLO round trip.
	EHLOMs float64 `json:"ehloMs"`
	// HandshakeMs is the TLS handshake (STARTTLS round trip excluded).
	HandshakeMs float64 `json:"handshakeMs"`
	// TotalMs is the whole main probe, legacy check excluded.
	TotalMs float64 `json:"totalMs"`
}

// TLSInfo describes an established TLS session.
type TLSInfo struct {
	// Version is e.g. "TLS 1.3".
	Version string `json:"version"`
	// CipherSuite is the IANA name of the negotiated suite.
	CipherSuite string `json:"cipherSuite"`
	// ServerName is the SNI sent.
	ServerName string `json:"serverName,omitempty"`
	// Certificates is the chain as presented, leaf first.
	Certificates []CertInfo `json:"certificates"`
	// ChainVerified reports whether the chain verifies to a trusted root.
	ChainVerified bool `json:"chainVerified"`
	// ChainError explains a verification failure.
	ChainError string `json:"chainError,omitempty"`
	// ChainErrorKind is "expired", "not-yet-valid", "unknown-authority",
	// "self-signed", "invalid" or "" when verified.
	ChainErrorKind string `json:"chainErrorKind,omitempty"`
	// HostnameChecked is false when no host name was known.
	HostnameChecked bool `json:"hostnameChecked"`
	// HostnameMatch reports whether the leaf is valid for Host.
	HostnameMatch bool `json:"hostnameMatch"`
	// HostnameError explains a mismatch.
	HostnameError string `json:"hostnameError,omitempty"`
	// DaysToExpiry is the whole days until the leaf expires; negative
	// once expired.
	DaysToExpiry int `json:"daysToExpiry"`
}

// CertInfo describes one certificate.
type CertInfo struct {
	// Subject is the subject distinguished name.
	Subject string `json:"subject"`
	// Issuer is the issuer distinguished name.
	Issuer string `json:"issuer"`
	// SANs are the subject alternative names (DNS names, IPs, e-mails, URIs).
	SANs []string `json:"sans,omitempty"`
	// SerialNumber in hexadecimal.
	SerialNumber string `json:"serialNumber"`
	// NotBefore is the start of validity.
	NotBefore time.Time `json:"notBefore"`
	// NotAfter is the end of validity.
	NotAfter time.Time `json:"notAfter"`
	// KeyType is "RSA", "ECDSA", "Ed25519" or "unknown".
	KeyType string `json:"keyType"`
	// KeyBits is the key size (RSA modulus, ECDSA curve size).
	KeyBits int `json:"keyBits"`
	// SignatureAlgorithm is e.g. "SHA256-RSA".
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	// IsCA reports the basic constraints CA flag.
	IsCA bool `json:"isCA"`
	// SelfSigned reports subject == issuer with a valid self-signature.
	SelfSigned bool `json:"selfSigned"`
	// SHA256 is the certificate fingerprint in hexadecimal.
	SHA256 string `json:"sha256"`
}

// Legacy is the result of the TLS 1.0/1.1 handshake.
type Legacy struct {
	// Accepted reports whether the server completed a handshake limited to
	// TLS 1.0–1.1.
	Accepted bool `json:"accepted"`
	// Version is the version accepted.
	Version string `json:"version,omitempty"`
	// Error explains why the check could not be made or was refused.
	Error *Error `json:"error,omitempty"`
}

// Error kinds, in plain words.
const (
	KindRefused          = "refused"           // connection refused (RST)
	KindTimeout          = "timeout"           // a step ran out of time
	KindUnreachable      = "unreachable"       // no route, network down
	KindClosed           = "closed"            // the server hung up
	KindBlocked          = "blocked"           // the destination policy refused it
	KindRejected         = "rejected"          // the server answered 4xx/5xx
	KindProtocol         = "protocol-error"    // not SMTP, or malformed replies
	KindTooLong          = "reply-too-long"    // a reply exceeded the limits
	KindNoSTARTTLS       = "no-starttls"       // STARTTLS not offered
	KindSTARTTLSRefused  = "starttls-refused"  // STARTTLS answered non-220
	KindHandshakeFailure = "handshake-failure" // TLS handshake failed
	KindCanceled         = "canceled"          // the request was cancelled
	KindNetwork          = "network-error"     // any other network error
)

// Error is a probe failure.
type Error struct {
	// Step is where it happened: "connect", "banner", "ehlo", "starttls",
	// "handshake".
	Step string `json:"step"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Alert is the TLS alert received, e.g. "handshake failure".
	Alert string `json:"alert,omitempty"`
	// Message is a human-readable description.
	Message string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string { return e.Step + ": " + e.Kind + ": " + e.Message }

// Probe runs one probe. It returns a Result in every case; Result.Error
// tells whether and where it failed.
func Probe(ctx context.Context, o Options) *Result {
	o.defaults()
	res := &Result{Host: o.Host, Address: o.Addr.String(), Mode: o.Mode}
	if err := checkHeloName(o.HeloName); err != nil {
		// Refused before connecting: nothing is sent.
		res.Error = &Error{Step: "ehlo", Kind: KindProtocol, Message: err.Error()}
		return res
	}
	start := time.Now()
	s, err := o.session(ctx, res, o.tlsConfig(tls.VersionTLS10, tls.VersionTLS13), true)
	res.Timings.TotalMs = ms(time.Since(start))
	if s != nil {
		s.quit()
	}
	if err != nil {
		res.Error = err
		return res
	}
	v := res.TLS
	if o.SkipLegacy || v == nil {
		return res
	}
	if v.Version == versionName(tls.VersionTLS10) || v.Version == versionName(tls.VersionTLS11) {
		res.LegacyTLS = &Legacy{Accepted: true, Version: v.Version}
		return res
	}
	// RFC 8996 §2-3: TLS 1.0 and 1.1 MUST NOT be used; find out whether
	// the server would still agree to them.
	lres := &Result{Host: o.Host, Mode: o.Mode}
	ls, lerr := o.session(ctx, lres, o.tlsConfig(tls.VersionTLS10, tls.VersionTLS11), false)
	if ls != nil {
		ls.quit()
	}
	switch {
	case lerr == nil && lres.TLS != nil:
		res.LegacyTLS = &Legacy{Accepted: true, Version: lres.TLS.Version}
	case lerr != nil && lerr.Step == "handshake":
		res.LegacyTLS = &Legacy{Accepted: false}
	default:
		res.LegacyTLS = &Legacy{Error: lerr}
	}
	return res
}

// checkHeloName refuses a HELO name that could change the command it is
// written into. RFC 5321 §4.1.1.1: "EHLO" SP ( Domain / address-literal )
// CRLF; neither form contains controls, spaces or DEL (RFC 5321 §4.1.2,
// §4.1.3), and a CR or LF would end the command and start another
// (MAIL, RCPT, DATA), which the probe promises never to send.
func checkHeloName(name string) error {
	if len(name) > 255 {
		// RFC 5321 §4.5.3.1.2: a domain is at most 255 octets.
		return errors.New("HELO name longer than 255 octets")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c == 0x7f {
			return fmt.Errorf("HELO name contains the control or space byte 0x%02x at offset %d: refused", c, i)
		}
	}
	return nil
}

func (o *Options) defaults() {
	if o.StepTimeout <= 0 {
		o.StepTimeout = 10 * time.Second
	}
	if o.HeloName == "" {
		o.HeloName = "localhost"
	}
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Mode == "" {
		o.Mode = ModeSTARTTLS
	}
}

func (o *Options) tlsConfig(minV, maxV uint16) *tls.Config {
	suites := []uint16{}
	for _, cs := range tls.CipherSuites() {
		suites = append(suites, cs.ID)
	}
	// Offer the insecure suites too: the probe reports on what the server
	// accepts, it does not protect data.
	for _, cs := range tls.InsecureCipherSuites() {
		suites = append(suites, cs.ID)
	}
	sni := o.Host
	if _, err := netip.ParseAddr(sni); err == nil {
		sni = "" // RFC 6066 §3: literal IP addresses are not sent in SNI.
	}
	return &tls.Config{
		ServerName: sni,
		// Verified by hand in describeTLS, so that bad certificates are
		// reported on rather than aborting the handshake.
		InsecureSkipVerify: true, //nolint:gosec // manual verification follows
		MinVersion:         minV,
		MaxVersion:         maxV,
		CipherSuites:       suites,
	}
}

type session struct {
	conn net.Conn
	r    *bufio.Reader
	step time.Duration
}

func (s *session) deadline() { _ = s.conn.SetDeadline(time.Now().Add(s.step)) }

func (s *session) cmd(line string) (*Reply, error) {
	s.deadline()
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return nil, err
	}
	return ReadReply(s.r)
}

func (s *session) quit() {
	_ = s.conn.SetDeadline(time.Now().Add(time.Second))
	_, _ = io.WriteString(s.conn, "QUIT\r\n")
	_ = s.conn.Close()
}

// session runs connect → (TLS) → banner → EHLO → STARTTLS → handshake → EHLO,
// filling res. full=false stops after the handshake (legacy check).
func (o *Options) session(ctx context.Context, res *Result, cfg *tls.Config, full bool) (*session, *Error) {
	t := time.Now()
	dctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
	conn, err := o.Dialer.DialContext(dctx, "tcp", o.Addr.String())
	cancel()
	res.Timings.ConnectMs = ms(time.Since(t))
	if err != nil {
		return nil, classify("connect", err, ctx)
	}
	// Cancellation of the request closes the connection, which unblocks
	// any read in progress.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	s := &session{conn: conn, r: bufio.NewReaderSize(conn, 1024), step: o.StepTimeout}

	if o.Mode == ModeImplicitTLS {
		// RFC 8314 §3.3: TLS starts immediately; the greeting follows.
		if e := o.handshake(ctx, s, res, cfg); e != nil {
			return s, e
		}
		if !full {
			return s, nil
		}
	}

	t = time.Now()
	s.deadline()
	banner, err := ReadReply(s.r)
	res.Timings.BannerMs = ms(time.Since(t))
	if err != nil {
		return s, classify("banner", err, ctx)
	}
	if full {
		res.Banner = banner
	}
	// RFC 5321 §4.3.1 / §3.1: 554 (or any non-220) means no service.
	if banner.Code != 220 {
		return s, &Error{Step: "banner", Kind: KindRejected, Message: fmt.Sprintf("server greeted with %d %s", banner.Code, strings.Join(banner.Lines, " "))}
	}

	t = time.Now()
	rep, err := s.cmd("EHLO " + o.HeloName)
	res.Timings.EHLOMs = ms(time.Since(t))
	if err != nil {
		return s, classify("ehlo", err, ctx)
	}
	ehlo, err := ParseEHLO(rep)
	if err != nil {
		return s, classify("ehlo", err, ctx)
	}
	if full {
		res.EHLO = ehlo
	}
	if ehlo.Code != 250 {
		return s, &Error{Step: "ehlo", Kind: KindRejected, Message: fmt.Sprintf("EHLO answered %d %s", ehlo.Code, strings.Join(ehlo.Lines, " "))}
	}
	if o.Mode == ModeImplicitTLS {
		return s, nil
	}

	// RFC 3207 §4: STARTTLS is offered as an EHLO keyword.
	res.StartTLSOffered = ehlo.Has("STARTTLS")
	if !res.StartTLSOffered {
		return s, &Error{Step: "ehlo", Kind: KindNoSTARTTLS, Message: "the server does not offer STARTTLS"}
	}
	rep, err = s.cmd("STARTTLS")
	if err != nil {
		return s, classify("starttls", err, ctx)
	}
	// RFC 3207 §4: 220 Ready to start TLS; 454 TLS not available.
	if rep.Code != 220 {
		return s, &Error{Step: "starttls", Kind: KindSTARTTLSRefused, Message: fmt.Sprintf("STARTTLS answered %d %s", rep.Code, strings.Join(rep.Lines, " "))}
	}
	// RFC 3207 §5 (and CVE-2011-0411): nothing may be buffered past the
	// 220; data pipelined before the handshake is an injection attempt.
	if s.r.Buffered() > 0 {
		return s, &Error{Step: "starttls", Kind: KindProtocol, Message: "server sent data after 220 before the TLS handshake"}
	}
	if e := o.handshake(ctx, s, res, cfg); e != nil {
		return s, e
	}
	if !full {
		return s, nil
	}
	// RFC 3207 §4.2: the client MUST discard knowledge from before TLS
	// and SHOULD send EHLO again.
	rep, err = s.cmd("EHLO " + o.HeloName)
	if err != nil {
		return s, classify("ehlo", err, ctx)
	}
	if res.EHLOAfterTLS, err = ParseEHLO(rep); err != nil {
		return s, classify("ehlo", err, ctx)
	}
	return s, nil
}

func (o *Options) handshake(ctx context.Context, s *session, res *Result, cfg *tls.Config) *Error {
	t := time.Now()
	tc := tls.Client(s.conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, o.StepTimeout)
	err := tc.HandshakeContext(hctx)
	cancel()
	res.Timings.HandshakeMs = ms(time.Since(t))
	if err != nil {
		return classify("handshake", err, ctx)
	}
	s.conn = tc
	s.r = bufio.NewReaderSize(tc, 1024)
	st := tc.ConnectionState()
	res.PeerCertificates = st.PeerCertificates
	res.TLS = describeTLS(st, o.Host, o.Roots, o.Now())
	return nil
}

func describeTLS(st tls.ConnectionState, host string, roots *x509.CertPool, now time.Time) *TLSInfo {
	info := &TLSInfo{
		Version:      versionName(st.Version),
		CipherSuite:  tls.CipherSuiteName(st.CipherSuite),
		ServerName:   st.ServerName,
		Certificates: []CertInfo{},
	}
	for _, c := range st.PeerCertificates {
		info.Certificates = append(info.Certificates, DescribeCert(c))
	}
	if len(st.PeerCertificates) == 0 {
		info.ChainError, info.ChainErrorKind = "no certificate presented", "invalid"
		return info
	}
	leaf := st.PeerCertificates[0]
	info.DaysToExpiry = int(leaf.NotAfter.Sub(now).Hours() / 24)
	if leaf.NotAfter.Before(now) && info.DaysToExpiry == 0 {
		info.DaysToExpiry = -1
	}
	info.ChainVerified, info.ChainError, info.ChainErrorKind = VerifyChain(st.PeerCertificates, roots, now)
	if host != "" {
		info.HostnameChecked = true
		// RFC 7817 §3 / RFC 6125 §6.4: the reference identifier is the
		// MX host name (or the host name the user asked for).
		if err := leaf.VerifyHostname(strings.TrimSuffix(host, ".")); err != nil {
			info.HostnameError = err.Error()
		} else {
			info.HostnameMatch = true
		}
	}
	return info
}

// VerifyChain verifies chain (leaf first, as presented) against roots (nil:
// the system roots) at time now, for TLS server use. It returns whether it
// verified, and otherwise the error and its kind.
func VerifyChain(chain []*x509.Certificate, roots *x509.CertPool, now time.Time) (bool, string, string) {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err == nil {
		return true, "", ""
	}
	kind := "invalid"
	var cie x509.CertificateInvalidError
	var uae x509.UnknownAuthorityError
	switch {
	case errors.As(err, &cie) && cie.Reason == x509.Expired:
		kind = "expired"
		if now.Before(cie.Cert.NotBefore) {
			kind = "not-yet-valid"
		}
	case errors.As(err, &uae):
		kind = "unknown-authority"
		if len(chain) == 1 && isSelfSigned(chain[0]) {
			kind = "self-signed"
		}
	}
	return false, err.Error(), kind
}

// classify turns a Go error into a probe Error with a plain-words kind.
func classify(step string, err error, ctx context.Context) *Error {
	e := &Error{Step: step, Kind: KindNetwork, Message: err.Error()}
	var oe *net.OpError
	var ne net.Error
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		e.Kind = KindCanceled
	case ctx.Err() != nil:
		// The request's overall deadline closed the connection.
		e.Kind = KindTimeout
		e.Message = step + ": the request deadline was reached"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		e.Kind = KindTimeout
		e.Message = step + " timed out"
	case isRefusedByPolicy(err):
		e.Kind = KindBlocked
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = KindRefused
		e.Message = "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		e.Kind = KindUnreachable
	case errors.As(err, &oe) && oe.Op == "remote error":
		// The peer sent a TLS alert (RFC 8446 §6).
		e.Kind = KindHandshakeFailure
		e.Alert = strings.TrimPrefix(oe.Err.Error(), "tls: ")
		e.Message = "the server sent the TLS alert \"" + e.Alert + "\""
	case errors.Is(err, errTooLong):
		e.Kind = KindTooLong
	case errors.Is(err, errProtocol):
		e.Kind = KindProtocol
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		e.Kind = KindClosed
		e.Message = "the server closed the connection"
		if step == "handshake" {
			e.Kind = KindHandshakeFailure
			e.Message = "the server closed the connection during the TLS handshake"
		}
	case step == "handshake":
		e.Kind = KindHandshakeFailure
	}
	return e
}

// isRefusedByPolicy reports an error returned by a Dialer Control hook.
// The companion's hook returns *safenet.RefusedError; the probe recognises
// it by its method rather than importing the package.
func isRefusedByPolicy(err error) bool {
	var r interface{ IsPolicyRefusal() bool }
	return errors.As(err, &r) && r.IsPolicyRefusal()
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
