package testenv

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"testing"
	"time"
)

// OIDs of a BIMI mark certificate.
var (
	// OIDLogotype is id-pe-logotype (RFC 3709 §4.1).
	OIDLogotype = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 12}
	// OIDBIMIUsage is id-kp-BrandIndicatorforMessageIdentification.
	OIDBIMIUsage = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 31}
	oidSHA256    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// LogotypeExtension returns the DER of a logotype extension (RFC 3709
// §4.1) whose subject logo is svg, embedded as a gzip-compressed
// data:image/svg+xml;base64 URI (RFC 6170 §5) with its SHA-256 hash, as
// mark certificate issuers write it.
func LogotypeExtension(tb testing.TB, svg []byte) []byte {
	tb.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(svg)
	zw.Close()
	sum := sha256.Sum256(gz.Bytes())
	uri := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(gz.Bytes())
	must := func(b []byte, err error) []byte {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	seq := func(parts ...[]byte) []byte {
		return must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: bytes.Join(parts, nil)}))
	}
	ia5 := func(s string) []byte {
		return must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagIA5String, Bytes: []byte(s)}))
	}
	ctx := func(tag int, inner []byte) []byte {
		return must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: inner}))
	}
	// HashAlgAndValue ::= SEQUENCE { hashAlg AlgorithmIdentifier,
	// hashValue OCTET STRING }
	hash := seq(seq(must(asn1.Marshal(oidSHA256))), must(asn1.Marshal(sum[:])))
	// LogotypeDetails ::= SEQUENCE { mediaType IA5String, logotypeHash
	// SEQUENCE OF HashAlgAndValue, logotypeURI SEQUENCE OF IA5String }
	details := seq(ia5("image/svg+xml"), seq(hash), seq(ia5(uri)))
	// LogotypeData ::= SEQUENCE { image SEQUENCE OF LogotypeImage }, under
	// direct [0] (implicit); LogotypeImage ::= SEQUENCE { imageDetails }.
	data := ctx(0, seq(seq(details)))
	// LogotypeExtn ::= SEQUENCE { subjectLogo [2] EXPLICIT LogotypeInfo }
	return seq(ctx(2, data))
}

// MarkCertificate issues a BIMI mark certificate for svg, signed by ca: a
// leaf with the BIMI extended key usage and the logotype extension. It
// returns the PEM chain a BIMI a= URL serves (leaf, then the root).
func (ca *CA) MarkCertificate(tb testing.TB, subject string, svg []byte) []byte {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       nextSerial(),
		Subject:            pkix.Name{CommonName: subject, Organization: []string{subject}},
		NotBefore:          time.Now().Add(-time.Hour),
		NotAfter:           time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{OIDBIMIUsage},
		ExtraExtensions:    []pkix.Extension{{Id: OIDLogotype, Value: LogotypeExtension(tb, svg)}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca.PEM()...)
}
