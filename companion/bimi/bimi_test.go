package bimi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"headerlens/companion/safenet"
)

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10">
<title>Example</title><rect width="10" height="10" fill="#00f"/></svg>`

func TestCheckSVG(t *testing.T) {
	tests := []struct {
		name string
		svg  string
		want []string // substrings of expected problems; none: valid
	}{
		{"good", goodSVG, nil},
		{"script", strings.Replace(goodSVG, "<rect", "<script>alert(1)</script><rect", 1), []string{"forbidden element <script>"}},
		{"external image", strings.Replace(goodSVG, "<rect", `<image href="https://x.example/a.png"/><rect`, 1), []string{"forbidden element <image>", "outside the document"}},
		{"animation", strings.Replace(goodSVG, "<rect", `<animate attributeName="x"/><rect`, 1), []string{"<animate>"}},
		{"wrong profile", strings.Replace(goodSVG, "tiny-ps", "tiny", 1), []string{"baseProfile"}},
		{"no title", strings.Replace(goodSVG, "<title>Example</title>", "", 1), []string{"no <title>"}},
		{"root x", strings.Replace(goodSVG, `viewBox=`, `x="1" viewBox=`, 1), []string{"x or y attribute"}},
		{"event", strings.Replace(goodSVG, `<rect `, `<rect onclick="x()" `, 1), []string{"event attribute"}},
		{"entity", `<!DOCTYPE svg [<!ENTITY a "b">]>` + goodSVG[strings.Index(goodSVG, "<svg"):], []string{"entities"}},
		{"not svg", `<html><title>x</title></html>`, []string{"root element is html"}},
		{"broken", `<svg`, []string{"not well-formed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSVG([]byte(tt.svg))
			if len(tt.want) == 0 && len(got) != 0 {
				t.Fatalf("problems %v, want none", got)
			}
			for _, w := range tt.want {
				found := false
				for _, p := range got {
					found = found || strings.Contains(p, w)
				}
				if !found {
					t.Errorf("no problem containing %q in %v", w, got)
				}
			}
		})
	}
}

// server starts a local HTTPS server and a Fetcher that reaches it for
// any host name; check vets the address (nil: allowed).
func server(t *testing.T, h http.Handler, check func(netip.Addr) error) *Fetcher {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ap := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "https://"))
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return &Fetcher{
		Resolve: func(context.Context, string) ([]netip.Addr, error) { return []netip.Addr{ap.Addr()}, nil },
		Check:   check,
		Roots:   roots,
		Port:    int(ap.Port()),
		Timeout: 5 * time.Second,
	}
}

func TestFetchLogo(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/good.svg", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(goodSVG)) })
	mux.HandleFunc("/script.svg", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(strings.Replace(goodSVG, "<rect", "<script>x</script><rect", 1)))
	})
	mux.HandleFunc("/big.svg", func(w http.ResponseWriter, _ *http.Request) { w.Write(make([]byte, MaxLogoBytes+10)) })
	mux.HandleFunc("/redirect.svg", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://other.example/good.svg", http.StatusFound)
	})
	f := server(t, mux, nil)
	// httptest's certificate covers *.example.com.
	tests := []struct {
		url   string
		valid bool
		err   string
	}{
		{"https://logo.example.com/good.svg", true, ""},
		{"https://logo.example.com/script.svg", false, ""},
		{"https://logo.example.com/big.svg", false, "exceeds"},
		{"https://logo.example.com/redirect.svg", false, "redirect not followed"},
		{"http://localhost/good.svg", false, "not an https"},
		{"https://127.0.0.1/good.svg", false, "IP address"},
		{"https://logo.example.com:8443/good.svg", false, "port 443"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			l := f.FetchLogo(context.Background(), tt.url)
			if l.Valid != tt.valid {
				t.Errorf("valid = %v, want %v (error %q, problems %v)", l.Valid, tt.valid, l.Error, l.Problems)
			}
			if !strings.Contains(l.Error, tt.err) || (tt.err == "" && l.Error != "") {
				t.Errorf("error = %q, want %q", l.Error, tt.err)
			}
		})
	}
}

// TestFetchRefusesPrivate checks that safenet's default policy keeps the
// fetcher off loopback addresses.
func TestFetchRefusesPrivate(t *testing.T) {
	f := server(t, http.NotFoundHandler(), safenet.Policy{}.Check)
	l := f.FetchLogo(context.Background(), "https://logo.example.com/good.svg")
	if l.Error == "" || l.Status != 0 {
		t.Fatalf("fetched a loopback address: %+v", l)
	}
}

func TestFetchCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mk := func(ext bool) []byte {
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "Example Mark " + strconv.FormatBool(ext)},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.Add(time.Hour),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		}
		if ext {
			tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidBIMIEKU}
			tmpl.ExtraExtensions = []pkix.Extension{{Id: oidLogotype, Value: []byte{0x30, 0x00}}}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	vmc, plain := mk(true), mk(false)
	mux := http.NewServeMux()
	mux.HandleFunc("/vmc.pem", func(w http.ResponseWriter, _ *http.Request) { w.Write(vmc) })
	mux.HandleFunc("/plain.pem", func(w http.ResponseWriter, _ *http.Request) { w.Write(plain) })
	f := server(t, mux, nil)
	root, _ := pem.Decode(vmc)
	leaf, err := x509.ParseCertificate(root.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	f.VMCRoots = x509.NewCertPool()
	f.VMCRoots.AddCert(leaf)

	tests := []struct {
		url                       string
		logotype, usage, verified bool
		problems                  int
	}{
		{"https://logo.example.com/vmc.pem", true, true, true, 0},
		{"https://logo.example.com/plain.pem", false, false, false, 3},
	}
	for _, tt := range tests {
		c := f.FetchCertificate(context.Background(), tt.url, now)
		if c.Error != "" {
			t.Fatalf("%s: %s", tt.url, c.Error)
		}
		if c.Logotype != tt.logotype || c.BIMIUsage != tt.usage || c.ChainVerified != tt.verified || len(c.Problems) != tt.problems {
			t.Errorf("%s: got logotype %v usage %v verified %v problems %v", tt.url, c.Logotype, c.BIMIUsage, c.ChainVerified, c.Problems)
		}
	}
}

// FuzzCheckSVG: any input gives an answer, never a panic.
func FuzzCheckSVG(f *testing.F) {
	f.Add([]byte(goodSVG))
	f.Add([]byte(`<svg><script/></svg>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > MaxLogoBytes {
			return
		}
		_ = CheckSVG(b)
	})
}
