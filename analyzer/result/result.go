// Package result is the one vocabulary of verdicts that SPF, DKIM, DMARC
// and ARC share: the result words of RFC 8601 §2.7 (Authentication-Results),
// which RFC 7208 §2.6 (SPF), RFC 6376 §6.1 (DKIM), RFC 7489 §11.2 and RFC
// 9989 (DMARC) and RFC 8617 §4.4 (ARC, whose cv= tag takes none, fail and
// pass) each use a subset of, lower case as in the header field.
package result

// Word is one result word. Its JSON form is the word itself.
type Word string

// The result words. Each method uses those its RFC defines.
const (
	// Pass: the check succeeded (RFC 8601 §2.7.1, §2.7.2).
	Pass Word = "pass"
	// Fail: the check failed; for SPF, the client is not authorized.
	Fail Word = "fail"
	// SoftFail: SPF's weak statement that the client is probably not
	// authorized (RFC 7208 §2.6.5).
	SoftFail Word = "softfail"
	// Neutral: no statement (SPF, RFC 7208 §2.6.3), or a signature that
	// could not be processed (DKIM, RFC 8601 §2.7.1).
	Neutral Word = "neutral"
	// None: there was nothing to check (no record, no signature, no
	// chain).
	None Word = "none"
	// Policy: the check passed, but local policy does not accept it (RFC
	// 8601 §2.7.1), such as an rsa-sha1 signature (RFC 8301).
	Policy Word = "policy"
	// TempError: a transient failure, such as a DNS timeout; a later
	// check may succeed.
	TempError Word = "temperror"
	// PermError: a permanent error, such as a malformed record.
	PermError Word = "permerror"
	// NotChecked is headerlens's own word for a check that was not made:
	// an ARC set's signature when validation stopped before it (RFC 8617
	// §5.2), or one left out of the work budget.
	NotChecked Word = "not-checked"
)
