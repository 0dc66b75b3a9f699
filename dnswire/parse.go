package dnswire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Limits of Parse.
const (
	// MaxMessageSize is the largest message Parse accepts: a DNS message
	// length is a 16-bit quantity (RFC 1035 §4.2.2, RFC 8484 §6).
	MaxMessageSize = 65535
	// maxNameOctets is the longest name in wire form, length octets and
	// the root label included (RFC 1035 §2.3.4, §3.1).
	maxNameOctets = 255
	// maxLabel is the longest label (RFC 1035 §2.3.4).
	maxLabel = 63
	// maxPointers bounds the compression pointers followed in one name:
	// a 255-octet name has at most 127 labels, and each pointer must be
	// followed by a label before the next (or end the name).
	maxPointers = 126
	// maxDecodedOctets bounds the name octets decoded in one message, so
	// that compression (RFC 1035 §4.1.4) cannot turn 64 KiB of input into
	// many megabytes of names.
	maxDecodedOctets = 1 << 20
	// minRR is the smallest resource record: a root owner name, TYPE,
	// CLASS, TTL and RDLENGTH (RFC 1035 §4.1.3).
	minRR = 11
)

// ParseError describes why a message does not parse.
type ParseError struct {
	// Offset is where in the message the problem was found.
	Offset int
	// Reason says what is wrong.
	Reason string
}

// Error returns "dnswire: <reason> at offset <n>".
func (e *ParseError) Error() string {
	return fmt.Sprintf("dnswire: %s at offset %d", e.Reason, e.Offset)
}

// errShort is the reason for input that ends too early.
const errShort = "message ends early"

// parser holds the state of one Parse.
type parser struct {
	msg     []byte
	decoded int // name octets decoded so far, for maxDecodedOctets
	buf     []byte
}

func (p *parser) fail(off int, reason string) error {
	return &ParseError{Offset: off, Reason: reason}
}

// Parse decodes the message b (RFC 1035 §4.1). It checks the section
// counts against the data: a record or question that does not fit is an
// error, and so are more than one OPT record, an OPT record outside the
// additional section or with an owner other than the root
// (RFC 6891 §6.1.1), and RDATA of a typed record that does not match its
// type's format or fill its RDLENGTH exactly. Octets after the last
// section are ignored. The result shares no memory with b.
func Parse(b []byte) (*Msg, error) {
	p := &parser{msg: b}
	return p.parse()
}

func (p *parser) parse() (*Msg, error) {
	b := p.msg
	if len(b) > MaxMessageSize {
		return nil, p.fail(0, fmt.Sprintf("message of %d octets, longer than %d", len(b), MaxMessageSize))
	}
	// RFC 1035 §4.1.1: the header is 12 octets.
	if len(b) < 12 {
		return nil, p.fail(len(b), errShort+" (header)")
	}
	m := new(Msg)
	m.ID = binary.BigEndian.Uint16(b)
	flags := binary.BigEndian.Uint16(b[2:])
	m.Response = flags&(1<<15) != 0
	m.Opcode = Opcode(flags>>11) & 0xF
	m.Authoritative = flags&(1<<10) != 0
	m.Truncated = flags&(1<<9) != 0
	m.RecursionDesired = flags&(1<<8) != 0
	m.RecursionAvailable = flags&(1<<7) != 0
	// Bit 6 is Z, reserved (RFC 1035 §4.1.1); bits 5 and 4 are AD and CD
	// (RFC 4035 §3.2.3, §3.2.2; RFC 2535 §6.1).
	m.AuthenticatedData = flags&(1<<5) != 0
	m.CheckingDisabled = flags&(1<<4) != 0
	m.Rcode = Rcode(flags & 0xF)
	qd := int(binary.BigEndian.Uint16(b[4:]))
	an := int(binary.BigEndian.Uint16(b[6:]))
	ns := int(binary.BigEndian.Uint16(b[8:]))
	ar := int(binary.BigEndian.Uint16(b[10:]))
	off := 12

	// RFC 1035 §4.1.2: QNAME, QTYPE, QCLASS. The counts come from the
	// sender: allocate by what the remaining octets can hold, not by them.
	if qd > 0 {
		m.Question = make([]Question, 0, min(qd, (len(b)-off)/5))
	}
	for range qd {
		name, n, err := p.name(off)
		if err != nil {
			return nil, err
		}
		if n+4 > len(b) {
			return nil, p.fail(n, errShort+" (question)")
		}
		m.Question = append(m.Question, Question{
			Name:  name,
			Type:  Type(binary.BigEndian.Uint16(b[n:])),
			Class: Class(binary.BigEndian.Uint16(b[n+2:])),
		})
		off = n + 4
	}

	var err error
	if m.Answer, off, err = p.section(m, off, an, 1); err != nil {
		return nil, err
	}
	if m.Authority, off, err = p.section(m, off, ns, 2); err != nil {
		return nil, err
	}
	if m.Additional, _, err = p.section(m, off, ar, 3); err != nil {
		return nil, err
	}
	return m, nil
}

