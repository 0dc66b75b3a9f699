// Package dkim verifies the DKIM signatures of a message (RFC 6376), with
// the algorithm restrictions of RFC 8301 and the ed25519-sha256 algorithm of
// RFC 8463, and explains each result.
//
// It works in two modes. In full mode (a body was pasted) the body hash of
// each signature is computed and compared (RFC 6376 §3.7 step 1). In
// headers-only mode (no body) the header signature is still verified
// cryptographically: b= covers the signed header fields and the bh= value
// (RFC 6376 §3.7 step 2), so a valid signature proves the headers, and the
// body hash claimed by the signer, are intact. Such a result is "pass" with
// scope "headers-only" and bodyHash "not-checked".
//
// Result words are those of RFC 8601 §2.7.1. Choices this package makes:
//
//   - rsa-sha1 (RFC 8301 §3.1: "rsa-sha1 MUST NOT be used for signing or
//     verifying") is "policy": the signature is checked, but the verifier's
//     policy does not accept it (RFC 8601 §2.7.1 "policy: ... some aspect of
//     the signature ... was not acceptable"). Downgrade says "rsa-sha1".
//   - RSA keys shorter than 1024 bits (RFC 8301 §3.2: verifiers "MUST NOT
//     consider signatures using RSA keys of less than 1024 bits as valid")
//     are "fail", Downgrade "rsa-key-under-1024".
//   - Signatures of the pre-RFC 4871 drafts (no v= or v=0.5) are
//     "permerror" (RFC 6376 §3.5 requires v=1), Downgrade "draft-version".
//   - An expired signature (x= in the past, RFC 6376 §3.5, §6.1.1) and one
//     whose t= is in the future beyond five minutes of clock skew are
//     "permerror".
//
// These rules are applied only after the signature and body hash verified,
// in this order (so an rsa-sha1 signature with a short key is "policy").
// In the three Downgrade cases CryptoVerified still says whether the
// signature itself is correct.
//
// Each result also lists the header fields that could be added without
// breaking the signature (Result.Unprotected, RFC 6376 §5.4.2, §8.15), and
// findings such as "dkim-body-length-limit" (l=, RFC 6376 §8.2).
//
// The signature syntax, canonicalization, header selection and key record
// code lives in headerlens/analyzer/internal/dkimcore, shared with ARC.
package dkim

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
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

// Downgrade values: why a cryptographically correct signature is not pass.
const (
	DowngradeSHA1     = "rsa-sha1"
	DowngradeShortKey = "rsa-key-under-1024"
	DowngradeDraft    = "draft-version"
)

// DefaultMaxSignatures is the number of signatures verified when
// Options.MaxSignatures is zero (RFC 6376 §8.4 lets verifiers limit the
// work a message can cause).
const DefaultMaxSignatures = dkimcore.MaxDKIMSignatures

// Options controls Verify.
type Options struct {
	// Now is the time used for t= and x= checks; zero means time.Now().
	Now time.Time
	// MaxSignatures bounds how many signatures are verified; later ones
	// get result "neutral". Zero means DefaultMaxSignatures.
	MaxSignatures int
	// Session, when set, is the message's verification session, shared
	// with ARC: its key cache, body hashes and work budget are used. Nil
	// means a session of Verify's own.
	Session *dkimcore.Session
}

// headerBLen is how much of b= HeaderB keeps: RFC 6008 §4 asks for at
// least 8 characters.
const headerBLen = 12

