// Package arc validates the Authenticated Received Chain of a message (RFC
// 8617): the ARC Sets that intermediaries such as mailing lists and
// forwarders add, each made of an ARC-Authentication-Results (§4.1.1), an
// ARC-Message-Signature (§4.1.2, a DKIM signature per RFC 6376) and an
// ARC-Seal (§4.1.3).
//
// Verify follows the validator actions of RFC 8617 §5.2: it collects the
// sets, checks their structure (instances 1..N without gaps or duplicates,
// at most 50, §4.2.1; cv=none on the first seal and cv=pass on the others),
// verifies the newest ARC-Message-Signature, computes the oldest-pass value,
// and verifies every ARC-Seal. Keys are DKIM key records (RFC 6376 §3.6.1)
// fetched over DNS; lookups for different instances run concurrently. The
// algorithm restrictions of RFC 8301 apply (no rsa-sha1, no RSA keys under
// 1024 bits); ed25519-sha256 (RFC 8463) is accepted.
//
// Seals cover only ARC header fields, so they verify from a pasted header
// alone. An ARC-Message-Signature's header signature also verifies from the
// header (it covers the signed fields and the claimed body hash); its body
// hash is checked only when a body is given. Without a body the result says
// scope "headers-only" and bodyHash "not-checked".
//
// Result words: pass, fail and none are the Chain Validation Status of RFC
// 8617 §4.4. RFC 8617 §5.2.1 makes every error, DNS failures included, a
// fail; Result.ChainStatus follows that rule, while Result.Result says
// temperror when a key could not be fetched (no resolver, DNS timeout) and
// nothing else made the chain fail, because a later lookup may succeed.
//
// Per set, SealResult and AMSResult also use permerror (a malformed field,
// no usable key) and not-checked (validation stopped before the check).
//
// Choices this package makes where RFC 8617 is silent or ambiguous:
//
//   - An ARC-Message-Signature without c= is verified as RFC 6376 §3.5 says
//     (simple/simple), and if that fails, as relaxed/relaxed, which common
//     ARC signers assume; either proves the key owner signed it.
//   - A field whose tag list or instance cannot be read makes the chain
//     fail (§5.2 step 3: it cannot form a valid set).
//   - The older ARC-Message-Signatures, which only give oldest-pass, are
//     skipped when the message is large (Options.MaxSignatureWork).
//
// The tag-list syntax, canonicalization, header selection and key code is
// shared with DKIM in headerlens/analyzer/internal/dkimcore.
package arc
