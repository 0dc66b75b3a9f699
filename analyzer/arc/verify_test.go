package arc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

var (
	hop1 = hop{"one.example", "s1", "rsa"}
	hop2 = hop{"two.example", "s2", "rsa-b"}
	hop3 = hop{"three.example", "s3", "ed25519"}
)

// hopDNS serves the keys of hop1, hop2 and hop3 through the DoH fixture.
func hopDNS(tb testing.TB) (*dohtest.Server, lookup.Resolver) {
	tb.Helper()
	txt := map[string]string{}
	for _, h := range []hop{hop1, hop2, hop3} {
		txt[h.selector+"._domainkey."+h.domain] = keyRecord(tb, testKeys()[h.key])
	}
	return newDNS(tb, txt)
}

// tamperSeal changes the t= of the seal of instance inst, breaking it and
// every later seal (which cover it, RFC 8617 §5.1.1).
func (b *builder) tamperSeal(inst int) {
	s := b.sets[inst][2]
	for i, f := range b.fields {
		if f == s {
			b.fields[i] = strings.Replace(f, "t=1795000000", "t=1795000001", 1)
			return
		}
	}
	panic("seal not found")
}

func TestVerify(t *testing.T) {
	const absent = -1
	tests := []struct {
		name       string
		build      func(t *testing.T, b *builder)
		body       bool
		noResolver bool
		dns        func(t *testing.T, srv *dohtest.Server)
		result     result.Word
		cv         result.Word
		failed     int
		oldestPass int
		bodyHash   string
		seals      []result.Word
		amss       []result.Word
		finding    string
		reason     string
	}{
		{name: "no ARC fields", build: func(t *testing.T, b *builder) {}, body: true,
			result: result.None, cv: result.None, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "no ARC header fields"},
		{name: "one hop, full message",
			build:  func(t *testing.T, b *builder) { b.seal(t, 1, result.None, hop1) },
			body:   true,
			result: result.Pass, cv: result.Pass, oldestPass: 0, bodyHash: dkimcore.BodyVerified,
			seals: []result.Word{result.Pass}, amss: []result.Word{result.Pass}, finding: "arc-pass"},
		{name: "three hops with rsa and ed25519, full message",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
				b.seal(t, 3, result.Pass, hop3)
			},
			body:   true,
			result: result.Pass, cv: result.Pass, oldestPass: 0, bodyHash: dkimcore.BodyVerified,
			seals: []result.Word{result.Pass, result.Pass, result.Pass}, amss: []result.Word{result.Pass, result.Pass, result.Pass}},
		{name: "three hops, headers only",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
				b.seal(t, 3, result.Pass, hop3)
			},
			result: result.Pass, cv: result.Pass, oldestPass: 0, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.Pass, result.Pass, result.Pass}, amss: []result.Word{result.Pass, result.Pass, result.Pass}, finding: "arc-headers-only", reason: "headers only"},
		{name: "Subject changed after the first hop",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.replace("Subject", "Subject: [list] Lunch tomorrow?\r\n")
				b.seal(t, 2, result.Pass, hop2)
			},
			body:   true,
			result: result.Pass, cv: result.Pass, oldestPass: 2, bodyHash: dkimcore.BodyVerified,
			seals: []result.Word{result.Pass, result.Pass}, amss: []result.Word{result.Fail, result.Pass}, finding: "arc-oldest-pass"},
		{name: "footer added after the first hop, full message",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.body += "-- \r\nlist footer\r\n"
				b.seal(t, 2, result.Pass, hop2)
			},
			body:   true,
			result: result.Pass, cv: result.Pass, oldestPass: 2, bodyHash: dkimcore.BodyVerified,
			seals: []result.Word{result.Pass, result.Pass}, amss: []result.Word{result.Fail, result.Pass}, finding: "arc-oldest-pass"},
		{name: "footer added after the first hop, headers only",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.body += "-- \r\nlist footer\r\n"
				b.seal(t, 2, result.Pass, hop2)
			},
			result: result.Pass, cv: result.Pass, oldestPass: 0, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.Pass, result.Pass}, amss: []result.Word{result.Pass, result.Pass}},
		{name: "body changed after the last hop",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.body = "Hi all,\r\n\r\nMeet at one instead.\r\n"
			},
			body:   true,
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyMismatch,
			seals: []result.Word{result.Pass}, amss: []result.Word{result.Fail}, finding: "arc-fail", reason: "body hash does not match"},
		{name: "first seal tampered",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
				b.tamperSeal(1)
			},
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: 0, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.Fail, result.Fail}, amss: []result.Word{result.Pass, result.Pass}, reason: "ARC-Seal of i=2 does not verify"},
		{name: "no resolver",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
			},
			noResolver: true,
			result:     result.TempError, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.TempError, result.TempError}, amss: []result.Word{result.TempError, result.TempError}, finding: "arc-temperror", reason: "no DNS resolver"},
		{name: "SERVFAIL for the first hop's key",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
			},
			dns:    func(t *testing.T, srv *dohtest.Server) { srv.Fail("s1._domainkey.one.example", dohtest.FailServfail) },
			result: result.TempError, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.TempError, result.Pass}, amss: []result.Word{result.TempError, result.Pass}, reason: "could not be checked"},
		{name: "SERVFAIL for one key but a broken seal",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Pass, hop2)
				b.tamperSeal(2)
			},
			dns:    func(t *testing.T, srv *dohtest.Server) { srv.Fail("s1._domainkey.one.example", dohtest.FailServfail) },
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.TempError, result.Fail}, amss: []result.Word{result.TempError, result.Pass}},
		{name: "two key records, the second one right",
			build: func(t *testing.T, b *builder) { b.seal(t, 1, result.None, hop1) },
			dns: func(t *testing.T, srv *dohtest.Server) {
				srv.AddRR(dohtest.TXT("s1._domainkey.one.example", keyRecord(t, testKeys()["rsa-b"])))
			},
			result: result.Pass, cv: result.Pass, oldestPass: 0, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.Pass}, amss: []result.Word{result.Pass}},
		{name: "a key of another pair",
			build: func(t *testing.T, b *builder) { b.seal(t, 1, result.None, hop{"one.example", "s4", "rsa"}) },
			dns: func(t *testing.T, srv *dohtest.Server) {
				srv.AddRR(dohtest.TXT("s4._domainkey.one.example", keyRecord(t, testKeys()["rsa-b"])))
			},
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.Fail}, amss: []result.Word{result.Fail}, reason: "does not verify"},
		{name: "key of the wrong type",
			build: func(t *testing.T, b *builder) { b.seal(t, 1, result.None, hop{"one.example", "s5", "rsa"}) },
			dns: func(t *testing.T, srv *dohtest.Server) {
				srv.AddRR(dohtest.TXT("s5._domainkey.one.example", keyRecord(t, testKeys()["ed25519"])))
			},
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.PermError}, amss: []result.Word{result.PermError}, reason: "of type ed25519"},
		{name: "key record absent",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop{"absent.example", "s9", "rsa"})
			},
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.PermError}, amss: []result.Word{result.PermError}, reason: "no usable key"},
		{name: "gap in the instances",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 3, result.Pass, hop2)
			},
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked,
			seals: []result.Word{result.NotChecked, result.NotChecked}, amss: []result.Word{result.NotChecked, result.NotChecked}, reason: "i=2 is missing"},
		{name: "newest seal says cv=fail",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Fail, hop2)
			},
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "cv=fail",
			seals: []result.Word{result.NotChecked, result.Pass}, amss: []result.Word{result.NotChecked, result.NotChecked}},
		{name: "newest seal says cv=fail and is forged",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.Fail, hop2)
				b.tamperSeal(2)
			},
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "cv=fail",
			seals: []result.Word{result.NotChecked, result.Fail}, amss: []result.Word{result.NotChecked, result.NotChecked}},
		{name: "second seal says cv=none",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 2, result.None, hop2)
			},
			result: result.Fail, cv: result.Fail, failed: 2, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "must be cv=pass"},
		{name: "first seal says cv=pass",
			build:  func(t *testing.T, b *builder) { b.seal(t, 1, result.Pass, hop1) },
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "must be cv=none"},
		{name: "duplicate ARC set",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 1, result.None, hop1)
				b.seal(t, 1, result.None, hop2)
			},
			result: result.Fail, cv: result.Fail, failed: 1, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "exactly one"},
		{name: "instance 51",
			build: func(t *testing.T, b *builder) {
				b.seal(t, 51, result.Pass, hop1)
			},
			result: result.Fail, cv: result.Fail, oldestPass: absent, bodyHash: dkimcore.BodyNotChecked, reason: "outside 1 to 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder()
			tc.build(t, b)
			srv, r := hopDNS(t)
			if tc.dns != nil {
				tc.dns(t, srv)
			}
			if tc.noResolver {
				r = nil
			}
			got := Verify(t.Context(), r, b.message(t, tc.body), Options{})
			if got.Result != tc.result || got.ChainStatus != tc.cv {
				t.Errorf("got result %s cv %s (%s), want %s cv %s", got.Result, got.ChainStatus, got.Reason, tc.result, tc.cv)
			}
			if got.FailedInstance != tc.failed {
				t.Errorf("got failedInstance %d, want %d", got.FailedInstance, tc.failed)
			}
			gotOldest := absent
			if got.OldestPass != nil {
				gotOldest = *got.OldestPass
			}
			if gotOldest != tc.oldestPass {
				t.Errorf("got oldestPass %d, want %d", gotOldest, tc.oldestPass)
			}
			wantScope := dkimcore.ScopeHeadersOnly
			if tc.body {
				wantScope = dkimcore.ScopeFull
			}
			if got.Scope != wantScope || got.BodyHash != tc.bodyHash {
				t.Errorf("got scope %q bodyHash %q, want %q %q", got.Scope, got.BodyHash, wantScope, tc.bodyHash)
			}
			var seals, amss []result.Word
			for _, s := range got.Sets {
				seals, amss = append(seals, s.SealResult), append(amss, s.AMSResult)
			}
			if tc.seals != nil && !slices.Equal(seals, tc.seals) {
				t.Errorf("got seal results %v, want %v", seals, tc.seals)
			}
			if tc.amss != nil && !slices.Equal(amss, tc.amss) {
				t.Errorf("got AMS results %v, want %v", amss, tc.amss)
			}
			if tc.finding != "" && !hasFinding(got, tc.finding) {
				t.Errorf("got findings %v, want %s", got.Findings, tc.finding)
			}
			if !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("got reason %q, want it to contain %q", got.Reason, tc.reason)
			}
		})
	}
}

