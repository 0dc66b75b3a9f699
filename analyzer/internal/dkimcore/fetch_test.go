package dkimcore

import (
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/message"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

const rfc8463Message = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n" +
	" d=football.example.com; i=@football.example.com;\r\n" +
	" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n" +
	" subject : date : message-id : from : subject : date;\r\n" +
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" +
	" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n" +
	" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n" +
	"From: Joe SixPack <joe@football.example.com>\r\n" +
	"To: Suzie Q <suzie@shopping.example.net>\r\n" +
	"Subject: Is dinner ready?\r\n" +
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" +
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n" +
	"\r\n" +
	"Hi.\r\n" +
	"\r\n" +
	"We lost the game.  Are you hungry yet?\r\n" +
	"\r\n" +
	"Joe.\r\n"

// TestRFC8463Example verifies the signed example of RFC 8463 Appendix A.3
// with the primitives alone: body hash, header hash input with b= emptied,
// and the Ed25519 check over the SHA-256 digest.
func TestRFC8463Example(t *testing.T) {
	m, err := message.Parse([]byte(rfc8463Message))
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseKey("v=DKIM1; k=ed25519; p=" + ed25519Key)
	if err != nil {
		t.Fatal(err)
	}
	alg, _ := ParseAlgorithm("ed25519-sha256")
	sum, _, err := BodyHash(m.Body, Relaxed, alg.Hash, -1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base64.StdEncoding.EncodeToString(sum), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="; got != want {
		t.Errorf("body hash: got %s, want %s", got, want)
	}
	fields := make([]Field, len(m.Fields))
	for i, f := range m.Fields {
		fields[i] = Field{Name: f.Name, Raw: f.Raw}
	}
	sigField := fields[0].Raw
	names := SplitColonList("from : to : subject : date : message-id : from : subject : date")
	sig, _ := base64.StdEncoding.DecodeString("/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
	tests := []struct {
		name     string
		fields   []Field
		wantKind Kind
	}{
		{"intact", fields, KindNone},
		{"subject changed", append(append([]Field{}, fields[:3]...), append([]Field{{Name: "Subject", Raw: []byte("Subject: Is lunch ready?\r\n")}}, fields[4:]...)...), KindFail},
	}
	for _, tt := range tests {
		data := HeaderHashInput(tt.fields, names, sigField, "b", Relaxed)
		if got := KindOf(VerifyHash(key, alg, alg.HashData(data), sig)); got != tt.wantKind {
			t.Errorf("%s: got kind %v, want %v", tt.name, got, tt.wantKind)
		}
	}
	rsaAlg, _ := ParseAlgorithm("rsa-sha256")
	if got := KindOf(VerifyHash(key, rsaAlg, rsaAlg.HashData(nil), sig)); got != KindPermError {
		t.Errorf("ed25519 key with rsa-sha256: got kind %v, want permerror", got)
	}
}

func TestFetchKey(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("the dohtest server is reached through the default (fetch) transport, which cannot reach it under Node (see WASM_TEST_PKGS in the Makefile)")
	}
	srv := dohtest.NewServer(t)
	srv.AddRR(". 300 IN SOA ns.invalid. hostmaster.invalid. 1 7200 3600 86400 300")
	srv.AddRR(`sel._domainkey.example.com. 300 IN TXT "v=DKIM1; k=ed25519; p=` + ed25519Key + `"`)
	srv.AddRR(`revoked._domainkey.example.com. 300 IN TXT "v=DKIM1; p="`)
	srv.AddRR(`bad._domainkey.example.com. 300 IN TXT "v=DKIM1; k=rsa; t; p=x"`)
	srv.AddRR(`two._domainkey.example.com. 300 IN TXT "garbage"`)
	srv.AddRR(`two._domainkey.example.com. 300 IN TXT "k=ed25519; p=` + ed25519Key + `"`)
	srv.AddRR(`nodata._domainkey.example.com. 300 IN A 192.0.2.1`)
	// A record split into character-strings is joined (RFC 6376 §3.6.2.2).
	split := "v=DKIM1; k=rsa; p=" + rsa512
	srv.AddRR(`split._domainkey.example.com. 300 IN TXT "` + split[:40] + `" "` + split[40:] + `"`)
	srv.Fail("servfail._domainkey.example.com.", dohtest.FailServfail)
	srv.Fail("timeout._domainkey.example.com.", dohtest.FailTimeout)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		selector  string
		wantKind  Kind
		wantKeys  int
		wantRecs  int
		wantBits  int
		wantInMsg string
	}{
		{"sel", KindNone, 1, 1, 256, ""},
		{"split", KindNone, 1, 1, 512, ""},
		{"two", KindNone, 1, 2, 256, ""},
		{"revoked", KindPermError, 1, 1, 0, "revoked"},
		{"bad", KindPermError, 0, 1, 0, "syntax"},
		{"absent", KindPermError, 0, 0, 0, "no key"},
		{"nodata", KindPermError, 0, 0, 0, "no key"},
		{"servfail", KindTempError, 0, 0, 0, "temporarily"},
		{"timeout", KindTempError, 0, 0, 0, ""},
		{"bad selector!", KindPermError, 0, 0, 0, "not a valid DNS name"},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			keys, recs, err := FetchKey(t.Context(), r, tt.selector, "example.com")
			if got := KindOf(err); got != tt.wantKind {
				t.Fatalf("got kind %v (%v), want %v", got, err, tt.wantKind)
			}
			if len(keys) != tt.wantKeys || len(recs) != tt.wantRecs {
				t.Errorf("got %d keys and %d records, want %d and %d", len(keys), len(recs), tt.wantKeys, tt.wantRecs)
			}
			if tt.wantBits != 0 && (len(keys) == 0 || keys[0].Bits != tt.wantBits) {
				t.Errorf("got keys %+v, want a %d-bit key", keys, tt.wantBits)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("got error %q, want it to mention %q", err, tt.wantInMsg)
			}
		})
	}
}

// TestRFC8463Signing: RFC 8463 signs its example with the RFC 8032 §7.1
// TEST 1 key (dkimpy's rfc8032_7_1.key). Ed25519 is deterministic, so
// signing our header hash input must give the b= of the RFC byte for byte.
func TestRFC8463Signing(t *testing.T) {
	b, err := os.ReadFile("../../../testdata/dkim/dkimpy/rfc8032_7_1.key")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("got seed %x, %v; want %d bytes", seed, err, ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if got := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)); got != ed25519Key {
		t.Fatalf("public key: got %s, want %s", got, ed25519Key)
	}
	m, err := message.Parse([]byte(rfc8463Message))
	if err != nil {
		t.Fatal(err)
	}
	fields := make([]Field, len(m.Fields))
	for i, f := range m.Fields {
		fields[i] = Field{Name: f.Name, Raw: f.Raw}
	}
	names := SplitColonList("from : to : subject : date : message-id : from : subject : date")
	alg, _ := ParseAlgorithm("ed25519-sha256")
	sig := ed25519.Sign(priv, alg.HashData(HeaderHashInput(fields, names, fields[0].Raw, "b", Relaxed)))
	want := "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
	if got := base64.StdEncoding.EncodeToString(sig); got != want {
		t.Errorf("got b=%s, want %s", got, want)
	}
}
