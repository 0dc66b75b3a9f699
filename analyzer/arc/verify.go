package arc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/internal/guard"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
	"headerlens/lookup"
)

// DefaultMaxSignatureWork is Options.MaxSignatureWork when that is zero.
const DefaultMaxSignatureWork = dkimcore.DefaultWorkBudget

// Options controls Verify.
type Options struct {
	// Now is the time a seal's t= is compared with (a finding only: RFC
	// 8617 makes no rule about time); zero means time.Now().
	Now time.Time
	// MaxSignatureWork bounds, in bytes, the data hashed to verify the
	// ARC-Message-Signatures (dkimcore.Session's work budget): the newest
	// signature, which decides the result, is served first; older ones
	// beyond the budget are not verified, and oldest-pass is then not
	// given. Zero means DefaultMaxSignatureWork. Not used with Session.
	MaxSignatureWork int64
	// Session, when set, is the message's verification session, shared
	// with DKIM: its key cache, body hashes and work budget are used, and
	// Verify's resolver is not.
	Session *dkimcore.Session
}

// Result is the ARC evaluation of a message. Its JSON form is live.arc in
// the report contract (docs/report.md).
type Result struct {
	// Result is pass, fail or none (RFC 8617 §4.4), or temperror when a
	// key could not be fetched (DNS failure or no resolver) and nothing
	// else made the chain fail.
	Result result.Word `json:"result"`
	// Instances is the number of ARC Sets found.
	Instances int `json:"instances"`
	// Reason explains Result for a person.
	Reason string `json:"reason"`
	// ChainStatus is the Chain Validation Status exactly as RFC 8617
	// defines it: none, pass or fail. RFC 8617 §5.2.1 makes every error,
	// DNS failures included, a "fail"; Result keeps temperror apart.
	ChainStatus result.Word `json:"cv"`
	// OldestPass is the "oldest-pass" value (RFC 8617 §5.2 step 5): the
	// lowest instance whose ARC-Message-Signature still verifies, or 0
	// when all do. Absent when it could not be determined (the newest
	// AMS does not verify, or a key lookup failed).
	OldestPass *int `json:"oldestPass,omitempty"`
	// FailedInstance is the instance at which validation stopped with
	// fail or temperror; 0 when none did or no instance is to blame.
	FailedInstance int `json:"failedInstance,omitempty"`
	// Scope is "full" when a body was given, "headers-only" otherwise.
	Scope string `json:"scope"`
	// BodyHash is the body hash check of the newest ARC-Message-Signature:
	// "verified", "mismatch" or "not-checked".
	BodyHash string `json:"bodyHash"`
	// Sets are the ARC Sets, by increasing instance.
	Sets []Set `json:"sets"`
	// Findings are the observations about the chain.
	Findings []finding.Finding `json:"findings"`
}

// Set is one ARC Set (RFC 8617 §4.2) and the outcome of its checks.
type Set struct {
	// Instance is the i= value shared by the set's fields.
	Instance int `json:"instance"`
	// CV is the ARC-Seal's cv= value, "" when it could not be read.
	CV result.Word `json:"cv"`
	// SealResult is the ARC-Seal's verification: pass, fail, permerror,
	// temperror or not-checked.
	SealResult result.Word `json:"sealResult"`
	// AMSResult is the ARC-Message-Signature's verification, with the
	// same words. In headers-only mode, pass means the header signature
	// verified; the body hash was not checked.
	AMSResult result.Word `json:"amsResult"`
	// Domain is the ARC-Seal's d=.
	Domain string `json:"domain"`
	// Selector is the ARC-Seal's s=.
	Selector string `json:"selector"`
	// Algorithm is the ARC-Seal's a=.
	Algorithm string `json:"algorithm"`
	// AMSDomain is the ARC-Message-Signature's d= (RFC 8617 puts no
	// requirement on it matching the seal's).
	AMSDomain string `json:"amsDomain,omitempty"`
	// AMSSelector is the ARC-Message-Signature's s=.
	AMSSelector string `json:"amsSelector,omitempty"`
	// AMSAlgorithm is the ARC-Message-Signature's a=.
	AMSAlgorithm string `json:"amsAlgorithm,omitempty"`
	// AMSBodyHash is the body hash check of this set's AMS.
	AMSBodyHash string `json:"amsBodyHash"`
	// SignedHeaders is the AMS h= list.
	SignedHeaders []string `json:"signedHeaders,omitempty"`
	// AuthResults is the raw authres-payload of the set's
	// ARC-Authentication-Results, as claimed by the sealer.
	AuthResults string `json:"authResults"`
	// AuthServID is the authserv-id of AuthResults.
	AuthServID string `json:"authservId,omitempty"`
	// Timestamp is the ARC-Seal's t= in seconds since the epoch.
	Timestamp *int64 `json:"timestamp,omitempty"`
	// Reason explains the set's results for a person.
	Reason string `json:"reason"`
}

