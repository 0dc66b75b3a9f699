package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/address"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
)

// got summarises findings as "severity code" strings.
func got(fs []finding.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, string(f.Severity)+" "+f.Code)
	}
	return out
}

type ruleCase struct {
	name    string
	in      Input
	want    []string // "severity code", in order
	contain string   // substring of the first finding's message
}

func runRule(t *testing.T, rule Rule, tests []ruleCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := rule(tt.in)
			if g := got(fs); !reflect.DeepEqual(g, append([]string{}, tt.want...)) {
				t.Fatalf("got %v, want %v", g, tt.want)
			}
			if tt.contain != "" && !strings.Contains(fs[0].Message, tt.contain) {
				t.Errorf("got message %q, want it to contain %q", fs[0].Message, tt.contain)
			}
			for _, f := range fs {
				if f.Source == "" || f.Message == "" {
					t.Errorf("got finding without source or message: %+v", f)
				}
			}
		})
	}
}

func from(addr string) []address.Address { return []address.Address{{Address: addr}} }

func TestAddressMismatch(t *testing.T) {
	runRule(t, AddressMismatch, []ruleCase{
		{
			name: "all in one organization",
			in:   Input{FromPresent: true, From: from("a@mail.example.com"), ReplyTo: from("b@example.com"), ReturnPath: "bounce@bounces.example.com"},
			want: nil,
		},
		{
			name:    "Reply-To elsewhere",
			in:      Input{FromPresent: true, From: from("service@paypal.com"), ReplyTo: from("help@evil.example")},
			want:    []string{"warning from-replyto-mismatch"},
			contain: "help@evil.example",
		},
		{
			name:    "Return-Path elsewhere",
			in:      Input{FromPresent: true, From: from("news@shop.example"), ReturnPath: "bounce-123@esp.example.net"},
			want:    []string{"info from-returnpath-mismatch"},
			contain: "DMARC alignment",
		},
		{
			name: "public suffix rule: co.uk organizations differ",
			in:   Input{FromPresent: true, From: from("a@one.co.uk"), ReplyTo: from("b@two.co.uk")},
			want: []string{"warning from-replyto-mismatch"},
		},
		{
			name: "public suffix rule: same organization under co.uk",
			in:   Input{FromPresent: true, From: from("a@mail.one.co.uk"), ReplyTo: from("b@one.co.uk")},
			want: nil,
		},
		{
			name: "case and trailing dot ignored",
			in:   Input{FromPresent: true, From: from("a@Example.COM."), ReturnPath: "b@example.com"},
			want: nil,
		},
		{
			name: "IDN in U-label and A-label form is one organization",
			in:   Input{FromPresent: true, From: from("a@bücher.example"), ReplyTo: from("b@xn--bcher-kva.example")},
			want: nil,
		},
		{
			name: "Sender elsewhere",
			in:   Input{FromPresent: true, From: from("ceo@corp.example"), Sender: &address.Address{Address: "assistant@agency.example"}},
			want: []string{"info from-sender-mismatch"},
		},
		{
			name: "two Reply-To in the same other organization give one finding",
			in:   Input{FromPresent: true, From: from("a@x.example"), ReplyTo: []address.Address{{Address: "b@y.example"}, {Address: "c@mail.y.example"}}},
			want: []string{"warning from-replyto-mismatch"},
		},
		{
			name: "missing From",
			in:   Input{ReplyTo: from("b@y.example")},
			want: []string{"error missing-from"},
		},
		{
			name: "From without a domain is not compared",
			in:   Input{FromPresent: true, From: from("undisclosed"), ReplyTo: from("b@y.example")},
			want: nil,
		},
		{
			name: "null Return-Path is not compared",
			in:   Input{FromPresent: true, From: from("a@x.example"), ReturnPath: ""},
			want: nil,
		},
	})
}

