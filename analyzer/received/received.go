// Package received parses Received trace header fields.
//
// The grammar is RFC 5321 §4.4 (Time-stamp-line: "from" Extended-Domain,
// "by", "via", "with", "id", "for", then ";" and a date-time) and
// RFC 5322 §3.6.7 (received: name-val-list ";" date-time). The "with"
// protocol keywords are the registry of RFC 3848 (SMTP, ESMTP, ESMTPA,
// ESMTPS, ESMTPSA, LMTP...) and RFC 8314 §4.3 for implicit TLS. Real MTAs
// bend these rules, so the parser reads the forms written by Postfix, Exim,
// Sendmail, qmail, Microsoft Exchange and Exchange Online, Gmail, Amazon
// SES, Yahoo, IronPort, Proofpoint, Mimecast, Lotus Domino and others on a
// best-effort basis: nested comments, missing clauses, a missing ";" before
// the date, and garbage never make it fail; the raw text is always kept.
//
// Work is bounded: at most MaxScan bytes of a field are examined.
package received

import (
	"headerlens/analyzer/internal/asciifold"
	"net/netip"
	"strings"

	"headerlens/analyzer/datetime"
)

// MaxScan bounds the bytes of one field that Parse examines; the raw text
// is kept whole.
const MaxScan = 8192

// maxTokens bounds the tokens read from one field.
const maxTokens = 256

// Received is one parsed Received field. Empty strings and zero addresses
// mean "not stated".
type Received struct {
	// Raw is the field value as given.
	Raw string
	// From is the first word of the "from" clause as written: the EHLO
	// name for most MTAs (RFC 5321 §4.4), the reverse-DNS name for Exim
	// and qmail, "[192.0.2.1]" or "unknown" when there is no name.
	From string
	// FromText is the whole "from" clause as written, comments included
	// ("mail.example.com (mail.example.com [192.0.2.1])"), white space
	// collapsed.
	FromText string
	// HELO is the name the client gave in HELO/EHLO, when it can be told.
	HELO string
	// RDNS is the reverse-DNS name the receiver found for IP, when stated.
	RDNS string
	// RDNSStated is true when the from comment has the "name [address]"
	// form in which Postfix, Sendmail and Exim state the reverse-DNS
	// result (possibly "unknown"); Exchange's "name (address)" states none.
	RDNSStated bool
	// Ident is the RFC 1413 user or the identity shown by some MTAs.
	Ident string
	// IP is the address of the connecting client (IPv6: prefix and zone
	// removed).
	IP netip.Addr
	// IPClaimed is true when IP is only the address literal the client
	// gave as its HELO/EHLO argument ("from unknown (HELO [192.0.2.1])"):
	// the receiver stated no connection address, so the address is what
	// the client claimed, and nothing verified it (RFC 5321 §4.4).
	IPClaimed bool
	// By is the first word of the "by" clause: the receiving host.
	By string
	// ByIP is the receiving host's address, when stated (Exchange).
	ByIP netip.Addr
	// Software is the comment after the "by" host ("Postfix", "Exim 4.96",
	// "8.15.2/8.15.2"), when given.
	Software string
	// Via is the "via" clause ("Frontend Transport", "TCP").
	Via string
	// With is the "with" clause as written ("ESMTPS", "Microsoft SMTP
	// Server", "local", "mapi").
	With string
	// Protocol is With normalised to an RFC 3848 keyword (SMTP, ESMTP,
	// ESMTPA, ESMTPS, ESMTPSA, LMTP, LMTPA, LMTPS, LMTPSA, UTF8SMTP...),
	// or SMTPS, HTTP, HTTPS, IMAP, POP3, MAPI, LOCAL; "" when not known.
	Protocol string
	// TLS is true when the field shows the hop was encrypted: an RFC 3848
	// "S" protocol, RFC 8314 implicit TLS, or a stated version or cipher.
	TLS bool
	// TLSVersion is the protocol version stated, normalised ("TLSv1.2",
	// "TLSv1.3", "SSLv3").
	TLSVersion string
	// Cipher is the cipher suite stated, as written.
	Cipher string
	// ID is the "id" clause (angle brackets removed).
	ID string
	// For is the "for" clause: the first recipient (angle brackets removed).
	For string
	// EnvelopeFrom is the envelope sender when the field states it.
	EnvelopeFrom string
	// Comment is the text of a field made only of a comment, such as
	// qmail's "(qmail 1234 invoked by uid 0)".
	Comment string
	// Date is the date-time after ";" (or found at the end).
	Date datetime.Date
	// HasDate is true when Date was found.
	HasDate bool
	// Parsed is true when a "from" or "by" clause was found.
	Parsed bool
}

