package dmarc

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"headerlens/analyzer/finding"
)

// Policy is a Domain Owner Assessment Policy: the value of the "p", "sp" and
// "np" tags (RFC 7489 §6.3; RFC 9989 §4.7).
type Policy string

// The three policies, from least to most severe.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// downgrade returns the policy one level less strict, which is what a
// Domain Owner testing with "t=y" expects failing mail to get (RFC 9989
// §4.7 "t"; Appendix A.6).
func (p Policy) downgrade() Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	case PolicyQuarantine:
		return PolicyNone
	}
	return p
}

// AlignmentMode is the Identifier Alignment mode requested by "adkim" or
// "aspf" (RFC 7489 §3.1, §6.3; RFC 9989 §4.7).
type AlignmentMode string

// Alignment modes. Relaxed is the default of both tags.
const (
	Relaxed AlignmentMode = "relaxed"
	Strict  AlignmentMode = "strict"
)

// PSD is the value of the RFC 9989 "psd" tag (§4.7): "y" for a Public
// Suffix Domain, "n" for an Organizational Domain, "u" (the default) for
// unknown.
type PSD string

// The values of the psd tag.
const (
	PSDYes     PSD = "y"
	PSDNo      PSD = "n"
	PSDUnknown PSD = "u"
)

// ErrNotDMARC is returned by ParseRecord for text that does not begin with
// the version tag "v=DMARC1". Such TXT records are not DMARC Policy Records
// and are discarded during discovery (RFC 7489 §6.6.3 step 2; RFC 9989
// §4.10 step 2).
var ErrNotDMARC = errors.New("dmarc: not a DMARC record (does not start with v=DMARC1)")

// ReportURI is one entry of an "rua" or "ruf" list (RFC 7489 §6.2; RFC 9989
// §4.6).
type ReportURI struct {
	// Raw is the entry as published, whitespace trimmed.
	Raw string `json:"raw"`
	// URI is Raw without the RFC 7489 size suffix.
	URI string `json:"uri"`
	// Scheme is the URI scheme in lower case ("mailto", "https"...).
	Scheme string `json:"scheme,omitempty"`
	// Address is the addr-spec of a mailto: URI.
	Address string `json:"address,omitempty"`
	// MaxSize is the report size limit in bytes from an RFC 7489 "!size"
	// suffix; zero when there is none.
	MaxSize uint64 `json:"maxSize,omitempty"`
	// Valid reports whether the entry is a syntactically valid reporting
	// URI.
	Valid bool `json:"valid"`
	// Problem says in plain words why the entry is not valid.
	Problem string `json:"problem,omitempty"`
}

