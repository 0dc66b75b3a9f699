package recorded

import (
	"strings"

	"headerlens/analyzer/result"
)

// ParseReceivedSPF parses a Received-SPF field body (RFC 7208 §9.1):
//
//	header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS]
//	                 [ key-value-list ] CRLF
//	key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
//	key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
//
// Keys (client-ip, envelope-from, helo, problem, receiver, identity,
// mechanism and x-* extensions) go into Properties, lower-cased. Pairs
// separated by white space instead of ";" are accepted. ok is false only
// for a value that is blank (white space only).
func ParseReceivedSPF(value string) (v Verdict, ok bool) {
	if len(value) > maxValueLen {
		value = value[:maxValueLen]
	}
	s := &scanner{s: value}
	v = Verdict{Header: HeaderReceivedSPF, Method: "spf", Parser: ParserReceivedSPF, Properties: map[string]string{}}
	var comments []string
	comments = append(comments, s.skipCFWS()...)
	if s.eof() && len(comments) == 0 {
		return Verdict{}, false
	}
	// The result word, unless the writer left it out and began with a pair.
	save := s.i
	w := s.key()
	comments = append(comments, s.skipCFWS()...)
	if s.peek() == '=' {
		s.i = save
	} else if w != "" {
		// RFC 7208 §2.6 results; "None", "SoftFail" etc. are case-insensitive.
		v.Result = result.Word(strings.ToLower(w))
	}
	for n := 0; !s.eof() && n < maxResults; n++ {
		comments = append(comments, s.skipCFWS()...)
		if s.eof() {
			break
		}
		if s.eat(';') {
			continue
		}
		k := s.key()
		if k == "" {
			s.i++
			continue
		}
		comments = append(comments, s.skipCFWS()...)
		if !s.eat('=') {
			comments = append(comments, k)
			continue
		}
		s.skipCFWS()
		val := s.value()
		lk := strings.ToLower(k)
		if _, dup := v.Properties[lk]; !dup {
			v.Properties[lk] = val
		}
	}
	var cs []string
	for _, c := range comments {
		if c != "" {
			cs = append(cs, c)
		}
	}
	v.Comment = strings.Join(cs, "; ")
	v.AuthservID = v.Properties["receiver"]
	if v.AuthservID == "" && len(cs) > 0 {
		// RFC 7208 §9.1 recommends the comment start with the receiver's
		// host name followed by ":" ("mybox.example.org: domain of ...").
		if host, _, found := strings.Cut(cs[0], ":"); found && !strings.ContainsAny(host, " \t") {
			v.AuthservID = host
		}
	}
	v.Reason = v.Properties["problem"]
	return v, true
}
