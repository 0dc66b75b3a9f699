package recorded

import (
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/authres"

	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
)

// Header names as they appear in Verdict.Header.
const (
	HeaderAuthResults    = "Authentication-Results"
	HeaderARCAuthResults = "ARC-Authentication-Results"
	HeaderReceivedSPF    = "Received-SPF"
)

// Parser names as they appear in Verdict.Parser.
const (
	// ParserAuthres: go-msgauth/authres parsed the value and saw every
	// result the tolerant parser saw.
	ParserAuthres = "authres"
	// ParserTolerant: authres rejected the value or missed results.
	ParserTolerant = "tolerant"
	// ParserReceivedSPF: the RFC 7208 §9.1 Received-SPF parser.
	ParserReceivedSPF = "received-spf"
)

// maxValueLen bounds the part of a header value that is parsed; real
// values are a few kilobytes at most.
const maxValueLen = 64 << 10

// maxResults bounds the number of verdicts taken from a single header.
const maxResults = 256

// HeaderField is one header field of the message, in message order
// (topmost first). Value is the unfolded or folded field body.
type HeaderField struct {
	Name  string
	Value string
}

// Verdict is one method result recorded in a header, e.g. "dkim=pass"
// from an Authentication-Results field.
type Verdict struct {
	// Header is HeaderAuthResults, HeaderARCAuthResults or HeaderReceivedSPF.
	Header string `json:"header"`
	// AuthservID is the authserv-id (RFC 8601 §2.5) as written; empty when
	// the writer left it out (Microsoft 365 does). For Received-SPF it is
	// the receiver= key, or else the host named at the start of the comment.
	AuthservID string `json:"authservId"`
	// Method is the lower-cased method name ("spf", "dkim", "compauth"...).
	Method string `json:"method"`
	// MethodVersion is the RFC 8601 §2.2 method-version ("dkim/1"), if any.
	MethodVersion string `json:"methodVersion,omitempty"`
	// Result is the lower-cased result word ("pass", "fail", "softpass"...).
	Result result.Word `json:"result"`
	// Properties holds ptype.property=value pairs (RFC 8601 §2.3) and any
	// other key=value pairs in the result, keyed as written (lower-cased key).
	// For Received-SPF it holds the RFC 7208 §9.1 key-value pairs.
	Properties map[string]string `json:"properties"`
	// Trusted is set by MarkTrusted; false until then.
	Trusted bool `json:"trusted"`
	// Reason is the RFC 8601 §2.2 reason= text.
	Reason string `json:"reason,omitempty"`
	// ReasonMeaning explains a documented reason code (Microsoft compauth).
	ReasonMeaning string `json:"reasonMeaning,omitempty"`
	// Comment joins the CFWS comments attached to the result.
	Comment string `json:"comment,omitempty"`
	// Index is the position of the header field in the input, 0 = topmost.
	Index int `json:"index"`
	// Instance is the ARC instance (RFC 8617 §4.1.1 i=), 0 for others.
	Instance int `json:"instance,omitempty"`
	// Version is the RFC 8601 §2.2 authres-version after the authserv-id.
	Version string `json:"version,omitempty"`
	// Parser names the parser that produced the verdict.
	Parser string `json:"parser"`
}

// Parse returns every verdict found in the Authentication-Results,
// ARC-Authentication-Results and Received-SPF fields, in field order and,
// within a field, in written order. Other fields are ignored.
func Parse(fields []HeaderField) []Verdict {
	var out []Verdict
	for i, f := range fields {
		var vs []Verdict
		name := strings.TrimSpace(f.Name)
		switch {
		case nameIs(name, "authentication-results"):
			vs = ParseAuthResults(f.Value, false)
		case nameIs(name, "arc-authentication-results"):
			vs = ParseAuthResults(f.Value, true)
		case nameIs(name, "received-spf"):
			if v, ok := ParseReceivedSPF(f.Value); ok {
				vs = []Verdict{v}
			}
		default:
			continue
		}
		for j := range vs {
			vs[j].Index = i
		}
		if len(out)+len(vs) > MaxVerdicts {
			// Bound the report for hostile input: thousands of fields
			// would otherwise become tens of thousands of objects.
			out = append(out, vs[:MaxVerdicts-len(out)]...)
			break
		}
		out = append(out, vs...)
	}
	return out
}

// MaxVerdicts bounds the verdicts Parse returns for one message; real mail
// carries a few dozen at most.
const MaxVerdicts = 1024

