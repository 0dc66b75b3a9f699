package received

import (
	"net/netip"
	"testing"
)

// TestHELOLiteral: when the client's HELO/EHLO argument is an address
// literal and the receiver also states the connection's address, the
// connection's address is the hop's IP (RFC 5321 §4.4: the From-domain is
// what the client claimed, the TCP-info what the receiver saw). The HELO
// literal is attacker-chosen: taking it would move the trust boundary and
// the SPF client IP. Each form follows an MTA's documented or default
// Received template, with documentation addresses.
func TestHELOLiteral(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		ip         string // "" for no address
		helo, rdns string
	}{
		// Exim (spec, received_header_text): the from word is the host
		// name or [address] of the connection; helo= is the HELO.
		{"exim, no reverse DNS", "from [203.0.113.7] (helo=[192.168.1.20]) by mx.example.net with esmtp (Exim 4.96) (envelope-from <a@example.org>) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			"203.0.113.7", "192.168.1.20", ""},
		{"exim, reverse DNS", "from mail.example.org ([203.0.113.7] helo=[192.168.1.20]) by mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.org>) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			"203.0.113.7", "192.168.1.20", "mail.example.org"},
		{"exim, port and IPv6 HELO literal", "from [203.0.113.7] (port=52344 helo=[IPv6:2001:db8::5]) by mx.example.net with esmtp (Exim 4.97) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			"203.0.113.7", "IPv6:2001:db8::5", ""},
		// Yahoo: "from NAME (EHLO ARG) ([ADDRESS])".
		{"yahoo", "from host.example (EHLO [192.168.0.3]) ([198.51.100.9]) by smtp412.mail.ne1.yahoo.com with ESMTPA ID 0123456789abcdef; Mon, 02 Nov 2026 10:00:00 +0000 (UTC)",
			"198.51.100.9", "192.168.0.3", "host.example"},
		// Postfix (smtpd): "from HELO (RDNS [ADDRESS])".
		{"postfix, HELO literal", "from [192.168.0.3] (unknown [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)",
			"198.51.100.9", "192.168.0.3", ""},
		{"postfix, HELO name", "from mail.example.org (mail.example.org [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)",
			"198.51.100.9", "mail.example.org", "mail.example.org"},
		// Sendmail (cf/m4/proto.m4): "from $s ($_)", $_ being
		// "rdns [address]", "(may be forged)" when they do not match.
		{"sendmail, HELO literal", "from [10.0.0.1] (host.example [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			"198.51.100.9", "10.0.0.1", "host.example"},
		{"sendmail, may be forged", "from helo.example (host.example [198.51.100.9] (may be forged)) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			"198.51.100.9", "helo.example", "host.example"},
		// qmail-smtpd received(): "from RDNS (HELO ARG) (ADDRESS)".
		{"qmail, HELO literal", "from unknown (HELO [10.0.0.1]) (198.51.100.9) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			"198.51.100.9", "10.0.0.1", ""},
		{"qmail, bracketed address", "from host.example (HELO x.example) ([198.51.100.9]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			"198.51.100.9", "x.example", "host.example"},
		{"qmail, HELO literal and no address", "from unknown (HELO [10.0.0.1]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			"", "10.0.0.1", ""},
		// Exchange: "from HELO (ADDRESS) by ...".
		{"exchange", "from [10.1.1.1] (203.0.113.5) by EX01.example.net (10.1.1.2) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.39; Mon, 2 Nov 2026 10:00:00 +0000",
			"203.0.113.5", "10.1.1.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.raw)
			var want netip.Addr
			if tt.ip != "" {
				want = netip.MustParseAddr(tt.ip)
			}
			if got.IP != want {
				t.Errorf("IP: got %v, want %v", got.IP, want)
			}
			if got.HELO != tt.helo {
				t.Errorf("HELO: got %q, want %q", got.HELO, tt.helo)
			}
			if got.RDNS != tt.rdns {
				t.Errorf("RDNS: got %q, want %q", got.RDNS, tt.rdns)
			}
		})
	}
}
