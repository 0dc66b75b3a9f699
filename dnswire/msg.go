package dnswire

import (
	"net/netip"
	"slices"
	"strings"
)

// Header is the fixed part of a message (RFC 1035 §4.1.1) without the
// section counts, which Pack derives from the sections and Parse checks.
type Header struct {
	// ID identifies the query; a response copies it.
	ID uint16
	// Response is the QR bit: the message is a response.
	Response bool
	// Opcode is the kind of query (4 bits).
	Opcode Opcode
	// Authoritative is the AA bit.
	Authoritative bool
	// Truncated is the TC bit: the message did not fit its transport.
	Truncated bool
	// RecursionDesired is the RD bit.
	RecursionDesired bool
	// RecursionAvailable is the RA bit.
	RecursionAvailable bool
	// AuthenticatedData is the AD bit (RFC 4035 §3.2.3): in a response,
	// the resolver validated every answer and authority record with
	// DNSSEC; in a query, the client asks for that result (RFC 6840 §5.7).
	AuthenticatedData bool
	// CheckingDisabled is the CD bit (RFC 4035 §3.2.2).
	CheckingDisabled bool
	// Rcode is the response code, extended by the OPT record's upper
	// bits when there is one (RFC 6891 §6.1.3).
	Rcode Rcode
}

// Question is an entry of the question section (RFC 1035 §4.1.2).
type Question struct {
	// Name is the queried name in presentation form (see the package
	// documentation), fully qualified.
	Name string
	// Type is the QTYPE.
	Type Type
	// Class is the QCLASS, ClassINET in every query headerlens sends.
	Class Class
}

// NewQuestion returns the question (name, t, IN), name made fully
// qualified with Fqdn.
func NewQuestion(name string, t Type) Question {
	return Question{Name: Fqdn(name), Type: t, Class: ClassINET}
}

// RR is a resource record (RFC 1035 §4.1.3).
type RR struct {
	// Name is the owner name in presentation form, fully qualified.
	Name string
	// Type is the record's TYPE. It is the type of Data, except for an
	// *Unknown, which can hold any type.
	Type Type
	// Class is the record's CLASS.
	Class Class
	// TTL is how long the record may be cached, in seconds (RFC 1035
	// §3.2.1, RFC 2181 §8).
	TTL uint32
	// Data is the RDATA: one of *A, *AAAA, *CNAME, *MX, *NS, *PTR, *SOA,
	// *TXT, *SPF, *TLSA, or *Unknown for every other type.
	Data RData
}

// RData is the typed RDATA of a record. The implementations are the
// pointer types of this package.
type RData interface {
	// clone returns a deep copy.
	clone() RData
	// pack appends the wire form of the RDATA to b.
	pack(b []byte) ([]byte, error)
}

// A is the RDATA of an A record: an IPv4 address (RFC 1035 §3.4.1).
type A struct {
	// Addr is the address, an IPv4 one.
	Addr netip.Addr
}

// AAAA is the RDATA of an AAAA record: an IPv6 address (RFC 3596 §2.2).
type AAAA struct {
	// Addr is the address, an IPv6 one (an IPv4-mapped address stays
	// in its IPv6 form).
	Addr netip.Addr
}

// CNAME is the RDATA of a CNAME record (RFC 1035 §3.3.1).
type CNAME struct {
	// Target is the canonical name the owner is an alias of.
	Target string
}

// NS is the RDATA of an NS record (RFC 1035 §3.3.11).
type NS struct {
	// Host is the name server's name.
	Host string
}

// PTR is the RDATA of a PTR record (RFC 1035 §3.3.12).
type PTR struct {
	// Target is the name the owner points to.
	Target string
}

// MX is the RDATA of an MX record (RFC 1035 §3.3.9).
type MX struct {
	// Preference orders the exchanges, lowest first.
	Preference uint16
	// Host is the mail exchange's name; "." for a null MX (RFC 7505).
	Host string
}

// SOA is the RDATA of an SOA record (RFC 1035 §3.3.13). In the authority
// section of a negative answer, the lesser of its TTL and Minimum is how
// long the answer may be cached (RFC 2308 §5).
type SOA struct {
	// MName is the zone's primary name server.
	MName string
	// RName is the mailbox of the person responsible, as a name.
	RName string
	// Serial is the zone's version number.
	Serial uint32
	// Refresh is the secondaries' refresh interval, in seconds.
	Refresh uint32
	// Retry is the secondaries' retry interval, in seconds.
	Retry uint32
	// Expire is when secondaries stop answering, in seconds.
	Expire uint32
	// Minimum is the negative caching TTL (RFC 2308 §4).
	Minimum uint32
}

// TXT is the RDATA of a TXT record (RFC 1035 §3.3.14).
type TXT struct {
	// Strings are the character-strings, each the raw octets of up to
	// 255, unescaped.
	Strings []string
}