// section parses count records at off; sec is 1 (answer), 2 (authority)
// or 3 (additional), where an OPT record goes into m.OPT.
func (p *parser) section(m *Msg, off, count, sec int) ([]RR, int, error) {
	if count == 0 {
		return nil, off, nil
	}
	rrs := make([]RR, 0, min(count, (len(p.msg)-off)/minRR))
	for range count {
		start := off
		name, n, err := p.name(off)
		if err != nil {
			return nil, 0, err
		}
		// RFC 1035 §4.1.3: TYPE, CLASS, TTL, RDLENGTH, then RDATA.
		if n+10 > len(p.msg) {
			return nil, 0, p.fail(n, errShort+" (record header)")
		}
		b := p.msg
		rr := RR{
			Name:  name,
			Type:  Type(binary.BigEndian.Uint16(b[n:])),
			Class: Class(binary.BigEndian.Uint16(b[n+2:])),
			TTL:   binary.BigEndian.Uint32(b[n+4:]),
		}
		rdlen := int(binary.BigEndian.Uint16(b[n+8:]))
		rdstart := n + 10
		end := rdstart + rdlen
		if end > len(b) {
			return nil, 0, p.fail(rdstart, fmt.Sprintf("RDLENGTH %d runs past the end of the message", rdlen))
		}
		off = end
		if rr.Type == TypeOPT {
			// RFC 6891 §6.1.1: OPT appears only in the additional
			// section, at most once (more is FORMERR); §6.1.2: its
			// owner is the root.
			switch {
			case sec != 3:
				return nil, 0, p.fail(start, "OPT record outside the additional section")
			case m.OPT != nil:
				return nil, 0, p.fail(start, "second OPT record")
			case name != ".":
				return nil, 0, p.fail(start, "OPT record with an owner other than the root")
			}
			opt, err := p.opt(rr, rdstart, end)
			if err != nil {
				return nil, 0, err
			}
			m.OPT = opt
			// RFC 6891 §6.1.3: EXTENDED-RCODE holds the upper 8 bits
			// of the 12-bit RCODE.
			m.Rcode |= Rcode(rr.TTL>>24) << 4
			continue
		}
		if rr.Data, err = p.rdata(rr.Type, rdstart, end); err != nil {
			return nil, 0, err
		}
		rrs = append(rrs, rr)
	}
	return rrs, off, nil
}

// opt decodes the OPT record rr with RDATA msg[off:end] (RFC 6891 §6.1.2,
// §6.1.3).
func (p *parser) opt(rr RR, off, end int) (*OPT, error) {
	o := &OPT{
		UDPSize: uint16(rr.Class),
		Version: uint8(rr.TTL >> 16),
		DO:      rr.TTL&(1<<15) != 0,
		Z:       uint16(rr.TTL) &^ (1 << 15),
	}
	for off < end {
		// RFC 6891 §6.1.2: OPTION-CODE, OPTION-LENGTH, OPTION-DATA.
		if off+4 > end {
			return nil, p.fail(off, "EDNS option header runs past the RDATA")
		}
		code := binary.BigEndian.Uint16(p.msg[off:])
		n := int(binary.BigEndian.Uint16(p.msg[off+2:]))
		off += 4
		if off+n > end {
			return nil, p.fail(off, fmt.Sprintf("EDNS option %d of %d octets runs past the RDATA", code, n))
		}
		o.Options = append(o.Options, Option{Code: code, Data: clone(p.msg[off : off+n])})
		off += n
	}
	return o, nil
}

