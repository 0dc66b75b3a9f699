package dkimcore

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// x509RSAKey is what ParseKey did before rsakey.go, the reference of the
// differential tests: x509.ParsePKIXPublicKey, then
// x509.ParsePKCS1PublicKey.
func x509RSAKey(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, errNonRSAKey
	}
	if rk, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return rk, nil
	}
	return nil, errBadRSAKey
}

// verdict is the outcome of one parse, for counting.
type verdict int

const (
	accepted verdict = iota
	refusedNonRSA
	refusedBad
)

// compareRSAKey reports on t where parseRSAPublicKey and x509RSAKey differ
// on der: both accept with the same N and E, or both refuse. When x509
// found a key of another algorithm, so must parseRSAPublicKey; the reverse
// need not hold (rsakey.go: a well-formed SubjectPublicKeyInfo of another
// algorithm is a non-RSA key even when x509 would not parse its key).
func compareRSAKey(t testing.TB, der []byte) verdict {
	t.Helper()
	got, gotErr := parseRSAPublicKey(der)
	want, wantErr := x509RSAKey(der)
	if (gotErr == nil) != (wantErr == nil) {
		t.Errorf("parseRSAPublicKey(%x): got error %v, want %v (x509)", der, gotErr, wantErr)
		return refusedBad
	}
	if gotErr != nil {
		if got != nil {
			t.Errorf("parseRSAPublicKey(%x): got key %v with error %v, want no key", der, got, gotErr)
		}
		if gotErr != errNonRSAKey && gotErr != errBadRSAKey {
			t.Errorf("parseRSAPublicKey(%x): got error %v, want errNonRSAKey or errBadRSAKey", der, gotErr)
		}
		if wantErr == errNonRSAKey && gotErr != errNonRSAKey {
			t.Errorf("parseRSAPublicKey(%x): got %v, want errNonRSAKey (x509 parsed a non-RSA key)", der, gotErr)
		}
		if wantErr == errNonRSAKey {
			return refusedNonRSA
		}
		return refusedBad
	}
	if new(big.Int).SetBytes(got.N).Cmp(want.N) != 0 || got.E != uint64(want.E) {
		t.Errorf("parseRSAPublicKey(%x): got N=%x E=%d, want N=%x E=%d", der, got.N, got.E, want.N, want.E)
	}
	return accepted
}

// tlv is a DER element with the shortest length encoding.
func tlv(tag byte, parts ...[]byte) []byte {
	c := bytes.Join(parts, nil)
	return tlvLen(tag, derLength(len(c)), c)
}

// tlvLen is an element with the given length octets, DER or not.
func tlvLen(tag byte, length, content []byte) []byte {
	return append(append([]byte{tag}, length...), content...)
}

