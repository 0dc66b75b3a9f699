package arc

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/result"
)

// Header field names of an ARC Set (RFC 8617 §4.1).
const (
	FieldSeal        = "ARC-Seal"
	FieldSignature   = "ARC-Message-Signature"
	FieldAuthResults = "ARC-Authentication-Results"
)

// MaxInstances is the largest instance value, and so the largest number of
// ARC Sets a valid chain can have (RFC 8617 §4.2.1: "Instance tag values
// can range from 1-50 (inclusive)").
const MaxInstances = 50

// Seal is a parsed ARC-Seal header field (RFC 8617 §4.1.3).
type Seal struct {
	// Raw is the header field as received, ending in CRLF.
	Raw []byte
	// Tags are all tags in order, unknown ones included.
	Tags dkimcore.TagList
	// Instance is the i= value, 1 to MaxInstances.
	Instance int
	// Algorithm is the parsed a= value.
	Algorithm dkimcore.Algorithm
	// AlgorithmName is a= as written.
	AlgorithmName string
	// SignatureData is the decoded b= value.
	SignatureData []byte
	// ChainStatus is the cv= value in lower case: none, pass or fail
	// (RFC 8617 §4.4).
	ChainStatus result.Word
	// Domain is d=, lower-cased.
	Domain string
	// Selector is s=.
	Selector string
	// Timestamp is t=, nil when absent.
	Timestamp *time.Time
}

// MessageSignature is a parsed ARC-Message-Signature header field (RFC 8617
// §4.1.2): a DKIM-Signature (RFC 6376 §3.5) whose i= is the instance.
type MessageSignature struct {
	// Raw is the header field as received, ending in CRLF.
	Raw []byte
	// Tags are all tags in order, unknown ones included.
	Tags dkimcore.TagList
	// Instance is the i= value, 1 to MaxInstances.
	Instance int
	// Algorithm is the parsed a= value.
	Algorithm dkimcore.Algorithm
	// AlgorithmName is a= as written.
	AlgorithmName string
	// SignatureData is the decoded b= value.
	SignatureData []byte
	// BodyHash is the decoded bh= value.
	BodyHash []byte
	// HeaderCanon is the header part of c= (default simple).
	HeaderCanon dkimcore.Canonicalization
	// BodyCanon is the body part of c= (default simple).
	BodyCanon dkimcore.Canonicalization
	// CanonAbsent is true when c= is absent. RFC 6376 §3.5 then means
	// simple/simple, but common ARC implementations (dkimpy, which signed
	// the ValiMail suite) assume relaxed/relaxed; Verify tries both.
	CanonAbsent bool
	// Domain is d=, lower-cased.
	Domain string
	// Selector is s=.
	Selector string
	// Headers is the h= list as written; empty entries are kept (they
	// select nothing).
	Headers []string
	// Length is l=, -1 when absent.
	Length int64
	// Timestamp is t=, nil when absent.
	Timestamp *time.Time
}

// AuthResults is a parsed ARC-Authentication-Results header field (RFC 8617
// §4.1.1): arc-info = instance [CFWS] ";" authres-payload.
type AuthResults struct {
	// Raw is the header field as received, ending in CRLF.
	Raw []byte
	// Instance is the i= value, 1 to MaxInstances.
	Instance int
	// Payload is the authres-payload as claimed by the sealer, unfolded
	// and trimmed. Its content does not affect chain validity (RFC 8617
	// §3.4).
	Payload string
	// AuthServID is the authserv-id, the first token of Payload.
	AuthServID string
}

// perm returns a permanent error (RFC 8617 §5.2.1: "All Failures Are
// Permanent").
func perm(format string, args ...any) error {
	return &dkimcore.Error{Kind: dkimcore.KindPermError, Msg: fmt.Sprintf(format, args...)}
}

