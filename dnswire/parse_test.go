package dnswire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// hdr returns a 12-octet header with the given ID, flags and counts.
func hdr(id, flags uint16, qd, an, ns, ar uint16) []byte {
	b := make([]byte, 0, 12)
	for _, v := range []uint16{id, flags, qd, an, ns, ar} {
		b = append(b, byte(v>>8), byte(v))
	}
	return b
}

// wname is a name in wire form without compression.
func wname(labels ...string) []byte {
	var b []byte
	for _, l := range labels {
		b = append(append(b, byte(len(l))), l...)
	}
	return append(b, 0)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }
func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// rr is a record in wire form: owner, type, class IN, TTL, RDATA.
func rr(owner []byte, t Type, ttl uint32, rdata []byte) []byte {
	return cat(owner, u16(uint16(t)), u16(1), u32(ttl), u16(uint16(len(rdata))), rdata)
}

// question is www.example.com. TXT IN at offset 12.
var question = cat(wname("www", "example", "com"), u16(16), u16(1))

// ptr is a compression pointer to off (RFC 1035 §4.1.4).
func ptr(off int) []byte { return []byte{0xC0 | byte(off>>8), byte(off)} }

func TestParse(t *testing.T) {
	q := Question{Name: "www.example.com.", Type: TypeTXT, Class: ClassINET}
	tests := []struct {
		name string
		in   []byte
		want *Msg
	}{
		{"header flags", cat(hdr(0xBEEF, 0x8000|0x0400|0x0200|0x0100|0x0080|0x0020|0x0010|0x0003, 1, 0, 0, 0), question),
			&Msg{Header: Header{ID: 0xBEEF, Response: true, Authoritative: true, Truncated: true, RecursionDesired: true,
				RecursionAvailable: true, AuthenticatedData: true, CheckingDisabled: true, Rcode: RcodeNameError}, Question: []Question{q}}},
		{"opcode", cat(hdr(1, 2<<11, 1, 0, 0, 0), question), &Msg{Header: Header{ID: 1, Opcode: 2}, Question: []Question{q}}},
		{"TXT raw octets, compressed owner", cat(hdr(0, 0x8180, 1, 1, 0, 0), question,
			rr(ptr(12), TypeTXT, 300, cat([]byte{3}, []byte(`a"b`), []byte{9}, []byte(`back\lash`), []byte{3, 0xff, 0, 'x'}, []byte{0}))),
			&Msg{Header: Header{Response: true, RecursionDesired: true, RecursionAvailable: true}, Question: []Question{q},
				Answer: []RR{{Name: "www.example.com.", Type: TypeTXT, Class: ClassINET, TTL: 300, Data: &TXT{Strings: []string{`a"b`, `back\lash`, "\xff\x00x", ""}}}}}},
		{"empty TXT", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeTXT, 1, nil)),
			&Msg{Header: Header{Response: true}, Question: []Question{q}, Answer: []RR{{Name: "www.example.com.", Type: TypeTXT, Class: ClassINET, TTL: 1, Data: &TXT{}}}}},
		{"CNAME then A, target compressed", cat(hdr(0, 0x8000, 1, 2, 0, 0), question,
			rr(ptr(12), TypeCNAME, 60, cat([]byte{4}, []byte("host"), ptr(16))),
			rr(ptr(12+len(question)+12), TypeA, 30, []byte{192, 0, 2, 1})),
			&Msg{Header: Header{Response: true}, Question: []Question{q}, Answer: []RR{
				{Name: "www.example.com.", Type: TypeCNAME, Class: ClassINET, TTL: 60, Data: &CNAME{Target: "host.example.com."}},
				{Name: "host.example.com.", Type: TypeA, Class: ClassINET, TTL: 30, Data: &A{Addr: netip.MustParseAddr("192.0.2.1")}},
			}}},
		{"AAAA, MX, NS, PTR, SPF, TLSA, unknown", cat(hdr(0, 0x8000, 1, 7, 0, 0), question,
			rr(ptr(12), TypeAAAA, 1, netip.MustParseAddr("2001:db8::1").AsSlice()),
			rr(ptr(16), TypeMX, 2, cat(u16(10), []byte{2}, []byte("mx"), ptr(16))),
			rr(ptr(16), TypeNS, 3, wname("ns", "example", "net")),
			rr(wname("1", "2", "0", "192", "in-addr", "arpa"), TypePTR, 4, ptr(12)),
			rr(ptr(16), TypeSPF, 5, cat([]byte{6}, []byte("v=spf1"), []byte{5}, []byte(" -all"))),
			rr(ptr(12), TypeTLSA, 6, []byte{3, 1, 1, 0xAB, 0xCD}),
			rr(ptr(16), TypeCAA, 7, []byte{0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'})),
			&Msg{Header: Header{Response: true}, Question: []Question{q}, Answer: []RR{
				{Name: "www.example.com.", Type: TypeAAAA, Class: ClassINET, TTL: 1, Data: &AAAA{Addr: netip.MustParseAddr("2001:db8::1")}},
				{Name: "example.com.", Type: TypeMX, Class: ClassINET, TTL: 2, Data: &MX{Preference: 10, Host: "mx.example.com."}},
				{Name: "example.com.", Type: TypeNS, Class: ClassINET, TTL: 3, Data: &NS{Host: "ns.example.net."}},
				{Name: "1.2.0.192.in-addr.arpa.", Type: TypePTR, Class: ClassINET, TTL: 4, Data: &PTR{Target: "www.example.com."}},
				{Name: "example.com.", Type: TypeSPF, Class: ClassINET, TTL: 5, Data: &SPF{Strings: []string{"v=spf1", " -all"}}},
				{Name: "www.example.com.", Type: TypeTLSA, Class: ClassINET, TTL: 6, Data: &TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{0xAB, 0xCD}}},
				{Name: "example.com.", Type: TypeCAA, Class: ClassINET, TTL: 7, Data: &Unknown{Data: []byte{0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'}}},
			}}},
		{"negative answer with SOA", cat(hdr(0, 0x8003, 1, 0, 1, 0), question,
			rr(ptr(16), TypeSOA, 3600, cat(wname("ns"), wname("h", "example"), u32(1), u32(2), u32(3), u32(4), u32(60)))),
			&Msg{Header: Header{Response: true, Rcode: RcodeNameError}, Question: []Question{q}, Authority: []RR{
				{Name: "example.com.", Type: TypeSOA, Class: ClassINET, TTL: 3600, Data: &SOA{MName: "ns.", RName: "h.example.", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minimum: 60}},
			}}},
		{"EDNS(0) with extended RCODE and options", cat(hdr(0, 0x8000, 1, 0, 0, 2), question,
			rr(ptr(16), TypeA, 9, []byte{192, 0, 2, 9}),
			[]byte{0}, u16(uint16(TypeOPT)), u16(1232), u32(1<<24|1<<15|1), u16(9), u16(12), u16(1), []byte{0}, u16(10), u16(0)),
			&Msg{Header: Header{Response: true, Rcode: RcodeBadVers}, Question: []Question{q},
				Additional: []RR{{Name: "example.com.", Type: TypeA, Class: ClassINET, TTL: 9, Data: &A{Addr: netip.MustParseAddr("192.0.2.9")}}},
				OPT:        &OPT{UDPSize: 1232, DO: true, Z: 1, Options: []Option{{Code: OptionPadding, Data: []byte{0}}, {Code: 10}}}}},
		{"escaped name octets", cat(hdr(0, 0, 1, 0, 0, 0), wname("a.b", "c d", `"\'@;()`, "\x00\x7f\xff", "Z"), u16(1), u16(1)),
			&Msg{Question: []Question{{Name: `a\.b.c\ d.\"\\\'\@\;\(\).\000\127\255.Z.`, Type: TypeA, Class: ClassINET}}}},
		{"root name", cat(hdr(0, 0, 1, 0, 0, 0), []byte{0}, u16(2), u16(1)),
			&Msg{Question: []Question{{Name: ".", Type: TypeNS, Class: ClassINET}}}},
		{"trailing octets ignored", cat(hdr(0, 0, 1, 0, 0, 0), question, []byte{1, 2, 3}),
			&Msg{Question: []Question{q}}},
		{"header only", hdr(7, 0, 0, 0, 0, 0), &Msg{Header: Header{ID: 7}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("%s: Parse: got error %v, want none", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Parse:\n got %+v\nwant %+v", tt.name, dump(got), dump(tt.want))
		}
	}
}

// dump shows a message with its RDATA.
func dump(m *Msg) string {
	s := fmt.Sprintf("%+v %+v", m.Header, m.Question)
	for _, sec := range [][]RR{m.Answer, m.Authority, m.Additional} {
		for _, rr := range sec {
			s += fmt.Sprintf(" {%s %v %v %d %+v}", rr.Name, rr.Type, rr.Class, rr.TTL, rr.Data)
		}
	}
	if m.OPT != nil {
		s += fmt.Sprintf(" OPT %+v", *m.OPT)
	}
	return s
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name string
		in   []byte
		want string // part of the reason
	}{
		{"empty", nil, errShort},
		{"short header", hdr(0, 0, 0, 0, 0, 0)[:11], errShort},
		{"question missing", hdr(0, 0, 1, 0, 0, 0), errShort},
		{"question type cut", cat(hdr(0, 0, 1, 0, 0, 0), wname("a"), []byte{0, 1, 0}), errShort},
		{"label cut", cat(hdr(0, 0, 1, 0, 0, 0), []byte{5, 'a', 'b'}), errShort},
		{"answer missing", cat(hdr(0, 0, 1, 1, 0, 0), question), errShort},
		{"RDLENGTH past end", cat(hdr(0, 0, 1, 1, 0, 0), question, ptr(12), u16(1), u16(1), u32(1), u16(5), []byte{1, 2, 3, 4}), "RDLENGTH"},
		// RFC 1035 §4.1.4: pointers only backwards, no loops.
		{"pointer to itself", cat(hdr(0, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1)), "backwards"},
		{"forward pointer", cat(hdr(0, 0, 1, 0, 0, 0), ptr(14), wname("a"), u16(1), u16(1)), "backwards"},
		{"pointer loop through a label", cat(hdr(0, 0, 1, 1, 0, 0), question, []byte{1, 'x'}, ptr(12+len(question)), u16(1), u16(1), u32(1), u16(0)), "backwards"},
		{"pointer into own labels", cat(hdr(0, 0, 1, 0, 0, 0), []byte{1, 'x'}, ptr(13), u16(1), u16(1)), "backwards"},
		{"pointer cut", cat(hdr(0, 0, 1, 0, 0, 0), []byte{0xC0}), errShort},
		{"label type 01", cat(hdr(0, 0, 1, 0, 0, 0), []byte{0x41, 'a'}, u16(1), u16(1)), "not in use"},
		{"label type 10", cat(hdr(0, 0, 1, 0, 0, 0), []byte{0x80, 'a'}, u16(1), u16(1)), "not in use"},
		// RFC 1035 §2.3.4: 255 octets at most.
		{"name of 256 octets", cat(hdr(0, 0, 1, 0, 0, 0), wname(long, long, long, strings.Repeat("a", 62)), u16(1), u16(1)), "longer than 255"},
		{"compressed name of 256 octets", cat(hdr(0, 0, 1, 1, 0, 0), wname(long, long, long), u16(1), u16(1),
			[]byte{62}, []byte(strings.Repeat("b", 62)), ptr(12), u16(1), u16(1), u32(1), u16(0)), "longer than 255"},
		{"A of 3 octets", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeA, 1, []byte{1, 2, 3})), "want 4"},
		{"A of 0 octets", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeA, 1, nil)), "want 4"},
		{"AAAA of 4 octets", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeAAAA, 1, []byte{1, 2, 3, 4})), "want 16"},
		{"CNAME with extra octets", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeCNAME, 1, cat(ptr(12), []byte{0}))), "continues"},
		{"CNAME name past RDATA", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeCNAME, 1, []byte{3, 'a'}), []byte("bc\x00")), errShort},
		{"MX too short", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeMX, 1, []byte{0, 1})), "too short"},
		{"SOA numbers short", cat(hdr(0, 0x8000, 1, 0, 1, 0), question, rr(ptr(12), TypeSOA, 1, cat(ptr(12), ptr(12), u32(1)))), "SOA"},
		{"TXT string past RDATA", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeTXT, 1, []byte{5, 'a'})), "character-string"},
		{"TLSA too short", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, rr(ptr(12), TypeTLSA, 1, []byte{3, 1})), "TLSA"},
		// RFC 6891 §6.1.1.
		{"OPT in the answer", cat(hdr(0, 0x8000, 1, 1, 0, 0), question, []byte{0}, u16(41), u16(512), u32(0), u16(0)), "outside"},
		{"two OPT records", cat(hdr(0, 0x8000, 1, 0, 0, 2), question, []byte{0}, u16(41), u16(512), u32(0), u16(0), []byte{0}, u16(41), u16(512), u32(0), u16(0)), "second OPT"},
		{"OPT not at the root", cat(hdr(0, 0x8000, 1, 0, 0, 1), question, ptr(12), u16(41), u16(512), u32(0), u16(0)), "root"},
		{"OPT option past RDATA", cat(hdr(0, 0x8000, 1, 0, 0, 1), question, []byte{0}, u16(41), u16(512), u32(0), u16(6), u16(12), u16(3), []byte{0, 0}), "option"},
		{"OPT option header cut", cat(hdr(0, 0x8000, 1, 0, 0, 1), question, []byte{0}, u16(41), u16(512), u32(0), u16(2), u16(12)), "option"},
		{"too long", make([]byte, MaxMessageSize+1), "longer than"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.in)
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.want) || m != nil {
			t.Errorf("%s: Parse = %v, %v; want a ParseError with %q", tt.name, m, err, tt.want)
		}
	}
}

