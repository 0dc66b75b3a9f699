// Package trail turns a message's Received fields into the hop trail:
// hops oldest first with their delays, the total transit time, and the
// trust boundary, the hop where the final receiving organization accepted
// the message from the outside.
//
// Each Received field is a trace record prepended by one server
// (RFC 5321 §4.4, RFC 5322 §3.6.7), so the topmost field is the newest hop.
// The boundary is found from the receiver's own records: the client-ip= of
// Received-SPF (RFC 7208 §9.1), the authserv-id of Authentication-Results
// (RFC 8601 §2.2, §5: the id names the receiving ADMD), private addresses
// (RFC 1918, RFC 4193, RFC 6598) and the organizational domains of the "by"
// hosts (Public Suffix List). Everything is offline: no DNS.
//
// Finding codes (Source "hops"): trail-no-received, trail-too-long,
// hop-unparsed, hop-no-date, hop-date-nonstandard, hop-clock-skew (a
// hop dated a second or more before the previous one; a warning beyond two
// minutes), hop-long-delay (over an hour), hop-no-tls (a hop from a public
// address with a clear-text RFC 3848 protocol; a warning at the boundary),
// boundary-earlier-verdicts (Received-SPF or Authentication-Results written
// by an organization before the final one), boundary-evidence-disagrees.
package trail

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"headerlens/analyzer/datetime"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/publicsuffix"
	"headerlens/analyzer/received"
)

// MaxHops bounds the Received fields read; a longer trail is cut (the
// newest MaxHops fields are kept) and a finding says so.
const MaxHops = 100

// Evidence is what the message says, besides Received fields, about who
// received it. All values are header field values, unfolded, topmost first.
type Evidence struct {
	// AuthenticationResults are the Authentication-Results values.
	AuthenticationResults []string
	// ReceivedSPF are the Received-SPF values.
	ReceivedSPF []string
}

// Hop is one Received field. The JSON names from, ip, by, with, tls, id,
// for, time, delaySeconds and raw are the report contract (docs/report.md).
type Hop struct {
	// Index is the position in the trail, 0 = oldest.
	Index int `json:"index"`
	// ReceivedIndex is the position among the Received fields, 0 = topmost.
	ReceivedIndex int `json:"receivedIndex"`
	// From is the "from" clause as written: HELO name and reverse-DNS.
	From string `json:"from"`
	// HELO is the HELO/EHLO name, when it can be told.
	HELO string `json:"helo,omitempty"`
	// RDNS is the reverse-DNS name the receiver stated.
	RDNS string `json:"rdns,omitempty"`
	// IP is the connecting address, "" when not stated.
	IP string `json:"ip"`
	// IPClaimed is true when IP is only the address literal the client
	// gave as its HELO/EHLO argument, the receiver stating no connection
	// address (received.Received.IPClaimed): shown, never used for the
	// trust boundary or as the SPF client IP.
	IPClaimed bool `json:"ipClaimed,omitempty"`
	// By is the receiving host.
	By string `json:"by"`
	// ByIP is the receiving host's address, when stated.
	ByIP string `json:"byIp,omitempty"`
	// With is the "with" clause as written.
	With string `json:"with"`
	// Protocol is With as an RFC 3848 keyword, when known.
	Protocol string `json:"protocol,omitempty"`
	// TLS is the TLS version and cipher when stated ("TLSv1.3
	// TLS_AES_256_GCM_SHA384"), "TLS" when only the use of TLS is known,
	// "" when nothing shows it.
	TLS string `json:"tls"`
	// Encrypted is true when TLS is not empty.
	Encrypted bool `json:"encrypted"`
	// TLSVersion and Cipher are the parts of TLS.
	TLSVersion string `json:"tlsVersion,omitempty"`
	Cipher     string `json:"cipher,omitempty"`
	// Via is the "via" clause.
	Via string `json:"via,omitempty"`
	// ID is the "id" clause.
	ID string `json:"id"`
	// For is the "for" clause.
	For string `json:"for"`
	// Time is the hop's date in RFC 3339 UTC, "" when unknown.
	Time string `json:"time,omitempty"`
	// DateConfident is false when the date was read leniently (see
	// DateIssues).
	DateConfident bool `json:"dateConfident"`
	// DateIssues are the datetime.Issue* words for the date.
	DateIssues []string `json:"dateIssues,omitempty"`
	// DelaySeconds is this hop's time minus the previous hop's, nil when
	// either is unknown. Negative values are clock skew.
	DelaySeconds *float64 `json:"delaySeconds,omitempty"`
	// Parsed is false when neither a from nor a by clause was found.
	Parsed bool `json:"parsed"`
	// Private is true when IP is not globally routable (RFC 1918, RFC 4193,
	// RFC 6598, loopback, link-local).
	Private bool `json:"private"`
	// Internal is true for the hops the final receiving organization added:
	// the boundary hop and the newer ones.
	Internal bool `json:"internal"`
	// Comment is the text of a comment-only field (qmail).
	Comment string `json:"comment,omitempty"`
	// Raw is the field value as given.
	Raw string `json:"raw"`

	// At is the hop's time (zero when unknown).
	At time.Time `json:"-"`
	// Addr is IP, parsed; invalid when IPClaimed, so that an address the
	// client chose never places the trust boundary.
	Addr netip.Addr `json:"-"`
	// Received is the parsed field.
	Received received.Received `json:"-"`

	// organizational domains of By, HELO and RDNS, computed once.
	byOrg, heloOrg, rdnsOrg string
}