// check is the outcome of one signature verification.
type check struct {
	result   result.Word
	reason   string
	bodyHash string
}

// arcSet holds the parsed fields of one instance. Each list holds every
// field found with that instance, so duplicates can be reported.
type arcSet struct {
	seals   []*Seal
	sealErr []error
	amss    []*MessageSignature
	amsErr  []error
	amsIdx  []int // the AMS fields' positions in the message
	aars    []*AuthResults
	aarErr  []error
}

// Verify validates the Authenticated Received Chain of msg (RFC 8617 §5.2).
// resolver fetches the seal and signature keys; it may be nil, in which
// case the checks that need keys are temperror. Verify never panics and
// bounds its work: at most MaxInstances sets are verified, and a chain
// whose structure is invalid is not verified cryptographically.
func Verify(ctx context.Context, resolver lookup.Resolver, msg *message.Message, opts Options) Result {
	res := verify(ctx, resolver, msg, opts)
	if res.Result == result.Fail && msg != nil && len(msg.Notes) > 0 {
		// message.Parse repaired the input (indentation, lost folding
		// white space...): repairs change the signed bytes.
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-input-repaired", Source: "arc",
			Message: "The pasted text had to be repaired before analysis (" + strings.Join(msg.Notes, "; ") + "). A repair changes the signed bytes, so it may cause this ARC failure rather than a change in transit."})
	}
	return res
}

func verify(ctx context.Context, resolver lookup.Resolver, msg *message.Message, opts Options) Result {
	res := Result{Result: result.None, ChainStatus: result.None, Scope: dkimcore.ScopeHeadersOnly, BodyHash: dkimcore.BodyNotChecked, Sets: []Set{}, Findings: []finding.Finding{}}
	if msg == nil {
		res.Reason = "no message"
		return res
	}
	if msg.HasBody() {
		res.Scope = dkimcore.ScopeFull
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	// RFC 8617 §5.2 step 1: collect all ARC Sets.
	sets, malformed, arcFields := collectSets(msg)
	if arcFields == 0 {
		res.Reason = "the message has no ARC header fields (RFC 8617 §5.2 step 1)"
		return res
	}
	instances := make([]int, 0, len(sets))
	for i := range sets {
		instances = append(instances, i)
	}
	sort.Ints(instances)
	res.Instances = len(instances)
	for _, i := range instances {
		res.Sets = append(res.Sets, describeSet(i, sets[i], now, &res.Findings))
	}
	fail := func(inst int, reason string) Result {
		res.Result, res.ChainStatus, res.FailedInstance, res.Reason = result.Fail, result.Fail, inst, reason
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "arc-fail", Source: "arc",
			Message: "The ARC chain does not validate: " + reason + ". RFC 8617 §5.2 says a message whose chain fails is treated as if it had no chain."})
		return res
	}
	if len(malformed) > 0 {
		// RFC 8617 §5.2 step 3: a field that cannot be read cannot form
		// a valid ARC Set.
		return fail(0, malformed[0])
	}
	n := instances[len(instances)-1]

	// RFC 8617 §5.2 step 2: a chain whose newest seal says cv=fail has
	// already failed.
	if top := sets[n]; len(top.seals) == 1 && top.seals[0].ChainStatus == result.Fail {
		r := fail(n, fmt.Sprintf("the newest ARC-Seal (i=%d) has cv=fail: a previous intermediary found the chain broken (RFC 8617 §5.2 step 2)", n))
		// For the person reading the report: whether that verdict is
		// authentic. A cv=fail seal covers only its own set (§5.1.2).
		if c, ok := verifyFailSeal(session(ctx, resolver, msg, opts), sets, n); ok {
			last := &r.Sets[len(r.Sets)-1]
			last.SealResult = c.result
			last.Reason = "seal: " + c.reason + "; message signature: not verified, validation stopped at step 2"
		}
		return r
	}
	// RFC 8617 §5.2 step 3: structure.
	if inst, why := checkStructure(sets, n); why != "" {
		return fail(inst, why)
	}
	sess := session(ctx, resolver, msg, opts)
	v := &verifier{sess: sess, sets: sets, hasBody: sess.HasBody()}
	seals, amss := v.verifyAll(n, &res)
	v.annotate(&res, instances, seals, amss)
	return v.decide(&res, n, seals, amss, fail)
}

