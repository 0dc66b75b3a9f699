package trail

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBoundaryHELOLiteral: the address literal a client gives as its
// HELO/EHLO argument is its own claim (RFC 5321 §4.4). It must neither
// place the trust boundary nor become the SPF client IP: a private literal
// would make the attacker's connection look internal and move the boundary
// down to hops the attacker wrote. The receiving hops follow Exim's and
// qmail's Received templates; the older hop is the attacker's forgery.
func TestBoundaryHELOLiteral(t *testing.T) {
	forged := "from mail.bank.example (mail.bank.example [192.0.2.77]) by gw.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 09:59:00 +0000"
	tests := []struct {
		name      string
		received  []string // topmost first
		ev        Evidence
		index     int // boundary hop, 0 = oldest
		ip        string
		hopIP     string // the boundary hop's ip
		claimed   bool   // the boundary hop's ipClaimed
		private   bool   // the boundary hop's private
		evidence  string
		internals []bool // oldest first
	}{
		{
			// Exim: the connection is "[203.0.113.7]", the private
			// literal only the HELO.
			name: "exim, HELO literal beside the connection address",
			received: []string{
				"from [203.0.113.7] (helo=[192.168.1.20]) by mx.example.net with esmtp (Exim 4.96) (envelope-from <a@bank.example>) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
				forged,
			},
			index: 1, ip: "203.0.113.7", hopIP: "203.0.113.7", evidence: EvidenceByChain,
			internals: []bool{false, true},
		},
		{
			// Yahoo's form and a Received-SPF naming the real client.
			name: "yahoo form with received-spf",
			received: []string{
				"from host.example (EHLO [192.168.0.3]) ([198.51.100.9]) by mx.example.net with ESMTP; Mon, 02 Nov 2026 10:00:00 +0000",
				forged,
			},
			ev:    Evidence{ReceivedSPF: []string{"fail (mx.example.net: domain of a@bank.example does not designate 198.51.100.9 as permitted sender) client-ip=198.51.100.9; envelope-from=a@bank.example; helo=[192.168.0.3];"}},
			index: 1, ip: "198.51.100.9", hopIP: "198.51.100.9", evidence: EvidenceSPF,
			internals: []bool{false, true},
		},
		{
			// qmail's form with no address stated: the literal is shown
			// as claimed, the boundary stays at the receiver's hop and
			// has no client IP.
			name: "only the HELO literal: claimed, not trusted",
			received: []string{
				"from unknown (HELO [192.168.1.20]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
				forged,
			},
			index: 1, ip: "", hopIP: "192.168.1.20", claimed: true, private: true, evidence: EvidenceByChain,
			internals: []bool{false, true},
		},
		{
			// A Received-SPF client-ip equal to a claimed literal does
			// not tie the boundary to the hop that claims it.
			name: "claimed literal is no received-spf match",
			received: []string{
				"from mx.example.net (mx.example.net [203.0.113.25]) by store.example.net (Postfix) with ESMTPS id 5BcDeF; Mon, 2 Nov 2026 10:00:01 +0000",
				"from unknown (HELO [192.0.2.77]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
				forged,
			},
			ev:    Evidence{ReceivedSPF: []string{"pass (mx.example.net: domain of a@bank.example designates 192.0.2.77 as permitted sender) client-ip=192.0.2.77;"}},
			index: 1, ip: "", hopIP: "192.0.2.77", claimed: true, evidence: EvidenceByChain,
			internals: []bool{false, true, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(tt.received, tt.ev)
			b := r.Boundary
			if b == nil {
				t.Fatalf("boundary: got nil, want hop %d", tt.index)
			}
			if b.Index != tt.index || b.IP != tt.ip || b.Evidence != tt.evidence {
				t.Errorf("boundary: got {%d %q %s}, want {%d %q %s}", b.Index, b.IP, b.Evidence, tt.index, tt.ip, tt.evidence)
			}
			h := r.Hops[tt.index]
			if h.IP != tt.hopIP || h.IPClaimed != tt.claimed || h.Private != tt.private {
				t.Errorf("boundary hop: got {ip %q claimed %v private %v}, want {ip %q claimed %v private %v}", h.IP, h.IPClaimed, h.Private, tt.hopIP, tt.claimed, tt.private)
			}
			if h.Addr.IsValid() == tt.claimed {
				t.Errorf("boundary hop Addr valid: got %v, want %v", h.Addr.IsValid(), !tt.claimed)
			}
			for i, want := range tt.internals {
				if r.Hops[i].Internal != want {
					t.Errorf("hop %d internal: got %v, want %v", i, r.Hops[i].Internal, want)
				}
			}
			j, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(j), `"ipClaimed":true`); got != tt.claimed {
				t.Errorf("JSON has ipClaimed true: got %v, want %v (%s)", got, tt.claimed, j)
			}
		})
	}
}
