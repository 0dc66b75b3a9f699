// Package rules holds the offline rules that turn a message's header
// facts into findings (finding.Finding): address mismatches (RFC 5322
// §3.6.2, RFC 7489 §3.1 organizational domains via the Public Suffix
// List), display-name spoofing, lookalike domains (RFC 5890/5891 IDNA,
// Unicode TS #39 mixed-script and confusable detection), Message-ID and
// Date problems (RFC 5322 §3.6.1, §3.6.4), hops without TLS (RFC 3848
// protocol keywords, RFC 3207 STARTTLS), bulk-sender signals (RFC 2369
// List-Unsubscribe, RFC 8058 one-click, RFC 2919 List-Id) and failing
// recorded authentication verdicts (RFC 8601).
//
// Every rule is a pure function of Input: no DNS, no clock (the caller
// passes Now), no globals that change.
package rules

import (
	"time"

	"headerlens/analyzer/address"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
)

// Sources used in Finding.Source.
const (
	SourceAddresses = "addresses"
	SourceHeaders   = "headers"
	SourceBulk      = "bulk"
	SourceRecorded  = "recorded"
)

// Finding codes. They are stable: users filter on them.
const (
	CodeFromReplyToMismatch       = "from-replyto-mismatch"
	CodeFromReturnPathMismatch    = "from-returnpath-mismatch"
	CodeFromSenderMismatch        = "from-sender-mismatch"
	CodeDisplayNameSpoof          = "display-name-spoof"
	CodeLookalikeDomain           = "lookalike-domain"
	CodeMissingFrom               = "missing-from"
	CodeMissingMessageID          = "missing-message-id"
	CodeMalformedMessageID        = "malformed-message-id"
	CodeDuplicateMessageID        = "duplicate-message-id"
	CodeMissingDate               = "missing-date"
	CodeMalformedDate             = "malformed-date"
	CodeDuplicateDate             = "duplicate-date"
	CodeDateSkew                  = "date-skew"
	CodeBulkListUnsubscribe       = "bulk-list-unsubscribe"
	CodeBulkNoListUnsubscribe     = "bulk-no-list-unsubscribe"
	CodeBulkListUnsubscribeSyntax = "bulk-list-unsubscribe-syntax"
	CodeBulkOneClick              = "bulk-one-click"
	CodeBulkOneClickInvalid       = "bulk-one-click-invalid"
	CodeBulkOneClickNoHTTPS       = "bulk-one-click-no-https"
	CodeBulkOneClickUnsigned      = "bulk-one-click-unsigned"
	CodeBulkOneClickMissing       = "bulk-one-click-missing"
	CodeBulkPrecedence            = "bulk-precedence"
	CodeBulkFeedbackID            = "bulk-feedback-id"
	CodeRecordedFail              = "recorded-fail"
)

// DKIMSignature is what the bulk rules need from a DKIM-Signature field.
type DKIMSignature struct {
	// Domain is the d= tag.
	Domain string
	// SignedHeaders are the h= tag's field names.
	SignedHeaders []string
	// Result is the verification result ("pass", "fail"...), "" when the
	// signature was not verified.
	Result result.Word
}

// Input is the header facts the rules look at. Zero values mean absent.
type Input struct {
	// From holds the From mailboxes; FromPresent is false when the field
	// is missing.
	From        []address.Address
	FromPresent bool
	// ReplyTo holds the Reply-To mailboxes.
	ReplyTo []address.Address
	// ReturnPath is the topmost Return-Path address without angle
	// brackets; "" when absent or null ("<>").
	ReturnPath string
	// Sender is the Sender mailbox, nil when absent.
	Sender *address.Address
	// MessageIDs are the Message-ID field values as written (normally one).
	MessageIDs []string
	// Dates are the Date field values as written (normally one).
	Dates []string
	// Date is the first Date value parsed; zero when it could not be.
	Date time.Time
	// FirstHopTime is the time of the oldest Received hop with a date.
	FirstHopTime time.Time
	// Now is the analysis time, for "in the future" checks; zero skips them.
	Now time.Time
	// ListUnsubscribe and ListUnsubscribePost are the field values; the
	// Present flags tell an empty value from a missing field.
	ListUnsubscribe            string
	ListUnsubscribePresent     bool
	ListUnsubscribePost        string
	ListUnsubscribePostPresent bool
	// ListID is the List-Id value (RFC 2919).
	ListID string
	// Precedence is the Precedence value.
	Precedence string
	// FeedbackID is the Feedback-ID value.
	FeedbackID string
	// DKIM are the message's DKIM signatures.
	DKIM []DKIMSignature
	// Verdicts are the recorded verdicts, Trusted already set
	// (recorded.MarkTrusted).
	Verdicts []recorded.Verdict
}

// Rule is one finding rule.
type Rule func(in Input) []finding.Finding

// Rules are all rules in the order Check runs them.
var Rules = []Rule{
	AddressMismatch,
	DisplayNameSpoof,
	LookalikeDomain,
	MessageIDRules,
	DateRules,
	BulkSignals,
	RecordedFail,
}

// maxPerRule bounds the findings one rule returns for hostile input.
const maxPerRule = 50

// Check runs every rule and returns their findings, never nil.
func Check(in Input) []finding.Finding {
	out := []finding.Finding{}
	for _, r := range Rules {
		fs := r(in)
		if len(fs) > maxPerRule {
			fs = fs[:maxPerRule]
		}
		out = append(out, fs...)
	}
	return out
}

func mk(sev finding.Severity, code, source, msg string) finding.Finding {
	return finding.Finding{Severity: sev, Code: code, Message: msg, Source: source}
}
