package dnswire

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// This file checks dnswire against miekg/dns, the library it replaces in
// the WebAssembly build (a test-only import): messages miekg packs parse
// here to the same fields miekg unpacks, and the queries packed here are
// the ones the resolver sent with miekg, and miekg reads them back.

// miekgRRs are records of every type with typed RDATA here, and a few
// without, in miekg's presentation form.
var miekgRRs = []string{
	"www.example.com. 300 IN A 192.0.2.1",
	"www.example.com. 300 IN AAAA 2001:db8::1",
	"www.example.com. 300 IN AAAA ::ffff:192.0.2.1",
	"alias.example.com. 60 IN CNAME www.example.com.",
	"example.com. 3600 IN MX 10 mx1.example.com.",
	"example.com. 3600 IN MX 0 .",
	"example.com. 3600 IN NS ns1.example.net.",
	"1.2.0.192.in-addr.arpa. 86400 IN PTR www.example.com.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 IN PTR host.example.com.",
	`example.com. 300 IN TXT "v=spf1 include:_spf.example.net -all"`,
	`example.com. 300 IN TXT "semi\;colon \"quoted\" back\\slash \255\000" "second string" ""`,
	`example.com. 300 IN TXT "` + strings.Repeat("x", 255) + `" "` + strings.Repeat("y", 255) + `"`,
	`example.com. 300 IN SPF "v=spf1 -all"`,
	`example.com. 300 IN SPF "v=spf1 " "ip4:192.0.2.0/24 ~all"`,
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
	"_25._tcp.mx1.example.com. 300 IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"_25._tcp.mx1.example.com. 300 IN TLSA 2 0 0 30820122300d06092a",
	`we\ ird\@name\"\;\(\)\\\..example.com. 5 IN A 192.0.2.7`,
	`\000\255\127.example.com. 5 IN TXT "x"`,
	"example.com. 300 IN CAA 0 issue \"ca.example.net\"",
	"example.com. 300 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"_sip._tcp.example.com. 300 IN SRV 10 60 5060 sip.example.com.",
	"example.com. 300 IN SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"example.com. 300 IN TYPE65280 \\# 3 abcdef",
	"example.com. 300 CH TXT \"chaos\"",
}

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("dns.NewRR(%q): %v", s, err)
	}
	return rr
}

// miekgCorpus returns messages packed by miekg, with and without
// compression.
func miekgCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	add := func(name string, m *dns.Msg) {
		for _, compress := range []bool{false, true} {
			m.Compress = compress
			b, err := m.Pack()
			if err != nil {
				t.Fatalf("%s: miekg Pack: %v", name, err)
			}
			out[fmt.Sprintf("%s (compress %v)", name, compress)] = b
		}
	}
	for i, s := range miekgRRs {
		rr := mustRR(t, s)
		m := new(dns.Msg)
		m.SetQuestion(rr.Header().Name, rr.Header().Rrtype)
		m.Response, m.RecursionAvailable, m.AuthenticatedData = true, true, i%2 == 0
		m.Answer = []dns.RR{rr}
		add(fmt.Sprintf("rr %d %s", i, dns.TypeToString[rr.Header().Rrtype]), m)
	}
	// All records together, in all sections, with EDNS(0).
	m := new(dns.Msg)
	m.SetQuestion("www.example.com.", dns.TypeANY)
	m.Id, m.Response, m.Authoritative, m.CheckingDisabled = 0xABCD, true, true, true
	for i, s := range miekgRRs {
		switch i % 3 {
		case 0:
			m.Answer = append(m.Answer, mustRR(t, s))
		case 1:
			m.Ns = append(m.Ns, mustRR(t, s))
		default:
			m.Extra = append(m.Extra, mustRR(t, s))
		}
	}
	m.SetEdns0(4096, true)
	add("everything", m)

	// Negative answers: NXDOMAIN and NODATA with an SOA.
	for _, rc := range []int{dns.RcodeNameError, dns.RcodeSuccess, dns.RcodeServerFailure, dns.RcodeRefused} {
		m := new(dns.Msg)
		m.SetQuestion("nx.example.com.", dns.TypeTXT)
		m.Response, m.Rcode = true, rc
		m.Ns = []dns.RR{mustRR(t, "example.com. 60 IN SOA ns. h. 1 2 3 4 5")}
		add("negative "+dns.RcodeToString[rc], m)
	}
	// Extended RCODEs (RFC 6891 §6.1.3) and EDNS options.
	for _, rc := range []int{dns.RcodeBadVers, dns.RcodeBadCookie, 0xFFF} {
		m := new(dns.Msg)
		m.SetQuestion("example.com.", dns.TypeA)
		m.Response = true
		m.SetEdns0(1232, false)
		m.Rcode = rc
		opt := m.IsEdns0()
		opt.Option = append(opt.Option,
			&dns.EDNS0_PADDING{Padding: make([]byte, 7)},
			&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0123456789abcdef"},
			&dns.EDNS0_LOCAL{Code: 65001, Data: []byte{1, 2, 3}})
		add(fmt.Sprintf("extended rcode %d", rc), m)
	}
	// Header bits one at a time.
	for bit := range 16 {
		m := new(dns.Msg)
		m.SetQuestion("example.com.", dns.TypeA)
		b, _ := m.Pack()
		flags := uint16(b[2])<<8 | uint16(b[3]) | 1<<bit
		b[2], b[3] = byte(flags>>8), byte(flags)
		out[fmt.Sprintf("header bit %d", bit)] = b
	}
	return out
}

