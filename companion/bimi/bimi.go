// Package bimi fetches and checks the assets a BIMI record names
// (draft-brand-indicators-for-message-identification): the logo, an SVG
// that must follow the SVG Tiny Portable/Secure profile
// (draft-svg-tiny-ps-abrotman), and the Verified Mark Certificate, a PEM
// chain whose leaf carries the logotype extension (RFC 3709) and the BIMI
// extended key usage. Fetches follow the companion's SSRF rules: HTTPS
// only, vetted public addresses dialled directly, size and time caps, and
// no redirects.
package bimi

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"headerlens/companion/safenet"
)

// Size caps.
const (
	// MaxLogoBytes bounds the SVG read; BIMI asks for logos of at most
	// 32 KiB.
	MaxLogoBytes = 32 << 10
	// MaxCertBytes bounds the PEM chain read.
	MaxCertBytes = 64 << 10
	// maxCerts bounds the certificates parsed from a chain.
	maxCerts = 8
)

// OIDs checked in the certificate.
var (
	// oidLogotype is id-pe-logotype (RFC 3709 §4.1).
	oidLogotype = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 12}
	// oidBIMIEKU is id-kp-BrandIndicatorforMessageIdentification.
	oidBIMIEKU = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 31}
)

// Fetcher retrieves BIMI assets.
type Fetcher struct {
	// Resolve returns the addresses of a host name. Required.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Check vets a resolved address before it is dialled (safenet's
	// Policy.Check); nil allows all.
	Check func(netip.Addr) error
	// Dialer opens connections; its Control hook should enforce the
	// policy again at connect time (safenet's Policy.Dialer).
	Dialer *net.Dialer
	// Roots verifies the HTTPS servers' certificates; nil: system roots.
	Roots *x509.CertPool
	// VMCRoots verifies the Verified Mark Certificate chain; nil: the
	// chain is not verified and the result says so.
	VMCRoots *x509.CertPool
	// Port is the HTTPS port; 0 means 443. Tests use another port.
	Port int
	// Timeout bounds each fetch; 0 means 10 seconds.
	Timeout time.Duration
}

// Fetch is the outcome of one HTTPS GET.
type Fetch struct {
	// URL is the URL asked for.
	URL string `json:"url"`
	// Status is the HTTP status.
	Status int `json:"status,omitempty"`
	// ContentType is the Content-Type received.
	ContentType string `json:"contentType,omitempty"`
	// Bytes is the body length read.
	Bytes int `json:"bytes"`
	// Error says why the fetch failed.
	Error string `json:"error,omitempty"`
}

// Logo is the result for the l= SVG.
type Logo struct {
	Fetch
	// Problems are the SVG Tiny PS rules broken.
	Problems []string `json:"problems,omitempty"`
	// Valid is true when fetched and no rule is broken.
	Valid bool `json:"valid"`
	// body is the SVG received, for CompareLogo.
	body []byte
}

// Certificate is the result for the a= certificate chain.
type Certificate struct {
	Fetch
	// Subject is the leaf's subject.
	Subject string `json:"subject,omitempty"`
	// NotAfter is the leaf's expiry (RFC 3339).
	NotAfter string `json:"notAfter,omitempty"`
	// Logotype is true when the leaf carries the logotype extension.
	Logotype bool `json:"logotype"`
	// BIMIUsage is true when the leaf has the BIMI extended key usage.
	BIMIUsage bool `json:"bimiUsage"`
	// ChainVerified is true when the chain verified against VMCRoots.
	ChainVerified bool `json:"chainVerified"`
	// LogoMatches says whether the SVG embedded in the logotype
	// extension is the logo at l=; nil when they could not be compared
	// (either is missing).
	LogoMatches *bool `json:"logoMatches,omitempty"`
	// embedded is the SVG image of the logotype extension.
	embedded []byte
	// Problems say what is wrong.
	Problems []string `json:"problems,omitempty"`
}

// get fetches rawURL under the SSRF rules and returns at most limit bytes.
func (f *Fetcher) get(ctx context.Context, rawURL string, limit int64, res *Fetch) ([]byte, error) {
	res.URL = rawURL
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return nil, errors.New("not an https:// URL with a host name")
	}
	if u.Port() != "" && u.Port() != "443" {
		return nil, errors.New("only the HTTPS port 443 is fetched")
	}
	host := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(host); err == nil {
		return nil, errors.New("the URL names an IP address, not a host name")
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addrs, err := f.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	target, err := safenet.FirstAllowed(host, addrs, f.Check)
	if err != nil {
		return nil, err
	}
	port := f.Port
	if port == 0 {
		port = 443
	}
	dst := netip.AddrPortFrom(target, uint16(port)).String()
	client, done := safenet.PinnedClient(f.Dialer, dst, host, f.Roots, timeout)
	defer done()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "headerlens-companion (BIMI check)")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	res.Status, res.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, fmt.Errorf("HTTP %d redirect not followed", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d, want 200", resp.StatusCode)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("Content-Length %d exceeds %d bytes", resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	res.Bytes = len(body)
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("body exceeds %d bytes", limit)
	}
	return body, nil
}