// Result is the outcome for one DKIM-Signature field. Its JSON form is part
// of the report contract (docs/report.md).
type Result struct {
	// Index is the position of the field among the DKIM-Signature fields,
	// 0 for the topmost.
	Index int `json:"index"`
	// Domain is d= (the SDID), lower-cased.
	Domain string `json:"domain"`
	// Selector is s=.
	Selector string `json:"selector"`
	// Algorithm is a= as written (lower case).
	Algorithm string `json:"algorithm"`
	// Result is an RFC 8601 word: pass, fail, neutral, policy, temperror,
	// permerror or none.
	Result result.Word `json:"result"`
	// Scope is "full" when the body was checked, "headers-only" otherwise.
	Scope string `json:"scope"`
	// BodyHash is "verified", "mismatch" or "not-checked".
	BodyHash string `json:"bodyHash"`
	// KeyBits is the public key size, 0 when no key was obtained.
	KeyBits int `json:"keyBits"`
	// Reason explains Result for a person.
	Reason string `json:"reason"`
	// HeaderB is the start of the b= value, as Authentication-Results
	// quotes it in header.b to tell signatures of one domain apart
	// (RFC 6008 §4).
	HeaderB string `json:"headerB,omitempty"`
	// Identity is the AUID: i=, or "@" + d= when i= is absent.
	Identity string `json:"identity,omitempty"`
	// Canonicalization is c= in "header/body" form.
	Canonicalization string `json:"canonicalization,omitempty"`
	// SignedHeaders is the h= list.
	SignedHeaders []string `json:"signedHeaders,omitempty"`
	// Timestamp is t= in seconds since the epoch, absent when not given.
	Timestamp *int64 `json:"timestamp,omitempty"`
	// Expiration is x= in seconds since the epoch, absent when not given.
	Expiration *int64 `json:"expiration,omitempty"`
	// BodyLength is l=, absent when the whole body is signed.
	BodyLength *int64 `json:"bodyLength,omitempty"`
	// KeyType is the key record's k= ("rsa" or "ed25519").
	KeyType string `json:"keyType,omitempty"`
	// KeyRecord is the TXT record the key came from.
	KeyRecord string `json:"keyRecord,omitempty"`
	// Testing is the key's t=y flag (RFC 6376 §3.6.1): the domain is
	// testing DKIM and receivers should not treat failures differently
	// from unsigned mail.
	Testing bool `json:"testing"`
	// CryptoVerified is true when the b= signature verified with the key
	// over the signed header fields.
	CryptoVerified bool `json:"cryptoVerified"`
	// Downgrade names the rule that kept a cryptographically correct
	// signature from passing (see the package documentation).
	Downgrade string `json:"downgrade,omitempty"`
	// Unprotected lists header field names that a third party could add
	// (or that are present but not covered) without breaking the signature.
	Unprotected []string `json:"unprotected"`
	// Findings are the observations about this signature.
	Findings []finding.Finding `json:"findings,omitempty"`
	// Err is the error behind a non-pass result, for kind checks with
	// dkimcore.KindOf; not part of the JSON.
	Err error `json:"-"`
}

// ImportantHeaders are the fields whose absence from h= lets someone add
// them to a signed message unnoticed (RFC 6376 §5.4.1 recommends signing
// these; §8.15 describes adding unsigned fields).
var ImportantHeaders = []string{
	"From", "To", "Cc", "Subject", "Date", "Reply-To", "Sender",
	"Message-ID", "In-Reply-To", "References", "Content-Type",
	"Content-Transfer-Encoding", "MIME-Version",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id",
}

// Verify checks every DKIM-Signature field of msg, top first, and returns
// one Result per field. Key lookups for different signatures run
// concurrently, and signatures sharing a key fetch it once. resolver may be
// nil; then no key can be fetched and the results are temperror. With
// opts.Session set, the keys, body hashes and work budget are those of the
// session (shared with ARC) and resolver is not used.
func Verify(ctx context.Context, resolver lookup.Resolver, msg *message.Message, opts Options) []Result {
	if msg == nil {
		return nil
	}
	sess := opts.Session
	if sess == nil {
		sess = dkimcore.NewSession(ctx, resolver, Fields(msg), msg.Body, msg.HasBody(), 0)
	}
	results := verifySession(sess, opts)
	if len(msg.Notes) > 0 {
		// message.Parse repaired the input (indentation, lost folding
		// white space...). Repairs change the signed bytes, which can
		// explain a failure that the original message would not show.
		for i := range results {
			if results[i].Result == result.Fail && (!results[i].CryptoVerified || results[i].BodyHash == dkimcore.BodyMismatch) {
				results[i].Findings = append(results[i].Findings, finding.Finding{Severity: finding.Info, Code: "dkim-input-repaired", Source: "dkim",
					Message: "The pasted text had to be repaired before analysis (" + strings.Join(msg.Notes, "; ") + "). A repair changes the signed bytes, so it may cause this DKIM failure rather than a change in transit."})
			}
		}
	}
	return results
}