// Boundary is the hop where the final receiving organization accepted the
// message, and the client it accepted it from.
type Boundary struct {
	// Index is the hop's Index (0 = oldest); ReceivedIndex its position
	// among the Received fields (0 = topmost). Received fields at
	// ReceivedIndex and above were written by the receiving organization.
	Index         int `json:"index"`
	ReceivedIndex int `json:"receivedIndex"`
	// IP is the address that connected to the receiving organization: the
	// SPF client IP.
	IP string `json:"ip,omitempty"`
	// HELO is the name the client gave; RDNS the receiver's reverse-DNS.
	HELO string `json:"helo,omitempty"`
	RDNS string `json:"rdns,omitempty"`
	// By is the receiving host.
	By string `json:"by,omitempty"`
	// Org is the receiving organizational domain, when known.
	Org string `json:"org,omitempty"`
	// Evidence names what decided: EvidenceSPF, EvidenceAuthServ,
	// EvidenceMicrosoftSenderIP, EvidenceByChain, EvidencePublicIP,
	// EvidenceNewest.
	Evidence string `json:"evidence"`
	// Agrees lists other evidence pointing at the same hop.
	Agrees []string `json:"agrees,omitempty"`
	// Disagrees lists evidence pointing at another hop.
	Disagrees []string `json:"disagrees,omitempty"`
	// Confidence is "high", "medium" or "low".
	Confidence string `json:"confidence"`
	// AuthServID is the authserv-id used, when any.
	AuthServID string `json:"authservId,omitempty"`
}

// Evidence names, stable for the page and for filters.
const (
	EvidenceSPF               = "received-spf client-ip"
	EvidenceMicrosoftSenderIP = "authentication-results sender ip"
	EvidenceAuthServ          = "authserv-id"
	EvidenceByChain           = "by-domain chain"
	EvidencePublicIP          = "first public ip"
	EvidenceNewest            = "newest hop"
)

// Result is the trail of one message.
type Result struct {
	// Hops, oldest first.
	Hops []Hop `json:"hops"`
	// TotalSeconds is the last known hop time minus the first, nil when
	// fewer than two hops have a time.
	TotalSeconds *float64 `json:"totalSeconds,omitempty"`
	// Boundary is nil when no hop can be told to be the boundary.
	Boundary *Boundary `json:"boundary,omitempty"`
	// Findings about the trail (Source "hops").
	Findings []finding.Finding `json:"findings"`
}

// Build parses the Received field values (topmost, i.e. newest, first)
// and returns the trail. It never fails: unparsable fields become hops
// with Parsed false and their raw text.
func Build(receivedValues []string, ev Evidence) Result {
	res := Result{Hops: []Hop{}, Findings: []finding.Finding{}}
	if len(receivedValues) == 0 {
		res.add(finding.Info, "trail-no-received", "The message has no Received fields: it was not relayed by any server that records its path, or they were removed.")
		return res
	}
	if len(receivedValues) > MaxHops {
		res.add(finding.Warning, "trail-too-long", fmt.Sprintf("The message has %d Received fields; only the newest %d were read. Mail loops or padding can produce this many.", len(receivedValues), MaxHops))
		receivedValues = receivedValues[:MaxHops]
	}
	n := len(receivedValues)
	res.Hops = make([]Hop, n)
	var orgs orgCache
	for k, v := range receivedValues {
		i := n - 1 - k
		res.Hops[i] = makeHop(i, k, received.Parse(v), &orgs)
	}
	res.delays()
	res.boundary(ev)
	res.tlsFindings()
	return res
}