// TestSetDetails checks what each set reports about itself.
func TestSetDetails(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop1)
	b.seal(t, 2, result.Pass, hop3)
	_, r := hopDNS(t)
	got := Verify(t.Context(), r, b.message(t, true), Options{})
	if got.Instances != 2 || len(got.Sets) != 2 {
		t.Fatalf("got %d instances and %d sets, want 2 and 2", got.Instances, len(got.Sets))
	}
	tests := []struct {
		got, want string
	}{
		{got.Sets[0].Domain, "one.example"},
		{got.Sets[0].Selector, "s1"},
		{got.Sets[0].Algorithm, "rsa-sha256"},
		{string(got.Sets[0].CV), "none"},
		{got.Sets[0].AuthServID, "mx.one.example"},
		{got.Sets[0].AuthResults, "mx.one.example; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com"},
		{got.Sets[0].AMSBodyHash, dkimcore.BodyVerified},
		{got.Sets[1].Domain, "three.example"},
		{got.Sets[1].Algorithm, "ed25519-sha256"},
		{got.Sets[1].AMSAlgorithm, "ed25519-sha256"},
		{string(got.Sets[1].CV), "pass"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%d: got %q, want %q", i, tc.got, tc.want)
		}
	}
	if got.Sets[1].Timestamp == nil || *got.Sets[1].Timestamp != 1795000000 {
		t.Errorf("got timestamp %v, want 1795000000", got.Sets[1].Timestamp)
	}
}

