package dkimcore

import (
	"errors"
	"fmt"
)

// Kind classifies an error the way RFC 8601 §2.7.1 result words do.
type Kind int

// Error kinds.
const (
	// KindNone is returned by KindOf for a nil error.
	KindNone Kind = iota
	// KindPermError is a permanent error: bad syntax, missing tag, no key,
	// unusable key (RFC 6376 §6.1 PERMFAIL).
	KindPermError
	// KindTempError is a transient failure, such as a DNS timeout, after
	// which the same check may succeed later (RFC 6376 §6.1.2 TEMPFAIL).
	KindTempError
	// KindFail is a cryptographic or hash mismatch: the signature or the
	// body hash does not verify (RFC 6376 §6.1.3).
	KindFail
	// KindLimit means the check was not made because the message's
	// signatures exceed the verifier's work limit (RFC 6376 §8.4). Its
	// RFC 8601 word is neutral: the signature "could not be processed".
	KindLimit
)

// String returns the RFC 8601 result word of the kind.
func (k Kind) String() string {
	switch k {
	case KindPermError:
		return "permerror"
	case KindTempError:
		return "temperror"
	case KindFail:
		return "fail"
	case KindLimit:
		return "neutral"
	}
	return "none"
}

// Error is an error with a Kind. Msg is written for a person.
type Error struct {
	// Kind says which RFC 8601 result the error leads to.
	Kind Kind
	// Msg explains the error for a person.
	Msg string
	// Err is the underlying error, if any (for example a DNS error).
	Err error
}

// Error returns the message, followed by the underlying error if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: the Kind of the first *Error in its chain,
// KindNone for nil, and KindPermError for any other error.
func KindOf(err error) Kind {
	if err == nil {
		return KindNone
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindPermError
}

func permErr(format string, args ...any) *Error {
	return &Error{Kind: KindPermError, Msg: fmt.Sprintf(format, args...)}
}

func failErr(format string, args ...any) *Error {
	return &Error{Kind: KindFail, Msg: fmt.Sprintf(format, args...)}
}