// fieldValue returns what follows the colon of a raw header field.
func fieldValue(raw []byte) (string, error) {
	_, v, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		return "", perm("the field has no colon")
	}
	return string(v), nil
}

// parseInstance parses a position (RFC 8617 §3.9: position = 1*2DIGIT,
// "1 - 50"; §4.2.1).
func parseInstance(v string) (int, error) {
	if v == "" {
		return 0, perm("i= is empty")
	}
	if len(v) > 2 || strings.Trim(v, "0123456789") != "" {
		return 0, perm("i=%s is not an instance number (1 to %d)", v, MaxInstances)
	}
	n, _ := strconv.Atoi(v)
	if n < 1 || n > MaxInstances {
		return 0, perm("i=%s is outside 1 to %d (RFC 8617 §4.2.1)", v, MaxInstances)
	}
	return n, nil
}

// tagInstance returns the i= of a parsed tag list.
func tagInstance(tags dkimcore.TagList) (int, error) {
	v, ok := tags.Get("i")
	if !ok {
		return 0, perm("the instance tag i= is missing")
	}
	return parseInstance(v)
}

func decodeBase64(name, v string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(dkimcore.StripWhitespace(v))
	if err != nil || len(b) == 0 {
		return nil, perm("%s= is empty or not valid base64", name)
	}
	return b, nil
}

// parseAlgorithm accepts the algorithms a verifier may use: rsa-sha256 and
// ed25519-sha256. RFC 8617 §4.1.2 and §4.1.3 take a= from DKIM, where RFC
// 8301 §3.1 says rsa-sha1 "MUST NOT be used for signing or verifying".
func parseAlgorithm(v string) (dkimcore.Algorithm, error) {
	if v == "" {
		return dkimcore.Algorithm{}, perm("a= is empty")
	}
	alg, err := dkimcore.ParseAlgorithm(v)
	if err != nil {
		return alg, err
	}
	if alg.Name == "rsa-sha1" {
		return alg, perm("a=rsa-sha1 is not accepted (RFC 8301 §3.1)")
	}
	return alg, nil
}