// Record is a parsed DMARC Policy Record. Values of tags that are missing or
// invalid hold the defaults of RFC 7489 §6.3 and RFC 9989 §4.7.
type Record struct {
	// Raw is the TXT record exactly as retrieved.
	Raw string `json:"raw"`
	// Tags maps each tag name (lower case) to its value as published,
	// whitespace trimmed. A repeated tag keeps its first value.
	Tags map[string]string `json:"tags"`
	// Order lists the tag names in the order they appear.
	Order []string `json:"order"`

	// Policy is "p"; empty when missing or invalid.
	Policy Policy `json:"p,omitempty"`
	// SubdomainPolicy is "sp"; empty when absent or invalid.
	SubdomainPolicy Policy `json:"sp,omitempty"`
	// NonExistentPolicy is the RFC 9989 "np"; empty when absent or invalid.
	NonExistentPolicy Policy `json:"np,omitempty"`
	// ADKIM is the DKIM alignment mode (default relaxed).
	ADKIM AlignmentMode `json:"adkim"`
	// ASPF is the SPF alignment mode (default relaxed).
	ASPF AlignmentMode `json:"aspf"`
	// Percent is the RFC 7489 "pct" (default 100); historic in RFC 9989
	// Appendix A.6, so it never changes the evaluation here.
	Percent int `json:"pct"`
	// Testing is the RFC 9989 "t=y" test mode.
	Testing bool `json:"t"`
	// PSD is the RFC 9989 "psd" flag (default "u").
	PSD PSD `json:"psd"`
	// RUA lists the aggregate report URIs.
	RUA []ReportURI `json:"rua,omitempty"`
	// RUF lists the failure report URIs.
	RUF []ReportURI `json:"ruf,omitempty"`
	// FailureOptions is "fo" split at colons (default ["0"]).
	FailureOptions []string `json:"fo"`
	// ReportFormats is the RFC 7489 "rf" (default ["afrf"]).
	ReportFormats []string `json:"rf"`
	// ReportInterval is the RFC 7489 "ri" in seconds (default 86400).
	ReportInterval uint32 `json:"ri"`

	// Usable is false when the record gives receivers nothing to apply: p
	// missing or invalid, or sp or np invalid, and no syntactically valid
	// rua URI. Receivers then apply no DMARC processing (RFC 7489 §6.6.3
	// step 6; RFC 9989 §4.10.1).
	Usable bool `json:"usable"`
	// NoneFallback is true when the record is treated as if it said
	// "p=none" because p, sp or np was missing or invalid and rua holds a
	// valid URI (same sections).
	NoneFallback bool `json:"noneFallback,omitempty"`

	// Findings are the problems and notable settings found while parsing.
	Findings []finding.Finding `json:"findings,omitempty"`

	pInvalid, spInvalid, npInvalid bool
}

