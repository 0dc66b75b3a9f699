package dkimcore

import (
	"bytes"
	"context"
	"crypto"
	"strings"
)

// Canonicalization is a canonicalization algorithm name (RFC 6376 §3.4).
type Canonicalization string

// Canonicalization algorithms.
const (
	Simple  Canonicalization = "simple"
	Relaxed Canonicalization = "relaxed"
)

// ParseCanonicalization parses a c= value "header[/body]" (RFC 6376 §3.5 c=).
// A missing value means simple/simple; a missing body part means simple.
// Unknown names are a KindPermError.
func ParseCanonicalization(c string) (header, body Canonicalization, err error) {
	c = StripWhitespace(c)
	if c == "" {
		return Simple, Simple, nil
	}
	h, b, found := strings.Cut(c, "/")
	if !found {
		b = "simple"
	}
	// RFC 6376 §3.5: the algorithm names are case-insensitive in practice;
	// ABNF strings are case-insensitive (RFC 5234 §2.3).
	header, body = Canonicalization(strings.ToLower(h)), Canonicalization(strings.ToLower(b))
	if header != Simple && header != Relaxed {
		return "", "", permErr("unknown header canonicalization %q", h)
	}
	if body != Simple && body != Relaxed {
		return "", "", permErr("unknown body canonicalization %q", b)
	}
	return header, body, nil
}

// CanonicalizeHeader returns the canonical form of one header field. raw is
// the field as it appeared, name, colon, value and folding included, with
// its terminating CRLF (a missing CRLF is added).
//
// simple (RFC 6376 §3.4.1): the field is not changed.
//
// relaxed (RFC 6376 §3.4.2): the name is lowercased; the value is unfolded;
// runs of WSP become one SP; WSP at the end of the value and around the
// colon is removed; the result ends with CRLF.
func CanonicalizeHeader(raw []byte, c Canonicalization) []byte {
	if c != Relaxed {
		if bytes.HasSuffix(raw, []byte("\r\n")) {
			return raw
		}
		out := make([]byte, 0, len(raw)+2)
		out = append(out, bytes.TrimRight(raw, "\r\n")...)
		return append(out, '\r', '\n')
	}
	name, value, found := bytes.Cut(raw, []byte(":"))
	out := make([]byte, 0, len(raw)+2)
	// RFC 6376 §3.4.2: lowercase the name, delete WSP before the colon.
	out = append(out, bytes.ToLower(bytes.TrimRight(name, " \t\r\n"))...)
	if !found {
		return append(out, ':', '\r', '\n')
	}
	out = append(out, ':')
	// Unfold, compress WSP, trim both ends of the value.
	inSpace := false
	wrote := false
	for _, ch := range value {
		switch ch {
		case '\r', '\n':
			// RFC 6376 §3.4.2: unfold by deleting CRLF.
		case ' ', '\t':
			inSpace = true
		default:
			if inSpace && wrote {
				out = append(out, ' ')
			}
			inSpace = false
			wrote = true
			out = append(out, ch)
		}
	}
	return append(out, '\r', '\n')
}

// CanonicalizeBody returns the canonical form of body (RFC 6376 §3.4.3,
// §3.4.4). body uses CRLF line endings.
//
// simple: trailing empty lines are removed; an empty body becomes CRLF; a
// body whose last line lacks CRLF gets one.
//
// relaxed: WSP at the end of each line is removed, other runs of WSP become
// one SP, trailing empty lines are removed, and an empty body stays empty
// (RFC 6376 erratum 1384 for RFC 4871 §3.4.4 clarified this).
func CanonicalizeBody(body []byte, c Canonicalization) []byte {
	var out []byte
	if c == Relaxed {
		out = make([]byte, 0, len(body)+2)
		for len(body) > 0 {
			line := body
			rest := []byte(nil)
			if i := bytes.Index(body, []byte("\r\n")); i >= 0 {
				line, rest = body[:i], body[i+2:]
			}
			body = rest
			out = append(relaxLine(out, line), '\r', '\n')
		}
	} else {
		out = append(make([]byte, 0, len(body)+2), body...)
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
			out = append(out, '\r', '\n')
		}
	}
	// RFC 6376 §3.4.3, §3.4.4: remove all empty lines at the end.
	for bytes.HasSuffix(out, []byte("\r\n\r\n")) {
		out = out[:len(out)-2]
	}
	if bytes.Equal(out, []byte("\r\n")) && c == Relaxed {
		// A body made only of empty lines is empty under relaxed.
		out = out[:0]
	}
	if len(out) == 0 && c != Relaxed {
		// RFC 6376 §3.4.3: an empty body is canonicalized as a single CRLF.
		out = append(out, '\r', '\n')
	}
	return out
}

// BodyHash canonicalizes body with c and hashes its first limit octets with
// h (RFC 6376 §3.7 step 1; the l= tag, §3.4.5). limit < 0 means the whole
// canonical body. It returns the digest and the canonical body length.
// When limit exceeds the canonical length, the returned error is a KindFail
// (RFC 6376 §3.4.5: the signer's count cannot be honoured, so the body was
// truncated after signing) and the digest is nil. The canonical body is
// streamed into the hash, never copied (Session.BodyHash does the same
// with a deadline and a cache).
func BodyHash(body []byte, c Canonicalization, h crypto.Hash, limit int64) (sum []byte, canonLen int64, err error) {
	if !h.Available() {
		return nil, 0, permErr("hash algorithm unavailable")
	}
	hh := h.New()
	canonLen, _ = streamCanonicalBody(context.Background(), body, c, hh, limit)
	if limit > canonLen {
		return nil, canonLen, failErr("body is shorter (%d octets after canonicalization) than its l=%d", canonLen, limit)
	}
	return hh.Sum(nil), canonLen, nil
}
