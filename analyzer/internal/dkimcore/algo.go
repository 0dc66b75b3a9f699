package dkimcore

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"math/big"
	"strings"
)

// Algorithm is a signing algorithm of an a= tag (RFC 6376 §3.5).
type Algorithm struct {
	// Name is the a= value in lower case: "rsa-sha256", "rsa-sha1" or
	// "ed25519-sha256".
	Name string
	// KeyType is the key type the algorithm needs, as in a key record's
	// k= tag: "rsa" or "ed25519".
	KeyType string
	// HashName is the hash as in a key record's h= tag: "sha256" or "sha1".
	HashName string
	// Hash is the hash function.
	Hash crypto.Hash
}

// ParseAlgorithm parses an a= value (RFC 6376 §3.3, §3.5; RFC 8463 §3 adds
// ed25519-sha256). Other values are a KindPermError.
func ParseAlgorithm(a string) (Algorithm, error) {
	name := strings.ToLower(StripWhitespace(a))
	switch name {
	case "rsa-sha256":
		return Algorithm{Name: name, KeyType: "rsa", HashName: "sha256", Hash: crypto.SHA256}, nil
	case "rsa-sha1":
		// RFC 8301 §3.1 forbids rsa-sha1; it is still parsed so that
		// the caller can say why the signature is not accepted.
		return Algorithm{Name: name, KeyType: "rsa", HashName: "sha1", Hash: crypto.SHA1}, nil
	case "ed25519-sha256":
		return Algorithm{Name: name, KeyType: "ed25519", HashName: "sha256", Hash: crypto.SHA256}, nil
	}
	return Algorithm{}, permErr("unknown signing algorithm %q", a)
}

// HashData returns the digest of data with the algorithm's hash.
func (a Algorithm) HashData(data []byte) []byte {
	switch a.Hash {
	case crypto.SHA1:
		s := sha1.Sum(data)
		return s[:]
	default:
		s := sha256.Sum256(data)
		return s[:]
	}
}

// VerifyHash checks sig, the decoded b= value, against digest, the hash of
// the header hash input (HeaderHashInput) computed with alg.HashData, using
// key (RFC 6376 §3.7 step 2, §6.1.3).
//
// rsa-*: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2). RSA keys shorter than 1024 bits
// are checked with a plain big-integer implementation, because the
// standard library refuses them; the caller must still reject them (RFC
// 8301 §3.2), and Key.Bits tells it.
//
// ed25519-sha256: RFC 8463 §3: the Ed25519 signature is over the SHA-256
// digest itself (PureEdDSA of the 32-byte hash), with the raw 32-byte key.
//
// A mismatch is a KindFail; a key type that does not fit alg is a
// KindPermError.
func VerifyHash(key *Key, alg Algorithm, digest, sig []byte) error {
	if key == nil {
		return permErr("no key")
	}
	if key.Type != alg.KeyType {
		// RFC 6376 §3.6.1 k=: the key type must fit the signature's a=.
		return permErr("key type %q does not match algorithm %s", key.Type, alg.Name)
	}
	switch pub := key.Public.(type) {
	case *rsa.PublicKey:
		var err error
		if pub.N.BitLen() < 1024 {
			err = verifyPKCS1v15Small(pub, alg.Hash, digest, sig)
		} else {
			err = rsa.VerifyPKCS1v15(pub, alg.Hash, digest, sig)
		}
		if err != nil {
			return failErr("signature does not verify with the RSA key")
		}
		return nil
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, digest, sig) {
			return failErr("signature does not verify with the Ed25519 key")
		}
		return nil
	}
	return permErr("unsupported public key")
}

// DigestInfo prefixes of RFC 8017 §9.2 note 1.
var (
	prefixSHA1   = []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
	prefixSHA256 = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
)

// verifyPKCS1v15Small is RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2)
// for keys below the standard library's minimum. It runs on public data
// only, so constant time does not matter.
func verifyPKCS1v15Small(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	var prefix []byte
	switch h {
	case crypto.SHA1:
		prefix = prefixSHA1
	case crypto.SHA256:
		prefix = prefixSHA256
	default:
		return permErr("unsupported hash")
	}
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k || pub.E < 2 {
		return failErr("bad signature length")
	}
	tLen := len(prefix) + len(digest)
	if k < tLen+11 {
		return failErr("key too short for the hash")
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return failErr("signature representative out of range")
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	want := make([]byte, k)
	want[1] = 1
	for i := 2; i < k-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-tLen:], prefix)
	copy(want[k-len(digest):], digest)
	if subtle.ConstantTimeCompare(em, want) != 1 {
		return failErr("signature mismatch")
	}
	return nil
}
