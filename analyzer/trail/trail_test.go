package trail

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func codes(r Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Severity)+":"+f.Code)
	}
	return out
}

// The chains below are written for these tests in the shapes real MTAs
// produce, with documentation addresses (RFC 5737, RFC 3849).
func TestBoundary(t *testing.T) {
	tests := []struct {
		name       string
		received   []string // topmost first
		ev         Evidence
		index      int
		ip, helo   string
		evidence   string
		confidence string
	}{
		{
			name: "gmail with received-spf",
			received: []string{
				"by 2002:a05:6a10:a18e::1 with SMTP id x14csp1; Tue, 3 Jan 2023 10:00:05 -0800 (PST)",
				"from mail.example.com (mail.example.com. [192.0.2.50]) by mx.google.com with ESMTPS id z1si2 for <f@gmail.com> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 3 Jan 2023 10:00:04 -0800 (PST)",
				"from [10.0.0.5] (unknown [198.51.100.9]) by mail.example.com (Postfix) with ESMTPSA id 4Q1; Tue, 3 Jan 2023 18:00:02 +0000 (UTC)",
			},
			ev: Evidence{
				AuthenticationResults: []string{"mx.google.com; spf=pass (google.com: domain of a@example.com designates 192.0.2.50 as permitted sender) smtp.mailfrom=a@example.com"},
				ReceivedSPF:           []string{"pass (google.com: domain of a@example.com designates 192.0.2.50 as permitted sender) client-ip=192.0.2.50;"},
			},
			index: 1, ip: "192.0.2.50", helo: "mail.example.com", evidence: EvidenceSPF, confidence: "high",
		},
		{
			name: "exchange online sender ip",
			received: []string{
				"from BN3PR01MB1234.namprd01.prod.outlook.com (2001:db8:111::10) by SN1PR16MB0494.namprd16.prod.outlook.com with HTTPS via SN1PR15CA0033.NAMPRD15.PROD.OUTLOOK.COM; Sun, 22 Apr 2018 02:54:19 +0000",
				"from BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com (10.152.92.53) by BN3PR01MB1234.namprd01.prod.outlook.com (10.152.93.134) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.20.696.11; Sun, 22 Apr 2018 02:54:18 +0000",
				"from mta.example.org (203.0.113.17) by BN3NAM04FT003.mail.protection.outlook.com (10.152.92.112) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.696.11 via Frontend Transport; Sun, 22 Apr 2018 02:54:17 +0000",
			},
			ev: Evidence{
				AuthenticationResults: []string{"spf=pass (sender IP is 203.0.113.17) smtp.mailfrom=example.org; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.org;"},
			},
			index: 0, ip: "203.0.113.17", helo: "mta.example.org", evidence: EvidenceMicrosoftSenderIP, confidence: "high",
		},
		{
			name: "authserv-id with internal relays",
			received: []string{
				"from localhost (localhost [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id AA; Tue, 3 Jan 2023 10:00:09 +0000",
				"from mx.example.net ([127.0.0.1]) by localhost (mx.example.net [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id BB; Tue, 3 Jan 2023 10:00:08 +0000",
				"from edge.example.net (edge.example.net [198.51.100.2]) by mx.example.net (Postfix) with ESMTPS id CC; Tue, 3 Jan 2023 10:00:07 +0000",
				"from sender.example.com (sender.example.com [192.0.2.7]) by edge.example.net (Postfix) with ESMTPS id DD; Tue, 3 Jan 2023 10:00:06 +0000",
			},
			ev:    Evidence{AuthenticationResults: []string{"mx.example.net; dkim=pass header.d=example.com"}},
			index: 0, ip: "192.0.2.7", helo: "sender.example.com", evidence: EvidenceAuthServ, confidence: "high",
		},
		{
			name: "forged helo of the receiving domain is outside",
			received: []string{
				"from mx.example.net (unknown [192.0.2.66]) by mx.example.net (Postfix) with SMTP id AA; Tue, 3 Jan 2023 10:00:09 +0000",
				"from sender.example.com (sender.example.com [192.0.2.7]) by relay.example.org (Postfix) with ESMTP id DD; Tue, 3 Jan 2023 10:00:06 +0000",
			},
			index: 1, ip: "192.0.2.66", helo: "mx.example.net", evidence: EvidenceByChain, confidence: "medium",
		},
		{
			name: "forwarded: earlier receiver's verdicts are not the final one's",
			received: []string{
				"from relay.example.org (relay.example.org [198.51.100.40]) by mx.example.net (Postfix) with ESMTPS id AA; Tue, 3 Jan 2023 10:10:00 +0000",
				"by 2002:a05:6a10:a18e::1 with SMTP id x1; Tue, 3 Jan 2023 02:05:00 -0800 (PST)",
				"from mail.example.com (mail.example.com. [192.0.2.50]) by mx.google.com with ESMTPS id z1; Tue, 3 Jan 2023 02:04:00 -0800 (PST)",
			},
			ev: Evidence{
				AuthenticationResults: []string{"mx.google.com; spf=pass smtp.mailfrom=example.com"},
				ReceivedSPF:           []string{"pass (google.com: domain of a@example.com designates 192.0.2.50 as permitted sender) client-ip=192.0.2.50;"},
			},
			index: 2, ip: "198.51.100.40", helo: "relay.example.org", evidence: EvidenceByChain, confidence: "medium",
		},
		{
			name: "fetchmail download",
			received: []string{
				"from localhost (localhost [127.0.0.1]) by laptop.example.net (Postfix) with ESMTP id AA; Tue, 3 Jan 2023 10:10:00 +0000",
				"from imap.example.org [198.51.100.3] by localhost with IMAP (fetchmail-6.4.0) for <u@localhost> (single-drop); Tue, 03 Jan 2023 10:10:00 +0000",
				"from out.example.com (out.example.com [192.0.2.9]) by imap.example.org (Postfix) with ESMTPS id BB; Tue, 3 Jan 2023 10:00:00 +0000",
			},
			index: 0, ip: "192.0.2.9", helo: "out.example.com", evidence: EvidenceByChain, confidence: "medium",
		},
		{
			name: "receiver named localhost",
			received: []string{
				"from mail90.example.com (mail90.example.com [192.0.2.90]) by localhost (Postfix) with ESMTP id 80656; Wed, 29 Aug 2018 20:26:50 +0000 (UTC)",
				"from (127.0.0.1) by mail90.example.com id hgs0ok2ddl42; Wed, 29 Aug 2018 20:26:47 +0000",
			},
			index: 1, ip: "192.0.2.90", helo: "mail90.example.com", evidence: EvidenceByChain, confidence: "medium",
		},
		{
			name:     "private addresses only",
			received: []string{"from a.corp (a.corp [10.1.2.3]) by b.corp (Postfix) with ESMTP id X; Tue, 3 Jan 2023 10:00:00 +0000"},
			index:    0, ip: "10.1.2.3", helo: "a.corp", evidence: EvidenceNewest, confidence: "low",
		},
	}
	for _, tt := range tests {
		r := Build(tt.received, tt.ev)
		b := r.Boundary
		if b == nil {
			t.Errorf("%s: boundary got nil, want hop %d", tt.name, tt.index)
			continue
		}
		if b.Index != tt.index || b.IP != tt.ip || b.HELO != tt.helo || b.Evidence != tt.evidence || b.Confidence != tt.confidence {
			t.Errorf("%s: boundary got {%d %s %s %q %s}, want {%d %s %s %q %s}", tt.name,
				b.Index, b.IP, b.HELO, b.Evidence, b.Confidence, tt.index, tt.ip, tt.helo, tt.evidence, tt.confidence)
		}
		if b.ReceivedIndex != len(tt.received)-1-tt.index {
			t.Errorf("%s: receivedIndex got %d, want %d", tt.name, b.ReceivedIndex, len(tt.received)-1-tt.index)
		}
		for i, h := range r.Hops {
			if want := i >= tt.index; h.Internal != want {
				t.Errorf("%s: hop %d internal got %v, want %v", tt.name, i, h.Internal, want)
			}
		}
	}
}