// SPF is the RDATA of a record of the withdrawn SPF type 99, formatted as
// TXT (RFC 4408 §3.1.1); RFC 7208 §3.1 says publish TXT only.
type SPF struct {
	// Strings are the character-strings, raw octets, unescaped.
	Strings []string
}

// TLSA is the RDATA of a TLSA record (RFC 6698 §2.1).
type TLSA struct {
	// Usage is the certificate usage field (RFC 6698 §2.1.1).
	Usage uint8
	// Selector is the selector field (RFC 6698 §2.1.2).
	Selector uint8
	// MatchingType is the matching type field (RFC 6698 §2.1.3).
	MatchingType uint8
	// Data is the certificate association data (RFC 6698 §2.1.4).
	Data []byte
}

// Unknown is the RDATA of a record of any type without a typed form here,
// kept as its octets (RFC 3597 §5); names in it stay compressed.
type Unknown struct {
	// Data is the RDATA as received.
	Data []byte
}

// OPT is the EDNS(0) pseudo-record (RFC 6891 §6.1.2). Its extended RCODE
// bits are part of Header.Rcode.
type OPT struct {
	// UDPSize is the requestor's UDP payload size, carried in the CLASS
	// field (RFC 6891 §6.1.2, §6.2.3).
	UDPSize uint16
	// Version is the EDNS version, 0 here (RFC 6891 §6.1.3).
	Version uint8
	// DO is the DNSSEC OK bit (RFC 3225 §3, RFC 6891 §6.1.4).
	DO bool
	// Z are the other 15 flag bits, zero unless assigned
	// (RFC 6891 §6.1.4).
	Z uint16
	// Options are the EDNS options in order (RFC 6891 §6.1.2).
	Options []Option
}

// Option is one EDNS option (RFC 6891 §6.1.2).
type Option struct {
	// Code is the OPTION-CODE, such as OptionPadding.
	Code uint16
	// Data is the OPTION-DATA.
	Data []byte
}

// Msg is a DNS message (RFC 1035 §4.1).
type Msg struct {
	Header
	// Question is the question section; queries have exactly one.
	Question []Question
	// Answer is the answer section.
	Answer []RR
	// Authority is the authority section.
	Authority []RR
	// Additional is the additional section without the OPT record.
	Additional []RR
	// OPT is the EDNS(0) record of the additional section, nil if there
	// is none (RFC 6891 §6.1.1).
	OPT *OPT
}

// Copy returns a deep copy of m, which shares no memory with it.
func (m *Msg) Copy() *Msg {
	if m == nil {
		return nil
	}
	c := &Msg{
		Header:     m.Header,
		Question:   slices.Clone(m.Question),
		Answer:     copyRRs(m.Answer),
		Authority:  copyRRs(m.Authority),
		Additional: copyRRs(m.Additional),
	}
	if m.OPT != nil {
		o := *m.OPT
		o.Options = make([]Option, len(m.OPT.Options))
		for i, op := range m.OPT.Options {
			o.Options[i] = Option{Code: op.Code, Data: slices.Clone(op.Data)}
		}
		if m.OPT.Options == nil {
			o.Options = nil
		}
		c.OPT = &o
	}
	return c
}

func copyRRs(rrs []RR) []RR {
	if rrs == nil {
		return nil
	}
	out := make([]RR, len(rrs))
	for i, rr := range rrs {
		out[i] = rr
		if rr.Data != nil {
			out[i].Data = rr.Data.clone()
		}
	}
	return out
}

func (d *A) clone() RData       { c := *d; return &c }
func (d *AAAA) clone() RData    { c := *d; return &c }
func (d *CNAME) clone() RData   { c := *d; return &c }
func (d *NS) clone() RData      { c := *d; return &c }
func (d *PTR) clone() RData     { c := *d; return &c }
func (d *MX) clone() RData      { c := *d; return &c }
func (d *SOA) clone() RData     { c := *d; return &c }
func (d *TXT) clone() RData     { return &TXT{Strings: slices.Clone(d.Strings)} }
func (d *SPF) clone() RData     { return &SPF{Strings: slices.Clone(d.Strings)} }
func (d *TLSA) clone() RData    { c := *d; c.Data = slices.Clone(d.Data); return &c }
func (d *Unknown) clone() RData { return &Unknown{Data: slices.Clone(d.Data)} }

// Fqdn returns name fully qualified: with a final dot added unless it
// already ends with one that is not escaped (RFC 1035 §5.1).
func Fqdn(name string) string {
	if IsFqdn(name) {
		return name
	}
	return name + "."
}

// IsFqdn reports whether name ends with a dot that is not escaped by a
// backslash (RFC 1035 §5.1).
func IsFqdn(name string) bool {
	if !strings.HasSuffix(name, ".") {
		return false
	}
	// An odd number of backslashes before the dot escapes it.
	n := 0
	for i := len(name) - 2; i >= 0 && name[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}
