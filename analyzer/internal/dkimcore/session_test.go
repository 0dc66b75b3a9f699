package dkimcore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// bodyCases are bodies whose canonical forms differ in the corners of RFC
// 6376 §3.4.3 and §3.4.4: empty, only empty lines, no final CRLF, WSP
// runs, lone CR and LF, trailing lines of WSP.
var bodyCases = []string{
	"", "\r\n", "\r\n\r\n\r\n", " \r\n\t\r\n", "abc", "abc\r\n", "abc\r\n\r\n",
	"\r\nabc\r\n", "a  b\t\tc  \r\n  d\r\n \r\n", "a\nb\r\n", "x\r", "x\r\r\n",
	"line one\r\n\r\n\r\nline four \t\r\n\t\r\n\r\n",
}

// TestStreamCanonicalBody checks the streaming canonicalization against
// CanonicalizeBody, the plain reading of the RFC, for every length limit.
func TestStreamCanonicalBody(t *testing.T) {
	for _, body := range bodyCases {
		for _, c := range []Canonicalization{Simple, Relaxed} {
			want := CanonicalizeBody([]byte(body), c)
			for limit := int64(-1); limit <= int64(len(want)); limit++ {
				var got recorder
				n, err := streamCanonicalBody(context.Background(), []byte(body), c, &got, limit)
				if err != nil {
					t.Fatal(err)
				}
				w := want
				if limit >= 0 {
					w = want[:limit]
				}
				if n != int64(len(want)) || !bytes.Equal(got.Bytes(), w) {
					t.Errorf("%s body %q limit %d: got %q (length %d), want %q (length %d)", c, body, limit, got.Bytes(), n, w, len(want))
				}
			}
		}
	}
}

// recorder is a hash.Hash that keeps what it is given.
type recorder struct{ bytes.Buffer }

func (r *recorder) Sum(b []byte) []byte { return append(b, r.Bytes()...) }
func (r *recorder) Size() int           { return 0 }
func (r *recorder) BlockSize() int      { return 1 }

func FuzzStreamCanonicalBody(f *testing.F) {
	for _, b := range bodyCases {
		f.Add([]byte(b), int64(-1), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, limit int64, relaxed bool) {
		c := Simple
		if relaxed {
			c = Relaxed
		}
		want := CanonicalizeBody(body, c)
		if limit > int64(len(want)) {
			limit = int64(len(want))
		}
		if limit < -1 {
			limit = -1
		}
		var got recorder
		n, _ := streamCanonicalBody(context.Background(), body, c, &got, limit)
		if limit >= 0 {
			want = want[:limit]
		}
		if !bytes.Equal(got.Bytes(), want) || (limit < 0 && n != int64(len(want))) {
			t.Fatalf("got %q (%d), want %q", got.Bytes(), n, want)
		}
	})
}

// TestHeaderDigest checks the streamed header hash against the hash of
// HeaderHashInput for both canonicalizations and a field named twice.
func TestHeaderDigest(t *testing.T) {
	fields := []Field{
		{Name: "From", Raw: []byte("From : A <a@example.com> \r\n")},
		{Name: "Subject", Raw: []byte("Subject:  two\r\n\tlines \r\n")},
		{Name: "From", Raw: []byte("From: second@example.com\r\n")},
		{Name: "DKIM-Signature", Raw: []byte("DKIM-Signature: v=1; h=from:subject:from:to; b=abc\r\n def;\r\n")},
	}
	names := []string{"from", "subject", "from", "to"}
	s := NewSession(t.Context(), nil, fields, nil, false, 0)
	for _, c := range []Canonicalization{Simple, Relaxed} {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA1} {
			got := s.HeaderDigest(names, fields[3].Raw, "b", c, h)
			hh := h.New()
			hh.Write(HeaderHashInput(fields, names, fields[3].Raw, "b", c))
			if want := hh.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("%s %v: got %x, want %x", c, h, got, want)
			}
		}
	}
}

// signature returns a DKIM-Signature field asking for a body hash with the
// given canonicalization and l= (negative: none).
func signature(canon string, l int) Field {
	raw := "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/" + canon + "; d=example.com; s=s; h=from; bh=AAAA; b=AAAA"
	if l >= 0 {
		raw += fmt.Sprintf("; l=%d", l)
	}
	return Field{Name: "DKIM-Signature", Raw: []byte(raw + "\r\n")}
}

