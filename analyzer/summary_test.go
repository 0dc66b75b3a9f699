package analyzer

import (
	"net/mail"
	"slices"
	"testing"

	msgpkg "headerlens/analyzer/message"
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

// TestSummaryAddresses reads hostile address fields into the summary
// through package address: the From mailbox split, the recipient domains
// (each once, no address literal, at most three) and the Return-Path.
func TestSummaryAddresses(t *testing.T) {
	tests := []struct {
		name, header                      string
		fromName, fromAddress, fromDomain string
		recipients                        []string
		returnPath                        string
	}{
		{
			name:     "broken From, recipients with a literal and a quoted comma",
			header:   "From: Bank <ceo@bank.example <x@Phish.example.>\nTo: a@[192.0.2.1], \"x,y\"@B.example., C <c@c.example\nCc: d@b.example\nReturn-Path: <>\n",
			fromName: "Bank <ceo@bank.example", fromAddress: "x@Phish.example.", fromDomain: "phish.example",
			recipients: []string{"b.example", "c.example"},
		},
		{
			name:     "unknown charset, empty group",
			header:   "From: =?x-unknown?q?Caf=E9?= <a@example.org>\nTo: undisclosed-recipients:;\nReturn-Path: <bounce@example.org> (x)\n",
			fromName: "=?x-unknown?q?Caf=E9?=", fromAddress: "a@example.org", fromDomain: "example.org",
			recipients: []string{}, returnPath: "bounce@example.org",
		},
		{
			name:       "many recipient domains",
			header:     "From: a@example.org\nTo: a@one.example, b@two.example\nCc: c@three.example, d@four.example\n",
			fromDomain: "example.org", fromAddress: "a@example.org",
			recipients: []string{"one.example", "two.example", "three.example"},
		},
	}
	for _, tt := range tests {
		msg, err := msgpkg.Parse([]byte(tt.header))
		if err != nil {
			t.Fatal(err)
		}
		s := summarize(msg)
		got := []string{s.FromName, s.FromAddress, s.FromDomain, s.ReturnPath}
		want := []string{tt.fromName, tt.fromAddress, tt.fromDomain, tt.returnPath}
		if !slices.Equal(got, want) {
			t.Errorf("%s: name, address, domain, return-path: got %q, want %q", tt.name, got, want)
		}
		if !slices.Equal(s.RecipientDomains, tt.recipients) {
			t.Errorf("%s: recipientDomains: got %q, want %q", tt.name, s.RecipientDomains, tt.recipients)
		}
	}
}
