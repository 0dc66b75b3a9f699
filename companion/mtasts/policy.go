// Package mtasts implements the receiving-domain side checks of SMTP MTA
// Strict Transport Security, RFC 8461: the _mta-sts TXT record (§3.1), the
// policy file (§3.2) and its HTTPS fetch (§3.3), and MX host matching
// (§4.1).
package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxPolicyBytes is the largest policy body accepted. RFC 8461 §3.3:
// "senders SHOULD impose a limit on the maximum size of the response body
// (such as 64 KiB)".
const MaxPolicyBytes = 64 << 10

// MaxMaxAge is the largest max_age allowed: RFC 8461 §3.2, "up to 31557600"
// seconds (about one year).
const MaxMaxAge = 31557600

// ErrSyntax is wrapped by every parse error in this package.
var ErrSyntax = errors.New("mta-sts syntax error")

// Record is a parsed _mta-sts TXT record (RFC 8461 §3.1).
type Record struct {
	// Version is "STSv1".
	Version string `json:"version"`
	// ID is the policy instance ID, 1..32 alphanumerics.
	ID string `json:"id"`
	// Extensions holds any other key=value fields, in order.
	Extensions []Field `json:"extensions,omitempty"`
}

// Field is one extension key/value pair.
type Field struct {
	// Key is the field name.
	Key string `json:"key"`
	// Value is the field value.
	Value string `json:"value"`
}

// SelectRecord applies the RFC 8461 §3.1 rule to the TXT records found at
// _mta-sts.<domain>: records that do not begin with "v=STSv1" are discarded,
// and exactly one must remain and parse.
func SelectRecord(txts []string) (*Record, error) {
	var cand []string
	for _, t := range txts {
		if strings.HasPrefix(t, "v=STSv1") {
			cand = append(cand, t)
		}
	}
	switch len(cand) {
	case 0:
		return nil, fmt.Errorf("%w: no TXT record begins with v=STSv1", ErrSyntax)
	case 1:
		return ParseRecord(cand[0])
	}
	return nil, fmt.Errorf("%w: %d records begin with v=STSv1; exactly one is required (RFC 8461 §3.1)", ErrSyntax, len(cand))
}

// ParseRecord parses one _mta-sts TXT record.
//
// RFC 8461 §3.1:
//
//	sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//	sts-field-delim = *WSP ";" *WSP
//	sts-version     = %s"v=STSv1"
//	sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//	sts-extension   = sts-ext-name "=" sts-ext-value
//	sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//	sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
func ParseRecord(txt string) (*Record, error) {
	parts := strings.Split(txt, ";")
	if n := len(parts); n > 1 && strings.Trim(parts[n-1], " \t") == "" {
		parts = parts[:n-1] // optional trailing delimiter
	}
	r := &Record{}
	for i, p := range parts {
		p = strings.Trim(p, " \t")
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("%w: field %q has no '='", ErrSyntax, p)
		}
		switch {
		case i == 0:
			if p != "v=STSv1" {
				return nil, fmt.Errorf("%w: record must begin with v=STSv1", ErrSyntax)
			}
			r.Version = "STSv1"
		case k == "id":
			if r.ID != "" {
				return nil, fmt.Errorf("%w: id given twice", ErrSyntax)
			}
			if len(v) < 1 || len(v) > 32 || !isAlnum(v) {
				return nil, fmt.Errorf("%w: id %q must be 1 to 32 letters and digits", ErrSyntax, v)
			}
			r.ID = v
		case k == "v":
			return nil, fmt.Errorf("%w: v given twice", ErrSyntax)
		default:
			if !isExtName(k) || !isExtValue(v) {
				return nil, fmt.Errorf("%w: malformed extension field %q", ErrSyntax, p)
			}
			r.Extensions = append(r.Extensions, Field{k, v})
		}
	}
	if r.ID == "" {
		return nil, fmt.Errorf("%w: id is required", ErrSyntax)
	}
	return r, nil
}

// Mode is the policy mode (RFC 8461 §5).
type Mode string

// The three modes of RFC 8461 §5.
const (
	ModeEnforce Mode = "enforce"
	ModeTesting Mode = "testing"
	ModeNone    Mode = "none"
)

// Policy is a parsed policy file (RFC 8461 §3.2).
type Policy struct {
	// Version is "STSv1".
	Version string `json:"version"`
	// Mode is enforce, testing or none.
	Mode Mode `json:"mode"`
	// MaxAge is the cache lifetime in seconds.
	MaxAge int64 `json:"maxAge"`
	// MX are the allowed MX host patterns.
	MX []string `json:"mx"`
	// Extensions holds unknown key/value pairs.
	Extensions []Field `json:"extensions,omitempty"`
	// Warnings note tolerated oddities (duplicate keys, unknown lines).
	Warnings []string `json:"warnings,omitempty"`
}

