package analyzer

import (
	"headerlens/analyzer/finding"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/trail"
	"headerlens/analyzer/vendor"
	"headerlens/lookup"
)

// Report is the result of an analysis. Its JSON form is the contract shared
// by the command line and the web page; docs/report.md documents every
// field. Fields are added over time; none is renamed.
type Report struct {
	// Version is the analyzer version that made the report.
	Version string `json:"version"`
	// Summary holds the decoded key header fields.
	Summary Summary `json:"summary"`
	// Headers lists every header field in order, topmost first.
	Headers []Header `json:"headers"`
	// Hops is the Received trail, oldest first.
	Hops []trail.Hop `json:"hops"`
	// Trail holds the total transit time and the trust boundary.
	Trail TrailInfo `json:"trail"`
	// Recorded lists the verdicts that receiving servers wrote into the
	// header (Authentication-Results, ARC-Authentication-Results,
	// Received-SPF), with Trusted set for those above the trust boundary.
	Recorded []recorded.Verdict `json:"recorded"`
	// Vendor holds the decoded anti-spam headers of mail filters.
	Vendor []vendor.Decoded `json:"vendor"`
	// Live holds the checks re-run against DNS.
	Live *Live `json:"live"`
	// Transport holds the companion's transport-security checks of the
	// From and recipient domains, when Options.Transport was set.
	Transport []TransportCheck `json:"transport,omitempty"`
	// Findings are observations worth a person's attention.
	Findings []finding.Finding `json:"findings"`
	// DNS is the query log of the live checks, one entry per query.
	DNS []lookup.Query `json:"dns"`
	// Input describes what was analyzed.
	Input Input `json:"input"`
	// Notes says how the input was repaired before analysis (indentation
	// removed, lines joined...), in plain words.
	Notes []string `json:"notes"`
	// ElapsedMs is the wall time of the analysis in milliseconds.
	ElapsedMs float64 `json:"elapsedMs"`
}

// Summary holds the header fields people look at first, RFC 2047 encoded
// words decoded (RFC 2047 §6). Empty strings mean the field is absent.
type Summary struct {
	// From is the decoded From field, e.g. "Alice <alice@example.com>".
	From string `json:"from"`
	// FromName and FromAddress split the first From mailbox.
	FromName    string `json:"fromName"`
	FromAddress string `json:"fromAddress"`
	// FromDomain is the domain of the first From address, lower case: the
	// RFC5322.From domain of DMARC (RFC 7489 §3.1).
	FromDomain string `json:"fromDomain"`
	// RecipientDomains are the domains of the To and Cc addresses, lower
	// case, each once, at most three: those a companion is asked about.
	RecipientDomains []string `json:"recipientDomains"`
	// To is the decoded To field.
	To string `json:"to"`
	// Cc is the decoded Cc field.
	Cc string `json:"cc,omitempty"`
	// Subject is the decoded Subject.
	Subject string `json:"subject"`
	// Date is the Date field in RFC 3339, or "" when it is missing or
	// cannot be parsed (DateRaw keeps the text).
	Date string `json:"date"`
	// DateRaw is the Date field as written.
	DateRaw string `json:"dateRaw,omitempty"`
	// MessageID is the Message-ID without angle brackets.
	MessageID string `json:"messageId"`
	// ReturnPath is the address in the topmost Return-Path, the envelope
	// sender recorded at final delivery (RFC 5321 §4.4); "<>" stays "".
	ReturnPath string `json:"returnPath"`
	// ReplyTo is the decoded Reply-To field.
	ReplyTo string `json:"replyTo"`
	// Sender is the decoded Sender field.
	Sender string `json:"sender,omitempty"`
}

// Header is one header field as written: the value is unfolded but not
// decoded.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Input describes the analyzed input.
type Input struct {
	// Bytes is the size of the input as given.
	Bytes int `json:"bytes"`
	// Fields is the number of header fields found.
	Fields int `json:"fields"`
	// HasBody says whether a body was supplied, which decides whether
	// DKIM body hashes can be checked.
	HasBody bool `json:"hasBody"`
	// BodyBytes is the body size after line endings became CRLF.
	BodyBytes int `json:"bodyBytes"`
}