// Fields returns the header fields of msg as dkimcore needs them, top
// first.
func Fields(msg *message.Message) []dkimcore.Field {
	fields := make([]dkimcore.Field, len(msg.Fields))
	for i, f := range msg.Fields {
		fields[i] = dkimcore.Field{Name: f.Name, Raw: f.Raw}
	}
	return fields
}

func verifySession(sess *dkimcore.Session, opts Options) []Result {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	max := opts.MaxSignatures
	if max <= 0 {
		max = DefaultMaxSignatures
	}
	fields := sess.Fields()
	var sigIdx []int
	for i, f := range fields {
		if strings.EqualFold(f.Name, "DKIM-Signature") {
			sigIdx = append(sigIdx, i)
		}
	}
	if len(sigIdx) == 0 {
		return nil
	}
	v := &verifier{sess: sess, fields: fields, hasBody: sess.HasBody(), now: now}
	results := make([]Result, len(sigIdx))
	var wg sync.WaitGroup
	for n, idx := range sigIdx {
		if n >= max {
			results[n] = Result{
				Index: n, Result: result.Neutral, Scope: v.scope(), BodyHash: dkimcore.BodyNotChecked,
				Reason:      fmt.Sprintf("not verified: the message has more than %d DKIM signatures (RFC 6376 §8.4 lets verifiers limit the work)", max),
				Unprotected: []string{},
			}
			continue
		}
		allowed := sess.Allowed(idx)
		guard.Go(&wg, func() { results[n] = v.verifyOne(n, fields[idx].Raw, allowed) }, func(err error) {
			results[n] = Result{Index: n, Result: result.TempError, Scope: dkimcore.ScopeHeadersOnly, BodyHash: dkimcore.BodyNotChecked, Reason: err.Error(), Unprotected: []string{}, Err: err}
		})
	}
	wg.Wait()
	return results
}

type verifier struct {
	sess    *dkimcore.Session
	fields  []dkimcore.Field
	hasBody bool
	now     time.Time
}

func (v *verifier) scope() string {
	if v.hasBody {
		return dkimcore.ScopeFull
	}
	return dkimcore.ScopeHeadersOnly
}

// verifyOne verifies the signature field raw, the n-th from the top, in
// the steps of RFC 6376 §6.1: read the signature (§6.1.1), get the key
// (§6.1.2), verify the header hash and the body hash (§6.1.3, §3.7), then
// apply RFC 8301 to a signature that verified. allowed is false when the
// session's work budget left the signature out: it is then read and
// described, but not verified.
func (v *verifier) verifyOne(n int, raw []byte, allowed bool) Result {
	res := Result{Index: n, Scope: v.scope(), BodyHash: dkimcore.BodyNotChecked, Unprotected: []string{}}
	s, err := ParseSignature(raw)
	if err != nil {
		// RFC 6376 §6.1.1: a signature that cannot be parsed is PERMFAIL.
		// Report what can be read from the raw tags.
		if tags, terr := parseRawTags(raw); terr == nil {
			res.Domain, _ = tags.Get("d")
			res.Selector, _ = tags.Get("s")
			a, _ := tags.Get("a")
			res.Algorithm = strings.ToLower(a)
		}
		return v.finish(res, result.PermError, err, "the signature is malformed: "+errMsg(err))
	}
	v.describe(&res, s)
	if word, why, err := v.checkTags(&res, s); word != "" {
		return v.finish(res, word, err, why)
	}
	if !allowed {
		err := v.sess.LimitError()
		return v.finish(res, result.Neutral, err, errMsg(err))
	}
	key, keyErr, keyReason, cryptoErr, stop := v.checkKeys(&res, s, raw)
	if stop != nil {
		return *stop
	}
	if keyErr != nil {
		return v.finish(res, result.PermError, keyErr, keyReason)
	}
	res.CryptoVerified = cryptoErr == nil
	bodyErr, stop := v.checkBody(&res, s, cryptoErr)
	if stop != nil {
		return *stop
	}
	switch {
	case cryptoErr != nil && dkimcore.KindOf(cryptoErr) == dkimcore.KindPermError:
		return v.finish(res, result.PermError, cryptoErr, errMsg(cryptoErr))
	case cryptoErr != nil:
		why := "the signature does not verify: the signed header fields were changed, or the key does not match"
		if bodyErr != nil {
			why += "; the body hash does not match either"
		}
		return v.finish(res, result.Fail, cryptoErr, why)
	case bodyErr != nil:
		return v.finish(res, result.Fail, bodyErr, "the header signature verifies, but the body hash does not match: the body was changed after signing ("+errMsg(bodyErr)+")")
	}
	return v.acceptVerified(res, s, key)
}

