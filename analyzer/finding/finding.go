// Package finding defines the findings the analyzer reports: short,
// explained observations with a severity and a stable machine-readable code.
package finding

// Severity ranks a finding. The words are stable; the page and the CLI
// colour them.
type Severity string

// Severities, from least to most serious.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Finding is one observation about the message. Code is stable across
// releases (e.g. "from-returnpath-mismatch") so that users can filter on it;
// Message is an explanation written for a person.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	// Source names the part of the analysis that produced the finding
	// ("spf", "dkim", "hops", "headers"...).
	Source string `json:"source,omitempty"`
}