// wsp reports whether c is white space inside a record. The ABNF allows
// only SP and HTAB (*WSP); CR and LF are tolerated as well.
func wsp(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimWSP(s string) string {
	for len(s) > 0 && wsp(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && wsp(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// versionRest checks the version tag at the start of txt and returns the
// text after "DMARC1". RFC 9989 §4.7 "v" and §4.8: dmarc-version = "v"
// equals %s"DMARC1", case-sensitive, first in the record; equals allows
// *WSP on both sides. The value must be followed by a separator or the end
// ("v=DMARC1x" is not DMARC). lead reports leading white space, which the
// ABNF does not allow but which is tolerated.
func versionRest(txt string) (rest string, lead bool, ok bool) {
	s := txt
	for len(s) > 0 && wsp(s[0]) {
		s = s[1:]
		lead = true
	}
	if len(s) == 0 || (s[0] != 'v' && s[0] != 'V') {
		return "", lead, false
	}
	s = s[1:]
	for len(s) > 0 && wsp(s[0]) {
		s = s[1:]
	}
	if len(s) == 0 || s[0] != '=' {
		return "", lead, false
	}
	s = s[1:]
	for len(s) > 0 && wsp(s[0]) {
		s = s[1:]
	}
	if !strings.HasPrefix(s, "DMARC1") {
		return "", lead, false
	}
	s = s[len("DMARC1"):]
	t := s
	for len(t) > 0 && wsp(t[0]) {
		t = t[1:]
	}
	if len(t) > 0 && t[0] != ';' {
		return "", lead, false
	}
	return t, lead, true
}

// IsDMARC reports whether txt is a DMARC Policy Record as far as discovery
// is concerned: it starts with the version tag "v=DMARC1" (RFC 7489 §6.6.3
// step 2; RFC 9989 §4.10 step 2).
func IsDMARC(txt string) bool {
	_, _, ok := versionRest(txt)
	return ok
}

// looksLikeBadVersion reports whether txt was probably meant to be a DMARC
// record but has a version that is not exactly "DMARC1" ("v=dmarc1",
// "v=DMARC1x", "v=DMARC2").
func looksLikeBadVersion(txt string) bool {
	s := strings.ToLower(trimWSP(txt))
	s = strings.ReplaceAll(s, " ", "")
	return strings.HasPrefix(s, "v=dmarc") && !IsDMARC(txt)
}

// ParseRecord parses a DMARC Policy Record (RFC 7489 §6.3–§6.4; RFC 9989
// §4.7–§4.8). It returns ErrNotDMARC when txt does not start with
// "v=DMARC1". Otherwise it never fails: syntax errors after the version tag
// are reported as findings and discarded in favour of defaults, and unknown
// tags are ignored with a finding (RFC 9989 §4.7; RFC 7489 §6.3).
func ParseRecord(txt string) (*Record, error) {
	rest, lead, ok := versionRest(txt)
	if !ok {
		return nil, ErrNotDMARC
	}
	r := &Record{
		Raw:            txt,
		Tags:           map[string]string{"v": "DMARC1"},
		Order:          []string{"v"},
		ADKIM:          Relaxed,
		ASPF:           Relaxed,
		Percent:        100,
		PSD:            PSDUnknown,
		FailureOptions: []string{"0"},
		ReportFormats:  []string{"afrf"},
		ReportInterval: 86400,
	}
	if lead {
		r.warn(finding.Warning, "dmarc-leading-space",
			"The record starts with white space before v=DMARC1. The formal grammar (RFC 9989 §4.8) does not allow it; some receivers may ignore the record.")
	}
	var parts []string
	if rest != "" {
		// rest starts with ';' (versionRest guarantees it).
		parts = strings.Split(rest[1:], ";")
	}
	emptyNoted, charsNoted := false, false
	if len(parts) > maxTagEntries {
		r.warn(finding.Warning, "dmarc-too-many-tags",
			fmt.Sprintf("The record has %d entries; only the first %d are read.", len(parts), maxTagEntries))
		parts = parts[:maxTagEntries]
	}
	for i, part := range parts {
		p := trimWSP(part)
		if p == "" {
			// RFC 9989 §4.8: dmarc-record = dmarc-version
			// *(dmarc-sep dmarc-tag) [dmarc-sep]; only the final
			// separator may be followed by nothing.
			if i != len(parts)-1 && !emptyNoted {
				emptyNoted = true
				r.warn(finding.Info, "dmarc-empty-tag",
					"The record has an empty entry between two semicolons; it is ignored.")
			}
			continue
		}
		eq := strings.IndexByte(p, '=')
		if eq < 0 {
			r.warn(finding.Warning, "dmarc-tag-syntax",
				fmt.Sprintf("%q is not a tag=value pair and is ignored (RFC 9989 §4.8).", clip(p)))
			continue
		}
		name := strings.ToLower(trimWSP(p[:eq]))
		val := trimWSP(p[eq+1:])
		if !validTagName(name) {
			r.warn(finding.Warning, "dmarc-tag-syntax",
				fmt.Sprintf("%q is not a valid tag name; the entry is ignored (RFC 9989 §4.8).", clip(p[:eq])))
			continue
		}
		if _, dup := r.Tags[name]; dup {
			r.warn(finding.Warning, "dmarc-duplicate-tag",
				fmt.Sprintf("The tag %q appears more than once; only the first value is used.", name))
			continue
		}
		r.Tags[name] = val
		r.Order = append(r.Order, name)
		if !charsNoted && !printable(val) {
			charsNoted = true
			r.warn(finding.Warning, "dmarc-value-chars",
				fmt.Sprintf("The value of %q contains characters outside printable ASCII, which the grammar does not allow (RFC 9989 §4.8).", name))
		}
		r.applyTag(name, val)
	}
	r.finish()
	return r, nil
}

func validTagName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_'):
		default:
			return false
		}
	}
	return true
}

// printable reports whether s holds only dmarc-value characters
// (%x20-3A / %x3C-7E, RFC 9989 §4.8).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// clip shortens s for use in a message.
func clip(s string) string {
	const max = 60
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// Bounds on hostile records: entries read and findings kept.
const (
	maxTagEntries     = 256
	maxRecordFindings = 64
)

// note records a finding about the whole record; these are never
// truncated.
func (r *Record) note(sev finding.Severity, code, msg string) {
	r.Findings = append(r.Findings, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "dmarc"})
}

// warn records a finding about one entry, up to maxRecordFindings.
func (r *Record) warn(sev finding.Severity, code, msg string) {
	switch {
	case len(r.Findings) < maxRecordFindings:
		r.Findings = append(r.Findings, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "dmarc"})
	case len(r.Findings) == maxRecordFindings:
		r.Findings = append(r.Findings, finding.Finding{Severity: finding.Warning, Code: "dmarc-findings-truncated",
			Message: "The record has so many problems that the rest are not listed.", Source: "dmarc"})
	}
}