// collectSets gathers the ARC header fields of msg by instance (RFC 8617
// §5.2 step 1). malformed says why each unreadable field could not be
// read; arcFields counts every ARC field seen.
func collectSets(msg *message.Message) (sets map[int]*arcSet, malformed []string, arcFields int) {
	sets = map[int]*arcSet{}
	get := func(i int) *arcSet {
		s := sets[i]
		if s == nil {
			s = &arcSet{}
			sets[i] = s
		}
		return s
	}
	for fi, f := range msg.Fields {
		switch {
		case strings.EqualFold(f.Name, FieldSeal):
			arcFields++
			s, err := ParseSeal(f.Raw)
			if s == nil {
				malformed = append(malformed, fmt.Sprintf("the ARC-Seal on line %d is malformed: %s", f.Line, errMsg(err)))
				continue
			}
			set := get(s.Instance)
			set.seals, set.sealErr = append(set.seals, s), append(set.sealErr, err)
		case strings.EqualFold(f.Name, FieldSignature):
			arcFields++
			m, err := ParseMessageSignature(f.Raw)
			if m == nil {
				malformed = append(malformed, fmt.Sprintf("the ARC-Message-Signature on line %d is malformed: %s", f.Line, errMsg(err)))
				continue
			}
			set := get(m.Instance)
			set.amss, set.amsErr, set.amsIdx = append(set.amss, m), append(set.amsErr, err), append(set.amsIdx, fi)
		case strings.EqualFold(f.Name, FieldAuthResults):
			arcFields++
			a, err := ParseAuthResults(f.Raw)
			if a == nil {
				malformed = append(malformed, fmt.Sprintf("the ARC-Authentication-Results on line %d is malformed: %s", f.Line, errMsg(err)))
				continue
			}
			set := get(a.Instance)
			set.aars, set.aarErr = append(set.aars, a), append(set.aarErr, err)
		}
	}
	return sets, malformed, arcFields
}

// checkStructure checks that the sets 1..n form a chain (RFC 8617 §5.2
// step 3): no gaps, one field of each kind per set, readable results, and
// cv=none on the first seal, cv=pass on every later one. It returns the
// failing instance and why, or "".
func checkStructure(sets map[int]*arcSet, n int) (int, string) {
	for i := 1; i <= n; i++ {
		set := sets[i]
		if set == nil {
			// Step 3.B: instances form 1..N with no gaps.
			return i, fmt.Sprintf("ARC Set i=%d is missing: instances must run from 1 to %d without gaps (RFC 8617 §5.2 step 3)", i, n)
		}
		// Step 3.A: exactly one of each field per set (§4.2.1).
		for _, c := range []struct {
			name  string
			count int
		}{{FieldAuthResults, len(set.aars)}, {FieldSignature, len(set.amss)}, {FieldSeal, len(set.seals)}} {
			switch {
			case c.count == 0:
				return i, fmt.Sprintf("ARC Set i=%d has no %s (RFC 8617 §4.2.1, §5.2 step 3)", i, c.name)
			case c.count > 1:
				return i, fmt.Sprintf("ARC Set i=%d has %d %s fields; a set has exactly one (RFC 8617 §4.2.1, §5.2 step 3)", i, c.count, c.name)
			}
		}
		if err := set.aarErr[0]; err != nil {
			return i, fmt.Sprintf("the ARC-Authentication-Results of i=%d is malformed: %s (RFC 8617 §4.1.1)", i, errMsg(err))
		}
		seal := set.seals[0]
		if seal.ChainStatus == "" {
			return i, fmt.Sprintf("the ARC-Seal of i=%d is malformed: %s", i, errMsg(set.sealErr[0]))
		}
		// Step 3.C: cv is none for i=1, pass for every later set.
		switch {
		case seal.ChainStatus == result.Fail:
			return i, fmt.Sprintf("the ARC-Seal of i=%d has cv=fail (RFC 8617 §5.2 step 3)", i)
		case i == 1 && seal.ChainStatus != result.None:
			return i, fmt.Sprintf("the first ARC-Seal has cv=%s; it must be cv=none (RFC 8617 §5.2 step 3)", seal.ChainStatus)
		case i > 1 && seal.ChainStatus != result.Pass:
			return i, fmt.Sprintf("the ARC-Seal of i=%d has cv=%s; every seal after the first must be cv=pass (RFC 8617 §5.2 step 3)", i, seal.ChainStatus)
		}
	}
	return 0, ""
}