// TestSessionPlan checks that the work budget is divided in a fixed order:
// the newest ARC-Message-Signature first, then DKIM signatures top first,
// then older ARC-Message-Signatures; that signatures sharing a body hash
// pay for it once; and that the plan does not change from run to run.
func TestSessionPlan(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef\r\n"), 1<<12) // 72 KiB
	from := Field{Name: "From", Raw: []byte("From: a@example.com\r\n")}
	ams := func(i int, l int) Field {
		return Field{Name: "ARC-Message-Signature", Raw: []byte(fmt.Sprintf("ARC-Message-Signature: i=%d; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s; h=from; bh=AAAA; b=AAAA; l=%d\r\n", i, l))}
	}
	fields := []Field{
		ams(2, 100),              // 0: newest AMS, its own body hash
		signature("simple", -1),  // 1
		signature("simple", -1),  // 2: shares 1's body hash
		signature("relaxed", 10), // 3: another body hash
		ams(1, 200),              // 4: older AMS, another body hash
		from,
	}
	bodyCost := int64(len(body))
	headerCost := int64(400) // every signature's header part is far below
	tests := []struct {
		name   string
		budget int64
		denied []int
	}{
		{"all fit", 4 * (bodyCost + headerCost), nil},
		{"three body hashes", 3 * (bodyCost + headerCost), []int{4}},
		{"two body hashes", 2*bodyCost + 3*headerCost, []int{3, 4}},
		{"one body hash", bodyCost + headerCost, []int{1, 2, 3, 4}},
		{"nothing", 10, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 3 {
				s := NewSession(t.Context(), nil, fields, body, true, tt.budget)
				var denied []int
				for i := range fields {
					if !s.Allowed(i) {
						denied = append(denied, i)
					}
				}
				if fmt.Sprint(denied) != fmt.Sprint(tt.denied) {
					t.Fatalf("budget %d: got denied %v, want %v", tt.budget, denied, tt.denied)
				}
			}
		})
	}
}

// TestSessionBodyHashLimit: a body hash outside the plan is computed while
// the budget lasts, then refused with a KindLimit error.
func TestSessionBodyHashLimit(t *testing.T) {
	body := bytes.Repeat([]byte("x\r\n"), 1000)
	s := NewSession(t.Context(), nil, nil, body, true, int64(2*len(body)))
	for l, want := range []Kind{KindNone, KindNone, KindLimit, KindLimit} {
		_, _, err := s.BodyHash(Simple, crypto.SHA256, int64(l))
		if got := KindOf(err); got != want {
			t.Errorf("body hash %d: got %v (%v), want %v", l, got, err, want)
		}
	}
	// A hash already computed costs nothing more.
	if _, _, err := s.BodyHash(Simple, crypto.SHA256, 0); err != nil {
		t.Errorf("cached body hash: %v", err)
	}
}

// TestSessionBodyHashDeadline: hashing stops when the context ends.
func TestSessionBodyHashDeadline(t *testing.T) {
	body := bytes.Repeat([]byte("a line of the body\r\n"), 1<<20) // 20 MiB
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := NewSession(ctx, nil, nil, body, true, 0)
	_, _, err := s.BodyHash(Relaxed, crypto.SHA256, -1)
	if KindOf(err) != KindTempError {
		t.Errorf("got %v (%v), want %v", KindOf(err), err, KindTempError)
	}
}

// rsaRecord returns a key record holding an RSA public key with a modulus
// of the given size. The modulus is a random odd number, not a product of
// two primes: parsing and size checks do not care, and it is made at once.
func rsaRecord(t testing.TB, bits int) string {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1)
	n.SetBit(n, 0, 1)
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

// TestParseKeySize checks MaxRSAKeyBits: up to it a key parses; above it,
// and for a 60 KB record (the hostile case), ParseKey refuses at once.
func TestParseKeySize(t *testing.T) {
	tests := []struct {
		bits int
		ok   bool
	}{
		{1024, true}, {4096, true}, {MaxRSAKeyBits, true}, {MaxRSAKeyBits + 8, false}, {16384, false}, {358000, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.bits), func(t *testing.T) {
			rec := rsaRecord(t, tt.bits)
			start := time.Now()
			k, err := ParseKey(rec)
			took := time.Since(start)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseKey of %d bits: got error %v, want ok %v", tt.bits, err, tt.ok)
			}
			if tt.ok && k.Bits != tt.bits {
				t.Errorf("got %d bits, want %d", k.Bits, tt.bits)
			}
			if !tt.ok {
				if KindOf(err) != KindPermError || !strings.Contains(err.Error(), "8192") {
					t.Errorf("got %v (%v), want a permerror naming the 8192-bit limit", KindOf(err), err)
				}
				if took > time.Second {
					t.Errorf("refusing took %v", took)
				}
			}
		})
	}
}

// BenchmarkVerifyHash8192 is the cost of the largest key accepted.
func BenchmarkVerifyHash8192(b *testing.B) {
	k, err := ParseKey(rsaRecord(b, MaxRSAKeyBits))
	if err != nil {
		b.Fatal(err)
	}
	alg, _ := ParseAlgorithm("rsa-sha256")
	digest := sha256.Sum256([]byte("x"))
	sig := make([]byte, MaxRSAKeyBits/8)
	for b.Loop() {
		VerifyHash(k, alg, digest[:], sig)
	}
}
