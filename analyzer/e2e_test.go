package analyzer_test

// End-to-end golden tests of analyzer.Analyze with live DNS.
//
// Each case in ../testdata/analyze is a message (NN-name.eml), the DNS data
// the live checks see (NN-name.zone, served by dohtest through the real
// dohresolver client) and the expected report projection
// (NN-name.want.json). What a case needs beyond its files (injected DNS
// failures, SPF identities given as options, offline analysis) is in
// caseSetups below.
//
//	go test ./analyzer -run TestAnalyzeGolden            # compare
//	go test ./analyzer -run TestAnalyzeGolden -update    # rewrite want.json (review every diff!)
//	go test ./analyzer -run TestGenerateGolden -generate # rebuild .eml and .zone from genCases
//
// The messages are signed for real by TestGenerateGolden with go-msgauth
// and the test keys in ../testdata/keys, so DKIM verifies cryptographically.

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"headerlens/analyzer"
	"headerlens/analyzer/trail"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// generateGolden rebuilds the golden cases' inputs; -update (package
// golden) rewrites their expected outputs.
var generateGolden = flag.Bool("generate", false, "regenerate testdata/analyze/*.eml and *.zone (and missing testdata/keys) from genCases")

const (
	goldenDir = "../testdata/analyze"
	keysDir   = "../testdata/keys"
)

// goldenNow is the analysis time of every golden case. It must be later
// than the t= of the signatures, which go-msgauth sets to the time of
// generation; TestGenerateGolden refuses to run after it.
var goldenNow = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)

// caseSetup is what a case needs beyond its three files.
type caseSetup struct {
	// offline analyzes with no resolver at all.
	offline bool
	// ip, helo and mailFrom are given as analyzer.Options.
	ip, helo, mailFrom string
	// fail injects DNS failures: fully qualified name -> failure.
	fail map[string]dohtest.Failure
}

var caseSetups = map[string]caseSetup{
	"05-dns-failures": {fail: map[string]dohtest.Failure{
		// The DMARC record of the From domain answers SERVFAIL.
		"_dmarc.example.com.": dohtest.FailServfail,
		// The ed25519 key never answers: the client's per-exchange
		// timeout (goldenResolverTimeout) ends it.
		"ed2026._domainkey.example.com.": dohtest.FailTimeout,
	}},
	"07-identities-from-options": {ip: "192.0.2.44", helo: "app1.example.com", mailFrom: "alerts@example.com"},
	"08-offline":                 {offline: true},
}

// goldenResolverTimeout bounds each DoH exchange of the golden tests, so
// that the FailTimeout of case 05 costs this long rather than the
// resolver's 5 s default. No answer of the fixture comes near it.
const goldenResolverTimeout = 1500 * time.Millisecond

// loadZones reads a case's zone file. A file may hold several zones, each
// starting with its own $ORIGIN line and SOA record (dohtest.ZoneFile takes
// one origin per file).
func loadZones(t testing.TB, path string) []dohtest.Zone {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var zones []dohtest.Zone
	origin, section := "", strings.Builder{}
	flush := func() {
		if origin != "" {
			z := dohtest.ZoneText(origin, "$ORIGIN "+origin+"\n"+section.String())
			if z.Err() != nil {
				t.Fatalf("%s: %v", path, z.Err())
			}
			zones = append(zones, z)
		}
		section.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "$ORIGIN" {
			flush()
			origin = f[1]
			continue
		}
		if origin == "" && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), ";") {
			t.Fatalf("%s: record before the first $ORIGIN: %q", path, line)
		}
		section.WriteString(line + "\n")
	}
	flush()
	if len(zones) == 0 {
		t.Fatalf("%s: no zone", path)
	}
	return zones
}

// newCaseServer serves a case's zones, with its failures injected.
func newCaseServer(t testing.TB, name string) *dohtest.Server {
	t.Helper()
	srv := dohtest.NewServer(t, loadZones(t, filepath.Join(goldenDir, name+".zone"))...)
	for n, f := range caseSetups[name].fail {
		srv.Fail(n, f)
	}
	return srv
}

// projection is the part of a Report compared with want.json: the fields
// that say what the analyzer concluded, none that depend on timing.
type projection struct {
	Summary  analyzer.Summary `json:"summary"`
	Hops     []goldenHop      `json:"hops"`
	Boundary *trail.Boundary  `json:"boundary"`
	Recorded []goldenVerdict  `json:"recorded"`
	Live     goldenLive       `json:"live"`
	Findings []string         `json:"findings"`
	// DNS lists the distinct questions asked, "TYPE name RCODE", sorted;
	// a question that got no answer shows "-" as its RCODE.
	DNS []string `json:"dns"`
}