// verifyAll verifies every seal and, within the work budget, every
// ARC-Message-Signature of the sets 1..n, concurrently. The results are
// indexed by instance.
func (v *verifier) verifyAll(n int, res *Result) (seals, amss []check) {
	// The structure is valid: verify every seal and message signature.
	// Each check runs in its own goroutine, so the key lookups of
	// different instances are made concurrently (each distinct key once).
	sess, sets := v.sess, v.sets
	seals = make([]check, n+1)
	amss = make([]check, n+1)
	digests := v.sealDigests(n)
	// Every AMS signs (part of) the header and the body: the session's
	// work budget bounds what a hostile message can cause. It serves the
	// newest AMS first, since only that one decides the result (RFC 8617
	// §5.2 step 4); the older ones only give the optional oldest-pass
	// (step 5) and are skipped when the budget is spent.
	skipped := 0
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		guard.Go(&wg, func() { seals[i] = v.verifySeal(i, digests[i]) }, func(err error) {
			seals[i] = check{result: result.Fail, reason: err.Error()}
		})
		if sess.Allowed(sets[i].amsIdx[0]) {
			guard.Go(&wg, func() { amss[i] = v.verifyAMS(i) }, func(err error) {
				amss[i] = check{result: result.Fail, reason: err.Error(), bodyHash: dkimcore.BodyNotChecked}
			})
		} else {
			amss[i] = check{result: result.NotChecked, reason: errMsg(sess.LimitError()), bodyHash: dkimcore.BodyNotChecked}
			skipped++
		}
	}
	wg.Wait()
	if skipped > 0 && amss[n].result != result.NotChecked {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-older-signatures-skipped", Source: "arc",
			Message: fmt.Sprintf("The message is too large to verify all %d ARC-Message-Signatures; only the newest, which decides the result, was verified, so oldest-pass is not known.", n)})
	}
	return seals, amss
}

// annotate copies the results into the report's sets and adds the
// findings that do not depend on the verdict.
func (v *verifier) annotate(res *Result, instances []int, seals, amss []check) {
	n := instances[len(instances)-1]
	for k := range res.Sets {
		i := res.Sets[k].Instance
		res.Sets[k].SealResult, res.Sets[k].AMSResult, res.Sets[k].AMSBodyHash = seals[i].result, amss[i].result, amss[i].bodyHash
		res.Sets[k].Reason = "seal: " + seals[i].reason + "; message signature: " + amss[i].reason
	}
	res.BodyHash = amss[n].bodyHash
	if !v.hasBody {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-headers-only", Source: "arc",
			Message: "Only the header was given: the ARC seals and the header part of each ARC-Message-Signature were verified, but no body hash was checked, so changes to the body would go unnoticed."})
	}
	for _, i := range instances {
		for _, h := range v.sets[i].amss[0].Headers {
			if strings.EqualFold(h, "Authentication-Results") {
				res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-ams-signs-authentication-results", Source: "arc",
					Message: fmt.Sprintf("The ARC-Message-Signature of i=%d signs Authentication-Results, which RFC 8617 §4.1.2 says must not be signed: later hops often remove it, which breaks the signature.", i)})
				break
			}
		}
	}
}

