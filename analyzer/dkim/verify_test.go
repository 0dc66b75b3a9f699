package dkim

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/result"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

const plainMessage = "From: Alice <alice@example.com>\r\n" +
	"To: Bob <bob@example.net>\r\n" +
	"Subject:  Lunch   tomorrow? \r\n" +
	"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hi Bob,\r\n" +
	"\r\n" +
	"Shall we  meet at noon?  \r\n" +
	"\r\n" +
	"\r\n"

// testKeys are generated once per test binary: RSA 1024, RSA 2048 and
// Ed25519.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	k2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	_, ked, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]crypto.Signer{"rsa1024": k1024, "rsa2048": k2048, "ed25519": ked}
})

// keyRecord returns the DKIM key record of signer (RFC 6376 §3.6.1; RFC
// 8463 §4 for the raw Ed25519 key), with extra tags before p=.
func keyRecord(tb testing.TB, signer crypto.Signer, extra string) string {
	tb.Helper()
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			tb.Fatal(err)
		}
		return "v=DKIM1; k=rsa; " + extra + "p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; " + extra + "p=" + base64.StdEncoding.EncodeToString(pub)
	}
	tb.Fatalf("unknown key %T", signer)
	return ""
}

// msgauthSign signs msg with go-msgauth.
func msgauthSign(tb testing.TB, msg, selector string, signer crypto.Signer, hc, bc msgauth.Canonicalization) string {
	tb.Helper()
	var out bytes.Buffer
	err := msgauth.Sign(&out, strings.NewReader(msg), &msgauth.SignOptions{
		Domain: "example.com", Selector: selector, Signer: signer,
		HeaderCanonicalization: hc, BodyCanonicalization: bc,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "From", "Subject"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out.String()
}

// msgauthVerify verifies with go-msgauth through the same DoH client and
// returns pass or fail per signature.
func msgauthVerify(tb testing.TB, r lookup.Resolver, msg string) []result.Word {
	tb.Helper()
	vs, err := msgauth.VerifyWithOptions(strings.NewReader(msg), &msgauth.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) { return r.LookupTXT(tb.Context(), name) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	var out []result.Word
	for _, v := range vs {
		if v.Err == nil {
			out = append(out, result.Pass)
		} else {
			out = append(out, result.Fail)
		}
	}
	return out
}

func resultWords(rs []Result) []result.Word {
	var out []result.Word
	for _, r := range rs {
		out = append(out, r.Result)
	}
	return out
}

// TestAgainstMsgauth signs with go-msgauth (RSA 1024 and 2048, Ed25519;
// simple and relaxed), then verifies in full and headers-only mode, intact
// and tampered, and compares full mode with go-msgauth's Verify.
func TestAgainstMsgauth(t *testing.T) {
	srv, r := newDNS(t)
	keys := testKeys()
	for name, k := range keys {
		addTXT(t, srv, name+"._domainkey.example.com", keyRecord(t, k, ""))
	}
	canons := []struct{ h, b msgauth.Canonicalization }{
		{msgauth.CanonicalizationSimple, msgauth.CanonicalizationSimple},
		{msgauth.CanonicalizationRelaxed, msgauth.CanonicalizationRelaxed},
		{msgauth.CanonicalizationRelaxed, msgauth.CanonicalizationSimple},
		{msgauth.CanonicalizationSimple, msgauth.CanonicalizationRelaxed},
	}
	tampers := []struct {
		name            string
		edit            func(string) string
		wantFull        result.Word
		wantFullBody    string
		wantHeadersOnly result.Word
	}{
		{"intact", func(s string) string { return s }, result.Pass, dkimcore.BodyVerified, result.Pass},
		{"header changed", func(s string) string { return strings.Replace(s, "Lunch", "Dinner", 1) }, result.Fail, dkimcore.BodyVerified, result.Fail},
		{"header added above (over-signed)", func(s string) string { return "Subject: Urgent\r\n" + s }, result.Fail, dkimcore.BodyVerified, result.Fail},
		{"body changed", func(s string) string { return strings.Replace(s, "noon", "one", 1) }, result.Fail, dkimcore.BodyMismatch, result.Pass},
		{"body appended", func(s string) string { return s + "P.S. send money\r\n" }, result.Fail, dkimcore.BodyMismatch, result.Pass},
		{"folding whitespace added", func(s string) string { return strings.Replace(s, "Subject:  Lunch", "Subject:\r\n  Lunch", 1) }, "", dkimcore.BodyVerified, ""},
	}
	for keyName, k := range keys {
		for _, c := range canons {
			signed := msgauthSign(t, plainMessage, keyName, k, c.h, c.b)
			for _, tt := range tampers {
				t.Run(fmt.Sprintf("%s/%s-%s/%s", keyName, c.h, c.b, tt.name), func(t *testing.T) {
					msg := tt.edit(signed)
					wantFull := tt.wantFull
					if wantFull == "" {
						// Relaxed header canonicalization absorbs refolding.
						wantFull = map[bool]result.Word{true: result.Pass, false: result.Fail}[c.h == msgauth.CanonicalizationRelaxed]
					}
					wantHO := tt.wantHeadersOnly
					if wantHO == "" {
						wantHO = wantFull
					}
					full := Verify(t.Context(), r, parseMessage(t, []byte(msg)), Options{})
					if len(full) != 1 {
						t.Fatalf("full: got %d results, want 1", len(full))
					}
					if full[0].Result != wantFull || full[0].Scope != dkimcore.ScopeFull || full[0].BodyHash != tt.wantFullBody {
						t.Errorf("full: got %s/%s/%s (%s), want %s/%s/%s", full[0].Result, full[0].Scope, full[0].BodyHash, full[0].Reason, wantFull, dkimcore.ScopeFull, tt.wantFullBody)
					}
					if got, want := resultWords(full), msgauthVerify(t, r, msg); !slices.Equal(got, want) {
						t.Errorf("full: got %v, go-msgauth says %v", got, want)
					}
					ho := Verify(t.Context(), r, parseMessage(t, headerOnly([]byte(msg))), Options{})
					if len(ho) != 1 {
						t.Fatalf("headers-only: got %d results, want 1", len(ho))
					}
					if ho[0].Result != wantHO || ho[0].Scope != dkimcore.ScopeHeadersOnly || ho[0].BodyHash != dkimcore.BodyNotChecked {
						t.Errorf("headers-only: got %s/%s/%s (%s), want %s/%s/%s", ho[0].Result, ho[0].Scope, ho[0].BodyHash, ho[0].Reason, wantHO, dkimcore.ScopeHeadersOnly, dkimcore.BodyNotChecked)
					}
					wantBits := map[string]int{"rsa1024": 1024, "rsa2048": 2048, "ed25519": 256}[keyName]
					if full[0].KeyBits != wantBits {
						t.Errorf("got keyBits %d, want %d", full[0].KeyBits, wantBits)
					}
				})
			}
		}
	}
}

// TestRFC8463Vectors checks the dkimpy Ed25519 vector: the private seed of
// ed25519test.key signs, and the published key of ed25519test.dns verifies.
func TestRFC8463Vectors(t *testing.T) {
	seed := readB64(t, "dkimpy/ed25519test.key")
	if len(seed) != ed25519.SeedSize {
		t.Fatalf("got a %d-byte seed, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	dnsRec := strings.TrimSpace(string(readFile(t, "dkimpy/ed25519test.dns")))
	srv, r := newDNS(t)
	addTXT(t, srv, "test._domainkey.example.com", dnsRec)
	msg := string(readFile(t, "dkimpy/ed25519test.msg"))
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n")
	for _, c := range []msgauth.Canonicalization{msgauth.CanonicalizationSimple, msgauth.CanonicalizationRelaxed} {
		signed := msgauthSign(t, msg, "test", priv, c, c)
		got := Verify(t.Context(), r, parseMessage(t, []byte(signed)), Options{})
		if len(got) != 1 || got[0].Result != result.Pass || got[0].KeyBits != 256 {
			t.Errorf("%s: got %+v, want pass with a 256-bit key", c, got)
		}
		if w := msgauthVerify(t, r, signed); !slices.Equal(w, []result.Word{result.Pass}) {
			t.Errorf("%s: go-msgauth says %v, want [pass]", c, w)
		}
	}
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(testdataDir + "/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func readB64(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(readFile(tb, name))))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// testSign builds a DKIM-Signature with the given tags (everything but bh=
// and b=), computes bh= and b= with the dkimcore primitives, and returns
// the signed message. It makes signatures that go-msgauth's signer cannot
// (rsa-sha1, no From, odd i=, t=, x=, l=).
func testSign(tb testing.TB, msg string, signer crypto.Signer, tags string) string {
	tb.Helper()
	tl, err := dkimcore.ParseTagList(tags)
	if err != nil {
		tb.Fatal(err)
	}
	a, _ := tl.Get("a")
	alg, err := dkimcore.ParseAlgorithm(a)
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := tl.Get("c")
	hc, bc, err := dkimcore.ParseCanonicalization(c)
	if err != nil {
		tb.Fatal(err)
	}
	m := parseMessage(tb, []byte(msg))
	limit := int64(-1)
	if l, ok := tl.Get("l"); ok {
		fmt.Sscan(l, &limit)
	}
	bh, _, err := dkimcore.BodyHash(m.Body, bc, alg.Hash, limit)
	if err != nil {
		tb.Fatal(err)
	}
	field := "DKIM-Signature: " + tags + "; bh=" + base64.StdEncoding.EncodeToString(bh) + "; b="
	h, _ := tl.Get("h")
	fields := make([]dkimcore.Field, len(m.Fields))
	for i, f := range m.Fields {
		fields[i] = dkimcore.Field{Name: f.Name, Raw: f.Raw}
	}
	digest := alg.HashData(dkimcore.HeaderHashInput(fields, dkimcore.SplitColonList(h), []byte(field+"\r\n"), "b", hc))
	var sig []byte
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, alg.Hash, digest)
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, digest)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return field + base64.StdEncoding.EncodeToString(sig) + "\r\n" + msg
}

func hasFinding(fs []finding.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// TestSignatureChecks covers the rules of RFC 6376 §3.5, §3.6.1, §5.4,
// §6.1 and RFC 8301, one signature per case.
func TestSignatureChecks(t *testing.T) {
	srv, r := newDNS(t)
	keys := testKeys()
	rsaKey, edKey := keys["rsa2048"], keys["ed25519"]
	addTXT(t, srv, "rsa._domainkey.example.com", keyRecord(t, rsaKey, ""))
	addTXT(t, srv, "ed._domainkey.example.com", keyRecord(t, edKey, ""))
	addTXT(t, srv, "strict._domainkey.example.com", keyRecord(t, rsaKey, "t=s; "))
	addTXT(t, srv, "testing._domainkey.example.com", keyRecord(t, rsaKey, "t=y; "))
	addTXT(t, srv, "sha1only._domainkey.example.com", keyRecord(t, rsaKey, "h=sha1; "))
	addTXT(t, srv, "notemail._domainkey.example.com", keyRecord(t, rsaKey, "s=chat; "))
	addTXT(t, srv, "edtype._domainkey.example.com", keyRecord(t, edKey, ""))
	addTXT(t, srv, "revoked._domainkey.example.com", "v=DKIM1; k=rsa; p=")
	addTXT(t, srv, "two._domainkey.example.com", keyRecord(t, edKey, ""))
	addTXT(t, srv, "two._domainkey.example.com", keyRecord(t, rsaKey, ""))
	srv.Fail("servfail._domainkey.example.com.", dohtest.FailServfail)

	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	ts := now.Add(-time.Hour).Unix()
	base := "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; h=from:to:subject:date:message-id"
	tests := []struct {
		name        string
		signer      crypto.Signer
		tags        string
		noResolver  bool
		want        result.Word
		wantKind    dkimcore.Kind
		wantFinding string
		check       func(Result) error
	}{
		{name: "valid", signer: rsaKey, tags: base + "; s=rsa", want: result.Pass},
		{name: "ed25519", signer: edKey, tags: "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; h=from; s=ed", want: result.Pass},
		{name: "From not signed", signer: rsaKey, tags: "v=1; a=rsa-sha256; d=example.com; h=to:subject; s=rsa", want: result.PermError, wantKind: dkimcore.KindPermError},
		{name: "i= in subdomain", signer: rsaKey, tags: base + "; s=rsa; i=alice@mail.example.com", want: result.Pass,
			check: func(r Result) error { return expect(r.Identity, "alice@mail.example.com") }},
		{name: "i= outside d=", signer: rsaKey, tags: base + "; s=rsa; i=alice@example.org", want: result.PermError},
		{name: "i= suffix but not subdomain", signer: rsaKey, tags: base + "; s=rsa; i=alice@badexample.com", want: result.PermError},
		{name: "expired", signer: rsaKey, tags: base + fmt.Sprintf("; s=rsa; t=%d; x=%d", ts-100, ts), want: result.PermError, wantFinding: "dkim-expired"},
		{name: "not yet expired", signer: rsaKey, tags: base + fmt.Sprintf("; s=rsa; t=%d; x=%d", ts, now.Add(time.Hour).Unix()), want: result.Pass,
			check: func(r Result) error {
				if r.Timestamp == nil || *r.Timestamp != ts {
					return fmt.Errorf("got timestamp %v, want %d", r.Timestamp, ts)
				}
				return nil
			}},
		{name: "timestamp in the future", signer: rsaKey, tags: base + fmt.Sprintf("; s=rsa; t=%d", now.Add(time.Hour).Unix()), want: result.PermError, wantFinding: "dkim-future-timestamp"},
		{name: "timestamp within clock skew", signer: rsaKey, tags: base + fmt.Sprintf("; s=rsa; t=%d", now.Add(time.Minute).Unix()), want: result.Pass},
		{name: "x before t", signer: rsaKey, tags: base + fmt.Sprintf("; s=rsa; t=%d; x=%d", ts, ts-1), want: result.PermError},
		{name: "body length limit", signer: rsaKey, tags: base + "; s=rsa; l=10", want: result.Pass, wantFinding: "dkim-body-length-limit",
			check: func(r Result) error {
				if r.BodyLength == nil || *r.BodyLength != 10 {
					return fmt.Errorf("got bodyLength %v, want 10", r.BodyLength)
				}
				return nil
			}},
		{name: "strict key, i= subdomain", signer: rsaKey, tags: base + "; s=strict; i=@mail.example.com", want: result.PermError},
		{name: "strict key, i= equal", signer: rsaKey, tags: base + "; s=strict; i=bob@example.com", want: result.Pass},
		{name: "testing key", signer: rsaKey, tags: base + "; s=testing", want: result.Pass, wantFinding: "dkim-testing",
			check: func(r Result) error { return expect(r.Testing, true) }},
		{name: "key h= refuses sha256", signer: rsaKey, tags: base + "; s=sha1only", want: result.PermError},
		{name: "key not for email", signer: rsaKey, tags: base + "; s=notemail", want: result.PermError},
		{name: "key type mismatch", signer: rsaKey, tags: base + "; s=edtype", want: result.PermError},
		{name: "revoked key", signer: rsaKey, tags: base + "; s=revoked", want: result.PermError},
		{name: "no key", signer: rsaKey, tags: base + "; s=absent", want: result.PermError, wantKind: dkimcore.KindPermError},
		{name: "DNS failure", signer: rsaKey, tags: base + "; s=servfail", want: result.TempError, wantKind: dkimcore.KindTempError},
		{name: "offline", signer: rsaKey, tags: base + "; s=rsa", noResolver: true, want: result.TempError, wantKind: dkimcore.KindTempError},
		{name: "two key records, second fits", signer: rsaKey, tags: base + "; s=two", want: result.Pass, wantFinding: "dkim-multiple-key-records"},
		{name: "rsa-sha1", signer: rsaKey, tags: "v=1; a=rsa-sha1; d=example.com; h=from:subject; s=rsa", want: result.Policy, wantFinding: "dkim-weak-algorithm",
			check: func(r Result) error {
				if !r.CryptoVerified || r.Downgrade != DowngradeSHA1 {
					return fmt.Errorf("got cryptoVerified %v downgrade %q, want true %q", r.CryptoVerified, r.Downgrade, DowngradeSHA1)
				}
				return nil
			}},
		{name: "draft without v=", signer: rsaKey, tags: "a=rsa-sha256; d=example.com; h=from; s=rsa", want: result.PermError,
			check: func(r Result) error { return expect(r.Downgrade, DowngradeDraft) }},
		{name: "unknown version", signer: rsaKey, tags: "v=2; a=rsa-sha256; d=example.com; h=from; s=rsa", want: result.PermError},
		{name: "unknown algorithm", signer: rsaKey, tags: "v=1; a=rsa-sha256; d=example.com; h=from; s=rsa; q=http", want: result.PermError},
		{name: "wrong key for signature", signer: keys["rsa1024"], tags: base + "; s=rsa", want: result.Fail, wantKind: dkimcore.KindFail,
			check: func(r Result) error { return expect(r.CryptoVerified, false) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testSign(t, plainMessage, tt.signer, tt.tags)
			var res lookup.Resolver = r
			if tt.noResolver {
				res = nil
			}
			got := Verify(t.Context(), res, parseMessage(t, []byte(msg)), Options{Now: now})
			if len(got) != 1 {
				t.Fatalf("got %d results, want 1", len(got))
			}
			g := got[0]
			if g.Result != tt.want {
				t.Errorf("got %s (%s), want %s", g.Result, g.Reason, tt.want)
			}
			if g.Reason == "" {
				t.Errorf("got an empty reason")
			}
			if tt.wantKind != dkimcore.KindNone && dkimcore.KindOf(g.Err) != tt.wantKind {
				t.Errorf("got error kind %v (%v), want %v", dkimcore.KindOf(g.Err), g.Err, tt.wantKind)
			}
			if g.Result == result.Pass && g.Err != nil {
				t.Errorf("got error %v with pass, want nil", g.Err)
			}
			if tt.wantFinding != "" && !hasFinding(g.Findings, tt.wantFinding) {
				t.Errorf("got findings %+v, want one with code %s", g.Findings, tt.wantFinding)
			}
			if tt.check != nil {
				if err := tt.check(g); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func expect[T comparable](got, want T) error {
	if got != want {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

// TestBodyLengthAppended: text appended after the l= count still passes,
// and the finding says how much is unsigned.
func TestBodyLengthAppended(t *testing.T) {
	srv, r := newDNS(t)
	k := testKeys()["rsa2048"]
	addTXT(t, srv, "rsa._domainkey.example.com", keyRecord(t, k, ""))
	signed := testSign(t, plainMessage, k, "v=1; a=rsa-sha256; c=simple/simple; d=example.com; h=from:subject; s=rsa; l=9")
	got := Verify(t.Context(), r, parseMessage(t, []byte(signed+"Appended by someone else\r\n")), Options{})
	if len(got) != 1 || got[0].Result != result.Pass || got[0].BodyHash != dkimcore.BodyVerified {
		t.Fatalf("got %+v, want pass with the body verified", got)
	}
	var msg string
	for _, f := range got[0].Findings {
		if f.Code == "dkim-body-length-limit" {
			msg = f.Message
		}
	}
	if !strings.Contains(msg, "covers only the first 9 of") {
		t.Errorf("got finding %q, want it to say how much is covered", msg)
	}
	// A body shorter than l= fails.
	short := testSign(t, plainMessage, k, "v=1; a=rsa-sha256; c=simple/simple; d=example.com; h=from:subject; s=rsa; l=9")
	short = strings.Replace(short, "Hi Bob,\r\n\r\nShall we  meet at noon?  \r\n", "Hi\r\n", 1)
	got = Verify(t.Context(), r, parseMessage(t, []byte(short)), Options{})
	if len(got) != 1 || got[0].Result != result.Fail || got[0].BodyHash != dkimcore.BodyMismatch {
		t.Errorf("got %+v, want fail with a body mismatch", got)
	}
}

func TestUnprotected(t *testing.T) {
	srv, r := newDNS(t)
	k := testKeys()["ed25519"]
	addTXT(t, srv, "ed._domainkey.example.com", keyRecord(t, k, ""))
	tests := []struct {
		name        string
		h           string
		want        []string
		wantFinding []string
	}{
		{"over-signed", "from:from:to:to:subject:subject:date:date:message-id:message-id:cc:reply-to:sender:in-reply-to:references:content-type:content-transfer-encoding:mime-version:list-unsubscribe:list-unsubscribe-post:list-id",
			[]string{}, nil},
		{"signed once", "from:to:subject",
			[]string{"Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "In-Reply-To", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID", "MIME-Version", "References", "Reply-To", "Sender", "Subject", "To"},
			[]string{"dkim-from-not-oversigned", "dkim-important-header-unsigned", "dkim-unprotected-headers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testSign(t, plainMessage, k, "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=ed; h="+tt.h)
			got := Verify(t.Context(), r, parseMessage(t, []byte(msg)), Options{})
			if len(got) != 1 || got[0].Result != result.Pass {
				t.Fatalf("got %+v, want pass", got)
			}
			if !slices.Equal(got[0].Unprotected, tt.want) {
				t.Errorf("got unprotected %q, want %q", got[0].Unprotected, tt.want)
			}
			var codes []string
			for _, f := range got[0].Findings {
				codes = append(codes, f.Code)
			}
			for _, c := range tt.wantFinding {
				if !slices.Contains(codes, c) {
					t.Errorf("got findings %v, want %s", codes, c)
				}
			}
			if len(tt.wantFinding) == 0 && len(codes) != 0 {
				t.Errorf("got findings %v, want none", codes)
			}
		})
	}
}

// TestConcurrentLookups: two signatures with different keys are fetched
// in parallel (the fixture delays every answer), and a key shared by two
// signatures is fetched once.
func TestConcurrentLookups(t *testing.T) {
	srv, r := newDNS(t)
	keys := testKeys()
	addTXT(t, srv, "a._domainkey.example.com", keyRecord(t, keys["rsa2048"], ""))
	addTXT(t, srv, "b._domainkey.example.com", keyRecord(t, keys["ed25519"], ""))
	msg := testSign(t, plainMessage, keys["rsa2048"], "v=1; a=rsa-sha256; d=example.com; h=from; s=a")
	msg = testSign(t, msg, keys["ed25519"], "v=1; a=ed25519-sha256; d=example.com; h=from; s=b")
	msg = testSign(t, msg, keys["ed25519"], "v=1; a=ed25519-sha256; c=relaxed; d=example.com; h=from:to; s=b")
	const delay = 500 * time.Millisecond
	srv.SetLatency(delay)
	start := time.Now()
	got := Verify(t.Context(), r, parseMessage(t, []byte(msg)), Options{})
	elapsed := time.Since(start)
	if w := resultWords(got); !slices.Equal(w, []result.Word{result.Pass, result.Pass, result.Pass}) {
		t.Fatalf("got %v, want three passes", w)
	}
	if elapsed >= 2*delay {
		t.Errorf("got %v for two lookups of %v each, want them concurrent (< %v)", elapsed, delay, 2*delay)
	}
	if n := srv.CountName("b._domainkey.example.com.", 16); n != 1 {
		t.Errorf("got %d queries for the shared key, want 1", n)
	}
}

func TestMaxSignatures(t *testing.T) {
	srv, r := newDNS(t)
	k := testKeys()["ed25519"]
	addTXT(t, srv, "ed._domainkey.example.com", keyRecord(t, k, ""))
	msg := plainMessage
	for range 3 {
		msg = testSign(t, msg, k, "v=1; a=ed25519-sha256; d=example.com; h=from; s=ed")
	}
	got := Verify(t.Context(), r, parseMessage(t, []byte(msg)), Options{MaxSignatures: 2})
	if w := resultWords(got); !slices.Equal(w, []result.Word{result.Pass, result.Pass, result.Neutral}) {
		t.Errorf("got %v, want [pass pass neutral]", w)
	}
}

// TestResultJSON pins the field names of the report contract.
func TestResultJSON(t *testing.T) {
	srv, r := newDNS(t)
	k := testKeys()["rsa2048"]
	addTXT(t, srv, "rsa._domainkey.example.com", keyRecord(t, k, ""))
	msg := testSign(t, plainMessage, k, "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; h=from:subject; s=rsa; t=1764000000")
	got := Verify(t.Context(), r, parseMessage(t, headerOnly([]byte(msg))), Options{})
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"domain": "example.com", "selector": "rsa", "algorithm": "rsa-sha256",
		"result": "pass", "scope": "headers-only", "bodyHash": "not-checked",
		"keyBits": float64(2048), "identity": "@example.com",
		"canonicalization": "relaxed/simple", "timestamp": float64(1764000000),
		"testing": false, "cryptoVerified": true,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("JSON %s: got %v, want %v", k, m[k], v)
		}
	}
	for _, k := range []string{"reason", "signedHeaders", "unprotected", "findings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON: got no %s field, want one", k)
		}
	}
	if reason, _ := m["reason"].(string); !strings.Contains(reason, "body was not checked") {
		t.Errorf("got reason %q, want it to say the body was not checked", reason)
	}
}

func TestMalformedSignatures(t *testing.T) {
	_, r := newDNS(t)
	tests := []struct {
		name, field string
	}{
		{"duplicate tag", "DKIM-Signature: v=1; a=rsa-sha256; a=rsa-sha256; d=example.com; s=x; h=from; bh=AAAA; b=AAAA"},
		{"missing b", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=AAAA"},
		{"bad base64", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=AAAA; b=!!"},
		{"bad domain", "DKIM-Signature: v=1; a=rsa-sha256; d=exa mple..com; s=x; h=from; bh=AAAA; b=AAAA"},
		{"bad canonicalization", "DKIM-Signature: v=1; a=rsa-sha256; c=future; d=example.com; s=x; h=from; bh=AAAA; b=AAAA"},
		{"bad l=", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; l=-1; bh=AAAA; b=AAAA"},
		{"empty h entry", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from::to; bh=AAAA; b=AAAA"},
		{"bad i= escape", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; i==ZZ@example.com; bh=AAAA; b=AAAA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Verify(t.Context(), r, parseMessage(t, []byte(tt.field+"\r\n"+plainMessage)), Options{})
			if len(got) != 1 || got[0].Result != result.PermError || dkimcore.KindOf(got[0].Err) != dkimcore.KindPermError {
				t.Errorf("got %+v, want one permerror", got)
			}
		})
	}
}

func TestNoSignature(t *testing.T) {
	got := Verify(t.Context(), nil, parseMessage(t, []byte(plainMessage)), Options{})
	if got != nil {
		t.Errorf("got %v, want nil", got)
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=from:to; i=a=40b@example.com; l=10; t=1; x=2; bh=AAAA; b=AAAA\r\n"))
	f.Add([]byte("DKIM-Signature: a=rsa-sha1; d=x; s=y; h=from; bh=AA==;\r\n b=AA==\r\n"))
	f.Add([]byte("DKIM-Signature: v=1; a=ed25519-sha256; q=dns/txt; z=From:a|To:b; d=x.y; s=s; h=From; bh=; b="))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseSignature(raw)
		if err != nil {
			if dkimcore.KindOf(err) != dkimcore.KindPermError {
				t.Fatalf("error of kind %v", dkimcore.KindOf(err))
			}
			return
		}
		if s.Domain == "" || s.Selector == "" || len(s.Headers) == 0 || len(s.SignatureData) == 0 {
			t.Fatalf("accepted a signature without d, s, h or b: %+v", s)
		}
		at := strings.LastIndexByte(s.Identity, '@')
		if at < 0 {
			t.Fatalf("identity %q has no @", s.Identity)
		}
		// Emptying b= (RFC 6376 §3.7) must leave a tag list whose b= is
		// empty and whose other tags are unchanged.
		_, v, _ := bytes.Cut(dkimcore.StripTagValue(raw, "b"), []byte(":"))
		tl, err := dkimcore.ParseTagList(string(v))
		if err != nil {
			t.Fatalf("stripped field does not parse: %v", err)
		}
		if b, ok := tl.Get("b"); !ok || b != "" {
			t.Fatalf("stripped b= is %q, %v; want empty", b, ok)
		}
		if bh, _ := tl.Get("bh"); bh != func() string { v, _ := s.Tags.Get("bh"); return v }() {
			t.Fatalf("bh= changed to %q", bh)
		}
	})
}

// BenchmarkVerifyHeadersOnly verifies two signatures (RSA 2048 and
// Ed25519) of a header block, with the keys answered from the resolver's
// cache after the first round.
func BenchmarkVerifyHeadersOnly(b *testing.B) {
	srv, r := newDNS(b)
	keys := testKeys()
	addTXT(b, srv, "rsa._domainkey.example.com", keyRecord(b, keys["rsa2048"], ""))
	addTXT(b, srv, "ed._domainkey.example.com", keyRecord(b, keys["ed25519"], ""))
	msg := msgauthSign(b, plainMessage, "rsa", keys["rsa2048"], msgauth.CanonicalizationRelaxed, msgauth.CanonicalizationRelaxed)
	msg = msgauthSign(b, msg, "ed", keys["ed25519"], msgauth.CanonicalizationRelaxed, msgauth.CanonicalizationRelaxed)
	m := parseMessage(b, headerOnly([]byte(msg)))
	b.ReportAllocs()
	for b.Loop() {
		got := Verify(b.Context(), r, m, Options{})
		if len(got) != 2 || got[0].Result != result.Pass || got[1].Result != result.Pass {
			b.Fatalf("got %v, want two passes", resultWords(got))
		}
	}
}

// TestHostileInput: huge h= lists, thousands of fields and many
// signatures finish quickly and do not panic.
func TestHostileInput(t *testing.T) {
	_, r := newDNS(t)
	var b strings.Builder
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; bh=AAAA; b=AAAA; h=")
	b.WriteString(strings.Repeat("from:received:", 4000))
	b.WriteString("from\r\n")
	for range 5000 {
		b.WriteString("Received: from x by y\r\n")
	}
	for range 40 {
		b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=AAAA; b=AAAA\r\n")
	}
	b.WriteString(plainMessage)
	start := time.Now()
	got := Verify(t.Context(), r, parseMessage(t, []byte(b.String())), Options{})
	if len(got) != 41 {
		t.Errorf("got %d results, want 41", len(got))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("got %v, want well under 10s", d)
	}
	if Verify(t.Context(), r, nil, Options{}) != nil {
		t.Errorf("got results for a nil message, want nil")
	}
}

// TestRepairedInput: when message.Parse had to repair the paste, a failure
// carries a finding that says the repair may be the cause.
func TestRepairedInput(t *testing.T) {
	srv, r := newDNS(t)
	k := testKeys()["ed25519"]
	addTXT(t, srv, "ed._domainkey.example.com", keyRecord(t, k, ""))
	folded := strings.Replace(plainMessage, "Subject:  Lunch   tomorrow? \r\n", "Subject: Lunch\r\n\ttomorrow?\r\n", 1)
	signed := testSign(t, folded, k, "v=1; a=ed25519-sha256; c=simple/simple; d=example.com; h=from:subject; s=ed")
	tests := []struct {
		name        string
		msg         string
		want        result.Word
		wantFinding bool
	}{
		{"intact", signed, result.Pass, false},
		{"folding white space lost", strings.Replace(signed, "\r\n\ttomorrow?", "\r\ntomorrow?", 1), result.Fail, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseMessage(t, []byte(tt.msg))
			got := Verify(t.Context(), r, m, Options{})
			if len(got) != 1 || got[0].Result != tt.want {
				t.Fatalf("got %v (notes %q), want %s", resultWords(got), m.Notes, tt.want)
			}
			if hasFinding(got[0].Findings, "dkim-input-repaired") != tt.wantFinding {
				t.Errorf("got findings %+v, want dkim-input-repaired %v", got[0].Findings, tt.wantFinding)
			}
		})
	}
}
