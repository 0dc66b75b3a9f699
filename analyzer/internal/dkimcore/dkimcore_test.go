package dkimcore

import (
	"crypto"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func TestParseTagList(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    TagList
		wantErr bool
	}{
		{"empty", "", nil, false},
		{"spaces", "  \t ", nil, false},
		{"one", "v=1", TagList{{"v", "1"}}, false},
		{"trailing semicolon", "v=1;", TagList{{"v", "1"}}, false},
		{"trailing semicolon and space", "v=1; ", TagList{{"v", "1"}}, false},
		{"whitespace around", " a = b ; c=d", TagList{{"a", "b"}, {"c", "d"}}, false},
		{"inner whitespace kept", "n=two words", TagList{{"n", "two words"}}, false},
		{"folded value", "b=abc\r\n def;", TagList{{"b", "abc\r\n def"}}, false},
		{"folded between tags", "a=1;\r\n\tb=2", TagList{{"a", "1"}, {"b", "2"}}, false},
		{"empty value", "p=", TagList{{"p", ""}}, false},
		{"case-sensitive names", "a=1; A=2", TagList{{"a", "1"}, {"A", "2"}}, false},
		{"name with digit and underscore", "x1_y=z", TagList{{"x1_y", "z"}}, false},
		{"value with equals", "i==6Along@x", TagList{{"i", "=6Along@x"}}, false},
		{"final CRLF", "a=1\r\n", TagList{{"a", "1"}}, false},
		{"duplicate", "a=1; a=2", nil, true},
		{"empty tag-spec", "a=1;;b=2", nil, true},
		{"no equals", "k=rsa; t; p=x", nil, true},
		{"name starts with digit", "1a=b", nil, true},
		{"bare LF", "a=1\nb=2", nil, true},
		{"bare CR", "a=1\rb", nil, true},
		{"control byte", "a=1\x01", nil, true},
		{"8-bit byte", "a=\xc3\xa9", nil, true},
		{"only semicolon", ";", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTagList(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseTagList(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				if KindOf(err) != KindPermError {
					t.Errorf("ParseTagList(%q) kind = %v, want permerror", tt.in, KindOf(err))
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTagList(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTagListTooLong(t *testing.T) {
	_, err := ParseTagList("a=" + strings.Repeat("x", MaxTagListLen))
	if KindOf(err) != KindPermError {
		t.Errorf("got %v, want a permerror", err)
	}
}

// RFC 6376 §3.4.6 gives this example.
func TestCanonicalizeHeaderRFCExample(t *testing.T) {
	fields := []string{"A: X\r\n", "B : Y\t\r\n\tZ  \r\n"}
	tests := []struct {
		c    Canonicalization
		want string
	}{
		{Simple, "A: X\r\nB : Y\t\r\n\tZ  \r\n"},
		{Relaxed, "a:X\r\nb:Y Z\r\n"},
	}
	for _, tt := range tests {
		var got string
		for _, f := range fields {
			got += string(CanonicalizeHeader([]byte(f), tt.c))
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCanonicalizeHeader(t *testing.T) {
	tests := []struct {
		in   string
		c    Canonicalization
		want string
	}{
		{"Subject:  Hello   World \r\n", Relaxed, "subject:Hello World\r\n"},
		{"Subject:\r\n", Relaxed, "subject:\r\n"},
		{"Subject: x", Simple, "Subject: x\r\n"},
		{"X-Long: a\r\n  b\r\n\tc\r\n", Relaxed, "x-long:a b c\r\n"},
		{"NoColon\r\n", Relaxed, "nocolon:\r\n"},
	}
	for _, tt := range tests {
		if got := string(CanonicalizeHeader([]byte(tt.in), tt.c)); got != tt.want {
			t.Errorf("CanonicalizeHeader(%q, %s) = %q, want %q", tt.in, tt.c, got, tt.want)
		}
	}
}

func TestCanonicalizeBody(t *testing.T) {
	tests := []struct {
		in   string
		c    Canonicalization
		want string
	}{
		// RFC 6376 §3.4.6.
		{" C \r\nD \t E\r\n\r\n\r\n", Simple, " C \r\nD \t E\r\n"},
		{" C \r\nD \t E\r\n\r\n\r\n", Relaxed, " C\r\nD E\r\n"},
		// Empty bodies: RFC 6376 §3.4.3 and §3.4.4.
		{"", Simple, "\r\n"},
		{"", Relaxed, ""},
		{"\r\n\r\n", Simple, "\r\n"},
		{"\r\n\r\n", Relaxed, ""},
		{" \t\r\n", Relaxed, ""},
		{" \t\r\n", Simple, " \t\r\n"},
		// A missing final CRLF is added.
		{"abc", Simple, "abc\r\n"},
		{"abc  ", Relaxed, "abc\r\n"},
		{"a\r\n\r\nb\r\n", Relaxed, "a\r\n\r\nb\r\n"},
	}
	for _, tt := range tests {
		if got := string(CanonicalizeBody([]byte(tt.in), tt.c)); got != tt.want {
			t.Errorf("CanonicalizeBody(%q, %s) = %q, want %q", tt.in, tt.c, got, tt.want)
		}
	}
}

// The empty-body hashes of RFC 4871 errata 1376 and 1377.
func TestBodyHashEmpty(t *testing.T) {
	tests := []struct {
		c    Canonicalization
		h    crypto.Hash
		want string
	}{
		{Simple, crypto.SHA1, "uoq1oCgLlTqpdDX/iUbLy7J1Wic="},
		{Simple, crypto.SHA256, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY="},
		{Relaxed, crypto.SHA1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
		{Relaxed, crypto.SHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
	}
	for _, tt := range tests {
		sum, _, err := BodyHash(nil, tt.c, tt.h, -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(sum); got != tt.want {
			t.Errorf("%s %v: got %s, want %s", tt.c, tt.h, got, tt.want)
		}
	}
}

func TestBodyHashLength(t *testing.T) {
	body := []byte("Hello\r\nWorld\r\n")
	full, n, err := BodyHash([]byte("Hello\r\n"), Simple, crypto.SHA256, -1)
	if err != nil || n != 7 {
		t.Fatalf("got %d, %v; want 7, nil", n, err)
	}
	tests := []struct {
		limit    int64
		wantKind Kind
		wantSame bool
	}{
		{7, KindNone, true},
		{14, KindNone, false},
		{0, KindNone, false},
		{15, KindFail, false},
	}
	for _, tt := range tests {
		sum, canonLen, err := BodyHash(body, Simple, crypto.SHA256, tt.limit)
		if KindOf(err) != tt.wantKind {
			t.Errorf("l=%d: got kind %v, want %v", tt.limit, KindOf(err), tt.wantKind)
		}
		if canonLen != 14 {
			t.Errorf("l=%d: got canonical length %d, want 14", tt.limit, canonLen)
		}
		if got := string(sum) == string(full); got != tt.wantSame {
			t.Errorf("l=%d: got same-as-first-line %v, want %v", tt.limit, got, tt.wantSame)
		}
	}
}

func TestParseCanonicalization(t *testing.T) {
	tests := []struct {
		in         string
		wantH      Canonicalization
		wantB      Canonicalization
		wantErrors bool
	}{
		{"", Simple, Simple, false},
		{"relaxed", Relaxed, Simple, false},
		{"relaxed/relaxed", Relaxed, Relaxed, false},
		{"simple/relaxed", Simple, Relaxed, false},
		{"Relaxed/Simple", Relaxed, Simple, false},
		{"future", "", "", true},
		{"relaxed/future", "", "", true},
	}
	for _, tt := range tests {
		h, b, err := ParseCanonicalization(tt.in)
		if (err != nil) != tt.wantErrors || h != tt.wantH || b != tt.wantB {
			t.Errorf("ParseCanonicalization(%q) = %s, %s, %v; want %s, %s, error %v", tt.in, h, b, err, tt.wantH, tt.wantB, tt.wantErrors)
		}
	}
}

func TestSelectHeaders(t *testing.T) {
	fields := []Field{
		{Name: "Received", Raw: []byte("Received: top\r\n")},
		{Name: "From", Raw: []byte("From: a\r\n")},
		{Name: "Received", Raw: []byte("Received: bottom\r\n")},
		{Name: "subject", Raw: []byte("subject: s\r\n")},
	}
	tests := []struct {
		names []string
		want  []int
	}{
		{[]string{"From"}, []int{1}},
		{[]string{"received", "Received"}, []int{2, 0}},
		// Over-signing: the third Received and the second From select nothing.
		{[]string{"Received", "Received", "Received", "From", "From"}, []int{2, 0, -1, 1, -1}},
		{[]string{"Subject", "To"}, []int{3, -1}},
		{nil, []int{}},
	}
	for _, tt := range tests {
		got := SelectHeaders(fields, tt.names)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SelectHeaders(%v) = %v, want %v", tt.names, got, tt.want)
		}
	}
}

func TestStripTagValue(t *testing.T) {
	tests := []struct {
		in, tag, want string
	}{
		{"DKIM-Signature: v=1; bh=abc; b=xyz\r\n", "b", "DKIM-Signature: v=1; bh=abc; b=\r\n"},
		{"DKIM-Signature: v=1; b= x\r\n yz ; bh=abc\r\n", "b", "DKIM-Signature: v=1; b=; bh=abc\r\n"},
		{"DKIM-Signature: b=xyz; bh=abc\r\n", "b", "DKIM-Signature: b=; bh=abc\r\n"},
		{"DKIM-Signature: bh=abc; d=b.example\r\n", "b", "DKIM-Signature: bh=abc; d=b.example\r\n"},
		{"DKIM-Signature: v=1;\r\n b\r\n =xyz\r\n", "b", "DKIM-Signature: v=1;\r\n b\r\n =\r\n"},
		{"ARC-Seal: i=1; b=sig; cv=none\r\n", "b", "ARC-Seal: i=1; b=; cv=none\r\n"},
		{"no colon", "b", "no colon"},
	}
	for _, tt := range tests {
		if got := string(StripTagValue([]byte(tt.in), tt.tag)); got != tt.want {
			t.Errorf("StripTagValue(%q, %q) = %q, want %q", tt.in, tt.tag, got, tt.want)
		}
	}
}

func TestHeaderHashInput(t *testing.T) {
	fields := []Field{
		{Name: "From", Raw: []byte("From: A <a@example.com>\r\n")},
		{Name: "Subject", Raw: []byte("Subject:  Hi \r\n")},
	}
	sig := []byte("DKIM-Signature: v=1; h=from:subject:to; b=SIG\r\n")
	got := string(HeaderHashInput(fields, []string{"from", "subject", "to"}, sig, "b", Relaxed))
	want := "from:A <a@example.com>\r\nsubject:Hi\r\ndkim-signature:v=1; h=from:subject:to; b="
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeQuotedPrintable(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"=6Along@messiah.edu", "jlong@messiah.edu", false},
		{"a=3Db", "a=b", false},
		{"a b\r\n c", "abc", false},
		{"=4a=4B", "JK", false},
		{"=4", "", true},
		{"=ZZ", "", true},
	}
	for _, tt := range tests {
		got, err := DecodeQuotedPrintable(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("DecodeQuotedPrintable(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

const (
	// A 512-bit RSA key (too short for RFC 8301, but it parses).
	rsa512 = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTWxYyj2leFxfS/AVJ+dYfY+hXqMsT7l+MZvvh/RzLwFBrNSHRUKMECAwEAAQ=="
	// The RFC 8463 §A.2 Ed25519 public key.
	ed25519Key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantKind Kind
		check    func(*Key) bool
	}{
		{"minimal rsa", "p=" + rsa512, KindNone, func(k *Key) bool { return k.Type == "rsa" && k.Bits == 512 && !k.Testing }},
		{"full rsa", "v=DKIM1; k=rsa; h=sha256; s=email; t=y:s; n=hi; p=" + rsa512, KindNone,
			func(k *Key) bool {
				return k.Testing && k.Strict && k.AllowsHash("sha256") && !k.AllowsHash("sha1") && k.Notes == "hi"
			}},
		{"ed25519", "v=DKIM1; k=ed25519; p=" + ed25519Key, KindNone, func(k *Key) bool { return k.Type == "ed25519" && k.Bits == 256 }},
		{"unknown flags and hashes ignored", "v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=" + rsa512, KindNone,
			func(k *Key) bool { return k.Testing && !k.Strict && k.AllowsHash("sha1") && !k.AllowsHash("sha256") }},
		{"folded p", "p=" + rsa512[:20] + " \r\n " + rsa512[20:], KindNone, func(k *Key) bool { return k.Bits == 512 }},
		{"g= pattern", "g=jl*g; p=" + rsa512, KindNone, func(k *Key) bool {
			return k.GranularityMatches("jlong") && !k.GranularityMatches("JLong") && !k.GranularityMatches("")
		}},
		{"empty g= matches nothing", "g=; p=" + rsa512, KindNone, func(k *Key) bool { return !k.GranularityMatches("a") }},
		{"revoked", "k=rsa; t=y; p=", KindPermError, func(k *Key) bool { return k != nil && k.Revoked }},
		{"wrong version", "v=DKIM3; p=" + rsa512, KindPermError, nil},
		{"version not first", "k=rsa; v=DKIM1; p=" + rsa512, KindPermError, nil},
		{"syntax error", "k=rsa; t; p=" + rsa512, KindPermError, nil},
		{"unknown key type", "k=foobar; p=" + rsa512, KindPermError, nil},
		{"not for email", "s=chat; p=" + rsa512, KindPermError, nil},
		{"no p", "v=DKIM1; k=rsa", KindPermError, nil},
		{"empty record", "", KindPermError, nil},
		{"bad base64", "p=!!!", KindPermError, nil},
		{"ed25519 wrapped in SPKI", "v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE=", KindPermError, nil},
		{"rsa tag holding ed25519 bytes", "k=rsa; p=" + ed25519Key, KindPermError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.in)
			if got := KindOf(err); got != tt.wantKind {
				t.Fatalf("ParseKey(%q): got kind %v (%v), want %v", tt.in, got, err, tt.wantKind)
			}
			if tt.check != nil && !tt.check(k) {
				t.Errorf("ParseKey(%q): got %+v, which fails the check", tt.in, k)
			}
		})
	}
}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in       string
		wantKey  string
		wantHash crypto.Hash
		wantErr  bool
	}{
		{"rsa-sha256", "rsa", crypto.SHA256, false},
		{"RSA-SHA1", "rsa", crypto.SHA1, false},
		{"ed25519-sha256", "ed25519", crypto.SHA256, false},
		{"rsa-md5", "", 0, true},
		{"dsa-sha1", "", 0, true},
	}
	for _, tt := range tests {
		a, err := ParseAlgorithm(tt.in)
		if (err != nil) != tt.wantErr || a.KeyType != tt.wantKey || a.Hash != tt.wantHash {
			t.Errorf("ParseAlgorithm(%q) = %+v, %v; want key %q hash %v error %v", tt.in, a, err, tt.wantKey, tt.wantHash, tt.wantErr)
		}
	}
}

func TestValidDomain(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"example.com.", true},
		{"2023-05-ed25519", true},
		{"brisbane", true},
		{"", false},
		{"a..b", false},
		{"a b", false},
		{strings.Repeat("a", 64) + ".com", false},
	}
	for _, tt := range tests {
		if got := ValidDomain(tt.in); got != tt.want {
			t.Errorf("ValidDomain(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseTagList(f *testing.F) {
	for _, s := range []string{"v=1; a=rsa-sha256; b=abc\r\n def", "a=1;;", "k=rsa; t; p=", "a = b ;c=d;", "x=\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseTagList(s)
		if err != nil {
			if KindOf(err) != KindPermError {
				t.Fatalf("error of kind %v", KindOf(err))
			}
			return
		}
		seen := map[string]bool{}
		for _, tag := range list {
			if seen[tag.Name] {
				t.Fatalf("duplicate tag %q accepted", tag.Name)
			}
			seen[tag.Name] = true
			if strings.ContainsRune(tag.Value, ';') {
				t.Fatalf("value %q holds a semicolon", tag.Value)
			}
			if strings.TrimLeft(tag.Value, " \t\r\n") != tag.Value || strings.TrimRight(tag.Value, " \t\r\n") != tag.Value {
				t.Fatalf("value %q has surrounding whitespace", tag.Value)
			}
		}
	})
}

// FuzzParseKey: a key record from DNS is attacker-controlled; parsing never
// panics, every error is a permerror, and an accepted key has a public key
// of its declared type.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"p=", "k=rsa; h=sha1:sha256; t=y:s; p=AAAA", "v=DKIM2; p=x", "n=note=3D; p=?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			if KindOf(err) != KindPermError {
				t.Fatalf("ParseKey(%q): error of kind %v", s, KindOf(err))
			}
			return
		}
		if k == nil || k.Public == nil {
			t.Fatalf("ParseKey(%q) accepted a key without a public key", s)
		}
	})
}

// FuzzDecodeQuotedPrintable: i= and z= values use DKIM quoted-printable
// (RFC 6376 §2.11); decoding never panics.
func FuzzDecodeQuotedPrintable(f *testing.F) {
	for _, s := range []string{"a=3Db", "=", "=4", "=zz", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		DecodeQuotedPrintable(s)
	})
}