// unescapeTXT turns a character-string as miekg presents it (RFC 1035
// §5.1) back into octets.
func unescapeTXT(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			b.WriteByte(byte(int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')))
			i += 3
			continue
		}
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// diff returns how ours differs from miekg's unpacking of the same
// message, "" if in nothing this package exposes. The raw RDATA of types
// without a typed form here is compared only with raw set: miekg decodes
// many of those types, and packs short RDATA of them longer again.
func diff(ours *Msg, theirs *dns.Msg, raw bool) string {
	var d []string
	eq := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s: ours %v, miekg %v", what, a, b))
		}
	}
	h := ours.Header
	eq("ID", h.ID, theirs.Id)
	eq("QR", h.Response, theirs.Response)
	eq("opcode", h.Opcode, theirs.Opcode)
	eq("AA", h.Authoritative, theirs.Authoritative)
	eq("TC", h.Truncated, theirs.Truncated)
	eq("RD", h.RecursionDesired, theirs.RecursionDesired)
	eq("RA", h.RecursionAvailable, theirs.RecursionAvailable)
	eq("AD", h.AuthenticatedData, theirs.AuthenticatedData)
	eq("CD", h.CheckingDisabled, theirs.CheckingDisabled)
	eq("rcode", int(h.Rcode), theirs.Rcode)
	eq("questions", len(ours.Question), len(theirs.Question))
	for i := range min(len(ours.Question), len(theirs.Question)) {
		q, tq := ours.Question[i], theirs.Question[i]
		eq("question", fmt.Sprint(q.Name, uint16(q.Type), uint16(q.Class)), fmt.Sprint(tq.Name, tq.Qtype, tq.Qclass))
	}
	var extra []dns.RR
	var opt *dns.OPT
	for _, rr := range theirs.Extra {
		if o, ok := rr.(*dns.OPT); ok {
			opt = o
			continue
		}
		extra = append(extra, rr)
	}
	for _, sec := range []struct {
		name   string
		ours   []RR
		theirs []dns.RR
	}{{"answer", ours.Answer, theirs.Answer}, {"authority", ours.Authority, theirs.Ns}, {"additional", ours.Additional, extra}} {
		eq(sec.name+" count", len(sec.ours), len(sec.theirs))
		for i := range min(len(sec.ours), len(sec.theirs)) {
			if s := diffRR(sec.ours[i], sec.theirs[i], raw); s != "" {
				d = append(d, fmt.Sprintf("%s %d: %s", sec.name, i, s))
			}
		}
	}
	eq("OPT present", ours.OPT != nil, opt != nil)
	if ours.OPT != nil && opt != nil {
		o := ours.OPT
		eq("OPT size", o.UDPSize, opt.UDPSize())
		eq("OPT version", o.Version, opt.Version())
		eq("OPT DO", o.DO, opt.Do())
		flags := o.Z
		if o.DO {
			flags |= 1 << 15
		}
		eq("OPT flags", flags, uint16(opt.Hdr.Ttl))
		// The options as miekg packs them again, octet for octet;
		// with raw unset only their codes, as miekg normalizes the data
		// of options it decodes (client subnet, RFC 7871).
		var codes, theirCodes []uint16
		for _, op := range o.Options {
			codes = append(codes, op.Code)
		}
		for _, op := range opt.Option {
			theirCodes = append(theirCodes, op.Option())
		}
		eq("OPT option codes", codes, theirCodes)
		if !raw {
			return strings.Join(d, "; ")
		}
		var ourOpts []byte
		for _, op := range o.Options {
			ourOpts = append(append(append(ourOpts, u16(op.Code)...), u16(uint16(len(op.Data)))...), op.Data...)
		}
		eq("OPT options", hex.EncodeToString(ourOpts), rawRdata(opt))
	}
	return strings.Join(d, "; ")
}

