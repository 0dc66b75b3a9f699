// Package mailtls reads the answer of a headerlens companion's GET
// /api/v1/mail-tls (companion.MailTLSReport, as JSON): the MX hosts with
// their STARTTLS probes (RFC 3207) and the MTA-STS policy matched against
// them (RFC 8461). It holds the part the companion's readers use (the
// domain check, the Markdown report), declared apart from the companion
// package, which does networking, because those readers build for the
// browser.
package mailtls

import (
	"encoding/json"
	"fmt"
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
	if len(raw) > MaxJSON {
		return nil, fmt.Errorf("companion answer over %d bytes", MaxJSON)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("companion answer: %v", err)
	}
	return &r, nil
}
