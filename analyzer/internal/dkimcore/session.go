package dkimcore

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"

	"headerlens/lookup"
)

// Scope values of a DKIM or ARC result: whether the body was checked.
const (
	ScopeFull        = "full"
	ScopeHeadersOnly = "headers-only"
)

// BodyHash values of a DKIM or ARC result (RFC 6376 §3.7 step 1).
const (
	BodyVerified   = "verified"
	BodyMismatch   = "mismatch"
	BodyNotChecked = "not-checked"
)

// ClockSkew is how far in the future a signature's t= may be before it is
// called a future timestamp (RFC 6376 §3.5 lets verifiers ignore such
// signatures; ARC makes it a finding only).
const ClockSkew = 5 * time.Minute

// DefaultWorkBudget is the number of bytes a Session lets the signatures of
// one message hash when NewSession is given zero: twice the largest input
// the analyzer accepts (message.MaxInputSize, 64 MiB), so that an ordinary
// message, whose DKIM signatures and ARC-Message-Signatures share one or
// two body hashes, is always verified in full, while a hostile one with
// many signatures, each asking for another body length (l=) or
// canonicalization, cannot make the analysis hash gigabytes. RFC 6376 §8.4
// lets verifiers limit the work a message causes.
const DefaultWorkBudget = 128 << 20

// MaxDKIMSignatures is the number of DKIM-Signature fields that a Session
// plans work for, top first; verifiers leave the rest unchecked (RFC 6376
// §8.4).
const MaxDKIMSignatures = 16

// Field names a Session plans work for.
const (
	fieldDKIM = "DKIM-Signature"
	fieldAMS  = "ARC-Message-Signature"
)

// ctxCheckEvery is how many body bytes are canonicalized and hashed
// between two looks at the context, so that the analysis deadline holds
// during a long body hash.
const ctxCheckEvery = 1 << 20

// Session is the verification state of one message, shared by its DKIM
// signatures (RFC 6376) and its ARC sets (RFC 8617), which verify the same
// header fields and body with the same algorithms:
//
//   - each key record is fetched once, however many signatures name it;
//   - each body hash (canonicalization, hash, length) is computed once,
//     streaming, without a canonical copy of the body;
//   - each header field is canonicalized once, and a signature's header hash
//     is fed field by field, without a copy of the signed fields;
//   - a work budget, in bytes hashed, is divided among the signatures
//     before any is verified, in a fixed order: the newest
//     ARC-Message-Signature (it decides the ARC result, RFC 8617 §5.2 step
//     4), then the DKIM signatures top first, then the older
//     ARC-Message-Signatures newest first. A signature left without budget
//     is not verified (Allowed is false; its checks return KindLimit).
//
// The plan depends only on the message, so the same message always gets
// the same results, whatever order the concurrent checks run in.
type Session struct {
	ctx      context.Context
	resolver lookup.Resolver
	fields   []Field
	body     []byte
	hasBody  bool

	// budget is the whole work budget; remaining is what is left after
	// the plan: work not planned (a second reading of a signature) is
	// taken from it as it comes.
	budget    int64
	remaining int64
	denied    map[int]bool
	planned   map[bodyKey]bool

	relaxedOnce sync.Once
	relaxed     [][]byte

	mu     sync.Mutex
	keys   map[string]*keyFetch
	bodies map[bodyKey]*bodyHash
}

type keyFetch struct {
	once    sync.Once
	keys    []*Key
	records []string
	err     error
}

type bodyKey struct {
	canon Canonicalization
	hash  crypto.Hash
	limit int64
}

type bodyHash struct {
	once     sync.Once
	sum      []byte
	canonLen int64
	err      error
}

// NewSession returns the session of one message: its header fields, top
// first, and its body (hasBody false when only the header was given). Keys
// are fetched through resolver, which may be nil (offline: every key fetch
// is a KindTempError). budget is the number of bytes the signatures may
// hash together; zero means DefaultWorkBudget. ctx bounds every key fetch
// and hash.
func NewSession(ctx context.Context, resolver lookup.Resolver, fields []Field, body []byte, hasBody bool, budget int64) *Session {
	if budget <= 0 {
		budget = DefaultWorkBudget
	}
	s := &Session{
		ctx: ctx, resolver: resolver, fields: fields, body: body, hasBody: hasBody,
		budget: budget, remaining: budget, denied: map[int]bool{}, planned: map[bodyKey]bool{},
		keys: map[string]*keyFetch{}, bodies: map[bodyKey]*bodyHash{},
	}
	s.plan()
	return s
}

// Context returns the context the session's work runs under.
func (s *Session) Context() context.Context { return s.ctx }

// Fields returns the message's header fields, top first.
func (s *Session) Fields() []Field { return s.fields }

// HasBody reports whether the message's body was given.
func (s *Session) HasBody() bool { return s.hasBody }

// Allowed reports whether the signature in field index i is within the
// work budget. Fields that are not signatures are always allowed.
func (s *Session) Allowed(i int) bool { return !s.denied[i] }

