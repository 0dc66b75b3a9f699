package dohresolver

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Kind classifies a failed lookup.
type Kind int

// The kinds of failure. Every error the Lookup methods return is a
// *net.DNSError whose UnwrapErr is an *Error of one of these kinds.
const (
	// KindUnknown is the zero Kind, never returned.
	KindUnknown Kind = iota
	// KindNXDomain: the name does not exist (RCODE 3, RFC 1035 §4.1.1).
	KindNXDomain
	// KindNoData: the name exists but has no record of the type
	// (NOERROR with no answer, RFC 2308 §2.2).
	KindNoData
	// KindServFail: the resolver could not answer (RCODE 2).
	KindServFail
	// KindRcode: another error RCODE (FORMERR, NOTIMP, REFUSED...).
	KindRcode
	// KindTimeout: no answer within Config.Timeout or the context's
	// deadline.
	KindTimeout
	// KindCanceled: the caller's context was canceled.
	KindCanceled
	// KindHTTP: the HTTP exchange failed: connection error, status other
	// than 200, a content type other than application/dns-message, or a
	// body larger than Config.MaxResponseSize.
	KindHTTP
	// KindMalformed: the body is not a valid DNS answer to the query
	// (does not parse, wrong ID, question mismatch, not a response).
	KindMalformed
	// KindTruncated: the answer has the TC bit set (RFC 1035 §4.1.1),
	// which a DoH server should never send (RFC 8484 §5).
	KindTruncated
	// KindInvalidName: the name cannot be queried (too long, empty label,
	// non-ASCII characters); no query was sent.
	KindInvalidName
)

var kindNames = [...]string{
	KindUnknown: "unknown", KindNXDomain: "NXDOMAIN", KindNoData: "NODATA",
	KindServFail: "SERVFAIL", KindRcode: "error rcode", KindTimeout: "timeout",
	KindCanceled: "canceled", KindHTTP: "HTTP failure", KindMalformed: "malformed answer",
	KindTruncated: "truncated answer", KindInvalidName: "invalid name",
}

// String returns a short description of the kind.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the detail of a failed lookup. It reaches callers wrapped in a
// *net.DNSError (as its UnwrapErr), so both
//
//	errors.As(err, new(*net.DNSError)) // IsNotFound, IsTimeout, IsTemporary
//	errors.As(err, new(*dohresolver.Error)) // Kind, Rcode, HTTP status
//
// work, as do lookup.IsNotFound and lookup.IsTempFail. The net.DNSError
// flags are set from the Kind:
//
//	IsNotFound:  KindNXDomain, KindNoData
//	IsTimeout:   KindTimeout
//	IsTemporary: KindTimeout, KindServFail, KindRcode, KindHTTP,
//	             KindMalformed, KindTruncated
//
// KindCanceled and KindInvalidName set none of them.
type Error struct {
	// Kind classifies the failure.
	Kind Kind
	// Name is the queried name (fully qualified, trailing dot removed).
	Name string
	// Type is the query type mnemonic ("TXT", "A"...).
	Type string
	// Endpoint is the DoH URL of the last attempt, "" if none was made.
	Endpoint string
	// Rcode is the response code mnemonic, "" without a DNS response.
	Rcode string
	// Status is the HTTP status of the last attempt, 0 without one.
	Status int
	// Detail says more, for people: "status 500", "content type text/html".
	Detail string
	// Err is the underlying error (a context error, a transport error, a
	// parse error), or nil.
	Err error
}

// Error describes the failure.
func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// NXDomain reports whether the error is an NXDOMAIN answer (RFC 1035
// §4.1.1 rcode 3, RFC 8020) rather than NODATA; lookup.NXDomain uses it.
func (e *Error) NXDomain() bool { return e.Kind == KindNXDomain }

// Unwrap returns the underlying error, so errors.Is(err,
// context.DeadlineExceeded) holds for timeouts caused by a deadline.
func (e *Error) Unwrap() error { return e.Err }

// dnsError wraps e the way lookups return it.
func (e *Error) dnsError() *net.DNSError {
	msg := e.Error()
	switch e.Kind {
	case KindNXDomain:
		msg = "no such host" // the text net.DNSError uses (errNoSuchHost)
	case KindNoData:
		msg = "no such host" // the standard library says the same for NODATA
	}
	return &net.DNSError{
		Err:         msg,
		Name:        e.Name,
		Server:      e.Endpoint,
		IsNotFound:  e.Kind == KindNXDomain || e.Kind == KindNoData,
		IsTimeout:   e.Kind == KindTimeout,
		IsTemporary: e.Kind.temporary(),
		UnwrapErr:   e,
	}
}

func (k Kind) temporary() bool {
	switch k {
	case KindTimeout, KindServFail, KindRcode, KindHTTP, KindMalformed, KindTruncated:
		return true
	}
	return false
}

// retryable reports whether the next endpoint should be tried after a
// failure of this kind: every failure of the server or the transport, but
// not an answer (NXDOMAIN, NODATA) nor the caller giving up.
func (k Kind) retryable() bool {
	return k.temporary()
}

// KindOf returns the Kind of a lookup error, KindUnknown if err is nil or
// does not come from this package.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnknown
}

// ctxKind classifies a context error.
func ctxKind(err error) Kind {
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	return KindTimeout
}
