//go:build !js

package analyzer_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"os"
	"runtime"
	"strings"
	"testing"

	"headerlens/analyzer"
	"headerlens/analyzer/message"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// exampleZone is the example.com zone of these tests: records (zone-file
// lines) plus an SOA, an SPF record that fails every client and a DMARC
// policy of reject.
func exampleZone(tb testing.TB, records string) []dohtest.Zone {
	tb.Helper()
	z := dohtest.ZoneText("example.com.", "@ 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300\n"+records+
		dohtest.TXT("example.com", "v=spf1 -all")+"\n"+dohtest.TXT("_dmarc.example.com", "v=DMARC1; p=reject")+"\n")
	if z.Err() != nil {
		tb.Fatal(z.Err())
	}
	return []dohtest.Zone{z}
}

// hostileMessage builds the costliest message the analyzer's limits let a
// sender write, with the DNS data it names:
//
//   - a header block just under message.MaxHeaderSize, most of it three
//     Received fields of 240 KiB that every signature signs (h=);
//   - 16 DKIM signatures (dkim.DefaultMaxSignatures) and 50 ARC sets
//     (arc.MaxInstances), each asking for another body length l=, so that
//     no two share a body hash, with both canonicalizations;
//   - every selector publishing three 8192-bit RSA keys (the largest
//     accepted, dkimcore.MaxRSAKeyBits; three is dkimcore.MaxKeysPerName),
//     none of which verifies, so that each key is tried;
//   - a body that fills the input to message.MaxInputSize.
func hostileMessage(tb testing.TB) ([]byte, []dohtest.Zone) {
	tb.Helper()
	var zone strings.Builder
	keys := make([]string, 3)
	for i := range keys {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 8192))
		if err != nil {
			tb.Fatal(err)
		}
		n.SetBit(n, 8191, 1)
		n.SetBit(n, 0, 1)
		der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
		if err != nil {
			tb.Fatal(err)
		}
		keys[i] = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	}
	selector := func(s string) {
		for _, k := range keys {
			zone.WriteString(dohtest.TXT(s+"._domainkey.example.com", k) + "\n")
		}
	}
	sig := base64.StdEncoding.EncodeToString(make([]byte, 1024))
	bh := base64.StdEncoding.EncodeToString(make([]byte, 32))
	signed := "received:received:received:received:from:subject"
	canon := []string{"relaxed", "simple"}
	var h strings.Builder
	for i := range 16 {
		s := fmt.Sprintf("dkim%d", i)
		selector(s)
		fmt.Fprintf(&h, "DKIM-Signature: v=1; a=rsa-sha256; c=%s/%s; d=example.com; s=%s; l=%d;\r\n h=%s; bh=%s;\r\n b=%s\r\n",
			canon[i%2], canon[i%2], s, 1000+i, signed, bh, sig)
	}
	for i := 50; i >= 1; i-- {
		cv := "pass"
		if i == 1 {
			cv = "none"
		}
		s := fmt.Sprintf("arc%d", i)
		selector(s)
		selector(s + "s")
		fmt.Fprintf(&h, "ARC-Seal: i=%d; a=rsa-sha256; cv=%s; d=example.com; s=%ss; b=%s\r\n", i, cv, s, sig)
		fmt.Fprintf(&h, "ARC-Message-Signature: i=%d; a=rsa-sha256; c=relaxed/%s; d=example.com; s=%s; l=%d;\r\n h=%s; bh=%s; b=%s\r\n",
			i, canon[i%2], s, 2000+i, signed, bh, sig)
		fmt.Fprintf(&h, "ARC-Authentication-Results: i=%d; mx%d.example.com; dkim=pass header.d=example.com\r\n", i, i)
	}
	for i := range 3 {
		fmt.Fprintf(&h, "Received: from relay%d.example.com by mx.example.com; Mon, 2 Nov 2026 10:00:0%d +0000 (%s)\r\n",
			i, i, strings.Repeat("x", 240<<10))
	}
	h.WriteString("From: a@example.com\r\nSubject: the worst case\r\nReturn-Path: <a@example.com>\r\n\r\n")
	if h.Len() > message.MaxHeaderSize {
		tb.Fatalf("header of %d bytes, over message.MaxHeaderSize", h.Len())
	}
	line := strings.Repeat("b", 78) + "\r\n"
	var msg strings.Builder
	msg.Grow(message.MaxInputSize)
	msg.WriteString(h.String())
	for msg.Len()+len(line) <= message.MaxInputSize {
		msg.WriteString(line)
	}
	return []byte(msg.String()), exampleZone(tb, zone.String())
}

