package dmarc

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func codes(r *Record) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func TestIsDMARC(t *testing.T) {
	tests := []struct {
		txt  string
		want bool
	}{
		{"v=DMARC1; p=none", true},
		{"v=DMARC1", true},
		{"v=DMARC1;", true},
		{"v = DMARC1 ; p=none", true},   // RFC 9989 §4.8: *WSP around "="
		{"v=\tDMARC1\t;p=none", true},   // HTAB is WSP
		{"V=DMARC1; p=none", true},      // tag names are case-insensitive
		{"  v=DMARC1; p=none", true},    // leading space tolerated (warned)
		{"v=dmarc1; p=reject", false},   // the value is case-sensitive
		{"v=DMARC1x; p=reject", false},  // trailing garbage
		{"v=DMARC10; p=reject", false},  // not DMARC1
		{"v=DMARC2; p=reject", false},   // another version
		{"p=reject; v=DMARC1", false},   // v must be first
		{"v=spf1 -all", false},          // not DMARC
		{"", false},                     //
		{"v", false},                    //
		{"v=", false},                   //
		{"DMARC1; p=none", false},       // no tag name
		{"v=DMARC1 p=none", false},      // no separator
		{"x v=DMARC1; p=none", false},   // something before v
		{"v=DMARC1\x00; p=none", false}, // a NUL is not a separator
	}
	for _, tc := range tests {
		if got := IsDMARC(tc.txt); got != tc.want {
			t.Errorf("IsDMARC(%q): got %v, want %v", tc.txt, got, tc.want)
		}
	}
}

