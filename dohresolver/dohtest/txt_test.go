package dohtest

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestTXT(t *testing.T) {
	long := strings.Repeat("a", 300)
	for _, value := range []string{"", "v=spf1 -all", `quote " and \ back`, "\x01bin\xff", long} {
		rr, err := dns.NewRR(TXT("x.example", value))
		if err != nil {
			t.Fatalf("TXT(%q): %v", value, err)
		}
		txt := rr.(*dns.TXT).Txt
		for _, s := range txt {
			if len(s) > 255 {
				t.Errorf("character-string of %d octets", len(s))
			}
		}
		// miekg/dns keeps presentation escapes in Txt; compare after
		// undoing the two this helper writes for printable bytes.
		got := strings.Join(txt, "")
		if !strings.ContainsAny(value, "\x01\xff") {
			got = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(got)
			if got != value {
				t.Errorf("TXT(%q) round trip gives %q", value, got)
			}
		}
	}
	rr, err := dns.NewRR(TXTStrings("x.example", "v=spf1 ", "-all"))
	if err != nil || len(rr.(*dns.TXT).Txt) != 2 {
		t.Errorf("TXTStrings: %v, %v; want two character-strings", rr, err)
	}
}