func parsePolicy(v string) (Policy, bool) {
	switch p := Policy(strings.ToLower(v)); p {
	case PolicyNone, PolicyQuarantine, PolicyReject:
		return p, true
	}
	return "", false
}

func (r *Record) applyTag(name, val string) {
	lv := strings.ToLower(val)
	switch name {
	case "p":
		// RFC 7489 §6.3 and RFC 9989 §4.7 "p": none, quarantine or
		// reject; tag values are case-insensitive keywords.
		if p, ok := parsePolicy(val); ok {
			r.Policy = p
		} else {
			r.pInvalid = true
			r.warn(finding.Error, "dmarc-p-invalid",
				fmt.Sprintf("p=%s is not a policy (none, quarantine or reject).", clip(val)))
		}
		if len(r.Order) != 2 {
			// RFC 7489 §6.3: "v" and "p" MUST be present and MUST
			// appear in that order (§6.4 puts p right after v).
			// RFC 9989 §4.8 no longer fixes the position of p.
			r.warn(finding.Info, "dmarc-p-not-second",
				"The p tag is not right after v=DMARC1. RFC 7489 §6.3 requires that order; RFC 9989 allows any order, but older receivers may reject the record.")
		}
	case "sp", "np":
		// RFC 7489 §6.3 "sp"; RFC 9989 §4.7 "sp" and "np": same
		// syntax as p.
		if p, ok := parsePolicy(val); ok {
			if name == "sp" {
				r.SubdomainPolicy = p
			} else {
				r.NonExistentPolicy = p
			}
		} else {
			if name == "sp" {
				r.spInvalid = true
			} else {
				r.npInvalid = true
			}
			r.warn(finding.Error, "dmarc-"+name+"-invalid",
				fmt.Sprintf("%s=%s is not a policy (none, quarantine or reject).", name, clip(val)))
		}
	case "adkim", "aspf":
		// RFC 7489 §6.3: "r" (default) or "s".
		mode := Relaxed
		switch lv {
		case "r":
		case "s":
			mode = Strict
		default:
			r.warn(finding.Warning, "dmarc-"+name+"-invalid",
				fmt.Sprintf("%s=%s is neither r nor s; relaxed alignment is used.", name, clip(val)))
		}
		if name == "adkim" {
			r.ADKIM = mode
		} else {
			r.ASPF = mode
		}
	case "pct":
		// RFC 7489 §6.3 "pct": 1*3DIGIT, 0 to 100, default 100.
		// RFC 9989 Appendix A.6 removes it (replaced by "t").
		n, err := strconv.Atoi(val)
		if err != nil || len(val) > 3 || n < 0 || n > 100 || val[0] == '+' || val[0] == '-' {
			r.warn(finding.Warning, "dmarc-pct-invalid",
				fmt.Sprintf("pct=%s is not a whole number from 0 to 100; 100 is used.", clip(val)))
			break
		}
		r.Percent = n
	case "t":
		// RFC 9989 §4.7 "t": y or n, default n.
		switch lv {
		case "y":
			r.Testing = true
		case "n":
		default:
			r.warn(finding.Warning, "dmarc-t-invalid",
				fmt.Sprintf("t=%s is neither y nor n; the policy is applied as published.", clip(val)))
		}
	case "psd":
		// RFC 9989 §4.7 "psd": y, n or u, default u.
		switch PSD(lv) {
		case PSDYes, PSDNo, PSDUnknown:
			r.PSD = PSD(lv)
		default:
			r.warn(finding.Warning, "dmarc-psd-invalid",
				fmt.Sprintf("psd=%s is not y, n or u; u is used.", clip(val)))
		}
	case "rua", "ruf":
		// RFC 7489 §6.2–§6.3; RFC 9989 §4.6–§4.8: a comma-separated
		// list of URIs.
		uris := parseURIList(val)
		for _, u := range uris {
			if !u.Valid {
				r.warn(finding.Warning, "dmarc-uri-invalid",
					fmt.Sprintf("%s entry %q is not a valid reporting URI: %s.", name, clip(u.Raw), u.Problem))
				continue
			}
			if u.MaxSize > 0 || strings.Contains(u.Raw, "!") {
				r.warn(finding.Info, "dmarc-uri-size-limit",
					fmt.Sprintf("%s entry %q carries an RFC 7489 size limit (\"!size\"). RFC 9989 removed size limits and requires \"!\" to be percent-encoded, so newer receivers may read the URI differently.", name, clip(u.Raw)))
			}
			if u.Scheme != "mailto" {
				r.warn(finding.Info, "dmarc-uri-scheme",
					fmt.Sprintf("%s entry %q uses the %s: scheme; receivers are only required to support mailto: and ignore schemes they do not support (RFC 9989 §4.7).", name, clip(u.Raw), u.Scheme))
			}
		}
		if name == "rua" {
			r.RUA = uris
		} else {
			r.RUF = uris
		}
	case "fo":
		// RFC 7489 §6.3 "fo": colon-separated 0, 1, d, s.
		var opts []string
		ok := true
		for _, o := range strings.Split(lv, ":") {
			o = trimWSP(o)
			switch o {
			case "0", "1", "d", "s":
				opts = append(opts, o)
			default:
				ok = false
			}
		}
		if !ok || len(opts) == 0 {
			r.warn(finding.Warning, "dmarc-fo-invalid",
				fmt.Sprintf("fo=%s is not a colon-separated list of 0, 1, d and s; the default 0 is used.", clip(val)))
			break
		}
		r.FailureOptions = opts
	case "rf":
		// RFC 7489 §6.3 "rf": colon-separated report formats; only
		// "afrf" is defined. RFC 9989 Appendix A removes the tag.
		var fmts []string
		ok := true
		for _, f := range strings.Split(lv, ":") {
			f = trimWSP(f)
			if f != "afrf" {
				ok = false
				continue
			}
			fmts = append(fmts, f)
		}
		if !ok || len(fmts) == 0 {
			r.warn(finding.Warning, "dmarc-rf-invalid",
				fmt.Sprintf("rf=%s names a failure report format other than afrf, the only one defined (RFC 7489 §6.3).", clip(val)))
		}
		if len(fmts) > 0 {
			r.ReportFormats = fmts
		}
		r.warn(finding.Info, "dmarc-rf-historic",
			"The rf tag was removed by RFC 9989 (Appendix A); receivers following it ignore the tag.")
	case "ri":
		// RFC 7489 §6.3 "ri": 32-bit unsigned seconds, default 86400.
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil || val == "" || val[0] == '+' {
			r.warn(finding.Warning, "dmarc-ri-invalid",
				fmt.Sprintf("ri=%s is not a number of seconds; 86400 is used.", clip(val)))
		} else {
			r.ReportInterval = uint32(n)
		}
		r.warn(finding.Info, "dmarc-ri-historic",
			"The ri tag was removed by RFC 9989 (Appendix A); aggregate reports are sent daily.")
	case "v":
		// Handled by versionRest; a repeat is caught as a duplicate.
	default:
		// RFC 7489 §6.3 and RFC 9989 §4.7: unknown tags MUST be
		// ignored.
		r.warn(finding.Warning, "dmarc-unknown-tag",
			fmt.Sprintf("The tag %q is not a DMARC tag and is ignored (check its spelling).", clip(name)))
	}
}

