package dkim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
	"headerlens/dohresolver/dohtest"
)

const testdataDir = "../../testdata/dkim"

func parseMessage(tb testing.TB, raw []byte) *message.Message {
	tb.Helper()
	m, err := message.Parse(raw)
	if err != nil {
		tb.Fatalf("message.Parse: %v", err)
	}
	return m
}

// mailDKIMWord maps a signature result onto the Mail::DKIM vocabulary (pass,
// fail, invalid). A signature that this package refuses only because of
// RFC 8301 or RFC 6376 §3.5 (Downgrade set) while it verifies
// cryptographically counts as pass, since Mail::DKIM's default verifier
// accepts rsa-sha1, short keys and draft signatures.
func mailDKIMWord(r Result) string {
	switch {
	case r.Result == result.Pass:
		return "pass"
	case r.Downgrade != "" && r.CryptoVerified && r.BodyHash != dkimcore.BodyMismatch:
		return "pass"
	case r.Result == result.Fail:
		return "fail"
	}
	return "invalid"
}

// strictWord maps a result onto Mail::DKIM's Strict mode, which refuses
// weak signatures (RFC 8301) as this package does, but still accepts draft
// signatures without v=.
func strictWord(r Result) string {
	if r.Downgrade == DowngradeDraft && r.CryptoVerified && r.BodyHash != dkimcore.BodyMismatch {
		return "pass"
	}
	switch r.Result {
	case result.Pass:
		return "pass"
	case result.Fail:
		return "fail"
	}
	return "invalid"
}

// best is the message-level verdict: the best signature wins.
func best(results []Result, word func(Result) string) string {
	rank := map[string]int{"pass": 3, "fail": 2, "invalid": 1, "none": 0}
	out := "none"
	for _, r := range results {
		if w := word(r); rank[w] > rank[out] {
			out = w
		}
	}
	return out
}