func diffRR(rr RR, t dns.RR, raw bool) string {
	h := t.Header()
	if rr.Name != h.Name || uint16(rr.Type) != h.Rrtype || uint16(rr.Class) != h.Class || rr.TTL != h.Ttl {
		return fmt.Sprintf("header %s %d %d %d, miekg %s %d %d %d", rr.Name, rr.Type, rr.Class, rr.TTL, h.Name, h.Rrtype, h.Class, h.Ttl)
	}
	var ours, theirs string
	switch d := rr.Data.(type) {
	case *A:
		ours, theirs = d.Addr.String(), addrOf(t.(*dns.A).A)
	case *AAAA:
		ours, theirs = d.Addr.String(), addrOf(t.(*dns.AAAA).AAAA)
	case *CNAME:
		ours, theirs = d.Target, t.(*dns.CNAME).Target
	case *NS:
		ours, theirs = d.Host, t.(*dns.NS).Ns
	case *PTR:
		ours, theirs = d.Target, t.(*dns.PTR).Ptr
	case *MX:
		mx := t.(*dns.MX)
		ours, theirs = fmt.Sprint(d.Preference, d.Host), fmt.Sprint(mx.Preference, mx.Mx)
	case *SOA:
		s := t.(*dns.SOA)
		ours = fmt.Sprint(d.MName, d.RName, d.Serial, d.Refresh, d.Retry, d.Expire, d.Minimum)
		theirs = fmt.Sprint(s.Ns, s.Mbox, s.Serial, s.Refresh, s.Retry, s.Expire, s.Minttl)
	case *TXT:
		ours, theirs = fmt.Sprintf("%q", d.Strings), fmt.Sprintf("%q", unescapeAll(t.(*dns.TXT).Txt))
	case *SPF:
		ours, theirs = fmt.Sprintf("%q", d.Strings), fmt.Sprintf("%q", unescapeAll(t.(*dns.SPF).Txt))
	case *TLSA:
		x := t.(*dns.TLSA)
		ours = fmt.Sprint(d.Usage, d.Selector, d.MatchingType, hex.EncodeToString(d.Data))
		theirs = fmt.Sprint(x.Usage, x.Selector, x.MatchingType, x.Certificate)
	case *Unknown:
		if !raw {
			return ""
		}
		ours, theirs = hex.EncodeToString(d.Data), rawRdata(t)
	default:
		return fmt.Sprintf("RDATA of type %T", d)
	}
	if ours != theirs {
		return fmt.Sprintf("%v RDATA %s, miekg %s", rr.Type, ours, theirs)
	}
	return ""
}

func addrOf(ip []byte) string {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return fmt.Sprintf("invalid %x", ip)
	}
	return a.String()
}

func unescapeAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, unescapeTXT(s))
	}
	return out
}

// rawRdata is the RDATA of t as miekg packs it, uncompressed.
func rawRdata(t dns.RR) string {
	if u, ok := t.(*dns.RFC3597); ok {
		return u.Rdata
	}
	buf := make([]byte, 65535)
	n, err := dns.PackRR(t, buf, 0, nil, false)
	if err != nil {
		return err.Error()
	}
	_, off, err := dns.UnpackDomainName(buf, 0)
	if err != nil {
		return err.Error()
	}
	return hex.EncodeToString(buf[off+10 : n])
}