func (r *Result) add(sev finding.Severity, code, msg string) {
	r.Findings = append(r.Findings, finding.Finding{Severity: sev, Code: code, Message: msg, Source: "hops"})
}

// orgCache remembers OrgDomain results within one trail, where the same
// host names come back from hop to hop (one hop's "by" host is the next
// one's HELO and reverse-DNS name).
type orgCache struct {
	hosts, orgs [24]string
	n           int
}

// operatorDomain returns operator(OrgDomain(host)), computed once per host.
func (c *orgCache) operatorDomain(host string) string {
	if host == "" {
		return operator(OrgDomain(host))
	}
	for i, h := range c.hosts[:c.n] {
		if h == host {
			return c.orgs[i]
		}
	}
	org := operator(OrgDomain(host))
	if c.n < len(c.hosts) {
		c.hosts[c.n], c.orgs[c.n] = host, org
		c.n++
	}
	return org
}

func makeHop(i, k int, p received.Received, orgs *orgCache) Hop {
	h := Hop{
		Index: i, ReceivedIndex: k,
		From: p.FromText, HELO: p.HELO, RDNS: p.RDNS,
		By: p.By, With: p.With, Protocol: p.Protocol,
		TLSVersion: p.TLSVersion, Cipher: p.Cipher, Encrypted: p.TLS,
		Via: p.Via, ID: p.ID, For: p.For, Parsed: p.Parsed,
		Comment: p.Comment, Raw: p.Raw, Received: p,
	}
	h.byOrg, h.heloOrg, h.rdnsOrg = orgs.operatorDomain(p.By), orgs.operatorDomain(p.HELO), orgs.operatorDomain(p.RDNS)
	if p.IP.IsValid() {
		h.IP = p.IP.String()
		h.Private = IsPrivate(p.IP)
		if p.IPClaimed {
			// RFC 5321 §4.4: the HELO argument is the client's claim,
			// not the TCP-info the receiver saw.
			h.IPClaimed = true
		} else {
			h.Addr = p.IP
		}
	}
	if p.ByIP.IsValid() {
		h.ByIP = p.ByIP.String()
	}
	switch {
	case p.TLSVersion != "" && p.Cipher != "":
		h.TLS = p.TLSVersion + " " + p.Cipher
	case p.TLSVersion != "":
		h.TLS = p.TLSVersion
	case p.Cipher != "":
		h.TLS = p.Cipher
	case p.TLS:
		h.TLS = "TLS"
	}
	if p.HasDate {
		h.At = p.Date.Time
		h.Time = p.Date.Time.Format(time.RFC3339Nano)
		h.DateConfident = p.Date.Confident
		h.DateIssues = p.Date.Issues
	}
	return h
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// IsPrivate reports whether a is not globally routable: RFC 1918 and
// RFC 4193 private space, RFC 6598 shared space, loopback, link-local and
// the unspecified address.
func IsPrivate(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || cgnat.Contains(a)
}

// delays fills DelaySeconds and TotalSeconds and reports skew, long
// delays and unreadable hops.
func (r *Result) delays() {
	var first, last *Hop
	for i := range r.Hops {
		h := &r.Hops[i]
		if !h.Parsed && h.Time == "" {
			r.add(finding.Info, "hop-unparsed", fmt.Sprintf("Received field %d (hop %d) could not be read; its text is kept as written.", h.ReceivedIndex+1, i+1))
		} else if h.Time == "" {
			r.add(finding.Info, "hop-no-date", fmt.Sprintf("Hop %d (by %s) has no readable date.", i+1, orDash(h.By)))
		} else if !h.DateConfident {
			r.add(finding.Info, "hop-date-nonstandard", fmt.Sprintf("Hop %d (by %s) has a date that is not in RFC 5322 form (%s); it was read leniently.", i+1, orDash(h.By), strings.Join(h.DateIssues, ", ")))
		}
		if h.Time == "" {
			continue
		}
		if first == nil {
			first = h
		}
		last = h
		if i == 0 || r.Hops[i-1].Time == "" {
			continue
		}
		d := h.At.Sub(r.Hops[i-1].At).Seconds()
		h.DelaySeconds = &d
		switch {
		case d < -120:
			r.add(finding.Warning, "hop-clock-skew", fmt.Sprintf("Hop %d (by %s) is dated %s before the previous hop: one of the two servers' clocks is wrong, or the fields were altered.", i+1, orDash(h.By), duration(-d)))
		case d <= -1:
			// Less than a second is rounding: one server writes
			// fractions, the other whole seconds.
			r.add(finding.Info, "hop-clock-skew", fmt.Sprintf("Hop %d (by %s) is dated %s before the previous hop: a small clock difference between the servers.", i+1, orDash(h.By), duration(-d)))
		case d > 3600:
			r.add(finding.Info, "hop-long-delay", fmt.Sprintf("Hop %d (by %s) took %s after the previous hop: the message was queued or retried.", i+1, orDash(h.By), duration(d)))
		}
	}
	if first != nil && last != first {
		t := last.At.Sub(first.At).Seconds()
		r.TotalSeconds = &t
	}
}

func orDash(s string) string {
	if s == "" {
		return "an unnamed server"
	}
	return s
}

func duration(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

// OperatorDomain returns the organizational domain of host, with the
// internal domains of large mail operators folded into one (Exchange
// Online's office365.com into outlook.com, and so on): two hosts with the
// same OperatorDomain belong to one organization.
func OperatorDomain(host string) string { return operator(OrgDomain(host)) }

// operator returns the operator name for an organizational domain, or org
// itself. It folds the organizational domains of large mail operators'
// internal hosts into one name, so that a chain of hops inside one operator
// is not cut where its host names change domain: Exchange Online mixes
// *.outlook.office365.com, *.prod.outlook.com and
// *.protection.outlook.com hosts in one delivery. A switch, not a map: a
// map literal is code that runs when the program starts, in the page's
// WebAssembly module too.
func operator(org string) string {
	switch org {
	case "office365.com", "exchangelabs.com", "outlook.com":
		return "outlook.com"
	case "googlemail.com", "gmail.com", "google.com":
		return "google.com"
	case "yahoodns.net", "yahoo.net", "yahoo.com":
		return "yahoo.com"
	}
	return org
}

// OrgDomain returns the organizational domain of a host name (the public
// suffix plus one label), "" for address literals, single labels and
// names under no known suffix.
func OrgDomain(host string) string {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" || !strings.Contains(host, ".") || strings.ContainsAny(host, ":/@ ") {
		return ""
	}
	if mayBeAddr(host) {
		if _, err := netip.ParseAddr(host); err == nil {
			return ""
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann && !strings.Contains(suffix, ".") {
		// An unlisted top-level label ("corp", "local", "lan"): a private
		// name, no organizational domain.
		return ""
	}
	// publicsuffix.EffectiveTLDPlusOne, with the suffix already looked up
	// and without building its errors.
	if strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") || len(host) <= len(suffix) {
		return ""
	}
	i := len(host) - len(suffix) - 1
	if host[i] != '.' {
		return ""
	}
	return host[1+strings.LastIndexByte(host[:i], '.'):]
}

// mayBeAddr reports whether netip.ParseAddr could accept s: only the
// characters of IPv4 and IPv6 addresses, then any IPv6 zone. Checking
// first saves building ParseAddr's error for host names.
func mayBeAddr(s string) bool {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// AuthServID returns the authserv-id of an Authentication-Results value
// (RFC 8601 §2.2: the first token, before any version and ";"), "" when
// the value starts with a method result instead (as Microsoft writes).
func AuthServID(v string) string {
	v = datetime.StripComments(v)
	head, _, _ := strings.Cut(v, ";")
	f := strings.Fields(head)
	if len(f) == 0 || strings.Contains(f[0], "=") {
		return ""
	}
	return strings.ToLower(f[0])
}

// microsoftSenderIP reads "(sender IP is 192.0.2.1)" from Exchange
// Online's Authentication-Results.
func microsoftSenderIP(v string) netip.Addr {
	const key = "sender IP is "
	i := strings.Index(v, key)
	if i < 0 {
		return netip.Addr{}
	}
	rest := v[i+len(key):]
	if j := strings.IndexAny(rest, ") ;"); j >= 0 {
		rest = rest[:j]
	}
	a, err := netip.ParseAddr(rest)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// SPFParams returns the key=value pairs of a Received-SPF value
// (RFC 7208 §9.1: client-ip, envelope-from, helo, receiver...), keys in
// lower case, comments removed.
func SPFParams(v string) map[string]string {
	out := map[string]string{}
	v = datetime.StripComments(v)
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' || r == '\r' || r == '\n' }) {
		k, val, ok := strings.Cut(part, "=")
		if !ok || k == "" {
			continue
		}
		k = strings.ToLower(k)
		if _, dup := out[k]; !dup {
			out[k] = strings.Trim(val, "\"")
		}
	}
	return out
}

// candidate is one piece of evidence pointing at a hop.
type candidate struct {
	evidence string
	index    int
	authserv string
	org      string
}

// spfClientIP returns the client address of a Received-SPF value: the
// client-ip= parameter (RFC 7208 §9.1) or, failing that, the first address
// in its comment ("designates 192.0.2.1 as permitted sender").
func spfClientIP(v string) netip.Addr {
	if a, err := netip.ParseAddr(strings.Trim(SPFParams(v)["client-ip"], "[]")); err == nil {
		return a.Unmap()
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" \t\r\n();,'\"", r) }) {
		if strings.Count(w, ".") == 3 || strings.Count(w, ":") >= 2 {
			if a, err := netip.ParseAddr(strings.Trim(w, "[]")); err == nil {
				return a.Unmap()
			}
		}
	}
	return netip.Addr{}
}

// boundary places the trust boundary. The final receiving organization is
// the domain of the newest named receiving host; its chain of hops gives
// a first answer (C). A Received-SPF client address or an authserv-id
// that points at a hop older than C, or an authserv-id of another domain,
// was written by an earlier organization (the message was forwarded) and
// is not used. Among the rest the order is: Received-SPF, Microsoft's
// "sender IP is", authserv-id chain, by-domain chain, newest public IP.
func (r *Result) boundary(ev Evidence) {
	finalOrg, chainIdx := "", -1
	for i := len(r.Hops) - 1; i >= 0; i-- {
		h := &r.Hops[i]
		if isRetrieval(h) {
			continue
		}
		if org := h.byOrg; org != "" {
			finalOrg = org
			chainIdx = r.chain(org)
			break
		}
		if (isLocalName(h.By) || strings.Contains(h.By, ".")) && h.Addr.IsValid() && !h.Private {
			// The newest receivers have no public name ("localhost",
			// "mx.corp.local") and this one took the message from a
			// public address.
			chainIdx = i
			break
		}
	}
	if finalOrg == "" {
		// An authserv-id names the final organization when the
		// receiving hosts do not (RFC 8601 §2.2).
		for _, v := range ev.AuthenticationResults {
			if org := operator(OrgDomain(AuthServID(v))); org != "" {
				if i := r.chain(org); i >= 0 {
					finalOrg, chainIdx = org, i
				}
				break
			}
		}
	}
	var cands, earlier []candidate
	consider := func(c candidate) {
		if chainIdx >= 0 && c.index < chainIdx {
			earlier = append(earlier, c)
			return
		}
		cands = append(cands, c)
	}
	// RFC 7208 §9.1: client-ip= is the address the receiver checked, the
	// one that connected to it. The topmost matching field is the
	// receiver's own.
	for _, v := range ev.ReceivedSPF {
		if a := spfClientIP(v); a.IsValid() {
			if i := r.newestWithIP(a); i >= 0 {
				consider(candidate{evidence: EvidenceSPF, index: i})
				break
			}
		}
	}
	for _, v := range ev.AuthenticationResults {
		if a := microsoftSenderIP(v); a.IsValid() {
			if i := r.newestWithIP(a); i >= 0 {
				consider(candidate{evidence: EvidenceMicrosoftSenderIP, index: i})
				break
			}
		}
	}
	// RFC 8601 §5: the authserv-id names the receiving ADMD; the boundary
	// is the oldest hop of the chain of hops received by that domain.
	for _, v := range ev.AuthenticationResults {
		id := AuthServID(v)
		org := operator(OrgDomain(id))
		if org == "" {
			continue
		}
		if i := r.chain(org); i >= 0 {
			c := candidate{evidence: EvidenceAuthServ, index: i, authserv: id, org: org}
			if finalOrg != "" && org != finalOrg && i < chainIdx {
				earlier = append(earlier, c)
			} else {
				consider(c)
			}
			break
		}
	}
	if chainIdx >= 0 {
		cands = append(cands, candidate{evidence: EvidenceByChain, index: chainIdx, org: finalOrg})
	}
	// The newest hop from a public address. Mailbox downloads are not
	// deliveries, and a receiver named "localhost" below a named one is a
	// content filter (amavisd-new) relaying inside the host.
	named := false
	for i := len(r.Hops) - 1; i >= 0; i-- {
		h := &r.Hops[i]
		if h.Addr.IsValid() && !h.Private && !isRetrieval(h) && !(named && isLocalName(h.By)) {
			cands = append(cands, candidate{evidence: EvidencePublicIP, index: i})
			break
		}
		named = named || h.byOrg != ""
	}
	if len(cands) == 0 {
		// No evidence at all: the newest hop is the receiver's.
		cands = append(cands, candidate{evidence: EvidenceNewest, index: len(r.Hops) - 1})
	}
	best := cands[0]
	h := &r.Hops[best.index]
	b := &Boundary{
		Index: best.index, ReceivedIndex: h.ReceivedIndex,
		HELO: h.HELO, RDNS: h.RDNS, By: h.By,
		Evidence: best.evidence, AuthServID: best.authserv, Org: h.byOrg,
	}
	if h.Addr.IsValid() {
		// The SPF client IP is the address the receiver saw, never one
		// the client claimed in its HELO (IPClaimed).
		b.IP = h.IP
	}
	for _, c := range cands[1:] {
		if c.index == best.index {
			b.Agrees = append(b.Agrees, c.evidence)
			if b.AuthServID == "" {
				b.AuthServID = c.authserv
			}
		} else {
			b.Disagrees = append(b.Disagrees, c.evidence)
		}
	}
	for _, c := range earlier {
		b.Disagrees = append(b.Disagrees, c.evidence+" (earlier organization)")
	}
	if b.Org == "" {
		b.Org = best.org
	}
	if b.HELO == "" {
		for _, v := range ev.ReceivedSPF {
			if p := SPFParams(v); p["client-ip"] != "" && strings.Trim(p["client-ip"], "[]") == b.IP {
				b.HELO = p["helo"]
				break
			}
		}
	}
	b.Confidence = confidence(best.evidence, len(b.Agrees))
	r.Boundary = b
	for i := best.index; i < len(r.Hops); i++ {
		r.Hops[i].Internal = true
	}
	if len(earlier) > 0 {
		names := make([]string, len(earlier))
		for i, c := range earlier {
			names[i] = c.evidence
		}
		r.add(finding.Info, "boundary-earlier-verdicts", fmt.Sprintf("The %s in this message point at hop %d, before the final receiving organization (%s) took the message at hop %d: they were written by an earlier receiver (the message was forwarded) and are not the final receiver's own.", strings.Join(names, " and "), earlier[0].index+1, orDash(finalOrg), best.index+1))
	}
	var strong []string
	for _, d := range b.Disagrees[:len(b.Disagrees)-len(earlier)] {
		if d != EvidencePublicIP {
			strong = append(strong, d)
		}
	}
	if len(strong) > 0 {
		r.add(finding.Info, "boundary-evidence-disagrees", fmt.Sprintf("The trust boundary was placed at hop %d by the %s, but the %s point at another hop.", best.index+1, best.evidence, strings.Join(strong, " and ")))
	}
}

func confidence(evidence string, agree int) string {
	switch evidence {
	case EvidenceSPF, EvidenceMicrosoftSenderIP:
		return "high"
	case EvidenceAuthServ:
		if agree > 0 {
			return "high"
		}
		return "medium"
	case EvidenceByChain:
		if agree > 0 {
			return "medium"
		}
	}
	return "low"
}

// newestWithIP returns the newest hop whose client address is a, or -1.
func (r *Result) newestWithIP(a netip.Addr) int {
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if r.Hops[i].Addr == a {
			return i
		}
	}
	return -1
}

