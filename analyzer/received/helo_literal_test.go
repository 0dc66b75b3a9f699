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
// the SPF client IP. When the receiver states no address at all, the
// literal is the IP and IPClaimed is set. Each form follows an MTA's
// documented or default Received template, or a field quoted in Apache
// SpamAssassin's Received.pm parser, with documentation addresses.
func TestHELOLiteral(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		ip         string // "" for no address
		claimed    bool
		helo, rdns string
		ident      string
	}{
		// Exim (spec, received_header_text and $sender_rcvhost): the
		// from word is the verified host name or [address] of the
		// connection, the address follows in the comment when a name
		// comes first, helo= is the HELO when it differs.
		{name: "exim, no reverse DNS", raw: "from [203.0.113.7] (helo=[192.168.1.20]) by mx.example.net with esmtp (Exim 4.96) (envelope-from <a@example.org>) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "203.0.113.7", helo: "192.168.1.20"},
		{name: "exim, reverse DNS", raw: "from mail.example.org ([203.0.113.7] helo=[192.168.1.20]) by mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.org>) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "203.0.113.7", helo: "192.168.1.20", rdns: "mail.example.org"},
		{name: "exim, port logged after the address", raw: "from mail.example.org ([203.0.113.7]:52344 helo=[192.168.1.20]) by mx.example.net with esmtp (Exim 4.96) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "203.0.113.7", helo: "192.168.1.20", rdns: "mail.example.org"},
		{name: "exim, port and IPv6 HELO literal", raw: "from [203.0.113.7] (port=52344 helo=[IPv6:2001:db8::5]) by mx.example.net with esmtp (Exim 4.97) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "203.0.113.7", helo: "IPv6:2001:db8::5"},
		{name: "exim, IPv6 connection and ident", raw: "from [2001:db8::7] (helo=[192.168.1.20] ident=joe) by mx.example.net with esmtp (Exim 4.96) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "2001:db8::7", helo: "192.168.1.20", ident: "joe"},
		// Exim's default template when no host is known (local -bs):
		// "from $sender_ident (helo=$sender_helo_name)".
		{name: "exim, local SMTP: only the claim", raw: "from joe (helo=[127.0.0.1]) by mx.example.net with local-esmtp (Exim 4.96) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "127.0.0.1", claimed: true, helo: "127.0.0.1"},
		// Yahoo: "from NAME (EHLO ARG) ([ADDRESS])", and "(user@ADDRESS
		// with plain)" after SMTP AUTH.
		{name: "yahoo", raw: "from host.example (EHLO [192.168.0.3]) ([198.51.100.9]) by smtp412.mail.ne1.yahoo.com with ESMTPA ID 0123456789abcdef; Mon, 02 Nov 2026 10:00:00 +0000 (UTC)",
			ip: "198.51.100.9", helo: "192.168.0.3", rdns: "host.example"},
		{name: "yahoo, IPv6", raw: "from host.example (EHLO [IPv6:2001:db8::3]) ([2001:db8::9]) by smtp412.mail.ne1.yahoo.com with ESMTPA ID 0123456789abcdef; Mon, 02 Nov 2026 10:00:00 +0000 (UTC)",
			ip: "2001:db8::9", helo: "IPv6:2001:db8::3", rdns: "host.example"},
		{name: "yahoo, authenticated", raw: "from customer.example (HELO [10.0.0.1]) (joe@198.51.100.9 with plain) by smtp.mail.vip.sc5.yahoo.com with SMTP; 11 Mar 2003 21:03:28 -0000",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "customer.example", ident: "joe"},
		{name: "yahoo, webmail", raw: "from [198.51.100.9] by web1.mail.example.yahoo.com via HTTP; Wed, 12 Feb 2003 14:22:21 PST",
			ip: "198.51.100.9"},
		// Cisco IronPort: "from NAME (HELO ARG) ([ADDRESS])".
		{name: "ironport", raw: "from unknown (HELO [10.0.0.1]) ([198.51.100.9]) by esa1.example.iphmx.com with ESMTP; 02 Nov 2026 10:00:00 +0000",
			ip: "198.51.100.9", helo: "10.0.0.1"},
		// Postfix (smtpd): "from HELO (RDNS [ADDRESS])"; the HELO is
		// neutered, the address Postfix's rfc_addr ("IPv6:" for IPv6).
		{name: "postfix, HELO literal", raw: "from [192.168.0.3] (unknown [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)",
			ip: "198.51.100.9", helo: "192.168.0.3"},
		{name: "postfix, HELO name", raw: "from mail.example.org (mail.example.org [198.51.100.9]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)",
			ip: "198.51.100.9", helo: "mail.example.org", rdns: "mail.example.org"},
		{name: "postfix, IPv6", raw: "from [IPv6:2001:db8::5] (unknown [IPv6:2001:db8::9]) by mx.example.net (Postfix) with ESMTPS id 4AbCdE; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)",
			ip: "2001:db8::9", helo: "IPv6:2001:db8::5"},
		// Sendmail (cf/m4/proto.m4): "$?sfrom $s $.$?_($?s$|from $.$_)":
		// "from HELO ($_)" where $_ is "[user@]rdns [address]", "(may be
		// forged)" when they do not match; "(from $_)" with no HELO.
		{name: "sendmail, HELO literal", raw: "from [10.0.0.1] (host.example [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		{name: "sendmail, HELO literal and no reverse DNS", raw: "from [10.0.0.1] ([198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", helo: "10.0.0.1"},
		{name: "sendmail, HELO literal and ident", raw: "from [10.0.0.1] (joe@host.example [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example", ident: "joe"},
		{name: "sendmail, may be forged", raw: "from helo.example (host.example [198.51.100.9] (may be forged)) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", helo: "helo.example", rdns: "host.example"},
		{name: "sendmail, HELO literal, may be forged", raw: "from [10.0.0.1] (host.example [198.51.100.9] (may be forged)) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		{name: "sendmail, IPv6 HELO literal", raw: "from [IPv6:2001:db8::5] (host.example [IPv6:2001:db8::9]) by mx.example.net (8.17.1/8.17.1) with ESMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "2001:db8::9", helo: "IPv6:2001:db8::5", rdns: "host.example"},
		{name: "sendmail, no HELO", raw: "(from host.example [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with SMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", rdns: "host.example"},
		{name: "sendmail, no HELO, ident", raw: "(from joe@host.example [198.51.100.9]) by mx.example.net (8.17.1/8.17.1) with SMTP id 3AbCdEfG012345; Mon, 2 Nov 2026 10:00:00 GMT",
			ip: "198.51.100.9", rdns: "host.example", ident: "joe"},
		// qmail-smtpd received(): "from RDNS (HELO ARG) ([IDENT@]ADDRESS)";
		// qmail-ldap brackets the address and adds the envelope sender;
		// qpsmtpd writes the same form.
		{name: "qmail, HELO literal", raw: "from unknown (HELO [10.0.0.1]) (198.51.100.9) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			ip: "198.51.100.9", helo: "10.0.0.1"},
		{name: "qmail, HELO literal and ident", raw: "from unknown (HELO [10.0.0.1]) (joe@198.51.100.9) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			ip: "198.51.100.9", helo: "10.0.0.1", ident: "joe"},
		{name: "qmail-ldap", raw: "from unknown (HELO [10.0.0.1]) (joe@[198.51.100.9]) (envelope-sender <a@example.org>) by mx.example.net (qmail-ldap-1.03) with SMTP for <b@example.net>; 2 Nov 2026 10:00:00 -0000",
			ip: "198.51.100.9", helo: "10.0.0.1", ident: "joe"},
		{name: "qmail, bracketed address", raw: "from host.example (HELO x.example) ([198.51.100.9]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			ip: "198.51.100.9", helo: "x.example", rdns: "host.example"},
		{name: "qpsmtpd", raw: "from host.example (HELO [10.0.0.1]) (198.51.100.9) by mx.example.net (qpsmtpd/0.96) with ESMTP; Mon, 02 Nov 2026 10:00:00 -0000",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		{name: "qmail, HELO literal and no address", raw: "from unknown (HELO [10.0.0.1]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000",
			ip: "10.0.0.1", claimed: true, helo: "10.0.0.1"},
		{name: "HELO literal and an empty address comment", raw: "from unknown (HELO [10.0.0.1]) () by mx.example.net with ESMTP; 2 Nov 2026 10:00:00 -0000",
			ip: "10.0.0.1", claimed: true, helo: "10.0.0.1"},
		// Microsoft Exchange and Exchange Online: "from HELO (ADDRESS)".
		{name: "exchange", raw: "from [10.1.1.1] (203.0.113.5) by EX01.example.net (10.1.1.2) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.39; Mon, 2 Nov 2026 10:00:00 +0000",
			ip: "203.0.113.5", helo: "10.1.1.1"},
		{name: "exchange, IPv6", raw: "from [10.1.1.1] (2001:db8::9) by EX01.example.net (2001:db8::2) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.39; Mon, 2 Nov 2026 10:00:00 +0000",
			ip: "2001:db8::9", helo: "10.1.1.1"},
		// Gmail submission: "from HELO (RDNS [ADDRESS])".
		{name: "gmail", raw: "from [10.0.0.1] (host.example [198.51.100.9]) by smtp.gmail.com with ESMTPSA id m16sm345129qck.28.2026.11.02.07.42.02 (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Mon, 02 Nov 2026 07:42:08 -0800 (PST)",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		// Courier: "from HELO (RDNS [ADDRESS])", IPv4 written mapped.
		{name: "courier", raw: "from [10.0.0.1] (host.example [::ffff:198.51.100.9]) (AUTH: LOGIN joe, TLS: TLSv1/SSLv3,256bits,AES256-SHA) by mx.example.net with ESMTPSA; Mon, 02 Nov 2026 10:00:00 +0000",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		// MDaemon: "from HELO ([ADDRESS])"; older versions "from HELO
		// ADDRESS by HOST [ADDRESS]"; the bare "from [ADDRESS]" when the
		// HELO literal is the connection's own (X-MDRemoteIP equal to
		// X-MDHelo in the messages seen).
		{name: "mdaemon", raw: "from [10.0.0.1] ([198.51.100.9]) by mail.example.net (mail.example.net) (MDaemon PRO v10.1.2) with ESMTP id md50000113590.msg for <b@example.net>; Fri, 22 Jan 2010 08:16:58 +0100",
			ip: "198.51.100.9", helo: "10.0.0.1"},
		{name: "mdaemon 5", raw: "from [10.0.0.1] [198.51.100.9] by mailscan.example.net [192.0.2.27] with SMTP (MDaemon.PRO.v5.0.6.R) for <b@example.net>; Fri, 21 Feb 2003 09:32:27 +1000",
			ip: "198.51.100.9", helo: "10.0.0.1"},
		{name: "mdaemon, HELO literal is the connection", raw: "from [IPV6:2001:db8::5] by mail.example.net (IPv6:2001:db8::25) (MDaemon PRO v23.5.1) with ESMTPSA id md5001003764615.msg; Wed, 20 Dec 2023 08:35:58 -0500",
			ip: "2001:db8::5"},
		// CommuniGate Pro and F-Secure: the connection's address first,
		// the HELO marked.
		{name: "communigate", raw: "from [192.0.2.1] (account joe HELO [10.0.0.1]) by mx.example.net (CommuniGate Pro SMTP 6.3.4) with ESMTPSA id 2088434; Fri, 07 Mar 2003 13:05:06 -0500",
			ip: "192.0.2.1", helo: "10.0.0.1"},
		{name: "f-secure", raw: "from [192.0.2.1]:50999 (HELO [10.0.0.1]) by fsav.example.net ([10.128.128.74]:25) (F-Secure Anti-Virus for Internet Mail 6.0.34 Release) with SMTP; Tue, 5 Mar 2002 14:11:53 -0000",
			ip: "192.0.2.1", helo: "10.0.0.1"},
		// TIS smap and Obtuse smtpd: "RDNS(ADDRESS, HELO ARG)",
		// "RDNS(ADDRESS), claiming to be "ARG"".
		{name: "smap", raw: "from smtp.example.org(198.51.100.9, HELO [10.0.0.1]) by mx.example.net via smap (V1.3) id xma002908; Fri, 27 Feb 04 14:16:56 -0800",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "smtp.example.org"},
		{name: "obtuse smtpd", raw: "from host.example(198.51.100.9), claiming to be \"[10.0.0.1]\" via SMTP by mx.example.net, id smtpd1PBsZT; Sun Nov 13 15:38:52 2005",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
		// simta writes the keywords in capitals.
		{name: "simta", raw: "FROM [10.0.0.1] (host.example [198.51.100.9]) BY mx.example.net ID 434B5051.8CDE5.15436 ; 11 Oct 2005 01:40:33 -0400",
			ip: "198.51.100.9", helo: "10.0.0.1", rdns: "host.example"},
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
			if got.IPClaimed != tt.claimed {
				t.Errorf("IPClaimed: got %v, want %v", got.IPClaimed, tt.claimed)
			}
			if got.HELO != tt.helo {
				t.Errorf("HELO: got %q, want %q", got.HELO, tt.helo)
			}
			if got.RDNS != tt.rdns {
				t.Errorf("RDNS: got %q, want %q", got.RDNS, tt.rdns)
			}
			if got.Ident != tt.ident {
				t.Errorf("Ident: got %q, want %q", got.Ident, tt.ident)
			}
		})
	}
}

// FuzzHELOLiteral checks that a claimed IP is always the HELO argument's
// own address literal, and that the HELO never supplies the IP when the
// field states another address.
func FuzzHELOLiteral(f *testing.F) {
	f.Add("from unknown (HELO [10.0.0.1]) by mx.example.net with SMTP; 2 Nov 2026 10:00:00 -0000")
	f.Add("from [203.0.113.7] (helo=[192.168.1.20]) by mx.example.net with esmtp (Exim 4.96) id 1tAbCd-000123-4e; Mon, 02 Nov 2026 10:00:00 +0000")
	f.Add("from host.example (EHLO [192.168.0.3]) ([198.51.100.9]) by smtp412.mail.ne1.yahoo.com with ESMTPA ID 0123456789abcdef; Mon, 02 Nov 2026 10:00:00 +0000 (UTC)")
	f.Add("from host.example(198.51.100.9), claiming to be \"[10.0.0.1]\" via SMTP by mx.example.net, id smtpd1PBsZT; Sun Nov 13 15:38:52 2005")
	f.Fuzz(func(t *testing.T, s string) {
		r := Parse(s)
		if !r.IPClaimed {
			return
		}
		a, ok := literalIP(r.HELO)
		if !ok || a != r.IP {
			t.Errorf("IPClaimed with IP %v: got HELO %q, want that address", r.IP, r.HELO)
		}
	})
}