// decide applies RFC 8617 §5.2 steps 4 to 7 to the verified signatures.
// res is the result being built, which fail also returns.
func (v *verifier) decide(res *Result, n int, seals, amss []check, fail func(int, string) Result) Result {
	sets := v.sets
	// RFC 8617 §5.2 step 4: the newest AMS must verify.
	temp := 0
	tempReason := ""
	switch ams := amss[n]; ams.result {
	case result.Pass:
	case result.TempError, result.NotChecked:
		temp, tempReason = n, fmt.Sprintf("the ARC-Message-Signature of i=%d could not be checked: %s", n, ams.reason)
	default:
		return fail(n, fmt.Sprintf("the newest ARC-Message-Signature (i=%d) does not verify: %s (RFC 8617 §5.2 step 4)", n, ams.reason))
	}
	// RFC 8617 §5.2 step 5 (optional): oldest-pass, the lowest instance
	// from which every AMS still verifies.
	if temp == 0 {
		oldest := 0
		for m := n - 1; m >= 1; m-- {
			if amss[m].result == result.TempError || amss[m].result == result.NotChecked {
				oldest = -1
				break
			}
			if amss[m].result != result.Pass {
				oldest = m + 1
				break
			}
		}
		if oldest >= 0 {
			res.OldestPass = &oldest
			if oldest > 0 {
				res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-oldest-pass", Source: "arc",
					Message: fmt.Sprintf("The ARC-Message-Signature of i=%d no longer verifies, but the one of i=%d does: the message was changed between those two hops, most likely by %s (a mailing list adding a subject tag or a footer, for example). The oldest signature that still verifies is i=%d (RFC 8617 §5.2 step 5). This does not affect the chain's validity.", oldest-1, oldest, domainOf(sets, oldest), oldest)})
			}
		}
	}
	// RFC 8617 §5.2 step 6: every seal, newest first.
	for i := n; i >= 1; i-- {
		switch seals[i].result {
		case result.Pass:
		case result.TempError:
			if temp == 0 {
				temp, tempReason = i, fmt.Sprintf("the ARC-Seal of i=%d could not be checked: %s", i, seals[i].reason)
			}
		default:
			return fail(i, fmt.Sprintf("the ARC-Seal of i=%d does not verify: %s (RFC 8617 §5.2 step 6)", i, seals[i].reason))
		}
	}
	if temp > 0 {
		// RFC 8617 §5.2.1 makes this a "fail" Chain Validation Status;
		// the result keeps it apart, since a later lookup may succeed.
		res.Result, res.ChainStatus, res.FailedInstance = result.TempError, result.Fail, temp
		res.Reason = tempReason + "; the chain could not be validated (RFC 8617 §5.2.1 counts this as fail)"
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "arc-temperror", Source: "arc",
			Message: "The ARC chain could not be validated because " + tempReason + "."})
		return *res
	}
	// RFC 8617 §5.2 step 7.
	res.Result, res.ChainStatus = result.Pass, result.Pass
	var sealers []string
	for i := 1; i <= n; i++ {
		sealers = append(sealers, fmt.Sprintf("%s (i=%d)", sets[i].seals[0].Domain, i))
	}
	res.Reason = fmt.Sprintf("all %d ARC-Seals and the newest ARC-Message-Signature verify", n)
	if !v.hasBody {
		res.Reason += "; the body hash was not checked (headers only)"
	}
	res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "arc-pass", Source: "arc",
		Message: fmt.Sprintf("The ARC chain is intact, sealed by %s. Its ARC-Authentication-Results are what each sealer says it saw; they are worth as much as your trust in those domains (RFC 8617 §7.2.1 leaves that to local policy).", strings.Join(sealers, ", "))})
	return *res
}

