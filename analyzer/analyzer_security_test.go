package analyzer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer"
)

// pathological returns hostile header blocks, each at most a few MiB (the
// page accepts up to 10 MiB).
func pathological() map[string]string {
	rep := strings.Repeat
	arc := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=e.test; s=s; b=AA\nARC-Message-Signature: i=%d; a=rsa-sha256; c=relaxed/relaxed; d=e.test; s=s; h=from; bh=AA; b=AA\nARC-Authentication-Results: i=%d; mx; spf=pass\n", i, i, i)
		}
		return b.String()
	}
	return map[string]string{
		"9000 Received":             rep("Received: from a.test (a.test [192.0.2.1]) by b.test with ESMTPS id x; Mon, 1 Jan 2024 00:00:00 +0000\n", 9000) + "From: a@b.test\n\n",
		"200k nested comment":       "Received: from " + rep("(", 200000) + " by x; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: " + rep("(", 200000) + "a@b.test\n\n",
		"unbalanced comment close":  "Received: from " + rep(")", 200000) + " by x\nFrom: a@b.test" + rep(")", 100000) + "\n\n",
		"huge Authentication-Res":   "Authentication-Results: mx.test" + rep("; spf=pass smtp.mailfrom=a.test", 7000) + "\nFrom: a@b.test\n\n",
		"9000 DKIM-Signature":       rep("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; c=relaxed/relaxed; h=from:to:subject; bh=AAAA; b=AAAA\n", 9000) + "From: a@example.com\n\n",
		"3000 ARC sets, all i=1..n": arc(3000) + "From: a@e.test\n\n",
		"18000 From addresses":      "From: " + rep("a@b.test, ", 18000) + "c@d.test\nTo: " + rep("\"x\" <e@f.test>, ", 10000) + "g@h.test\n\n",
		"encoded-word flood":        "Subject: " + rep("=?utf-8?b?w6k=?= ", 15000) + "\nFrom: " + rep("=?utf-8?q?=C3=A9?= ", 10000) + "<a@b.test>\n\n",
		"one 9 MiB line":            "From: a@b.test\nSubject: " + rep("x", 9<<20) + "\n\n",
		"1M folding lines":          "Subject: a\n" + rep(" b\n", 1000000) + "\n",
		"deep quoted-pairs":         "From: \"" + rep("\\\"", 100000) + "\" <a@b.test>\n\n",
		"DKIM tag flood":            "DKIM-Signature: " + rep("x=1;", 60000) + "\nFrom: a@b.test\n\n",
		"Received-SPF flood":        rep("Received-SPF: pass ("+rep("(", 100)+") client-ip=1.2.3.4; envelope-from=a@b.test; helo=x; receiver=y;\n", 3000) + "\n",
		"Date flood":                rep("Date: "+rep("Mon, ", 10000)+"1 Jan 2024\n", 50) + "\n",
		"long domain labels":        "Message-ID: <" + rep("a", 200000) + "@" + rep("b.", 20000) + ">\nFrom: a@" + rep("b.", 100000) + "test\n\n",
		"NUL and bidi":              "From: \x00\u202e<a@b.test>\x00\nSubject: \xff\xfe\u202e\n\n",
	}
}

// TestSecurityPathologicalInputs: hostile header blocks must give a report
// (or a plain error) promptly, never a panic turned into "internal error",
// and the report must marshal.
func TestSecurityPathologicalInputs(t *testing.T) {
	for name, in := range pathological() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			r, err := analyzer.Analyze(context.Background(), []byte(in), analyzer.Options{})
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v, want well under 10s", took)
			}
			if err != nil {
				if strings.Contains(err.Error(), "internal error") {
					t.Fatalf("got a recovered panic: %v", err)
				}
				return
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("report does not marshal: %v", err)
			}
		})
	}
}

// TestSecurityVendorAmplification demonstrates a bug: the mail-filter
// decoders (analyzer/vendor) have a per-field cap (maxFields = 512) but no
// per-message cap, and every decoded token becomes a {key, value, meaning,
// known} object, and every decoded header also repeats its whole value in
// "raw". A header block of short X-Microsoft-Antispam tokens ("ARA:1;", 6
// bytes each) therefore gives a JSON report about 15 times the input: the
// page's 10 MiB limit allows a ~150 MB report, which the page then parses
// and renders as ~1.7 million table rows: the tab hangs or dies. Fix: in
// analyzer/vendor/vendor.go Decode, stop decoding after a message-wide
// budget (e.g. 4096 fields in total, or 256 decoded headers); later
// vendor fields get Fields empty and a summary saying they were not
// decoded; and cut Decoded.Raw to a short prefix (the full value is
// already in the report's header list).
func TestSecurityVendorAmplification(t *testing.T) {
	for name, in := range map[string]string{
		"X-Microsoft-Antispam": strings.Repeat("X-Microsoft-Antispam: BCL:0;"+strings.Repeat("ARA:1;", 200)+"\n", 1000) + "From: a@b.test\n\n",
		"X-Forefront-Antispam": strings.Repeat("X-Forefront-Antispam-Report: "+strings.Repeat("CIP:1.2.3.4;", 200)+"\n", 500) + "From: a@b.test\n\n",
		"X-Spam-Status":        strings.Repeat("X-Spam-Status: Yes, score=5.0 tests="+strings.Repeat("A,", 5000)+"\n", 100) + "From: a@b.test\n\n",
	} {
		r, err := analyzer.Analyze(context.Background(), []byte(in), analyzer.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.Marshal(r)
		if limit := 4*len(in) + 1<<20; len(b) > limit {
			t.Errorf("%s: %d-byte input gave a %d-byte report (%.1f×), want at most 4× + 1 MiB = %d", name, len(in), len(b), float64(len(b))/float64(len(in)), limit)
		}
	}
}