// describe copies what the report shows of a parsed signature into res.
func (v *verifier) describe(res *Result, s *Signature) {
	res.Domain, res.Selector, res.Algorithm = s.Domain, s.Selector, s.Algorithm.Name
	res.Identity = s.Identity
	res.Canonicalization = string(s.HeaderCanon) + "/" + string(s.BodyCanon)
	res.SignedHeaders = s.Headers
	if b := base64.StdEncoding.EncodeToString(s.SignatureData); len(b) >= headerBLen {
		res.HeaderB = b[:headerBLen]
	}
	if s.Timestamp != nil {
		t := s.Timestamp.Unix()
		res.Timestamp = &t
	}
	if s.Expiration != nil {
		x := s.Expiration.Unix()
		res.Expiration = &x
	}
	if s.Length >= 0 {
		l := s.Length
		res.BodyLength = &l
	}
	res.Unprotected, res.Findings = v.unprotected(s)
}

// checkTags applies the rules of RFC 6376 §6.1.1 that need no key: From
// must be signed, the signature must not have expired, and its timestamp
// must not be in the future. It returns "" when the signature may go on.
func (v *verifier) checkTags(res *Result, s *Signature) (word result.Word, why string, err error) {
	// RFC 6376 §5.4 and §6.1.1: "If the "h=" tag does not include the
	// From header field, the verifier MUST ignore the DKIM-Signature
	// header field and return PERMFAIL (From field not signed)."
	fromSigned := false
	for _, h := range s.Headers {
		if strings.EqualFold(h, "From") {
			fromSigned = true
		}
	}
	if !fromSigned {
		return result.PermError, "the signature does not cover the From header field, which RFC 6376 §5.4 requires", perm("From is not in h=")
	}
	// RFC 6376 §3.5 x= and §6.1.1: expired signatures are PERMFAIL.
	if s.Expiration != nil && v.now.After(*s.Expiration) {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-expired", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s expired at %s (x=). It may have been valid when the message was delivered.", s.Domain, s.Expiration.Format(time.RFC3339))})
		return result.PermError, fmt.Sprintf("the signature expired at %s (x=)", s.Expiration.Format(time.RFC3339)), perm("signature expired")
	}
	// RFC 6376 §3.5 t=: "Implementations MAY ignore signatures that have
	// a timestamp in the future."
	if s.Timestamp != nil && s.Timestamp.After(v.now.Add(dkimcore.ClockSkew)) {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-future-timestamp", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s claims to have been made at %s, in the future.", s.Domain, s.Timestamp.Format(time.RFC3339))})
		return result.PermError, "the signature's timestamp (t=) is in the future", perm("timestamp in the future")
	}
	return "", "", nil
}