func TestDisplayNameSpoof(t *testing.T) {
	runRule(t, DisplayNameSpoof, []ruleCase{
		{
			name:    "address of another organization in the name",
			in:      Input{From: []address.Address{{Name: "support@paypal.com", Address: "evil@x.example"}}},
			want:    []string{"warning display-name-spoof"},
			contain: "support@paypal.com",
		},
		{
			name: "name with the same address",
			in:   Input{From: []address.Address{{Name: "Alice@Example.com", Address: "alice@example.com"}}},
			want: nil,
		},
		{
			name: "plain name",
			in:   Input{From: []address.Address{{Name: "PayPal Support", Address: "evil@x.example"}}},
			want: nil,
		},
		{
			name:    "mailing list rewrite",
			in:      Input{From: []address.Address{{Name: "'alice@example.org' via Team", Address: "team@googlegroups.com"}}},
			want:    []string{"info display-name-spoof"},
			contain: "mailing list",
		},
		{
			name: "other mailbox of the same organization",
			in:   Input{From: []address.Address{{Name: "billing@example.com (via portal)", Address: "noreply@mail.example.com"}}},
			want: []string{"info display-name-spoof"},
		},
		{
			name: "bracketed address in the name",
			in:   Input{From: []address.Address{{Name: "Bank <security@bank.example>", Address: "x@phish.example"}}},
			want: []string{"warning display-name-spoof"},
		},
		{
			name: "a handle with @ but no domain dot",
			in:   Input{From: []address.Address{{Name: "@alice on chat", Address: "alice@example.com"}}},
			want: nil,
		},
	})
}

func TestLookalikeDomain(t *testing.T) {
	runRule(t, LookalikeDomain, []ruleCase{
		{
			name: "plain ASCII domains",
			in:   Input{From: from("a@example.com"), ReplyTo: from("b@example.org")},
			want: nil,
		},
		{
			name:    "Cyrillic a inside a Latin label",
			in:      Input{From: from("service@pаypal.com")},
			want:    []string{"error lookalike-domain"},
			contain: "Cyrillic and Latin",
		},
		{
			name:    "punycode A-label of a mixed-script name",
			in:      Input{From: from("service@xn--pypal-4ve.com")},
			want:    []string{"error lookalike-domain"},
			contain: "xn--pypal-4ve.com",
		},
		{
			name:    "whole-script Cyrillic name reading as ASCII",
			in:      Input{ReturnPath: "x@хо.example"},
			want:    []string{"error lookalike-domain"},
			contain: "reads as the plain-ASCII name xo.example",
		},
		{
			name:    "legitimate German IDN",
			in:      Input{From: from("info@bücher.example")},
			want:    []string{"info lookalike-domain"},
			contain: "bücher.example",
		},
		{
			name: "Japanese mix of Han, Hiragana and Latin is allowed",
			in:   Input{From: from("a@日本のabc.example")},
			want: []string{"info lookalike-domain"},
		},
		{
			name:    "Reply-To one digit away from From",
			in:      Input{From: from("service@paypal.com"), ReplyTo: from("help@paypa1.com")},
			want:    []string{"error lookalike-domain"},
			contain: "look alike",
		},
		{
			name: "rn for m",
			in:   Input{From: from("a@microsoft.com"), ReturnPath: "b@rnicrosoft.com"},
			want: []string{"error lookalike-domain"},
		},
		{
			name: "same organization is not a lookalike",
			in:   Input{From: from("a@mail.example.com"), ReturnPath: "b@bounce.example.com"},
			want: nil,
		},
		{
			name: "full-width letters",
			in:   Input{From: from("a@ｅxample.com"), ReplyTo: from("b@other.example")},
			want: []string{"error lookalike-domain"},
		},
	})
}

func TestMessageIDRules(t *testing.T) {
	runRule(t, MessageIDRules, []ruleCase{
		{name: "valid", in: Input{MessageIDs: []string{"<20240301.1234@mail.example.com>"}}, want: nil},
		{name: "valid with CFWS and domain literal", in: Input{MessageIDs: []string{" (c) <abc@[192.0.2.1]> "}}, want: nil},
		{name: "valid obsolete quoted left", in: Input{MessageIDs: []string{`<"a b"@example.com>`}}, want: nil},
		{name: "missing", in: Input{}, want: []string{"warning missing-message-id"}},
		{name: "no brackets", in: Input{MessageIDs: []string{"abc@example.com"}}, want: []string{"warning malformed-message-id"}, contain: "angle brackets"},
		{name: "no at", in: Input{MessageIDs: []string{"<abcdef>"}}, want: []string{"warning malformed-message-id"}, contain: "no \"@\""},
		{name: "empty right", in: Input{MessageIDs: []string{"<abc@>"}}, want: []string{"warning malformed-message-id"}, contain: "after \"@\" is empty"},
		{name: "white space", in: Input{MessageIDs: []string{"<a b@example.com>"}}, want: []string{"warning malformed-message-id"}, contain: "white space"},
		{name: "two at", in: Input{MessageIDs: []string{"<a@b@example.com>"}}, want: []string{"warning malformed-message-id"}, contain: "more than one"},
		{name: "double dot", in: Input{MessageIDs: []string{"<a..b@example.com>"}}, want: []string{"warning malformed-message-id"}, contain: "dot"},
		{name: "empty", in: Input{MessageIDs: []string{"  "}}, want: []string{"warning malformed-message-id"}, contain: "empty"},
		{name: "duplicate", in: Input{MessageIDs: []string{"<a@b.example>", "<c@d.example>"}}, want: []string{"warning duplicate-message-id"}},
	})
}

