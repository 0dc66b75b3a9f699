package dkim

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"headerlens/analyzer/internal/dkimcore"
)

// Signature is a parsed DKIM-Signature header field (RFC 6376 §3.5).
type Signature struct {
	// Raw is the header field as received, used for the header hash.
	Raw []byte
	// Tags are all tags of the field in order, unknown ones included (RFC
	// 6376 §3.2: unrecognized tags are ignored).
	Tags dkimcore.TagList
	// Version is the v= value; "1" for RFC 6376 signatures.
	Version string
	// Draft is true when v= is absent or "0.5": the signature follows a
	// pre-RFC 4871 Internet-Draft. RFC 6376 §3.5 requires v=1, so Verify
	// never passes such a signature, but still checks it cryptographically.
	Draft bool
	// Algorithm is the parsed a= value.
	Algorithm dkimcore.Algorithm
	// SignatureData is the decoded b= value.
	SignatureData []byte
	// BodyHash is the decoded bh= value.
	BodyHash []byte
	// HeaderCanon is the header part of c= (default simple).
	HeaderCanon dkimcore.Canonicalization
	// BodyCanon is the body part of c= (default simple).
	BodyCanon dkimcore.Canonicalization
	// Domain is the d= value (the SDID), lower-cased.
	Domain string
	// Selector is the s= value.
	Selector string
	// Headers is the h= list, as written.
	Headers []string
	// Identity is the decoded i= value (the AUID); "@" + Domain when i= is
	// absent (RFC 6376 §3.5 i=).
	Identity string
	// IdentitySet is true when i= was present.
	IdentitySet bool
	// Length is the l= value, -1 when absent.
	Length int64
	// QueryMethods is the q= list, ["dns/txt"] by default.
	QueryMethods []string
	// Timestamp is t=, nil when absent.
	Timestamp *time.Time
	// Expiration is x=, nil when absent.
	Expiration *time.Time
	// CopiedHeaders is the decoded z= value, "" when absent.
	CopiedHeaders string
}

