package dkimcore

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/sha256"
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
// rsa-*: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), by verifyRSA (rsaverify.go).
// RSA keys shorter than 1024 bits are verified too; the caller must still
// reject them (RFC 8301 §3.2), and Key.Bits tells it.
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
	case *RSAPublicKey:
		if err := verifyRSA(pub, alg.Hash, digest, sig); err != nil {
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