func TestParseRecordNotDMARC(t *testing.T) {
	for _, txt := range []string{"v=dmarc1; p=none", "some other txt record", "v=DMARC1x"} {
		if r, err := ParseRecord(txt); !errors.Is(err, ErrNotDMARC) || r != nil {
			t.Errorf("ParseRecord(%q): got %v, %v; want nil, ErrNotDMARC", txt, r, err)
		}
	}
}

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name  string
		txt   string
		check func(r *Record) string // "" when fine
		codes []string               // finding codes that must be present
		not   []string               // finding codes that must be absent
	}{
		{
			name: "full RFC 7489 record",
			txt:  "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=s; pct=100; fo=1:d; rf=afrf; ri=3600; rua=mailto:agg@example.com; ruf=mailto:fail@example.com",
			check: func(r *Record) string {
				switch {
				case r.Policy != PolicyReject, r.SubdomainPolicy != PolicyQuarantine:
					return "p/sp"
				case r.ADKIM != Strict, r.ASPF != Strict:
					return "modes"
				case !slices.Equal(r.FailureOptions, []string{"1", "d"}):
					return "fo"
				case r.ReportInterval != 3600:
					return "ri"
				case len(r.RUA) != 1 || r.RUA[0].Address != "agg@example.com" || !r.RUA[0].Valid:
					return "rua"
				case len(r.RUF) != 1 || r.RUF[0].Address != "fail@example.com":
					return "ruf"
				case !r.Usable || r.NoneFallback:
					return "usable"
				}
				return ""
			},
			codes: []string{"dmarc-pct-historic", "dmarc-rf-historic", "dmarc-ri-historic"},
			not:   []string{"dmarc-p-none", "dmarc-no-rua", "dmarc-unknown-tag", "dmarc-p-not-second"},
		},
		{
			name: "defaults",
			txt:  "v=DMARC1; p=none",
			check: func(r *Record) string {
				switch {
				case r.ADKIM != Relaxed || r.ASPF != Relaxed:
					return "modes default to relaxed"
				case r.Percent != 100 || r.PSD != PSDUnknown || r.Testing:
					return "pct/psd/t defaults"
				case r.ReportInterval != 86400 || !slices.Equal(r.FailureOptions, []string{"0"}) || !slices.Equal(r.ReportFormats, []string{"afrf"}):
					return "ri/fo/rf defaults"
				case r.SubdomainPolicy != "" || r.NonExistentPolicy != "":
					return "sp/np unset"
				}
				return ""
			},
			codes: []string{"dmarc-p-none", "dmarc-no-rua"},
		},
		{
			name: "keyword values are case-insensitive, URIs keep their case",
			txt:  "v=DMARC1; P=Reject; ADKIM=S; aspf=R; t=Y; psd=N; rua=mailto:DMARC-Reports@Example.COM",
			check: func(r *Record) string {
				switch {
				case r.Policy != PolicyReject:
					return "p"
				case r.ADKIM != Strict || r.ASPF != Relaxed:
					return "modes"
				case !r.Testing || r.PSD != PSDNo:
					return "t/psd"
				case r.RUA[0].Address != "DMARC-Reports@Example.COM":
					return "address case"
				case r.Tags["rua"] != "mailto:DMARC-Reports@Example.COM":
					return "raw tag value"
				}
				return ""
			},
			codes: []string{"dmarc-testing"},
		},
		{
			name:  "white space around = and ;",
			txt:   "v = DMARC1 ;  p = quarantine ; adkim = s ;",
			check: func(r *Record) string { return cond(r.Policy == PolicyQuarantine && r.ADKIM == Strict, "p/adkim") },
			not:   []string{"dmarc-tag-syntax", "dmarc-empty-tag"},
		},
		{
			name:  "p missing without rua: no DMARC processing",
			txt:   "v=DMARC1; adkim=s",
			check: func(r *Record) string { return cond(!r.Usable && !r.NoneFallback, "usable") },
			codes: []string{"dmarc-p-missing", "dmarc-no-policy"},
		},
		{
			name: "p missing with valid rua: p=none",
			txt:  "v=DMARC1; rua=mailto:d@example.com",
			check: func(r *Record) string {
				p, src := r.PolicyFor(false, true)
				return cond(r.Usable && r.NoneFallback && p == PolicyNone && src == "p", "fallback")
			},
			codes: []string{"dmarc-p-missing", "dmarc-policy-fallback-none"},
			not:   []string{"dmarc-no-policy"},
		},
		{
			name:  "p invalid with invalid rua: no processing",
			txt:   "v=DMARC1; p=block; rua=dmarc@example.com",
			check: func(r *Record) string { return cond(!r.Usable && r.Policy == "", "usable") },
			codes: []string{"dmarc-p-invalid", "dmarc-uri-invalid", "dmarc-no-policy", "dmarc-no-valid-rua"},
		},
		{
			name: "sp invalid with valid rua: everything none",
			txt:  "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com",
			check: func(r *Record) string {
				p, _ := r.PolicyFor(true, true)
				return cond(r.NoneFallback && p == PolicyNone, "fallback")
			},
			codes: []string{"dmarc-sp-invalid", "dmarc-policy-fallback-none"},
		},
		{
			name:  "np invalid without rua",
			txt:   "v=DMARC1; p=reject; np=maybe",
			check: func(r *Record) string { return cond(!r.Usable, "usable") },
			codes: []string{"dmarc-np-invalid", "dmarc-no-policy"},
		},
		{
			name:  "p not second (RFC 7489 §6.3)",
			txt:   "v=DMARC1; rua=mailto:d@example.com; p=reject",
			check: func(r *Record) string { return cond(r.Policy == PolicyReject && r.Usable, "p") },
			codes: []string{"dmarc-p-not-second"},
		},
		{
			name:  "pct below 100",
			txt:   "v=DMARC1; p=reject; pct=20",
			check: func(r *Record) string { return cond(r.Percent == 20, "pct") },
			codes: []string{"dmarc-pct-partial"},
			not:   []string{"dmarc-pct-historic"},
		},
		{
			name:  "pct out of range",
			txt:   "v=DMARC1; p=reject; pct=101",
			check: func(r *Record) string { return cond(r.Percent == 100, "pct default") },
			codes: []string{"dmarc-pct-invalid"},
		},
		{
			name:  "pct signed",
			txt:   "v=DMARC1; p=reject; pct=+5",
			check: func(r *Record) string { return cond(r.Percent == 100, "pct default") },
			codes: []string{"dmarc-pct-invalid"},
		},
		{
			name:  "unknown tag ignored",
			txt:   "v=DMARC1; p=reject; foo=bar; rua=mailto:a@example.com",
			check: func(r *Record) string { return cond(r.Tags["foo"] == "bar" && r.Usable, "tags") },
			codes: []string{"dmarc-unknown-tag"},
		},
		{
			name:  "duplicate tag keeps the first",
			txt:   "v=DMARC1; p=reject; p=none",
			check: func(r *Record) string { return cond(r.Policy == PolicyReject, "first p") },
			codes: []string{"dmarc-duplicate-tag"},
		},
		{
			name:  "repeated version tag",
			txt:   "v=DMARC1; p=reject; v=DMARC1",
			codes: []string{"dmarc-duplicate-tag"},
		},
		{
			name:  "tag without =",
			txt:   "v=DMARC1; p=reject; quarantine",
			codes: []string{"dmarc-tag-syntax"},
		},
		{
			name:  "bad tag name",
			txt:   "v=DMARC1; p=reject; 9x=1",
			codes: []string{"dmarc-tag-syntax"},
		},
		{
			name:  "empty entry between separators",
			txt:   "v=DMARC1;; p=reject",
			check: func(r *Record) string { return cond(r.Policy == PolicyReject, "p") },
			codes: []string{"dmarc-empty-tag"},
		},
		{
			name:  "leading space",
			txt:   " v=DMARC1; p=reject",
			codes: []string{"dmarc-leading-space"},
		},
		{
			name:  "invalid alignment modes fall back to relaxed",
			txt:   "v=DMARC1; p=reject; adkim=strict; aspf=x",
			check: func(r *Record) string { return cond(r.ADKIM == Relaxed && r.ASPF == Relaxed, "modes") },
			codes: []string{"dmarc-adkim-invalid", "dmarc-aspf-invalid"},
		},
		{
			name:  "fo invalid, fo without ruf",
			txt:   "v=DMARC1; p=reject; fo=2",
			check: func(r *Record) string { return cond(slices.Equal(r.FailureOptions, []string{"0"}), "fo") },
			codes: []string{"dmarc-fo-invalid", "dmarc-fo-without-ruf"},
		},
		{
			name:  "fo with spaces around colons",
			txt:   "v=DMARC1; p=reject; fo=0 : 1 : s; ruf=mailto:f@example.com",
			check: func(r *Record) string { return cond(slices.Equal(r.FailureOptions, []string{"0", "1", "s"}), "fo") },
			not:   []string{"dmarc-fo-invalid", "dmarc-fo-without-ruf"},
		},
		{
			name:  "rf unknown format",
			txt:   "v=DMARC1; p=reject; rf=iodef",
			codes: []string{"dmarc-rf-invalid", "dmarc-rf-historic"},
		},
		{
			name:  "ri not a number",
			txt:   "v=DMARC1; p=reject; ri=daily",
			check: func(r *Record) string { return cond(r.ReportInterval == 86400, "ri") },
			codes: []string{"dmarc-ri-invalid"},
		},
		{
			name:  "ri above 32 bits",
			txt:   "v=DMARC1; p=reject; ri=4294967296",
			check: func(r *Record) string { return cond(r.ReportInterval == 86400, "ri") },
			codes: []string{"dmarc-ri-invalid"},
		},
		{
			name:  "t invalid",
			txt:   "v=DMARC1; p=reject; t=yes",
			check: func(r *Record) string { return cond(!r.Testing, "t") },
			codes: []string{"dmarc-t-invalid"},
		},
		{
			name:  "psd y",
			txt:   "v=DMARC1; p=reject; psd=y",
			check: func(r *Record) string { return cond(r.PSD == PSDYes, "psd") },
			codes: []string{"dmarc-psd-yes"},
		},
		{
			name:  "psd invalid",
			txt:   "v=DMARC1; p=reject; psd=maybe",
			check: func(r *Record) string { return cond(r.PSD == PSDUnknown, "psd") },
			codes: []string{"dmarc-psd-invalid"},
		},
		{
			name:  "np parsed",
			txt:   "v=DMARC1; p=reject; sp=quarantine; np=none",
			check: func(r *Record) string { return cond(r.NonExistentPolicy == PolicyNone, "np") },
		},
		{
			name: "rua list with size limits and schemes",
			txt:  "v=DMARC1; p=none; rua=mailto:a@example.com!10m , mailto:b@example.net!500, https://r.example/dmarc",
			check: func(r *Record) string {
				switch {
				case len(r.RUA) != 3:
					return "count"
				case r.RUA[0].MaxSize != 10<<20 || r.RUA[0].URI != "mailto:a@example.com" || !r.RUA[0].Valid:
					return "first"
				case r.RUA[1].MaxSize != 500 || r.RUA[1].Address != "b@example.net":
					return "second"
				case r.RUA[2].Scheme != "https" || !r.RUA[2].Valid:
					return "third"
				}
				return ""
			},
			codes: []string{"dmarc-uri-size-limit", "dmarc-uri-scheme"},
			not:   []string{"dmarc-uri-invalid"},
		},
		{
			name:  "bad size suffix",
			txt:   "v=DMARC1; p=none; rua=mailto:a@example.com!10x",
			check: func(r *Record) string { return cond(!r.RUA[0].Valid, "invalid") },
			codes: []string{"dmarc-uri-invalid", "dmarc-no-valid-rua"},
		},
		{
			name:  "size suffix overflow",
			txt:   "v=DMARC1; p=none; rua=mailto:a@example.com!99999999999999999999t",
			check: func(r *Record) string { return cond(!r.RUA[0].Valid, "invalid") },
			codes: []string{"dmarc-uri-invalid"},
		},
		{
			name:  "mailto without address",
			txt:   "v=DMARC1; p=none; rua=mailto:",
			codes: []string{"dmarc-uri-invalid"},
		},
		{
			name:  "mailto with bad domain",
			txt:   "v=DMARC1; p=none; rua=mailto:a@exa mple.com",
			codes: []string{"dmarc-uri-invalid"},
		},
		{
			name:  "mailto without local part",
			txt:   "v=DMARC1; p=none; rua=mailto:@example.com",
			codes: []string{"dmarc-uri-invalid"},
		},
		{
			name:  "empty URI in list",
			txt:   "v=DMARC1; p=none; rua=mailto:a@example.com,,",
			check: func(r *Record) string { return cond(len(r.RUA) == 3 && r.RUA[0].Valid && !r.RUA[1].Valid, "list") },
			codes: []string{"dmarc-uri-invalid"},
			not:   []string{"dmarc-no-valid-rua"},
		},
		{
			name:  "percent-encoded mailto",
			txt:   "v=DMARC1; p=none; rua=mailto:dmarc%2Breports@example.com",
			check: func(r *Record) string { return cond(r.RUA[0].Address == "dmarc+reports@example.com", "decoded") },
			not:   []string{"dmarc-uri-invalid"},
		},
		{
			name:  "mailto with query",
			txt:   "v=DMARC1; p=none; rua=mailto:d@example.com?subject=report",
			check: func(r *Record) string { return cond(r.RUA[0].Address == "d@example.com", "address") },
			not:   []string{"dmarc-uri-invalid"},
		},
		{
			name:  "control characters in a value",
			txt:   "v=DMARC1; p=none; rua=mailto:d@example.com\x01",
			codes: []string{"dmarc-value-chars", "dmarc-uri-invalid"},
		},
		{
			name: "hostile record: many repeated tags",
			txt:  "v=DMARC1; p=reject" + strings.Repeat("; p=none", 5000),
			check: func(r *Record) string {
				return cond(r.Policy == PolicyReject && len(r.Findings) <= maxRecordFindings+10, "bounded findings")
			},
			codes: []string{"dmarc-too-many-tags", "dmarc-duplicate-tag", "dmarc-findings-truncated", "dmarc-no-rua"},
		},
		{
			name:  "raw record kept byte for byte",
			txt:   "v=DMARC1;p=reject;   rua=mailto:X@Example.com  ",
			check: func(r *Record) string { return cond(r.Raw == "v=DMARC1;p=reject;   rua=mailto:X@Example.com  ", "raw") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRecord(tc.txt)
			if err != nil {
				t.Fatalf("ParseRecord(%q): got error %v, want a record", tc.txt, err)
			}
			if tc.check != nil {
				if bad := tc.check(r); bad != "" {
					t.Errorf("ParseRecord(%q): got %+v, want correct %s", tc.txt, *r, bad)
				}
			}
			got := codes(r)
			for _, c := range tc.codes {
				if !slices.Contains(got, c) {
					t.Errorf("ParseRecord(%q) findings: got %v, want %s among them", tc.txt, got, c)
				}
			}
			for _, c := range tc.not {
				if slices.Contains(got, c) {
					t.Errorf("ParseRecord(%q) findings: got %v, want no %s", tc.txt, got, c)
				}
			}
			for _, f := range r.Findings {
				if f.Source != "dmarc" || f.Message == "" || strings.TrimSpace(string(f.Severity)) == "" {
					t.Errorf("finding %+v: got empty field, want source dmarc, message and severity", f)
				}
			}
		})
	}
}