// checkKeys fetches the key records (RFC 6376 §6.1.2) and verifies the
// header hash (§3.7 step 2) with each one of the signature's key type
// (§6.1.2 step 4, RFC 8463 §4), keeping the best outcome: a usable key
// over one the record restricts, a verifying key over one that does not.
// stop is the final result when no key could be used at all.
func (v *verifier) checkKeys(res *Result, s *Signature, raw []byte) (key *dkimcore.Key, keyErr error, keyReason string, cryptoErr error, stop *Result) {
	final := func(word result.Word, err error, why string) *Result {
		r := v.finish(*res, word, err, why)
		return &r
	}
	keys, records, err := v.sess.FetchKey(s.Selector, s.Domain)
	if len(records) > 0 {
		res.KeyRecord = records[0]
	}
	if len(records) > 1 {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-multiple-key-records", Source: "dkim",
			Message: fmt.Sprintf("%s has %d TXT records; RFC 6376 §3.6.2.2 expects one key record per selector.", dkimcore.KeyName(s.Selector, s.Domain), len(records))})
	}
	if err != nil {
		if dkimcore.KindOf(err) == dkimcore.KindTempError {
			return nil, nil, "", nil, final(result.TempError, err, "the key could not be fetched: "+errMsg(err))
		}
		return nil, nil, "", nil, final(result.PermError, err, "no usable key: "+errMsg(err))
	}
	if err := v.sess.Err(); err != nil {
		return nil, nil, "", nil, final(result.TempError, err, errMsg(err))
	}
	digest := v.sess.HeaderDigest(s.Headers, raw, "b", s.HeaderCanon, s.Algorithm.Hash)
	for _, k := range keys {
		if k.Type != s.Algorithm.KeyType {
			continue
		}
		reason, kerr := keyAllows(k, s)
		var cerr error
		if kerr == nil {
			cerr = dkimcore.VerifyHash(k, s.Algorithm, digest, s.SignatureData)
		}
		better := key == nil || (keyErr != nil && kerr == nil) || (kerr == nil && cryptoErr != nil && cerr == nil)
		if better {
			key, keyErr, keyReason, cryptoErr = k, kerr, reason, cerr
		}
		if kerr == nil && cerr == nil {
			break
		}
	}
	if key == nil {
		k := keys[0]
		res.KeyType, res.KeyRecord, res.KeyBits, res.Testing = k.Type, k.Record, k.Bits, k.Testing
		return nil, nil, "", nil, final(result.PermError, perm("key type mismatch"), fmt.Sprintf("the key is of type %s but the signature uses %s", k.Type, s.Algorithm.Name))
	}
	res.KeyType, res.KeyRecord, res.KeyBits, res.Testing = key.Type, key.Record, key.Bits, key.Testing
	if key.Testing {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Info, Code: "dkim-testing", Source: "dkim",
			Message: fmt.Sprintf("The key of %s has the testing flag t=y: the domain is testing DKIM, and receivers treat the result like unsigned mail (RFC 6376 §3.6.1).", s.Domain)})
	}
	return key, keyErr, keyReason, cryptoErr, nil
}