// derLength is the DER length octets of n (X.690 §10.1).
func derLength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var b []byte
	for ; n > 0; n >>= 8 {
		b = append([]byte{byte(n)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// intContent is the DER content of an INTEGER of value v.
func intContent(v *big.Int) []byte {
	der, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(der, &raw); err != nil {
		panic(err)
	}
	return raw.Bytes
}

var (
	rsaAlgID     = tlv(derSequence, tlv(derOID, oidRSAEncryption), []byte{derNull, 0})
	rsaAlgNoNull = tlv(derSequence, tlv(derOID, oidRSAEncryption))
)

// spki wraps an RSAPublicKey in a SubjectPublicKeyInfo by hand.
func spki(algID, rsaPublicKey []byte) []byte {
	return tlv(derSequence, algID, tlv(derBitString, []byte{0}, rsaPublicKey))
}

// pkcs1 is an RSAPublicKey of modulus and exponent contents by hand.
func pkcs1(n, e []byte, extra ...[]byte) []byte {
	return tlv(derSequence, append([][]byte{tlv(derInteger, n), tlv(derInteger, e)}, extra...)...)
}

// seedKey is one input of the differential tests.
type seedKey struct {
	name string
	der  []byte
}

var (
	seedOnce sync.Once
	seeds    []seedKey
	seedErr  error
)

// rsaSeedKeys is the corpus of TestRSAKeyMatchesX509 and FuzzParseRSAKey:
// generated keys of every size DKIM sees in both forms, keys of other
// algorithms, and hand-made DER for each rule of rsakey.go. The keys are
// made once per test binary (a 4096-bit key takes a moment).
func rsaSeedKeys(t testing.TB) []seedKey {
	seedOnce.Do(func() { seeds, seedErr = makeSeedKeys() })
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seeds
}

func makeSeedKeys() ([]seedKey, error) {
	var out []seedKey
	add := func(name string, der []byte) { out = append(out, seedKey{name, der}) }
	pub := func(name string, k any) error {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		add(name, der)
		return nil
	}

	// RSA keys from crypto/rsa. GenerateKey refuses 512 bits without a
	// GODEBUG that would change the whole test binary, so the 512-bit key
	// is two primes from crypto/rand.
	p, err := rand.Prime(rand.Reader, 256)
	if err != nil {
		return nil, err
	}
	q, err := rand.Prime(rand.Reader, 256)
	if err != nil {
		return nil, err
	}
	rsaKeys := []*rsa.PublicKey{{N: new(big.Int).Mul(p, q), E: 65537}}
	for _, bits := range []int{1024, 1024, 2048, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		rsaKeys = append(rsaKeys, &k.PublicKey)
	}
	// Moduli of odd sizes and exponents at every bound: x509 parses them,
	// whether or not crypto/rsa would verify with them.
	for _, bits := range []int{1, 7, 8, 9, 64, 65, 1000, 8192, 8200} {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
		if err != nil {
			return nil, err
		}
		n.SetBit(n, bits-1, 1)
		rsaKeys = append(rsaKeys, &rsa.PublicKey{N: n, E: 3})
	}
	for _, e := range []int{1, 2, 17, 0xff, 0x80, 0x8000, math.MaxInt32, math.MaxInt32 + 1, 1<<32 + 1, 1 << 55, math.MaxInt64} {
		rsaKeys = append(rsaKeys, &rsa.PublicKey{N: rsaKeys[1].N, E: e})
	}
	for _, k := range rsaKeys {
		name := fmt.Sprintf("rsa%d e=%d", k.N.BitLen(), k.E)
		if err := pub("spki "+name, k); err != nil {
			return nil, err
		}
		add("pkcs1 "+name, x509.MarshalPKCS1PublicKey(k))
	}

	// Keys of other algorithms, which k=rsa refuses.
	for _, c := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			return nil, err
		}
		if err := pub("ecdsa "+c.Params().Name, &k.PublicKey); err != nil {
			return nil, err
		}
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := pub("ed25519", edPub); err != nil {
		return nil, err
	}
	xk, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := pub("x25519", xk.PublicKey()); err != nil {
		return nil, err
	}
	// DSA (RFC 3279 §2.3.2), which x509 parses but cannot marshal.
	dsaParams, _ := asn1.Marshal(struct{ P, Q, G *big.Int }{big.NewInt(23), big.NewInt(11), big.NewInt(4)})
	dsaY, _ := asn1.Marshal(big.NewInt(8))
	add("dsa", tlv(derSequence,
		tlv(derSequence, tlv(derOID, []byte{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}), dsaParams),
		tlv(derBitString, []byte{0}, dsaY)))
	// RSASSA-PSS (1.2.840.113549.1.1.10) and a signature OID, which x509
	// does not parse as keys.
	k2048 := rsaKeys[3]
	rsaPub := x509.MarshalPKCS1PublicKey(k2048)
	add("rsassa-pss", spki(tlv(derSequence, tlv(derOID, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a})), rsaPub))
	add("sha256WithRSAEncryption", spki(tlv(derSequence, tlv(derOID, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}), []byte{derNull, 0}), rsaPub))

	// The rules of rsakey.go, one by one, on a small key.
	n := intContent(rsaKeys[0].N)
	e := []byte{0x01, 0x00, 0x01}
	key := pkcs1(n, e)
	add("hand spki", spki(rsaAlgID, key))
	add("hand pkcs1", key)
	// AlgorithmIdentifier parameters (RFC 3279 §2.3.1).
	add("params absent", spki(rsaAlgNoNull, key))
	add("params NULL with content", spki(tlv(derSequence, tlv(derOID, oidRSAEncryption), []byte{derNull, 1, 0}), key))
	add("params an OID", spki(tlv(derSequence, tlv(derOID, oidRSAEncryption), tlv(derOID, oidRSAEncryption)), key))
	add("params NULL then more", spki(tlv(derSequence, tlv(derOID, oidRSAEncryption), []byte{derNull, 0}, tlv(derInteger, []byte{1})), key))
	add("params NULL then garbage", spki(tlv(derSequence, tlv(derOID, oidRSAEncryption), []byte{derNull, 0, 0xff}), key))
	add("params NULL long length", spki(tlv(derSequence, tlv(derOID, oidRSAEncryption), []byte{derNull, 0x81, 0}), key))
	add("OID non-minimal", spki(tlv(derSequence, tlv(derOID, append([]byte{0x2a, 0x80}, oidRSAEncryption[1:]...)), []byte{derNull, 0}), key))
	add("OID empty", spki(tlv(derSequence, tlv(derOID), []byte{derNull, 0}), key))
	add("OID truncated", spki(tlv(derSequence, tlv(derOID, []byte{0x2a, 0x86}), []byte{derNull, 0}), key))
	add("OID constructed", spki(tlv(derSequence, tlv(derOID|0x20, oidRSAEncryption), []byte{derNull, 0}), key))
	// What may follow (RFC 5280 §4.1.2.7; x509 tolerates extra elements).
	add("spki trailing byte", append(spki(rsaAlgID, key), 0))
	add("pkcs1 trailing byte", append(bytes.Clone(key), 0))
	add("spki extra element", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{0}, key), tlv(derNull)))
	add("spki extra garbage", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{0}, key), []byte{0xff}))
	add("rsa key extra element", spki(rsaAlgID, pkcs1(n, e, tlv(derInteger, []byte{5}))))
	add("pkcs1 extra element", pkcs1(n, e, tlv(derInteger, []byte{5})))
	add("pkcs1 extra garbage", pkcs1(n, e, []byte{0xff}))
	add("bytes after rsa key in BIT STRING", spki(rsaAlgID, append(bytes.Clone(key), 1, 2, 3)))
	add("spki no BIT STRING", tlv(derSequence, rsaAlgID))
	add("spki OCTET STRING", tlv(derSequence, rsaAlgID, tlv(0x04, []byte{0}, key)))
	add("spki BIT STRING constructed", tlv(derSequence, rsaAlgID, tlv(derBitString|0x20, []byte{0}, key)))
	add("spki SET", tlv(0x31, rsaAlgID, tlv(derBitString, []byte{0}, key)))
	// BIT STRING unused bits (X.690 §8.6.2): x509 right-aligns the bits.
	for unused := 1; unused <= 2; unused++ {
		shifted := new(big.Int).Lsh(new(big.Int).SetBytes(key), uint(unused)).FillBytes(make([]byte, len(key)))
		add(fmt.Sprintf("BIT STRING %d unused bits", unused), tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{byte(unused)}, shifted)))
	}
	add("BIT STRING unused bits set", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{1}, key)))
	add("BIT STRING 8 unused bits", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{8}, key)))
	add("BIT STRING empty", tlv(derSequence, rsaAlgID, tlv(derBitString)))
	add("BIT STRING only unused bits", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{3})))
	add("BIT STRING only 0", tlv(derSequence, rsaAlgID, tlv(derBitString, []byte{0})))
	// Lengths (X.690 §8.1.3, §10.1).
	kc := key[2:] // the content of the short-form SEQUENCE of key
	if key[1] != byte(len(kc)) {
		return nil, fmt.Errorf("hand key %x: want a short-form length", key)
	}
	add("length 0x81 below 128", tlvLen(derSequence, []byte{0x81, byte(len(kc))}, kc))
	add("length leading zero", tlvLen(derSequence, []byte{0x82, 0x00, byte(len(kc))}, kc))
	add("length 5 octets", tlvLen(derSequence, []byte{0x85, 0, 0, 0, 0, byte(len(kc))}, kc))
	add("length indefinite", append(tlvLen(derSequence, []byte{0x80}, kc), 0, 0))
	add("length too long", tlvLen(derSequence, []byte{byte(len(kc) + 1)}, kc))
	add("length short", tlvLen(derSequence, []byte{byte(len(kc) - 1)}, kc))
	add("length huge", tlvLen(derSequence, []byte{0x84, 0xff, 0xff, 0xff, 0xff}, kc))
	add("length 4 octets", tlvLen(derSequence, []byte{0x84, 0x01, 0, 0, 0}, kc))
	// A 1024-bit RSAPublicKey has a two-octet length (30 81 89 or
	// 30 81 8a): the same length in three octets has a leading zero.
	big1024 := x509.MarshalPKCS1PublicKey(rsaKeys[1])
	if big1024[1] != 0x81 {
		return nil, fmt.Errorf("1024-bit key %x: want a one-octet long-form length", big1024[:4])
	}
	add("long length leading zero", tlvLen(derSequence, []byte{0x82, 0x00, big1024[2]}, big1024[3:]))
	add("long length in spki", spki(rsaAlgID, tlvLen(derSequence, []byte{0x83, 0x00, 0x00, big1024[2]}, big1024[3:])))
	add("small length long form", tlvLen(derSequence, []byte{0x81, 0x06}, tlv(derInteger, []byte{1})))
	small := pkcs1([]byte{0x7f}, []byte{3})
	add("tiny pkcs1", small)
	add("tiny spki", spki(rsaAlgID, small))
	add("tiny pkcs1 long-form integer", tlv(derSequence, tlvLen(derInteger, []byte{0x81, 1}, []byte{0x7f}), tlv(derInteger, []byte{3})))
	add("tag high form", tlv(derSequence, []byte{0x1f, 0x02, 1, 5}, tlv(derInteger, []byte{3})))
	add("integer constructed", tlv(derSequence, tlv(derInteger|0x20, []byte{5}), tlv(derInteger, []byte{3})))
	// INTEGER contents (X.690 §8.3; RFC 8017 §3.1: n and e positive).
	for _, c := range []struct {
		name string
		n, e []byte
	}{
		{"modulus negative", append([]byte{0x80}, n[1:]...), e},
		{"modulus 0", []byte{0}, e},
		{"modulus -1", []byte{0xff}, e},
		{"modulus superfluous 00", append([]byte{0}, n...), e},
		{"modulus superfluous ff", append([]byte{0xff, 0xff}, n[1:]...), e},
		{"modulus empty", nil, e},
		{"modulus 1", []byte{1}, e},
		{"exponent 0", n, []byte{0}},
		{"exponent -1", n, []byte{0xff}},
		{"exponent -65537", n, intContent(big.NewInt(-65537))},
		{"exponent empty", n, nil},
		{"exponent superfluous 00", n, []byte{0, 1, 0, 1}},
		{"exponent 2^31-1", n, intContent(big.NewInt(math.MaxInt32))},
		{"exponent 2^31", n, intContent(big.NewInt(math.MaxInt32 + 1))},
		{"exponent 2^63-1", n, intContent(big.NewInt(math.MaxInt64))},
		{"exponent 2^63", n, intContent(new(big.Int).Lsh(big.NewInt(1), 63))},
		{"exponent 2^64+1", n, intContent(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1)))},
		{"exponent 9 octets", n, []byte{0, 0x80, 0, 0, 0, 0, 0, 0, 1}},
		{"exponent 8 octets top bit", n, []byte{0x80, 0, 0, 0, 0, 0, 0, 1}},
	} {
		add("pkcs1 "+c.name, pkcs1(c.n, c.e))
		add("spki "+c.name, spki(rsaAlgID, pkcs1(c.n, c.e)))
	}
	add("modulus only", tlv(derSequence, tlv(derInteger, n)))
	add("spki modulus only", spki(rsaAlgID, tlv(derSequence, tlv(derInteger, n))))
	add("empty sequence", tlv(derSequence))
	add("empty", nil)
	add("one byte", []byte{derSequence})
	add("ed25519 raw key", edPub)
	return out, nil
}

