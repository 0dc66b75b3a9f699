package arc

import (
	"context"
	"slices"
	"testing"
	"time"

	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
)

// FuzzParseSet feeds arbitrary field values to the three ARC field parsers
// (RFC 8617 §4.1). They must never panic, and a returned field must carry a
// valid instance (§4.2.1).
func FuzzParseSet(f *testing.F) {
	for _, s := range []string{
		" i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; t=12345; b=dGVzdA==",
		" i=2; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to; bh=dGVzdA==; b=dGVzdA==",
		" i=1; mx.example.net; spf=pass smtp.mailfrom=example.com",
		" (comment (nested)) i = 50 ; x",
		" i=1;; a=",
		"",
		"\r\n\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		for _, name := range []string{FieldSeal, FieldSignature, FieldAuthResults} {
			raw := []byte(name + ":" + value + "\r\n")
			var inst int
			var ok bool
			switch name {
			case FieldSeal:
				s, _ := ParseSeal(raw)
				if ok = s != nil; ok {
					inst = s.Instance
				}
			case FieldSignature:
				m, _ := ParseMessageSignature(raw)
				if ok = m != nil; ok {
					inst = m.Instance
				}
			default:
				a, _ := ParseAuthResults(raw)
				if ok = a != nil; ok {
					inst = a.Instance
				}
			}
			if ok && (inst < 1 || inst > MaxInstances) {
				t.Fatalf("%s%q: got instance %d, want 1 to %d", name, value, inst, MaxInstances)
			}
		}
	})
}

// FuzzVerify runs whole pasted messages through Verify offline (no
// resolver): it must not panic, must end quickly, and must keep its result
// consistent.
func FuzzVerify(f *testing.F) {
	// Seeds come from the suite, not from the test sealer: generating
	// RSA keys under fuzzing instrumentation takes far too long.
	for _, d := range loadSuite(f) {
		for _, name := range []string{"cv_pass_i3_1", "cv_pass_i2_1_ams1_invalid", "ams_struct_dup", "aar_i_not_prefixed", "as_fields_i_dup2", "ams_fields_h_empty"} {
			if c, ok := d.Tests[name]; ok {
				f.Add(c.Message)
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		msg, err := message.Parse([]byte(text))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r := Verify(ctx, nil, msg, Options{})
		if !slices.Contains([]result.Word{result.Pass, result.Fail, result.None, result.TempError}, r.Result) {
			t.Fatalf("got result %q", r.Result)
		}
		if !slices.Contains([]result.Word{result.Pass, result.Fail, result.None}, r.ChainStatus) {
			t.Fatalf("got cv %q", r.ChainStatus)
		}
		if r.Instances != len(r.Sets) || r.Sets == nil || r.Findings == nil {
			t.Fatalf("got %d instances, %d sets", r.Instances, len(r.Sets))
		}
		// Offline, nothing can pass: every key lookup is a temperror.
		if r.Result == result.Pass {
			t.Fatalf("got pass without a resolver")
		}
	})
}