// pointerChain returns a message whose last question is a pointer that
// leads through n more pointers, each to the one before, to the root
// (the zero octet at offset 11, the low octet of ARCOUNT). The pointers
// sit in the labels of filler questions.
func pointerChain(n int) []byte {
	var body []byte
	prev, qd := 11, 1
	for n > 0 {
		qd++
		for l := 0; l < 4 && n > 0; l++ {
			k := min(n, 31)
			body = append(body, byte(2*k))
			for range k {
				off := 12 + len(body)
				body = append(body, ptr(prev)...)
				prev = off
			}
			n -= k
		}
		body = append(body, 0, 0, 1, 0, 1)
	}
	return cat(hdr(0, 0, uint16(qd), 0, 0, 0), body, ptr(prev), u16(1), u16(1))
}

// TestParseBounds: the pointers of one name and the name octets of one
// message are bounded, whatever the input.
func TestParseBounds(t *testing.T) {
	m, err := Parse(pointerChain(maxPointers - 1))
	if err != nil || m.Question[len(m.Question)-1].Name != "." {
		t.Errorf("Parse of a name behind %d pointers: got %v, want the root", maxPointers, err)
	}
	if _, err := Parse(pointerChain(maxPointers)); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Errorf("Parse of a name behind %d pointers: got %v, want too many pointers", maxPointers+1, err)
	}

	// 5000 records, each owner a pointer to a 234-octet name: more name
	// octets than maxDecodedOctets.
	long := strings.Repeat("a", 60)
	big := cat(hdr(0, 0x8000, 1, 5000, 0, 0), wname(long, long, long, long[:50]), u16(1), u16(1))
	for range 5000 {
		big = append(big, rr(ptr(12), TypeTXT, 1, nil)...)
	}
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "in total") {
		t.Errorf("Parse of 5000 × 234 name octets: got %v, want the total limit", err)
	}
}

