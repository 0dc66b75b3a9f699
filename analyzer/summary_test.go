package analyzer

import (
	"net/mail"
	"testing"
)

// FuzzParseMailDate checks that parseMailDate's fast path gives what
// mail.ParseDate gives.
func FuzzParseMailDate(f *testing.F) {
	for _, s := range []string{
		"Tue, 3 Jan 2023 10:00:00 +0100 (CET)",
		"Tue, 03 Jan 2023 10:00:00 -0000",
		"3 Jan 2023 10:00:00 +0100",
		"  Tue, 3 Jan 23 10:00 +0100 (unclosed",
		"Tue, 3 Jan 2023 10:00:00 +0100 (a (b) \\) c) (d) x",
		"Tue, 3 Jan 2023 10:00:00 GMT",
		"Thu, 20 Nov 1997 09:55:06 MDT (MDT)",
		"Mon, 32 Jan 2023 10:00:00 +0100",
		"Tue, 3 Jan 2023 10:00:00 +01",
		"Tue, 3 Jan 2023 10:00:00\r\n +0100",
		"2023-01-03 10:00:00 +0100",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseMailDate(s)
		want, werr := mail.ParseDate(s)
		if (err == nil) != (werr == nil) || got.String() != want.String() {
			t.Errorf("parseMailDate(%q) = %v, %v; want %v, %v", s, got, err, want, werr)
		}
	})
}

func TestParseMailDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Tue, 3 Jan 2023 10:00:00 +0100 (CET)", "2023-01-03 10:00:00 +0100 +0100"},
		{"3 Jan 2023 10:00:00 -0500", "2023-01-03 10:00:00 -0500 -0500"},
		{"Tue, 3 Jan 2023 10:00 +0100", "2023-01-03 10:00:00 +0100 +0100"},
	} {
		got, err := parseMailDate(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("parseMailDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseMailDate("Tue, 3 Jan 2023 10:00:00 +0100 (unclosed"); err == nil {
		t.Errorf("parseMailDate with an unclosed comment: got no error, want one")
	}
}
