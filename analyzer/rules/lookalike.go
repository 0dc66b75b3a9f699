package rules

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/net/idna"

	"headerlens/analyzer/address"
	"headerlens/analyzer/finding"
)

// confusable returns the ASCII letter that r renders like, for the
// characters of a small hand-written subset of the Unicode confusables data
// (Unicode TS #39 §4): the Cyrillic, Greek, Armenian and Latin-extension
// letters seen in homograph attacks (accented letters are visibly different
// and are not mapped). A switch, not a map: a map literal is code that runs
// when the program starts, in the page's WebAssembly module too.
func confusable(r rune) (rune, bool) {
	switch r {
	case 'а', 'α', 'ɑ', 'ɒ':
		return 'a', true
	case 'в', 'ь', 'β':
		return 'b', true
	case 'ϲ':
		return 'c', true
	case 'ԁ':
		return 'd', true
	case 'е', 'ε':
		return 'e', true
	case 'ɡ', 'ԍ', 'ց':
		return 'g', true
	case 'һ', 'н', 'հ':
		return 'h', true
	case 'і', 'ι', 'ı', 'ɩ':
		return 'i', true
	case 'ј', 'ϳ':
		return 'j', true
	case 'к', 'κ':
		return 'k', true
	case 'ӏ', 'ℓ', 'ǀ':
		return 'l', true
	case 'м':
		return 'm', true
	case 'п', 'ո', 'η':
		return 'n', true
	case 'о', 'ο', 'օ':
		return 'o', true
	case 'р', 'ρ':
		return 'p', true
	case 'ԛ', 'զ':
		return 'q', true
	case 'г':
		return 'r', true
	case 'ѕ':
		return 's', true
	case 'т', 'τ':
		return 't', true
	case 'υ', 'ս', 'ʋ':
		return 'u', true
	case 'ѵ', 'ν':
		return 'v', true
	case 'ԝ', 'ω':
		return 'w', true
	case 'х', 'χ':
		return 'x', true
	case 'у', 'γ':
		return 'y', true
	}
	return r, false
}

// skeleton maps a label to the ASCII string it is likely to be read as:
// confusable characters and full-width forms to ASCII, then the ASCII
// sequences readers confuse ("rn"/"m", "vv"/"w", "0"/"o", "1"/"l").
// It follows the idea of the Unicode TS #39 §4 skeleton, with a small
// table instead of the full data file.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r = unicode.ToLower(r - 0xFF01 + 0x21)
		default:
			r, _ = confusable(r)
		}
		b.WriteRune(r)
	}
	return asciiConfusables().Replace(b.String())
}

// asciiConfusables maps the ASCII sequences readers confuse; it is made on
// first use, not when the program starts.
var asciiConfusables = sync.OnceValue(func() *strings.Replacer {
	return strings.NewReplacer("rn", "m", "vv", "w", "0", "o", "1", "l")
})