func TestDateRules(t *testing.T) {
	hop := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	runRule(t, DateRules, []ruleCase{
		{name: "close to the first hop", in: Input{Dates: []string{"x"}, Date: hop.Add(-2 * time.Minute), FirstHopTime: hop}, want: nil},
		{name: "small clock drift ahead", in: Input{Dates: []string{"x"}, Date: hop.Add(20 * time.Minute), FirstHopTime: hop}, want: nil},
		{name: "missing", in: Input{}, want: []string{"error missing-date"}},
		{name: "unreadable", in: Input{Dates: []string{"yesterday-ish"}}, want: []string{"warning malformed-date"}, contain: "yesterday-ish"},
		{name: "duplicate", in: Input{Dates: []string{"a", "b"}, Date: hop}, want: []string{"warning duplicate-date"}},
		{name: "after the first hop", in: Input{Dates: []string{"x"}, Date: hop.Add(3 * time.Hour), FirstHopTime: hop}, want: []string{"warning date-skew"}, contain: "3 hours after"},
		{name: "days before the first hop", in: Input{Dates: []string{"x"}, Date: hop.Add(-72 * time.Hour), FirstHopTime: hop}, want: []string{"warning date-skew"}, contain: "3 days before"},
		{name: "23 hours before is tolerated", in: Input{Dates: []string{"x"}, Date: hop.Add(-23 * time.Hour), FirstHopTime: hop}, want: nil},
		{name: "in the future of the analysis", in: Input{Dates: []string{"x"}, Date: hop.Add(48 * time.Hour), Now: hop}, want: []string{"warning date-skew"}, contain: "in the future"},
		{name: "no hop time, no now", in: Input{Dates: []string{"x"}, Date: hop}, want: nil},
	})
}

