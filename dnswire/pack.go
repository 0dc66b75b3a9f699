package dnswire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Pack returns the wire form of m (RFC 1035 §4.1), names uncompressed.
// The OPT record, if any, is written last in the additional section with
// the upper bits of m.Rcode (RFC 6891 §6.1.3); without one, m.Rcode must
// fit the header's 4 bits. Names must be valid in presentation form (see
// the package documentation) and within the limits of RFC 1035 §2.3.4.
func (m *Msg) Pack() ([]byte, error) {
	b, _, err := m.pack()
	return b, err
}

// PackPadded is Pack with an EDNS(0) Padding option (RFC 7830 §3) added to
// m.OPT, which must not be nil, so that the message length is a multiple
// of block octets (RFC 8467 §4.1 recommends 128 for queries). m itself is
// not modified.
func (m *Msg) PackPadded(block int) ([]byte, error) {
	if m.OPT == nil {
		return nil, errors.New("dnswire: padding needs an OPT record")
	}
	if block <= 0 || block > MaxMessageSize {
		return nil, fmt.Errorf("dnswire: padding block %d out of range", block)
	}
	b, optLen, err := m.pack()
	if err != nil {
		return nil, err
	}
	// The OPT record is last: append the option to its RDATA. The option
	// adds its 4-octet header (RFC 7830 §3) and the padding.
	n := len(b) + 4
	pad := (block - n%block) % block
	if n+pad > MaxMessageSize {
		return nil, fmt.Errorf("dnswire: padded message longer than %d octets", MaxMessageSize)
	}
	b = binary.BigEndian.AppendUint16(b, OptionPadding)
	b = binary.BigEndian.AppendUint16(b, uint16(pad))
	b = append(b, make([]byte, pad)...)
	return setLength(b, optLen)
}

// pack returns the wire form of m and the offset of the OPT record's
// RDLENGTH (0 without an OPT record).
func (m *Msg) pack() (b []byte, optLen int, err error) {
	if m.OPT == nil && m.Rcode > 0xF {
		return nil, 0, fmt.Errorf("dnswire: RCODE %d needs an OPT record (RFC 6891 §6.1.3)", m.Rcode)
	}
	if m.Rcode > 0xFFF {
		return nil, 0, fmt.Errorf("dnswire: RCODE %d does not fit 12 bits", m.Rcode)
	}
	ar := len(m.Additional)
	if m.OPT != nil {
		ar++
	}
	for _, n := range []int{len(m.Question), len(m.Answer), len(m.Authority), ar} {
		if n > math.MaxUint16 {
			return nil, 0, errors.New("dnswire: section too long")
		}
	}
	// RFC 1035 §4.1.1.
	var flags uint16
	set := func(cond bool, bit uint16) {
		if cond {
			flags |= bit
		}
	}
	set(m.Response, 1<<15)
	flags |= uint16(m.Opcode&0xF) << 11
	set(m.Authoritative, 1<<10)
	set(m.Truncated, 1<<9)
	set(m.RecursionDesired, 1<<8)
	set(m.RecursionAvailable, 1<<7)
	set(m.AuthenticatedData, 1<<5)
	set(m.CheckingDisabled, 1<<4)
	flags |= uint16(m.Rcode & 0xF)
	b = make([]byte, 12, 512)
	binary.BigEndian.PutUint16(b, m.ID)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[4:], uint16(len(m.Question)))
	binary.BigEndian.PutUint16(b[6:], uint16(len(m.Answer)))
	binary.BigEndian.PutUint16(b[8:], uint16(len(m.Authority)))
	binary.BigEndian.PutUint16(b[10:], uint16(ar))
	for _, q := range m.Question {
		// RFC 1035 §4.1.2.
		if b, err = appendName(b, q.Name); err != nil {
			return nil, 0, err
		}
		b = binary.BigEndian.AppendUint16(b, uint16(q.Type))
		b = binary.BigEndian.AppendUint16(b, uint16(q.Class))
	}
	for _, sec := range [][]RR{m.Answer, m.Authority, m.Additional} {
		for _, rr := range sec {
			if b, err = appendRR(b, rr); err != nil {
				return nil, 0, err
			}
		}
	}
	if o := m.OPT; o != nil {
		// RFC 6891 §6.1.2, §6.1.3: root owner, TYPE 41, the payload
		// size as CLASS, EXTENDED-RCODE, VERSION and flags as TTL.
		b = append(b, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(TypeOPT))
		b = binary.BigEndian.AppendUint16(b, o.UDPSize)
		ttl := uint32(m.Rcode>>4)<<24 | uint32(o.Version)<<16 | uint32(o.Z&^(1<<15))
		if o.DO {
			ttl |= 1 << 15
		}
		b = binary.BigEndian.AppendUint32(b, ttl)
		optLen = len(b)
		b = append(b, 0, 0)
		for _, op := range o.Options {
			if len(op.Data) > math.MaxUint16 {
				return nil, 0, errors.New("dnswire: EDNS option too long")
			}
			b = binary.BigEndian.AppendUint16(b, op.Code)
			b = binary.BigEndian.AppendUint16(b, uint16(len(op.Data)))
			b = append(b, op.Data...)
		}
		if b, err = setLength(b, optLen); err != nil {
			return nil, 0, err
		}
	}
	if len(b) > MaxMessageSize {
		return nil, 0, fmt.Errorf("dnswire: message of %d octets, longer than %d", len(b), MaxMessageSize)
	}
	return b, optLen, nil
}