// nameIs reports whether strings.ToLower(name) == lower (lower-case
// ASCII), without lower-casing ASCII names.
func nameIs(name, lower string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return strings.ToLower(name) == lower
		}
	}
	return strings.EqualFold(name, lower)
}

// ParseAuthResults parses one Authentication-Results field body (arc false)
// or ARC-Authentication-Results field body (arc true). Index is left 0.
func ParseAuthResults(value string, arc bool) []Verdict {
	if len(value) > maxValueLen {
		value = value[:maxValueLen]
	}
	header := HeaderAuthResults
	payload := value
	instance := 0
	if arc {
		header = HeaderARCAuthResults
		// RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload.
		if n, rest, ok := cutInstance(value); ok {
			instance, payload = n, rest
		}
	}
	tol := parseTolerant(payload)
	vs := tol.verdicts
	parser := ParserTolerant
	if ar, ok := fromAuthres(payload); ok && sameResults(ar, tol.verdicts) {
		// authres saw exactly what is there; keep its reading and add what
		// its typed results leave out (unknown properties, comments).
		parser = ParserAuthres
		vs = ar
		for i := range vs {
			mergeFrom(&vs[i], tol.verdicts[i])
		}
	}
	for i := range vs {
		vs[i].Header = header
		vs[i].AuthservID = tol.authservID
		vs[i].Version = tol.version
		vs[i].Instance = instance
		vs[i].Parser = parser
		vs[i].ReasonMeaning = reasonMeaning(vs[i].Method, vs[i].Reason)
	}
	return vs
}

// cutInstance splits "i=N;" off an ARC-Authentication-Results value.
func cutInstance(value string) (int, string, bool) {
	s := &scanner{s: value}
	s.skipCFWS()
	if k := s.key(); !strings.EqualFold(k, "i") {
		return 0, value, false
	}
	s.skipCFWS()
	if !s.eat('=') {
		return 0, value, false
	}
	s.skipCFWS()
	num := s.value()
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 1024 {
		return 0, value, false
	}
	s.skipCFWS()
	if !s.eat(';') {
		return 0, value, false
	}
	return n, value[s.i:], true
}

// fromAuthres reads payload with go-msgauth/authres.
func fromAuthres(payload string) (vs []Verdict, ok bool) {
	defer func() {
		if recover() != nil {
			vs, ok = nil, false
		}
	}()
	_, results, err := authres.Parse(payload)
	if err != nil {
		return nil, false
	}
	for _, r := range results {
		v := Verdict{Properties: map[string]string{}}
		set := func(k, val string) {
			if val != "" {
				v.Properties[k] = val
			}
		}
		switch r := r.(type) {
		case *authres.AuthResult:
			v.Method, v.Result, v.Reason = "auth", result.Word(r.Value), r.Reason
			set("smtp.auth", r.Auth)
		case *authres.DKIMResult:
			v.Method, v.Result, v.Reason = "dkim", result.Word(r.Value), r.Reason
			set("header.d", r.Domain)
			set("header.i", r.Identifier)
		case *authres.DomainKeysResult:
			v.Method, v.Result, v.Reason = "domainkeys", result.Word(r.Value), r.Reason
			set("header.d", r.Domain)
			set("header.from", r.From)
			set("header.sender", r.Sender)
		case *authres.IPRevResult:
			v.Method, v.Result, v.Reason = "iprev", result.Word(r.Value), r.Reason
			set("policy.iprev", r.IP)
		case *authres.SenderIDResult:
			v.Method, v.Result, v.Reason = "sender-id", result.Word(r.Value), r.Reason
			if r.HeaderKey != "" {
				set("header."+strings.ToLower(r.HeaderKey), r.HeaderValue)
			}
		case *authres.SPFResult:
			v.Method, v.Result, v.Reason = "spf", result.Word(r.Value), r.Reason
			set("smtp.mailfrom", r.From)
			set("smtp.helo", r.Helo)
		case *authres.DMARCResult:
			v.Method, v.Result, v.Reason = "dmarc", result.Word(r.Value), r.Reason
			set("header.from", r.From)
		case *authres.ARCResult:
			v.Method, v.Result = "arc", result.Word(r.Value)
			set("smtp.remote-ip", r.RemoteIP)
			if r.OldestPass > 0 {
				set("header.oldest-pass", strconv.Itoa(r.OldestPass))
			}
		case *authres.GenericResult:
			v.Method, v.Result = strings.ToLower(r.Method), result.Word(r.Value)
			for k, val := range r.Params {
				if k == "reason" {
					v.Reason = val
					continue
				}
				set(k, val)
			}
		default:
			return nil, false
		}
		v.Result = result.Word(strings.ToLower(string(v.Result)))
		v.Reason = unquote(v.Reason)
		vs = append(vs, v)
	}
	return vs, true
}

