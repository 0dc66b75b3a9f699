package domaincheck

import (
	"context"
	"errors"
	"testing"

	"headerlens/internal/jsonx"
)

// companionAnswer is a Companion that returns a fixed mail-tls report, in
// the JSON shape of companion.MailTLSReport, or an error.
type companionAnswer struct {
	json string
	bimi string
	err  error
	got  []string
}

func (c *companionAnswer) MailTLS(_ context.Context, domain string) (jsonx.RawMessage, error) {
	c.got = append(c.got, domain)
	return jsonx.RawMessage(c.json), c.err
}

func (c *companionAnswer) BIMI(_ context.Context, domain string) (jsonx.RawMessage, error) {
	if c.bimi == "" {
		return jsonx.RawMessage(`{"recordError":"no record"}`), c.err
	}
	return jsonx.RawMessage(c.bimi), c.err
}

func TestCompanionChecks(t *testing.T) {
	opts, _, _ := fixtureOptions(t)
	tests := []struct {
		name     string
		domain   string
		answer   companionAnswer
		starttls Status
		mtaSts   Status
		codes    []string
	}{
		{"enforce, all matching", "good.example", companionAnswer{json: `{"hosts":[
			{"host":"mx1.good.example","probe":{"starttlsOffered":true,"tls":{"version":"TLS 1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","chainVerified":true,"hostnameMatch":true}}},
			{"host":"mx2.good.example","probe":{"starttlsOffered":true,"tls":{"version":"TLS 1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","chainVerified":true,"hostnameMatch":true}}}],
			"mtaSts":{"fetch":{"url":"https://mta-sts.good.example/.well-known/mta-sts.txt","policy":{"mode":"enforce","maxAge":604800,"mx":["*.good.example"]}},
			"mx":[{"host":"mx1.good.example","matches":true},{"host":"mx2.good.example","matches":true}]}}`},
			OK, OK, nil},
		{"testing, patterns not matching, no STARTTLS", "mistakes.example", companionAnswer{json: `{"hosts":[
			{"host":"mx.mistakes.example","probe":{"starttlsOffered":false}},
			{"host":"gone.mistakes.example","error":"no address"}],
			"mtaSts":{"fetch":{"url":"https://mta-sts.mistakes.example/.well-known/mta-sts.txt","policy":{"mode":"testing","maxAge":3600,"mx":["mail.other.example"]}},
			"mx":[{"host":"mx.mistakes.example","matches":false},{"host":"gone.mistakes.example","matches":false}]}}`},
			Error, Error, []string{"starttls-not-offered", "starttls-not-probed", "mta-sts-testing", "mta-sts-short-max-age", "mta-sts-mx-mismatch"}},
		{"companion down", "good.example", companionAnswer{err: errors.New("connection refused")},
			NotChecked, NotChecked, nil},
		{"garbage answer", "good.example", companionAnswer{json: `[1,2`},
			NotChecked, NotChecked, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			o.Companion = &tt.answer
			rep := Check(context.Background(), tt.domain, o)
			if len(tt.answer.got) != 1 || tt.answer.got[0] != tt.domain {
				t.Errorf("companion asked about %v, want [%s]", tt.answer.got, tt.domain)
			}
			if rep.STARTTLS.Status != tt.starttls {
				t.Errorf("starttls = %q, want %q (%v)", rep.STARTTLS.Status, tt.starttls, rep.STARTTLS.Findings)
			}
			if rep.MTASTS.Status != tt.mtaSts {
				t.Errorf("mtaSts = %q, want %q (%v)", rep.MTASTS.Status, tt.mtaSts, rep.MTASTS.Findings)
			}
			if tt.starttls == NotChecked && rep.STARTTLS.Reason == "" {
				t.Error("starttls not checked without a reason")
			}
			got := codes(rep.STARTTLS)
			for k := range codes(rep.MTASTS) {
				got[k] = true
			}
			for _, c := range tt.codes {
				if !got[c] {
					t.Errorf("no finding %q; starttls %v, mtaSts %v", c, rep.STARTTLS.Findings, rep.MTASTS.Findings)
				}
			}
		})
	}
}