func TestDelaysAndFindings(t *testing.T) {
	rcv := []string{
		"from c.example (c.example [192.0.2.3]) by d.example with ESMTPS id 4; Tue, 3 Jan 2023 10:00:00 +0000",
		"this is garbage",
		"from b.example (b.example [192.0.2.2]) by c.example with ESMTP id 2; Tue, 3 Jan 2023 12:00:00 +0000",
		"from a.example (a.example [192.0.2.1]) by b.example with ESMTPS id 1; Tue, 3 Jan 2023 10:00:00 +0000",
	}
	r := Build(rcv, Evidence{})
	if len(r.Hops) != 4 {
		t.Fatalf("hops got %d, want 4", len(r.Hops))
	}
	if got := r.Hops[2].Raw; got != "this is garbage" || r.Hops[2].Parsed {
		t.Errorf("unparsed hop got raw %q parsed %v, want kept raw and parsed false", got, r.Hops[2].Parsed)
	}
	want := []*float64{nil, ptr(7200), nil, nil}
	for i, h := range r.Hops {
		if (h.DelaySeconds == nil) != (want[i] == nil) || (h.DelaySeconds != nil && *h.DelaySeconds != *want[i]) {
			t.Errorf("hop %d delay got %v, want %v", i, show(h.DelaySeconds), show(want[i]))
		}
	}
	if r.TotalSeconds == nil || *r.TotalSeconds != 0 {
		t.Errorf("total got %v, want 0 (first and last hop at the same time)", show(r.TotalSeconds))
	}
	got := codes(r)
	for _, c := range []string{"info:hop-unparsed", "info:hop-long-delay", "info:hop-no-tls"} {
		if !slices.Contains(got, c) {
			t.Errorf("findings got %v, want %s", got, c)
		}
	}

	skew := Build([]string{
		"from b.example (b.example [192.0.2.2]) by c.example with ESMTPS id 2; Tue, 3 Jan 2023 09:50:00 +0000",
		"from a.example (a.example [192.0.2.1]) by b.example with ESMTPS id 1; Tue, 3 Jan 2023 10:00:00 +0000",
	}, Evidence{})
	if d := skew.Hops[1].DelaySeconds; d == nil || *d != -600 {
		t.Errorf("skew delay got %v, want -600", show(d))
	}
	if !slices.Contains(codes(skew), "warning:hop-clock-skew") {
		t.Errorf("skew findings got %v, want warning:hop-clock-skew", codes(skew))
	}
	if slices.Contains(codes(skew), "warning:hop-no-tls") || slices.Contains(codes(skew), "info:hop-no-tls") {
		t.Errorf("findings got %v, want no hop-no-tls for ESMTPS hops", codes(skew))
	}
}