type goldenHop struct {
	From         string   `json:"from"`
	By           string   `json:"by"`
	IP           string   `json:"ip"`
	Time         string   `json:"time"`
	DelaySeconds *float64 `json:"delaySeconds"`
}

type goldenVerdict struct {
	Header     string `json:"header"`
	AuthservID string `json:"authservId"`
	Method     string `json:"method"`
	Result     string `json:"result"`
	Trusted    bool   `json:"trusted"`
}

type goldenLive struct {
	Enabled    bool                 `json:"enabled"`
	Reason     string               `json:"reason,omitempty"`
	Identities *analyzer.Identities `json:"identities"`
	SPF        *goldenSPF           `json:"spf"`
	SPFSkipped string               `json:"spfSkipped,omitempty"`
	DKIM       []goldenDKIM         `json:"dkim"`
	DMARC      *goldenDMARC         `json:"dmarc"`
	ARC        *goldenARC           `json:"arc"`
	Comparison []goldenComparison   `json:"comparison"`
}

type goldenARC struct {
	Result    string `json:"result"`
	Instances int    `json:"instances"`
}

type goldenComparison struct {
	Method   string `json:"method"`
	Subject  string `json:"subject,omitempty"`
	Recorded string `json:"recorded"`
	Trusted  bool   `json:"trusted"`
	Live     string `json:"live"`
	Agree    bool   `json:"agree"`
}

type goldenSPF struct {
	Result     string `json:"result"`
	Domain     string `json:"domain"`
	Lookups    int    `json:"lookups"`
	HELOResult string `json:"heloResult"`
}

type goldenDKIM struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Result   string `json:"result"`
	Scope    string `json:"scope"`
	BodyHash string `json:"bodyHash"`
	KeyBits  int    `json:"keyBits"`
}

type goldenDMARC struct {
	Result      string `json:"result"`
	Policy      string `json:"policy"`
	SPFAligned  bool   `json:"spfAligned"`
	DKIMAligned bool   `json:"dkimAligned"`
	OrgDomain   string `json:"orgDomain"`
}

func project(r *analyzer.Report) projection {
	g := projection{Summary: r.Summary, Boundary: r.Trail.Boundary, Hops: []goldenHop{}, Recorded: []goldenVerdict{}, Findings: []string{}, DNS: []string{}}
	for _, h := range r.Hops {
		g.Hops = append(g.Hops, goldenHop{From: h.From, By: h.By, IP: h.IP, Time: h.Time, DelaySeconds: h.DelaySeconds})
	}
	for _, v := range r.Recorded {
		g.Recorded = append(g.Recorded, goldenVerdict{Header: v.Header, AuthservID: v.AuthservID, Method: v.Method, Result: string(v.Result), Trusted: v.Trusted})
	}
	if l := r.Live; l != nil {
		g.Live = goldenLive{Enabled: l.Enabled, Reason: l.Reason, Identities: l.Identities, SPFSkipped: l.SPFSkipped, DKIM: []goldenDKIM{}}
		if l.SPF != nil {
			g.Live.SPF = &goldenSPF{Result: string(l.SPF.Result), Domain: l.SPF.Domain, Lookups: l.SPF.Lookups}
			if l.SPF.HELO != nil {
				g.Live.SPF.HELOResult = string(l.SPF.HELO.Result)
			}
		}
		for _, d := range l.DKIM {
			g.Live.DKIM = append(g.Live.DKIM, goldenDKIM{Domain: d.Domain, Selector: d.Selector, Result: string(d.Result), Scope: d.Scope, BodyHash: d.BodyHash, KeyBits: d.KeyBits})
		}
		if d := l.DMARC; d != nil {
			g.Live.DMARC = &goldenDMARC{Result: string(d.Result), Policy: string(d.Policy), SPFAligned: d.SPFAligned, DKIMAligned: d.DKIMAligned, OrgDomain: d.OrgDomain}
		}
		if a := l.ARC; a != nil {
			g.Live.ARC = &goldenARC{Result: string(a.Result), Instances: a.Instances}
		}
		g.Live.Comparison = []goldenComparison{}
		for _, c := range l.Comparison {
			g.Live.Comparison = append(g.Live.Comparison, goldenComparison{Method: c.Method, Subject: c.Subject, Recorded: string(c.Recorded), Trusted: c.Trusted, Live: string(c.Live), Agree: c.Agree})
		}
	}
	for _, f := range r.Findings {
		g.Findings = append(g.Findings, string(f.Severity)+" "+f.Code)
	}
	seen := map[string]bool{}
	for _, q := range r.DNS {
		rc := q.Rcode
		if rc == "" {
			rc = "-"
		}
		s := q.Type + " " + q.Name + " " + rc
		if !seen[s] {
			seen[s] = true
			g.DNS = append(g.DNS, s)
		}
	}
	slices.Sort(g.DNS)
	return g
}