// chain walks from the newest hop to the oldest hop received by org: it
// starts at the newest hop whose "by" host is in org and follows older
// hops while the client is inside (private address or a name in org).
// Hops whose "by" is no domain name (address literal, "localhost") do not
// break the chain. A retrieval hop (fetchmail: "with POP3", "with IMAP")
// inside the chain means the mailbox was on another server: the chain
// goes on with the domain of the next named receiving host; so does a
// chain that ends in a local handoff (no client address) or a private
// address. It returns -1
// when no hop is received by org.
func (r *Result) chain(org string) int {
	cand := -1
	for i := len(r.Hops) - 1; i >= 0; i-- {
		h := &r.Hops[i]
		if isRetrieval(h) {
			if cand >= 0 {
				org = ""
			}
			continue
		}
		byOrg := h.byOrg
		if byOrg == "" {
			continue
		}
		if org == "" {
			org = byOrg
		}
		if byOrg != org {
			if cand < 0 {
				continue
			}
			if c := &r.Hops[cand]; c.IPClaimed || c.Addr.IsValid() && !c.Private {
				// A public address, or one the client only claimed:
				// the chain may cross organizations here.
				break
			}
			// The chain so far ends in a local handoff (no client
			// address: a scanner or a pickup) or a private address:
			// neither crosses organizations, so the host before it is
			// in the same network under another domain name.
			org = byOrg
		}
		cand = i
		if !r.inside(h, org) {
			break
		}
	}
	return cand
}