// mutations are the inputs derived from der: every truncation, and
// single-byte changes, deletions and insertions (at every position of a
// short input, near both ends of a long one).
func mutations(der []byte) [][]byte {
	var out [][]byte
	for i := 0; i < len(der); i++ {
		out = append(out, der[:i])
	}
	positions := func(yield func(int) bool) {
		for i := 0; i < len(der); i++ {
			if len(der) > 300 && i >= 48 && i < len(der)-16 {
				continue
			}
			if !yield(i) {
				return
			}
		}
	}
	for i := range positions {
		for _, x := range []byte{0x01, 0x20, 0x80, 0xff} {
			m := bytes.Clone(der)
			m[i] ^= x
			out = append(out, m)
		}
		for _, v := range []byte{0x00, 0x80, 0x81, 0x82} {
			m := bytes.Clone(der)
			m[i] = v
			out = append(out, m)
		}
		out = append(out, append(bytes.Clone(der[:i]), der[i+1:]...))
		for _, v := range []byte{0x00, 0x02, 0x30} {
			m := append(bytes.Clone(der[:i]), v)
			out = append(out, append(m, der[i:]...))
		}
	}
	return out
}

// TestRSAKeyMatchesX509 runs the differential test on the corpus, its
// mutations and random bytes shaped like DER: parseRSAPublicKey and
// crypto/x509 agree on every input.
func TestRSAKeyMatchesX509(t *testing.T) {
	count := map[verdict]int{}
	inputs := 0
	check := func(der []byte) {
		count[compareRSAKey(t, der)]++
		inputs++
	}
	for _, s := range rsaSeedKeys(t) {
		check(s.der)
		for _, m := range mutations(s.der) {
			check(m)
		}
		if t.Failed() {
			t.Fatalf("stopped at seed %q", s.name)
		}
	}
	// Random inputs from an alphabet of DER's frequent octets, so that
	// many are nearly valid.
	r := mrand.New(mrand.NewPCG(10, 6376))
	alphabet := []byte{0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x09, 0x1f, 0x2a, 0x30, 0x7f, 0x80, 0x81, 0x82, 0xff,
		0x86, 0x48, 0xf7, 0x0d}
	for range 50000 {
		b := make([]byte, r.IntN(48))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.Uint32())
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		if r.IntN(2) == 0 && len(b) >= 2 {
			b[0], b[1] = derSequence, byte(len(b)-2)
		}
		check(b)
	}
	// A prefix of a short seed with random bytes after it.
	var short [][]byte
	for _, s := range rsaSeedKeys(t) {
		if len(s.der) > 0 && len(s.der) < 200 {
			short = append(short, s.der)
		}
	}
	for range 20000 {
		s := short[r.IntN(len(short))]
		b := bytes.Clone(s[:r.IntN(len(s))])
		for range r.IntN(24) {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		check(b)
	}
	t.Logf("%d inputs: %d accepted, %d refused as non-RSA, %d refused as malformed", inputs, count[accepted], count[refusedNonRSA], count[refusedBad])
	// The corpus must exercise every outcome, or the test proves little.
	if count[accepted] < 100 || count[refusedNonRSA] < 6 || count[refusedBad] < 1000 {
		t.Errorf("got %v accepted, non-RSA, malformed; want at least 100, 6, 1000", count)
	}
}

