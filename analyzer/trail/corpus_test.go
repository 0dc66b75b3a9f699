package trail

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"headerlens/internal/golden"
)

const corpusDir = "../../testdata/corpus"

// field is one header field, unfolded.
type field struct{ name, value string }

// readHeader reads the header section of a message tolerantly: up to the
// first empty line, continuation lines joined (RFC 5322 §2.2.3). A line
// that does not start with a field name (RFC 5322 §3.6.8 ftext) is taken
// as a continuation whose indentation was lost.
func readHeader(b []byte) []field {
	var out []field
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isFieldName(name) {
			if len(out) > 0 {
				out[len(out)-1].value += " " + strings.TrimSpace(line)
			}
			continue
		}
		out = append(out, field{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return out
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// inputs splits a header into Build's arguments.
func inputs(fs []field) ([]string, Evidence) {
	var rcv []string
	var ev Evidence
	for _, f := range fs {
		switch strings.ToLower(f.name) {
		case "received":
			rcv = append(rcv, f.value)
		case "authentication-results":
			ev.AuthenticationResults = append(ev.AuthenticationResults, f.value)
		case "received-spf":
			ev.ReceivedSPF = append(ev.ReceivedSPF, f.value)
		}
	}
	return rcv, ev
}

// assertion is what a corpus want.json asserts.
type assertion struct {
	HopCount int `json:"hopCount"`
	Hops     []struct {
		IP           string   `json:"ip"`
		By           string   `json:"by"`
		Time         string   `json:"time"`
		DelaySeconds *float64 `json:"delaySeconds"`
	} `json:"hops"`
	TotalSeconds *float64  `json:"totalSeconds"`
	Boundary     *Boundary `json:"boundary"`
	Findings     []string  `json:"findings"`
}

func project(r Result) assertion {
	var g assertion
	g.HopCount = len(r.Hops)
	for _, h := range r.Hops {
		g.Hops = append(g.Hops, struct {
			IP           string   `json:"ip"`
			By           string   `json:"by"`
			Time         string   `json:"time"`
			DelaySeconds *float64 `json:"delaySeconds"`
		}{h.IP, h.By, h.Time, h.DelaySeconds})
	}
	g.TotalSeconds = r.TotalSeconds
	g.Boundary = r.Boundary
	for _, f := range r.Findings {
		code := string(f.Severity) + ":" + f.Code
		if !slices.Contains(g.Findings, code) {
			g.Findings = append(g.Findings, code)
		}
	}
	slices.Sort(g.Findings)
	return g
}

func TestCorpus(t *testing.T) {
	emls, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil || len(emls) < 40 {
		t.Fatalf("corpus: %d messages (%v), want at least 40", len(emls), err)
	}
	for _, path := range emls {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rcv, ev := inputs(readHeader(b))
			got := project(Build(rcv, ev))
			golden.JSON(t, strings.TrimSuffix(path, ".eml")+".want.json", got)
		})
	}
}