// finish applies the rules that depend on the whole record.
func (r *Record) finish() {
	_, hasP := r.Tags["p"]
	validRUA := false
	for _, u := range r.RUA {
		if u.Valid {
			validRUA = true
			break
		}
	}
	if !hasP {
		r.note(finding.Warning, "dmarc-p-missing",
			"The record has no p tag. RFC 7489 §6.3 requires it; RFC 9989 §4.7 only recommends it. Under both, a receiver continues with p=none only if rua holds a valid URI, and otherwise applies no DMARC processing (RFC 7489 §6.6.3; RFC 9989 §4.10.1).")
	}
	bad := !hasP || r.pInvalid || r.spInvalid || r.npInvalid
	switch {
	case !bad:
		r.Usable = true
	case validRUA:
		// RFC 7489 §6.6.3 step 6; RFC 9989 §4.10.1: act as if a
		// record containing "p=none" was retrieved.
		r.Usable = true
		r.NoneFallback = true
		r.note(finding.Warning, "dmarc-policy-fallback-none",
			"Because p is missing or invalid (or sp or np is invalid) and rua holds a valid URI, receivers act as if the record said p=none.")
	default:
		r.note(finding.Error, "dmarc-no-policy",
			"Because p is missing or invalid (or sp or np is invalid) and there is no valid rua URI, receivers apply no DMARC processing with this record.")
	}
	if r.Policy == PolicyNone && !r.NoneFallback {
		r.note(finding.Info, "dmarc-p-none",
			"p=none: the domain asks receivers to take no action on mail that fails DMARC (monitoring only).")
	}
	if _, ok := r.Tags["rua"]; !ok {
		r.note(finding.Warning, "dmarc-no-rua",
			"There is no rua tag, so no aggregate reports are sent and the domain owner cannot see who sends mail in its name.")
	} else if !validRUA {
		r.note(finding.Warning, "dmarc-no-valid-rua",
			"The rua tag holds no valid URI, so no aggregate reports can be sent.")
	}
	if _, ok := r.Tags["pct"]; ok {
		if r.Percent < 100 {
			r.note(finding.Warning, "dmarc-pct-partial",
				fmt.Sprintf("pct=%d: under RFC 7489 §6.6.4 receivers apply the policy to only %d%% of failing mail and the next less strict policy to the rest. RFC 9989 removed pct (Appendix A.6); use t=y for testing.", r.Percent, r.Percent))
		} else {
			r.note(finding.Info, "dmarc-pct-historic",
				"The pct tag was removed by RFC 9989 (Appendix A.6); it has no effect there.")
		}
	}
	if r.Testing {
		r.note(finding.Warning, "dmarc-testing",
			"t=y: the domain owner is testing its policy; receivers apply the next less strict policy to failing mail (RFC 9989 §4.7).")
	}
	if _, ok := r.Tags["fo"]; ok && len(r.RUF) == 0 {
		r.note(finding.Info, "dmarc-fo-without-ruf",
			"fo is set but there is no ruf tag, so it has no effect (RFC 9989 §4.7).")
	}
	if r.PSD == PSDYes {
		r.note(finding.Info, "dmarc-psd-yes",
			"psd=y: this record is published by a Public Suffix Operator for a Public Suffix Domain (RFC 9989 §4.7).")
	}
}

