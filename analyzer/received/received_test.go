package received

import (
	"strings"
	"testing"
	"time"
)

// want lists the fields a case asserts; "-" means "must be empty".
type want struct {
	from, helo, rdns, ip, by, byIP, with, proto, ver, cipher, id, forr, via, date string
	tls                                                                           bool
}

// The headers below are written for these tests in the shapes each MTA
// produces (documentation addresses and names, RFC 5737 / RFC 3849).
var cases = []struct {
	name, in string
	w        want
}{
	{"rfc5321", "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTP id 123 for <a@example.net>; Tue, 3 Jan 2023 10:00:00 +0100",
		want{from: "mail.example.com", helo: "mail.example.com", rdns: "mail.example.com", ip: "192.0.2.1", by: "mx.example.net", with: "ESMTP", proto: "ESMTP", id: "123", forr: "a@example.net", date: "2023-01-03T09:00:00Z"}},
	{"postfix-tls13", "from helo.example.org (host.example.org [198.51.100.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256) (No client certificate requested) by mx.example.net (Postfix) with ESMTPS id 4Q1x2y3z for <b@example.net>; Mon, 28 Aug 2023 02:21:23 -0700 (PDT)",
		want{from: "helo.example.org", helo: "helo.example.org", rdns: "host.example.org", ip: "198.51.100.7", by: "mx.example.net", proto: "ESMTPS", ver: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", id: "4Q1x2y3z", tls: true, date: "2023-08-28T09:21:23Z"}},
	{"postfix-unknown-rdns", "from bad.example (unknown [203.0.113.9]) by mx.example.net (Postfix) with SMTP id ABC; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)",
		want{helo: "bad.example", rdns: "-", ip: "203.0.113.9", proto: "SMTP", tls: false}},
	{"postfix-ipv6", "from ietfa.amsl.com (localhost [IPv6:::1]) by ietfa.amsl.com (Postfix) with ESMTP id 5E1; Fri,  4 Nov 2022 13:02:25 -0700 (PDT)",
		want{ip: "::1", rdns: "localhost", date: "2022-11-04T20:02:25Z"}},
	{"postfix-local", "by example.com (Postfix, from userid 1001) id 1234ABCD; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)",
		want{from: "-", ip: "-", by: "example.com", id: "1234ABCD", date: "2014-08-21T10:12:48Z"}},
	{"exim-helo", "from [192.0.2.33] (helo=laptop.example) by smtp.example.net with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <u@example.net>) id 1qABCD-000123-4X for c@example.org; Tue, 03 Jan 2023 10:00:00 +0000",
		want{from: "[192.0.2.33]", helo: "laptop.example", rdns: "-", ip: "192.0.2.33", with: "esmtpsa", proto: "ESMTPSA", ver: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", id: "1qABCD-000123-4X", forr: "c@example.org", tls: true}},
	{"exim-rdns-helo", "from mail-a.example.com ([198.51.100.20] helo=relay.example.com) by mx.example.org with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.92) (envelope-from <x@example.com>) id 1abc-0001; Wed, 12 Mar 2003 01:58:13 -0800",
		want{from: "mail-a.example.com", helo: "relay.example.com", rdns: "mail-a.example.com", ip: "198.51.100.20", proto: "ESMTPS", ver: "TLSv1.2", cipher: "ECDHE_RSA_AES_256_GCM_SHA384", tls: true}},
	{"exim-local", "from www-data by web.example.com with local (Exim 4.94) (envelope-from <www-data@web.example.com>) id 1kXyZ-0004; Tue, 22 Aug 2006 21:06:04 +0200",
		want{from: "www-data", helo: "www-data", ip: "-", with: "local", proto: "LOCAL", tls: false}},
	{"sendmail", "from client.example.com (client.example.com [192.0.2.44]) by mail.example.org (8.15.2/8.15.2) with ESMTPS id 2AB3cdEF012345 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT) for <d@example.org>; Mon, 6 Feb 2023 11:22:33 -0500",
		want{helo: "client.example.com", ip: "192.0.2.44", by: "mail.example.org", proto: "ESMTPS", ver: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384", id: "2AB3cdEF012345", forr: "d@example.org", tls: true, date: "2023-02-06T16:22:33Z"}},
	{"ip-port-unchecked", "from 192.0.2.5:smtp by mx.example.net; Mon, 6 Feb 2023 11:22:33 -0500",
		want{from: "192.0.2.5:smtp", helo: "-", ip: "192.0.2.5", by: "mx.example.net"}},
	{"sendmail-ident", "from helo.example (root@localhost [127.0.0.1]) by host.example (8.13.1/8.13.1) with ESMTP id k1; Mon, 6 Feb 2023 11:22:33 -0500",
		want{helo: "helo.example", rdns: "localhost", ip: "127.0.0.1"}},
	{"sendmail-comment-from", "(from user@localhost) by home.example.com (8.12.11/8.12.11/Submit) id iBADHRP6011034; Fri, 10 Dec 2004 13:17:27 GMT",
		want{from: "user@localhost", by: "home.example.com", id: "iBADHRP6011034", date: "2004-12-10T13:17:27Z"}},
	{"exchange-online", "from BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com (10.152.92.53) by BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com (10.152.93.134) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.20.696.11 via Frontend Transport; Sat, 21 Apr 2018 03:01:32 +0000",
		want{from: "BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com", ip: "10.152.92.53", byIP: "10.152.93.134", with: "Microsoft SMTP Server", proto: "SMTP", ver: "TLSv1.2", cipher: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384", id: "15.20.696.11", via: "Frontend Transport", tls: true}},
	{"exchange-https", "from CO1NAM03HT217.eop-NAM03.prod.protection.outlook.com (2001:db8:e400:c418::43) by SN1PR16MB0494.namprd16.prod.outlook.com with HTTPS via SN1PR15CA0033.NAMPRD15.PROD.OUTLOOK.COM; Sun, 22 Apr 2018 02:54:19 +0000",
		want{ip: "2001:db8:e400:c418::43", proto: "HTTPS", via: "SN1PR15CA0033.NAMPRD15.PROD.OUTLOOK.COM", tls: true}},
	{"exchange-mapi", "from AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226]) by AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226%6]) with mapi id 15.20.1943.023; Wed, 5 Jun 2019 10:17:08 +0000",
		want{ip: "fe80::19bd:c588:dd17:5226", byIP: "fe80::19bd:c588:dd17:5226", proto: "MAPI", id: "15.20.1943.023", tls: false}},
	{"exchange-onprem-tls", "from ex1.corp.example (192.0.2.5) by ex2.corp.example (192.0.2.6) with Microsoft SMTP Server (TLS) id 14.3.319.2; Tue, 3 Jan 2023 10:00:00 +0100",
		want{ip: "192.0.2.5", byIP: "192.0.2.6", proto: "SMTP", tls: true}},
	{"iis-smtpsvc", "from mail pickup service by mail1.example.com with Microsoft SMTPSVC; Thu, 13 Feb 2003 19:05:39 -0500",
		want{from: "mail", by: "mail1.example.com", with: "Microsoft SMTPSVC", proto: "SMTP"}},
	{"gmail-internal", "by 2002:a05:6a10:a18e:b0:4a1:2b3c:4d5e with SMTP id x14csp1234567pxu; Mon, 10 Oct 2022 10:31:15 -0700 (PDT)",
		want{from: "-", ip: "-", by: "2002:a05:6a10:a18e:b0:4a1:2b3c:4d5e", proto: "SMTP", id: "x14csp1234567pxu", date: "2022-10-10T17:31:15Z"}},
	{"gmail-mx", "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor123 for <e@example.com> (Google Transport Security); Mon, 07 Nov 2022 23:51:18 -0800 (PST)",
		want{helo: "mail-sor-f41.google.com", rdns: "mail-sor-f41.google.com", ip: "209.85.220.41", proto: "SMTPS", forr: "e@example.com", tls: true}},
	{"gmail-mx-tls", "from mx.example.com (mx.example.com. [192.0.2.50]) by mx.google.com with ESMTPS id z1si2 for <f@gmail.com> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 03 Jan 2023 01:02:03 -0800 (PST)",
		want{ip: "192.0.2.50", ver: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", tls: true}},
	{"qmail-local", "(qmail 1234 invoked by uid 0); 7 Mar 2011 19:23:23 -0000",
		want{from: "-", by: "-", date: "2011-03-07T19:23:23Z"}},
	{"qmail-network", "from unknown (HELO foo.example) (192.0.2.77) by mail.example.com with SMTP; 7 Mar 2011 19:23:23 -0000",
		want{from: "unknown", helo: "foo.example", rdns: "-", ip: "192.0.2.77", by: "mail.example.com", proto: "SMTP"}},
	{"qmail-rdns", "from mailwash7.example.com (198.51.100.7) by mail.example.net with SMTP; 7 Mar 2011 19:23:23 -0000",
		want{helo: "mailwash7.example.com", ip: "198.51.100.7"}},
	{"ses-outbound", "from a8-31.smtp-out.amazonses.com (a8-31.smtp-out.amazonses.com [54.240.8.31]) by mx.example.net (Postfix) with ESMTPS id 4Nabc; Sat, 01 Feb 2020 03:05:57 +0000 (UTC)",
		want{rdns: "a8-31.smtp-out.amazonses.com", ip: "54.240.8.31", proto: "ESMTPS", tls: true}},
	{"ses-inbound", "from mail.example.org (mail.example.org [192.0.2.8]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id abcdef0123 for g@example.com; Fri, 11 Jul 2025 13:56:07 +0000 (UTC)",
		want{by: "inbound-smtp.us-east-1.amazonaws.com", proto: "SMTP", forr: "g@example.com", tls: false}},
	{"yahoo-http", "from 192.0.2.99 by sonic301.consmr.mail.example.yahoo.com with HTTP; Fri, 3 Feb 2023 09:10:11 +0000",
		want{from: "192.0.2.99", ip: "192.0.2.99", proto: "HTTP", tls: false}},
	{"yahoo-qmail-style", "from [192.0.2.12] by web40310.mail.example.com via HTTP; Wed, 12 Feb 2003 14:22:21 PST",
		want{ip: "192.0.2.12", via: "HTTP", date: "2003-02-12T22:22:21Z"}},
	{"ironport", "from unknown (HELO mail.example.com) ([192.0.2.60]) by esa1.example.iphmx.com with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; 12 Jan 2023 10:11:12 -0500",
		want{from: "unknown", helo: "mail.example.com", ip: "192.0.2.60", proto: "ESMTP", cipher: "ECDHE-RSA-AES256-GCM-SHA384", tls: true, date: "2023-01-12T15:11:12Z"}},
	{"proofpoint-loopback", "from pps.filterd (m0123456.ppops.net [127.0.0.1]) by mx0a-00123401.pphosted.com (8.17.1.19/8.17.1.19) with SMTP id 3ABCDEFGHI; Mon, 6 Feb 2023 08:00:00 -0800",
		want{helo: "pps.filterd", rdns: "m0123456.ppops.net", ip: "127.0.0.1", proto: "SMTP"}},
	{"proofpoint-mx", "from mail.example.com (mail.example.com [192.0.2.70]) by mx0a-00123401.pphosted.com (PPS) with ESMTPS id 3nabc-1 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT) for <h@example.org>; Mon, 06 Feb 2023 08:00:01 -0800",
		want{ip: "192.0.2.70", by: "mx0a-00123401.pphosted.com", proto: "ESMTPS", ver: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384", forr: "h@example.org", tls: true}},
	{"mimecast", "from mail.example.com (mail.example.com [192.0.2.80]) by relay.mimecast.example with ESMTP with both STARTTLS and AUTH (version=TLSv1.2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id uk-mta-1-ABCdef; Tue, 07 Feb 2023 09:00:00 +0000",
		want{ip: "192.0.2.80", with: "ESMTP", proto: "ESMTP", ver: "TLSv1.2", cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", id: "uk-mta-1-ABCdef", tls: true}},
	{"domino", "from notes.example.com ([192.0.2.90]) by smtp.example.com (Lotus Domino Release 8.5.3FP6) with ESMTP id 2014022411243000-12345 ; Mon, 24 Feb 2014 11:24:30 +0100",
		want{helo: "notes.example.com", ip: "192.0.2.90", by: "smtp.example.com", proto: "ESMTP", id: "2014022411243000-12345", date: "2014-02-24T10:24:30Z"}},
	{"messagelabs", "from mail.example.com (HELO mail.example.com) (192.0.2.91) by server-7.tower-123.messagelabs.example with AES256-GCM-SHA384 encrypted SMTP; 13 Sep 2018 14:47:44 -0000",
		want{helo: "mail.example.com", rdns: "mail.example.com", ip: "192.0.2.91", proto: "SMTP", cipher: "AES256-GCM-SHA384", tls: true}},
	{"lmtp", "from mx.example.net by imap.example.net with LMTP id AbCd for <i@example.net>; Tue, 03 Jan 2023 10:00:01 +0000",
		want{proto: "LMTP", tls: false}},
	{"communigate-tls", "from [192.0.2.104] (account nazgul HELO [192.0.2.104]) by somewhere.example (CommuniGate Pro SMTP 3.5.7) with ESMTP-TLS id 2088434; Fri, 07 Mar 2003 13:05:06 -0500",
		want{ip: "192.0.2.104", proto: "ESMTPS", tls: true}},
	{"sendgrid-no-semicolon", "by filter0652p1las1.sendgrid.net with SMTP id filter0652p1las1-5089-5ADBF958-25 2018-04-22 02:54:17.028704749 +0000 UTC",
		want{by: "filter0652p1las1.sendgrid.net", id: "filter0652p1las1-5089-5ADBF958-25", date: "2018-04-22T02:54:17.028704749Z"}},
	{"xmail-port", "from list.example.com (192.0.2.86:23198) by mx1.example.net with [XMail 1.20 ESMTP Server] id <S72E> for <j@example.org> from <bounce@example.com>; Sat, 18 Sep 2004 23:17:54 -0500",
		want{ip: "192.0.2.86", proto: "ESMTP", id: "S72E", forr: "j@example.org"}},
	{"garbage", "this is not a received header at all",
		want{from: "-", by: "-", ip: "-", date: "-"}},
	{"empty", "", want{from: "-", by: "-", date: "-"}},
	{"unbalanced", "from a.example ((( by b.example; Tue, 3 Jan 2023 10:00:00 +0000",
		want{from: "a.example", by: "-", date: "2023-01-03T10:00:00Z"}},
	{"field-name", "Received: from a.example by b.example; Tue, 3 Jan 2023 10:00:00 +0000",
		want{from: "a.example", by: "b.example"}},
}

func TestParse(t *testing.T) {
	for _, c := range cases {
		r := Parse(c.in)
		ip, byIP := "", ""
		if r.IP.IsValid() {
			ip = r.IP.String()
		}
		if r.ByIP.IsValid() {
			byIP = r.ByIP.String()
		}
		date := ""
		if r.HasDate {
			date = r.Date.Time.Format(time.RFC3339Nano)
		}
		check := func(field, got, want string) {
			if want == "" {
				return
			}
			if want == "-" {
				want = ""
			}
			if got != want {
				t.Errorf("%s: %s got %q, want %q", c.name, field, got, want)
			}
		}
		w := c.w
		check("from", r.From, w.from)
		check("helo", r.HELO, w.helo)
		check("rdns", r.RDNS, w.rdns)
		check("ip", ip, w.ip)
		check("by", r.By, w.by)
		check("byIP", byIP, w.byIP)
		check("with", r.With, w.with)
		check("protocol", r.Protocol, w.proto)
		check("tlsVersion", r.TLSVersion, w.ver)
		check("cipher", r.Cipher, w.cipher)
		check("id", r.ID, w.id)
		check("for", r.For, w.forr)
		check("via", r.Via, w.via)
		check("date", date, w.date)
		if (w.tls || w.ver != "" || w.cipher != "" || strings.HasSuffix(w.proto, "S")) && !r.TLS {
			t.Errorf("%s: tls got false, want true", c.name)
		}
		if !w.tls && w.ver == "" && w.cipher == "" && w.proto != "" && !strings.HasSuffix(w.proto, "S") && !strings.HasSuffix(w.proto, "SA") && r.TLS {
			t.Errorf("%s: tls got true, want false", c.name)
		}
		if r.Raw != c.in {
			t.Errorf("%s: raw got %q, want the input", c.name, r.Raw)
		}
	}
}

func TestParseBounded(t *testing.T) {
	huge := "from a.example (" + strings.Repeat("(", 100000) + " by b; " + strings.Repeat("x ", 200000)
	start := time.Now()
	r := Parse(huge)
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("Parse of %d bytes took %v, want bounded work", len(huge), d)
	}
	if r.Raw != huge {
		t.Error("raw not kept for a huge field")
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Parse(s)
		if r.Raw != s {
			t.Errorf("raw got %q, want %q", r.Raw, s)
		}
		if r.IP.IsValid() && r.IP.Is4In6() {
			t.Errorf("IP %v not unmapped", r.IP)
		}
	})
}

func TestFromText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"from mail.example.com (mail.example.com\n\t[192.0.2.1]) by mx.example.net; Tue, 3 Jan 2023 10:00:00 +0000", "mail.example.com (mail.example.com [192.0.2.1])"},
		{"from [192.0.2.1] (helo=foo) by x; Tue, 3 Jan 2023 10:00:00 +0000", "[192.0.2.1] (helo=foo)"},
		{"by x with SMTP; Tue, 3 Jan 2023 10:00:00 +0000", ""},
	}
	for _, tt := range tests {
		if got := Parse(tt.in).FromText; got != tt.want {
			t.Errorf("Parse(%q).FromText got %q, want %q", tt.in, got, tt.want)
		}
	}
}