// checkBody compares the body hash (RFC 6376 §3.7 step 1, §6.1.3) when a
// body was given, and notes a body length limit (l=, §8.2). stop is the
// final result when the hash could not be computed (work limit, deadline).
func (v *verifier) checkBody(res *Result, s *Signature, cryptoErr error) (bodyErr error, stop *Result) {
	if v.hasBody {
		sum, canonLen, err := v.sess.BodyHash(s.BodyCanon, s.Algorithm.Hash, s.Length)
		switch k := dkimcore.KindOf(err); {
		case k == dkimcore.KindLimit || k == dkimcore.KindTempError:
			// The body hash was not computed: say so rather than
			// calling it a mismatch.
			word := result.Neutral
			if k == dkimcore.KindTempError {
				word = result.TempError
			}
			r := v.finish(*res, word, err, errMsg(err))
			return nil, &r
		case err != nil:
			res.BodyHash, bodyErr = dkimcore.BodyMismatch, err
		case subtle.ConstantTimeCompare(sum, s.BodyHash) != 1:
			res.BodyHash = dkimcore.BodyMismatch
			bodyErr = &dkimcore.Error{Kind: dkimcore.KindFail, Msg: "body hash mismatch"}
		default:
			res.BodyHash = dkimcore.BodyVerified
		}
		if s.Length >= 0 && err == nil && s.Length < canonLen {
			res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-body-length-limit", Source: "dkim",
				Message: fmt.Sprintf("The DKIM signature of %s covers only the first %d of %d body octets (l=); the last %d octets are not signed and could have been added by anyone (RFC 6376 §8.2).", s.Domain, s.Length, canonLen, canonLen-s.Length)})
		}
	}
	if s.Length >= 0 && !hasCode(res.Findings, "dkim-body-length-limit") {
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-body-length-limit", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s has a body length limit (l=%d): anything appended to the body after that many octets is not signed (RFC 6376 §8.2).", s.Domain, s.Length)})
	}
	return bodyErr, nil
}

// acceptVerified judges a cryptographically correct signature. RFC 8301
// and RFC 6376 §3.5 may still refuse it; the algorithm is judged before
// the key, so an rsa-sha1 signature is "policy" whatever its key size.
func (v *verifier) acceptVerified(res Result, s *Signature, key *dkimcore.Key) Result {
	switch {
	case s.Algorithm.Name == "rsa-sha1":
		res.Downgrade = DowngradeSHA1
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Warning, Code: "dkim-weak-algorithm", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s uses rsa-sha1, which RFC 8301 §3.1 forbids for signing and verifying.", s.Domain)})
		return v.finish(res, result.Policy, perm("rsa-sha1 not accepted"), "the signature is correct but uses rsa-sha1, which RFC 8301 §3.1 says must not be used for verifying")
	case key.Type == "rsa" && key.Bits < 1024:
		res.Downgrade = DowngradeShortKey
		res.Findings = append(res.Findings, finding.Finding{Severity: finding.Error, Code: "dkim-weak-key", Source: "dkim",
			Message: fmt.Sprintf("The DKIM key of %s is only %d bits; RFC 8301 §3.2 forbids accepting RSA keys under 1024 bits.", s.Domain, key.Bits)})
		return v.finish(res, result.Fail, perm("RSA key under 1024 bits"), fmt.Sprintf("the signature is correct but the RSA key has only %d bits; RFC 8301 §3.2 says such signatures must not be considered valid", key.Bits))
	case s.Draft:
		res.Downgrade = DowngradeDraft
		return v.finish(res, result.PermError, perm("no v=1"), "the signature is correct but follows a pre-standard draft (no v=1 tag); RFC 6376 §3.5 requires v=1")
	}
	if v.hasBody {
		return v.finish(res, result.Pass, nil, "the signature and the body hash verify")
	}
	return v.finish(res, result.Pass, nil, "the header signature verifies (it covers the signed header fields and the body hash bh=); the body was not checked because only the header was pasted")
}

func (v *verifier) finish(res Result, word result.Word, err error, reason string) Result {
	res.Result, res.Err, res.Reason = word, err, reason
	return res
}

// keyAllows applies the key record's restrictions to s (RFC 6376 §3.6.1).
func keyAllows(key *dkimcore.Key, s *Signature) (reason string, err error) {
	// RFC 6376 §3.6.1 h=: the key may restrict the hash algorithms.
	if !key.AllowsHash(s.Algorithm.HashName) {
		return fmt.Sprintf("the key allows only h=%s, not %s", strings.Join(key.HashAlgs, ":"), s.Algorithm.HashName), perm("hash not allowed by key")
	}
	// RFC 6376 §3.6.1 t=s: "the "i=" domain MUST NOT be a subdomain of "d="".
	at := strings.LastIndexByte(s.Identity, '@')
	if key.Strict && !strings.EqualFold(strings.TrimSuffix(s.Identity[at+1:], "."), s.Domain) {
		return fmt.Sprintf("the key has t=s, so the i= domain must be exactly %s", s.Domain), perm("t=s key with subdomain i=")
	}
	// RFC 4871 §3.6.1 g= (removed by RFC 6376, still published by some
	// old keys): the i= local-part must match the pattern.
	if !key.GranularityMatches(s.Identity[:at]) {
		return fmt.Sprintf("the key's legacy g=%s does not allow the identity %s (RFC 4871 §3.6.1)", *key.Granularity, s.Identity), perm("g= does not match i=")
	}
	return "", nil
}