// TestRSAKeySeeds checks the hand-made seeds for the verdict rsakey.go's
// comments promise, independently of x509.
func TestRSAKeySeeds(t *testing.T) {
	want := map[string]verdict{
		"hand spki": accepted, "hand pkcs1": accepted, "ecdsa P-256": refusedNonRSA, "ed25519": refusedNonRSA,
		"x25519": refusedNonRSA, "dsa": refusedNonRSA, "params absent": refusedBad, "params NULL then more": accepted,
		"spki trailing byte": refusedBad, "pkcs1 trailing byte": refusedBad, "spki extra garbage": accepted,
		"bytes after rsa key in BIT STRING": accepted, "BIT STRING 1 unused bits": accepted,
		"BIT STRING unused bits set": refusedBad, "length 0x81 below 128": refusedBad, "length indefinite": refusedBad,
		"pkcs1 exponent 2^31": refusedBad, "spki exponent 2^31": accepted, "spki exponent 2^63": refusedBad,
		"pkcs1 modulus negative": refusedBad, "spki modulus 0": refusedBad, "pkcs1 modulus superfluous 00": refusedBad,
		"tiny pkcs1": accepted, "tiny spki": accepted, "rsassa-pss": refusedNonRSA, "ed25519 raw key": refusedBad,
		"spki SET": refusedBad, "long length leading zero": refusedBad, "long length in spki": refusedBad,
		"spki rsa4096 e=65537": accepted, "pkcs1 rsa512 e=65537": accepted,
	}
	seen := map[string]bool{}
	for _, s := range rsaSeedKeys(t) {
		w, ok := want[s.name]
		if !ok {
			continue
		}
		seen[s.name] = true
		pub, err := parseRSAPublicKey(s.der)
		got := accepted
		switch err {
		case errNonRSAKey:
			got = refusedNonRSA
		case errBadRSAKey:
			got = refusedBad
		}
		if got != w || (err == nil) != (pub != nil) {
			t.Errorf("%s: got verdict %v (%v), want %v", s.name, got, err, w)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("seed %q missing", name)
		}
	}
}

