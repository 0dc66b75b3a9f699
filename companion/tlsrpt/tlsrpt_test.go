package tlsrpt

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		txt     string
		wantRUA []string
	}{
		{"v=TLSRPTv1; rua=mailto:reports@example.com", []string{"mailto:reports@example.com"}},
		{"v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt;", []string{"https://reporting.example.com/v1/tlsrpt"}},
		{"v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.com/x", []string{"mailto:a@example.com", "https://r.example.com/x"}},
		{"v=TLSRPTv1; rua=mailto:tls%2Breports@example.com; ext=1", []string{"mailto:tls%2Breports@example.com"}},
		{"v=TLSRPTv1; rua=mailto:tls@example.com?subject=x", []string{"mailto:tls@example.com?subject=x"}},
		{"v=TLSRPTv1", nil},
		{"v=TLSRPTv1; rua=http://example.com/", nil},
		{"v=TLSRPTv1; rua=mailto:not-an-address", nil},
		{"v=TLSRPTv1; rua=https://", nil},
		{"v=TLSRPTv1; rua=", nil},
		{"v=TLSRPTv2; rua=mailto:a@example.com", nil},
		{"rua=mailto:a@example.com; v=TLSRPTv1", nil},
		{"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", nil},
		{"v=TLSRPTv1; rua=mailto:a@example.com; garbage", nil},
	}
	for _, tc := range tests {
		r, err := Parse(tc.txt)
		if tc.wantRUA == nil {
			if err == nil || !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q): got %+v, %v; want an ErrSyntax error", tc.txt, r, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): got %v, want rua %v", tc.txt, err, tc.wantRUA)
			continue
		}
		if !reflect.DeepEqual(r.RUA, tc.wantRUA) {
			t.Errorf("Parse(%q).RUA: got %v, want %v", tc.txt, r.RUA, tc.wantRUA)
		}
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name string
		txts []string
		ok   bool
	}{
		{"one among others", []string{"v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.com"}, true},
		{"none", []string{"hello"}, false},
		{"two", []string{"v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"}, false},
	}
	for _, tc := range tests {
		if _, err := Select(tc.txts); (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("v=TLSRPTv1; rua=mailto:reports@example.com")
	f.Add("v=TLSRPTv1;rua=https://x/,mailto:a@b;")
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := Parse(txt)
		if err == nil && (r.Version != "TLSRPTv1" || len(r.RUA) == 0) {
			t.Fatalf("got %+v from %q, want version and rua", r, txt)
		}
	})
}