func hasCode(fs []finding.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

func errMsg(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// parseRawTags reads the tags of a field whose signature did not parse,
// for display.
func parseRawTags(raw []byte) (dkimcore.TagList, error) {
	_, value, _ := bytes.Cut(raw, []byte(":"))
	return dkimcore.ParseTagList(string(value))
}

// unprotected returns the header names a third party could add without
// breaking s (RFC 6376 §5.4.2 and §8.15): a name signed fewer times than
// it is present plus one leaves room for one more instance, which
// verifiers skip when they select fields bottom-up; an important name not
// in h= at all is unprotected whether present or not.
func (v *verifier) unprotected(s *Signature) ([]string, []finding.Finding) {
	// Names are shown as ImportantHeaders spells them, else as the
	// message does, else as h= does.
	display := map[string]string{}
	setDisplay := func(name string) {
		k := strings.ToLower(name)
		if _, ok := display[k]; !ok {
			display[k] = name
		}
	}
	for _, h := range ImportantHeaders {
		setDisplay(h)
	}
	present := map[string]int{}
	for _, f := range v.fields {
		present[strings.ToLower(f.Name)]++
		setDisplay(f.Name)
	}
	signed := map[string]int{}
	for _, h := range s.Headers {
		signed[strings.ToLower(h)]++
		setDisplay(h)
	}
	var out []string
	seen := map[string]bool{}
	var unsignedPresent []string
	for k, n := range signed {
		if n < present[k]+1 {
			out = append(out, display[k])
			seen[k] = true
		}
	}
	for _, h := range ImportantHeaders {
		k := strings.ToLower(h)
		if signed[k] > 0 || seen[k] {
			continue
		}
		out = append(out, h)
		seen[k] = true
		if present[k] > 0 {
			unsignedPresent = append(unsignedPresent, h)
		}
	}
	keys := make([]string, len(out))
	for i, h := range out {
		keys[i] = strings.ToLower(h)
	}
	sort.Sort(byKey{out, keys})
	sort.Strings(unsignedPresent)
	var fs []finding.Finding
	if seen["from"] {
		fs = append(fs, finding.Finding{Severity: finding.Warning, Code: "dkim-from-not-oversigned", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s does not over-sign From: a second From field could be added and the signature would still verify (RFC 6376 §8.15).", s.Domain)})
	}
	if len(unsignedPresent) > 0 {
		fs = append(fs, finding.Finding{Severity: finding.Warning, Code: "dkim-important-header-unsigned", Source: "dkim",
			Message: fmt.Sprintf("The DKIM signature of %s does not cover these header fields, which are present and could have been changed: %s.", s.Domain, strings.Join(unsignedPresent, ", "))})
	}
	if len(out) > 0 {
		fs = append(fs, finding.Finding{Severity: finding.Info, Code: "dkim-unprotected-headers", Source: "dkim",
			Message: fmt.Sprintf("Anyone could add these header fields to the message without breaking the DKIM signature of %s, because they are not signed once more than they occur (over-signed): %s.", s.Domain, strings.Join(out, ", "))})
	}
	return out, fs
}

type byKey struct{ s, k []string }

func (b byKey) Len() int           { return len(b.s) }
func (b byKey) Less(i, j int) bool { return b.k[i] < b.k[j] }
func (b byKey) Swap(i, j int)      { b.s[i], b.s[j] = b.s[j], b.s[i]; b.k[i], b.k[j] = b.k[j], b.k[i] }
