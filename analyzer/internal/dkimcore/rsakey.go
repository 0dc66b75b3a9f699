package dkimcore

import (
	"bytes"
	"errors"
	"math"
)

// This file reads the DER of a k=rsa key (RFC 6376 §3.6.1 p=) by hand, so
// that the WebAssembly build does not link crypto/x509: x509 brings
// crypto/ecdsa, the NIST curves, ecdh, ML-KEM, encoding/asn1 and cryptobyte,
// none of which DKIM needs (issue 10).
//
// RFC 6376 is inconsistent about the form of p= for k=rsa (RFC Errata ID
// 3017): signers publish a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, the
// output of `openssl rsa -pubout` in RFC 6376 Appendix C), and a few publish
// a bare RSAPublicKey (RFC 8017 Appendix A.1.1). Both are read.
//
// The parser accepts and refuses exactly what crypto/x509 did before it
// (x509.ParsePKIXPublicKey, then x509.ParsePKCS1PublicKey), with the same
// modulus and exponent; TestRSAKeyMatchesX509 and FuzzParseRSAKey compare
// the two. That includes x509's tolerances, kept so that no key that
// verified before stops verifying: elements after the last one read in a
// SEQUENCE are ignored (encoding/asn1 allows them for extensibility), and so
// are bytes after the RSAPublicKey inside the BIT STRING.
//
// The only difference is in messages, not in what is refused: a well-formed
// SubjectPublicKeyInfo of another algorithm is reported as a non-RSA key
// even when its key would not parse as that algorithm (x509 would validate,
// say, an ECDSA point first, and that needs the NIST curves).

var (
	// errNonRSAKey: p= is a SubjectPublicKeyInfo of another algorithm
	// (ECDSA, Ed25519, X25519, DSA...), which a k=rsa record cannot use.
	errNonRSAKey = errors.New("SubjectPublicKeyInfo of a non-RSA algorithm")
	// errBadRSAKey: p= is neither an RSA SubjectPublicKeyInfo nor an
	// RSAPublicKey in DER.
	errBadRSAKey = errors.New("not a DER RSA public key")
)

// DER identifier octets (X.690 §8.1.2) of the types read here, all of the
// low-tag-number form: universal class, tag number below 31.
const (
	derInteger   = 0x02 // INTEGER, primitive (X.690 §8.3)
	derBitString = 0x03 // BIT STRING, primitive as DER requires (X.690 §10.2)
	derNull      = 0x05 // NULL (X.690 §8.8)
	derOID       = 0x06 // OBJECT IDENTIFIER (X.690 §8.19)
	derSequence  = 0x30 // SEQUENCE, constructed (X.690 §8.9)
)

// oidRSAEncryption is the DER content of rsaEncryption,
// 1.2.840.113549.1.1.1 (RFC 8017 Appendix A.1, RFC 3279 §2.3.1). DER
// encodes every subidentifier in the fewest octets (X.690 §8.19.2), so the
// OID has exactly one encoding and is compared as bytes.
var oidRSAEncryption = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}

// maxPKCS1Exponent is the largest exponent of a bare RSAPublicKey, the bound
// x509.ParsePKCS1PublicKey applied. The SubjectPublicKeyInfo path had none
// beyond fitting an int; crypto/rsa refuses larger exponents when verifying.
const maxPKCS1Exponent = 1<<31 - 1

// parseRSAPublicKey reads the decoded p= value of a k=rsa key record: a
// SubjectPublicKeyInfo holding an RSA key, or else a bare RSAPublicKey. The
// error is errNonRSAKey for a SubjectPublicKeyInfo of another algorithm,
// otherwise errBadRSAKey.
func parseRSAPublicKey(der []byte) (*RSAPublicKey, error) {
	pub, err := parseRSASubjectPublicKeyInfo(der)
	if err != errBadRSAKey {
		return pub, err
	}
	// A SubjectPublicKeyInfo starts with a SEQUENCE inside the outer
	// SEQUENCE, an RSAPublicKey with an INTEGER: no input is both.
	if pub, ok := parsePKCS1RSAPublicKey(der); ok {
		return pub, nil
	}
	return nil, errBadRSAKey
}

