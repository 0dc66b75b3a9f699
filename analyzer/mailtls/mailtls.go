// Package mailtls reads the answers of a headerlens companion: GET
// /api/v1/mail-tls (companion.MailTLSReport, as JSON), the MX hosts with
// their STARTTLS probes (RFC 3207) and the MTA-STS policy matched against
// them (RFC 8461); and GET /api/v1/bimi (companion.BIMIReport), the BIMI
// logo and mark certificate fetched and checked. It holds the part the
// companion's readers use (the domain check, the Markdown report),
// declared apart from the companion package, which does networking,
// because those readers build for the browser.
package mailtls

import (
	"fmt"

	"headerlens/internal/jsonx"
)

// MaxJSON bounds the answer decoded, in bytes.
const MaxJSON = 4 << 20

// Report is the read part of companion.MailTLSReport.
type Report struct {
	// NullMX: the domain publishes a null MX (RFC 7505).
	NullMX bool `json:"nullMx"`
	// Hosts are the MX hosts, in preference order.
	Hosts []Host `json:"hosts"`
	// MTASTS is the MTA-STS check; nil when the companion made none.
	MTASTS *MTASTS `json:"mtaSts"`
}

// Host is one MX host.
type Host struct {
	Host string `json:"host"`
	// Error says why the host was not probed.
	Error string `json:"error"`
	Probe *Probe `json:"probe"`
}

// Probe is the STARTTLS probe of one host.
type Probe struct {
	StartTLSOffered bool `json:"starttlsOffered"`
	// TLS is the handshake's outcome; nil when there was none.
	TLS *struct {
		Version       string `json:"version"`
		CipherSuite   string `json:"cipherSuite"`
		ChainVerified bool   `json:"chainVerified"`
		ChainError    string `json:"chainError"`
		HostnameMatch bool   `json:"hostnameMatch"`
	} `json:"tls"`
	// Error says where the probe stopped.
	Error *struct {
		Step    string `json:"step"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
}

// MTASTS is the MTA-STS part: the policy fetched and each MX matched
// against its mx patterns.
type MTASTS struct {
	Mode  string `json:"mode"`
	Fetch *struct {
		URL    string `json:"url"`
		Error  string `json:"error"`
		Policy *struct {
			Mode   string   `json:"mode"`
			MaxAge int64    `json:"maxAge"`
			MX     []string `json:"mx"`
		} `json:"policy"`
	} `json:"fetch"`
	MX []struct {
		Host    string `json:"host"`
		Matches bool   `json:"matches"`
	} `json:"mx"`
}

// Decode reads a companion answer of at most MaxJSON bytes.
func Decode(raw []byte) (*Report, error) {
	var r Report
	if err := decodeAnswer(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// decodeAnswer reads a companion answer of at most MaxJSON bytes into v.
func decodeAnswer(raw []byte, v any) error {
	if len(raw) > MaxJSON {
		return fmt.Errorf("companion answer over %d bytes", MaxJSON)
	}
	if err := jsonx.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("companion answer: %v", err)
	}
	return nil
}

// BIMI is the read part of companion.BIMIReport, the answer of GET
// /api/v1/bimi: the logo and the mark certificate named by the domain's
// BIMI record, fetched and checked by the companion.
type BIMI struct {
	// Record is the v=BIMI1 record the companion found.
	Record string `json:"record"`
	// RecordError says why the companion found no single record.
	RecordError string `json:"recordError"`
	// Logo is the l= SVG; nil when the record has no l=.
	Logo *BIMILogo `json:"logo"`
	// Certificate is the a= chain; nil when the record has no a=.
	Certificate *BIMICertificate `json:"certificate"`
}

// BIMIFetch is one HTTPS fetch made by the companion.
type BIMIFetch struct {
	URL         string `json:"url"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Bytes       int    `json:"bytes"`
	// Error says why the fetch failed; the other fields then describe
	// what was received, if anything.
	Error string `json:"error"`
}

// BIMILogo is the logo's fetch and its SVG Tiny PS check.
type BIMILogo struct {
	BIMIFetch
	// Problems are the SVG Tiny PS profile rules the logo breaks.
	Problems []string `json:"problems"`
	// Valid is true when fetched and no rule is broken.
	Valid bool `json:"valid"`
}

// BIMICertificate is the mark certificate's fetch and check.
type BIMICertificate struct {
	BIMIFetch
	Subject  string `json:"subject"`
	NotAfter string `json:"notAfter"`
	// Logotype: the leaf carries the logotype extension (RFC 3709).
	Logotype bool `json:"logotype"`
	// BIMIUsage: the leaf has the BIMI extended key usage.
	BIMIUsage bool `json:"bimiUsage"`
	// ChainVerified: the chain verified against the companion's mark
	// certificate roots.
	ChainVerified bool `json:"chainVerified"`
	// LogoMatches: the image in the logotype extension is the l= logo;
	// nil when either could not be compared.
	LogoMatches *bool `json:"logoMatches"`
	// Problems say what is wrong.
	Problems []string `json:"problems"`
}

// DecodeBIMI reads an answer of GET /api/v1/bimi of at most MaxJSON bytes.
func DecodeBIMI(raw []byte) (*BIMI, error) {
	var b BIMI
	if err := decodeAnswer(raw, &b); err != nil {
		return nil, err
	}
	return &b, nil
}