// TestParseKeyRSAForms: through ParseKey, both forms of k=rsa give the key,
// and keys of other algorithms are permerrors.
func TestParseKeyRSAForms(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	spkiDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		der  []byte
		ok   bool
	}{
		{"SubjectPublicKeyInfo", spkiDER, true},
		{"RSAPublicKey", x509.MarshalPKCS1PublicKey(&k.PublicKey), true},
		{"ECDSA", ecDER, false},
		{"truncated", spkiDER[:len(spkiDER)-1], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseKey("v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(tt.der))
			if !tt.ok {
				if KindOf(err) != KindPermError {
					t.Fatalf("got kind %v (%v), want %v", KindOf(err), err, KindPermError)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			got, ok := key.Public.(*RSAPublicKey)
			if !ok || !bytes.Equal(got.N, k.PublicKey.N.Bytes()) || got.E != uint64(k.PublicKey.E) || key.Bits != 1024 {
				t.Errorf("got %T %v of %d bits, want the 1024-bit key", key.Public, key.Public, key.Bits)
			}
		})
	}
}

// TestNoX509InWasm: in the WebAssembly build, dkimcore links neither
// crypto/x509 nor what it drags in, nor crypto/rsa (issue 10). Only what dkimcore imports
// itself is followed: the other headerlens packages it imports (lookup)
// answer for their own imports, and internal/buildcheck checks the whole
// build.
func TestNoX509InWasm(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("runs go list; the other tests of this package also run under js (make wasm-test)")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
	}
	const self = "headerlens/analyzer/internal/dkimcore"
	if len(imports[self]) < 10 {
		t.Fatalf("go list printed %d imports of %s, want them all", len(imports[self]), self)
	}
	// Breadth first from dkimcore; via[p] is the package that imports p.
	via := map[string]string{self: ""}
	queue := []string{self}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, d := range imports[p] {
			if _, seen := via[d]; seen || strings.HasPrefix(d, "headerlens/") {
				continue
			}
			via[d] = p
			queue = append(queue, d)
		}
	}
	if len(via) < 20 {
		t.Fatalf("found %d packages below dkimcore, want the whole build", len(via))
	}
	for d := range via {
		if d == "crypto/x509" || d == "crypto/ecdsa" || d == "crypto/rsa" || d == "encoding/asn1" || strings.Contains(d, "nistec") || strings.HasSuffix(d, "/cryptobyte") {
			path := d
			for p := via[d]; p != ""; p = via[p] {
				path = p + " -> " + path
			}
			t.Errorf("dkimcore links %s in the WebAssembly build: %s", d, path)
		}
	}
}

// FuzzParseRSAKey: the decoded p= of a k=rsa record is attacker-controlled;
// parseRSAPublicKey never panics and agrees with crypto/x509 on every
// input: both refuse, or both accept with the same N and E (compareRSAKey
// states the one allowed difference, in the kind of refusal).
func FuzzParseRSAKey(f *testing.F) {
	for _, s := range rsaSeedKeys(f) {
		f.Add(s.der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		compareRSAKey(t, der)
	})
}
