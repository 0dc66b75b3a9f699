package recorded

import (
	"strings"

	"headerlens/analyzer/result"
)

// scanner walks a header value. Every method advances i or returns
// without consuming, so loops over it terminate.
type scanner struct {
	s string
	i int
}

func (s *scanner) eof() bool { return s.i >= len(s.s) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.s[s.i]
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c && !s.eof() {
		s.i++
		return true
	}
	return false
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipCFWS skips folding white space and comments (RFC 5322 §3.2.2) and
// returns the comments' texts, outer parentheses removed.
func (s *scanner) skipCFWS() []string {
	var comments []string
	for !s.eof() {
		c := s.peek()
		switch {
		case isWSP(c):
			s.i++
		case c == '(':
			comments = append(comments, s.comment())
		default:
			return comments
		}
	}
	return comments
}

// comment reads a possibly nested comment starting at '('. An unclosed
// comment runs to the end of the value.
func (s *scanner) comment() string {
	s.i++ // '('
	start := s.i
	depth := 1
	var b strings.Builder
	for !s.eof() {
		c := s.s[s.i]
		switch c {
		case '\\':
			if s.i+1 < len(s.s) {
				b.WriteByte(s.s[s.i+1])
				s.i += 2
				continue
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				s.i++
				return collapse(b.String())
			}
		}
		b.WriteByte(c)
		s.i++
	}
	_ = start
	return collapse(b.String())
}

// collapse folds runs of white space to one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// quoted reads a quoted-string starting at '"' (RFC 5322 §3.2.4). An
// unclosed string runs to the end of the value.
func (s *scanner) quoted() string {
	s.i++ // '"'
	var b strings.Builder
	for !s.eof() {
		c := s.s[s.i]
		switch c {
		case '\\':
			if s.i+1 < len(s.s) {
				b.WriteByte(s.s[s.i+1])
				s.i += 2
				continue
			}
		case '"':
			s.i++
			return b.String()
		case '\r', '\n':
			s.i++
			continue
		}
		b.WriteByte(c)
		s.i++
	}
	return b.String()
}

// key reads a keyword-like token: up to white space or one of ; = ( ) ".
func (s *scanner) key() string {
	if s.peek() == '"' {
		return s.quoted()
	}
	start := s.i
	for !s.eof() {
		c := s.s[s.i]
		if isWSP(c) || c == ';' || c == '=' || c == '(' || c == ')' || c == '"' {
			break
		}
		s.i++
	}
	return s.s[start:s.i]
}

// value reads a value: a quoted-string or a token running to white space,
// ';', '(' or ')'. Unlike key it keeps '=' (base64 padding, SRS addresses).
func (s *scanner) value() string {
	if s.peek() == '"' {
		return s.quoted()
	}
	start := s.i
	for !s.eof() {
		c := s.s[s.i]
		if isWSP(c) || c == ';' || c == '(' || c == ')' {
			break
		}
		s.i++
	}
	return s.s[start:s.i]
}

// knownMethod reports whether w is a registered Email Authentication
// Method (IANA, RFC 8601 §6.2 and later registrations) or Microsoft's
// compauth. With knownResult it lets the tolerant parser split results that
// lack the separating ";". Both are switches, not maps: a map literal is
// code that runs when the program starts, in the page's WebAssembly module
// too.
func knownMethod(w string) bool {
	switch w {
	case "auth", "dkim", "dkim-adsp", "dkim-atps", "domainkeys", "iprev",
		"sender-id", "spf", "vbr", "rrvs", "smime", "dmarc", "arc", "dnswl",
		"bimi", "compauth":
		return true
	}
	return false
}

// knownResult reports whether w is a result word of RFC 8601 §2.7 or of the
// methods above (RFC 7208 §2.6, RFC 8617 §4.4, Microsoft compauth
// softpass).
func knownResult(w string) bool {
	switch w {
	case "none", "pass", "fail", "softfail", "hardfail", "neutral",
		"temperror", "permerror", "policy", "nxdomain", "signed", "unknown",
		"discard", "softpass", "bestguesspass":
		return true
	}
	return false
}

// maxComments bounds the comments, and the values of one repeated
// property, kept for one result.
const maxComments = 64

type tolerantResult struct {
	authservID string
	version    string
	verdicts   []Verdict
}

// parseTolerant parses an RFC 8601 §2.2 authres-payload:
//
//	authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
//	                  ( no-result / 1*resinfo ) [CFWS] CRLF
//	resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//
// It accepts a missing authserv-id (the value starts with method=result),
// stray words, unquoted values with '=', missing ';' between results,
// and unclosed comments or quotes.
func parseTolerant(payload string) tolerantResult {
	var r tolerantResult
	s := &scanner{s: payload}
	s.skipCFWS()
	// authserv-id, unless the value begins with "method=".
	save := s.i
	id := s.key()
	s.skipCFWS()
	if s.peek() == '=' || id == "" {
		s.i = save
	} else {
		r.authservID = id
		// RFC 8601 §2.2: authres-version = 1*DIGIT [CFWS].
		if c := s.peek(); c >= '0' && c <= '9' {
			r.version = s.key()
		}
	}
	var cur *Verdict
	var pending [][2]string
	if r.authservID != "" {
		// Anything else before the first ';' is outside the grammar; keep
		// key=value pairs for the first result (Yahoo: "id  from=x.com;").
		for !s.eof() && s.peek() != ';' {
			if s.skipCFWS(); s.eof() || s.peek() == ';' {
				break
			}
			k := s.key()
			if k == "" {
				s.i++
				continue
			}
			s.skipCFWS()
			if s.eat('=') {
				s.skipCFWS()
				if v := s.value(); len(pending) < maxResults {
					pending = append(pending, [2]string{strings.ToLower(k), v})
				}
			}
		}
	}
	// Comments and repeated properties are collected and joined once, so
	// hostile input cannot make the joining quadratic.
	var comments []string
	dups := map[string][]string{}
	finish := func() {
		if cur != nil {
			cur.Comment = strings.Join(comments, "; ")
			for k, vs := range dups {
				cur.Properties[k] = strings.Join(vs, ", ")
			}
			if len(r.verdicts) < maxResults {
				r.verdicts = append(r.verdicts, *cur)
			}
			cur = nil
		}
		comments = nil
		dups = map[string][]string{}
	}
	addComments := func(cs []string) {
		if cur == nil {
			return
		}
		for _, c := range cs {
			if c != "" && len(comments) < maxComments {
				comments = append(comments, c)
			}
		}
	}
	for !s.eof() {
		addComments(s.skipCFWS())
		if s.eof() {
			break
		}
		if s.eat(';') {
			finish()
			continue
		}
		k := s.key()
		if k == "" {
			s.i++ // stray '=', ')' or similar
			continue
		}
		addComments(s.skipCFWS())
		if !s.eat('=') {
			switch {
			case strings.EqualFold(k, "none"):
				// RFC 8601 §2.2 no-result.
			case cur != nil:
				addComments([]string{k})
			case r.authservID == "" && strings.Contains(k, "."):
				// Older Microsoft 365 form: the authserv-id written as its
				// own segment after the first result ("...; outlook.com;").
				r.authservID = k
			}
			continue
		}
		addComments(s.skipCFWS())
		v := s.value()
		lk := strings.ToLower(k)
		method, mversion, _ := strings.Cut(lk, "/")
		// RFC 8601 §2.2: method and result are Keywords; a key with a dot
		// is a ptype.property.
		isResult := !strings.Contains(lk, ".") && lk != "reason" && isKeyword(method) && isKeyword(v)
		startNew := (cur == nil && isResult) ||
			(isResult && knownMethod(method) && knownResult(strings.ToLower(v)))
		if startNew {
			finish()
			cur = &Verdict{
				Method:        method,
				MethodVersion: mversion,
				Result:        result.Word(strings.ToLower(v)),
				Properties:    map[string]string{},
			}
			for _, p := range pending {
				if _, ok := cur.Properties[p[0]]; !ok {
					cur.Properties[p[0]] = p[1]
				}
			}
			pending = nil
			continue
		}
		if cur == nil {
			// A pair outside any result (Yahoo writes "from=x.com;" before
			// the result it belongs to): keep it for the next result.
			if len(pending) < maxResults {
				pending = append(pending, [2]string{lk, v})
			}
			continue
		}
		switch {
		case lk == "reason":
			cur.Reason = v
		default:
			if old, ok := cur.Properties[lk]; ok && old != v {
				// A repeated property keeps every value, joined by ", ".
				if len(dups[lk]) == 0 {
					dups[lk] = []string{old}
				}
				if len(dups[lk]) < maxComments {
					dups[lk] = append(dups[lk], v)
				}
			} else if !ok {
				cur.Properties[lk] = v
			}
		}
	}
	finish()
	if len(pending) > 0 && len(r.verdicts) > 0 {
		last := &r.verdicts[len(r.verdicts)-1]
		for _, p := range pending {
			if _, ok := last.Properties[p[0]]; !ok {
				last.Properties[p[0]] = p[1]
			}
		}
	}
	return r
}

// isKeyword reports whether s is an RFC 8601 §2.2 Keyword (RFC 5321
// Ldh-str: letters, digits and inner hyphens; "_" accepted for x- methods
// seen in the wild).
func isKeyword(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