// parseTimestamp parses t= (RFC 6376 §3.5: 1*12DIGIT). Whitespace inside
// the digits is not allowed.
func parseTimestamp(v string) (*time.Time, error) {
	if v == "" || len(v) > 12 || strings.Trim(v, "0123456789") != "" {
		return nil, perm("t=%s is not a timestamp", v)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	t := time.Unix(n, 0).UTC()
	return &t, nil
}

func parseDomain(tags dkimcore.TagList) (string, error) {
	d, _ := tags.Get("d")
	dom := strings.ToLower(strings.TrimSuffix(d, "."))
	if !dkimcore.ValidDomain(dom) {
		return "", perm("d=%s is not a domain name", d)
	}
	return dom, nil
}

func parseSelector(tags dkimcore.TagList) (string, error) {
	s, _ := tags.Get("s")
	if !dkimcore.ValidDomain(s) {
		return "", perm("s=%s is not a valid selector", s)
	}
	return s, nil
}

// parseInstanceTags reads the tag list of an ARC-Seal or
// ARC-Message-Signature field and its instance (i=). The tag-list syntax
// is DKIM's (RFC 6376 §3.2), duplicates invalid.
func parseInstanceTags(raw []byte) (dkimcore.TagList, int, error) {
	value, err := fieldValue(raw)
	if err != nil {
		return nil, 0, err
	}
	tags, err := dkimcore.ParseTagList(value)
	if err != nil {
		return nil, 0, err
	}
	inst, err := tagInstance(tags)
	if err != nil {
		return nil, 0, err
	}
	return tags, inst, nil
}

// ParseSeal parses the raw ARC-Seal field raw (name, colon, value, folding
// and CRLF). Errors are of kind dkimcore.KindPermError. When the tag list
// parses and i= is valid, the returned *Seal is non-nil even on error, with
// Instance set (and the other fields filled as far as they parsed), so that
// the field can still be placed in its ARC Set.
func ParseSeal(raw []byte) (*Seal, error) {
	// RFC 8617 §4.1.3: arc-as-info = instance [CFWS] ";" tag-list.
	tags, inst, err := parseInstanceTags(raw)
	if err != nil {
		return nil, err
	}
	s := &Seal{Raw: raw, Tags: tags, Instance: inst}
	// RFC 8617 §4.1.3: "the only supported tags are i, a, b, d, s, t"
	// and cv; a, b, cv, d, s are required (RFC 6376 §3.5 for a, b, d, s).
	for _, name := range []string{"a", "b", "cv", "d", "s"} {
		if !tags.Has(name) {
			return s, perm("required tag %s= is missing", name)
		}
	}
	// RFC 8617 §4.1.3: "the DKIM "h" tag is NOT allowed and if found,
	// MUST result in a cv status of "fail"".
	if tags.Has("h") {
		return s, perm("the ARC-Seal has an h= tag, which RFC 8617 §4.1.3 forbids")
	}
	cv, _ := tags.Get("cv")
	// RFC 8617 §3.9: chain-status = ("none" / "fail" / "pass").
	switch w := result.Word(strings.ToLower(cv)); w {
	case result.None, result.Pass, result.Fail:
		s.ChainStatus = w
	default:
		return s, perm("cv=%s is not none, fail or pass", cv)
	}
	a, _ := tags.Get("a")
	s.AlgorithmName = strings.ToLower(a)
	if s.Algorithm, err = parseAlgorithm(a); err != nil {
		return s, err
	}
	b, _ := tags.Get("b")
	if s.SignatureData, err = decodeBase64("b", b); err != nil {
		return s, err
	}
	if s.Domain, err = parseDomain(tags); err != nil {
		return s, err
	}
	if s.Selector, err = parseSelector(tags); err != nil {
		return s, err
	}
	if t, ok := tags.Get("t"); ok {
		if s.Timestamp, err = parseTimestamp(t); err != nil {
			return s, err
		}
	}
	return s, nil
}

// ParseMessageSignature parses the raw ARC-Message-Signature field raw.
// Errors are of kind dkimcore.KindPermError. As with ParseSeal, a non-nil
// *MessageSignature with Instance set is returned with an error when only
// the instance could be read.
func ParseMessageSignature(raw []byte) (*MessageSignature, error) {
	// RFC 8617 §4.1.2: arc-ams-info = instance [CFWS] ";" tag-list.
	tags, inst, err := parseInstanceTags(raw)
	if err != nil {
		return nil, err
	}
	m := &MessageSignature{Raw: raw, Tags: tags, Instance: inst, Length: -1}
	// RFC 8617 §4.1.2: the DKIM-Signature syntax (RFC 6376 §3.5: a, b,
	// bh, d, h, s required) without v= (ignored if present) and with i=
	// as the instance.
	for _, name := range []string{"a", "b", "bh", "d", "h", "s"} {
		if !tags.Has(name) {
			return m, perm("required tag %s= is missing", name)
		}
	}
	a, _ := tags.Get("a")
	m.AlgorithmName = strings.ToLower(a)
	if m.Algorithm, err = parseAlgorithm(a); err != nil {
		return m, err
	}
	b, _ := tags.Get("b")
	if m.SignatureData, err = decodeBase64("b", b); err != nil {
		return m, err
	}
	bh, _ := tags.Get("bh")
	if m.BodyHash, err = decodeBase64("bh", bh); err != nil {
		return m, err
	}
	m.HeaderCanon, m.BodyCanon, m.CanonAbsent = dkimcore.Simple, dkimcore.Simple, true
	if c, ok := tags.Get("c"); ok {
		m.CanonAbsent = false
		// RFC 6376 §3.5 c=: an absent tag means simple/simple, but a
		// present one must name an algorithm.
		if c == "" {
			return m, perm("c= is empty")
		}
		if m.HeaderCanon, m.BodyCanon, err = dkimcore.ParseCanonicalization(c); err != nil {
			return m, err
		}
	}
	if m.Domain, err = parseDomain(tags); err != nil {
		return m, err
	}
	if m.Selector, err = parseSelector(tags); err != nil {
		return m, err
	}
	h, _ := tags.Get("h")
	if dkimcore.StripWhitespace(h) != "" {
		for _, name := range dkimcore.SplitColonList(h) {
			// RFC 6376 §3.5 h=: field names (RFC 5322 ftext). An
			// empty entry selects no field and does no harm.
			if strings.ContainsFunc(name, func(r rune) bool { return r < 33 || r > 126 }) {
				return m, perm("h= holds an invalid header field name")
			}
			// RFC 8617 §4.1.2: "ARC-Seal header fields MUST NOT be
			// included in AMS signatures."
			if strings.EqualFold(name, FieldSeal) {
				return m, perm("h= includes ARC-Seal, which RFC 8617 §4.1.2 forbids")
			}
			m.Headers = append(m.Headers, name)
		}
	}
	if l, ok := tags.Get("l"); ok {
		// RFC 6376 §3.5 l=: 1*76DIGIT.
		if l == "" || len(l) > 76 || strings.Trim(l, "0123456789") != "" {
			return m, perm("l=%s is not a number", l)
		}
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			n = 1<<63 - 1
		}
		m.Length = n
	}
	if t, ok := tags.Get("t"); ok {
		if m.Timestamp, err = parseTimestamp(t); err != nil {
			return m, err
		}
	}
	return m, nil
}

