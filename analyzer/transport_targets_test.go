package analyzer

import (
	"reflect"
	"testing"

	msgpkg "headerlens/analyzer/message"
)

// TestTransportTargets: the companion is asked about the From domain of
// the summary (the first address of the first From field) and the To and
// Cc domains, each once, at most maxTransportDomains; the page's own list
// (summary.fromDomain then summary.recipientDomains) is the same.
func TestTransportTargets(t *testing.T) {
	tests := []struct {
		name, header string
		want         []TransportCheck
	}{
		{"one of each", "From: a@Sender.example\r\nTo: b@rcpt.example\r\n",
			[]TransportCheck{{Domain: "sender.example", Roles: []string{"from"}}, {Domain: "rcpt.example", Roles: []string{"recipient"}}}},
		{"two From fields and two From addresses: only the first counts", "From: a@first.example, b@second.example\r\nFrom: c@third.example\r\nTo: d@rcpt.example\r\n",
			[]TransportCheck{{Domain: "first.example", Roles: []string{"from"}}, {Domain: "rcpt.example", Roles: []string{"recipient"}}}},
		{"From domain also a recipient", "From: a@x.example\r\nTo: b@x.example\r\nCc: c@y.example.\r\n",
			[]TransportCheck{{Domain: "x.example", Roles: []string{"from", "recipient"}}, {Domain: "y.example", Roles: []string{"recipient"}}}},
		{"at most four", "From: a@f.example\r\nTo: a@1.example, b@2.example\r\nCc: c@3.example, d@4.example\r\n",
			[]TransportCheck{{Domain: "f.example", Roles: []string{"from"}}, {Domain: "1.example", Roles: []string{"recipient"}},
				{Domain: "2.example", Roles: []string{"recipient"}}, {Domain: "3.example", Roles: []string{"recipient"}}}},
		{"no From", "To: b@rcpt.example\r\n", []TransportCheck{{Domain: "rcpt.example", Roles: []string{"recipient"}}}},
	}
	for _, tc := range tests {
		msg, err := msgpkg.Parse([]byte(tc.header + "Subject: x\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		got := transportTargets(msg)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: transportTargets = %+v, want %+v", tc.name, got, tc.want)
		}
		// The page's list: summary.fromDomain, then summary.recipientDomains.
		s := summarize(msg)
		var page []string
		if s.FromDomain != "" {
			page = append(page, s.FromDomain)
		}
		for _, d := range s.RecipientDomains {
			if len(page) == 0 || d != page[0] {
				page = append(page, d)
			}
		}
		var goList []string
		for _, c := range got {
			goList = append(goList, c.Domain)
		}
		if !reflect.DeepEqual(page, goList) {
			t.Errorf("%s: the page's list %v differs from transportTargets %v", tc.name, page, goList)
		}
	}
}
