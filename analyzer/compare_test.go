package analyzer

import (
	"strings"
	"testing"

	"headerlens/analyzer/dkim"
	"headerlens/analyzer/dmarc"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
	"headerlens/analyzer/spf"
)

func verdict(method, word string, trusted bool, props map[string]string) recorded.Verdict {
	if props == nil {
		props = map[string]string{}
	}
	return recorded.Verdict{Header: recorded.HeaderAuthResults, AuthservID: "mx.example.net", Method: method, Result: result.Word(word), Trusted: trusted, Properties: props}
}

func TestCompare(t *testing.T) {
	ids := &Identities{IP: "192.0.2.1", IPSource: "trail", MailFrom: "bounce@example.com", MailFromSource: "return-path"}
	tests := []struct {
		name      string
		verdicts  []recorded.Verdict
		live      *Live
		repaired  bool
		hasBody   bool
		method    string
		wantAgree bool
		wantLive  string
		wantText  string // substring of the explanation; "" means none expected
	}{
		{
			name:      "spf agrees",
			verdicts:  []recorded.Verdict{verdict("spf", "pass", true, map[string]string{"smtp.mailfrom": "example.com"})},
			live:      &Live{Enabled: true, Identities: ids, SPF: &spf.Result{Result: "pass"}},
			method:    "spf",
			wantAgree: true, wantLive: "pass",
		},
		{
			name:     "spf record changed",
			verdicts: []recorded.Verdict{verdict("spf", "pass", true, map[string]string{"smtp.mailfrom": "example.com"})},
			live:     &Live{Enabled: true, Identities: ids, SPF: &spf.Result{Result: "fail"}},
			method:   "spf", wantLive: "fail",
			wantText: "changed since delivery",
		},
		{
			name:     "spf client ip differs",
			verdicts: []recorded.Verdict{verdict("spf", "pass", true, map[string]string{"client-ip": "198.51.100.9"})},
			live:     &Live{Enabled: true, Identities: ids, SPF: &spf.Result{Result: "fail"}},
			method:   "spf", wantLive: "fail",
			wantText: "client IP 198.51.100.9",
		},
		{
			name:     "spf not evaluated",
			verdicts: []recorded.Verdict{verdict("spf", "pass", true, nil)},
			live:     &Live{Enabled: true, Identities: &Identities{}, SPFSkipped: "no connecting IP"},
			method:   "spf",
			wantText: "not re-checked",
		},
		{
			name:     "dkim key removed",
			verdicts: []recorded.Verdict{verdict("dkim", "pass", true, map[string]string{"header.d": "example.com", "header.s": "old"})},
			live:     &Live{Enabled: true, DKIM: []dkim.Result{{Domain: "example.com", Selector: "old", Result: "permerror", Reason: "no key"}}},
			method:   "dkim", wantLive: "permerror",
			wantText: "rotate keys",
		},
		{
			name:     "dkim re-folded by copy-paste",
			verdicts: []recorded.Verdict{verdict("dkim", "pass", true, map[string]string{"header.d": "example.com"})},
			live:     &Live{Enabled: true, DKIM: []dkim.Result{{Domain: "example.com", Selector: "s", Result: "fail", KeyRecord: "v=DKIM1; p=x"}}},
			repaired: true,
			method:   "dkim", wantLive: "fail",
			wantText: "copy-paste",
		},
		{
			name:     "dkim body not supplied",
			verdicts: []recorded.Verdict{verdict("dkim", "fail", true, map[string]string{"header.d": "example.com"})},
			live:     &Live{Enabled: true, DKIM: []dkim.Result{{Domain: "example.com", Selector: "s", Result: "pass", Scope: dkimcore.ScopeHeadersOnly}}},
			method:   "dkim", wantLive: "pass",
			wantText: "no body was supplied",
		},
		{
			name:     "dkim pass headers-only says so",
			verdicts: []recorded.Verdict{verdict("dkim", "pass", true, map[string]string{"header.d": "example.com"})},
			live:     &Live{Enabled: true, DKIM: []dkim.Result{{Domain: "example.com", Selector: "s", Result: "pass", Scope: dkimcore.ScopeHeadersOnly}}},
			method:   "dkim", wantAgree: true, wantLive: "pass",
			wantText: "body was not supplied",
		},
		{
			name: "dkim matched by header.b",
			verdicts: []recorded.Verdict{
				verdict("dkim", "fail", true, map[string]string{"header.d": "example.com", "header.b": "AAAAAAAA"}),
				verdict("dkim", "pass", true, map[string]string{"header.d": "example.com", "header.b": "BBBBBBBB"}),
			},
			live:      &Live{Enabled: true, DKIM: []dkim.Result{{Domain: "example.com", Selector: "s", Result: "pass", HeaderB: "BBBBBBBBxyzw"}}},
			method:    "dkim",
			wantAgree: true, wantLive: "pass",
		},
		{
			name:     "dmarc temperror now",
			verdicts: []recorded.Verdict{verdict("dmarc", "pass", true, nil)},
			live:     &Live{Enabled: true, DMARC: &dmarc.Result{Result: "temperror", FromDomain: "example.com"}},
			method:   "dmarc", wantLive: "temperror",
			wantText: "could not be fetched",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compare(tt.verdicts, tt.live, tt.repaired, tt.hasBody)
			var c *Comparison
			for i := range got {
				if got[i].Method == tt.method {
					c = &got[i]
					break
				}
			}
			if c == nil {
				t.Fatalf("no %s comparison in %+v", tt.method, got)
			}
			if c.Agree != tt.wantAgree || string(c.Live) != tt.wantLive {
				t.Errorf("agree, live = %v, %q; want %v, %q", c.Agree, c.Live, tt.wantAgree, tt.wantLive)
			}
			if tt.wantText == "" && c.Explanation != "" {
				t.Errorf("explanation = %q, want none", c.Explanation)
			}
			if !strings.Contains(c.Explanation, tt.wantText) {
				t.Errorf("explanation = %q, want it to mention %q", c.Explanation, tt.wantText)
			}
		})
	}
}

func TestCompareOffline(t *testing.T) {
	if got := compare([]recorded.Verdict{verdict("spf", "pass", true, nil)}, &Live{Enabled: false}, false, false); got != nil {
		t.Errorf("compare offline = %+v, want nil", got)
	}
}

func TestConflictingVerdicts(t *testing.T) {
	tests := []struct {
		name string
		vs   []recorded.Verdict
		want int
	}{
		{"agreeing", []recorded.Verdict{verdict("spf", "pass", true, nil), verdict("spf", "pass", true, nil)}, 0},
		{"conflicting spf", []recorded.Verdict{verdict("spf", "pass", true, nil), verdict("spf", "fail", true, nil)}, 1},
		{"untrusted copy ignored", []recorded.Verdict{verdict("spf", "pass", true, nil), verdict("spf", "fail", false, nil)}, 0},
		{"two dkim results are normal", []recorded.Verdict{verdict("dkim", "pass", true, nil), verdict("dkim", "fail", true, nil)}, 0},
	}
	for _, tt := range tests {
		if got := conflictingVerdicts(tt.vs); len(got) != tt.want {
			t.Errorf("%s: %d findings %+v, want %d", tt.name, len(got), got, tt.want)
		}
	}
}
