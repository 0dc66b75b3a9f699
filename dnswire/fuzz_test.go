package dnswire

import (
	"reflect"
	"testing"
)

// FuzzParse: Parse never panics; what it accepts packs again (unless the
// decompressed message outgrows 65535 octets) and parses back to the same
// message; the names it returns stay within their limits.
func FuzzParse(f *testing.F) {
	q := cat(hdr(0, 0x8180, 1, 2, 1, 1), question,
		rr(ptr(12), TypeCNAME, 60, cat([]byte{4}, []byte("host"), ptr(16))),
		rr(ptr(12+len(question)+12), TypeTXT, 30, []byte{3, 'a', '"', 0xff}),
		rr(ptr(16), TypeSOA, 3600, cat(ptr(16), wname("h"), u32(1), u32(2), u32(3), u32(4), u32(60))),
		[]byte{0}, u16(41), u16(1232), u32(1<<24|1<<15), u16(5), u16(12), u16(1), []byte{0})
	f.Add(q)
	f.Add(pointerChain(10))
	f.Add(cat(hdr(0, 0x8000, 1, 4, 0, 0), question,
		rr(ptr(12), TypeMX, 1, cat(u16(10), ptr(16))),
		rr(ptr(12), TypeTLSA, 1, []byte{3, 1, 1, 9}),
		rr(ptr(12), TypeAAAA, 1, make([]byte, 16)),
		rr(ptr(12), TypeSPF, 1, []byte{1, 'x'})))
	f.Add([]byte{})
	f.Add(hdr(0, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned a message and an error %v", err)
			}
			return
		}
		names := 0
		check := func(n string) {
			if n == "" || n[len(n)-1] != '.' || len(n) > 4*255 {
				t.Fatalf("name %q", n)
			}
			names += len(n)
		}
		for _, q := range m.Question {
			check(q.Name)
		}
		for _, sec := range [][]RR{m.Answer, m.Authority, m.Additional} {
			for _, rr := range sec {
				check(rr.Name)
				if rr.Data == nil {
					t.Fatalf("record %s %v without RDATA", rr.Name, rr.Type)
				}
			}
		}
		// Names in presentation form take at most 4 characters per octet.
		if names > 4*maxDecodedOctets+len(b) {
			t.Fatalf("%d octets of names from a %d-octet message", names, len(b))
		}
		p, err := m.Pack()
		if err != nil {
			return // decompressed, the message may no longer fit
		}
		m2, err := Parse(p)
		if err != nil {
			t.Fatalf("Parse(Pack(m)): %v", err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Parse(Pack(m)) differs:\n got %s\nwant %s", dump(m2), dump(m))
		}
	})
}