// PolicyFor returns the Domain Owner Assessment Policy this record asks for
// an Author Domain, and the tag it came from ("p", "sp" or "np"), before
// any "t=y" downgrade. subdomain is true when the record was found at a
// parent of the Author Domain (an Organizational or Public Suffix Domain);
// exists is false when the Author Domain does not exist in the DNS.
//
// RFC 9989 §4.10.1: the record of the Author Domain gives "p"; a record of
// a parent gives "sp" if the Author Domain exists or "np" if it does not,
// each falling back to "p" (np first to sp, §4.7). RFC 7489 §6.6.3 has the
// same rule without "np". A record in NoneFallback state gives "none".
func (r *Record) PolicyFor(subdomain, exists bool) (Policy, string) {
	if r.NoneFallback {
		return PolicyNone, "p"
	}
	if !subdomain {
		return r.Policy, "p"
	}
	if !exists && r.NonExistentPolicy != "" {
		return r.NonExistentPolicy, "np"
	}
	if r.SubdomainPolicy != "" {
		return r.SubdomainPolicy, "sp"
	}
	return r.Policy, "p"
}

// parseURIList splits a dmarc-urilist at commas (RFC 7489 §6.4; RFC 9989
// §4.8: dmarc-uri *(*WSP "," *WSP dmarc-uri)).
func parseURIList(v string) []ReportURI {
	var out []ReportURI
	for _, raw := range strings.Split(v, ",") {
		out = append(out, parseURI(trimWSP(raw)))
		if len(out) >= 32 {
			break
		}
	}
	return out
}