// token kinds.
const (
	kWord    = 'w'
	kComment = 'c'
)

type token struct {
	kind byte
	text string
}

// Parse reads one unfolded Received field value. A leading "Received:"
// field name is ignored. It never fails; see Received.Parsed and HasDate.
func Parse(raw string) Received {
	r := Received{Raw: raw}
	s := raw
	if len(s) > MaxScan {
		s = s[:MaxScan]
	}
	if len(s) >= 9 && strings.EqualFold(s[:9], "received:") {
		s = s[9:]
	}
	clauses, datePart, hasSemi := splitDate(s)
	if hasSemi {
		// RFC 5322 §3.6.7: the date-time follows the last ";".
		if d, ok := datetime.Parse(datePart); ok {
			r.Date, r.HasDate = d, true
		} else if d, _, ok := datetime.FindTrailing(datePart); ok {
			r.Date, r.HasDate = d, true
		} else if d, end, ok := datetime.FindLeading(strings.TrimLeft(datePart, " \t\r\n")); ok {
			// Clauses after the date: "; <date> for <rcpt>".
			r.Date, r.HasDate = d, true
			clauses += " " + strings.TrimLeft(datePart, " \t\r\n")[end:]
		}
	} else if d, at, ok := datetime.FindTrailing(s); ok {
		// No ";": the date is at the end (SendGrid, broken MTAs).
		r.Date, r.HasDate = d, true
		clauses = s[:at]
	}
	var buf [32]token
	if hasSemi && strings.IndexByte(datePart, '(') >= 0 {
		// TLS details written after the ";" (IBM gateways:
		// "...; (version=TLSv1.2 cipher=...) <date>").
		for _, t := range tokenize(buf[:0], datePart) {
			if t.kind == kComment {
				r.scanComment(t.text)
			}
		}
	}
	toks := tokenize(buf[:0], clauses)
	noHELO := false
	if len(toks) > 0 && toks[0].kind == kComment && len(toks[0].text) > 5 && strings.EqualFold(toks[0].text[:5], "from ") {
		// Sendmail and others: "(from user@localhost) by host ...".
		// Sendmail's default template (cf/m4/proto.m4) writes
		// "$?sfrom $s $.$?_($?s$|from $.$_)": with no HELO ($s) the
		// whole from clause is the connection ($_), in parentheses.
		toks = append(tokenize(nil, toks[0].text), toks[1:]...)
		noHELO = true
	}
	r.clauses(toks, noHELO)
	return r
}

// splitDate splits at the last ";" outside comments and brackets.
func splitDate(s string) (string, string, bool) {
	depth, semi := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if depth > 0 {
				i++
			}
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth == 0 {
				semi = i
			}
		}
	}
	if semi < 0 {
		return s, "", false
	}
	return s[:semi], s[semi+1:], true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// tokenize splits the clause part into words and comments (RFC 5322
// §3.2.2; comments nest) and appends them to out. "[...]" and "<...>" stay
// in one word.
func tokenize(out []token, s string) []token {
	i := 0
	for n := len(out); i < len(s) && len(out)-n < maxTokens; {
		c := s[i]
		switch {
		case isSpace(c) || c == ';' || c == ')':
			i++
		case c == '(':
			depth, j := 0, i
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := j
			if end > len(s) {
				end = len(s)
			}
			out = append(out, token{kComment, s[i+1 : end]})
			i = end + 1
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '(' && s[j] != ';' {
				if s[j] == '[' || s[j] == '<' || s[j] == '"' {
					close := byte(']')
					if s[j] == '<' {
						close = '>'
					} else if s[j] == '"' {
						close = '"'
					}
					if k := strings.IndexByte(s[j+1:min(len(s), j+257)], close); k >= 0 {
						j += k + 2
						continue
					}
				}
				j++
			}
			out = append(out, token{kWord, s[i:j]})
			i = j
		}
	}
	return out
}