// ParsePolicy parses and validates a policy body.
//
// RFC 8461 §3.2: lines of "key: value" separated by CRLF or LF (erratum
// 6253); version, mode and max_age are required, mx is repeated once per
// pattern and required unless the mode is none; unknown keys are ignored as
// extensions.
//
//	sts-policy-term       = LF / CRLF
//	sts-policy-field-delim = ":" *WSP
//	sts-policy-version    = sts-policy-version-field sts-policy-field-delim "STSv1"
//	sts-policy-mode-value = "testing" / "enforce" / "none"
//	sts-policy-mx-value   = ["*."] Domain
//	sts-policy-max-age-value = 1*10(DIGIT)
func ParsePolicy(body []byte) (*Policy, error) {
	if len(body) > MaxPolicyBytes {
		return nil, fmt.Errorf("%w: policy larger than %d bytes", ErrSyntax, MaxPolicyBytes)
	}
	p := &Policy{MX: []string{}}
	seen := map[string]bool{}
	haveMaxAge := false
	for n, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.Trim(line, " \t") == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%w: line %d has no ':'", ErrSyntax, n+1)
		}
		v = strings.Trim(v, " \t")
		if !isExtName(k) {
			return nil, fmt.Errorf("%w: line %d: bad field name %q", ErrSyntax, n+1, k)
		}
		if k != "mx" && seen[k] {
			// §3.2 defines single-valued fields; keep the first.
			p.Warnings = append(p.Warnings, fmt.Sprintf("field %q repeated on line %d; the first value is used", k, n+1))
			continue
		}
		seen[k] = true
		switch k {
		case "version":
			if v != "STSv1" {
				return nil, fmt.Errorf("%w: version %q, want STSv1", ErrSyntax, v)
			}
			p.Version = v
		case "mode":
			switch Mode(v) {
			case ModeEnforce, ModeTesting, ModeNone:
				p.Mode = Mode(v)
			default:
				return nil, fmt.Errorf("%w: mode %q, want enforce, testing or none", ErrSyntax, v)
			}
		case "max_age":
			if len(v) < 1 || len(v) > 10 || !isDigits(v) {
				return nil, fmt.Errorf("%w: max_age %q is not 1 to 10 digits", ErrSyntax, v)
			}
			age, _ := strconv.ParseInt(v, 10, 64)
			if age > MaxMaxAge {
				return nil, fmt.Errorf("%w: max_age %d exceeds %d (RFC 8461 §3.2)", ErrSyntax, age, MaxMaxAge)
			}
			p.MaxAge, haveMaxAge = age, true
		case "mx":
			pat := strings.ToLower(strings.TrimSuffix(v, "."))
			if !validPattern(pat) {
				return nil, fmt.Errorf("%w: mx %q is not a host name or *.domain pattern", ErrSyntax, v)
			}
			p.MX = append(p.MX, pat)
		default:
			if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				return nil, fmt.Errorf("%w: line %d: bad extension value", ErrSyntax, n+1)
			}
			p.Extensions = append(p.Extensions, Field{k, v})
		}
	}
	switch {
	case p.Version == "":
		return nil, fmt.Errorf("%w: version is required", ErrSyntax)
	case p.Mode == "":
		return nil, fmt.Errorf("%w: mode is required", ErrSyntax)
	case !haveMaxAge:
		return nil, fmt.Errorf("%w: max_age is required", ErrSyntax)
	case len(p.MX) == 0 && p.Mode != ModeNone:
		return nil, fmt.Errorf("%w: at least one mx is required in mode %s", ErrSyntax, p.Mode)
	}
	return p, nil
}

// Matches reports whether host is allowed by one of the policy's mx
// patterns (RFC 8461 §4.1).
func (p *Policy) Matches(host string) bool {
	for _, pat := range p.MX {
		if MatchPattern(pat, host) {
			return true
		}
	}
	return false
}

// MatchPattern reports whether host matches pattern.
//
// RFC 8461 §4.1: comparison is case-insensitive; a pattern "*.example.com"
// matches exactly one leftmost label, so "mx.example.com" but neither
// "example.com" nor "a.b.example.com". Trailing dots are ignored.
func MatchPattern(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == "" || host == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		label, parent, ok := strings.Cut(host, ".")
		return ok && label != "" && label != "*" && parent == rest
	}
	return pattern == host
}

func validPattern(p string) bool {
	p = strings.TrimPrefix(p, "*.")
	if p == "" || len(p) > 253 {
		return false
	}
	for _, l := range strings.Split(p, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isExtName: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
func isExtName(s string) bool {
	if len(s) < 1 || len(s) > 32 || !isAlnum(s[:1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(s[i:i+1]) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isExtValue: 1*(%x21-3A / %x3C / %x3E-7E).
func isExtValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}