// sameResults reports whether authres saw the same method=result list as
// the tolerant parser, with the same property values where it kept them.
func sameResults(a, b []Verdict) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		m, _, _ := strings.Cut(b[i].Method, "/")
		if a[i].Method != m || a[i].Result != b[i].Result {
			return false
		}
		for k, v := range a[i].Properties {
			if unquote(v) != b[i].Properties[k] {
				return false
			}
		}
	}
	return true
}

// mergeFrom copies into v what authres drops: unknown properties,
// comments and the method version.
func mergeFrom(v *Verdict, t Verdict) {
	for k, val := range t.Properties {
		v.Properties[k] = val
	}
	v.Comment = t.Comment
	v.MethodVersion = t.MethodVersion
	if v.Reason == "" {
		v.Reason = t.Reason
	}
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		sc := &scanner{s: s}
		return sc.quoted()
	}
	return s
}

// MarkTrusted sets Trusted on every verdict to isTrusted(v) and returns vs.
// RFC 8601 §5: only results from authserv-ids inside the receiver's trust
// boundary should be believed; all others may be forged.
func MarkTrusted(vs []Verdict, isTrusted func(v Verdict) bool) []Verdict {
	for i := range vs {
		vs[i].Trusted = isTrusted != nil && isTrusted(vs[i])
	}
	return vs
}

// TrustAuthservIDs returns a trust function that accepts verdicts whose
// authserv-id equals one of ids, ignoring case (RFC 8601 §2.5 compares
// authserv-ids as domain names). Verdicts without an authserv-id are not
// trusted by this function.
func TrustAuthservIDs(ids ...string) func(v Verdict) bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = normID(id); id != "" {
			set[id] = true
		}
	}
	return func(v Verdict) bool {
		id := normID(v.AuthservID)
		return id != "" && set[id]
	}
}

// TrustAbove returns a trust function that accepts verdicts whose header
// index is smaller than boundary, that is headers added above the point
// where the message entered the receiving organisation (RFC 8601 §5: the
// receiving border MTA is expected to remove or ignore earlier fields).
func TrustAbove(boundary int) func(v Verdict) bool {
	return func(v Verdict) bool { return v.Index < boundary }
}

func normID(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// AuthservGroup is the set of verdicts written under one authserv-id.
type AuthservGroup struct {
	// AuthservID is the authserv-id as first written (may be empty).
	AuthservID string `json:"authservId"`
	// Trusted is true when every verdict in the group is trusted.
	Trusted bool `json:"trusted"`
	// Verdicts are the group's verdicts in input order.
	Verdicts []Verdict `json:"verdicts"`
}

// Group collects verdicts by authserv-id (compared case-insensitively),
// groups ordered by first appearance. Verdicts without an authserv-id form
// one group with an empty AuthservID.
func Group(vs []Verdict) []AuthservGroup {
	var out []AuthservGroup
	pos := map[string]int{}
	for _, v := range vs {
		k := normID(v.AuthservID)
		i, ok := pos[k]
		if !ok {
			i = len(out)
			pos[k] = i
			out = append(out, AuthservGroup{AuthservID: v.AuthservID, Trusted: true})
		}
		out[i].Verdicts = append(out[i].Verdicts, v)
		out[i].Trusted = out[i].Trusted && v.Trusted
	}
	return out
}

// Failed reports whether the verdict's result is a failure outcome:
// RFC 8601 §2.7 fail, softfail, hardfail (legacy), policy, permerror,
// temperror; and for Received-SPF (RFC 7208 §8) the same words.
func (v Verdict) Failed() bool {
	switch v.Result {
	case "fail", "softfail", "hardfail", "policy", "permerror", "temperror":
		return true
	}
	return false
}

// ParseMessage is Parse over the fields of a parsed message
// (analyzer/message), topmost first; Verdict.Index is the position in
// fields, so TrustAbove takes a position in the same list.
func ParseMessage(fields []message.Field) []Verdict {
	hf := make([]HeaderField, len(fields))
	for i, f := range fields {
		hf[i] = HeaderField{Name: f.Name, Value: f.Value}
	}
	return Parse(hf)
}
