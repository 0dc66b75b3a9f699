package dnswire

import (
	"encoding/hex"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestPackPaddedQuery: the query dohresolver sends for www.example.com TXT,
// octet for octet: ID 0, RD and AD, one question, and an OPT record with
// payload size 1232, the DO bit and a Padding option filling the message
// to 128 octets (RFC 8467 §4.1).
func TestPackPaddedQuery(t *testing.T) {
	m := &Msg{
		Header:   Header{RecursionDesired: true, AuthenticatedData: true},
		Question: []Question{NewQuestion("www.example.com", TypeTXT)},
		OPT:      &OPT{UDPSize: 1232, DO: true},
	}
	got, err := m.PackPadded(128)
	if err != nil {
		t.Fatal(err)
	}
	want := "0000" + "0120" + "0001000000000001" +
		"03777777076578616d706c6503636f6d00" + "0010" + "0001" +
		"00" + "0029" + "04d0" + "00008000" + "0054" + "000c" + "0050" + strings.Repeat("00", 80)
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("PackPadded:\n got %s\nwant %s", h, want)
	}
	if m.OPT.Options != nil {
		t.Errorf("PackPadded changed m.OPT.Options to %v, want nil", m.OPT.Options)
	}
	for _, name := range []string{"a.", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + ".", `x\ y\@z.example.`} {
		b, err := (&Msg{Question: []Question{NewQuestion(name, TypeA)}, OPT: &OPT{}}).PackPadded(128)
		if err != nil || len(b)%128 != 0 {
			t.Errorf("PackPadded(%s): %d octets, %v; want a multiple of 128", name, len(b), err)
		}
	}
}

func TestPackRoundTrip(t *testing.T) {
	m := &Msg{
		Header: Header{ID: 9, Response: true, Opcode: 0, Authoritative: true, RecursionDesired: true,
			RecursionAvailable: true, AuthenticatedData: true, CheckingDisabled: true, Rcode: 0x123},
		Question: []Question{{Name: `we\ ird\.\"\000.example.`, Type: TypeTXT, Class: ClassINET}},
		Answer: []RR{
			{Name: "a.example.", Type: TypeA, Class: ClassINET, TTL: 1, Data: &A{Addr: netip.MustParseAddr("192.0.2.1")}},
			{Name: "a.example.", Type: TypeAAAA, Class: ClassINET, TTL: 2, Data: &AAAA{Addr: netip.MustParseAddr("::ffff:192.0.2.1")}},
			{Name: "a.example.", Type: TypeCNAME, Class: ClassINET, TTL: 3, Data: &CNAME{Target: "b.example."}},
			{Name: "a.example.", Type: TypeMX, Class: ClassINET, TTL: 4, Data: &MX{Preference: 0, Host: "."}},
			{Name: "a.example.", Type: TypeTXT, Class: ClassINET, TTL: 5, Data: &TXT{Strings: []string{"", "\x00\xff", strings.Repeat("t", 255)}}},
			{Name: "a.example.", Type: TypeSPF, Class: ClassINET, TTL: 6, Data: &SPF{Strings: []string{"v=spf1 -all"}}},
			{Name: "a.example.", Type: TypeTLSA, Class: ClassINET, TTL: 7, Data: &TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{1, 2}}},
			{Name: "a.example.", Type: Type(65280), Class: Class(3), TTL: 8, Data: &Unknown{Data: []byte{0xC0, 0x0C}}},
		},
		Authority: []RR{
			{Name: "example.", Type: TypeNS, Class: ClassINET, TTL: 9, Data: &NS{Host: "ns.example."}},
			{Name: "example.", Type: TypeSOA, Class: ClassINET, TTL: 10, Data: &SOA{MName: "ns.example.", RName: "h\\.m.example.", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minimum: 5}},
		},
		Additional: []RR{{Name: "1.2.0.192.in-addr.arpa.", Type: TypePTR, Class: ClassINET, TTL: 11, Data: &PTR{Target: "a.example."}}},
		OPT:        &OPT{UDPSize: 4096, Version: 1, DO: true, Z: 3, Options: []Option{{Code: 10, Data: []byte{1, 2, 3}}}},
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Parse(Pack(m)):\n got %s\nwant %s", dump(got), dump(m))
	}
}

func TestPackErrors(t *testing.T) {
	q := func(name string) *Msg { return &Msg{Question: []Question{{Name: name, Type: TypeA, Class: ClassINET}}} }
	a := func(d RData, typ Type) *Msg {
		return &Msg{Answer: []RR{{Name: "a.", Type: typ, Class: ClassINET, Data: d}}}
	}
	tests := []struct {
		name string
		m    *Msg
		want string
	}{
		{"empty label", q("a..b."), "empty label"},
		{"leading dot", q(".a."), "empty label"},
		{"label of 64", q(strings.Repeat("a", 64) + "."), "63"},
		{"name of 256", q(strings.Repeat(strings.Repeat("a", 63)+".", 4)), "255"},
		{"escape over 255", q(`\256.`), "not an octet"},
		{"trailing backslash", q(`a\`), "backslash"},
		{"A with IPv6", a(&A{Addr: netip.MustParseAddr("::1")}, TypeA), "A record"},
		{"A without address", a(&A{}, TypeA), "A record"},
		{"AAAA with IPv4", a(&AAAA{Addr: netip.MustParseAddr("192.0.2.1")}, TypeAAAA), "AAAA record"},
		{"TXT string of 256", a(&TXT{Strings: []string{strings.Repeat("x", 256)}}, TypeTXT), "255"},
		{"type mismatch", a(&TXT{}, TypeA), "holds"},
		{"no RDATA", a(nil, TypeA), "no RDATA"},
		{"OPT as a record", a(&Unknown{}, TypeOPT), "Msg.OPT"},
		{"extended RCODE without OPT", &Msg{Header: Header{Rcode: 16}}, "OPT"},
		{"RCODE over 12 bits", &Msg{Header: Header{Rcode: 0x1000}, OPT: &OPT{}}, "12 bits"},
		{"message over 65535", a(&Unknown{Data: make([]byte, 70000)}, Type(300)), "65535"},
	}
	for _, tt := range tests {
		b, err := tt.m.Pack()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Pack = %d octets, %v; want an error with %q", tt.name, len(b), err, tt.want)
		}
	}
	if _, err := (&Msg{}).PackPadded(128); err == nil {
		t.Errorf("PackPadded without OPT: got no error, want one")
	}
	if _, err := (&Msg{OPT: &OPT{}}).PackPadded(0); err == nil {
		t.Errorf("PackPadded(0): got no error, want one")
	}
}
