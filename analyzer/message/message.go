// Package message turns what people paste into a header field list that the
// rest of the analyzer can trust, keeping the raw bytes of every field.
//
// Pasted input is rarely a clean RFC 5322 message. Parse accepts:
//   - a header block alone, or a whole message with its body;
//   - CRLF, LF or CR line endings (all become CRLF, RFC 5322 §2.1);
//   - leading blank lines and a UTF-8 byte order mark;
//   - indentation that copy-paste added in front of every line;
//   - an mbox "From " separator line;
//   - continuation lines whose leading white space was lost, which are
//     joined to the field above them.
//
// Every repair is recorded in Message.Notes so that the report can say why,
// for example, a DKIM signature no longer verifies. Field values are kept
// undecoded; RFC 2047 decoding happens in the summary only.
//
// The input is attacker-controlled. Parse bounds its work: it reads at most
// MaxHeaderSize bytes of header, MaxFields fields and MaxFieldSize bytes per
// field, and it never panics. What it leaves out is said in Notes.
package message

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Limits on what Parse reads. Input beyond them is reported in Notes, not
// silently dropped.
const (
	// MaxInputSize is the largest input Parse accepts at all.
	MaxInputSize = 64 << 20
	// MaxFields is the number of header fields kept; later ones are dropped
	// with a note.
	MaxFields = 10000
	// MaxFieldSize caps the raw size of one header field. Longer fields are
	// truncated with a note. RFC 5322 §2.1.1 limits lines to 998 characters;
	// folded fields can be longer, but not by this much in real mail.
	MaxFieldSize = 256 << 10
	// MaxHeaderSize caps the header block Parse reads: header lines past
	// it are counted and noted but not kept, and the body after the
	// header is still found. RFC 5322 sets no limit, but mail systems do:
	// Postfix keeps 100 KiB of header by default (header_size_limit =
	// 102400) and discards the rest, and Exchange Online refuses messages
	// whose header exceeds 256 KiB. 1 MiB is four times the largest of
	// these, so no header that was delivered is cut, while the memory and
	// signature work a hostile paste can cause stay small.
	MaxHeaderSize = 1 << 20
	// maxNameLen is the longest field name accepted. RFC 5322 §2.1.1
	// limits a line to 998 characters, so a longer "name" is not one.
	maxNameLen = 998
	// maxColonSpace is the most white space kept between a field name and
	// its colon (obs-optional, RFC 5322 §4.5); a longer run is removed,
	// with a note, so that the field's start always fits MaxFieldSize.
	maxColonSpace = 64
)

// ErrEmpty is returned for input that holds nothing but white space.
var ErrEmpty = errors.New("the input is empty")

// ErrNoHeader is returned when no header field could be found at all, for
// example for binary data or plain prose.
var ErrNoHeader = errors.New("no header fields found: the input does not look like an email header (expected lines such as \"Received: ...\" or \"From: ...\")")

// ErrTooLarge is returned for input over MaxInputSize. Its text names the
// limit as a constant (TestErrTooLargeNamesTheLimit keeps the two in step):
// formatting it with fmt would run fmt when the program starts, in the
// page's WebAssembly module too.
var ErrTooLarge = errors.New("the input is larger than 64 MiB")

// Field is one header field, in the order it appeared.
type Field struct {
	// Name is the field name as written (case preserved).
	Name string
	// Value is the unfolded value (RFC 5322 §2.2.3: CRLF removed, white
	// space kept), trimmed of surrounding white space, not RFC 2047 decoded.
	Value string
	// Raw is the field exactly as received after line endings were
	// normalized: name, colon, value and folding, ending in CRLF. DKIM and
	// ARC canonicalize these bytes (RFC 6376 §3.4).
	Raw []byte
	// Line is the 1-based line number of the field's first line in the
	// input as given.
	Line int
}

// Message is a parsed header block and, when one was supplied, the body.
type Message struct {
	// Fields are in order, topmost (most recently added) first.
	Fields []Field
	// Body is the body with CRLF line endings, or nil when the input held
	// only headers (or a body of nothing but white space).
	Body []byte
	// Notes says what Parse had to repair or drop, in plain words.
	Notes []string
}

