package asciifold

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct {
		s, w                    string
		prefix, equal, prefixOf bool
	}{
		{"ESMTPS", "esmtp", true, false, false},
		{"Tue", "tuesday", false, false, true},
		{"Thu", "thu", true, true, true},
		{"", "x", false, false, true},
		{"x", "", true, false, false},
		{"JAN", "feb", false, false, false},
	}
	for _, tt := range tests {
		if got := HasPrefix(tt.s, tt.w); got != tt.prefix {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", tt.s, tt.w, got, tt.prefix)
		}
		if got := Equal(tt.s, tt.w); got != tt.equal {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.s, tt.w, got, tt.equal)
		}
		if got := PrefixOf(tt.s, tt.w); got != tt.prefixOf {
			t.Errorf("PrefixOf(%q, %q) = %v, want %v", tt.s, tt.w, got, tt.prefixOf)
		}
	}
	if got := LowerNonASCII("İSTANBUL"); got != strings.ToLower("İSTANBUL") || !Equal(got, "istanbul") {
		t.Errorf("LowerNonASCII = %q", got)
	}
	if s := "PLAIN"; LowerNonASCII(s) != s {
		t.Error("LowerNonASCII changed an ASCII string")
	}
}