// TestMiekgAgrees: every message of the corpus parses here and in miekg
// to the same fields.
func TestMiekgAgrees(t *testing.T) {
	for name, b := range miekgCorpus(t) {
		theirs := new(dns.Msg)
		if err := theirs.Unpack(b); err != nil {
			t.Errorf("%s: miekg Unpack: %v", name, err)
			continue
		}
		ours, err := Parse(b)
		if err != nil {
			t.Errorf("%s: Parse: %v", name, err)
			continue
		}
		if d := diff(ours, theirs, true); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
}

// typedOnly reports whether every record of m has a type with typed
// RDATA here, or OPT: miekg rejects malformed RDATA of types this package
// keeps raw, so only such messages must be accepted by both.
func typedOnly(m *Msg) bool {
	for _, sec := range [][]RR{m.Answer, m.Authority, m.Additional} {
		for _, rr := range sec {
			if _, ok := rr.Data.(*Unknown); ok {
				return false
			}
		}
	}
	return m.OPT == nil
}

// TestMiekgMutations: truncations and random corruptions of the corpus.
// Whenever both accept a message, they agree on every field; whenever
// this package accepts a message of typed records only, miekg accepts it
// too (this package is the stricter one; see TestMiekgDivergences).
func TestMiekgMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	corpus := miekgCorpus(t)
	var inputs [][]byte
	for _, name := range slices.Sorted(maps.Keys(corpus)) {
		b := corpus[name]
		for n := range len(b) {
			inputs = append(inputs, b[:n])
		}
		for range 300 {
			c := bytes.Clone(b)
			for range 1 + rng.IntN(3) {
				c[rng.IntN(len(c))] = byte(rng.Uint32())
			}
			inputs = append(inputs, c)
		}
	}
	both, oursOnly := 0, 0
	for _, b := range inputs {
		ours, err := Parse(b)
		theirs := new(dns.Msg)
		terr := theirs.Unpack(b)
		switch {
		case err != nil:
			continue
		case terr != nil:
			if typedOnly(ours) {
				t.Errorf("Parse accepted %x, which miekg rejects (%v): %s", b, terr, dump(ours))
			}
			oursOnly++
			continue
		}
		both++
		if d := diff(ours, theirs, false); d != "" {
			t.Errorf("message %x: %s", b, d)
		}
	}
	t.Logf("%d inputs: both accept %d, only dnswire %d (raw RDATA miekg decodes)", len(inputs), both, oursOnly)
	if both < len(inputs)/20 {
		t.Errorf("only %d of %d inputs parsed by both: the corpus tests too little", both, len(inputs))
	}
}

// TestMiekgDivergences lists the malformed messages both refuse, and
// those miekg accepts but this package refuses, each with the rule.
func TestMiekgDivergences(t *testing.T) {
	q := cat(hdr(0, 0x8000, 1, 0, 0, 0), question)
	withAnswer := func(r []byte) []byte { b := cat(q, r); b[7] = 1; return b }
	tests := []struct {
		name       string
		in         []byte
		miekgTakes bool // miekg accepts it; this package must not
	}{
		{"pointer loop", cat(hdr(0, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1)), false},
		{"name of 256 octets", cat(hdr(0, 0, 1, 0, 0, 0), wname(strings.Repeat("a", 63), strings.Repeat("a", 63), strings.Repeat("a", 63), strings.Repeat("a", 62)), u16(1), u16(1)), false},
		{"label type 01", cat(hdr(0, 0, 1, 0, 0, 0), []byte{0x41, 'a'}, u16(1), u16(1)), false},
		{"RDLENGTH past the end", withAnswer(cat(ptr(12), u16(1), u16(1), u32(1), u16(9), []byte{1, 2, 3, 4})), false},
		{"A of 3 octets", withAnswer(rr(ptr(12), TypeA, 1, []byte{1, 2, 3})), false},
		{"TXT string past RDATA", withAnswer(rr(ptr(12), TypeTXT, 1, []byte{5, 'a'})), false},
		// RFC 1035 §4.1.4 only ever points back to an earlier name.
		{"forward pointer", cat(hdr(0, 0, 1, 0, 0, 0), ptr(14), wname("a"), u16(1), u16(1)), true},
		// RFC 1035 §4.1.1: the counts say how many entries follow.
		{"header only, QDCOUNT 1", hdr(0, 0x8000, 1, 0, 0, 0), true},
		{"ANCOUNT larger than the records", cat(hdr(0, 0x8000, 1, 3, 0, 0), question, rr(ptr(12), TypeA, 1, []byte{1, 2, 3, 4})), true},
		// RFC 1035 §3.4.1: A RDATA is 4 octets; miekg takes an empty one
		// as in an UPDATE (RFC 2136 §2.5).
		{"A of 0 octets", withAnswer(rr(ptr(12), TypeA, 1, nil)), true},
		{"CNAME of 0 octets", withAnswer(rr(ptr(12), TypeCNAME, 1, nil)), true},
		// RFC 6891 §6.1.1: at most one OPT, in the additional section.
		{"two OPT records", cat(hdr(0, 0x8000, 1, 0, 0, 2), question, []byte{0}, u16(41), u16(512), u32(0), u16(0), []byte{0}, u16(41), u16(512), u32(0), u16(0)), true},
		{"OPT in the answer", withAnswer(cat([]byte{0}, u16(41), u16(512), u32(0), u16(0))), true},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		terr := new(dns.Msg).Unpack(tt.in)
		if err == nil || (terr == nil) != tt.miekgTakes {
			t.Errorf("%s: Parse error %v, miekg error %v; want a Parse error, miekg accepting: %v", tt.name, err, terr, tt.miekgTakes)
		}
	}
}