// HasBody reports whether a body was supplied.
func (m *Message) HasBody() bool { return m.Body != nil }

// Get returns the fields named name (case-insensitive), topmost first.
func (m *Message) Get(name string) []Field {
	var out []Field
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f)
		}
	}
	return out
}

// First returns the value of the topmost field named name, and whether
// there was one.
func (m *Message) First(name string) (string, bool) {
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// Count returns how many fields are named name (case-insensitive).
func (m *Message) Count(name string) int {
	n := 0
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			n++
		}
	}
	return n
}

// HeaderBytes returns the header block as CRLF-terminated raw fields, in
// order, without the blank separator line.
func (m *Message) HeaderBytes() []byte {
	var b bytes.Buffer
	for _, f := range m.Fields {
		b.Write(f.Raw)
	}
	return b.Bytes()
}

// Parse splits input into header fields and body. It returns ErrEmpty,
// ErrTooLarge or ErrNoHeader when there is nothing to analyze; any other
// irregularity is repaired and noted.
func Parse(input []byte) (*Message, error) {
	if len(input) > MaxInputSize {
		return nil, ErrTooLarge
	}
	input = bytes.TrimPrefix(input, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(input)) == 0 {
		return nil, ErrEmpty
	}
	p := parser{input: input}
	return p.parse()
}

type parser struct {
	input []byte
	notes []string
}

// line is one input line without its line terminator.
type line struct {
	text []byte
	num  int // 1-based
}

// nextLine returns the line at the start of b (without its terminator) and
// the rest of b. Lines end in CRLF, LF or a lone CR (RFC 5322 §2.1 requires
// CRLF; pasted text mostly has LF, and old Mac text has CR).
func nextLine(b []byte) (line, rest []byte) {
	i := firstEOL(b)
	if i < 0 {
		return b, nil
	}
	j := i + 1
	if b[i] == '\r' && j < len(b) && b[j] == '\n' {
		j++
	}
	return b[:i], b[j:]
}

// firstEOL returns the offset of the first CR or LF in b, or -1. It looks
// through b in windows with bytes.IndexByte, which is much faster than
// bytes.IndexAny; the windows keep text with only one kind of line end
// (CR-only Mac text) from being scanned past the line for the other kind.
func firstEOL(b []byte) int {
	const window = 512
	for off := 0; off < len(b); off += window {
		w := b[off:min(len(b), off+window)]
		lf := bytes.IndexByte(w, '\n')
		if lf >= 0 {
			w = w[:lf]
		}
		if cr := bytes.IndexByte(w, '\r'); cr >= 0 {
			return off + cr
		}
		if lf >= 0 {
			return off + lf
		}
	}
	return -1
}