// plan divides the budget among the signature fields (see Session).
func (s *Session) plan() {
	var dkims, amss []int
	var instance []int
	for i, f := range s.fields {
		switch {
		case strings.EqualFold(f.Name, fieldDKIM):
			if len(dkims) < MaxDKIMSignatures {
				dkims = append(dkims, i)
			}
		case strings.EqualFold(f.Name, fieldAMS):
			amss = append(amss, i)
			inst, _ := strconv.Atoi(strings.TrimSpace(tagOf(f.Raw, "i")))
			instance = append(instance, inst)
		}
	}
	// The ARC-Message-Signatures newest first (highest i=; among equal
	// instances, in message order).
	order := make([]int, len(amss))
	for k := range order {
		order[k] = k
	}
	for a := 1; a < len(order); a++ {
		for b := a; b > 0 && instance[order[b]] > instance[order[b-1]]; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	var seq []int
	if len(order) > 0 {
		seq = append(seq, amss[order[0]])
	}
	seq = append(seq, dkims...)
	for _, k := range order[min(1, len(order)):] {
		seq = append(seq, amss[k])
	}
	for _, i := range seq {
		cost, body := s.cost(i)
		if cost > s.remaining {
			s.denied[i] = true
			continue
		}
		s.remaining -= cost
		if body != nil {
			s.planned[*body] = true
		}
	}
}

// cost returns the bytes that verifying the signature in field i hashes:
// its signed header fields and, when a body was given and no earlier
// signature in the plan needs the same body hash, the body. A signature
// whose tags cannot be read costs nothing: it fails before any hashing.
func (s *Session) cost(i int) (int64, *bodyKey) {
	raw := s.fields[i].Raw
	_, value, _ := bytes.Cut(raw, []byte(":"))
	tags, err := ParseTagList(string(value))
	if err != nil {
		return 0, nil
	}
	h, _ := tags.Get("h")
	cost := int64(len(raw))
	for _, idx := range SelectHeaders(s.fields, SplitColonList(h)) {
		if idx >= 0 {
			cost += int64(len(s.fields[idx].Raw))
		}
	}
	if !s.hasBody {
		return cost, nil
	}
	c, _ := tags.Get("c")
	_, canon, err := ParseCanonicalization(c)
	if err != nil {
		return cost, nil
	}
	a, _ := tags.Get("a")
	alg, err := ParseAlgorithm(a)
	if err != nil {
		return cost, nil
	}
	limit := int64(-1)
	if l, ok := tags.Get("l"); ok {
		if n, err := strconv.ParseInt(StripWhitespace(l), 10, 64); err == nil && n >= 0 {
			limit = n
		}
	}
	k := bodyKey{canon, alg.Hash, limit}
	if s.planned[k] {
		return cost, nil
	}
	return cost + int64(len(s.body)), &k
}

// tagOf returns the value of tag in the tag list of a raw field, or "".
func tagOf(raw []byte, tag string) string {
	_, value, _ := bytes.Cut(raw, []byte(":"))
	tags, err := ParseTagList(string(value))
	if err != nil {
		return ""
	}
	v, _ := tags.Get(tag)
	return v
}

// LimitError is the KindLimit error of a check left out of the budget.
func (s *Session) LimitError() error {
	return &Error{Kind: KindLimit, Msg: fmt.Sprintf("not verified: the message's signatures together would hash more than the limit of %d MiB per message (RFC 6376 §8.4 lets verifiers limit the work a message causes)", s.budget>>20)}
}

// take takes n bytes from the budget left after the plan.
func (s *Session) take(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > s.remaining {
		return false
	}
	s.remaining -= n
	return true
}

// Err returns a KindTempError when the session's context is done: the
// analysis deadline passed before a check could run.
func (s *Session) Err() error {
	if err := s.ctx.Err(); err != nil {
		return &Error{Kind: KindTempError, Msg: "the analysis deadline passed before this check ran", Err: err}
	}
	return nil
}

// FetchKey is FetchKey through the session's resolver, once per key name.
func (s *Session) FetchKey(selector, domain string) ([]*Key, []string, error) {
	name := strings.ToLower(KeyName(selector, domain))
	s.mu.Lock()
	kf, ok := s.keys[name]
	if !ok {
		kf = &keyFetch{}
		s.keys[name] = kf
	}
	s.mu.Unlock()
	kf.once.Do(func() {
		if s.resolver == nil {
			kf.err = &Error{Kind: KindTempError, Msg: "no DNS resolver: the key " + name + " could not be fetched (offline analysis)"}
			return
		}
		kf.keys, kf.records, kf.err = FetchKey(s.ctx, s.resolver, selector, domain)
	})
	return kf.keys, kf.records, kf.err
}

// BodyHash returns the body hash of the message's body canonicalized with
// c and cut to its first limit octets (limit < 0: all of it), hashed with
// h, and the canonical body length (RFC 6376 §3.7 step 1, §3.4.5). It has
// the errors of the package-level BodyHash, a KindLimit error when the
// hash was not in the plan and the budget is spent, and a KindTempError
// when the context ends during the hash. Each distinct hash is computed
// once per session.
func (s *Session) BodyHash(c Canonicalization, h crypto.Hash, limit int64) ([]byte, int64, error) {
	k := bodyKey{c, h, limit}
	s.mu.Lock()
	bh, ok := s.bodies[k]
	if !ok {
		bh = &bodyHash{}
		s.bodies[k] = bh
	}
	s.mu.Unlock()
	bh.once.Do(func() {
		if !s.planned[k] && !s.take(int64(len(s.body))) {
			bh.err = s.LimitError()
			return
		}
		if !h.Available() {
			bh.err = permErr("hash algorithm unavailable")
			return
		}
		hh := h.New()
		n, err := streamCanonicalBody(s.ctx, s.body, c, hh, limit)
		bh.canonLen = n
		switch {
		case err != nil:
			bh.err = &Error{Kind: KindTempError, Msg: "the analysis deadline passed while hashing the body", Err: err}
		case limit > n:
			// RFC 6376 §3.4.5: the signer's count cannot be honoured.
			bh.err = failErr("body is shorter (%d octets after canonicalization) than its l=%d", n, limit)
		default:
			bh.sum = hh.Sum(nil)
		}
	})
	return bh.sum, bh.canonLen, bh.err
}

// HeaderDigest returns the hash, with h, of what a header signature covers
// (RFC 6376 §3.7 step 2): the same bytes as HeaderHashInput, fed to the
// hash field by field, each field canonicalized once per session.
func (s *Session) HeaderDigest(names []string, sigRaw []byte, sigTag string, c Canonicalization, h crypto.Hash) []byte {
	hh := h.New()
	for _, idx := range SelectHeaders(s.fields, names) {
		if idx >= 0 {
			hh.Write(s.canonicalField(idx, c))
		}
	}
	sig := CanonicalizeHeader(StripTagValue(sigRaw, sigTag), c)
	hh.Write(bytes.TrimSuffix(sig, []byte("\r\n")))
	return hh.Sum(nil)
}

// canonicalField returns field i canonicalized with c. Simple leaves the
// bytes as they are; the relaxed forms are made once, for every field.
func (s *Session) canonicalField(i int, c Canonicalization) []byte {
	if c != Relaxed {
		return CanonicalizeHeader(s.fields[i].Raw, c)
	}
	s.relaxedOnce.Do(func() {
		s.relaxed = make([][]byte, len(s.fields))
		for j, f := range s.fields {
			s.relaxed[j] = CanonicalizeHeader(f.Raw, Relaxed)
		}
	})
	return s.relaxed[i]
}

// streamCanonicalBody writes the canonical form of body (RFC 6376 §3.4.3,
// §3.4.4; the same bytes as CanonicalizeBody) to w, cut to its first limit
// octets when limit >= 0, and returns the length of the whole canonical
// body. Empty lines are held back until a non-empty line follows, since
// both canonicalizations drop the empty lines at the end. ctx is checked
// every ctxCheckEvery bytes.
func streamCanonicalBody(ctx context.Context, body []byte, c Canonicalization, w hash.Hash, limit int64) (int64, error) {
	var n int64
	write := func(b []byte) {
		if limit < 0 {
			w.Write(b)
		} else if left := limit - n; left > 0 {
			w.Write(b[:min(int64(len(b)), left)])
		}
		n += int64(len(b))
	}
	crlf := []byte("\r\n")
	pending := 0 // empty lines not yet written
	var buf []byte
	next := ctxCheckEvery
	for rest := body; len(rest) > 0; {
		if consumed := len(body) - len(rest); consumed >= next {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			next = consumed + ctxCheckEvery
		}
		line := rest
		rest = nil
		if i := bytes.Index(line, crlf); i >= 0 {
			line, rest = line[:i], line[i+2:]
		}
		if c == Relaxed {
			buf = relaxLine(buf[:0], line)
			line = buf
		}
		if len(line) == 0 {
			pending++
			continue
		}
		for ; pending > 0; pending-- {
			write(crlf)
		}
		write(line)
		write(crlf)
	}
	if n == 0 && c != Relaxed {
		// RFC 6376 §3.4.3: an empty body is a single CRLF under simple.
		write(crlf)
	}
	return n, nil
}

// relaxLine appends to dst the relaxed form of one body line (RFC 6376
// §3.4.4): WSP at its end removed, other runs of WSP made one SP.
func relaxLine(dst, line []byte) []byte {
	inSpace := false
	for _, ch := range line {
		if ch == ' ' || ch == '\t' {
			inSpace = true
			continue
		}
		if inSpace {
			dst = append(dst, ' ')
			inSpace = false
		}
		dst = append(dst, ch)
	}
	return dst
}
