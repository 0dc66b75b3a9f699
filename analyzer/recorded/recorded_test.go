package recorded

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
	"headerlens/internal/golden"
)

// corpusPath is the provider Authentication-Results corpus: real headers
// of large providers and the assertions Mail::AuthenticationResults makes
// on them (licence and upstream commit in testdata/SOURCES.md).
const corpusPath = "../../testdata/header-parsing/authentication-results/mail-authenticationresults-provider-headers.json"

type corpusFile struct {
	Cases []struct {
		File         string   `json:"file"`
		Provider     string   `json:"provider"`
		Header       string   `json:"header"`
		Headers      []string `json:"headers"`
		AuthservID   string   `json:"authserv_id"`
		Expectations []struct {
			SearchChain []struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"search_chain"`
			ExpectedCount int    `json:"expected_count"`
			Label         string `json:"label"`
		} `json:"expectations"`
	} `json:"cases"`
}

// splitField turns "Name: value" into a HeaderField; a bare value is
// taken as an Authentication-Results body.
func splitField(s string) HeaderField {
	if name, value, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(name, " ;=\t\n") {
		return HeaderField{Name: name, Value: value}
	}
	return HeaderField{Name: "Authentication-Results", Value: s}
}

func TestProviderCorpus(t *testing.T) {
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatalf("reading corpus: %v", err)
	}
	var c corpusFile
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("decoding corpus: %v", err)
	}
	if len(c.Cases) == 0 {
		t.Fatal("corpus has no cases")
	}
	for _, tc := range c.Cases {
		t.Run(tc.Provider, func(t *testing.T) {
			if tc.Header == "" {
				// iCloud: one field per milter, grouped by authserv-id.
				var fields []HeaderField
				for _, h := range tc.Headers {
					fields = append(fields, splitField(h))
				}
				vs := Parse(fields)
				if got, want := len(vs), 6; got != want {
					t.Fatalf("got %d verdicts, want %d: %+v", got, want, vs)
				}
				gs := Group(vs)
				if got, want := len(gs), 3; got != want {
					t.Fatalf("got %d groups, want %d", got, want)
				}
				if got, want := gs[2].AuthservID, "mr21p00im-dkimmilter005.me.com"; got != want {
					t.Errorf("got group authserv-id %q, want %q", got, want)
				}
				if got, want := len(gs[2].Verdicts), 4; got != want {
					t.Errorf("got %d verdicts in dkim group, want %d", got, want)
				}
				return
			}
			vs := Parse([]HeaderField{splitField(tc.Header)})
			for _, v := range vs {
				if got, want := v.AuthservID, tc.AuthservID; got != want {
					t.Errorf("%s=%s: got authserv-id %q, want %q", v.Method, v.Result, got, want)
				}
			}
			for _, e := range tc.Expectations {
				matched := vs
				for _, step := range e.SearchChain {
					var next []Verdict
					for _, v := range matched {
						if (v.Method == step.Key && string(v.Result) == step.Value) || v.Properties[step.Key] == step.Value {
							next = append(next, v)
						}
					}
					matched = next
				}
				if got, want := len(matched), e.ExpectedCount; got != want {
					t.Errorf("%s: got %d matches, want %d (verdicts %+v)", e.Label, got, want, vs)
				}
			}
		})
	}
}

// brief is the part of a Verdict a table case checks.
type brief struct {
	method, result, reason string
	props                  map[string]string
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		arc      bool
		authserv string
		version  string
		instance int
		parser   string
		want     []brief
		comment0 string
	}{
		{
			name:     "clean value read by authres, header.s kept",
			value:    "example.com; spf=pass smtp.mailfrom=a@b.example; dkim=pass header.d=b.example header.s=sel1 header.b=AbCd",
			authserv: "example.com",
			parser:   ParserAuthres,
			want: []brief{
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "a@b.example"}},
				{method: "dkim", result: "pass", props: map[string]string{"header.d": "b.example", "header.s": "sel1", "header.b": "AbCd"}},
			},
		},
		{
			name:   "Microsoft 365 without authserv-id, with compauth",
			value:  "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=fail reason=001",
			parser: ParserTolerant,
			want: []brief{
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "example.com"}},
				{method: "dkim", result: "none", props: map[string]string{"header.d": "none"}},
				{method: "dmarc", result: "none", props: map[string]string{"action": "none", "header.from": "example.com"}},
				{method: "compauth", result: "fail", reason: "001", props: map[string]string{}},
			},
			comment0: "sender IP is 1.2.3.4",
		},
		{
			name:     "ARC instance prefix",
			value:    "i=2; mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=Zx9;\r\n       arc=pass (i=1 spf=pass spfdomain=example.org);\r\n       spf=pass (google.com: domain of a@example.org designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.org",
			arc:      true,
			authserv: "mx.google.com",
			instance: 2,
			// authres reads the comment words as arc parameters but sees
			// the same three results; comments come from the tolerant pass.
			parser: ParserAuthres,
			want: []brief{
				{method: "dkim", result: "pass", props: map[string]string{"header.i": "@example.org", "header.s": "s1"}},
				{method: "arc", result: "pass", props: map[string]string{}},
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "a@example.org"}},
			},
			comment0: "",
		},
		{
			name:     "authres-version after the authserv-id",
			value:    "example.org 1; spf=fail smtp.mailfrom=example.net",
			authserv: "example.org",
			version:  "1",
			parser:   ParserAuthres,
			want:     []brief{{method: "spf", result: "fail", props: map[string]string{"smtp.mailfrom": "example.net"}}},
		},
		{
			name:     "no-result",
			value:    "example.org; none",
			authserv: "example.org",
			parser:   ParserAuthres,
			want:     nil,
		},
		{
			name:     "quoted reason and comment holding a semicolon",
			value:    `example.com; dkim=fail reason="signature verification failed; body hash" (bad; sig) header.d=example.net`,
			authserv: "example.com",
			parser:   ParserTolerant,
			want:     []brief{{method: "dkim", result: "fail", reason: "signature verification failed; body hash", props: map[string]string{"header.d": "example.net"}}},
			comment0: "bad; sig",
		},
		{
			name:     "results without separating semicolons",
			value:    "mx.example; spf=pass smtp.mailfrom=a.example dkim=pass header.d=a.example dmarc=fail header.from=a.example",
			authserv: "mx.example",
			parser:   ParserTolerant,
			want: []brief{
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "a.example"}},
				{method: "dkim", result: "pass", props: map[string]string{"header.d": "a.example"}},
				{method: "dmarc", result: "fail", props: map[string]string{"header.from": "a.example"}},
			},
		},
		{
			name:     "method version, unknown method and SRS address with '='",
			value:    "mx.example; dkim/1=pass header.d=x.example; x-tls=pass version=TLSv1.3; spf=pass smtp.mailfrom=SRS0=ab=cd=x.example=u@fwd.example",
			authserv: "mx.example",
			parser:   ParserTolerant,
			want: []brief{
				{method: "dkim", result: "pass", props: map[string]string{"header.d": "x.example"}},
				{method: "x-tls", result: "pass", props: map[string]string{"version": "TLSv1.3"}},
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "SRS0=ab=cd=x.example=u@fwd.example"}},
			},
		},
		{
			name:     "quoted authserv-id and unclosed comment",
			value:    `"mx.example"; spf=pass (unterminated smtp.mailfrom=x`,
			authserv: "mx.example",
			parser:   ParserTolerant,
			want:     []brief{{method: "spf", result: "pass", props: map[string]string{}}},
			comment0: "unterminated smtp.mailfrom=x",
		},
		{
			name:     "ARC value without instance is still parsed",
			value:    "mx.example; dmarc=pass header.from=a.example",
			arc:      true,
			authserv: "mx.example",
			parser:   ParserAuthres,
			want:     []brief{{method: "dmarc", result: "pass", props: map[string]string{"header.from": "a.example"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := ParseAuthResults(tt.value, tt.arc)
			if got, want := len(vs), len(tt.want); got != want {
				t.Fatalf("got %d verdicts, want %d: %+v", got, want, vs)
			}
			for i, w := range tt.want {
				v := vs[i]
				if v.Method != w.method || string(v.Result) != w.result || v.Reason != w.reason {
					t.Errorf("verdict %d: got %s=%s reason %q, want %s=%s reason %q", i, v.Method, v.Result, v.Reason, w.method, w.result, w.reason)
				}
				for k, want := range w.props {
					if got := v.Properties[k]; got != want {
						t.Errorf("verdict %d: got %s=%q, want %q", i, k, got, want)
					}
				}
				if got, want := v.AuthservID, tt.authserv; got != want {
					t.Errorf("verdict %d: got authserv-id %q, want %q", i, got, want)
				}
				if got, want := v.Version, tt.version; got != want {
					t.Errorf("verdict %d: got version %q, want %q", i, got, want)
				}
				if got, want := v.Instance, tt.instance; got != want {
					t.Errorf("verdict %d: got instance %d, want %d", i, got, want)
				}
				if got, want := v.Parser, tt.parser; got != want {
					t.Errorf("verdict %d: got parser %q, want %q", i, got, want)
				}
				wantHeader := HeaderAuthResults
				if tt.arc {
					wantHeader = HeaderARCAuthResults
				}
				if got := v.Header; got != wantHeader {
					t.Errorf("verdict %d: got header %q, want %q", i, got, wantHeader)
				}
			}
			if len(vs) > 0 {
				if got, want := vs[0].Comment, tt.comment0; got != want {
					t.Errorf("got first comment %q, want %q", got, want)
				}
			}
		})
	}
}

func TestCompauthReasonMeaning(t *testing.T) {
	tests := []struct {
		code   string
		prefix string
		ok     bool
	}{
		{"000", "failed explicit", true},
		{"001", "failed implicit", true},
		{"002", "the receiving organisation has a policy", true},
		{"010", "failed DMARC", true},
		{"100", "passed", true},
		{"130", "passed", true},
		{"701", "passed", true},
		{"201", "soft-passed", true},
		{"301", "not checked", true},
		{"451", "bypassed", true},
		{"905", "bypassed", true},
		{"601", "failed implicit", true},
		{"005", "", false},
		{"501", "", false},
		{"1000", "", false},
		{"abc", "", false},
	}
	for _, tt := range tests {
		m, ok := CompauthReasonMeaning(tt.code)
		if ok != tt.ok || !strings.HasPrefix(m, tt.prefix) {
			t.Errorf("CompauthReasonMeaning(%q): got %q, %v, want prefix %q, %v", tt.code, m, ok, tt.prefix, tt.ok)
		}
	}
	vs := ParseAuthResults("compauth=pass reason=109", false)
	if len(vs) != 1 || !strings.HasPrefix(vs[0].ReasonMeaning, "passed") {
		t.Errorf("got %+v, want one compauth verdict with a pass meaning", vs)
	}
	vs = ParseAuthResults("compauth=none reason=501", false)
	if len(vs) != 1 || vs[0].ReasonMeaning != "reason code not documented by Microsoft" {
		t.Errorf("got %+v, want one compauth verdict marked undocumented", vs)
	}
}

func TestParseReceivedSPF(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		ok       bool
		result   string
		authserv string
		props    map[string]string
		comment  string
	}{
		{
			name:     "RFC 7208 §9.1 example",
			value:    `pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;`,
			ok:       true,
			result:   "pass",
			authserv: "mybox.example.org",
			props:    map[string]string{"client-ip": "192.0.2.1", "envelope-from": "myname@example.com", "helo": "foo.example.com", "receiver": "mybox.example.org"},
			comment:  "mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender",
		},
		{
			name:     "SpamAssassin corpus: fail with identity and mechanism in comment",
			value:    " fail (dostech.ca: 69.61.78.188 is authorized to use\r\n 'spamassassin@dostech.ca' in 'mfrom' identity (mechanism 'mx' matched))\r\n receiver=FC5-VPC; identity=mfrom; envelope-from=\"spamassassin@dostech.ca\";\r\n helo=smtp.dostech.net; client-ip=69.61.78.188",
			ok:       true,
			result:   "fail",
			authserv: "FC5-VPC",
			props:    map[string]string{"receiver": "FC5-VPC", "identity": "mfrom", "envelope-from": "spamassassin@dostech.ca", "helo": "smtp.dostech.net", "client-ip": "69.61.78.188"},
			comment:  "dostech.ca: 69.61.78.188 is authorized to use 'spamassassin@dostech.ca' in 'mfrom' identity (mechanism 'mx' matched)",
		},
		{
			name:     "Google form: receiver from the comment",
			value:    "neutral (google.com: 64.1.2.3 is neither permitted nor denied by best guess record for domain of j@yahoo-example.com) client-ip=64.1.2.3;",
			ok:       true,
			result:   "neutral",
			authserv: "google.com",
			props:    map[string]string{"client-ip": "64.1.2.3"},
			comment:  "google.com: 64.1.2.3 is neither permitted nor denied by best guess record for domain of j@yahoo-example.com",
		},
		{
			name:     "mixed case result, no comment, pairs without semicolons",
			value:    "SoftFail\r\n receiver=xxx.com; client-ip=192.0.2.9 envelope-from=xxx@xxx.example",
			ok:       true,
			result:   "softfail",
			authserv: "xxx.com",
			props:    map[string]string{"receiver": "xxx.com", "client-ip": "192.0.2.9", "envelope-from": "xxx@xxx.example"},
		},
		{
			name:    "Exchange form with empty host in comment",
			value:   "None (: groupe-company.com does not designate permitted sender\r\n hosts)",
			ok:      true,
			result:  "none",
			props:   map[string]string{},
			comment: ": groupe-company.com does not designate permitted sender hosts",
		},
		{
			name:   "problem key becomes the reason",
			value:  "permerror problem=\"include loop\" mechanism=include:x.example",
			ok:     true,
			result: "permerror",
			props:  map[string]string{"problem": "include loop", "mechanism": "include:x.example"},
		},
		{name: "empty", value: " \r\n ", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := ParseReceivedSPF(tt.value)
			if ok != tt.ok {
				t.Fatalf("got ok %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if got, want := string(v.Result), tt.result; got != want {
				t.Errorf("got result %q, want %q", got, want)
			}
			if got, want := v.AuthservID, tt.authserv; got != want {
				t.Errorf("got authserv-id %q, want %q", got, want)
			}
			if got, want := v.Properties, tt.props; len(got) != len(want) {
				t.Errorf("got properties %v, want %v", got, want)
			}
			for k, want := range tt.props {
				if got := v.Properties[k]; got != want {
					t.Errorf("got %s=%q, want %q", k, got, want)
				}
			}
			if got, want := v.Comment, tt.comment; got != want {
				t.Errorf("got comment %q, want %q", got, want)
			}
			if got, want := v.Reason, tt.props["problem"]; got != want {
				t.Errorf("got reason %q, want %q", got, want)
			}
			if v.Method != "spf" || v.Header != HeaderReceivedSPF {
				t.Errorf("got method %q header %q, want spf %s", v.Method, v.Header, HeaderReceivedSPF)
			}
		})
	}
}

func TestMarkTrustedAndGroup(t *testing.T) {
	fields := []HeaderField{
		{Name: "Authentication-Results", Value: "mx.receiver.example; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example"},
		{Name: "Received", Value: "from x by y; Mon, 1 Jan 2024 00:00:00 +0000"},
		{Name: "ARC-Authentication-Results", Value: "i=1; MX.Receiver.Example.; dmarc=pass header.from=a.example"},
		{Name: "Authentication-Results", Value: "forger.example; dkim=pass header.d=bank.example"},
		{Name: "Received-SPF", Value: "fail (relay.example: domain of a.example does not designate 192.0.2.7 as permitted sender) client-ip=192.0.2.7"},
	}
	vs := Parse(fields)
	if got, want := len(vs), 5; got != want {
		t.Fatalf("got %d verdicts, want %d", got, want)
	}
	if got, want := []int{vs[0].Index, vs[2].Index, vs[3].Index, vs[4].Index}, []int{0, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("got indexes %v, want %v", got, want)
	}
	tests := []struct {
		name  string
		trust func(Verdict) bool
		want  []bool
	}{
		{"by authserv-id, case and trailing dot ignored", TrustAuthservIDs("mx.receiver.example"), []bool{true, true, true, false, false}},
		{"by header index", TrustAbove(3), []bool{true, true, true, false, false}},
		{"everything below the top", TrustAbove(0), []bool{false, false, false, false, false}},
		{"nil function trusts nothing", nil, []bool{false, false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			MarkTrusted(vs, tt.trust)
			var got []bool
			for _, v := range vs {
				got = append(got, v.Trusted)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	MarkTrusted(vs, TrustAuthservIDs("mx.receiver.example"))
	gs := Group(vs)
	var ids []string
	var trusted []bool
	for _, g := range gs {
		ids = append(ids, g.AuthservID)
		trusted = append(trusted, g.Trusted)
	}
	if want := []string{"mx.receiver.example", "forger.example", "relay.example"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("got groups %v, want %v", ids, want)
	}
	if want := []bool{true, false, false}; !reflect.DeepEqual(trusted, want) {
		t.Errorf("got group trust %v, want %v", trusted, want)
	}
	if got, want := len(gs[0].Verdicts), 3; got != want {
		t.Errorf("got %d verdicts in first group, want %d", got, want)
	}
}

func TestFailed(t *testing.T) {
	for _, tt := range []struct {
		result string
		want   bool
	}{{"pass", false}, {"none", false}, {"neutral", false}, {"fail", true}, {"softfail", true}, {"temperror", true}, {"permerror", true}, {"policy", true}} {
		if got := (Verdict{Result: result.Word(tt.result)}).Failed(); got != tt.want {
			t.Errorf("Failed(%q): got %v, want %v", tt.result, got, tt.want)
		}
	}
}

// TestGolden parses the header blocks in testdata/recorded and compares
// the verdicts with NN-name.want.json.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../../testdata/recorded/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			vs := Parse(readFields(string(raw)))
			MarkTrusted(vs, TrustAbove(1))
			golden.JSON(t, strings.TrimSuffix(f, ".eml")+".want.json", vs)
		})
	}
}

// readFields splits a header block into fields, keeping folded lines.
func readFields(s string) []HeaderField {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	var out []HeaderField
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += "\r\n" + line
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		out = append(out, HeaderField{Name: name, Value: value})
	}
	return out
}

func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{
		"example.com; spf=pass smtp.mailfrom=a@b",
		"i=1; mx; dkim=pass (c (nested)) header.d=x",
		"spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x;compauth=pass reason=100",
		`a; b="\"q"; c=(`,
		"mx 1; none",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, value string, arc bool) {
		vs := ParseAuthResults(value, arc)
		if len(vs) > maxResults {
			t.Fatalf("got %d verdicts, want at most %d", len(vs), maxResults)
		}
		for _, v := range vs {
			if v.Method == "" || v.Properties == nil {
				t.Fatalf("got verdict with empty method or nil properties: %+v", v)
			}
			if v.Parser != ParserAuthres && v.Parser != ParserTolerant {
				t.Fatalf("got parser %q", v.Parser)
			}
		}
	})
}

func FuzzParseReceivedSPF(f *testing.F) {
	for _, s := range []string{
		`pass (mybox.example.org: domain of x) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="a@b";`,
		"SoftFail receiver=x; client-ip=1",
		"(only comment",
		`none "unterminated`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		v, ok := ParseReceivedSPF(value)
		if !ok {
			if strings.Trim(value, " \t\r\n") != "" {
				t.Fatalf("got ok=false for non-blank %q", value)
			}
			return
		}
		if v.Method != "spf" || v.Properties == nil {
			t.Fatalf("got %+v", v)
		}
		if len(v.Properties) > maxResults {
			t.Fatalf("got %d properties", len(v.Properties))
		}
	})
}

func TestHostileSizes(t *testing.T) {
	tests := []struct {
		name  string
		value string
		max   int
	}{
		{"many comments", "mx; spf=pass " + strings.Repeat("(c) ", 30000), 1},
		{"many results", "mx; " + strings.Repeat("spf=pass;", 20000), maxResults},
		{"repeated property", "mx; dkim=pass " + strings.Repeat("header.d=x header.d=y ", 5000), 1},
		{"deep comment", "mx; spf=pass " + strings.Repeat("(", 50000), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := ParseAuthResults(tt.value, false)
			if len(vs) > tt.max || len(vs) == 0 {
				t.Fatalf("got %d verdicts, want 1..%d", len(vs), tt.max)
			}
			if got := strings.Count(vs[0].Comment, "; "); got >= maxComments {
				t.Errorf("got %d comment separators, want fewer than %d", got, maxComments)
			}
			if got := strings.Count(vs[0].Properties["header.d"], ", "); got >= maxComments {
				t.Errorf("got %d joined values, want fewer than %d", got, maxComments)
			}
		})
	}
	v, ok := ParseReceivedSPF("pass " + strings.Repeat("a=b; ", 20000))
	if !ok || len(v.Properties) != 1 {
		t.Errorf("got ok=%v and %d properties, want true and 1", ok, len(v.Properties))
	}
}

func TestParseMessage(t *testing.T) {
	raw := "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n" +
		"Authentication-Results: mx.example;\r\n spf=pass smtp.mailfrom=a.example\r\n" +
		"Received-SPF: pass (mx.example: domain of a.example designates 192.0.2.1 as permitted sender)\r\n" +
		"Subject: x\r\n\r\nbody\r\n"
	m, err := message.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	vs := ParseMessage(m.Fields)
	if got, want := len(vs), 2; got != want {
		t.Fatalf("got %d verdicts, want %d", got, want)
	}
	if got, want := []int{vs[0].Index, vs[1].Index}, []int{1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("got indexes %v, want %v", got, want)
	}
	if got, want := vs[0].Properties["smtp.mailfrom"], "a.example"; got != want {
		t.Errorf("got smtp.mailfrom %q, want %q", got, want)
	}
}

func TestParseBounded(t *testing.T) {
	fields := make([]HeaderField, 2000)
	for i := range fields {
		fields[i] = HeaderField{Name: "Authentication-Results", Value: "mx.example.net; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example"}
	}
	if got := len(Parse(fields)); got != MaxVerdicts {
		t.Errorf("Parse of 2000 fields gave %d verdicts, want the cap %d", got, MaxVerdicts)
	}
}
