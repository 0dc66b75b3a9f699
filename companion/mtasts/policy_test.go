package mtasts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		txt    string
		wantID string
		ok     bool
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z", true},
		{"v=STSv1;id=abc", "abc", true},
		{"v=STSv1; id=abc ; ext.x=1", "abc", true},
		{"v=STSv1; id=" + strings.Repeat("a", 32), strings.Repeat("a", 32), true},
		{"v=STSv1; id=" + strings.Repeat("a", 33), "", false},
		{"v=STSv1; id=a-b", "", false},
		{"v=STSv1;", "", false},
		{"v=STSv1; id=", "", false},
		{"v=STSv2; id=abc", "", false},
		{"id=abc; v=STSv1", "", false},
		{"v=STSv1; id=abc; id=def", "", false},
		{"v=STSv1; id=abc; junk", "", false},
		{"v=STSv1; id=abc; x=a;b", "", false},
	}
	for _, tc := range tests {
		r, err := ParseRecord(tc.txt)
		if (err == nil) != tc.ok {
			t.Errorf("ParseRecord(%q): got err %v, want ok=%v", tc.txt, err, tc.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseRecord(%q): got %v, want ErrSyntax", tc.txt, err)
		}
		if err == nil && r.ID != tc.wantID {
			t.Errorf("ParseRecord(%q).ID: got %q, want %q", tc.txt, r.ID, tc.wantID)
		}
	}
}

func TestSelectRecord(t *testing.T) {
	tests := []struct {
		name string
		txts []string
		ok   bool
	}{
		{"one", []string{"v=spf1 -all", "v=STSv1; id=1"}, true},
		{"none", []string{"v=spf1 -all"}, false},
		{"two", []string{"v=STSv1; id=1", "v=STSv1; id=2"}, false},
		{"one invalid", []string{"v=STSv1; id=!"}, false},
	}
	for _, tc := range tests {
		_, err := SelectRecord(tc.txts)
		if got := err == nil; got != tc.ok {
			t.Errorf("%s: got err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     *Policy
		wantWarn int
	}{
		{"RFC example", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
			&Policy{Version: "STSv1", Mode: ModeEnforce, MaxAge: 604800, MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}, 0},
		{"LF and spaces", "version:STSv1\nmode:   testing\nmx: MX.Example.COM.\nmax_age: 0\n",
			&Policy{Version: "STSv1", Mode: ModeTesting, MaxAge: 0, MX: []string{"mx.example.com"}}, 0},
		{"none without mx", "version: STSv1\nmode: none\nmax_age: 86400",
			&Policy{Version: "STSv1", Mode: ModeNone, MaxAge: 86400, MX: []string{}}, 0},
		{"extension and duplicate", "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 31557600\nfoo_bar: some value\n",
			&Policy{Version: "STSv1", Mode: ModeEnforce, MaxAge: 31557600, MX: []string{"a.example"}, Extensions: []Field{{"foo_bar", "some value"}}}, 1},
		{"max_age too large", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", nil, 0},
		{"max_age 11 digits", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 00000000001\n", nil, 0},
		{"max_age negative", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", nil, 0},
		{"missing max_age", "version: STSv1\nmode: enforce\nmx: a.example\n", nil, 0},
		{"missing version", "mode: enforce\nmx: a.example\nmax_age: 1\n", nil, 0},
		{"bad version", "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", nil, 0},
		{"bad mode", "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", nil, 0},
		{"enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 1\n", nil, 0},
		{"bad mx", "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", nil, 0},
		{"double wildcard", "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", nil, 0},
		{"no colon", "version: STSv1\nmode enforce\n", nil, 0},
		{"html", "<html><body>hello</body></html>", nil, 0},
		{"too large", strings.Repeat("x", MaxPolicyBytes+1), nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePolicy([]byte(tc.body))
			if tc.want == nil {
				if err == nil || !errors.Is(err, ErrSyntax) {
					t.Fatalf("got %+v, %v; want an ErrSyntax error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %+v", err, tc.want)
			}
			if len(got.Warnings) != tc.wantWarn {
				t.Errorf("Warnings: got %v, want %d", got.Warnings, tc.wantWarn)
			}
			got.Warnings = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"mail.example.com", "mail.example.com", true},
		{"mail.example.com", "MAIL.Example.com.", true},
		{"mail.example.com", "mail2.example.com", false},
		{"*.example.com", "mx1.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.b.example.com", false},
		{"*.example.com", ".example.com", false},
		{"*.example.com", "mx1.example.com.evil", false},
		{"*.example.com", "mx1.example.org", false},
		{"", "example.com", false},
	}
	for _, tc := range tests {
		if got := MatchPattern(tc.pattern, tc.host); got != tc.want {
			t.Errorf("MatchPattern(%q, %q): got %v, want %v", tc.pattern, tc.host, got, tc.want)
		}
	}
	p := &Policy{MX: []string{"mail.example.com", "*.example.net"}}
	for host, want := range map[string]bool{"mail.example.com": true, "x.example.net": true, "example.net": false} {
		if got := p.Matches(host); got != want {
			t.Errorf("Matches(%q): got %v, want %v", host, got, want)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
		"version: STSv1\nmode: none\nmax_age: 0\n", "mode:\n", ":", "\n\n\n", "max_age: 99999999999",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePolicy(body)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		if p.Version != "STSv1" {
			t.Fatalf("Version: got %q, want STSv1", p.Version)
		}
		if p.Mode != ModeEnforce && p.Mode != ModeTesting && p.Mode != ModeNone {
			t.Fatalf("Mode: got %q", p.Mode)
		}
		if p.MaxAge < 0 || p.MaxAge > MaxMaxAge {
			t.Fatalf("MaxAge: got %d, want 0..%d", p.MaxAge, MaxMaxAge)
		}
		if p.Mode != ModeNone && len(p.MX) == 0 {
			t.Fatalf("MX: got none in mode %s", p.Mode)
		}
		for _, m := range p.MX {
			if !validPattern(m) {
				t.Fatalf("MX pattern %q is invalid", m)
			}
			host := strings.TrimPrefix(m, "*.")
			if strings.HasPrefix(m, "*.") {
				host = "x." + host
			}
			if !p.Matches(host) {
				t.Fatalf("Matches(%q): got false for its own pattern %q", host, m)
			}
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a;b=c", "v=STSv1", ";;;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseRecord(txt)
		if err != nil {
			return
		}
		if r.Version != "STSv1" || len(r.ID) < 1 || len(r.ID) > 32 || !isAlnum(r.ID) {
			t.Fatalf("got %+v from %q, want STSv1 and a valid id", r, txt)
		}
	})
}