// TestKeyLookupsConcurrent checks that the keys of different instances are
// fetched at the same time, and each distinct key only once.
func TestKeyLookupsConcurrent(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop1)
	b.seal(t, 2, result.Pass, hop2)
	b.seal(t, 3, result.Pass, hop3)
	srv, r := hopDNS(t)
	const latency = 400 * time.Millisecond
	srv.SetLatency(latency)
	start := time.Now()
	got := Verify(t.Context(), r, b.message(t, false), Options{})
	elapsed := time.Since(start)
	if got.Result != result.Pass {
		t.Fatalf("got %s (%s), want pass", got.Result, got.Reason)
	}
	// One lookup after another would take three times the latency.
	if elapsed >= 2*latency {
		t.Errorf("got %v for three keys with %v latency each, want under %v (concurrent lookups)", elapsed, latency, 2*latency)
	}
	for _, h := range []hop{hop1, hop2, hop3} {
		name := h.selector + "._domainkey." + h.domain
		if n := srv.CountName(name, 16); n != 1 {
			t.Errorf("%s: got %d TXT queries, want 1 (seal and signature share the key)", name, n)
		}
	}
}

// TestResultJSON pins the JSON names of the live.arc contract.
func TestResultJSON(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop1)
	_, r := hopDNS(t)
	raw, err := json.Marshal(Verify(t.Context(), r, b.message(t, false), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"result", "instances", "reason", "cv", "oldestPass", "scope", "bodyHash", "sets", "findings"} {
		if _, ok := top[k]; !ok {
			t.Errorf("got keys %s, want %q", raw, k)
		}
	}
	var sets []map[string]json.RawMessage
	if err := json.Unmarshal(top["sets"], &sets); err != nil || len(sets) != 1 {
		t.Fatalf("got sets %s (%v), want one", top["sets"], err)
	}
	for _, k := range []string{"instance", "cv", "sealResult", "amsResult", "domain", "selector", "algorithm", "authResults", "reason"} {
		if _, ok := sets[0][k]; !ok {
			t.Errorf("got set keys %s, want %q", top["sets"], k)
		}
	}
	tests := []struct{ key, want string }{
		{"result", `"pass"`}, {"instances", `1`}, {"scope", `"headers-only"`}, {"bodyHash", `"not-checked"`}, {"oldestPass", `0`},
	}
	for _, tc := range tests {
		if got := string(top[tc.key]); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.key, got, tc.want)
		}
	}
}