// rdata decodes the RDATA msg[off:end] of a record of type t. Names in
// RDATA may be compressed in the types of RFC 1035 (RFC 3597 §4).
func (p *parser) rdata(t Type, off, end int) (RData, error) {
	b := p.msg[:end] // names and fields must stay inside the RDATA
	rd := p.msg[off:end]
	switch t {
	case TypeA:
		// RFC 1035 §3.4.1: a 32-bit address.
		if len(rd) != 4 {
			return nil, p.fail(off, fmt.Sprintf("A RDATA of %d octets, want 4", len(rd)))
		}
		return &A{Addr: netip.AddrFrom4([4]byte(rd))}, nil
	case TypeAAAA:
		// RFC 3596 §2.2: a 128-bit address.
		if len(rd) != 16 {
			return nil, p.fail(off, fmt.Sprintf("AAAA RDATA of %d octets, want 16", len(rd)))
		}
		return &AAAA{Addr: netip.AddrFrom16([16]byte(rd))}, nil
	case TypeCNAME, TypeNS, TypePTR:
		// RFC 1035 §3.3.1, §3.3.11, §3.3.12: a single name.
		name, err := p.rdataName(b, off, end)
		if err != nil {
			return nil, err
		}
		switch t {
		case TypeCNAME:
			return &CNAME{Target: name}, nil
		case TypeNS:
			return &NS{Host: name}, nil
		}
		return &PTR{Target: name}, nil
	case TypeMX:
		// RFC 1035 §3.3.9: PREFERENCE, EXCHANGE.
		if len(rd) < 3 {
			return nil, p.fail(off, "MX RDATA too short")
		}
		host, err := p.rdataName(b, off+2, end)
		if err != nil {
			return nil, err
		}
		return &MX{Preference: binary.BigEndian.Uint16(rd), Host: host}, nil
	case TypeSOA:
		// RFC 1035 §3.3.13: MNAME, RNAME, then five 32-bit fields.
		mname, n, err := p.nameIn(b, off)
		if err != nil {
			return nil, err
		}
		rname, n, err := p.nameIn(b, n)
		if err != nil {
			return nil, err
		}
		if n+20 != end {
			return nil, p.fail(n, "SOA RDATA does not end after its five numbers")
		}
		f := p.msg[n:end]
		return &SOA{MName: mname, RName: rname,
			Serial:  binary.BigEndian.Uint32(f),
			Refresh: binary.BigEndian.Uint32(f[4:]),
			Retry:   binary.BigEndian.Uint32(f[8:]),
			Expire:  binary.BigEndian.Uint32(f[12:]),
			Minimum: binary.BigEndian.Uint32(f[16:]),
		}, nil
	case TypeTXT, TypeSPF:
		// RFC 1035 §3.3.14 (and RFC 4408 §3.1.1 for SPF): one or more
		// character-strings, each a length octet and that many octets
		// (RFC 1035 §3.3). Empty RDATA, as miekg/dns does, gives none.
		strs, err := p.strings(off, end)
		if err != nil {
			return nil, err
		}
		if t == TypeSPF {
			return &SPF{Strings: strs}, nil
		}
		return &TXT{Strings: strs}, nil
	case TypeTLSA:
		// RFC 6698 §2.1: usage, selector, matching type, then the
		// association data to the end of the RDATA.
		if len(rd) < 3 {
			return nil, p.fail(off, "TLSA RDATA shorter than 3 octets")
		}
		return &TLSA{Usage: rd[0], Selector: rd[1], MatchingType: rd[2], Data: clone(rd[3:])}, nil
	}
	// RFC 3597 §5: any other type is opaque octets.
	return &Unknown{Data: clone(rd)}, nil
}

