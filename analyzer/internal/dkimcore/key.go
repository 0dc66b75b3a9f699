package dkimcore

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"strings"

	"headerlens/lookup"
)

// Key is a parsed DKIM key record (RFC 6376 §3.6.1; RFC 8463 §4 for
// ed25519).
type Key struct {
	// Record is the TXT record the key was parsed from.
	Record string
	// Version is the v= value, "" when absent.
	Version string
	// Type is the k= value in lower case: "rsa" (the default) or "ed25519".
	Type string
	// HashAlgs is the h= list in lower case, nil when absent (all hashes
	// allowed).
	HashAlgs []string
	// Services is the s= list in lower case, nil when absent ("*").
	Services []string
	// Flags is the t= list as found; Testing and Strict decode the known
	// flags "y" and "s".
	Flags []string
	// Testing is the t=y flag: the domain is testing DKIM (RFC 6376 §3.6.1).
	Testing bool
	// Strict is the t=s flag: the i= domain must equal d= exactly.
	Strict bool
	// Granularity is the legacy g= value of RFC 4871 §3.6.1 (removed by RFC
	// 6376), nil when absent.
	Granularity *string
	// Notes is the n= value.
	Notes string
	// Revoked is true when p= is empty (RFC 6376 §3.6.1).
	Revoked bool
	// Public is the public key: *RSAPublicKey or ed25519.PublicKey.
	Public crypto.PublicKey
	// Bits is the key size: the RSA modulus length, or 256 for Ed25519.
	Bits int
}

// AllowsHash reports whether the key's h= list permits the hash called name
// ("sha256", "sha1"). An absent h= allows every hash (RFC 6376 §3.6.1).
func (k *Key) AllowsHash(name string) bool {
	if k.HashAlgs == nil {
		return true
	}
	for _, h := range k.HashAlgs {
		if h == name {
			return true
		}
	}
	return false
}

// GranularityMatches reports whether the local-part of the AUID matches the
// legacy g= pattern (RFC 4871 §3.6.1: "*" matches any sequence, an empty
// g= matches nothing, comparison is case-sensitive). Without g= it is true.
func (k *Key) GranularityMatches(localPart string) bool {
	if k.Granularity == nil {
		return true
	}
	g := *k.Granularity
	if g == "" {
		return false
	}
	before, after, star := strings.Cut(g, "*")
	if !star {
		return localPart == g
	}
	return len(localPart) >= len(before)+len(after) &&
		strings.HasPrefix(localPart, before) && strings.HasSuffix(localPart, after)
}

// MaxRSAKeyBits is the largest RSA key ParseKey accepts. RFC 8301 §3.2:
// verifiers "MUST be able to validate signatures with keys ranging from
// 1024 bits to 4096 bits, and they MAY be able to validate signatures with
// larger keys". The cost of a verification grows with the square of the
// key size, and the key is chosen by the sender: a 60 KB key record (a
// 358,000-bit modulus) takes seconds per signature. 8192 bits is twice
// the required range, covers every key seen in use, and keeps one
// verification near a millisecond natively (BenchmarkVerifyHash8192).
const MaxRSAKeyBits = 8192

// maxRSAKeyDER bounds the DER of an RSA key before it is parsed: an
// 8192-bit SubjectPublicKeyInfo is about 1,060 bytes.
const maxRSAKeyDER = MaxRSAKeyBits/8 + 512

