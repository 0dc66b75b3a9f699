package arc

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
)

// This file holds a small ARC sealer for the tests (RFC 8617 §5.1), so that
// chains can be built with any shape: gaps, changes between hops, broken
// seals. The verifier itself is checked against independently signed
// chains by the ValiMail and stalwart suites.

// testKeys are generated once per test binary.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	k1, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	k2, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	_, ked, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]crypto.Signer{"rsa": k1, "rsa-b": k2, "ed25519": ked}
})

// keyRecord returns the DKIM key record of signer (RFC 6376 §3.6.1, RFC
// 8463 §4).
func keyRecord(tb testing.TB, signer crypto.Signer) string {
	tb.Helper()
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			tb.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	tb.Fatalf("unknown key %T", signer)
	return ""
}

// hop is who seals: domain, selector and key name in testKeys.
type hop struct {
	domain, selector, key string
}

func (h hop) alg() string {
	if h.key == "ed25519" {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}

// builder is a message being passed from hop to hop.
type builder struct {
	fields []string // raw header fields, topmost first, each ending in CRLF
	body   string
	sets   map[int][3]string // instance -> AAR, AMS, AS
}

func newBuilder() *builder {
	return &builder{
		fields: []string{
			"From: Alice <alice@example.com>\r\n",
			"To: list@lists.example.net\r\n",
			"Subject: Lunch  tomorrow?\r\n",
			"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n",
			"Message-ID: <1@example.com>\r\n",
		},
		body: "Hi all,\r\n\r\nShall we  meet at noon?  \r\n",
		sets: map[int][3]string{},
	}
}

func (b *builder) text() string {
	return strings.Join(b.fields, "") + "\r\n" + b.body
}

func (b *builder) headerText() string {
	return strings.Join(b.fields, "")
}

func (b *builder) dkimFields() []dkimcore.Field {
	out := make([]dkimcore.Field, len(b.fields))
	for i, f := range b.fields {
		name, _, _ := strings.Cut(f, ":")
		out[i] = dkimcore.Field{Name: name, Raw: []byte(f)}
	}
	return out
}

// replace changes the first field named name.
func (b *builder) replace(name, raw string) {
	for i, f := range b.fields {
		if strings.HasPrefix(strings.ToLower(f), strings.ToLower(name)+":") {
			b.fields[i] = raw
			return
		}
	}
	panic("no field " + name)
}

func sign(tb testing.TB, key crypto.Signer, digest []byte) string {
	tb.Helper()
	var sig []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest)
	case ed25519.PrivateKey:
		// RFC 8463 §3: Ed25519 over the SHA-256 digest.
		sig = ed25519.Sign(k, digest)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// seal adds ARC set inst with cv, sealed by h (RFC 8617 §5.1): the AAR,
// then the AMS over the signed fields (relaxed/relaxed) and the body, then
// the AS over the sets 1..inst.
func (b *builder) seal(tb testing.TB, inst int, cv result.Word, h hop) {
	tb.Helper()
	key := testKeys()[h.key]
	aar := fmt.Sprintf("ARC-Authentication-Results: i=%d; mx.%s;\r\n\tspf=pass smtp.mailfrom=example.com;\r\n\tdkim=pass header.d=example.com\r\n", inst, h.domain)
	b.fields = append([]string{aar}, b.fields...)

	bh := sha256.Sum256(dkimcore.CanonicalizeBody([]byte(b.body), dkimcore.Relaxed))
	signed := "from:to:subject:date:message-id:arc-authentication-results"
	ams := fmt.Sprintf("ARC-Message-Signature: i=%d; a=%s; c=relaxed/relaxed; d=%s;\r\n\ts=%s; t=1795000000; h=%s;\r\n\tbh=%s; b=\r\n",
		inst, h.alg(), h.domain, h.selector, signed, base64.StdEncoding.EncodeToString(bh[:]))
	data := dkimcore.HeaderHashInput(b.dkimFields(), strings.Split(signed, ":"), []byte(ams), "b", dkimcore.Relaxed)
	d := sha256.Sum256(data)
	ams = strings.TrimSuffix(ams, "\r\n") + sign(tb, key, d[:]) + "\r\n"
	b.fields = append([]string{ams}, b.fields...)

	as := fmt.Sprintf("ARC-Seal: i=%d; a=%s; cv=%s; d=%s; s=%s;\r\n\tt=1795000000; b=\r\n", inst, h.alg(), cv, h.domain, h.selector)
	var buf bytes.Buffer
	for j := 1; j < inst; j++ {
		if s, ok := b.sets[j]; ok {
			for _, f := range s {
				buf.Write(dkimcore.CanonicalizeHeader([]byte(f), dkimcore.Relaxed))
			}
		}
	}
	buf.Write(dkimcore.CanonicalizeHeader([]byte(aar), dkimcore.Relaxed))
	buf.Write(dkimcore.CanonicalizeHeader([]byte(ams), dkimcore.Relaxed))
	buf.Write(bytes.TrimSuffix(dkimcore.CanonicalizeHeader([]byte(as), dkimcore.Relaxed), []byte("\r\n")))
	d = sha256.Sum256(buf.Bytes())
	as = strings.TrimSuffix(as, "\r\n") + sign(tb, key, d[:]) + "\r\n"
	b.fields = append([]string{as}, b.fields...)
	b.sets[inst] = [3]string{aar, ams, as}
}

// message parses the builder's message, with or without its body.
func (b *builder) message(tb testing.TB, withBody bool) *message.Message {
	tb.Helper()
	text := b.headerText()
	if withBody {
		text = b.text()
	}
	m, err := message.Parse([]byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestSealerFieldOrder checks that the test sealer adds each set on top,
// AS above AMS above AAR, as RFC 8617 §5.1 step 4 builds it.
func TestSealerFieldOrder(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop{"one.example", "s1", "rsa"})
	b.seal(t, 2, result.Pass, hop{"two.example", "s2", "rsa-b"})
	want := []string{"ARC-Seal: i=2", "ARC-Message-Signature: i=2", "ARC-Authentication-Results: i=2",
		"ARC-Seal: i=1", "ARC-Message-Signature: i=1", "ARC-Authentication-Results: i=1", "From:"}
	for i, w := range want {
		if !strings.HasPrefix(b.fields[i], w) {
			t.Errorf("field %d: got %q, want prefix %q", i, b.fields[i], w)
		}
	}
}