func TestEmptyAndHuge(t *testing.T) {
	r := Build(nil, Evidence{})
	if len(r.Hops) != 0 || r.Boundary != nil || !slices.Contains(codes(r), "info:trail-no-received") {
		t.Errorf("empty trail got %d hops, boundary %v, findings %v", len(r.Hops), r.Boundary, codes(r))
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"hops":[]`) {
		t.Errorf("empty trail JSON got %s, want hops as []", b)
	}
	many := make([]string, 5000)
	for i := range many {
		many[i] = fmt.Sprintf("from h%d.example ([192.0.2.%d]) by h%d.example with SMTP; Tue, 3 Jan 2023 10:00:00 +0000", i+1, i%250+1, i)
	}
	start := time.Now()
	r = Build(many, Evidence{})
	if len(r.Hops) != MaxHops || !slices.Contains(codes(r), "warning:trail-too-long") {
		t.Errorf("huge trail got %d hops, findings %v; want %d and trail-too-long", len(r.Hops), codes(r), MaxHops)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("huge trail took %v", d)
	}
}

func TestJSONContract(t *testing.T) {
	r := Build([]string{"from a.example (a.example [IPv6:2001:db8::1]) by b.example with ESMTPS id X for <u@b.example> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 3 Jan 2023 10:00:00 +0100"}, Evidence{})
	b, err := json.Marshal(r.Hops[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"from": "a.example (a.example [IPv6:2001:db8::1])", "ip": "2001:db8::1", "by": "b.example",
		"with": "ESMTPS", "tls": "TLSv1.3 TLS_AES_256_GCM_SHA384", "id": "X", "for": "u@b.example",
		"time": "2023-01-03T09:00:00Z", "helo": "a.example", "rdns": "a.example",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("hop JSON %s got %v, want %v", k, m[k], v)
		}
	}
	if _, ok := m["delaySeconds"]; ok {
		t.Errorf("hop JSON got delaySeconds for the first hop, want it absent")
	}
	if _, ok := m["raw"]; !ok {
		t.Error("hop JSON has no raw")
	}
}

func TestHelpers(t *testing.T) {
	orgs := []struct{ in, want string }{
		{"mx.google.com", "google.com"}, {"a.b.example.co.uk", "example.co.uk"},
		{"localhost", ""}, {"[192.0.2.1]", ""}, {"2001:db8::1", ""}, {"APCNHUB11.correo.local", ""},
		{"mail.example.com.", "example.com"}, {"", ""},
	}
	for _, o := range orgs {
		if got := OrgDomain(o.in); got != o.want {
			t.Errorf("OrgDomain(%q) got %q, want %q", o.in, got, o.want)
		}
	}
	ids := []struct{ in, want string }{
		{"mx.google.com; spf=pass", "mx.google.com"},
		{"mx6.messagingengine.com 1; arc=none", "mx6.messagingengine.com"},
		{"(comment) example.net; none", "example.net"},
		{"spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=x", ""},
		{"", ""},
	}
	for _, i := range ids {
		if got := AuthServID(i.in); got != i.want {
			t.Errorf("AuthServID(%q) got %q, want %q", i.in, got, i.want)
		}
	}
	p := SPFParams(`pass (mx: client-ip=9.9.9.9 in comment) client-ip=192.0.2.1; envelope-from="a@example.com"; helo=mail.example.com;`)
	if p["client-ip"] != "192.0.2.1" || p["helo"] != "mail.example.com" || p["envelope-from"] != "a@example.com" {
		t.Errorf("SPFParams got %v, want client-ip 192.0.2.1, helo and envelope-from", p)
	}
	if a := spfClientIP("neutral (google.com: 192.0.2.77 is neither permitted nor denied)"); a != netip.MustParseAddr("192.0.2.77") {
		t.Errorf("spfClientIP from comment got %v, want 192.0.2.77", a)
	}
	priv := []struct {
		in   string
		want bool
	}{{"10.0.0.1", true}, {"100.64.1.1", true}, {"fd00::1", true}, {"fe80::1", true}, {"127.0.0.1", true}, {"192.0.2.1", false}, {"2001:db8::1", false}, {"8.8.8.8", false}}
	for _, x := range priv {
		if got := IsPrivate(netip.MustParseAddr(x.in)); got != x.want {
			t.Errorf("IsPrivate(%s) got %v, want %v", x.in, got, x.want)
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("from a (a [192.0.2.1]) by b; Tue, 3 Jan 2023 10:00:00 +0000\nby c; x", "mx.example; spf=pass", "pass client-ip=192.0.2.1")
	f.Add("(((\n;;;\nfrom", "", "")
	f.Fuzz(func(t *testing.T, rcv, ar, spf string) {
		r := Build(strings.Split(rcv, "\n"), Evidence{AuthenticationResults: []string{ar}, ReceivedSPF: []string{spf}})
		if r.Boundary != nil && (r.Boundary.Index < 0 || r.Boundary.Index >= len(r.Hops)) {
			t.Errorf("boundary index %d out of %d hops", r.Boundary.Index, len(r.Hops))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Errorf("marshal: %v", err)
		}
	})
}

func ptr(f float64) *float64 { return &f }

func show(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