// ParseKey parses a key record (RFC 6376 §3.6.1). All errors are of kind
// KindPermError. For a revoked key (empty p=) the parsed *Key is returned
// with Revoked set, together with an error.
func ParseKey(record string) (*Key, error) {
	tags, err := ParseTagList(record)
	if err != nil {
		return nil, &Error{Kind: KindPermError, Msg: "key record syntax error", Err: err}
	}
	k := &Key{Record: record, Type: "rsa"}
	if v, ok := tags.Get("v"); ok {
		// RFC 6376 §3.6.1 v=: "If specified, this tag MUST be set to
		// "DKIM1" ... This tag MUST be the first tag in the record."
		if v != "DKIM1" {
			return nil, permErr("key record has v=%s, not DKIM1", v)
		}
		if tags[0].Name != "v" {
			return nil, permErr("key record v= tag is not the first tag")
		}
		k.Version = v
	}
	if h, ok := tags.Get("h"); ok {
		// RFC 6376 §3.6.1 h=: unrecognized algorithms are ignored; the
		// list is kept so that AllowsHash can refuse the signature's.
		k.HashAlgs = []string{}
		for _, a := range SplitColonList(h) {
			k.HashAlgs = append(k.HashAlgs, strings.ToLower(a))
		}
	}
	if t, ok := tags.Get("k"); ok {
		k.Type = strings.ToLower(StripWhitespace(t))
	}
	if k.Type != "rsa" && k.Type != "ed25519" {
		// RFC 6376 §3.6.1 k=: unrecognized key types cannot be used.
		return nil, permErr("key record has unknown key type k=%s", k.Type)
	}
	k.Notes, _ = tags.Get("n")
	if s, ok := tags.Get("s"); ok {
		// RFC 6376 §3.6.1 s=: the key must be usable for "email" or "*".
		k.Services = []string{}
		usable := false
		for _, v := range SplitColonList(s) {
			v = strings.ToLower(v)
			k.Services = append(k.Services, v)
			if v == "*" || v == "email" {
				usable = true
			}
		}
		if !usable {
			return nil, permErr("key record is not for email (s=%s)", s)
		}
	}
	if t, ok := tags.Get("t"); ok {
		// RFC 6376 §3.6.1 t=: "y" testing, "s" strict i=; others ignored.
		for _, f := range SplitColonList(t) {
			k.Flags = append(k.Flags, f)
			switch f {
			case "y":
				k.Testing = true
			case "s":
				k.Strict = true
			}
		}
	}
	if g, ok := tags.Get("g"); ok {
		k.Granularity = &g
	}
	p, ok := tags.Get("p")
	if !ok {
		return nil, permErr("key record has no p= tag")
	}
	p = StripWhitespace(p)
	if p == "" {
		// RFC 6376 §3.6.1 p=: "An empty value means that this public
		// key has been revoked."
		k.Revoked = true
		return k, permErr("key has been revoked (empty p=)")
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, permErr("key record p= is not valid base64")
	}
	switch k.Type {
	case "ed25519":
		// RFC 8463 §4: the p= value is the raw 32-byte Ed25519 key.
		if len(der) != ed25519.PublicKeySize {
			return nil, permErr("Ed25519 key is %d bytes, not %d", len(der), ed25519.PublicKeySize)
		}
		k.Public = ed25519.PublicKey(der)
		k.Bits = 256
	default:
		// Refuse a key too large to verify before any big-number work.
		if len(der) > maxRSAKeyDER {
			return nil, permErr("RSA key of about %d bits is larger than the %d bits headerlens verifies (RFC 8301 §3.2 requires verifiers to handle 1024 to 4096)", len(der)*8, MaxRSAKeyBits)
		}
		// RFC 6376 §3.6.1 p=: the key is DER; in practice a
		// SubjectPublicKeyInfo, sometimes a bare RSAPublicKey (rsakey.go).
		pub, err := parseRSAPublicKey(der)
		switch {
		case err == errNonRSAKey:
			return nil, permErr("key record k=rsa holds a non-RSA key")
		case err != nil:
			return nil, permErr("key record p= is not an RSA public key")
		}
		k.Public = pub
		k.Bits = pub.BitLen()
		if k.Bits > MaxRSAKeyBits {
			return nil, permErr("RSA key of %d bits is larger than the %d bits headerlens verifies (RFC 8301 §3.2 requires verifiers to handle 1024 to 4096)", k.Bits, MaxRSAKeyBits)
		}
	}
	return k, nil
}

// KeyName returns the DNS name of a key: selector._domainkey.domain (RFC
// 6376 §3.6.2.1).
func KeyName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// ValidDomain reports whether s is a syntactically usable domain name or
// selector: dot-separated labels of 1 to 63 letters, digits, "-" or "_",
// 253 octets at most (RFC 6376 §3.5 d= and s=, RFC 1035 §2.3.4).
func ValidDomain(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(isAlpha(c) || isDigit(c) || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// MaxKeysPerName is the number of key records FetchKey returns for one
// name. RFC 6376 §3.6.2.2 expects one; a verifier may cycle through several
// (§6.1.2 step 4), but a hostile DNS answer of sixty 8192-bit keys would
// multiply every verification's cost by sixty.
const MaxKeysPerName = 3

// FetchKey retrieves and parses the keys of selector at domain through r
// (RFC 6376 §3.6.2, §6.1.2). It returns every key record that parses, in
// the order of the answer, and every TXT record found at the name.
//
// Error kinds (RFC 6376 §6.1.2): NXDOMAIN or NODATA, or a name without TXT
// records, is a KindPermError ("no key"); a transient DNS failure is a
// KindTempError; when no record parses, the first record's error is
// returned (a KindPermError). A revoked key (empty p=) is returned as a
// *Key with Revoked set when it is the only record, together with its
// error. When several keys parse, the caller may cycle through them (RFC
// 6376 §6.1.2 step 4 leaves the choice to the verifier); at most
// MaxKeysPerName are returned.
func FetchKey(ctx context.Context, r lookup.Resolver, selector, domain string) ([]*Key, []string, error) {
	if !ValidDomain(selector) {
		return nil, nil, permErr("selector %q is not a valid DNS name", selector)
	}
	if !ValidDomain(domain) {
		return nil, nil, permErr("domain %q is not a valid DNS name", domain)
	}
	name := KeyName(selector, domain)
	txts, err := r.LookupTXT(ctx, name)
	switch {
	case err == nil:
	case lookup.IsNotFound(err):
		return nil, nil, &Error{Kind: KindPermError, Msg: "no key for signature at " + name, Err: err}
	case lookup.IsTempFail(err):
		return nil, nil, &Error{Kind: KindTempError, Msg: "key lookup failed temporarily at " + name, Err: err}
	default:
		// An error of no known kind (malformed answer, cancelled
		// context): nothing proves the key is absent, so it is transient.
		return nil, nil, &Error{Kind: KindTempError, Msg: "key lookup failed at " + name, Err: err}
	}
	if len(txts) == 0 {
		return nil, nil, permErr("no key for signature at %s (no TXT record)", name)
	}
	var keys []*Key
	var first error
	var revoked *Key
	for _, t := range txts {
		k, err := ParseKey(t)
		if err == nil {
			keys = append(keys, k)
			continue
		}
		if first == nil {
			first = err
			revoked = k
		}
	}
	if len(keys) > MaxKeysPerName {
		keys = keys[:MaxKeysPerName]
	}
	if len(keys) > 0 {
		return keys, txts, nil
	}
	if revoked != nil && len(txts) == 1 {
		return []*Key{revoked}, txts, first
	}
	return nil, txts, first
}