func TestVerifyNilMessage(t *testing.T) {
	got := Verify(t.Context(), nil, nil, Options{})
	if got.Result != result.None || got.ChainStatus != result.None || got.Sets == nil || got.Findings == nil {
		t.Errorf("got %+v, want none with empty (non-nil) sets and findings", got)
	}
}

// TestSignatureWorkLimit checks that the work budget serves the newest
// ARC-Message-Signature, which decides the result, before the older ones,
// and that an older signature left out is said to be. The smallest budget
// with which the chain passes is found by bisection: at it only the newest
// signature fits; with the default budget both are verified.
func TestSignatureWorkLimit(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop1)
	b.seal(t, 2, result.Pass, hop2)
	_, r := hopDNS(t)
	msg := b.message(t, true)
	passes := func(work int64) bool {
		return Verify(t.Context(), r, msg, Options{MaxSignatureWork: work}).Result == result.Pass
	}
	lo, hi := int64(1), int64(len(msg.Body)+len(msg.HeaderBytes()))
	if passes(lo) || !passes(hi) {
		t.Fatalf("got pass with a 1-byte budget %v, with the whole message's size %v; want false, true", passes(lo), passes(hi))
	}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if passes(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	tests := []struct {
		name       string
		work       int64
		ams1       result.Word
		oldestPass bool
	}{
		{"default budget", 0, result.Pass, true},
		{"only the newest fits", hi, result.NotChecked, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Verify(t.Context(), r, msg, Options{MaxSignatureWork: tc.work})
			if got.Result != result.Pass {
				t.Fatalf("got %s (%s), want pass", got.Result, got.Reason)
			}
			if got.Sets[0].AMSResult != tc.ams1 || got.Sets[1].AMSResult != result.Pass {
				t.Errorf("got AMS results %s %s, want %s pass", got.Sets[0].AMSResult, got.Sets[1].AMSResult, tc.ams1)
			}
			if (got.OldestPass != nil) != tc.oldestPass {
				t.Errorf("got oldestPass %v, want present %v", got.OldestPass, tc.oldestPass)
			}
			if hasFinding(got, "arc-older-signatures-skipped") == tc.oldestPass {
				t.Errorf("got findings %v, want arc-older-signatures-skipped %v", got.Findings, !tc.oldestPass)
			}
		})
	}
	if got := Verify(t.Context(), r, msg, Options{MaxSignatureWork: hi - 1}); got.Result != result.TempError || got.Sets[1].AMSResult != result.NotChecked {
		t.Errorf("one byte under: got %s with newest AMS %s, want temperror, %s", got.Result, got.Sets[1].AMSResult, result.NotChecked)
	}
}

