// Package dkimcore holds the building blocks of DKIM (RFC 6376) that are
// shared by DKIM verification (headerlens/analyzer/dkim) and ARC
// (RFC 8617), which reuses the DKIM tag-list syntax, canonicalization, header
// selection, signature stripping and key records:
//
//   - tag=value lists (RFC 6376 §3.2), parsed strictly: ParseTagList;
//   - header and body canonicalization, simple and relaxed (RFC 6376 §3.4):
//     CanonicalizeHeader, CanonicalizeBody, BodyHash;
//   - the header fields selected by an h= list, bottom-up (RFC 6376 §5.4.2):
//     SelectHeaders, and the header hash input with the signature's own b=
//     value emptied (RFC 6376 §3.7): StripTagValue, HeaderHashInput;
//   - key records (RFC 6376 §3.6.1) and their retrieval over DNS TXT at
//     selector._domainkey.domain (RFC 6376 §3.6.2, §6.1.2): ParseKey,
//     FetchKey; the DER of a k=rsa key, a SubjectPublicKeyInfo (RFC 5280
//     §4.1.2.7, RFC 3279 §2.3.1) or a bare RSAPublicKey (RFC 8017 Appendix
//     A.1.1), is read by hand so that the WebAssembly build does not link
//     crypto/x509;
//   - signature algorithms rsa-sha256, rsa-sha1 (RFC 6376 §3.3, restricted by
//     RFC 8301) and ed25519-sha256 (RFC 8463): ParseAlgorithm, VerifyHash.
//     RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) is written here too,
//     with its own Montgomery exponentiation, so that the WebAssembly build
//     does not link crypto/rsa and math/big (rsaverify.go says why it is
//     safe).
//
// Nothing here decides a final result: failures are returned as *Error
// values whose Kind says whether they are permanent (permerror), transient
// (temperror) or a verification failure (fail). Callers check the kind with
// KindOf, never by comparing messages.
package dkimcore
