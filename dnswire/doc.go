// Package dnswire is a minimal DNS message codec: it builds the queries
// headerlens sends and parses the answers it receives, with nothing else,
// so that the WebAssembly build carries no general-purpose DNS library.
//
// The wire format is that of RFC 1035 §4.1: a header (§4.1.1), the
// question section (§4.1.2) and the answer, authority and additional
// sections of resource records (§4.1.3), names made of length-prefixed
// labels and shortened by compression pointers (§4.1.4). Parse follows
// pointers only backwards, refuses loops, bounds the hops and the
// decoded octets, and enforces the limits of RFC 1035 §2.3.4 (labels of at
// most 63 octets, names of at most 255).
//
// EDNS(0) (RFC 6891) is carried by the OPT pseudo-record of the additional
// section, exposed as Msg.OPT: the advertised payload size, the version,
// the DO bit (RFC 3225 §3, RFC 6891 §6.1.4), the options, among them
// Padding (RFC 7830 §3), which Pack can size so that a query fills a
// multiple of a block length (RFC 8467 §4.1). The extended RCODE of the
// OPT record (RFC 6891 §6.1.3) is merged into Msg.Rcode. The header bits
// include AD and CD (RFC 4035 §3.2.3, RFC 6840 §5.7).
//
// RDATA is decoded into typed values for the record types headerlens
// reads: A (RFC 1035 §3.4.1), AAAA (RFC 3596 §2.2), CNAME, MX, NS, PTR,
// SOA and TXT (RFC 1035 §3.3), the withdrawn SPF type 99 (RFC 7208 §3.1,
// RFC 4408 §3.1.1) and TLSA (RFC 6698 §2.1). The RDATA of every other type
// is kept as raw bytes (RFC 3597 §5), its names left compressed.
//
// Names are presented as miekg/dns and dig present them (RFC 1035 §5.1):
// fully qualified with the final dot, the root as ".", the octets
// . space ' @ ; ( ) " \ escaped with a backslash and other octets outside
// printable ASCII written \DDD in decimal. TXT and SPF strings are the raw
// octets of each character-string, unescaped.
//
// Input to Parse is hostile: it never panics, its work is linear in the
// message length, and the memory it allocates is bounded by a small
// multiple of that length.
package dnswire