// TestHostileInput checks that Verify stays fast on messages built to make
// it work hard: it must end well within the time limit. The fifty sets
// fill most of the 1 MiB header that message.Parse keeps.
func TestHostileInput(t *testing.T) {
	big := strings.Repeat("x", 18<<10)
	var fifty, dups, hugeH strings.Builder
	for i := 50; i >= 1; i-- {
		cv := result.Pass
		if i == 1 {
			cv = result.None
		}
		fmt.Fprintf(&fifty, "ARC-Seal: i=%d; a=rsa-sha256; cv=%s; d=example.org; s=s; b=dGVzdA==\r\n", i, cv)
		fmt.Fprintf(&fifty, "ARC-Message-Signature: i=%d; a=rsa-sha256; d=example.org; s=s; h=from; bh=dGVzdA==; b=dGVzdA==\r\n", i)
		fmt.Fprintf(&fifty, "ARC-Authentication-Results: i=%d; mx.example.org; x=%s\r\n", i, big)
	}
	for range 5000 {
		dups.WriteString("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=dGVzdA==\r\n")
	}
	hugeH.WriteString("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=dGVzdA==\r\n")
	hugeH.WriteString("ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=s; bh=dGVzdA==; b=dGVzdA==; h=" + strings.Repeat("from:", 12000) + "from\r\n")
	hugeH.WriteString("ARC-Authentication-Results: i=1; mx.example.org; none\r\n")
	for range 5000 {
		hugeH.WriteString("From: a@example.org\r\n")
	}
	tests := []struct {
		name   string
		header string
		result result.Word
	}{
		{"fifty sets of 18 KiB each, offline", fifty.String(), result.TempError},
		{"5000 copies of one seal", dups.String(), result.Fail},
		{"h= naming From 12000 times", hugeH.String(), result.TempError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := message.Parse([]byte(tc.header + "From: a@example.org\r\n\r\nbody\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got := Verify(t.Context(), nil, msg, Options{})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v, want under 5s", d)
			}
			if got.Result != tc.result {
				t.Errorf("got %s (%s), want %s", got.Result, got.Reason, tc.result)
			}
		})
	}
}

// TestInputRepairedFinding checks that a failure on input that
// message.Parse had to repair says so.
func TestInputRepairedFinding(t *testing.T) {
	b := newBuilder()
	b.seal(t, 1, result.None, hop1)
	_, r := hopDNS(t)
	tests := []struct {
		name   string
		text   string
		result result.Word
		want   bool
	}{
		{"clean input, changed body", b.headerText() + "\r\nchanged\r\n", result.Fail, false},
		{"indented input, changed body", "  " + strings.ReplaceAll(b.headerText(), "\r\n", "\r\n  ") + "\r\nchanged\r\n", result.Fail, true},
		{"indented input, intact", "  " + strings.ReplaceAll(b.headerText(), "\r\n", "\r\n  ") + "\r\n" + b.body, result.Pass, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := message.Parse([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			got := Verify(t.Context(), r, msg, Options{})
			if got.Result != tc.result {
				t.Errorf("got %s (%s), want %s", got.Result, got.Reason, tc.result)
			}
			if hasFinding(got, "arc-input-repaired") != tc.want {
				t.Errorf("got findings %v, want arc-input-repaired %v", got.Findings, tc.want)
			}
		})
	}
}