// rdataName decodes a name at off that must end exactly at end.
func (p *parser) rdataName(b []byte, off, end int) (string, error) {
	name, n, err := p.nameIn(b, off)
	if err != nil {
		return "", err
	}
	if n != end {
		return "", p.fail(n, "RDATA continues after its name")
	}
	return name, nil
}

// strings decodes the character-strings of msg[off:end].
func (p *parser) strings(off, end int) ([]string, error) {
	var out []string
	for off < end {
		n := int(p.msg[off])
		off++
		if off+n > end {
			return nil, p.fail(off-1, fmt.Sprintf("character-string of %d octets runs past the RDATA", n))
		}
		out = append(out, string(p.msg[off:off+n]))
		off += n
	}
	return out, nil
}

// name decodes the name at off in the whole message.
func (p *parser) name(off int) (string, int, error) { return p.nameIn(p.msg, off) }

// nameIn decodes the name at off, its labels (but not what compression
// pointers lead to) inside b, a prefix of the message. It returns the name
// in presentation form and the offset after it.
//
// RFC 1035 §4.1.4: a name is a sequence of labels ending in the zero
// octet or in a pointer, whose top two bits are 11 and whose other 14 the
// offset of the rest of the name. Every pointer must lead strictly before
// the start of the labels it ends, so pointers go only backwards and never
// loop; there are at most maxPointers of them. RFC 1035 §2.3.4: labels of
// at most 63 octets, at most 255 octets in all. Label types 01 and 10 are
// not in use (RFC 6891 §5 deprecates extended labels).
func (p *parser) nameIn(b []byte, off int) (string, int, error) {
	out := p.buf[:0]
	next := -1   // offset after the name in b, known after the first pointer
	start := off // start of the current run of labels
	wire := 1    // octets in wire form, counting the root
	ptrs := 0
	for {
		if off >= len(b) {
			return "", 0, p.fail(off, errShort+" (name)")
		}
		c := int(b[off])
		switch c & 0xC0 {
		case 0x00:
			off++
			if c == 0 {
				if next < 0 {
					next = off
				}
				p.decoded += wire
				if p.decoded > maxDecodedOctets {
					return "", 0, p.fail(off, "names too long in total")
				}
				if len(out) == 0 {
					return ".", next, nil
				}
				p.buf = out
				return string(out), next, nil
			}
			// c ≤ 63 here: the top bits are 00.
			if off+c > len(b) {
				return "", 0, p.fail(off-1, errShort+" (label)")
			}
			wire += c + 1
			if wire > maxNameOctets {
				return "", 0, p.fail(off-1, fmt.Sprintf("name longer than %d octets (RFC 1035 §2.3.4)", maxNameOctets))
			}
			out = appendLabel(out, b[off:off+c])
			off += c
		case 0xC0:
			if off+1 >= len(b) {
				return "", 0, p.fail(off, errShort+" (pointer)")
			}
			target := int(binary.BigEndian.Uint16(b[off:]) & 0x3FFF)
			if next < 0 {
				next = off + 2
			}
			if target >= start {
				return "", 0, p.fail(off, fmt.Sprintf("compression pointer to %d does not point backwards", target))
			}
			if ptrs++; ptrs > maxPointers {
				return "", 0, p.fail(off, "too many compression pointers")
			}
			// What a pointer leads to may lie anywhere before it in
			// the message, not only inside b.
			b = p.msg
			off, start = target, target
		default:
			return "", 0, p.fail(off, fmt.Sprintf("label type %#x is not in use", c&0xC0))
		}
	}
}

// appendLabel appends label and a dot to out in presentation form
// (RFC 1035 §5.1), escaping as miekg/dns does.
func appendLabel(out, label []byte) []byte {
	for _, c := range label {
		switch {
		case c == '.' || c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < ' ' || c > '~':
			out = append(out, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
		default:
			out = append(out, c)
		}
	}
	return append(out, '.')
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
