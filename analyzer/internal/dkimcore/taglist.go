package dkimcore

import (
	"strings"
)

// Tag is one tag=value pair of a tag list.
type Tag struct {
	// Name is the tag name, case-sensitive (RFC 6376 §3.2: "Tags MUST be
	// interpreted in a case-sensitive manner").
	Name string
	// Value is the tag value with the surrounding whitespace removed and the
	// inner whitespace (including folding CRLFs) kept as found.
	Value string
}

// TagList is a parsed tag list, in the order the tags appeared.
type TagList []Tag

// Get returns the value of the tag called name and whether it is present.
func (l TagList) Get(name string) (string, bool) {
	for _, t := range l {
		if t.Name == name {
			return t.Value, true
		}
	}
	return "", false
}

// Has reports whether the tag called name is present.
func (l TagList) Has(name string) bool {
	_, ok := l.Get(name)
	return ok
}

// MaxTagListLen bounds the input of ParseTagList. Header fields and TXT
// records are far smaller; anything longer is rejected as hostile.
const MaxTagListLen = 64 << 10

// ParseTagList parses s as a tag list (RFC 6376 §3.2):
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC
//	tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//	tval      =  1*VALCHAR    ; VALCHAR = %x21-3A / %x3C-7E
//
// s may still contain folding (CRLF followed by WSP). The parser is strict:
// an empty tag-spec, a tag without "=", an invalid tag name, a byte outside
// VALCHAR in a value, a bare CR or LF, and a duplicate tag name are errors
// (RFC 6376 §3.2: "if a tag name does occur more than once, the entire
// tag-list is invalid"). An empty or all-whitespace s is an empty list.
// Errors are of kind KindPermError.
func ParseTagList(s string) (TagList, error) {
	if len(s) > MaxTagListLen {
		return nil, permErr("tag list longer than %d bytes", MaxTagListLen)
	}
	var list TagList
	seen := map[string]bool{}
	p := 0
	for {
		p = skipFWS(s, p)
		if p < 0 {
			return nil, permErr("tag list: bare CR or LF")
		}
		if p == len(s) {
			// An empty list, or the optional trailing ";".
			return list, nil
		}
		// tag-name = ALPHA *ALNUMPUNC
		start := p
		if !isAlpha(s[p]) {
			if s[p] == ';' {
				return nil, permErr("tag list: empty tag between semicolons")
			}
			return nil, permErr("tag list: tag name starts with %q", s[p])
		}
		for p < len(s) && (isAlpha(s[p]) || isDigit(s[p]) || s[p] == '_') {
			p++
		}
		name := s[start:p]
		p = skipFWS(s, p)
		if p < 0 {
			return nil, permErr("tag list: bare CR or LF")
		}
		if p == len(s) || s[p] != '=' {
			return nil, permErr("tag list: tag %q has no \"=\"", name)
		}
		p++
		p = skipFWS(s, p)
		if p < 0 {
			return nil, permErr("tag list: bare CR or LF")
		}
		// tag-value: tvals separated by whitespace, ending at ";" or the end.
		vstart, vend := p, p
		for p < len(s) && s[p] != ';' {
			c := s[p]
			switch {
			case c == ' ' || c == '\t':
				p++
			case c == '\r' || c == '\n':
				q := skipFWS(s, p)
				if q < 0 {
					return nil, permErr("tag list: bare CR or LF in tag %q", name)
				}
				p = q
			case c >= 0x21 && c <= 0x7e:
				p++
				vend = p
			default:
				return nil, permErr("tag list: byte %#02x not allowed in value of tag %q", c, name)
			}
		}
		// RFC 6376 §3.2: duplicate tags invalidate the list. A set keeps
		// the check linear for hostile lists of thousands of tags.
		if seen[name] {
			return nil, permErr("tag list: tag %q appears more than once", name)
		}
		seen[name] = true
		list = append(list, Tag{Name: name, Value: s[vstart:vend]})
		if p == len(s) {
			return list, nil
		}
		p++ // the ";"
	}
}

// skipFWS skips WSP and folding (CRLF followed by WSP, RFC 5322 §3.2.2)
// from p. It returns -1 when it meets a CR or LF that is not part of a
// fold. A final CRLF at the very end of s is also skipped, so that a raw
// field value with its line ending parses.
func skipFWS(s string, p int) int {
	for p < len(s) {
		switch s[p] {
		case ' ', '\t':
			p++
		case '\r':
			if p+1 < len(s) && s[p+1] == '\n' && (p+2 == len(s) || s[p+2] == ' ' || s[p+2] == '\t') {
				p += 2
				continue
			}
			return -1
		case '\n':
			if p+1 == len(s) || s[p+1] == ' ' || s[p+1] == '\t' {
				p++
				continue
			}
			return -1
		default:
			return p
		}
	}
	return p
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// StripWhitespace removes all WSP, CR and LF from s. Base64 values (b=,
// bh=, p=) may contain folding whitespace that is ignored (RFC 6376 §3.5,
// "Whitespace is ignored in this value").
func StripWhitespace(s string) string {
	if strings.IndexAny(s, " \t\r\n") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// SplitColonList splits a colon-separated list (h=, q=, and the key record's
// h=, s=, t=), trimming whitespace around each element (RFC 6376 §3.5, §3.6.1).
// Empty elements are kept as "" so that callers can reject them.
func SplitColonList(s string) []string {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(StripWhitespace(p))
	}
	return parts
}