func cond(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

func TestPolicyFor(t *testing.T) {
	tests := []struct {
		txt             string
		subdomain, live bool
		want            Policy
		src             string
	}{
		{"v=DMARC1; p=reject; sp=quarantine; np=none", false, true, PolicyReject, "p"},
		{"v=DMARC1; p=reject; sp=quarantine; np=none", false, false, PolicyReject, "p"}, // np is for subdomains only
		{"v=DMARC1; p=reject; sp=quarantine; np=none", true, true, PolicyQuarantine, "sp"},
		{"v=DMARC1; p=reject; sp=quarantine; np=none", true, false, PolicyNone, "np"},
		{"v=DMARC1; p=reject; sp=quarantine", true, false, PolicyQuarantine, "sp"}, // np falls back to sp
		{"v=DMARC1; p=reject", true, false, PolicyReject, "p"},                     // then to p
		{"v=DMARC1; p=reject; np=none", true, true, PolicyReject, "p"},             // existing subdomain without sp
		{"v=DMARC1; p=none; sp=reject", true, true, PolicyReject, "sp"},
	}
	for _, tc := range tests {
		r, err := ParseRecord(tc.txt)
		if err != nil {
			t.Fatal(err)
		}
		p, src := r.PolicyFor(tc.subdomain, tc.live)
		if p != tc.want || src != tc.src {
			t.Errorf("%q PolicyFor(sub=%v, exists=%v): got %s from %s, want %s from %s", tc.txt, tc.subdomain, tc.live, p, src, tc.want, tc.src)
		}
	}
}

func TestDowngrade(t *testing.T) {
	for in, want := range map[Policy]Policy{PolicyReject: PolicyQuarantine, PolicyQuarantine: PolicyNone, PolicyNone: PolicyNone} {
		if got := in.downgrade(); got != want {
			t.Errorf("%s.downgrade(): got %s, want %s", in, got, want)
		}
	}
}