// setLength writes the length of b[at+2:] as a 16-bit RDLENGTH at b[at:].
func setLength(b []byte, at int) ([]byte, error) {
	n := len(b) - at - 2
	if n > math.MaxUint16 {
		return nil, errors.New("dnswire: RDATA longer than 65535 octets")
	}
	binary.BigEndian.PutUint16(b[at:], uint16(n))
	return b, nil
}

// appendRR appends rr (RFC 1035 §4.1.3).
func appendRR(b []byte, rr RR) ([]byte, error) {
	if rr.Type == TypeOPT {
		return nil, errors.New("dnswire: an OPT record goes in Msg.OPT")
	}
	if rr.Data == nil {
		return nil, fmt.Errorf("dnswire: %s record of %s has no RDATA", rr.Type, rr.Name)
	}
	if want, ok := rdataType(rr.Data); ok && want != rr.Type {
		return nil, fmt.Errorf("dnswire: %s record of %s holds %s RDATA", rr.Type, rr.Name, want)
	}
	b, err := appendName(b, rr.Name)
	if err != nil {
		return nil, err
	}
	b = binary.BigEndian.AppendUint16(b, uint16(rr.Type))
	b = binary.BigEndian.AppendUint16(b, uint16(rr.Class))
	b = binary.BigEndian.AppendUint32(b, rr.TTL)
	at := len(b)
	b = append(b, 0, 0)
	if b, err = rr.Data.pack(b); err != nil {
		return nil, err
	}
	return setLength(b, at)
}

// rdataType returns the type d is the RDATA of; ok is false for *Unknown.
func rdataType(d RData) (t Type, ok bool) {
	switch d.(type) {
	case *A:
		return TypeA, true
	case *AAAA:
		return TypeAAAA, true
	case *CNAME:
		return TypeCNAME, true
	case *NS:
		return TypeNS, true
	case *PTR:
		return TypePTR, true
	case *MX:
		return TypeMX, true
	case *SOA:
		return TypeSOA, true
	case *TXT:
		return TypeTXT, true
	case *SPF:
		return TypeSPF, true
	case *TLSA:
		return TypeTLSA, true
	}
	return 0, false
}

func (d *A) pack(b []byte) ([]byte, error) {
	if !d.Addr.Is4() {
		return nil, fmt.Errorf("dnswire: A record with address %v", d.Addr)
	}
	a := d.Addr.As4()
	return append(b, a[:]...), nil
}