// verifyFailSeal verifies the seal of instance n, which carries cv=fail.
// Such a seal signs only the fields of its own set (RFC 8617 §5.1.2);
// sealers older than RFC 8617 signed the whole chain, which is tried when
// the first reading fails and the sets 1..n are complete. ok is false when
// the set is incomplete or malformed.
func verifyFailSeal(sess *dkimcore.Session, sets map[int]*arcSet, n int) (check, bool) {
	complete := func(set *arcSet) bool {
		return set != nil && len(set.aars) == 1 && len(set.amss) == 1 && len(set.seals) == 1 && set.aarErr[0] == nil
	}
	if !complete(sets[n]) {
		return check{}, false
	}
	v := &verifier{sess: sess, sets: map[int]*arcSet{1: sets[n]}}
	c := v.verifySeal(1, v.sealDigests(1)[1])
	if c.result == result.Pass {
		c.reason = "the seal verifies over its own set, as RFC 8617 §5.1.2 requires of a cv=fail seal"
		return c, true
	}
	if c.result != result.Fail || n == 1 {
		return c, true
	}
	for i := 1; i < n; i++ {
		if !complete(sets[i]) {
			return c, true
		}
	}
	v.sets = sets
	if all := v.verifySeal(n, v.sealDigests(n)[n]); all.result == result.Pass {
		return check{result: result.Pass, reason: "the seal verifies over the whole chain (RFC 8617 §5.1.2 asks a cv=fail seal to cover only its own set)"}, true
	}
	return c, true
}

// describeSet fills what can be read of one set without verifying it.
func describeSet(i int, set *arcSet, now time.Time, fs *[]finding.Finding) Set {
	out := Set{Instance: i, SealResult: result.NotChecked, AMSResult: result.NotChecked, AMSBodyHash: dkimcore.BodyNotChecked,
		Reason: "not verified: validation stopped before the signatures were checked"}
	if len(set.seals) > 0 {
		s := set.seals[0]
		out.CV, out.Domain, out.Algorithm = s.ChainStatus, s.Domain, s.AlgorithmName
		out.Selector = s.Selector
		if out.Domain == "" {
			out.Domain, _ = s.Tags.Get("d")
		}
		if out.Selector == "" {
			out.Selector, _ = s.Tags.Get("s")
		}
		if s.Timestamp != nil {
			t := s.Timestamp.Unix()
			out.Timestamp = &t
			if s.Timestamp.After(now.Add(dkimcore.ClockSkew)) {
				*fs = append(*fs, finding.Finding{Severity: finding.Info, Code: "arc-future-timestamp", Source: "arc",
					Message: fmt.Sprintf("The ARC-Seal of i=%d claims to have been made at %s, in the future.", i, s.Timestamp.Format(time.RFC3339))})
			}
		}
	}
	if len(set.amss) > 0 {
		m := set.amss[0]
		out.AMSDomain, out.AMSSelector, out.AMSAlgorithm = m.Domain, m.Selector, m.AlgorithmName
		out.SignedHeaders = m.Headers
	}
	if len(set.aars) > 0 {
		out.AuthResults, out.AuthServID = set.aars[0].Payload, set.aars[0].AuthServID
	}
	return out
}

func domainOf(sets map[int]*arcSet, i int) string {
	if s := sets[i]; s != nil && len(s.seals) > 0 && s.seals[0].Domain != "" {
		return s.seals[0].Domain
	}
	return fmt.Sprintf("the intermediary of i=%d", i)
}

type verifier struct {
	sess    *dkimcore.Session
	sets    map[int]*arcSet
	hasBody bool
}

// session returns opts.Session, or a new session for msg: keys fetched
// through resolver, the work budget opts.MaxSignatureWork.
func session(ctx context.Context, resolver lookup.Resolver, msg *message.Message, opts Options) *dkimcore.Session {
	if opts.Session != nil {
		return opts.Session
	}
	fields := make([]dkimcore.Field, len(msg.Fields))
	for i, f := range msg.Fields {
		fields[i] = dkimcore.Field{Name: f.Name, Raw: f.Raw}
	}
	return dkimcore.NewSession(ctx, resolver, fields, msg.Body, msg.HasBody(), opts.MaxSignatureWork)
}

