package smtpprobe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what the probe reads from a server. A hostile server can send
// a banner or EHLO reply without end; these bound the memory it can make the
// companion hold.
const (
	// MaxReplyBytes bounds one multi-line reply, CRLFs included.
	MaxReplyBytes = 8 << 10
	// MaxReplyLines bounds the number of lines of one reply.
	MaxReplyLines = 100
)

// Reply is one SMTP reply (RFC 5321 §4.2): a three-digit code and one or more
// text lines.
type Reply struct {
	// Code is the reply code, 200..599.
	Code int `json:"code"`
	// Lines holds the text of each line, code and separator removed.
	Lines []string `json:"lines"`
}

// String renders r back as one line per reply line.
func (r *Reply) String() string {
	var b strings.Builder
	for i, l := range r.Lines {
		sep := "-"
		if i == len(r.Lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%03d%s%s\r\n", r.Code, sep, l)
	}
	return b.String()
}

// errProtocol marks a reply the probe could not understand.
var errProtocol = errors.New("malformed SMTP reply")

// errTooLong marks a reply that exceeded MaxReplyBytes or MaxReplyLines.
var errTooLong = errors.New("SMTP reply too long")

// ReadReply reads one complete SMTP reply from r, bounded by MaxReplyBytes
// and MaxReplyLines.
//
// RFC 5321 §4.2.1: every line but the last has a hyphen after the code, the
// last a space (or nothing); all lines carry the same code. Lines end in
// CRLF; a bare LF is tolerated, as most clients do.
func ReadReply(r *bufio.Reader) (*Reply, error) {
	rep := &Reply{}
	budget := MaxReplyBytes
	for {
		line, err := readBoundedLine(r, &budget)
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) == 0 && len(rep.Lines) == 0 {
				return nil, io.ErrUnexpectedEOF
			}
			if !errors.Is(err, io.EOF) {
				return nil, err
			}
			if len(line) == 0 {
				return nil, io.ErrUnexpectedEOF
			}
		}
		if len(rep.Lines) >= MaxReplyLines {
			return nil, fmt.Errorf("%w: more than %d lines", errTooLong, MaxReplyLines)
		}
		if len(line) < 3 {
			return nil, fmt.Errorf("%w: line %q too short", errProtocol, line)
		}
		code, cerr := strconv.Atoi(string(line[:3]))
		// RFC 5321 §4.2: the first digit is 2..5.
		if cerr != nil || code < 200 || code > 599 || line[0] == '+' || line[0] == '-' {
			return nil, fmt.Errorf("%w: bad code in %q", errProtocol, line)
		}
		if rep.Code != 0 && code != rep.Code {
			return nil, fmt.Errorf("%w: code changed from %d to %d within a reply", errProtocol, rep.Code, code)
		}
		rep.Code = code
		last := true
		text := ""
		if len(line) > 3 {
			switch line[3] {
			case '-':
				last = false
			case ' ':
			default:
				return nil, fmt.Errorf("%w: bad separator in %q", errProtocol, line)
			}
			text = string(line[4:])
		}
		rep.Lines = append(rep.Lines, sanitize(text))
		if last {
			return rep, nil
		}
		if err != nil { // EOF in the middle of a multi-line reply
			return nil, io.ErrUnexpectedEOF
		}
	}
}

// readBoundedLine reads one line without its terminator, charging its length
// to *budget.
func readBoundedLine(r *bufio.Reader, budget *int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		*budget -= len(chunk)
		if *budget < 0 {
			return nil, fmt.Errorf("%w: more than %d bytes", errTooLong, MaxReplyBytes)
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		return line, err
	}
}

// sanitize keeps printable text only, so that a server cannot inject
// control characters into reports or logs.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// Extension is one service extension advertised in an EHLO reply
// (RFC 5321 §4.1.1.1, ehlo-line).
type Extension struct {
	// Keyword is the extension keyword in upper case, e.g. "STARTTLS".
	Keyword string `json:"keyword"`
	// Params are the space-separated parameters, e.g. ["52428800"] for SIZE.
	Params []string `json:"params,omitempty"`
}

// EHLO is a parsed EHLO reply.
type EHLO struct {
	// Code is the reply code; 250 on success.
	Code int `json:"code"`
	// Domain is the server's name from the first line.
	Domain string `json:"domain,omitempty"`
	// Greeting is the rest of the first line.
	Greeting string `json:"greeting,omitempty"`
	// Extensions are the advertised extensions in order.
	Extensions []Extension `json:"extensions"`
	// Lines is the raw reply text, one entry per line.
	Lines []string `json:"lines"`
}

// Has reports whether the extension keyword (case-insensitive) was
// advertised.
func (e *EHLO) Has(keyword string) bool {
	return e.Get(keyword) != nil
}

// Get returns the advertised extension keyword (case-insensitive), or nil.
func (e *EHLO) Get(keyword string) *Extension {
	if e == nil {
		return nil
	}
	for i := range e.Extensions {
		if strings.EqualFold(e.Extensions[i].Keyword, keyword) {
			return &e.Extensions[i]
		}
	}
	return nil
}

// ParseEHLO interprets an EHLO reply.
//
// RFC 5321 §4.1.1.1: ehlo-ok-rsp is "250" SP Domain [SP ehlo-greet] for a
// one-line reply, or "250-" Domain [SP ehlo-greet] followed by ehlo-lines,
// each ehlo-keyword *(SP ehlo-param). ehlo-keyword is
// (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); keywords are case-insensitive.
// A line that is not a valid keyword is skipped rather than rejected.
func ParseEHLO(rep *Reply) (*EHLO, error) {
	if rep == nil || len(rep.Lines) == 0 {
		return nil, fmt.Errorf("%w: empty EHLO reply", errProtocol)
	}
	e := &EHLO{Code: rep.Code, Lines: rep.Lines, Extensions: []Extension{}}
	first := strings.TrimSpace(rep.Lines[0])
	e.Domain, e.Greeting, _ = strings.Cut(first, " ")
	if rep.Code != 250 {
		return e, nil
	}
	for _, l := range rep.Lines[1:] {
		fields := strings.Fields(l)
		if len(fields) == 0 || !isKeyword(fields[0]) {
			continue
		}
		ext := Extension{Keyword: strings.ToUpper(fields[0])}
		if len(fields) > 1 {
			ext.Params = fields[1:]
		}
		e.Extensions = append(e.Extensions, ext)
	}
	return e, nil
}

// ParseEHLOResponse reads and parses a complete EHLO reply from raw bytes.
func ParseEHLOResponse(raw []byte) (*EHLO, error) {
	rep, err := ReadReply(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, err
	}
	return ParseEHLO(rep)
}

func isKeyword(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-') {
			return false
		}
	}
	return true
}