// clause is one keyword and what follows it up to the next keyword.
type clause struct {
	key      string
	words    []string
	comments []string
	// lead is the words before the first comment.
	lead []string
	// toks[start:end] are the clause's tokens after the keyword.
	start, end int
}

// text returns the clause as written, white space collapsed (FromText).
func (c *clause) text(toks []token) string {
	toks = toks[c.start:c.end]
	var b strings.Builder
	n := 0
	for _, t := range toks {
		n += len(t.text) + 3
	}
	b.Grow(n)
	for _, t := range toks {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if t.kind == kComment {
			b.WriteByte('(')
			writeCollapsed(&b, t.text)
			b.WriteByte(')')
			continue
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// writeCollapsed writes the words of s (strings.Fields) separated by one
// space.
func writeCollapsed(b *strings.Builder, s string) {
	first := true
	for w := range strings.FieldsSeq(s) {
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		first = false
	}
}

// collapse returns strings.Join(strings.Fields(s), " "): s itself when it
// already is single-spaced ASCII words, as most comments are.
func collapse(s string) string {
	prev := byte(' ')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || (c == ' ' && prev == ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prev = c
	}
	if prev == ' ' {
		return strings.Join(strings.Fields(s), " ") // empty or a trailing space
	}
	return s
}

// keywords are the clause keywords of RFC 5321 §4.4.
var keywords = [...]string{"from", "by", "via", "with", "id", "for"}

func keyword(w string) string {
	w = asciifold.LowerNonASCII(w)
	if len(w) < 2 || len(w) > 4 {
		return ""
	}
	for _, k := range keywords {
		if asciifold.Equal(w, k) {
			return k
		}
	}
	return ""
}

func keyIndex(k string) int {
	switch k {
	case "from":
		return 0
	case "by":
		return 1
	case "via":
		return 2
	case "with":
		return 3
	case "id":
		return 4
	}
	return 5
}

// clauses reads the clauses of toks. noHELO is true when the from clause
// is Sendmail's "(from host [address])": no HELO was given and the words
// are the connection's.
func (r *Received) clauses(toks []token, noHELO bool) {
	// The words and comments of all clauses share two buffers: a clause's
	// words (and comments) are contiguous, and the buffers never grow, so
	// each clause's slices stay valid. A clause's lead is a prefix of its
	// words.
	var clsBuf [8]clause
	cls := clsBuf[:0]
	strs := make([]string, 2*len(toks))
	words, comments := strs[:0:len(toks)], strs[len(toks):len(toks)]
	var cur *clause
	var loose []string // comments before any keyword
	for i, t := range toks {
		if t.kind == kWord {
			if k := keyword(t.text); k != "" {
				cls = append(cls, clause{key: k, words: words[len(words):], comments: comments[len(comments):], start: i + 1, end: i + 1})
				cur = &cls[len(cls)-1]
				continue
			}
			if cur != nil {
				cur.end++
				words = append(words, t.text)
				cur.words = cur.words[:len(cur.words)+1]
				if len(cur.comments) == 0 {
					cur.lead = cur.words
				}
			}
			continue
		}
		if cur != nil {
			cur.end++
			comments = append(comments, t.text)
			cur.comments = cur.comments[:len(cur.comments)+1]
		} else {
			loose = append(loose, t.text)
		}
	}
	if len(cls) == 0 && len(loose) > 0 {
		// qmail: "(qmail 1234 invoked by uid 0); date".
		r.Comment = collapse(loose[0])
	}
	var seen [6]bool
	for _, cm := range loose {
		r.scanComment(cm)
	}
	for i := range cls {
		c := &cls[i]
		for _, cm := range c.comments {
			r.scanComment(cm)
		}
		if seen[keyIndex(c.key)] {
			// XMail: "for <rcpt> from <sender>".
			if c.key == "from" && len(c.words) > 0 && strings.HasPrefix(c.words[0], "<") {
				r.EnvelopeFrom = strings.Trim(c.words[0], "<>")
			}
			if c.key == "with" {
				r.withExtra(c)
			}
			continue
		}
		seen[keyIndex(c.key)] = true
		switch c.key {
		case "from":
			r.Parsed = true
			r.FromText = c.text(toks)
			r.fromClause(c, noHELO)
		case "by":
			r.Parsed = true
			if len(c.words) > 0 {
				r.By = strings.TrimSuffix(strings.Trim(c.words[0], "<>,"), ".")
			}
			for _, cm := range c.comments {
				if a, ok := commentIP(cm); ok && !r.ByIP.IsValid() && len(strings.Fields(cm)) == 1 {
					r.ByIP = a
					continue
				}
				if r.Software == "" && !strings.Contains(cm, "[") {
					r.Software = collapse(cm)
				}
			}
		case "via":
			r.Via = strings.Join(c.lead, " ")
		case "with":
			r.withClause(c)
		case "id":
			if len(c.words) > 0 {
				r.ID = strings.Trim(c.words[0], "<>,")
			}
		case "for":
			if len(c.words) > 0 {
				r.For = strings.Trim(c.words[0], "<>,")
			}
		}
	}
	if r.TLSVersion != "" || r.Cipher != "" {
		r.TLS = true
	}
}

// fromClause reads "from" Extended-Domain (RFC 5321 §4.4): the
// From-domain is the argument of the client's EHLO, the TCP-info in the
// comment what the receiver saw of the connection (its address literal
// and reverse-DNS name). Some MTAs mark the HELO argument instead (Exim
// "helo=", qmail, Yahoo, IronPort and CommuniGate "(HELO x)", Obtuse
// smtpd "claiming to be") and put what they saw first. Either way an
// address literal given as the HELO argument is chosen by the client: it
// is the hop's IP only when the receiver states no address of its own,
// and then IPClaimed says so. noHELO is Sendmail's "(from host [address])"
// form, written when the client gave no HELO.
func (r *Received) fromClause(c *clause, noHELO bool) {
	if len(c.words) > 0 {
		r.From = c.words[0]
	}
	name := strings.TrimSuffix(r.From, ".")
	heloMarked := false
	// rdnsComment is the last comment of one word that can be a
	// reverse-DNS name: "from helo (rdns.example.com)" with no address.
	rdnsComment := ""
	var buf, tcpBuf [16]string
	for _, cm := range c.comments {
		f := appendFields(buf[:0], cm)
		// tcp is the comment without the words that give the HELO
		// argument: an address literal there is what the client claimed,
		// never the connection's address (RFC 5321 §4.4 TCP-info is
		// what the receiver saw).
		tcp := tcpBuf[:0]
		for i := 0; i < len(f); i++ {
			w := f[i]
			lw := asciifold.LowerNonASCII(w)
			switch {
			case asciifold.HasPrefix(lw, "helo=") || asciifold.HasPrefix(lw, "ehlo="):
				// Exim: "([192.0.2.1] helo=mail.example.com)".
				r.HELO, heloMarked = strings.Trim(w[5:], "[]"), true
			case (asciifold.Equal(lw, "helo") || asciifold.Equal(lw, "ehlo")) && i+1 < len(f) && r.HELO == "":
				// qmail "(HELO name)", Yahoo, IronPort and others
				// "(EHLO name)".
				r.HELO, heloMarked = strings.Trim(f[i+1], "[]"), true
				i++
			case asciifold.HasPrefix(lw, "ident="):
				r.Ident = strings.Trim(w[6:], "[]")
			case strings.Contains(w, "="):
				// Exim "port=52344" and other key=value words.
			default:
				tcp = append(tcp, w)
			}
		}
		if len(f) == 1 && strings.Contains(f[0], ".") && !strings.ContainsAny(f[0], "[]@=:") {
			if _, ok := literalIP(f[0]); !ok {
				rdnsComment = f[0]
			}
		}
		if a, rdns, ok := addrComment(tcp); ok {
			if !r.IP.IsValid() {
				r.IP = a
			}
			if at := strings.LastIndexByte(rdns, '@'); at >= 0 {
				// RFC 1413 ident: Sendmail "(user@host [192.0.2.1])",
				// qmail "(user@192.0.2.1)".
				if r.Ident == "" {
					r.Ident = rdns[:at]
				}
				rdns = rdns[at+1:]
			}
			if rdns != "" {
				r.RDNSStated = true
				if r.RDNS == "" && !strings.EqualFold(rdns, "unknown") {
					r.RDNS = strings.TrimSuffix(rdns, ".")
				}
			}
		}
	}
	words := c.words[min(1, len(c.words)):]
	for i := 0; i < len(words); i++ {
		w := words[i]
		if asciifold.Equal(asciifold.LowerNonASCII(w), "claiming") && i+3 < len(words) &&
			strings.EqualFold(words[i+1], "to") && strings.EqualFold(words[i+2], "be") {
			// Obtuse smtpd: "from rdns(192.0.2.1), claiming to be
			// "helo" via SMTP".
			if r.HELO == "" {
				r.HELO, heloMarked = strings.Trim(words[i+3], `"[]`), true
			}
			i += 3
			continue
		}
		// "from name [192.0.2.1] by": the literal outside a comment
		// (Exim 3, MDaemon, fetchmail).
		if a, ok := literalIP(w); ok && !r.IP.IsValid() && strings.HasPrefix(w, "[") {
			r.IP = a
		}
	}
	if r.RDNS == "" && rdnsComment != "" {
		// "from helo (rdns.example.com)" with no address.
		r.RDNS = strings.TrimSuffix(rdnsComment, ".")
	}
	r.fromName(name, heloMarked, noHELO)
	if !r.IP.IsValid() && heloMarked {
		// RFC 5321 §4.4: the HELO argument is what the client claimed.
		// With no connection address stated, an address literal there
		// is all there is: kept, and marked as the client's claim.
		if a, ok := literalIP(r.HELO); ok {
			r.IP, r.IPClaimed = a, true
		}
	}
}

// fromName reads the first word of the from clause, name: the HELO
// argument, or the receiver's own view when the HELO is marked apart
// (heloMarked) or absent (noHELO).
func (r *Received) fromName(name string, heloMarked, noHELO bool) {
	if a, ok := literalIP(name); ok {
		switch {
		case r.IP.IsValid() && !heloMarked && !noHELO:
			// Postfix, Sendmail, Exchange, Courier: "from [10.0.0.1]
			// (rdns [198.51.100.9])": the first word is the HELO
			// argument, an address literal, and the comment the
			// connection.
			r.HELO = strings.Trim(name, "[]")
		case !r.IP.IsValid():
			// "from [192.0.2.1]" with no other address: Exim's and
			// CommuniGate's connection address (the HELO, if any, is
			// marked apart), a webmail client's address ("via HTTP"),
			// MDaemon when the HELO literal is the connection's own.
			r.IP = a
		}
		return
	}
	if name == "" || strings.EqualFold(name, "unknown") {
		return
	}
	if noHELO {
		// Sendmail "(from rdns [192.0.2.1])", "(from user@rdns
		// [192.0.2.1])": the connection as the receiver saw it;
		// "(from user@localhost)": a local submission.
		if r.IP.IsValid() {
			if at := strings.LastIndexByte(name, '@'); at >= 0 {
				r.Ident, name = name[:at], name[at+1:]
			}
			if name != "" {
				r.RDNS, r.RDNSStated = name, true
			}
		}
		return
	}
	if heloMarked {
		// Exim and qmail put the reverse-DNS name first when the HELO
		// name is marked separately. With no connection address it is
		// no host's name: Exim's default template writes "from
		// $sender_ident (helo=...)" for a local SMTP session.
		if r.RDNS == "" && r.IP.IsValid() {
			r.RDNS = name
		}
		return
	}
	if strings.Contains(name, "@") {
		// Sendmail "(from user@localhost)", qmail-scanner "from
		// user@example.com": a local user, not a HELO name.
		return
	}
	// Postfix, Sendmail, Exchange: the first word is the HELO name.
	r.HELO = name
}

// appendFields splits a comment into words, dropping nested comment
// parentheses and separators, and appends them to dst.
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '(', ')', ',':
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// addrComment finds the client address in a "from" comment: "[ip]",
// "name [ip]", "ip", "ip:port", "user@ip"; the word before a bracketed
// address is the reverse-DNS name. The name returned keeps an RFC 1413
// "user@" prefix.
func addrComment(f []string) (netip.Addr, string, bool) {
	for i, w := range f {
		if j := strings.IndexByte(w, '['); j > 0 {
			// "unknown[192.0.2.1]", "user@[192.0.2.1]", "<name>[192.0.2.1]".
			if a, ok := literalIP(w[j:]); ok {
				return a, strings.Trim(w[:j], "<>"), true
			}
		}
		if at := strings.LastIndexByte(w, '@'); at > 0 && !strings.HasPrefix(w, "<") {
			// qmail-smtpd received(): "(user@192.0.2.1)", the RFC 1413
			// ident before the address.
			if a, ok := literalIP(w[at+1:]); ok {
				return a, w[:at+1], true
			}
		}
		if a, ok := literalIP(w); ok {
			rdns := ""
			if i > 0 && strings.HasPrefix(w, "[") {
				p := f[i-1]
				if !strings.Contains(p, "=") && !strings.EqualFold(p, "helo") && !strings.EqualFold(p, "ehlo") {
					rdns = p
				}
			}
			return a, rdns, true
		}
	}
	return netip.Addr{}, "", false
}

// commentIP reads a comment that is just an address: "(10.152.80.189)".
func commentIP(cm string) (netip.Addr, bool) {
	var buf [1]string
	f := appendFields(buf[:0], firstWords(cm))
	if len(f) == 0 {
		return netip.Addr{}, false
	}
	return literalIP(f[0])
}

// firstWords returns the start of s up to the end of its first word
// (appendFields).
func firstWords(s string) string {
	started := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', '(', ')', ',':
			if started {
				return s[:i]
			}
		default:
			started = true
		}
	}
	return s
}

// literalIP reads an address literal as MTAs write it: "[192.0.2.1]",
// "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3), "192.0.2.1:25",
// "[192.0.2.1]:25", "fe80::1%6".
func literalIP(w string) (netip.Addr, bool) {
	w = strings.TrimSuffix(w, ".")
	if strings.HasPrefix(w, "[") {
		end := strings.IndexByte(w, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		w = strings.Trim(w[1:end], "()")
	}
	if len(w) > 5 && strings.EqualFold(w[:5], "IPv6:") {
		w = w[5:]
	}
	if i := strings.IndexByte(w, '%'); i >= 0 {
		w = w[:i]
	}
	if len(w) < 2 || len(w) > 64 {
		return netip.Addr{}, false
	}
	if ipChars(w) {
		if a, err := netip.ParseAddr(w); err == nil {
			return a.Unmap(), true
		}
	}
	// "192.0.2.1:25" and "[192.0.2.1:25]" (the port is not checked).
	if i := strings.LastIndexByte(w, ':'); i > 0 && strings.Count(w, ":") == 1 && ipChars(w[:i]) {
		if a, err := netip.ParseAddr(w[:i]); err == nil && a.Is4() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// ipChars reports whether w is made only of the characters of IPv4 and
// IPv6 addresses (zone removed), the only input netip.ParseAddr can
// accept: checking first saves building its error for host names.
func ipChars(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// withClause reads the protocol (RFC 5321 §4.4 "with" Protocol; RFC 3848).
func (r *Received) withClause(c *clause) {
	lead := c.lead
	for i, w := range c.words {
		if strings.EqualFold(w, "tls") && i+1 < len(c.words) {
			// Exim 4.9x: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
			r.Cipher = c.words[i+1]
			r.TLS = true
			if i < len(lead) {
				lead = lead[:i]
			}
			break
		}
	}
	r.With = strings.Join(lead, " ")
	if r.With == "" && len(c.words) > 0 {
		r.With = c.words[0]
	}
	r.Protocol = normProtocol(r.With)
	if r.Protocol == "ESMTPS" && strings.EqualFold(r.With, "ESMTP-TLS") {
		r.TLS = true
	}
	for _, w := range lead {
		if strings.EqualFold(w, "encrypted") {
			r.TLS = true
		} else if looksCipher(w) && r.Cipher == "" {
			// MessageLabs: "with AES256-GCM-SHA384 encrypted SMTP".
			r.Cipher = w
		}
	}
	if strings.Contains(r.With, "/") {
		// IronPort: "ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384".
		for _, p := range strings.Split(r.With, "/")[1:] {
			switch {
			case strings.EqualFold(p, "TLS") || strings.EqualFold(p, "SSL"):
				r.TLS = true
			case normVersion(p) != "":
				r.TLSVersion = normVersion(p)
			case looksCipher(p):
				r.Cipher = p
			}
		}
	}
	switch r.Protocol {
	case "ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTPS", "UTF8LMTPSA", "HTTPS":
		// RFC 3848 §2: the "S" suffix means STARTTLS was used.
		r.TLS = true
	case "SMTPS":
		// RFC 8314 §4.3 (implicit TLS); Gmail writes "with SMTPS".
		r.TLS = true
	}
	r.withExtra(c)
}

// withExtra reads later words of a "with" clause (Mimecast: "with ESMTP
// with both STARTTLS and AUTH").
func (r *Received) withExtra(c *clause) {
	for _, w := range c.words {
		if strings.EqualFold(w, "STARTTLS") {
			r.TLS = true
		}
	}
}

// isMailProtocol reports whether w is one of the "with" protocol keywords
// of RFC 3848 §2 and the IANA Mail Transmission Types registry, or a form
// seen in the wild. A switch, not a map: a map literal is code that runs
// when the program starts, in the page's WebAssembly module too.
func isMailProtocol(w string) bool {
	switch w {
	case "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA", "LMTP", "LMTPA",
		"LMTPS", "LMTPSA", "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS",
		"UTF8SMTPSA", "UTF8LMTP", "UTF8LMTPA", "UTF8LMTPS", "UTF8LMTPSA",
		"SMTPS", "HTTP", "HTTPS", "IMAP", "POP3", "MAPI", "LOCAL":
		return true
	}
	return false
}

func normProtocol(with string) string {
	if with == "" {
		return ""
	}
	u := strings.ToUpper(with)
	if strings.HasPrefix(u, "MICROSOFT SMTP") || strings.HasPrefix(u, "MICROSOFT SMTPSVC") {
		// Exchange: "Microsoft SMTP Server", IIS: "Microsoft SMTPSVC".
		return "SMTP"
	}
	if strings.HasPrefix(u, "[") {
		// XMail: "[XMail 1.20 ESMTP Server]".
		for _, w := range strings.Fields(strings.Trim(u, "[]")) {
			if isMailProtocol(w) {
				return w
			}
		}
		return ""
	}
	first := u
	if i := strings.IndexAny(first, " /"); i >= 0 {
		first = first[:i]
	}
	if rest, ok := strings.CutPrefix(first, "LOCAL-"); ok {
		// Exim: "local-esmtp", "local-bsmtp" (batched SMTP).
		if rest == "BSMTP" {
			return "SMTP"
		}
		first = rest
	}
	switch first {
	case "BSMTP":
		// Batched SMTP (RFC 2442).
		return "SMTP"
	case "ESMTP-TLS":
		// CommuniGate Pro: ESMTP over STARTTLS, RFC 3848's ESMTPS.
		return "ESMTPS"
	}
	if isMailProtocol(first) {
		return first
	}
	// "MailEnable ESMTP", "AES256-GCM-SHA384 encrypted SMTP" (MessageLabs).
	words := strings.Fields(u) // may be empty: "\f" is no space to IndexAny
	for i := 1; i < len(words); i++ {
		if isMailProtocol(words[i]) {
			return words[i]
		}
	}
	return ""
}

// normVersion normalises "TLSv1.3", "TLS1_3", "TLS1.3", "TLSv1_3",
// "TLS-1.0", "TLSv1", "SSLv3" to "TLSv1.3" style; "" when w is not one.
func normVersion(w string) string {
	if i := strings.IndexByte(w, '/'); i > 0 {
		w = w[:i] // "TLSv1/SSLv3"
	}
	u := strings.ToUpper(strings.Trim(w, ",;:()"))
	var prefix string
	switch {
	case strings.HasPrefix(u, "TLS"):
		prefix, u = "TLSv", u[3:]
	case strings.HasPrefix(u, "SSL"):
		prefix, u = "SSLv", u[3:]
	default:
		return ""
	}
	u = strings.TrimLeft(u, "V-_ ")
	u = strings.ReplaceAll(u, "_", ".")
	switch u {
	case "1", "1.0", "10":
		u = "1.0"
	case "1.1", "11":
		u = "1.1"
	case "1.2", "12":
		u = "1.2"
	case "1.3", "13":
		u = "1.3"
	case "2", "3", "3.0":
		if prefix != "SSLv" {
			return ""
		}
		u = u[:1]
	default:
		return ""
	}
	return prefix + u
}

// looksCipher reports whether w looks like a cipher suite name.
func looksCipher(w string) bool {
	if len(w) < 6 || len(w) > 80 || !strings.ContainsAny(w, "_-") {
		return false
	}
	u := strings.ToUpper(w)
	for _, k := range []string{"AES", "CHACHA", "RC4", "DES", "CAMELLIA", "GCM", "NULL", "ARIA", "SEED"} {
		if strings.Contains(u, k) {
			return w == strings.ToUpper(w) || strings.Contains(w, "_")
		}
	}
	return false
}

// scanComment finds TLS details in a comment, in the forms MTAs write:
// "version=TLS1_2 cipher=..." (Exchange, Gmail, Proofpoint), "using TLSv1.3
// with cipher X (256/256 bits)" (Postfix), "TLS1.2:CIPHER:256" and "Cipher
// TLSv1:CIPHER:168" (Exim), "TLS: TLS1.3, 128bits, CIPHER", "(TLS)"
// (Exchange), "(Google Transport Security)".
func (r *Received) scanComment(cm string) {
	if !containsFold(cm, "tls") && !containsFold(cm, "ssl") && !containsFold(cm, "cipher") &&
		!strings.Contains(cm, "Transport Security") {
		return
	}
	var buf [32]string
	f := appendFields(buf[:0], cm)
	tlsContext := false
	for i := 0; i < len(f); i++ {
		w := f[i]
		lw := asciifold.LowerNonASCII(w)
		switch {
		case asciifold.HasPrefix(lw, "version="):
			if v := normVersion(w[8:]); v != "" && r.TLSVersion == "" {
				r.TLSVersion = v
			}
			tlsContext = true
		case asciifold.HasPrefix(lw, "cipher="):
			if r.Cipher == "" {
				r.Cipher = strings.Trim(w[7:], ",;")
			}
		case asciifold.Equal(lw, "using") && i+1 < len(f) && normVersion(f[i+1]) != "":
			r.TLSVersion = normVersion(f[i+1])
			tlsContext = true
		case (asciifold.Equal(lw, "cipher") || asciifold.Equal(lw, "tls_cipher")) && i+1 < len(f):
			next := f[i+1]
			if strings.Count(next, ":") >= 1 {
				r.colonTLS(next)
			} else if r.Cipher == "" {
				r.Cipher = next
			}
			i++
		case strings.Count(w, ":") >= 1 && normVersion(w[:strings.IndexByte(w, ':')]) != "":
			r.colonTLS(w)
		case normVersion(w) != "":
			if r.TLSVersion == "" {
				r.TLSVersion = normVersion(w)
			}
			tlsContext = true
		case asciifold.Equal(lw, "tls") || asciifold.Equal(lw, "tls:") || asciifold.Equal(lw, "starttls"):
			r.TLS = true
			tlsContext = true
		case tlsContext && r.Cipher == "" && looksCipher(w):
			r.Cipher = w
		}
	}
	if strings.Contains(cm, "Google Transport Security") {
		r.TLS = true
	}
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			if s[i+j]|0x20 != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// colonTLS reads Exim's "TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256".
func (r *Received) colonTLS(w string) {
	p := strings.Split(w, ":")
	if v := normVersion(p[0]); v != "" && r.TLSVersion == "" {
		r.TLSVersion = v
	}
	if len(p) > 1 && r.Cipher == "" && p[1] != "" {
		r.Cipher = p[1]
	}
	r.TLS = true
}