// analyzeCase runs one golden case with a fresh resolver.
func analyzeCase(t testing.TB, name string, srv *dohtest.Server, cacheSize int) *analyzer.Report {
	t.Helper()
	eml, err := os.ReadFile(filepath.Join(goldenDir, name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	setup := caseSetups[name]
	opts := analyzer.Options{Now: goldenNow, IP: setup.ip, HELO: setup.helo, MailFrom: setup.mailFrom}
	if !setup.offline {
		r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: goldenResolverTimeout, CacheSize: cacheSize})
		if err != nil {
			t.Fatal(err)
		}
		opts.Resolver = r
	}
	rep, err := analyzer.Analyze(context.Background(), eml, opts)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return rep
}

func goldenCases(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".eml"))
	}
	for name := range caseSetups {
		if !slices.Contains(names, name) {
			t.Errorf("caseSetups names %s, which has no .eml", name)
		}
	}
	return names
}

func TestAnalyzeGolden(t *testing.T) {
	names := goldenCases(t)
	if len(names) < 8 {
		t.Fatalf("found %d golden cases in %s, want at least 8", len(names), goldenDir)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			srv := newCaseServer(t, name)
			rep := analyzeCase(t, name, srv, 0)
			if !golden.JSON(t, filepath.Join(goldenDir, name+".want.json"), project(rep)) {
				full, _ := json.MarshalIndent(rep, "", "  ")
				t.Logf("full report:\n%s", full)
			}

			// Properties that hold for every case whatever the golden
			// file says.
			if caseSetups[name].offline {
				if n := srv.Count(); n != 0 {
					t.Errorf("offline analysis: the DoH server got %d queries, want 0", n)
				}
				if len(rep.DNS) != 0 {
					t.Errorf("offline analysis: report has %d DNS log entries, want 0", len(rep.DNS))
				}
				if len(rep.Findings) == 0 {
					t.Errorf("offline analysis: got no findings, want the header findings")
				}
			} else if srv.Count() == 0 {
				t.Errorf("live analysis: the DoH server got no queries")
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("report does not marshal: %v", err)
			}
		})
	}
}

// ---- Generation of the .eml and .zone files ----

// genCase describes how a golden message is built, the way it would have
// been in transit: the author's message as the sending MTA had it
// (base: the sender-side Received fields, the header and the body), the
// DKIM signatures the sender added, a change in transit (tamper), then the
// fields the receiving side added on top (top).
type genCase struct {
	name string
	// zone is the zone file; {{rsa2048}} and {{ed25519}} become the DKIM
	// key records of the test keys.
	zone string
	base string
	sigs []genSig
	// tamper, when set, changes the signed message (both parts).
	tamper func(string) string
	// top is prepended after signing; {{b0}}, {{b1}}... become the first
	// eight characters of the b= of signature 0, 1...
	top         string
	headersOnly bool
}

type genSig struct {
	domain, selector, key string
	headers               []string
}

// signedHeaders is the h= list of the generated signatures: the fields RFC
// 6376 §5.4.1 recommends, with From and Subject over-signed (§8.15).
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "From", "Subject"}

// rootZone answers NXDOMAIN for every name outside the case's zones, as
// the real DNS does for "_dmarc.com" and the like.
const rootZone = `$ORIGIN .
$TTL 86400
@ IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112700 1800 900 604800 86400
`

