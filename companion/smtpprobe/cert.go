package smtpprobe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
)

// DescribeCert summarises c for a report.
func DescribeCert(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	ci := CertInfo{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		SerialNumber:       c.SerialNumber.Text(16),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		IsCA:               c.IsCA,
		SelfSigned:         isSelfSigned(c),
		SHA256:             hex.EncodeToString(sum[:]),
		KeyType:            "unknown",
	}
	ci.SANs = append(ci.SANs, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		ci.SANs = append(ci.SANs, ip.String())
	}
	ci.SANs = append(ci.SANs, c.EmailAddresses...)
	for _, u := range c.URIs {
		ci.SANs = append(ci.SANs, u.String())
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.KeyType, ci.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		ci.KeyType, ci.KeyBits = "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		ci.KeyType, ci.KeyBits = "Ed25519", 256
	}
	return ci
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