func TestCopy(t *testing.T) {
	m := &Msg{Answer: []RR{
		{Name: "a.", Type: TypeTXT, Data: &TXT{Strings: []string{"x"}}},
		{Name: "a.", Type: TypeTLSA, Data: &TLSA{Data: []byte{1}}},
	}, OPT: &OPT{Options: []Option{{Code: 12, Data: []byte{0}}}}}
	c := m.Copy()
	if !reflect.DeepEqual(c, m) {
		t.Fatalf("Copy = %+v, want %+v", c, m)
	}
	c.Answer[0].TTL = 9
	c.Answer[0].Data.(*TXT).Strings[0] = "changed"
	c.Answer[1].Data.(*TLSA).Data[0] = 2
	c.OPT.Options[0].Data[0] = 1
	if m.Answer[0].TTL != 0 || m.Answer[0].Data.(*TXT).Strings[0] != "x" || m.Answer[1].Data.(*TLSA).Data[0] != 1 || m.OPT.Options[0].Data[0] != 0 {
		t.Errorf("changing the copy changed the original: %+v", m)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{TypeTXT.String(), "TXT"},
		{TypeSPF.String(), "SPF"},
		{TypeTLSA.String(), "TLSA"},
		{Type(65280).String(), "TYPE65280"},
		{ClassINET.String(), "IN"},
		{Class(3).String(), "CLASS3"},
		{RcodeNameError.String(), "NXDOMAIN"},
		{RcodeBadVers.String(), "BADSIG"},
		{Rcode(12).String(), "12"},
		{hex.EncodeToString([]byte(Fqdn("a"))), hex.EncodeToString([]byte("a."))},
		{Fqdn(`a\.`), `a\..`},
		{Fqdn(`a\\.`), `a\\.`},
		{Fqdn("."), "."},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
