package arc

import (
	"strings"
	"testing"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/result"
)

const (
	b64 = "dGVzdA=="
)

func TestParseSeal(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantErr  string // "" for no error
		instance int    // 0: no *Seal expected
		cv       result.Word
		domain   string
	}{
		{name: "valid", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=Example.ORG; s=sel; t=12345; b=" + b64 + "\r\n",
			instance: 1, cv: result.None, domain: "example.org"},
		{name: "folded, unknown tag, trailing semicolon", raw: "ARC-Seal: i = 2 ;\r\n a=ed25519-sha256; cv=Pass; x=y; d=example.org;\r\n\ts=sel; b=dGVz\r\n dA==;\r\n",
			instance: 2, cv: result.Pass, domain: "example.org"},
		{name: "no colon", raw: "ARC-Seal i=1", wantErr: "no colon"},
		{name: "tag list error", raw: "ARC-Seal: i=1;; a=rsa-sha256\r\n", wantErr: "empty tag"},
		{name: "duplicate tag", raw: "ARC-Seal: i=1; i=1; a=rsa-sha256\r\n", wantErr: "more than once"},
		{name: "no i=", raw: "ARC-Seal: a=rsa-sha256; cv=none; d=example.org; s=sel; b=" + b64 + "\r\n", wantErr: "i= is missing"},
		{name: "i=0", raw: "ARC-Seal: i=0; a=rsa-sha256\r\n", wantErr: "outside 1 to 50"},
		{name: "i=51", raw: "ARC-Seal: i=51; a=rsa-sha256\r\n", wantErr: "outside 1 to 50"},
		{name: "i=100", raw: "ARC-Seal: i=100; a=rsa-sha256\r\n", wantErr: "not an instance number"},
		{name: "i=x", raw: "ARC-Seal: i=x; a=rsa-sha256\r\n", wantErr: "not an instance number"},
		{name: "missing cv", raw: "ARC-Seal: i=1; a=rsa-sha256; d=example.org; s=sel; b=" + b64 + "\r\n", wantErr: "cv= is missing", instance: 1},
		{name: "h= present", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; h=from; b=" + b64 + "\r\n", wantErr: "h= tag", instance: 1},
		{name: "bad cv", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=maybe; d=example.org; s=sel; b=" + b64 + "\r\n", wantErr: "not none, fail or pass", instance: 1},
		{name: "rsa-sha1", raw: "ARC-Seal: i=1; a=rsa-sha1; cv=none; d=example.org; s=sel; b=" + b64 + "\r\n", wantErr: "rsa-sha1", instance: 1, cv: result.None},
		{name: "empty b", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; b=\r\n", wantErr: "b= is empty", instance: 1, cv: result.None},
		{name: "bad d", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=exa mple; s=sel; b=" + b64 + "\r\n", wantErr: "not a domain", instance: 1, cv: result.None},
		{name: "bad t", raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; t=1 2; b=" + b64 + "\r\n", wantErr: "not a timestamp", instance: 1, cv: result.None, domain: "example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSeal([]byte(tc.raw))
			if gotErr := errMsg(err); (tc.wantErr == "") != (gotErr == "") || !strings.Contains(gotErr, tc.wantErr) {
				t.Fatalf("got error %q, want %q", gotErr, tc.wantErr)
			}
			if err != nil && dkimcore.KindOf(err) != dkimcore.KindPermError {
				t.Errorf("got kind %v, want permerror", dkimcore.KindOf(err))
			}
			if tc.instance == 0 {
				if s != nil {
					t.Errorf("got seal %+v, want nil", s)
				}
				return
			}
			if s == nil {
				t.Fatalf("got nil seal, want instance %d", tc.instance)
			}
			if s.Instance != tc.instance || s.ChainStatus != tc.cv || s.Domain != tc.domain {
				t.Errorf("got i=%d cv=%q d=%q, want i=%d cv=%q d=%q", s.Instance, s.ChainStatus, s.Domain, tc.instance, tc.cv, tc.domain)
			}
		})
	}
}

func TestParseMessageSignature(t *testing.T) {
	base := "ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=sel; bh=" + b64 + "; b=" + b64
	tests := []struct {
		name        string
		raw         string
		wantErr     string
		headers     []string
		hc, bc      dkimcore.Canonicalization
		canonAbsent bool
		length      int64
	}{
		{name: "no c=", raw: base + "; h=From:To\r\n", headers: []string{"From", "To"}, hc: dkimcore.Simple, bc: dkimcore.Simple, canonAbsent: true, length: -1},
		{name: "relaxed/simple, l=", raw: base + "; c=relaxed/simple; l=10; h=from\r\n", headers: []string{"from"}, hc: dkimcore.Relaxed, bc: dkimcore.Simple, length: 10},
		{name: "empty h=", raw: base + "; c=relaxed/relaxed; h=\r\n", headers: nil, hc: dkimcore.Relaxed, bc: dkimcore.Relaxed, length: -1},
		{name: "blank entry in h=", raw: base + "; c=relaxed; h=from::to\r\n", headers: []string{"from", "", "to"}, hc: dkimcore.Relaxed, bc: dkimcore.Simple, length: -1},
		{name: "v= is ignored", raw: base + "; v=7; c=simple; h=from\r\n", headers: []string{"from"}, hc: dkimcore.Simple, bc: dkimcore.Simple, length: -1},
		{name: "h= signs ARC-Seal", raw: base + "; h=from:arc-seal\r\n", wantErr: "ARC-Seal"},
		{name: "no h=", raw: base + "\r\n", wantErr: "h= is missing"},
		{name: "empty c=", raw: base + "; c=; h=from\r\n", wantErr: "c= is empty"},
		{name: "bad c=", raw: base + "; c=fancy; h=from\r\n", wantErr: "canonicalization"},
		{name: "bad l=", raw: base + "; l=-1; h=from\r\n", wantErr: "l=-1"},
		{name: "empty bh", raw: "ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=sel; bh=; b=" + b64 + "; h=from\r\n", wantErr: "bh= is empty"},
		{name: "bad selector", raw: "ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=a..b; bh=" + b64 + "; b=" + b64 + "; h=from\r\n", wantErr: "selector"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessageSignature([]byte(tc.raw))
			if gotErr := errMsg(err); (tc.wantErr == "") != (gotErr == "") || !strings.Contains(gotErr, tc.wantErr) {
				t.Fatalf("got error %q, want %q", gotErr, tc.wantErr)
			}
			if m == nil || m.Instance != 1 {
				t.Fatalf("got %+v, want a signature with i=1", m)
			}
			if err != nil {
				return
			}
			if strings.Join(m.Headers, ",") != strings.Join(tc.headers, ",") || m.HeaderCanon != tc.hc || m.BodyCanon != tc.bc || m.CanonAbsent != tc.canonAbsent || m.Length != tc.length {
				t.Errorf("got h=%q c=%s/%s absent=%v l=%d, want h=%q c=%s/%s absent=%v l=%d",
					m.Headers, m.HeaderCanon, m.BodyCanon, m.CanonAbsent, m.Length, tc.headers, tc.hc, tc.bc, tc.canonAbsent, tc.length)
			}
		})
	}
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantErr  string
		instance int
		payload  string
		id       string
	}{
		{name: "valid", raw: "ARC-Authentication-Results: i=1; mx.example.net;\r\n  spf=pass smtp.mailfrom=a.example\r\n",
			instance: 1, payload: "mx.example.net; spf=pass smtp.mailfrom=a.example", id: "mx.example.net"},
		{name: "comments and spaces", raw: "ARC-Authentication-Results: (c) i (x) = (y) 12 (z) ; mx.example.net 1; none\r\n",
			instance: 12, payload: "mx.example.net 1; none", id: "mx.example.net"},
		{name: "i= not first", raw: "ARC-Authentication-Results: mx.example.net; i=1; none\r\n", wantErr: "does not begin"},
		{name: "upper-case I", raw: "ARC-Authentication-Results: I=1; mx.example.net; none\r\n", wantErr: "does not begin"},
		{name: "no semicolon", raw: "ARC-Authentication-Results: i=1 mx.example.net; none\r\n", wantErr: "no \";\"", instance: 1},
		{name: "empty i", raw: "ARC-Authentication-Results: i=; mx.example.net\r\n", wantErr: "i= is empty"},
		{name: "i=0", raw: "ARC-Authentication-Results: i=0; mx.example.net\r\n", wantErr: "outside"},
		{name: "no authserv-id", raw: "ARC-Authentication-Results: i=3;\r\n", wantErr: "authserv-id", instance: 3},
		{name: "unclosed comment", raw: "ARC-Authentication-Results: (i=1; mx\r\n", wantErr: "does not begin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAuthResults([]byte(tc.raw))
			if gotErr := errMsg(err); (tc.wantErr == "") != (gotErr == "") || !strings.Contains(gotErr, tc.wantErr) {
				t.Fatalf("got error %q, want %q", gotErr, tc.wantErr)
			}
			if tc.instance == 0 {
				if a != nil {
					t.Errorf("got %+v, want nil", a)
				}
				return
			}
			if a == nil || a.Instance != tc.instance {
				t.Fatalf("got %+v, want i=%d", a, tc.instance)
			}
			if err == nil && (a.Payload != tc.payload || a.AuthServID != tc.id) {
				t.Errorf("got payload %q id %q, want %q %q", a.Payload, a.AuthServID, tc.payload, tc.id)
			}
		})
	}
}