// BenchmarkHostileMessage compares the live analysis of an ordinary
// signed message with the worst one the limits allow (hostileMessage),
// both against the fixture DoH server with no latency.
func BenchmarkHostileMessage(b *testing.B) {
	normal, err := os.ReadFile("../testdata/analyze/01-all-pass.eml")
	if err != nil {
		b.Fatal(err)
	}
	worst, worstZones := hostileMessage(b)
	cases := []struct {
		name  string
		input []byte
		zones []dohtest.Zone
	}{
		{"normal", normal, loadZones(b, "../testdata/analyze/01-all-pass.zone")},
		{"worst", worst, worstZones},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			srv := dohtest.NewServer(b, c.zones...)
			b.SetBytes(int64(len(c.input)))
			for b.Loop() {
				r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
				if err != nil {
					b.Fatal(err)
				}
				rep, err := analyzer.Analyze(context.Background(), c.input, analyzer.Options{Resolver: r})
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Live.DKIM) == 0 {
					b.Fatal("no DKIM results")
				}
			}
		})
	}
}

// TestHostileMessageBounded runs the worst message once, as a test: every
// check ends with a result, the budget leaves most signatures unverified
// and says why, and nothing is reported as a verification failure that
// was never attempted.
func TestHostileMessageBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB message")
	}
	input, zones := hostileMessage(t)
	srv := dohtest.NewServer(t, zones...)
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analyzer.Analyze(context.Background(), input, analyzer.Options{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Live.DKIM); got != 16 {
		t.Fatalf("got %d DKIM results, want 16", got)
	}
	counts := map[string]int{}
	for _, d := range rep.Live.DKIM {
		counts[string(d.Result)]++
		if d.Result == "neutral" && !strings.Contains(d.Reason, "limit") {
			t.Errorf("dkim %s: neutral without the work limit as reason: %s", d.Selector, d.Reason)
		}
	}
	// The budget (128 MiB) pays for two passes over the 63 MiB body: the
	// newest ARC-Message-Signature's and the first DKIM signature's.
	if counts["fail"] != 1 || counts["neutral"] != 15 {
		t.Errorf("got DKIM results %v, want 1 fail and 15 neutral", counts)
	}
	a := rep.Live.ARC
	if a == nil || a.Instances != 50 || a.Result != "fail" {
		t.Fatalf("got ARC %+v, want 50 instances failing", a)
	}
	notChecked := 0
	for _, s := range a.Sets {
		if s.AMSResult == "not-checked" {
			notChecked++
		}
	}
	if notChecked != 49 {
		t.Errorf("got %d ARC-Message-Signatures not checked, want 49", notChecked)
	}
	t.Logf("worst message: %d bytes, analyzed in %.0f ms", len(input), rep.ElapsedMs)
}

// bigHeaderBlock is a 64 MiB header block (message.MaxInputSize) with 16
// DKIM signatures at the top, each signing From, Subject and four
// Received fields, and the zone publishing their key (one 2048-bit key
// for all, made for the test).
func bigHeaderBlock(tb testing.TB) ([]byte, []dohtest.Zone) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	var zone, h strings.Builder
	sig := base64.StdEncoding.EncodeToString(make([]byte, 256))
	for i := range 16 {
		zone.WriteString(dohtest.TXT(fmt.Sprintf("s%d._domainkey.example.com", i), "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der)) + "\n")
		fmt.Fprintf(&h, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s%d;\r\n h=from:subject:received:received:received:received; bh=AAAA; b=%s\r\n", i, sig)
	}
	h.WriteString("From: a@example.com\r\nSubject: big\r\nReturn-Path: <a@example.com>\r\n")
	line := "Received: from relay.example.com by mx.example.com; Mon, 2 Nov 2026 10:00:00 +0000 " + strings.Repeat("x", 60) + "\r\n"
	h.Grow(message.MaxInputSize)
	for h.Len()+len(line) <= message.MaxInputSize {
		h.WriteString(line)
	}
	return []byte(h.String()), exampleZone(tb, zone.String())
}

// TestMemoryBound checks how much a 64 MiB header block makes the
// analysis allocate, offline and live with 16 signatures. Everything
// allocated during the run is counted (runtime.MemStats.TotalAlloc), so
// the peak heap of the analysis is at most that. The bound, 64 MiB, does
// not grow with the input: message.Parse keeps 1 MiB of header
// (message.MaxHeaderSize), and the signatures share its canonical form.
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB message")
	}
	input, zones := bigHeaderBlock(t)
	srv := dohtest.NewServer(t, zones...)
	for _, live := range []bool{false, true} {
		t.Run(fmt.Sprintf("live=%v", live), func(t *testing.T) {
			var opts analyzer.Options
			if live {
				r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}})
				if err != nil {
					t.Fatal(err)
				}
				opts.Resolver = r
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rep, err := analyzer.Analyze(context.Background(), input, opts)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if live && len(rep.Live.DKIM) != 16 {
				t.Fatalf("got %d DKIM results, want 16", len(rep.Live.DKIM))
			}
			got := after.TotalAlloc - before.TotalAlloc
			limit := uint64(64 << 20)
			t.Logf("allocated %.1f MiB for a %.1f MiB header block", float64(got)/(1<<20), float64(len(input))/(1<<20))
			if got > limit {
				t.Errorf("allocated %d bytes, want at most %d", got, limit)
			}
		})
	}
}