// FetchLogo fetches the l= URL and checks it against the SVG Tiny PS
// profile.
func (f *Fetcher) FetchLogo(ctx context.Context, rawURL string) *Logo {
	l := &Logo{}
	body, err := f.get(ctx, rawURL, MaxLogoBytes, &l.Fetch)
	if err != nil {
		l.Error = err.Error()
		return l
	}
	l.body = body
	l.Problems = CheckSVG(body)
	l.Valid = len(l.Problems) == 0
	return l
}

// forbidden are the elements SVG Tiny PS excludes
// (draft-svg-tiny-ps-abrotman §2: no scripts, animation, interactivity,
// raster images or embedded foreign content).
var forbidden = map[string]bool{
	"script": true, "animate": true, "animateMotion": true, "animateColor": true,
	"animateTransform": true, "set": true, "image": true, "foreignObject": true,
	"a": true, "video": true, "audio": true, "iframe": true, "handler": true,
}

// maxSVGTokens bounds the XML tokens examined.
const maxSVGTokens = 20000

// CheckSVG returns the SVG Tiny PS rules svg breaks
// (draft-svg-tiny-ps-abrotman §2); nil when none.
func CheckSVG(svg []byte) []string {
	var problems []string
	add := func(p string) {
		for _, q := range problems {
			if q == p {
				return
			}
		}
		problems = append(problems, p)
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	// No external entities or DTD-driven expansion: a DOCTYPE with
	// entities is refused outright.
	depth, root, title := 0, false, false
	for n := 0; ; n++ {
		if n > maxSVGTokens {
			add("too many XML tokens")
			break
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			add("not well-formed XML: " + err.Error())
			break
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				add("a DOCTYPE declaring entities")
			}
		case xml.StartElement:
			depth++
			name := t.Name.Local
			if depth == 1 {
				root = true
				if name != "svg" {
					add("the root element is " + name + ", not svg")
				}
				var profile, version string
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "baseProfile":
						profile = a.Value
					case "version":
						version = a.Value
					case "x", "y":
						add("x or y attribute on the root svg element")
					}
				}
				if profile != "tiny-ps" {
					add(`baseProfile is not "tiny-ps"`)
				}
				if version != "1.2" {
					add(`version is not "1.2"`)
				}
			}
			if name == "title" && depth == 2 {
				title = true
			}
			if forbidden[name] {
				add("forbidden element <" + name + ">")
			}
			for _, a := range t.Attr {
				if a.Name.Local == "href" && !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
					add("a reference outside the document (" + clip(a.Value) + ")")
				}
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					add("event attribute " + a.Name.Local)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !root {
		add("no root element")
	} else if !title {
		add("no <title> child of the root svg element")
	}
	return problems
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// FetchCertificate fetches the a= URL, a PEM chain, and checks its leaf.
func (f *Fetcher) FetchCertificate(ctx context.Context, rawURL string, now time.Time) *Certificate {
	c := &Certificate{}
	body, err := f.get(ctx, rawURL, MaxCertBytes, &c.Fetch)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	var certs []*x509.Certificate
	for rest := body; len(certs) < maxCerts; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			c.Problems = append(c.Problems, "a certificate does not parse: "+err.Error())
			continue
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		c.Problems = append(c.Problems, "no PEM certificate found")
		return c
	}
	leaf := certs[0]
	c.Subject, c.NotAfter = leaf.Subject.String(), leaf.NotAfter.UTC().Format(time.RFC3339)
	for _, e := range leaf.Extensions {
		if e.Id.Equal(oidLogotype) {
			c.Logotype = true
			svg, err := LogotypeSVG(e.Value)
			if err != nil {
				c.Problems = append(c.Problems, "the logotype extension's image cannot be read: "+err.Error())
			}
			c.embedded = svg
		}
	}
	for _, u := range leaf.UnknownExtKeyUsage {
		if u.Equal(oidBIMIEKU) {
			c.BIMIUsage = true
		}
	}
	if !c.Logotype {
		c.Problems = append(c.Problems, "the leaf has no logotype extension (RFC 3709)")
	}
	if !c.BIMIUsage {
		c.Problems = append(c.Problems, "the leaf lacks the BIMI extended key usage")
	}
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		c.Problems = append(c.Problems, "the leaf is not valid now")
	}
	if f.VMCRoots == nil {
		c.Problems = append(c.Problems, "the chain was not verified: no mark certificate roots are configured")
		return c
	}
	inter := x509.NewCertPool()
	for _, x := range certs[1:] {
		inter.AddCert(x)
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: f.VMCRoots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		c.Problems = append(c.Problems, "the chain does not verify: "+err.Error())
	} else {
		c.ChainVerified = true
	}
	return c
}
