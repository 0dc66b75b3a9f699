package dkimcore

import (
	"bytes"
	"strings"
)

// Field is one header field of a message: its name and its exact bytes
// (name, colon, value with folding, terminating CRLF).
type Field struct {
	// Name is the field name as written; it is matched case-insensitively.
	Name string
	// Raw is the whole field, ending in CRLF, as canonicalization needs it.
	Raw []byte
}

// SelectHeaders returns, for each name of an h= list in order, the header
// field that it signs (RFC 6376 §5.4.2): names are matched
// case-insensitively, and each occurrence of a name takes the last not yet
// used instance, walking up from the bottom of the header. A name with no
// instance left (an over-signed or absent field) selects nothing: its entry
// in the returned slice is -1. fields are in message order, top first; the
// result holds indexes into fields.
func SelectHeaders(fields []Field, names []string) []int {
	// Instances of each name, bottom first; each h= entry pops the next.
	// This is linear in len(fields)+len(names), so a hostile h= with
	// thousands of entries stays cheap.
	wanted := make(map[string][]int, len(names))
	for _, n := range names {
		wanted[strings.ToLower(n)] = nil
	}
	for j := len(fields) - 1; j >= 0; j-- {
		k := strings.ToLower(fields[j].Name)
		if list, ok := wanted[k]; ok {
			wanted[k] = append(list, j)
		}
	}
	out := make([]int, len(names))
	for i, n := range names {
		k := strings.ToLower(n)
		list := wanted[k]
		if len(list) == 0 {
			out[i] = -1
			continue
		}
		out[i] = list[0]
		wanted[k] = list[1:]
	}
	return out
}

// StripTagValue returns a copy of the raw header field raw in which the
// value of the tag called tag is deleted, together with the whitespace
// around it, leaving "tag=" (RFC 6376 §3.7: the b= value "including all
// surrounding whitespace" is treated as the empty string; RFC 8617 §4.1.2
// and §4.1.3 apply the same rule to ARC-Message-Signature and ARC-Seal).
// Only the first tag of that name at a tag boundary is changed, so "bh=" is
// not mistaken for "b=". raw is returned unchanged when the tag is absent.
func StripTagValue(raw []byte, tag string) []byte {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return raw
	}
	p := colon + 1
	for p <= len(raw) {
		// p is at the start of a tag-spec.
		q := p
		for q < len(raw) && isFWSByte(raw[q]) {
			q++
		}
		ns := q
		for q < len(raw) && (isAlpha(raw[q]) || isDigit(raw[q]) || raw[q] == '_') {
			q++
		}
		name := string(raw[ns:q])
		for q < len(raw) && isFWSByte(raw[q]) {
			q++
		}
		semi := bytes.IndexByte(raw[p:], ';')
		end := len(raw)
		if semi >= 0 {
			end = p + semi
		}
		if name == tag && q < len(raw) && raw[q] == '=' {
			valueStart := q + 1
			valueEnd := end
			if semi < 0 {
				// The last tag: keep the field's terminating CRLF.
				valueEnd = len(bytes.TrimRight(raw[:end], "\r\n"))
				if valueEnd < valueStart {
					valueEnd = valueStart
				}
			}
			out := make([]byte, 0, len(raw))
			out = append(out, raw[:valueStart]...)
			return append(out, raw[valueEnd:]...)
		}
		if semi < 0 {
			return raw
		}
		p = end + 1
	}
	return raw
}

func isFWSByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// HeaderHashInput returns the data that a header signature covers (RFC 6376
// §3.7 step 2): the fields selected by names (SelectHeaders; absent ones
// contribute nothing), each canonicalized with c, followed by the signature
// field sigRaw itself, canonicalized with c after its tag value of the tag
// named sigTag has been emptied (StripTagValue), without its terminating
// CRLF. For DKIM sigTag is "b".
func HeaderHashInput(fields []Field, names []string, sigRaw []byte, sigTag string, c Canonicalization) []byte {
	var buf bytes.Buffer
	for _, idx := range SelectHeaders(fields, names) {
		if idx < 0 {
			continue
		}
		buf.Write(CanonicalizeHeader(fields[idx].Raw, c))
	}
	sig := CanonicalizeHeader(StripTagValue(sigRaw, sigTag), c)
	buf.Write(bytes.TrimSuffix(sig, []byte("\r\n")))
	return buf.Bytes()
}