// isLocalName reports a receiving host that names no network host:
// "localhost", nothing, or an address literal.
func isLocalName(by string) bool {
	by = strings.ToLower(strings.Trim(by, "[]"))
	if by == "" || by == "localhost" || strings.HasPrefix(by, "localhost.") {
		return true
	}
	if !mayBeAddr(by) {
		return false
	}
	_, err := netip.ParseAddr(by)
	return err == nil
}

// isRetrieval reports a hop that records a mailbox download (fetchmail
// and the like), not a delivery.
func isRetrieval(h *Hop) bool {
	return h.Protocol == "POP3" || h.Protocol == "IMAP"
}

// inside reports whether the client of h is inside org: a private
// address; a reverse-DNS name in org; a HELO name in org when the receiver
// states no reverse-DNS at all (Exchange's "name (address)" form: a HELO
// name next to "unknown" reverse DNS could be forged by anyone); or, with
// no address at all, a local name or a name in org. A client known only by
// the address literal of its own HELO (IPClaimed) is not inside: anyone can
// claim a private address (RFC 5321 §4.4).
func (r *Result) inside(h *Hop, org string) bool {
	if h.IPClaimed {
		return false
	}
	if h.Addr.IsValid() && h.Private {
		return true
	}
	if h.RDNS != "" && h.Addr.IsValid() {
		return h.rdnsOrg == org
	}
	if !h.Addr.IsValid() {
		// "from localhost", "(from user@localhost)", "from murder
		// ([unix socket])", qmail-scanner's "from user@example.com":
		// local submissions and handoffs.
		f := h.Received.From
		if f == "" || strings.Contains(f, "@") {
			return true
		}
		return h.heloOrg == "" || h.heloOrg == org
	}
	return h.HELO != "" && h.heloOrg == org && !h.Received.RDNSStated
}

// tlsFindings reports hops that crossed a public network in clear text.
func (r *Result) tlsFindings() {
	for i := range r.Hops {
		h := &r.Hops[i]
		if h.Encrypted || !h.Addr.IsValid() || h.Private {
			continue
		}
		switch h.Protocol {
		case "SMTP", "ESMTP", "ESMTPA", "LMTP", "LMTPA", "UTF8SMTP", "UTF8SMTPA", "HTTP":
		default:
			continue
		}
		sev, where := finding.Info, ""
		if r.Boundary != nil && h.Index == r.Boundary.Index {
			sev, where = finding.Warning, " into the receiving organization"
		}
		r.add(sev, "hop-no-tls", fmt.Sprintf("Hop %d%s, from %s to %s, used %s with no sign of TLS (RFC 3848 marks STARTTLS with an S): the message may have crossed the network unencrypted.", h.Index+1, where, h.IP, orDash(h.By), h.Protocol))
	}
}