// verifyWithKeys checks sig over digest with the keys of selector at
// domain, trying every key record of the algorithm's type (RFC 6376 §6.1.2
// step 4). It returns "" on success, or a result word and reason.
func (v *verifier) verifyWithKeys(selector, domain string, alg dkimcore.Algorithm, digest, sig []byte) (result.Word, string) {
	if err := v.sess.Err(); err != nil {
		return result.TempError, errMsg(err)
	}
	keys, _, err := v.sess.FetchKey(selector, domain)
	if err != nil {
		if dkimcore.KindOf(err) == dkimcore.KindTempError {
			return result.TempError, "the key could not be fetched: " + errMsg(err)
		}
		return result.PermError, "no usable key: " + errMsg(err)
	}
	// RFC 6376 §6.1.2 step 4: with several key records, each usable one
	// is tried; a failure is final only when none verifies.
	why, failWhy := "", ""
	for _, k := range keys {
		if k.Type != alg.KeyType {
			why = fmt.Sprintf("the key is of type %s but the signature uses %s", k.Type, alg.Name)
			continue
		}
		if !k.AllowsHash(alg.HashName) {
			why = fmt.Sprintf("the key allows only h=%s, not %s", strings.Join(k.HashAlgs, ":"), alg.HashName)
			continue
		}
		if err := dkimcore.VerifyHash(k, alg, digest, sig); err != nil {
			if dkimcore.KindOf(err) == dkimcore.KindPermError {
				why = errMsg(err)
			} else if failWhy == "" {
				failWhy = "the signature does not verify with the key at " + dkimcore.KeyName(selector, domain)
			}
			continue
		}
		if k.Type == "rsa" && k.Bits < 1024 {
			// RFC 8301 §3.2: verifiers "MUST NOT consider signatures
			// using RSA keys of less than 1024 bits as valid".
			failWhy = fmt.Sprintf("the RSA key has only %d bits; RFC 8301 §3.2 forbids accepting keys under 1024 bits", k.Bits)
			continue
		}
		return "", ""
	}
	if failWhy != "" {
		return result.Fail, failWhy
	}
	return result.PermError, "no usable key: " + why
}

// sealDigests returns, for each instance k, the SHA-256 digest of what
// the ARC-Seal of k signs (RFC 8617 §5.1.1): the fields of the sets 1..k,
// each set in the order ARC-Authentication-Results, ARC-Message-Signature,
// ARC-Seal, with relaxed header canonicalization (§4.1.3), the seal of k
// itself with its b= value emptied and without its final CRLF (RFC 6376
// §3.7). Every accepted seal algorithm hashes with SHA-256. The input of
// seal k extends that of seal k-1, so one running hash is copied at each
// set: the work is linear in the size of the chain, not quadratic.
func (v *verifier) sealDigests(n int) [][]byte {
	out := make([][]byte, n+1)
	h := sha256.New()
	for k := 1; k <= n; k++ {
		set := v.sets[k]
		h.Write(dkimcore.CanonicalizeHeader(set.aars[0].Raw, dkimcore.Relaxed))
		h.Write(dkimcore.CanonicalizeHeader(set.amss[0].Raw, dkimcore.Relaxed))
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		c := sha256.New()
		if err == nil {
			err = c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
		}
		if err != nil {
			// The standard library's SHA-256 always supports this;
			// should it not, the seal is reported unverifiable.
			h.Write(dkimcore.CanonicalizeHeader(set.seals[0].Raw, dkimcore.Relaxed))
			continue
		}
		last := dkimcore.CanonicalizeHeader(dkimcore.StripTagValue(set.seals[0].Raw, "b"), dkimcore.Relaxed)
		c.Write(bytes.TrimSuffix(last, []byte("\r\n")))
		out[k] = c.Sum(nil)
		h.Write(dkimcore.CanonicalizeHeader(set.seals[0].Raw, dkimcore.Relaxed))
	}
	return out
}

// verifySeal verifies the ARC-Seal of instance i (RFC 8617 §5.2 step 6).
func (v *verifier) verifySeal(i int, digest []byte) check {
	set := v.sets[i]
	s := set.seals[0]
	if err := set.sealErr[0]; err != nil {
		return check{result: result.PermError, reason: "the ARC-Seal is malformed: " + errMsg(err)}
	}
	if s.Algorithm.Hash != crypto.SHA256 || digest == nil {
		return check{result: result.PermError, reason: "the seal's hash could not be computed for " + s.Algorithm.Name}
	}
	if r, why := v.verifyWithKeys(s.Selector, s.Domain, s.Algorithm, digest, s.SignatureData); r != "" {
		if r == result.Fail {
			why = "the seal does not verify (the ARC header fields of this or an earlier set were changed, or the key does not match): " + why
		}
		return check{result: r, reason: why}
	}
	return check{result: result.Pass, reason: "the seal verifies"}
}

