// Package recorded extracts the authentication verdicts that mail servers
// recorded in a message's header, without re-checking anything:
//
//   - Authentication-Results (RFC 8601), including Microsoft 365's forms
//     without an authserv-id and its "compauth" method with reason codes;
//   - ARC-Authentication-Results (RFC 8617 §4.1.1), an "i=N;" instance tag
//     followed by an RFC 8601 payload;
//   - Received-SPF (RFC 7208 §9.1).
//
// Every method result becomes one Verdict. Parsing first goes through
// github.com/emersion/go-msgauth/authres; when that parser rejects the
// value or sees fewer results than are present (comments containing ";",
// unknown methods, a missing authserv-id, "none"), a tolerant RFC 8601
// parser written here takes over. No visible method is ever dropped.
//
// Recorded verdicts are claims made by whoever wrote the header; anyone can
// forge them before the message reaches the receiving organisation.
// MarkTrusted sets Verdict.Trusted from a caller-supplied trust boundary
// (see TrustAuthservIDs and TrustAbove), following RFC 8601 §5.
package recorded