// normalizeBody returns b with every line ending turned into CRLF. Input
// that already uses CRLF only is returned without a copy.
func normalizeBody(b []byte) []byte {
	lf := bytes.Count(b, []byte{'\n'})
	cr := bytes.Count(b, []byte{'\r'})
	crlf := bytes.Count(b, []byte("\r\n"))
	if lf == crlf && cr == crlf && (len(b) == 0 || b[len(b)-1] == '\n') {
		return b
	}
	out := make([]byte, 0, len(b)+lf+cr-crlf+2)
	for len(b) > 0 {
		var l []byte
		l, b = nextLine(b)
		out = append(out, l...)
		out = append(out, '\r', '\n')
	}
	return out
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

func blank(b []byte) bool {
	for _, c := range b {
		if !isWSP(c) {
			return false
		}
	}
	return true
}

func (p *parser) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

func (p *parser) parse() (*Message, error) {
	// Collect the header lines: everything up to the first blank line.
	// Header and body are separated by the first empty line (RFC 5322
	// §2.1); a line of white space only is taken as that separator too,
	// since pasted text often carries trailing blanks. Leading blank lines
	// are never part of a header.
	var (
		header   []line
		rest     = p.input
		num      = 0
		skipped  = 0
		sawSep   = false
		kept     = 0 // header bytes kept, line ends counted as CRLF
		overLine = 0 // first line not kept because of MaxHeaderSize
		overN    = 0 // header lines not kept
		overSize = 0 // and their bytes
	)
	for len(rest) > 0 {
		var l []byte
		l, rest = nextLine(rest)
		num++
		if blank(l) {
			if len(header) == 0 && overN == 0 {
				skipped++
				continue
			}
			sawSep = true
			break
		}
		if len(header) == 0 && isMboxFrom(l) {
			// An mbox separator ("From sender date") is not a header
			// field (RFC 4155 §2).
			p.note("removed the mbox separator line %q", truncate(string(l), 80))
			continue
		}
		// A line longer than MaxFieldSize is cut to it in fields, so it
		// counts for no more.
		size := min(len(l), MaxFieldSize) + 2
		if overN > 0 || (kept+size > MaxHeaderSize && len(header) > 0) {
			// Past MaxHeaderSize: count the line, keep looking for
			// the end of the header so that the body is still found.
			if overN == 0 {
				overLine = num
			}
			overN++
			overSize += len(l) + 2
			continue
		}
		if header == nil {
			header = make([]line, 0, 64)
		}
		header = append(header, line{l, num})
		kept += size
	}
	if skipped > 0 {
		p.note("skipped %d blank line(s) before the first header field", skipped)
	}
	if overN > 0 {
		p.note("the header is larger than %d KiB: %d line(s) (%d bytes) from line %d on were not analyzed", MaxHeaderSize>>10, overN, overSize, overLine)
	}

	header = p.stripIndent(header)
	fields := p.fields(header)
	if len(fields) == 0 {
		return nil, ErrNoHeader
	}
	m := &Message{Fields: fields}
	if sawSep && len(bytes.TrimSpace(rest)) > 0 {
		m.Body = normalizeBody(rest)
	}
	m.Notes = p.notes
	return m, nil
}

// isMboxFrom reports whether l is an mbox "From " line rather than a From
// field written with white space before its colon (RFC 5322 §4.5).
func isMboxFrom(l []byte) bool {
	rest, ok := bytes.CutPrefix(l, []byte("From "))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	return len(rest) > 0 && rest[0] != ':'
}

// stripIndent removes white space that copy-paste put before every line:
// a header's first line never starts with white space (RFC 5322 §2.2), so
// when it does, that prefix is removed from every line that has it.
func (p *parser) stripIndent(header []line) []line {
	if len(header) == 0 || !isWSP(header[0].text[0]) {
		return header
	}
	first := header[0].text
	n := 0
	for n < len(first) && isWSP(first[n]) {
		n++
	}
	prefix := first[:n]
	out := make([]line, len(header))
	for i, l := range header {
		out[i] = l
		out[i].text = bytes.TrimPrefix(l.text, prefix)
	}
	p.note("removed %d character(s) of indentation added before every header line", n)
	return out
}

// validName reports whether b is a field name: printable US-ASCII except
// colon (RFC 5322 §2.2 and §3.6.8).
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// fields groups header lines into fields. The raw bytes of all fields share
// one buffer, and the names and unfolded values share one string, both
// sized up front to an upper bound of what is kept (each line at most
// MaxFieldSize, plus a joining space and CRLF), so that the buffer is never
// grown and no field keeps an old copy of it alive.
func (p *parser) fields(header []line) []Field {
	size := 0
	for _, l := range header {
		size += min(len(l.text), MaxFieldSize) + 3
	}
	arena := make([]byte, 0, size)
	fields := make([]Field, 0, min(len(header), MaxFields))
	// text holds every kept field's name followed by its unfolded value;
	// spans says where, and the strings are cut from it at the end.
	var text strings.Builder
	text.Grow(cap(arena))
	type span struct{ name, value, end int }
	spans := make([]span, 0, cap(fields))
	var (
		cur      bool   // a field is open
		curName  []byte // its name
		curLine  int    // its first line
		rawStart int
		colon    int // offset of the colon within the current raw field
		dropped  int
		orphans  int
		joined   int
		truncNum int
	)
	flush := func() {
		if !cur {
			return
		}
		if len(fields) >= MaxFields {
			dropped++
			arena = arena[:rawStart]
		} else {
			raw := arena[rawStart:len(arena):len(arena)]
			sp := span{name: text.Len()}
			text.Write(curName)
			sp.value = text.Len()
			writeUnfolded(&text, raw[colon+1:])
			sp.end = text.Len()
			spans = append(spans, sp)
			fields = append(fields, Field{Raw: raw, Line: curLine})
		}
		cur = false
	}
	add := func(l line, prefix string) {
		if len(arena) == rawStart && len(l.text)+2 > MaxFieldSize {
			// The field's first line alone is too long: keep its start.
			l.text = l.text[:MaxFieldSize-2]
			p.note("field %s on line %d is longer than %d KiB; the rest of it was dropped", curName, curLine, MaxFieldSize>>10)
			truncNum = curLine
		}
		if len(arena)-rawStart+len(prefix)+len(l.text)+2 > MaxFieldSize {
			if truncNum != curLine {
				truncNum = curLine
				p.note("field %s on line %d is longer than %d KiB; the rest of it was dropped", curName, curLine, MaxFieldSize>>10)
			}
			return
		}
		arena = append(arena, prefix...)
		arena = append(arena, l.text...)
		arena = append(arena, '\r', '\n')
	}
	for _, l := range header {
		t := l.text
		if isWSP(t[0]) {
			// RFC 5322 §2.2.3: a line starting with white space continues
			// the field above it.
			if !cur {
				orphans++
				continue
			}
			add(l, "")
			continue
		}
		c := bytes.IndexByte(t, ':')
		var name []byte
		if c > 0 && c <= maxNameLen+maxColonSpace {
			// RFC 5322 §4.5 (obs-optional): white space may stand before
			// the colon.
			name = bytes.TrimRight(t[:c], " \t")
		} else if c > 0 && len(bytes.TrimRight(t[:c], " \t")) <= maxNameLen && validName(bytes.TrimRight(t[:c], " \t")) {
			// A name followed by a long run of white space before its
			// colon: the run is removed so that the name and colon are
			// kept together within MaxFieldSize. Relaxed DKIM
			// canonicalization removes that white space too (RFC 6376
			// §3.4.2).
			name = bytes.TrimRight(t[:c], " \t")
			p.note("field %s on line %d had %d characters of white space before its colon; they were removed", name, l.num, c-len(name))
			joinedLine := make([]byte, 0, len(name)+len(t)-c)
			joinedLine = append(append(joinedLine, name...), t[c:]...)
			t, c = joinedLine, len(name)
			l.text = t
		}
		if len(name) > maxNameLen {
			// RFC 5322 §2.1.1: no line, so no field name, is longer than
			// 998 characters.
			name = nil
		}
		if !validName(name) {
			if cur {
				// Copy-paste often loses the indentation of folded lines;
				// restore one space so the field stays well-formed.
				add(l, " ")
				joined++
				if joined <= 3 {
					p.note("line %d is not a header field (no \"Name:\" at its start); it was joined to %s above as a folded continuation", l.num, curName)
				}
			} else {
				orphans++
			}
			continue
		}
		flush()
		cur, curName, curLine = true, name, l.num
		rawStart, colon = len(arena), c
		add(l, "")
	}
	flush()
	all := text.String()
	for i, sp := range spans {
		fields[i].Name = all[sp.name:sp.value]
		fields[i].Value = all[sp.value:sp.end]
	}
	if joined > 3 {
		p.note("%d more lines without a field name were joined to the field above them", joined-3)
	}
	if orphans > 0 {
		p.note("ignored %d line(s) before the first header field that are not header fields", orphans)
	}
	if dropped > 0 {
		p.note("kept the first %d header fields and dropped %d more", MaxFields, dropped)
	}
	return fields
}

// writeUnfolded writes v with the CRLFs of folding removed (RFC 5322
// §2.2.3), trimmed of surrounding white space.
func writeUnfolded(b *strings.Builder, v []byte) {
	v = bytes.Trim(v, " \t\r\n")
	for {
		i := bytes.Index(v, []byte("\r\n"))
		if i < 0 {
			b.Write(v)
			return
		}
		b.Write(v[:i])
		v = v[i+2:]
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