// ParseSignature parses the raw DKIM-Signature field raw (name, colon,
// value, folding and CRLF). Every error is of kind
// dkimcore.KindPermError (RFC 6376 §6.1.1: a signature that does not parse
// is ignored with PERMFAIL). The checks that need other data (From in h=,
// times, the key) are Verify's.
func ParseSignature(raw []byte) (*Signature, error) {
	_, value, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, perm("the field has no colon")
	}
	tags, err := dkimcore.ParseTagList(value)
	if err != nil {
		return nil, err
	}
	s := &Signature{Raw: raw, Tags: tags, Length: -1}
	// RFC 6376 §3.5: v, a, b, bh, d, h, s are required.
	for _, name := range []string{"a", "b", "bh", "d", "h", "s"} {
		if !tags.Has(name) {
			return nil, perm("required tag %s= is missing", name)
		}
	}
	v, hasV := tags.Get("v")
	s.Version = v
	switch {
	case !hasV || v == "0.5":
		// Internet-Drafts before RFC 4871 had no v= or v=0.5.
		s.Draft = true
	case v != "1":
		// RFC 6376 §3.5 v=: "This tag MUST be set to "1"".
		return nil, perm("unsupported version v=%s", v)
	}
	a, _ := tags.Get("a")
	if s.Algorithm, err = dkimcore.ParseAlgorithm(a); err != nil {
		return nil, err
	}
	b, _ := tags.Get("b")
	if s.SignatureData, err = decodeBase64(b); err != nil || len(s.SignatureData) == 0 {
		return nil, perm("b= is not valid base64")
	}
	bh, _ := tags.Get("bh")
	if s.BodyHash, err = decodeBase64(bh); err != nil || len(s.BodyHash) == 0 {
		return nil, perm("bh= is not valid base64")
	}
	c, _ := tags.Get("c")
	if s.HeaderCanon, s.BodyCanon, err = dkimcore.ParseCanonicalization(c); err != nil {
		return nil, err
	}
	d, _ := tags.Get("d")
	s.Domain = strings.ToLower(strings.TrimSuffix(dkimcore.StripWhitespace(d), "."))
	if !dkimcore.ValidDomain(s.Domain) {
		return nil, perm("d=%s is not a domain name", d)
	}
	sel, _ := tags.Get("s")
	s.Selector = dkimcore.StripWhitespace(sel)
	if !dkimcore.ValidDomain(s.Selector) {
		return nil, perm("s=%s is not a valid selector", sel)
	}
	h, _ := tags.Get("h")
	for _, name := range dkimcore.SplitColonList(h) {
		// RFC 6376 §3.5 h=: a list of field names (RFC 5322 ftext).
		if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < 33 || r > 126 }) {
			return nil, perm("h= holds an empty or invalid header field name")
		}
		s.Headers = append(s.Headers, name)
	}
	s.Identity = "@" + s.Domain
	if i, ok := tags.Get("i"); ok {
		id, err := dkimcore.DecodeQuotedPrintable(i)
		if err != nil {
			return nil, perm("i= is not valid dkim-quoted-printable")
		}
		at := strings.LastIndexByte(id, '@')
		if at < 0 {
			return nil, perm("i=%s has no @", i)
		}
		s.Identity, s.IdentitySet = id, true
		// RFC 6376 §3.5 i=: "The domain part of the address MUST be
		// the same as, or a subdomain of, the value of the "d=" tag."
		idDomain := strings.ToLower(strings.TrimSuffix(id[at+1:], "."))
		if idDomain != s.Domain && !strings.HasSuffix(idDomain, "."+s.Domain) {
			return nil, perm("i= domain %q is not d=%s or a subdomain of it", idDomain, s.Domain)
		}
	}
	if l, ok := tags.Get("l"); ok {
		// RFC 6376 §3.5 l=: 1*76DIGIT.
		n, err := parseDigits(l, 76)
		if err != nil {
			return nil, perm("l=%s is not a number", l)
		}
		s.Length = n
	}
	s.QueryMethods = []string{"dns/txt"}
	if q, ok := tags.Get("q"); ok {
		s.QueryMethods = dkimcore.SplitColonList(q)
		known := false
		for _, m := range s.QueryMethods {
			// RFC 6376 §3.5 q=: "dns/txt" is the only method; bare
			// "dns" is the drafts' spelling.
			if strings.EqualFold(m, "dns/txt") || (s.Draft && strings.EqualFold(m, "dns")) {
				known = true
			}
		}
		if !known {
			return nil, perm("no supported query method in q=%s", q)
		}
	}
	if t, ok := tags.Get("t"); ok {
		// RFC 6376 §3.5 t=: 1*12DIGIT seconds since the epoch.
		n, err := parseDigits(t, 12)
		if err != nil {
			return nil, perm("t=%s is not a timestamp", t)
		}
		tt := time.Unix(n, 0).UTC()
		s.Timestamp = &tt
	}
	if x, ok := tags.Get("x"); ok {
		n, err := parseDigits(x, 12)
		if err != nil {
			return nil, perm("x=%s is not a timestamp", x)
		}
		xt := time.Unix(n, 0).UTC()
		s.Expiration = &xt
	}
	if s.Timestamp != nil && s.Expiration != nil && !s.Expiration.After(*s.Timestamp) {
		// RFC 6376 §3.5 x=: "the value of the "x=" tag MUST be greater
		// than the value of the "t=" tag if both are present."
		return nil, perm("x= (%d) is not after t= (%d)", s.Expiration.Unix(), s.Timestamp.Unix())
	}
	if z, ok := tags.Get("z"); ok {
		s.CopiedHeaders, _ = dkimcore.DecodeQuotedPrintable(z)
	}
	return s, nil
}

func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(dkimcore.StripWhitespace(s))
}

func parseDigits(s string, max int) (int64, error) {
	s = dkimcore.StripWhitespace(s)
	if s == "" || len(s) > max || strings.Trim(s, "0123456789") != "" {
		return 0, perm("not digits")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// More digits than int64 holds: l= that large is never
		// reached by a real body, and t=/x= that large is far future.
		return 1<<63 - 1, nil
	}
	return n, nil
}

func perm(format string, args ...any) error {
	return &dkimcore.Error{Kind: dkimcore.KindPermError, Msg: sprintf(format, args...)}
}