// parseURI checks one reporting URI.
func parseURI(raw string) ReportURI {
	u := ReportURI{Raw: raw, URI: raw}
	if raw == "" {
		u.Problem = "it is empty"
		return u
	}
	// RFC 7489 §6.2: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" /
	// "t" ] ]; a literal "!" inside the URI must be percent-encoded, so
	// the last "!" starts the size limit.
	if i := strings.LastIndexByte(raw, '!'); i >= 0 {
		size, ok := parseSize(raw[i+1:])
		if !ok {
			u.Problem = "the size limit after \"!\" is not a number with an optional k, m, g or t unit"
			return u
		}
		u.URI = raw[:i]
		u.MaxSize = size
	}
	for i := 0; i < len(u.URI); i++ {
		c := u.URI[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0 {
			u.Problem = fmt.Sprintf("it contains the character %q, which must be percent-encoded in a URI (RFC 3986 §2)", string(rune(c)))
			return u
		}
	}
	pu, err := url.Parse(u.URI)
	if err != nil || pu.Scheme == "" {
		if strings.Contains(u.URI, "@") && !strings.Contains(u.URI, ":") {
			u.Problem = "it is an e-mail address without the mailto: scheme"
		} else {
			u.Problem = "it is not an absolute URI (RFC 3986 §4.3)"
		}
		return u
	}
	u.Scheme = strings.ToLower(pu.Scheme)
	if u.Scheme == "mailto" {
		addr := pu.Opaque
		if addr == "" {
			u.Problem = "the mailto: URI has no address"
			return u
		}
		if i := strings.IndexByte(addr, '?'); i >= 0 {
			addr = addr[:i]
		}
		dec, err := url.PathUnescape(addr)
		if err != nil {
			u.Problem = "the mailto: address has a bad percent-encoding"
			return u
		}
		if p := mailtoProblem(dec); p != "" {
			u.Problem = p
			return u
		}
		u.Address = dec
	} else if pu.Opaque == "" && pu.Host == "" && pu.Path == "" {
		u.Problem = "the URI has nothing after the scheme"
		return u
	}
	u.Valid = true
	return u
}

// mailtoProblem checks the addr-spec of a mailto: URI (RFC 6068 §2).
func mailtoProblem(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "the mailto: address is not of the form local-part@domain"
	}
	local := addr[:at]
	if strings.ContainsAny(local, " \t<>,;@") && !strings.HasPrefix(local, "\"") {
		return "the mailto: address has a malformed local part"
	}
	if _, err := NormalizeDomain(addr[at+1:]); err != nil {
		return "the mailto: address has an invalid domain"
	}
	return ""
}

// parseSize reads the RFC 7489 §6.2 size limit: 1*DIGIT with an optional
// unit k, m, g or t (powers of two).
func parseSize(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	mult := uint64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1 << 10
	case 'm', 'M':
		mult = 1 << 20
	case 'g', 'G':
		mult = 1 << 30
	case 't', 'T':
		mult = 1 << 40
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > ^uint64(0)/mult {
		return 0, false
	}
	return n * mult, true
}
