package smtpprobe

import (
	"bufio"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseEHLOResponse(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		wantErr    error
		wantDomain string
		wantExts   []Extension
	}{
		{"postfix style", "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n", nil,
			"mx.example.com", []Extension{{"PIPELINING", nil}, {"SIZE", []string{"10240000"}}, {"STARTTLS", nil}, {"ENHANCEDSTATUSCODES", nil}, {"8BITMIME", nil}, {"DSN", nil}, {"SMTPUTF8", nil}}},
		{"one line", "250 mx.example.com Hello\r\n", nil, "mx.example.com", []Extension{}},
		{"lower case and bare LF", "250-mx greets you\n250-starttls\n250 auth PLAIN LOGIN\n", nil,
			"mx", []Extension{{"STARTTLS", nil}, {"AUTH", []string{"PLAIN", "LOGIN"}}}},
		{"bad keyword skipped", "250-mx\r\n250--BAD\r\n250 REQUIRETLS\r\n", nil, "mx", []Extension{{"REQUIRETLS", nil}}},
		{"code only last line", "250-mx\r\n250\r\n", nil, "mx", []Extension{}},
		{"refusal", "550 go away\r\n", nil, "go", []Extension{}},
		{"changing code", "250-mx\r\n251 X\r\n", errProtocol, "", nil},
		{"bad separator", "250+mx\r\n", errProtocol, "", nil},
		{"no code", "hello\r\n", errProtocol, "", nil},
		{"code out of range", "199 mx\r\n", errProtocol, "", nil},
		{"truncated", "250-mx\r\n250-SIZE\r\n", io.ErrUnexpectedEOF, "", nil},
		{"empty", "", io.ErrUnexpectedEOF, "", nil},
		{"too many lines", strings.Repeat("250-X\r\n", MaxReplyLines+1) + "250 Y\r\n", errTooLong, "", nil},
		{"too many bytes", "250-" + strings.Repeat("a", MaxReplyBytes) + "\r\n250 Y\r\n", errTooLong, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEHLOResponse([]byte(tc.raw))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got.Domain != tc.wantDomain {
				t.Errorf("Domain: got %q, want %q", got.Domain, tc.wantDomain)
			}
			if !reflect.DeepEqual(got.Extensions, tc.wantExts) {
				t.Errorf("Extensions: got %v, want %v", got.Extensions, tc.wantExts)
			}
		})
	}
}

func TestReadReplySanitizes(t *testing.T) {
	rep, err := ReadReply(bufio.NewReader(strings.NewReader("220 mx \x1b[31mred\x00\xff\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.Lines[0], "mx ?[31mred??"; got != want {
		t.Errorf("line: got %q, want %q", got, want)
	}
	if got, want := rep.String(), "220 mx ?[31mred??\r\n"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}

func FuzzParseEHLOResponse(f *testing.F) {
	for _, s := range []string{
		"250-mx.example.com\r\n250-SIZE 1000\r\n250 STARTTLS\r\n",
		"250 mx\r\n", "220-a\n220 b\n", "", "250-", "250-x\r\n251 y\r\n", "999 x\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := ParseEHLOResponse(raw)
		if err != nil {
			return
		}
		if len(e.Lines) == 0 || len(e.Lines) > MaxReplyLines {
			t.Fatalf("lines: got %d, want 1..%d", len(e.Lines), MaxReplyLines)
		}
		if e.Code < 200 || e.Code > 599 {
			t.Fatalf("code: got %d, want 200..599", e.Code)
		}
		for _, x := range e.Extensions {
			if !isKeyword(x.Keyword) || strings.ToUpper(x.Keyword) != x.Keyword {
				t.Fatalf("keyword: got %q, want an upper-case ehlo-keyword", x.Keyword)
			}
			if !e.Has(x.Keyword) {
				t.Fatalf("Has(%q): got false, want true", x.Keyword)
			}
		}
		for _, l := range e.Lines {
			if strings.ContainsAny(l, "\r\n\x00") {
				t.Fatalf("line %q: control characters survived", l)
			}
		}
	})
}
