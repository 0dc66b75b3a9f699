package bimi

import (
	"bytes"
	"compress/gzip"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The logotype extension (RFC 3709 §4.1) of a mark certificate embeds the
// mark itself: a data: URI (RFC 2397) of type image/svg+xml, usually
// gzip-compressed (RFC 6170 §5), inside LogotypeDetails.logotypeURI. The
// module's tagging (RFC 3709 Appendix A uses implicit tags, with explicit
// ones on the extension's fields) differs between issuers in practice, so
// the extension is walked as a DER tree and the IA5String URIs are taken
// wherever they sit.

// maxDERDepth and maxDERNodes bound the walk of an extension.
const (
	maxDERDepth = 16
	maxDERNodes = 4096
)

// svgDataPrefix is the start of an embedded SVG image URI.
const svgDataPrefix = "data:image/svg+xml"

// LogotypeSVG returns the first SVG image embedded as a data: URI in the
// DER value of a logotype extension, decompressed, at most MaxLogoBytes.
// It returns nil and no error when the extension embeds no SVG.
func LogotypeSVG(der []byte) ([]byte, error) {
	var uris []string
	nodes := 0
	var walk func(b []byte, depth int) error
	walk = func(b []byte, depth int) error {
		for len(b) > 0 {
			if nodes++; nodes > maxDERNodes {
				return errors.New("too many DER elements")
			}
			var v asn1.RawValue
			rest, err := asn1.Unmarshal(b, &v)
			if err != nil {
				return fmt.Errorf("malformed DER: %v", err)
			}
			b = rest
			switch {
			case v.IsCompound:
				if depth >= maxDERDepth {
					return errors.New("DER nested too deeply")
				}
				if err := walk(v.Bytes, depth+1); err != nil {
					return err
				}
			case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagIA5String:
				if s := string(v.Bytes); len(s) >= len(svgDataPrefix) && strings.EqualFold(s[:len(svgDataPrefix)], svgDataPrefix) {
					uris = append(uris, s)
				}
			}
		}
		return nil
	}
	if err := walk(der, 0); err != nil {
		return nil, err
	}
	if len(uris) == 0 {
		return nil, nil
	}
	return decodeSVGDataURI(uris[0])
}

// decodeSVGDataURI decodes "data:image/svg+xml[;params];base64,DATA"
// (RFC 2397 §3), gunzipping DATA when it is gzip (RFC 1952 §2.3.1 magic).
func decodeSVGDataURI(uri string) ([]byte, error) {
	meta, data, ok := strings.Cut(uri, ",")
	if !ok {
		return nil, errors.New("data: URI without a comma")
	}
	if !strings.HasSuffix(strings.ToLower(meta), ";base64") {
		return nil, errors.New("data: URI not in base64")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("data: URI base64: %v", err)
	}
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		if len(raw) > MaxLogoBytes {
			return nil, fmt.Errorf("embedded image over %d bytes", MaxLogoBytes)
		}
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("embedded image gzip: %v", err)
	}
	svg, err := io.ReadAll(io.LimitReader(zr, MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("embedded image gzip: %v", err)
	}
	if len(svg) > MaxLogoBytes {
		return nil, fmt.Errorf("embedded image over %d bytes once decompressed", MaxLogoBytes)
	}
	return svg, nil
}

// CompareLogo sets c.LogoMatches from the logo fetched at l=: a mark
// certificate vouches for one image, so the logo a receiver shows must be
// the one embedded in its logotype extension (the BIMI draft's validation
// of the evidence document compares them). It does nothing when c or l is nil or
// either image is missing.
func (c *Certificate) CompareLogo(l *Logo) {
	if c == nil || l == nil || c.embedded == nil || l.body == nil {
		return
	}
	same := bytes.Equal(bytes.TrimSpace(c.embedded), bytes.TrimSpace(l.body))
	c.LogoMatches = &same
	if !same {
		c.Problems = append(c.Problems, "the logo at l= is not the image embedded in the certificate's logotype extension")
	}
}