// verifyAMS verifies the ARC-Message-Signature of instance i like a DKIM
// signature (RFC 8617 §4.1.2, RFC 6376 §6.1.3): the header signature
// always, the body hash when a body is present.
func (v *verifier) verifyAMS(i int) check {
	set := v.sets[i]
	m := set.amss[0]
	if err := set.amsErr[0]; err != nil {
		return check{result: result.PermError, reason: "the ARC-Message-Signature is malformed: " + errMsg(err), bodyHash: dkimcore.BodyNotChecked}
	}
	headerCanon, bodyCanon, note := m.HeaderCanon, m.BodyCanon, ""
	digest := v.sess.HeaderDigest(m.Headers, m.Raw, "b", headerCanon, m.Algorithm.Hash)
	r, why := v.verifyWithKeys(m.Selector, m.Domain, m.Algorithm, digest, m.SignatureData)
	if r == result.Fail && m.CanonAbsent {
		// Without c=, RFC 6376 §3.5 means simple/simple; ARC signers
		// such as dkimpy mean relaxed/relaxed ("only relaxed
		// canonicalization" is used by ARC seals, RFC 8617 §4.1.3).
		// A signature that verifies either way was made by the key's
		// owner, so the second reading is tried too.
		digest = v.sess.HeaderDigest(m.Headers, m.Raw, "b", dkimcore.Relaxed, m.Algorithm.Hash)
		if r2, _ := v.verifyWithKeys(m.Selector, m.Domain, m.Algorithm, digest, m.SignatureData); r2 == "" {
			r, headerCanon, bodyCanon = "", dkimcore.Relaxed, dkimcore.Relaxed
			note = " (without c=, it verifies as relaxed/relaxed, not the DKIM default simple/simple)"
		}
	}
	if !v.hasBody {
		if r != "" {
			if r == result.Fail {
				why = "the header signature does not verify (signed header fields were changed, or the key does not match): " + why
			}
			return check{result: r, reason: why, bodyHash: dkimcore.BodyNotChecked}
		}
		return check{result: result.Pass, reason: "the header signature verifies (it covers the signed header fields and the body hash bh=); the body was not checked" + note, bodyHash: dkimcore.BodyNotChecked}
	}
	// RFC 6376 §3.7 step 1: the body hash. It is checked even when the
	// header signature fails, to tell the person whether the body changed.
	bodyStatus, bodyWhy := dkimcore.BodyVerified, ""
	sum, _, err := v.sess.BodyHash(bodyCanon, m.Algorithm.Hash, m.Length)
	if k := dkimcore.KindOf(err); k == dkimcore.KindLimit || k == dkimcore.KindTempError {
		// The body hash was not computed: the signature is unchecked,
		// not failed.
		word := result.TempError
		if k == dkimcore.KindLimit {
			word = result.NotChecked
		}
		return check{result: word, reason: errMsg(err), bodyHash: dkimcore.BodyNotChecked}
	} else if err != nil {
		bodyStatus, bodyWhy = dkimcore.BodyMismatch, errMsg(err)
	} else if subtle.ConstantTimeCompare(sum, m.BodyHash) != 1 {
		bodyStatus, bodyWhy = dkimcore.BodyMismatch, "the body was changed after signing"
	}
	switch {
	case r == result.Fail && bodyStatus == dkimcore.BodyMismatch:
		return check{result: result.Fail, reason: "neither the header signature nor the body hash verifies: the message was changed after signing", bodyHash: bodyStatus}
	case r == result.Fail:
		return check{result: result.Fail, reason: "the header signature does not verify (signed header fields were changed, or the key does not match), though the body hash matches: " + why, bodyHash: bodyStatus}
	case r != "":
		return check{result: r, reason: why, bodyHash: bodyStatus}
	case bodyStatus == dkimcore.BodyMismatch:
		return check{result: result.Fail, reason: "the header signature verifies, but the body hash does not match: " + bodyWhy, bodyHash: bodyStatus}
	}
	return check{result: result.Pass, reason: "the signature and the body hash verify" + note, bodyHash: dkimcore.BodyVerified}
}

func errMsg(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