// oldQuery is how dohresolver built its queries with miekg/dns.
func oldQuery(fqdn string, qtype uint16) ([]byte, error) {
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.Id = 0
	m.RecursionDesired = true
	m.AuthenticatedData = true
	opt := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
	opt.SetUDPSize(1232)
	opt.SetDo()
	m.Extra = append(m.Extra, opt)
	n := m.Len() + 4
	opt.Option = append(opt.Option, &dns.EDNS0_PADDING{Padding: make([]byte, (128-n%128)%128)})
	return m.Pack()
}

// TestMiekgQueries: the padded queries packed here are octet for octet
// those dohresolver sent with miekg, and miekg reads them back with the
// same fields.
func TestMiekgQueries(t *testing.T) {
	names := []string{"example.com.", "www.example.com.", "_25._tcp.mx1.example.com.", "a.", `x\ y\@z\(\).example.`,
		strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61) + ".",
		"10.2.0.192.in-addr.arpa.", "MiXeD.CaSe.example."}
	// Names of every length to 240 octets, so the padding takes every
	// size.
	for n := 1; n <= 240; n++ {
		var labels []string
		for left := n; left > 0; left -= 64 {
			labels = append(labels, strings.Repeat("n", min(left, 63)))
		}
		names = append(names, strings.Join(labels, ".")+".")
	}
	for _, name := range names {
		for _, qt := range []Type{TypeA, TypeAAAA, TypeTXT, TypeMX, TypePTR, TypeTLSA, TypeSPF, TypeSOA} {
			m := &Msg{
				Header:   Header{RecursionDesired: true, AuthenticatedData: true},
				Question: []Question{NewQuestion(name, qt)},
				OPT:      &OPT{UDPSize: 1232, DO: true},
			}
			ours, err := m.PackPadded(128)
			if err != nil {
				t.Errorf("PackPadded(%s %v): %v", name, qt, err)
				continue
			}
			want, err := oldQuery(name, uint16(qt))
			if err != nil {
				t.Fatalf("miekg query %s: %v", name, err)
			}
			if !bytes.Equal(ours, want) {
				t.Errorf("query %s %v:\n got %x\nwant %x", name, qt, ours, want)
			}
			theirs := new(dns.Msg)
			if err := theirs.Unpack(ours); err != nil {
				t.Errorf("miekg Unpack of query %s %v: %v", name, qt, err)
				continue
			}
			m.OPT.Options = []Option{{Code: OptionPadding, Data: make([]byte, len(theirs.IsEdns0().Option[0].(*dns.EDNS0_PADDING).Padding))}}
			if d := diff(m, theirs, true); d != "" {
				t.Errorf("query %s %v: %s", name, qt, d)
			}
		}
	}
}

// BenchmarkParse and BenchmarkMiekgUnpack decode the same answer: every
// record type of the corpus in three sections, compressed, with EDNS(0).
func BenchmarkParse(b *testing.B) {
	msg := miekgCorpus(b)["everything (compress true)"]
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMiekgUnpack(b *testing.B) {
	msg := miekgCorpus(b)["everything (compress true)"]
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := new(dns.Msg).Unpack(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNamesMatchMiekg: every type and response code this package names is
// named as github.com/miekg/dns names it, and every response code up to 23
// that miekg names is named here too.
func TestNamesMatchMiekg(t *testing.T) {
	for v := range 1 << 16 {
		got := Type(v).String()
		if strings.HasPrefix(got, "TYPE") {
			if got != "TYPE"+strconv.Itoa(v) {
				t.Errorf("Type(%d).String() = %q, want TYPE%d", v, got, v)
			}
			continue
		}
		if want := dns.TypeToString[uint16(v)]; got != want {
			t.Errorf("Type(%d).String() = %q, miekg names it %q", v, got, want)
		}
	}
	for v := range 1 << 12 {
		got := Rcode(v).String()
		want, named := dns.RcodeToString[v]
		switch {
		case got == strconv.Itoa(v):
			if named && v <= 23 {
				t.Errorf("Rcode(%d) has no name, miekg names it %q", v, want)
			}
		case got != want:
			t.Errorf("Rcode(%d).String() = %q, miekg names it %q", v, got, want)
		}
	}
}