func TestBulkSignals(t *testing.T) {
	signed := []DKIMSignature{{Domain: "news.example", SignedHeaders: []string{"From", "List-Unsubscribe", "List-Unsubscribe-Post"}, Result: "pass"}}
	runRule(t, BulkSignals, []ruleCase{
		{name: "personal mail", in: Input{}, want: nil},
		{
			name:    "complete one-click",
			in:      Input{ListUnsubscribe: "<mailto:u@news.example?subject=unsub>, <https://news.example/u/abc>", ListUnsubscribePresent: true, ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: signed},
			want:    []string{"info bulk-list-unsubscribe", "info bulk-one-click"},
			contain: "mailto and https",
		},
		{
			name: "one-click with unverified signature notes it",
			in:   Input{ListUnsubscribe: "<https://news.example/u/abc>", ListUnsubscribePresent: true, ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: []DKIMSignature{{Domain: "news.example", SignedHeaders: []string{"list-unsubscribe", "list-unsubscribe-post"}}}},
			want: []string{"info bulk-list-unsubscribe", "info bulk-one-click"},
		},
		{
			name: "one-click without DKIM coverage",
			in:   Input{ListUnsubscribe: "<https://news.example/u/abc>", ListUnsubscribePresent: true, ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: []DKIMSignature{{Domain: "news.example", SignedHeaders: []string{"from", "list-unsubscribe"}, Result: "pass"}}},
			want: []string{"info bulk-list-unsubscribe", "warning bulk-one-click-unsigned"},
		},
		{
			name: "one-click with failing signature",
			in:   Input{ListUnsubscribe: "<https://news.example/u/abc>", ListUnsubscribePresent: true, ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: []DKIMSignature{{Domain: "news.example", SignedHeaders: []string{"list-unsubscribe", "list-unsubscribe-post"}, Result: "fail"}}},
			want: []string{"info bulk-list-unsubscribe", "warning bulk-one-click-unsigned"},
		},
		{
			name: "one-click with only mailto and a wrong value",
			in:   Input{ListUnsubscribe: "<mailto:u@news.example>", ListUnsubscribePresent: true, ListUnsubscribePost: "One-Click", ListUnsubscribePostPresent: true, DKIM: signed},
			want: []string{"info bulk-list-unsubscribe", "warning bulk-one-click-invalid", "warning bulk-one-click-no-https"},
		},
		{
			name: "http is not https",
			in:   Input{ListUnsubscribe: "<http://news.example/u>", ListUnsubscribePresent: true, ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: signed},
			want: []string{"info bulk-list-unsubscribe", "warning bulk-one-click-no-https"},
		},
		{
			name:    "malformed List-Unsubscribe",
			in:      Input{ListUnsubscribe: "https://news.example/u", ListUnsubscribePresent: true},
			want:    []string{"warning bulk-list-unsubscribe-syntax"},
			contain: "angle brackets",
		},
		{
			name: "empty List-Unsubscribe",
			in:   Input{ListUnsubscribe: "", ListUnsubscribePresent: true},
			want: []string{"warning bulk-list-unsubscribe-syntax"},
		},
		{
			name: "bulk markers without List-Unsubscribe",
			in:   Input{Precedence: "bulk", FeedbackID: "c123:campaign:esp:Sender42"},
			want: []string{"info bulk-precedence", "info bulk-feedback-id", "warning bulk-no-list-unsubscribe"},
		},
		{
			name: "list mail without List-Unsubscribe",
			in:   Input{ListID: "<dev.lists.example.org>"},
			want: []string{"info bulk-no-list-unsubscribe"},
		},
		{
			name: "bulk with List-Unsubscribe but no Post",
			in:   Input{Precedence: "Bulk", ListUnsubscribe: "<mailto:u@news.example>", ListUnsubscribePresent: true},
			want: []string{"info bulk-precedence", "info bulk-list-unsubscribe", "info bulk-one-click-missing"},
		},
		{
			name: "Post without List-Unsubscribe",
			in:   Input{ListUnsubscribePost: "List-Unsubscribe=One-Click", ListUnsubscribePostPresent: true, DKIM: signed},
			want: []string{"warning bulk-one-click-no-https"},
		},
		{
			name: "other Precedence values are ignored",
			in:   Input{Precedence: "first-class"},
			want: nil,
		},
	})
}

func TestListUnsubscribeURIs(t *testing.T) {
	tests := []struct {
		in      string
		uris    []string
		problem bool
	}{
		{"<mailto:a@b.example>, <https://b.example/u>", []string{"mailto:a@b.example", "https://b.example/u"}, false},
		{" (comment) <https://b.example/u> ", []string{"https://b.example/u"}, false},
		{"<https://b.example/u", nil, true},
		{"junk <https://b.example/u>", []string{"https://b.example/u"}, true},
		{"", nil, true},
		{"<>", nil, true},
	}
	for _, tt := range tests {
		uris, problem := ListUnsubscribeURIs(tt.in)
		if !reflect.DeepEqual(uris, tt.uris) || (problem != "") != tt.problem {
			t.Errorf("ListUnsubscribeURIs(%q): got %v %q, want %v problem=%v", tt.in, uris, problem, tt.uris, tt.problem)
		}
	}
}