func TestGenerateGolden(t *testing.T) {
	if !*generateGolden {
		t.Skip("run with -generate to rebuild testdata/analyze/*.eml and *.zone")
	}
	if time.Now().After(goldenNow.Add(-24 * time.Hour)) {
		t.Fatalf("goldenNow (%v) is too close: signatures made now would have t= after the analysis time; move goldenNow forward", goldenNow)
	}
	keys := loadOrCreateKeys(t)
	records := map[string]string{}
	for name, k := range keys {
		records[name] = zoneTXT(keyRecord(t, k))
	}
	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range genCases {
		msg := crlf(c.base)
		var bs []string
		for _, s := range c.sigs {
			var out bytes.Buffer
			hdrs := s.headers
			if hdrs == nil {
				hdrs = signedHeaders
			}
			err := msgauth.Sign(&out, strings.NewReader(msg), &msgauth.SignOptions{
				Domain: s.domain, Selector: s.selector, Signer: keys[s.key],
				HeaderCanonicalization: msgauth.CanonicalizationRelaxed,
				BodyCanonicalization:   msgauth.CanonicalizationRelaxed,
				HeaderKeys:             hdrs,
			})
			if err != nil {
				t.Fatalf("%s: sign: %v", c.name, err)
			}
			msg = out.String()
			bs = append(bs, bValue(t, msg))
		}
		if c.tamper != nil {
			msg = c.tamper(msg)
		}
		top := c.top
		for i, b := range bs {
			top = strings.ReplaceAll(top, fmt.Sprintf("{{b%d}}", i), b[:8])
		}
		msg = crlf(top) + msg
		if c.headersOnly {
			msg, _, _ = strings.Cut(msg, "\r\n\r\n")
			msg += "\r\n"
		}
		eml := strings.ReplaceAll(msg, "\r\n", "\n")
		zone := rootZone + c.zone
		for name, rec := range records {
			zone = strings.ReplaceAll(zone, "{{"+name+"}}", rec)
		}
		if strings.Contains(zone, "{{") || strings.Contains(eml, "{{") {
			t.Fatalf("%s: placeholder left", c.name)
		}
		write(t, filepath.Join(goldenDir, c.name+".eml"), eml)
		write(t, filepath.Join(goldenDir, c.name+".zone"), zone)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

var bTag = regexp.MustCompile(`\bb=([A-Za-z0-9+/=\s]+)`)

// bValue returns the b= of the topmost DKIM-Signature of msg.
func bValue(t *testing.T, msg string) string {
	t.Helper()
	field, _, _ := strings.Cut(msg, "\r\n\r\n")
	// The topmost field, unfolded.
	var b strings.Builder
	for i, line := range strings.Split(field, "\r\n") {
		if i > 0 && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") {
			break
		}
		b.WriteString(line)
	}
	var last string
	for _, m := range bTag.FindAllStringSubmatch(b.String(), -1) {
		last = m[1] // the b= after bh=
	}
	last = strings.Join(strings.Fields(last), "")
	if len(last) < 8 {
		t.Fatalf("no b= in %q", b.String())
	}
	return last
}

// loadOrCreateKeys reads the test keys (PKCS #8 PEM), creating the missing
// ones.
func loadOrCreateKeys(t *testing.T) map[string]crypto.Signer {
	t.Helper()
	keys := map[string]crypto.Signer{}
	for _, name := range []string{"rsa2048", "ed25519"} {
		path := filepath.Join(keysDir, name+".pem")
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			var k crypto.Signer
			if name == "rsa2048" {
				k, err = rsa.GenerateKey(rand.Reader, 2048)
			} else {
				_, k, err = ed25519.GenerateKey(rand.Reader)
			}
			if err != nil {
				t.Fatal(err)
			}
			der, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			data = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			if err := os.MkdirAll(keysDir, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, path, string(data))
		} else if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(data)
		if blk == nil {
			t.Fatalf("%s: no PEM block", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		keys[name] = k.(crypto.Signer)
	}
	return keys
}

// keyRecord is the DKIM key record of k (RFC 6376 §3.6.1; RFC 8463 §4 for
// the raw Ed25519 key).
func keyRecord(t *testing.T, k crypto.Signer) string {
	t.Helper()
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	t.Fatalf("unknown key type %T", k)
	return ""
}

// zoneTXT writes s as TXT rdata in character-strings of at most 255
// octets (RFC 1035 §3.3.14), in parentheses across lines.
func zoneTXT(s string) string {
	var parts []string
	for len(s) > 200 {
		parts = append(parts, `"`+s[:200]+`"`)
		s = s[200:]
	}
	parts = append(parts, `"`+s+`"`)
	if len(parts) == 1 {
		return parts[0]
	}
	return "( " + strings.Join(parts, "\n\t") + " )"
}

// soa is the apex of a case zone.
func soa(origin string) string {
	return "$ORIGIN " + origin + "\n$TTL 300\n@ IN SOA ns1." + origin + " hostmaster." + origin + " 2026112701 7200 900 1209600 300\n@ IN NS ns1." + origin + "\n"
}

// Case 01: a newsletter of news.example.com sent through an ESP
// (mailer.example.net), received by Postfix at example.org and delivered
// over LMTP by Dovecot. Two signatures (RSA 2048 by the organizational
// domain, Ed25519 by the From domain), SPF through three levels of
// include, DMARC p=reject published at the organizational domain only.
var case01 = genCase{
	name: "01-all-pass",
	zone: soa("example.com.") + `_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"
_spf IN TXT "v=spf1 include:_spf.mailer.example.net -all"
news IN TXT "v=spf1 include:_spf.example.com -all"
news IN MX 10 mx.news.example.com.
rsa2026._domainkey IN TXT {{rsa2048}}
ed2026._domainkey.news IN TXT {{ed25519}}
` + soa("example.net.") + `_spf.mailer IN TXT "v=spf1 include:_netblocks.mailer.example.net -all"
_netblocks.mailer IN TXT "v=spf1 ip4:198.51.100.0/25 ip6:2001:db8:5::/48 -all"
mta7.mailer IN A 198.51.100.25
mta7.mailer IN TXT "v=spf1 a -all"
`,
	base: `Received: from app3.mailer.example.net (unknown [10.20.0.13])
	by mta7.mailer.example.net (Postfix) with ESMTPSA id 4ZqRtV6gNqz1xBd
	for <alice@example.org>; Fri, 27 Nov 2026 09:14:59 +0000 (UTC)
From: Example News <newsletter@news.example.com>
To: alice@example.org
Subject: Your November digest
Date: Fri, 27 Nov 2026 09:14:58 +0000
Message-ID: <20261127091458.4ZqRtV6gNq@news.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit
List-Unsubscribe: <https://news.example.com/u/a81c3e>, <mailto:unsubscribe@news.example.com?subject=a81c3e>
List-Unsubscribe-Post: List-Unsubscribe=One-Click

Hello Alice,

here is what happened in November.

-- 
Example News, https://news.example.com/
`,
	sigs: []genSig{
		{domain: "example.com", selector: "rsa2026", key: "rsa2048", headers: append(slices.Clone(signedHeaders), "List-Unsubscribe", "List-Unsubscribe-Post")},
		{domain: "news.example.com", selector: "ed2026", key: "ed25519", headers: append(slices.Clone(signedHeaders), "List-Unsubscribe", "List-Unsubscribe-Post")},
	},
	top: `Return-Path: <bounce@news.example.com>
Delivered-To: alice@example.org
Received: from mx1.example.org
	by imap1.example.org with LMTP
	id kL2xC5bWR2ebGQAAhr3kDA
	(envelope-from <bounce@news.example.com>)
	for <alice@example.org>; Fri, 27 Nov 2026 09:15:03 +0000
Authentication-Results: mx1.example.org;
	dmarc=pass (p=reject dis=none) header.from=news.example.com
Authentication-Results: mx1.example.org;
	dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.a=rsa-sha256 header.s=rsa2026 header.b={{b0}};
	dkim=pass (256-bit key; unprotected) header.d=news.example.com header.i=@news.example.com header.a=ed25519-sha256 header.s=ed2026 header.b={{b1}}
Authentication-Results: mx1.example.org; spf=pass (sender SPF authorized) smtp.mailfrom=news.example.com
Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=198.51.100.25; helo=mta7.mailer.example.net; envelope-from=bounce@news.example.com; receiver=<UNKNOWN>
Received: from mta7.mailer.example.net (mta7.mailer.example.net [198.51.100.25])
	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
	 key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
	(No client certificate requested)
	by mx1.example.org (Postfix) with ESMTPS id 4ZqRtW1sKbz9sWx
	for <alice@example.org>; Fri, 27 Nov 2026 09:15:02 +0000 (UTC)
`,
	headersOnly: true,
}

var genCases = []genCase{
	case01,

	// Case 02: a phishing message From security@example.com sent from
	// a host of example.net, received by Gmail. SPF fails (-all), there
	// is no signature, DMARC p=reject fails. Below Gmail's fields, the
	// sender put an Authentication-Results of its own claiming pass.
	{
		name: "02-spoofed-from",
		zone: soa("example.com.") + `@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
@ IN MX 10 mx.example.com.
_dmarc IN TXT "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@example.com"
` + soa("example.net.") + `mail IN A 203.0.113.66
`,
		base: `Authentication-Results: mx.example.com;
       spf=pass smtp.mailfrom=security@example.com;
       dkim=pass header.d=example.com header.s=sel1;
       dmarc=pass header.from=example.com
Received: from [198.51.100.23] (helo=DESKTOP-7H2KQ)
	by mail.example.net with esmtpa (Exim 4.96)
	(envelope-from <security@example.com>)
	id 1tGx8c-000Qy2-2Q
	for victim@gmail.com;
	Fri, 27 Nov 2026 09:23:44 +0000
From: "Example Security" <security@example.com>
Reply-To: account-recovery@example.net
To: victim@gmail.com
Subject: Unusual sign-in activity on your account
Date: Fri, 27 Nov 2026 09:23:41 +0000
Message-ID: <1tGx8c-000Qy2-2Q@mail.example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

We detected a sign-in from a new device. Confirm your identity within 24 hours.
`,
		top: `Delivered-To: victim@gmail.com
Received: by 2002:a05:7010:8c1a:b0:8f3:3e4a:1d2c with SMTP id y26csp2291337mdz;
        Fri, 27 Nov 2026 01:23:47 -0800 (PST)
X-Received: by 2002:a17:902:f54e:b0:212:4b1f:8c6a with SMTP id d9443c01a7336-2124b1f8e4fmr1023485ad.14.1795774227335;
        Fri, 27 Nov 2026 01:23:47 -0800 (PST)
Return-Path: <security@example.com>
Received: from mail.example.net (mail.example.net. [203.0.113.66])
        by mx.google.com with ESMTP id d9443c01a7336-2124b1f8e4fsi1234567ad.412.2026.11.27.01.23.46
        for <victim@gmail.com>;
        Fri, 27 Nov 2026 01:23:46 -0800 (PST)
Received-SPF: fail (google.com: domain of security@example.com does not designate 203.0.113.66 as permitted sender) client-ip=203.0.113.66;
Authentication-Results: mx.google.com;
       spf=fail (google.com: domain of security@example.com does not designate 203.0.113.66 as permitted sender) smtp.mailfrom=security@example.com;
       dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=example.com
`,
		headersOnly: true,
	},

	// Case 03: a shop's order mail received by Exchange Online, whose
	// Safe Links rewrote the link in the body after the signature was
	// checked. With the body the DKIM body hash no longer matches; the
	// same header alone (case 03-...-headers-only) still passes.
	case03(false),
	case03(true),

	// Case 04: HR mail from example.com received by Postfix with amavis
	// at example.org, which recorded dkim=pass. The selector has since
	// been removed from DNS.
	{
		name: "04-key-removed",
		zone: soa("example.com.") + `@ IN TXT "v=spf1 mx -all"
@ IN MX 10 smtp.example.com.
smtp IN A 192.0.2.25
_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"
`,
		base: `Received: from hr-laptop.corp.example.com (unknown [10.8.0.14])
	by smtp.example.com (Postfix) with ESMTPSA id 4ZqV2k1bRtz9vQm
	for <bob@example.org>; Fri, 27 Nov 2026 14:30:08 +0100 (CET)
From: Example HR <hr@example.com>
To: Bob <bob@example.org>
Subject: Your contract renewal
Date: Fri, 27 Nov 2026 14:30:07 +0100
Message-ID: <c0ffee42-7d1e-4b7a-9a55-0f8e2d7c1a10@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear Bob, please find the renewal terms on the intranet.
`,
		sigs: []genSig{{domain: "example.com", selector: "2025q3", key: "rsa2048"}},
		top: `Return-Path: <hr@example.com>
Delivered-To: bob@example.org
Received: from mail.example.org
	by mail.example.org with LMTP
	id 8NcOF9bWR2f3LgAAhr3kDA
	(envelope-from <hr@example.com>)
	for <bob@example.org>; Fri, 27 Nov 2026 14:30:12 +0100
Received: from localhost (localhost [127.0.0.1])
	by mail.example.org (Postfix) with ESMTP id 4ZqV2m0fWbz3wBq
	for <bob@example.org>; Fri, 27 Nov 2026 14:30:12 +0100 (CET)
X-Virus-Scanned: Debian amavis at example.org
X-Spam-Flag: NO
X-Spam-Score: -2.1
X-Spam-Level:
X-Spam-Status: No, score=-2.1 tagged_above=-9999 required=5
	tests=[BAYES_00=-1.9, DKIM_SIGNED=0.1, DKIM_VALID=-0.1,
	DKIM_VALID_AU=-0.1, SPF_PASS=-0.001] autolearn=ham autolearn_force=no
Received: from mail.example.org ([127.0.0.1])
	by localhost (mail.example.org [127.0.0.1]) (amavis, port 10024) with ESMTP
	id 1Vh3kQmLw0Yc for <bob@example.org>;
	Fri, 27 Nov 2026 14:30:11 +0100 (CET)
Authentication-Results: mail.example.org (amavis); dkim=pass (2048-bit key)
	header.d=example.com header.s=2025q3 header.b="{{b0}}"
Received: from smtp.example.com (smtp.example.com [192.0.2.25])
	(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)
	 key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256)
	(No client certificate requested)
	by mail.example.org (Postfix) with ESMTPS id 4ZqV2l4Qkpz3wBn
	for <bob@example.org>; Fri, 27 Nov 2026 14:30:10 +0100 (CET)
`,
		headersOnly: true,
	},

	// Case 05: alerts from example.com over IPv6 to Gmail. SPF passes;
	// the RSA key answers, the Ed25519 key times out; the DMARC record
	// answers SERVFAIL (failures injected by caseSetups).
	{
		name: "05-dns-failures",
		zone: soa("example.com.") + `@ IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:25::/48 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
smtp IN AAAA 2001:db8:25::25
rsa2026._domainkey IN TXT {{rsa2048}}
ed2026._domainkey IN TXT {{ed25519}}
`,
		base: `Received: from monitor1.example.com (monitor1.example.com [IPv6:2001:db8:25::101])
	by smtp.example.com (Postfix) with ESMTPS id 4ZqX0b2mD1z4kTr
	for <oncall@gmail.com>; Fri, 27 Nov 2026 17:05:31 +0000 (UTC)
From: Example Monitoring <alerts@example.com>
To: oncall@gmail.com
Subject: [FIRING:1] db3 disk usage above 90%
Date: Fri, 27 Nov 2026 17:05:30 +0000
Message-ID: <alert-7f3a9c@monitor1.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

db3: /var/lib/postgresql is 91% full.
`,
		sigs: []genSig{
			{domain: "example.com", selector: "rsa2026", key: "rsa2048"},
			{domain: "example.com", selector: "ed2026", key: "ed25519"},
		},
		top: `Delivered-To: oncall@gmail.com
Received: by 2002:a05:7010:8c1a:b0:8f3:3e4a:1d2c with SMTP id y26csp2412218mdz;
        Fri, 27 Nov 2026 09:05:33 -0800 (PST)
X-Received: by 2002:a05:6214:5d0b:b0:6d8:8a2b:4e1c with SMTP id 6a1803df08f44-6d88a2b4f9dmr402331936d6.11.1795799133120;
        Fri, 27 Nov 2026 09:05:33 -0800 (PST)
Return-Path: <alerts@example.com>
Received: from smtp.example.com (smtp.example.com. [2001:db8:25::25])
        by mx.google.com with ESMTPS id 6a1803df08f44-6d88a2b5c11si2209956d6.305.2026.11.27.09.05.32
        for <oncall@gmail.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Fri, 27 Nov 2026 09:05:32 -0800 (PST)
Received-SPF: pass (google.com: domain of alerts@example.com designates 2001:db8:25::25 as permitted sender) client-ip=2001:db8:25::25;
Authentication-Results: mx.google.com;
       dkim=pass header.i=@example.com header.s=rsa2026 header.b={{b0}};
       dkim=pass header.i=@example.com header.s=ed2026 header.b={{b1}};
       spf=pass (google.com: domain of alerts@example.com designates 2001:db8:25::25 as permitted sender) smtp.mailfrom=alerts@example.com;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com
`,
		headersOnly: true,
	},

	// Case 06: an invoice From example.com, signed by mail.example.com
	// and sent with a MAIL FROM in mail.example.com, received by an
	// on-premises Exchange at example.org. The DMARC record asks for
	// strict alignment (adkim=s, aspf=s), so neither identifier aligns.
	{
		name: "06-strict-alignment",
		zone: soa("example.com.") + `_dmarc IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
@ IN TXT "v=spf1 -all"
mail IN A 198.51.100.60
mail IN TXT "v=spf1 ip4:198.51.100.60 -all"
k1._domainkey.mail IN TXT {{rsa2048}}
`,
		base: `Received: from billing-app.example.com (billing-app.example.com [10.1.4.20])
	by mail.example.com (Postfix) with ESMTP id 4ZqY7c0hJxz7pLs
	for <ap@example.org>; Fri, 27 Nov 2026 15:44:58 +0000 (UTC)
From: Example Billing <billing@example.com>
To: ap@example.org
Subject: Invoice 2026-11-0042
Date: Fri, 27 Nov 2026 15:44:57 +0000
Message-ID: <inv-2026-11-0042@billing-app.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Invoice 2026-11-0042 is due on 27 December 2026.
`,
		sigs: []genSig{{domain: "mail.example.com", selector: "k1", key: "rsa2048"}},
		top: `Received: from EXCH02.corp.example.org (10.10.1.12) by EXCH01.corp.example.org
 (10.10.1.11) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14; Fri, 27 Nov
 2026 16:45:03 +0100
Received: from mail.example.com (198.51.100.60) by EXCH02.corp.example.org
 (10.10.1.12) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.14 via Frontend
 Transport; Fri, 27 Nov 2026 16:45:02 +0100
Return-Path: bounces+inv0042@mail.example.com
X-MS-Exchange-Organization-AuthSource: EXCH02.corp.example.org
X-MS-Exchange-Organization-AuthAs: Anonymous
X-MS-Exchange-Organization-Network-Message-Id: 4c1f7e9a-2b3d-4e5f-8a9b-0c1d2e3f4a5b
`,
		headersOnly: true,
	},

	// Case 07: a message with no Received field at all (as an
	// application writes it); the SPF identities are given as options.
	{
		name: "07-identities-from-options",
		zone: soa("example.com.") + `@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc IN TXT "v=DMARC1; p=quarantine"
app1 IN A 192.0.2.44
app1 IN TXT "v=spf1 a -all"
rsa2026._domainkey IN TXT {{rsa2048}}
`,
		base: `From: Monitoring <alerts@example.com>
To: ops@example.org
Subject: Nightly backup completed
Date: Fri, 27 Nov 2026 02:00:04 +0000
Message-ID: <backup-20261127@app1.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

All 14 databases were backed up.
`,
		sigs:        []genSig{{domain: "example.com", selector: "rsa2026", key: "rsa2048"}},
		headersOnly: true,
	},

	// Case 08: case 01's message analyzed offline.
	func() genCase { c := case01; c.name = "08-offline"; return c }(),
}

// case03 is the Exchange Online message of case 03, with its body or
// without.
func case03(headersOnly bool) genCase {
	c := genCase{
		name: "03-body-tampered",
		zone: soa("example.net.") + `_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net"
shop IN TXT "v=spf1 ip4:203.0.113.40 -all"
smtp-out.shop IN A 203.0.113.40
s2026._domainkey.shop IN TXT {{rsa2048}}
`,
		base: `Received: from web2.shop.example.net (web2.shop.example.net [10.3.0.22])
	by smtp-out.shop.example.net (Postfix) with ESMTP id 4ZqW1x5cTnz2mPd
	for <carol@example.org>; Fri, 27 Nov 2026 10:02:07 +0000 (UTC)
From: Example Shop <orders@shop.example.net>
To: carol@example.org
Subject: Order 1234 has shipped
Date: Fri, 27 Nov 2026 10:02:06 +0000
Message-ID: <order-1234-shipped@shop.example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Carol,

your order 1234 has shipped. Track it at
https://shop.example.net/orders/1234/track

Example Shop
`,
		sigs: []genSig{{domain: "shop.example.net", selector: "s2026", key: "rsa2048"}},
		// Safe Links rewrites the URL after delivery.
		tamper: func(m string) string {
			return strings.Replace(m, "https://shop.example.net/orders/1234/track",
				"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example.net%2Forders%2F1234%2Ftrack&data=05%7C02%7Ccarol%40example.org&reserved=0", 1)
		},
		top: `Received: from SA1PR12MB7000.namprd12.prod.outlook.com (2001:db8:10b6:806:2d4::12)
 by LV3PR12MB9100.namprd12.prod.outlook.com with HTTPS; Fri, 27 Nov 2026
 10:02:11 +0000
Received: from BN9PR03CA0123.namprd03.prod.outlook.com (2001:db8:10b6:408:fe::8)
 by SA1PR12MB7000.namprd12.prod.outlook.com (2001:db8:10b6:806:2d4::12) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8207.20; Fri, 27 Nov
 2026 10:02:10 +0000
Received: from BN2PEPF000044A9.namprd04.prod.outlook.com
 (2001:db8:10b6:408:fe:cafe::5) by BN9PR03CA0123.outlook.office365.com
 (2001:db8:10b6:408:fe::8) with Microsoft SMTP Server (version=TLS1_3,
 cipher=TLS_AES_256_GCM_SHA384) id 15.20.8207.20 via Frontend Transport; Fri,
 27 Nov 2026 10:02:10 +0000
Authentication-Results: spf=pass (sender IP is 203.0.113.40)
 smtp.mailfrom=shop.example.net; dkim=pass (signature was verified)
 header.d=shop.example.net;dmarc=pass action=none
 header.from=shop.example.net;compauth=pass reason=100
Received-SPF: Pass (protection.outlook.com: domain of shop.example.net
 designates 203.0.113.40 as permitted sender) receiver=protection.outlook.com;
 client-ip=203.0.113.40; helo=smtp-out.shop.example.net; pr=C
Received: from smtp-out.shop.example.net (203.0.113.40) by
 BN2PEPF000044A9.mail.protection.outlook.com (192.0.2.100) with Microsoft SMTP
 Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8207.12 via
 Frontend Transport; Fri, 27 Nov 2026 10:02:09 +0000
Return-Path: bounce@shop.example.net
X-MS-Exchange-Organization-AuthSource: BN2PEPF000044A9.namprd04.prod.outlook.com
X-MS-Exchange-Organization-AuthAs: Anonymous
X-Forefront-Antispam-Report: CIP:203.0.113.40;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:smtp-out.shop.example.net;PTR:smtp-out.shop.example.net;CAT:NONE;SFS:;DIR:INB;
X-MS-Exchange-Organization-SCL: 1
`,
	}
	if headersOnly {
		c.name = "03-body-tampered-headers-only"
		c.headersOnly = true
	}
	return c
}