// scriptTables are the scripts a label is checked against.
var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Georgian", unicode.Georgian}, {"Cherokee", unicode.Cherokee},
	{"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew}, {"Han", unicode.Han},
	{"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana}, {"Hangul", unicode.Hangul},
	{"Bopomofo", unicode.Bopomofo}, {"Thai", unicode.Thai}, {"Devanagari", unicode.Devanagari},
}

// scriptsOf returns the scripts used in a label (digits, hyphens and other
// Common characters count for none).
func scriptsOf(label string) []string {
	set := map[string]bool{}
	for _, r := range label {
		if r < 0x80 && !unicode.IsLetter(r) {
			continue
		}
		for _, s := range scriptTables {
			if unicode.Is(s.table, r) {
				set[s.name] = true
				break
			}
		}
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// allowedMix reports whether a script set is one Unicode TS #39 §5.2
// "Highly Restrictive" allows: one script, or Latin with the Han-based
// sets used for Japanese, Chinese and Korean.
func allowedMix(scripts []string) bool {
	if len(scripts) <= 1 {
		return true
	}
	allowed := [][]string{
		{"Han", "Hiragana", "Katakana", "Latin"},
		{"Bopomofo", "Han", "Latin"},
		{"Han", "Hangul", "Latin"},
	}
	for _, set := range allowed {
		ok := true
		for _, s := range scripts {
			found := false
			for _, a := range set {
				if s == a {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// domainRef is a domain and where it was seen.
type domainRef struct {
	domain, where string
}

func (in Input) domains() []domainRef {
	var out []domainRef
	add := func(addr, where string) {
		if d := address.Domain(addr); d != "" && !strings.HasPrefix(d, "[") {
			out = append(out, domainRef{d, where})
		}
	}
	for _, a := range in.From {
		add(a.Address, "From")
	}
	for _, a := range in.ReplyTo {
		add(a.Address, "Reply-To")
	}
	add(in.ReturnPath, "Return-Path")
	if in.Sender != nil {
		add(in.Sender.Address, "Sender")
	}
	return out
}

// LookalikeDomain reports domains built to look like others:
//   - internationalized names (A-labels "xn--", RFC 5890 §2.3.2.1, or
//     U-labels) are shown decoded (info);
//   - labels mixing scripts, e.g. Latin with Cyrillic (Unicode TS #39
//     §5.1 mixed-script detection; RFC 5890 leaves this to registries) (error);
//   - non-ASCII names whose skeleton is plain ASCII, i.e. that read as an
//     ASCII domain (Unicode TS #39 §4 confusables) (error);
//   - two domains of the message in different organizations whose
//     skeletons match, e.g. From paypal.com and Reply-To paypa1.com (error).
func LookalikeDomain(in Input) []finding.Finding {
	var out []finding.Finding
	refs := in.domains()
	done := map[string]bool{}
	for _, ref := range refs {
		key := ref.domain + "|" + ref.where
		if done[key] {
			continue
		}
		done[key] = true
		uni, err := idna.Punycode.ToUnicode(ref.domain)
		if err != nil {
			uni = ref.domain
		}
		if isASCII(uni) {
			continue
		}
		ascii := asciiDomain(uni)
		var problems []string
		sev := finding.Info
		for _, label := range strings.Split(uni, ".") {
			if isASCII(label) {
				continue
			}
			if sc := scriptsOf(label); !allowedMix(sc) {
				problems = append(problems, fmt.Sprintf("the label %q mixes %s scripts", label, strings.Join(sc, " and ")))
				sev = finding.Error
			}
		}
		sk := skeleton(uni)
		if isASCII(sk) {
			problems = append(problems, fmt.Sprintf("it reads as the plain-ASCII name %s", sk))
			sev = finding.Error
		}
		msg := fmt.Sprintf("The %s domain %s is an internationalized name, displayed as %s.", ref.where, ascii, uni)
		if len(problems) > 0 {
			msg += " It looks like a homograph: " + strings.Join(problems, "; ") + ". Attackers use such names to imitate well-known domains."
		} else {
			msg += " Such names are legitimate in many languages; check that it is the one you expect."
		}
		out = append(out, mk(sev, CodeLookalikeDomain, SourceAddresses, msg))
	}
	// Pairs of the message's own domains that read alike but differ.
	type org struct{ org, uni, where, skeleton string }
	var orgs []org
	seenOrg := map[string]bool{}
	for _, ref := range refs {
		o := OrgDomain(ref.domain)
		if seenOrg[o] {
			continue
		}
		seenOrg[o] = true
		uni, err := idna.Punycode.ToUnicode(o)
		if err != nil {
			uni = o
		}
		orgs = append(orgs, org{o, uni, ref.where, skeleton(uni)})
	}
	for i := 0; i < len(orgs); i++ {
		for j := i + 1; j < len(orgs); j++ {
			if orgs[i].skeleton == orgs[j].skeleton {
				out = append(out, mk(finding.Error, CodeLookalikeDomain, SourceAddresses, fmt.Sprintf(
					"The %s domain %s and the %s domain %s look alike but are different organizations. One was probably registered to imitate the other.",
					orgs[i].where, orgs[i].uni, orgs[j].where, orgs[j].uni)))
			}
		}
	}
	return out
}