func TestRecordedFail(t *testing.T) {
	v := func(method, word string, trusted bool) recorded.Verdict {
		return recorded.Verdict{Header: recorded.HeaderAuthResults, AuthservID: "mx.example", Method: method, Result: result.Word(word), Trusted: trusted, Properties: map[string]string{"header.from": "bank.example", "header.b": "sig"}}
	}
	compauth := v("compauth", "fail", true)
	compauth.AuthservID = ""
	compauth.Reason = "000"
	compauth.ReasonMeaning = "failed explicit authentication"
	runRule(t, RecordedFail, []ruleCase{
		{name: "passes", in: Input{Verdicts: []recorded.Verdict{v("spf", "pass", true), v("dkim", "pass", true), v("dmarc", "none", true)}}, want: nil},
		{name: "trusted dmarc fail", in: Input{Verdicts: []recorded.Verdict{v("dmarc", "fail", true)}}, want: []string{"error recorded-fail"}, contain: "mx.example recorded dmarc=fail (header.from=bank.example)"},
		{name: "trusted spf fail", in: Input{Verdicts: []recorded.Verdict{v("spf", "fail", true)}}, want: []string{"error recorded-fail"}},
		{name: "trusted spf softfail", in: Input{Verdicts: []recorded.Verdict{v("spf", "softfail", true)}}, want: []string{"warning recorded-fail"}},
		{name: "trusted dkim fail", in: Input{Verdicts: []recorded.Verdict{v("dkim", "fail", true)}}, want: []string{"warning recorded-fail"}, contain: "forwarders"},
		{name: "trusted temperror", in: Input{Verdicts: []recorded.Verdict{v("dkim", "temperror", true)}}, want: []string{"warning recorded-fail"}},
		{name: "compauth with reason meaning", in: Input{Verdicts: []recorded.Verdict{compauth}}, want: []string{"error recorded-fail"}, contain: "did not name itself recorded compauth=fail"},
		{name: "untrusted fail", in: Input{Verdicts: []recorded.Verdict{v("dmarc", "fail", false)}}, want: []string{"info recorded-fail"}, contain: "may be forged"},
		{name: "mixed", in: Input{Verdicts: []recorded.Verdict{v("spf", "pass", true), v("dkim", "fail", false), v("dmarc", "fail", true)}}, want: []string{"info recorded-fail", "error recorded-fail"}},
	})
	f := RecordedFail(Input{Verdicts: []recorded.Verdict{v("dmarc", "fail", true)}})
	if strings.Contains(f[0].Message, "sig") {
		t.Errorf("got message %q, want header.b left out", f[0].Message)
	}
}

func TestOrgDomain(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"mail.example.com", "example.com"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"co.uk", "co.uk"},
		{"Example.COM.", "example.com"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"[192.0.2.1]", "[192.0.2.1]"},
		{"", ""},
	} {
		if g := OrgDomain(tt.in); g != tt.want {
			t.Errorf("OrgDomain(%q): got %q, want %q", tt.in, g, tt.want)
		}
	}
}

func TestCheckRunsEveryRule(t *testing.T) {
	in := Input{
		FromPresent: true,
		From:        []address.Address{{Name: "support@paypal.com", Address: "x@pаypal.com"}},
		ReplyTo:     from("y@other.example"),
		Precedence:  "bulk",
		Verdicts:    []recorded.Verdict{{Method: "dmarc", Result: "fail", Trusted: true, Properties: map[string]string{}}},
	}
	fs := Check(in)
	codes := map[string]bool{}
	for _, f := range fs {
		codes[f.Code] = true
	}
	for _, c := range []string{CodeFromReplyToMismatch, CodeDisplayNameSpoof, CodeLookalikeDomain, CodeMissingMessageID, CodeMissingDate, CodeBulkPrecedence, CodeBulkNoListUnsubscribe, CodeRecordedFail} {
		if !codes[c] {
			t.Errorf("got codes %v, want %s among them", codes, c)
		}
	}
	if fs := Check(Input{}); fs == nil {
		t.Error("got nil, want a non-nil slice")
	}
}

func FuzzRules(f *testing.F) {
	f.Add("Name <x@y>", "a@pаypal.com", "<a@b>", "<https://x>, junk", "List-Unsubscribe=One-Click")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, name, addr, mid, lu, lup string) {
		in := Input{
			FromPresent: true, From: []address.Address{{Name: name, Address: addr}},
			ReplyTo: []address.Address{{Address: name}}, ReturnPath: addr,
			MessageIDs: []string{mid}, Dates: []string{mid},
			ListUnsubscribe: lu, ListUnsubscribePresent: true,
			ListUnsubscribePost: lup, ListUnsubscribePostPresent: lup != "",
			Precedence: lup, FeedbackID: name,
		}
		for _, f := range Check(in) {
			if f.Code == "" || f.Message == "" || f.Severity == "" {
				t.Fatalf("got incomplete finding %+v", f)
			}
		}
	})
}
