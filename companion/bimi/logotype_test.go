package bimi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/asn1"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"headerlens/companion/internal/testenv"
)

func ia5(t *testing.T, s string) []byte {
	b, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(s)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wrap(t *testing.T, depth int, inner []byte) []byte {
	for range depth {
		b, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: inner})
		if err != nil {
			t.Fatal(err)
		}
		inner = b
	}
	return inner
}

func TestLogotypeSVG(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte(" "), MaxLogoBytes+10))
	zw.Close()
	tests := []struct {
		name    string
		der     []byte
		want    string // the SVG; "" with no error: none embedded
		wantErr string
	}{
		{"issuer form, gzip", testenv.LogotypeExtension(t, []byte(goodSVG)), goodSVG, ""},
		{"plain base64", wrap(t, 3, ia5(t, "data:image/svg+xml;base64,"+base64.StdEncoding.EncodeToString([]byte(goodSVG)))), goodSVG, ""},
		{"no SVG URI", wrap(t, 2, ia5(t, "https://example.com/logo.svg")), "", ""},
		{"not base64", wrap(t, 1, ia5(t, "data:image/svg+xml,<svg/>")), "", "not in base64"},
		{"bad base64", wrap(t, 1, ia5(t, "data:image/svg+xml;base64,@@@")), "", "base64"},
		{"gzip bomb", wrap(t, 1, ia5(t, "data:image/svg+xml;base64,"+base64.StdEncoding.EncodeToString(bomb.Bytes()))), "", "over"},
		{"truncated DER", []byte{0x30, 0x10, 0x16}, "", "malformed DER"},
		{"too deep", wrap(t, maxDERDepth+2, ia5(t, "x")), "", "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LogotypeSVG(tt.der)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("LogotypeSVG = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestCompareLogo fetches a mark certificate and logos over HTTPS and
// compares the logotype's image with each logo.
func TestCompareLogo(t *testing.T) {
	ca := testenv.NewCA(t, "Mark Test Root")
	chain := ca.MarkCertificate(t, "Example Brand", []byte(goodSVG))
	other := strings.Replace(goodSVG, "#00f", "#f00", 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/vmc.pem", func(w http.ResponseWriter, _ *http.Request) { w.Write(chain) })
	mux.HandleFunc("/same.svg", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(goodSVG)) })
	mux.HandleFunc("/other.svg", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(other)) })
	f := server(t, mux, nil)
	f.VMCRoots = ca.Pool()
	for _, tt := range []struct {
		logo string
		want bool
	}{{"same.svg", true}, {"other.svg", false}} {
		c := f.FetchCertificate(context.Background(), "https://logo.example.com/vmc.pem", time.Now())
		if c.Error != "" || !c.Logotype || !c.BIMIUsage || !c.ChainVerified || len(c.Problems) != 0 {
			t.Fatalf("certificate: %+v", c)
		}
		l := f.FetchLogo(context.Background(), "https://logo.example.com/"+tt.logo)
		c.CompareLogo(l)
		if c.LogoMatches == nil || *c.LogoMatches != tt.want {
			t.Errorf("%s: LogoMatches = %v, want %v", tt.logo, c.LogoMatches, tt.want)
		}
		if mismatch := len(c.Problems) == 1 && strings.Contains(c.Problems[0], "not the image embedded"); mismatch == tt.want {
			t.Errorf("%s: problems %q", tt.logo, c.Problems)
		}
	}
	// Nothing to compare: no verdict, no problem.
	var none *Certificate
	none.CompareLogo(&Logo{})
	c := &Certificate{}
	c.CompareLogo(nil)
	if c.LogoMatches != nil || len(c.Problems) != 0 {
		t.Errorf("compared with no logo: %+v", c)
	}
}

// FuzzLogotypeSVG: any extension value gives an answer, never a panic.
func FuzzLogotypeSVG(f *testing.F) {
	f.Add(testenv.LogotypeExtension(f, []byte(goodSVG)))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		svg, err := LogotypeSVG(der)
		if err == nil && len(svg) > MaxLogoBytes {
			t.Fatalf("returned %d bytes, over MaxLogoBytes", len(svg))
		}
	})
}