// parseRSASubjectPublicKeyInfo reads
//
//	SubjectPublicKeyInfo ::= SEQUENCE {            -- RFC 5280 §4.1.2.7
//	     algorithm         AlgorithmIdentifier,
//	     subjectPublicKey  BIT STRING }
//	AlgorithmIdentifier ::= SEQUENCE {             -- RFC 5280 §4.1.1.2
//	     algorithm         OBJECT IDENTIFIER,
//	     parameters        ANY DEFINED BY algorithm OPTIONAL }
func parseRSASubjectPublicKeyInfo(der []byte) (*RSAPublicKey, error) {
	spki, rest, ok := readDER(der, derSequence)
	if !ok || len(rest) != 0 {
		// Nothing may follow the key (as x509.ParsePKIXPublicKey).
		return nil, errBadRSAKey
	}
	algID, spki, ok := readDER(spki, derSequence)
	if !ok {
		return nil, errBadRSAKey
	}
	bits, _, ok := readDER(spki, derBitString)
	if !ok {
		return nil, errBadRSAKey
	}
	oid, params, ok := readDER(algID, derOID)
	if !ok || !validOID(oid) {
		return nil, errBadRSAKey
	}
	key, ok := bitStringBytes(bits)
	if !ok {
		return nil, errBadRSAKey
	}
	if !bytes.Equal(oid, oidRSAEncryption) {
		return nil, errNonRSAKey
	}
	// RFC 3279 §2.3.1: "the parameters component of that type SHALL be
	// the ASN.1 type NULL". Absent parameters are refused, as x509 did.
	null, _, ok := readDER(params, derNull)
	if !ok || len(null) != 0 {
		return nil, errBadRSAKey
	}
	// RFC 3279 §2.3.1: the subjectPublicKey BIT STRING holds the DER of an
	// RSAPublicKey. Bytes after it are ignored, as x509 did.
	rsaKey, _, ok := readDER(key, derSequence)
	if !ok {
		return nil, errBadRSAKey
	}
	pub, ok := readRSAPublicKey(rsaKey, math.MaxInt)
	if !ok {
		return nil, errBadRSAKey
	}
	return pub, nil
}

// parsePKCS1RSAPublicKey reads a bare RSAPublicKey (RFC 8017 Appendix
// A.1.1) with nothing after it; the exponent is at most 2^31-1.
func parsePKCS1RSAPublicKey(der []byte) (*RSAPublicKey, bool) {
	seq, rest, ok := readDER(der, derSequence)
	if !ok || len(rest) != 0 {
		return nil, false
	}
	return readRSAPublicKey(seq, maxPKCS1Exponent)
}

// readRSAPublicKey reads the content of
//
//	RSAPublicKey ::= SEQUENCE {                    -- RFC 8017 Appendix A.1.1
//	     modulus           INTEGER,  -- n
//	     publicExponent    INTEGER } -- e
//
// Both must be positive (RFC 8017 §3.1) and e at most maxE. Elements after
// e are ignored, as x509 did.
func readRSAPublicKey(seq []byte, maxE uint64) (*RSAPublicKey, bool) {
	n, seq, ok := readInteger(seq)
	if !ok || n[0]&0x80 != 0 {
		return nil, false
	}
	e, _, ok := readInteger(seq)
	// An exponent of more than 8 octets does not fit an int64 (x509's
	// limit); a negative one has its top bit set (X.690 §8.3.3).
	if !ok || len(e) > 8 || e[0]&0x80 != 0 {
		return nil, false
	}
	var ev uint64
	for _, b := range e {
		ev = ev<<8 | uint64(b)
	}
	if ev == 0 || ev > maxE || ev > math.MaxInt {
		return nil, false
	}
	// The modulus without its leading zero octets; zero is no modulus.
	n = bytes.TrimLeft(n, "\x00")
	if len(n) == 0 {
		return nil, false
	}
	return &RSAPublicKey{N: n, E: ev}, true
}