// ParseAuthResults parses the raw ARC-Authentication-Results field raw (RFC
// 8617 §4.1.1): the value must begin with the instance tag, "i=" and a
// position, followed by ";" and the authres-payload (RFC 8601 §2.2).
// Errors are of kind dkimcore.KindPermError.
func ParseAuthResults(raw []byte) (*AuthResults, error) {
	value, err := fieldValue(raw)
	if err != nil {
		return nil, err
	}
	s := value
	// instance = [CFWS] %s"i" [CFWS] "=" [CFWS] position (RFC 8617 §3.9);
	// %s: the "i" is case-sensitive.
	p := skipCFWS(s, 0)
	if p >= len(s) || s[p] != 'i' {
		return nil, perm("the value does not begin with the instance tag i=")
	}
	p = skipCFWS(s, p+1)
	if p >= len(s) || s[p] != '=' {
		return nil, perm("the value does not begin with the instance tag i=")
	}
	p = skipCFWS(s, p+1)
	start := p
	for p < len(s) && s[p] >= '0' && s[p] <= '9' {
		p++
	}
	inst, err := parseInstance(s[start:p])
	if err != nil {
		return nil, err
	}
	// arc-info = instance [CFWS] ";" authres-payload
	p = skipCFWS(s, p)
	if p >= len(s) || s[p] != ';' {
		return &AuthResults{Raw: raw, Instance: inst}, perm("no \";\" after the instance tag i=%d", inst)
	}
	payload := strings.Join(strings.Fields(s[p+1:]), " ")
	ar := &AuthResults{Raw: raw, Instance: inst, Payload: payload}
	id := payload
	if i := strings.IndexAny(id, "; ("); i >= 0 {
		id = id[:i]
	}
	ar.AuthServID = id
	if id == "" {
		return ar, perm("the authres-payload has no authserv-id")
	}
	return ar, nil
}

// skipCFWS skips folding white space and comments (RFC 5322 §3.2.2),
// nested comments included, from p. An unclosed comment runs to the end.
func skipCFWS(s string, p int) int {
	depth := 0
	for p < len(s) {
		c := s[p]
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '\\' && depth > 0:
			p++
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case depth > 0:
		default:
			return p
		}
		p++
	}
	return len(s)
}