func (d *AAAA) pack(b []byte) ([]byte, error) {
	if !d.Addr.IsValid() || d.Addr.Is4() {
		return nil, fmt.Errorf("dnswire: AAAA record with address %v", d.Addr)
	}
	a := d.Addr.As16()
	return append(b, a[:]...), nil
}

func (d *CNAME) pack(b []byte) ([]byte, error) { return appendName(b, d.Target) }
func (d *NS) pack(b []byte) ([]byte, error)    { return appendName(b, d.Host) }
func (d *PTR) pack(b []byte) ([]byte, error)   { return appendName(b, d.Target) }

func (d *MX) pack(b []byte) ([]byte, error) {
	return appendName(binary.BigEndian.AppendUint16(b, d.Preference), d.Host)
}

func (d *SOA) pack(b []byte) ([]byte, error) {
	b, err := appendName(b, d.MName)
	if err != nil {
		return nil, err
	}
	if b, err = appendName(b, d.RName); err != nil {
		return nil, err
	}
	for _, v := range []uint32{d.Serial, d.Refresh, d.Retry, d.Expire, d.Minimum} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b, nil
}

func (d *TXT) pack(b []byte) ([]byte, error) { return appendStrings(b, d.Strings) }
func (d *SPF) pack(b []byte) ([]byte, error) { return appendStrings(b, d.Strings) }

func (d *TLSA) pack(b []byte) ([]byte, error) {
	return append(append(b, d.Usage, d.Selector, d.MatchingType), d.Data...), nil
}

func (d *Unknown) pack(b []byte) ([]byte, error) { return append(b, d.Data...), nil }

// appendStrings appends character-strings (RFC 1035 §3.3).
func appendStrings(b []byte, strs []string) ([]byte, error) {
	for _, s := range strs {
		if len(s) > 255 {
			return nil, fmt.Errorf("dnswire: character-string of %d octets, longer than 255", len(s))
		}
		b = append(append(b, byte(len(s))), s...)
	}
	return b, nil
}

// appendName appends name, in presentation form, in wire form without
// compression: labels split at unescaped dots, \X and \DDD escapes decoded
// (RFC 1035 §5.1), each label 1 to 63 octets, 255 octets in all
// (RFC 1035 §2.3.4). The final dot may be left out; "." and "" are the
// root.
func appendName(b []byte, name string) ([]byte, error) {
	if name == "." || name == "" {
		return append(b, 0), nil
	}
	start := len(b)
	lenAt := len(b)
	b = append(b, 0)
	bad := func(why string) ([]byte, error) {
		return nil, fmt.Errorf("dnswire: name %q: %s", name, why)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch c {
		case '.':
			n := len(b) - lenAt - 1
			if n == 0 {
				return bad("empty label")
			}
			b[lenAt] = byte(n)
			lenAt = len(b)
			b = append(b, 0)
			continue
		case '\\':
			switch {
			case i+3 < len(name) && isDigit(name[i+1]) && isDigit(name[i+2]) && isDigit(name[i+3]):
				v := int(name[i+1]-'0')*100 + int(name[i+2]-'0')*10 + int(name[i+3]-'0')
				if v > 255 {
					return bad("escape \\" + name[i+1:i+4] + " is not an octet")
				}
				c = byte(v)
				i += 3
			case i+1 < len(name):
				c = name[i+1]
				i++
			default:
				return bad("ends in a backslash")
			}
		}
		if len(b)-lenAt-1 == maxLabel {
			return bad("label longer than 63 octets")
		}
		b = append(b, c)
	}
	if n := len(b) - lenAt - 1; n > 0 {
		// No final dot: close the last label and add the root.
		b[lenAt] = byte(n)
		b = append(b, 0)
	}
	if len(b)-start > maxNameOctets {
		return bad("longer than 255 octets")
	}
	return b, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
