package dnswire

import "strconv"

// Type is a resource record TYPE or query QTYPE (RFC 1035 §3.2.2, §3.2.3).
type Type uint16

// The record types this package knows by name. Those with typed RDATA are
// A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, TLSA and SPF; OPT is the EDNS(0)
// pseudo-record (RFC 6891 §6.1.1).
const (
	TypeA      Type = 1   // RFC 1035 §3.4.1
	TypeNS     Type = 2   // RFC 1035 §3.3.11
	TypeCNAME  Type = 5   // RFC 1035 §3.3.1
	TypeSOA    Type = 6   // RFC 1035 §3.3.13
	TypePTR    Type = 12  // RFC 1035 §3.3.12
	TypeMX     Type = 15  // RFC 1035 §3.3.9
	TypeTXT    Type = 16  // RFC 1035 §3.3.14
	TypeAAAA   Type = 28  // RFC 3596 §2.1
	TypeSRV    Type = 33  // RFC 2782
	TypeOPT    Type = 41  // RFC 6891 §6.1.1
	TypeDS     Type = 43  // RFC 4034 §5
	TypeRRSIG  Type = 46  // RFC 4034 §3
	TypeNSEC   Type = 47  // RFC 4034 §4
	TypeDNSKEY Type = 48  // RFC 4034 §2
	TypeNSEC3  Type = 50  // RFC 5155 §3
	TypeTLSA   Type = 52  // RFC 6698 §2
	TypeSVCB   Type = 64  // RFC 9460 §2
	TypeHTTPS  Type = 65  // RFC 9460 §9
	TypeSPF    Type = 99  // RFC 4408 §3.1.1, withdrawn by RFC 7208 §3.1
	TypeANY    Type = 255 // RFC 1035 §3.2.3, RFC 8482
	TypeCAA    Type = 257 // RFC 8659 §4
)

// String returns the mnemonic of t ("TXT"), or "TYPE" and its number for
// a type without one here (RFC 3597 §5). A switch, not a map: a map literal
// is code that runs when the program starts, in the page's WebAssembly
// module too (issue 10).
func (t Type) String() string {
	switch t {
	case TypeA:
		return "A"
	case TypeNS:
		return "NS"
	case TypeCNAME:
		return "CNAME"
	case TypeSOA:
		return "SOA"
	case TypePTR:
		return "PTR"
	case TypeMX:
		return "MX"
	case TypeTXT:
		return "TXT"
	case TypeAAAA:
		return "AAAA"
	case TypeSRV:
		return "SRV"
	case TypeOPT:
		return "OPT"
	case TypeDS:
		return "DS"
	case TypeRRSIG:
		return "RRSIG"
	case TypeNSEC:
		return "NSEC"
	case TypeDNSKEY:
		return "DNSKEY"
	case TypeNSEC3:
		return "NSEC3"
	case TypeTLSA:
		return "TLSA"
	case TypeSVCB:
		return "SVCB"
	case TypeHTTPS:
		return "HTTPS"
	case TypeSPF:
		return "SPF"
	case TypeANY:
		return "ANY"
	case TypeCAA:
		return "CAA"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// Class is a resource record CLASS (RFC 1035 §3.2.4).
type Class uint16

// ClassINET is the Internet class IN (RFC 1035 §3.2.4), the only one
// headerlens asks about.
const ClassINET Class = 1

// String returns "IN" for ClassINET, else "CLASS" and its number
// (RFC 3597 §5).
func (c Class) String() string {
	if c == ClassINET {
		return "IN"
	}
	return "CLASS" + strconv.Itoa(int(c))
}

// Opcode is the kind of query of a message (RFC 1035 §4.1.1).
type Opcode uint8

// OpcodeQuery is a standard query (RFC 1035 §4.1.1).
const OpcodeQuery Opcode = 0

// Rcode is a response code: the 4 bits of the header (RFC 1035 §4.1.1)
// and, when the message has an OPT record, its 8 upper bits
// (RFC 6891 §6.1.3), 12 bits in all.
type Rcode uint16

// Response codes (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 6891 §9).
const (
	RcodeSuccess        Rcode = 0  // NOERROR
	RcodeFormatError    Rcode = 1  // FORMERR
	RcodeServerFailure  Rcode = 2  // SERVFAIL
	RcodeNameError      Rcode = 3  // NXDOMAIN
	RcodeNotImplemented Rcode = 4  // NOTIMP
	RcodeRefused        Rcode = 5  // REFUSED
	RcodeBadVers        Rcode = 16 // BADVERS (RFC 6891 §9), also BADSIG
)

// rcodeNames are the mnemonics of the response codes 0 to 23 (RFC 6895
// §2.3's registry), indexed by code; "" for the unassigned 12 to 15. An
// array is static data, where a map literal is start-up code.
var rcodeNames = [...]string{
	0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
	5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
	10: "NOTZONE", 11: "DSOTYPENI", 16: "BADSIG", 17: "BADKEY", 18: "BADTIME",
	19: "BADMODE", 20: "BADNAME", 21: "BADALG", 22: "BADTRUNC", 23: "BADCOOKIE",
}

// String returns the mnemonic of rc ("NXDOMAIN"; 16 is "BADSIG", as
// miekg/dns names it), or its decimal number when it has none.
func (rc Rcode) String() string {
	if int(rc) < len(rcodeNames) && rcodeNames[rc] != "" {
		return rcodeNames[rc]
	}
	return strconv.Itoa(int(rc))
}

// OptionPadding is the EDNS(0) Padding option code (RFC 7830 §3).
const OptionPadding uint16 = 12