// readDER reads one DER element of identifier octet tag from the front of
// s and returns its content and what follows it.
func readDER(s []byte, tag byte) (content, rest []byte, ok bool) {
	// X.690 §8.1.2: the identifier octet. Every tag read here is of the
	// low-tag-number form, so a high-tag-number form (0x1f in the low
	// bits, §8.1.2.4) never matches.
	if len(s) < 2 || s[0] != tag {
		return nil, nil, false
	}
	length := uint64(s[1])
	header := 2
	if length&0x80 != 0 {
		// X.690 §8.1.3.5: the long form; the low 7 bits count the
		// length octets. 0x80 is the indefinite form (§8.1.3.6), which
		// DER forbids (X.690 §10.1). More than 4 octets cannot be a
		// length that fits here (x509 refused them too).
		k := int(length & 0x7f)
		if k == 0 || k > 4 || len(s) < 2+k {
			return nil, nil, false
		}
		// X.690 §10.1: DER uses the fewest length octets: no leading
		// zero octet, and the short form below 128.
		if s[2] == 0 {
			return nil, nil, false
		}
		length = 0
		for _, b := range s[2 : 2+k] {
			length = length<<8 | uint64(b)
		}
		if length < 0x80 {
			return nil, nil, false
		}
		header += k
	}
	if length > uint64(len(s)-header) {
		return nil, nil, false
	}
	end := header + int(length)
	return s[header:end], s[end:], true
}

// readInteger reads an INTEGER element and returns its content octets, a
// two's complement number (X.690 §8.3.3) of at least one octet (§8.3.1)
// whose first nine bits are not all equal (§8.3.2: the fewest octets).
func readInteger(s []byte) (content, rest []byte, ok bool) {
	c, rest, ok := readDER(s, derInteger)
	if !ok || len(c) == 0 {
		return nil, nil, false
	}
	if len(c) > 1 && (c[0] == 0x00 && c[1]&0x80 == 0 || c[0] == 0xff && c[1]&0x80 != 0) {
		return nil, nil, false
	}
	return c, rest, true
}

// validOID reports whether c is the content of a well-formed OBJECT
// IDENTIFIER (X.690 §8.19.2): at least one subidentifier, each in base 128
// with the fewest octets (no leading 0x80), the last octet of each without
// its top bit. Only used to tell a non-RSA SubjectPublicKeyInfo from a
// malformed one.
func validOID(c []byte) bool {
	if len(c) == 0 || c[len(c)-1]&0x80 != 0 {
		return false
	}
	start := true
	for _, b := range c {
		if start && b == 0x80 {
			return false
		}
		start = b&0x80 == 0
	}
	return true
}

// bitStringBytes returns the bits of a BIT STRING's content (X.690 §8.6.2):
// the first octet counts the unused bits of the last octet, 0 to 7, none
// when there are no other octets (§8.6.2.3), and DER sets unused bits to
// zero (X.690 §11.2.1). A key is a whole number of octets; with unused bits
// the bits are right-aligned as x509 did (asn1.BitString.RightAlign), which
// yields a valid key only by accident but keeps what it accepted.
func bitStringBytes(c []byte) ([]byte, bool) {
	if len(c) == 0 {
		return nil, false
	}
	unused := c[0]
	if unused > 7 || len(c) == 1 && unused > 0 || c[len(c)-1]&(1<<unused-1) != 0 {
		return nil, false
	}
	data := c[1:]
	if unused == 0 {
		return data, true
	}
	a := make([]byte, len(data))
	a[0] = data[0] >> unused
	for i := 1; i < len(data); i++ {
		a[i] = data[i-1]<<(8-unused) | data[i]>>unused
	}
	return a, true
}
