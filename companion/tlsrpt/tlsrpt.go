// Package tlsrpt parses and validates SMTP TLS Reporting records, RFC 8460
// §3: the TXT record at _smtp._tls.<domain> that names where sending MTAs
// deliver their daily TLS reports.
package tlsrpt

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("tls-rpt syntax error")

// Record is a parsed TLS-RPT record.
type Record struct {
	// Version is "TLSRPTv1".
	Version string `json:"version"`
	// RUA are the reporting URIs, mailto: or https:.
	RUA []string `json:"rua"`
	// Extensions holds other name=value fields.
	Extensions []string `json:"extensions,omitempty"`
}

// Select applies RFC 8460 §3: records not beginning with "v=TLSRPTv1" are
// discarded; if the number left is not one, the domain does not implement
// TLS-RPT.
func Select(txts []string) (*Record, error) {
	var cand []string
	for _, t := range txts {
		if strings.HasPrefix(t, "v=TLSRPTv1") {
			cand = append(cand, t)
		}
	}
	switch len(cand) {
	case 0:
		return nil, fmt.Errorf("%w: no TXT record begins with v=TLSRPTv1", ErrSyntax)
	case 1:
		return Parse(cand[0])
	}
	return nil, fmt.Errorf("%w: %d records begin with v=TLSRPTv1; exactly one is required (RFC 8460 §3)", ErrSyntax, len(cand))
}

// Parse parses one TLS-RPT record.
//
// RFC 8460 §3:
//
//	tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//	field-delim    = *WSP ";" *WSP
//	tlsrpt-version = %s"v=TLSRPTv1"
//	tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//	tlsrpt-uri     = URI  ; mailto: (RFC 6068) or https: (RFC 2818)
//	tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
func Parse(txt string) (*Record, error) {
	parts := strings.Split(txt, ";")
	if n := len(parts); n > 1 && strings.Trim(parts[n-1], " \t") == "" {
		parts = parts[:n-1]
	}
	r := &Record{}
	haveRUA := false
	for i, p := range parts {
		p = strings.Trim(p, " \t")
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("%w: field %q has no '='", ErrSyntax, p)
		}
		switch {
		case i == 0:
			if p != "v=TLSRPTv1" {
				return nil, fmt.Errorf("%w: record must begin with v=TLSRPTv1", ErrSyntax)
			}
			r.Version = "TLSRPTv1"
		case k == "rua":
			if haveRUA {
				return nil, fmt.Errorf("%w: rua given twice", ErrSyntax)
			}
			haveRUA = true
			for _, u := range strings.Split(v, ",") {
				u = strings.Trim(u, " \t")
				if err := checkURI(u); err != nil {
					return nil, err
				}
				r.RUA = append(r.RUA, u)
			}
		case k == "v":
			return nil, fmt.Errorf("%w: v given twice", ErrSyntax)
		default:
			if !validExtName(k) || v == "" || strings.ContainsAny(v, " \t;=") {
				return nil, fmt.Errorf("%w: malformed extension field %q", ErrSyntax, p)
			}
			r.Extensions = append(r.Extensions, p)
		}
	}
	if !haveRUA {
		return nil, fmt.Errorf("%w: rua is required", ErrSyntax)
	}
	return r, nil
}

// checkURI accepts the two schemes RFC 8460 §3 defines for rua.
func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return fmt.Errorf("%w: rua %q is not a URI", ErrSyntax, s)
	}
	switch strings.ToLower(u.Scheme) {
	case "mailto":
		// RFC 6068 §2: mailto:addr-spec; percent-encoded, no query needed.
		addr := u.Opaque
		if addr == "" {
			addr = u.Path
		}
		if a, err := url.PathUnescape(addr); err == nil {
			addr = a
		}
		if _, err := mail.ParseAddress(addr); err != nil || !strings.Contains(addr, "@") {
			return fmt.Errorf("%w: rua %q is not a valid mailto: address", ErrSyntax, s)
		}
	case "https":
		if u.Host == "" || u.User != nil {
			return fmt.Errorf("%w: rua %q is not a valid https: URL", ErrSyntax, s)
		}
	default:
		return fmt.Errorf("%w: rua %q: scheme must be mailto: or https: (RFC 8460 §3)", ErrSyntax, s)
	}
	return nil
}

// tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
func validExtName(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '_' && c != '-' && c != '.')) {
			return false
		}
	}
	return true
}