// loadFakeDNS publishes t/FAKE_DNS.dat: "<qname> <txt>" per line, with
// NXDOMAIN, timeout and SERVFAIL markers.
func loadFakeDNS(tb testing.TB, srv *dohtest.Server, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		value = strings.TrimSpace(value)
		switch value {
		case "NXDOMAIN":
			// Absent from the root zone: NXDOMAIN.
		case "~~Query timed out~~":
			srv.Fail(name+".", dohtest.FailTimeout)
		case "~~SERVFAIL~~":
			srv.Fail(name+".", dohtest.FailServfail)
		case `""`:
			addTXT(tb, srv, name, "")
		default:
			addTXT(tb, srv, name, value)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
}

type mailDKIMExpected struct {
	Verifier map[string]struct {
		Expected        string  `json:"expected"`
		Comment         *string `json:"comment"`
		UpstreamSkipped bool    `json:"upstream_skipped"`
	} `json:"verifier"`
	VerifierStrict struct {
		Cases map[string]string `json:"cases"`
	} `json:"verifier_strict"`
}

// TestMailDKIMCorpus runs the Mail::DKIM verifier corpus (t/corpus, DNS
// from t/FAKE_DNS.dat, expectations from t/verifier.t). DomainKeys
// messages (RFC 4870, not DKIM) and the draft-00 messages that Mail::DKIM
// itself skips are not run.
func TestMailDKIMCorpus(t *testing.T) {
	dir := filepath.Join(testdataDir, "mail-dkim")
	raw, err := os.ReadFile(filepath.Join(dir, "expected-results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp mailDKIMExpected
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	srv, r := newDNS(t)
	loadFakeDNS(t, srv, filepath.Join(dir, "FAKE_DNS.dat"))
	names := make([]string, 0, len(exp.Verifier))
	for n := range exp.Verifier {
		names = append(names, n)
	}
	sort.Strings(names)
	// The corpus was signed between 2006 and 2023; ignore_7 expires
	// in between and must be seen as expired.
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var passed, total, skippedDK, skippedDraft, downgraded int
	for _, name := range names {
		e := exp.Verifier[name]
		if strings.Contains(name, "dk_") {
			skippedDK++
			continue
		}
		if e.UpstreamSkipped {
			skippedDraft++
			continue
		}
		total++
		msgRaw, err := os.ReadFile(filepath.Join(dir, "corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		results := Verify(t.Context(), r, parseMessage(t, msgRaw), Options{Now: now})
		got := best(results, mailDKIMWord)
		if got != e.Expected {
			var detail []string
			for _, res := range results {
				detail = append(detail, string(res.Result)+" ("+res.Reason+")")
			}
			t.Errorf("%s: got %s, want %s; signatures: %s", name, got, e.Expected, strings.Join(detail, "; "))
			continue
		}
		passed++
		for _, res := range results {
			if res.Downgrade != "" && mailDKIMWord(res) == "pass" {
				downgraded++
				break
			}
		}
		if want, ok := exp.VerifierStrict.Cases[name]; ok {
			if got := best(results, strictWord); got != want {
				t.Errorf("%s (strict): got %s, want %s", name, got, want)
			}
		}
	}
	t.Logf("Mail::DKIM: %d/%d passed (%d skipped: DomainKeys; %d skipped: draft-00, skipped upstream too); %d of the passes are signatures this package refuses under RFC 8301 or RFC 6376 §3.5 but that verify cryptographically",
		passed, total, skippedDK, skippedDraft, downgraded)
	if passed != total {
		t.Errorf("Mail::DKIM: %d of %d cases missed", total-passed, total)
	}
}

// readChasquid reads a chasquid test file; files that were symbolic links
// upstream hold the name of their target.
func readChasquid(tb testing.TB, name string) ([]byte, bool) {
	tb.Helper()
	dir := filepath.Join(testdataDir, "chasquid")
	b, err := os.ReadFile(filepath.Join(dir, name))
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		tb.Fatal(err)
	}
	if t := strings.TrimSpace(string(b)); !strings.ContainsAny(t, " \n:") && strings.HasPrefix(t, "0") {
		return readChasquid(tb, t)
	}
	return b, true
}

// loadChasquidDNS publishes a chasquid .dns file: blocks "name: value",
// continued with backslashes; TEMPERROR and PERMERROR stand for failures.
func loadChasquidDNS(tb testing.TB, srv *dohtest.Server, b []byte) {
	tb.Helper()
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.Join(strings.Fields(value), " ")
		switch value {
		case "TEMPERROR":
			srv.Fail(name+".", dohtest.FailServfail)
		case "PERMERROR":
			// Absent from the root zone: NXDOMAIN.
		default:
			addTXT(tb, srv, name, value)
		}
	}
}

// TestChasquidCases runs chasquid's DKIM verification cases. 03-bad_message
// tests chasquid's own header parser and does not apply: message.Parse
// repairs that input.
func TestChasquidCases(t *testing.T) {
	tests := []struct {
		name string
		max  int
	}{
		{"01-rfc8463", 0},
		{"02-too_many_headers", 5}, // chasquid verifies at most 5.
		{"04-bad_dkim_signature_header", 0},
		{"05-dns_temp_error", 0},
		{"06-dns_perm_error", 0},
		{"07-algo_mismatch", 0},
		{"08-our_signature", 0},
		{"09-limited_body", 0},
		{"10-strict_domain_check_pass", 0},
		{"11-strict_domain_check_fail", 0},
	}
	stateWord := map[string]result.Word{"SUCCESS": result.Pass, "PERMFAIL": result.PermError, "TEMPFAIL": result.TempError}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, r := newDNS(t)
			if b, ok := readChasquid(t, tt.name+".dns"); ok {
				loadChasquidDNS(t, srv, b)
			}
			msgRaw, _ := readChasquid(t, tt.name+".msg")
			resRaw, _ := readChasquid(t, tt.name+".result")
			var want struct {
				Results []struct{ State string }
			}
			if err := json.Unmarshal(resRaw, &want); err != nil {
				t.Fatal(err)
			}
			got := Verify(t.Context(), r, parseMessage(t, msgRaw), Options{MaxSignatures: tt.max, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
			n := 0
			for _, res := range got {
				if res.Result == result.Neutral && tt.max > 0 {
					continue // beyond the limit, as chasquid skips them
				}
				if n >= len(want.Results) {
					t.Fatalf("got %d verified signatures, want %d", n+1, len(want.Results))
				}
				if w := stateWord[want.Results[n].State]; res.Result != w {
					t.Errorf("signature %d: got %s (%s), want %s", n, res.Result, res.Reason, w)
				}
				n++
			}
			if n != len(want.Results) {
				t.Errorf("got %d verified signatures, want %d", n, len(want.Results))
			}
		})
	}
}

// TestDkimpyExim verifies dkimpy's ed25519test2.msg, an ed25519-sha256
// signature made by Exim, with the key of eximtest.dns.
func TestDkimpyExim(t *testing.T) {
	srv, r := newDNS(t)
	key, err := os.ReadFile(filepath.Join(testdataDir, "dkimpy", "eximtest.dns"))
	if err != nil {
		t.Fatal(err)
	}
	addTXT(t, srv, "sed._domainkey.test.ex", strings.TrimSpace(string(key)))
	msgRaw, err := os.ReadFile(filepath.Join(testdataDir, "dkimpy", "ed25519test2.msg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{dkimcore.ScopeFull, dkimcore.ScopeHeadersOnly} {
		raw := msgRaw
		if mode == dkimcore.ScopeHeadersOnly {
			raw = headerOnly(raw)
		}
		got := Verify(t.Context(), r, parseMessage(t, raw), Options{})
		if len(got) != 1 || got[0].Result != result.Pass || got[0].Scope != mode || got[0].Algorithm != "ed25519-sha256" {
			t.Errorf("%s: got %+v, want one ed25519-sha256 pass", mode, got)
		}
	}
}

// headerOnly cuts a message before its blank line.
func headerOnly(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[:i+1]
	}
	return raw
}
