package arc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/message"
	"headerlens/analyzer/result"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/lookup"
)

// suiteFile is the ValiMail ARC validation suite (draft-ietf-dmarc-arc-
// protocol-18, which became RFC 8617; MIT, licence beside it).
const suiteFile = "../../testdata/arc/arc-draft-validation-tests.yml"

// suiteSize is the number of validation tests in suiteFile.
const suiteSize = 171

// suiteDoc is one YAML document of the suite: scenarios sharing DNS data.
type suiteDoc struct {
	Description string            `yaml:"description"`
	TestsNode   yaml.Node         `yaml:"tests"`
	TXT         map[string]string `yaml:"txt-records"`
	// Tests are the scenarios by name. Four names are defined twice in
	// the file; as with the reference harness (PyYAML), the later
	// definition is the test.
	Tests map[string]suiteCase `yaml:"-"`
	// Shadowed are the earlier definitions of those names, checked too.
	Shadowed map[string]suiteCase `yaml:"-"`
}

// decodeTests fills Tests and Shadowed from the tests mapping.
func (d *suiteDoc) decodeTests() error {
	d.Tests, d.Shadowed = map[string]suiteCase{}, map[string]suiteCase{}
	n := &d.TestsNode
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		var c suiteCase
		if err := n.Content[i+1].Decode(&c); err != nil {
			return err
		}
		if prev, ok := d.Tests[name]; ok {
			d.Shadowed[name+" (first definition)"] = prev
		}
		d.Tests[name] = c
	}
	return nil
}

// suiteCase is one validation test.
type suiteCase struct {
	Spec        string `yaml:"spec"`
	Description string `yaml:"description"`
	Message     string `yaml:"message"`
	CV          string `yaml:"cv"`
	Comment     string `yaml:"comment"`
}

// expected returns the Chain Validation Status the case expects, in lower
// case. Three cases (a seal with cv=fail) give an empty cv: the suite's
// reference runner printed nothing for them because the draft let the
// validator stop without a verdict. RFC 8617 §5.2 step 2 (newest seal
// cv=fail) and step 3 (no seal may carry cv=fail) make the status "fail",
// so an empty expectation means fail; the harness counts and logs these.
func (c suiteCase) expected() (cv result.Word, mapped bool) {
	cv = result.Word(strings.ToLower(strings.TrimSpace(c.CV)))
	if cv == "" {
		return result.Fail, true
	}
	return cv, false
}

func loadSuite(tb testing.TB) []suiteDoc {
	tb.Helper()
	b, err := os.ReadFile(suiteFile)
	if err != nil {
		tb.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []suiteDoc
	for {
		var d suiteDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := d.decodeTests(); err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// newDNS starts the DoH fixture with a root zone (absent names are
// NXDOMAIN) and the given TXT records, and returns a real DoH client
// pointed at it.
func newDNS(tb testing.TB, txt map[string]string) (*dohtest.Server, lookup.Resolver) {
	tb.Helper()
	srv := dohtest.NewServer(tb)
	srv.AddRR(". 300 IN SOA ns.invalid. hostmaster.invalid. 1 7200 3600 86400 300")
	names := make([]string, 0, len(txt))
	for name := range txt {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		srv.AddRR(dohtest.TXT(name, txt[name]))
	}
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return srv, r
}

// suiteNow is a fixed clock for the suite (its seals have t=12345).
var suiteNow = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

// verifyText parses text as message.Parse does for pasted input and
// verifies it; input that holds no header gives the result for no chain.
func verifyText(tb testing.TB, r lookup.Resolver, text string) Result {
	tb.Helper()
	msg, err := message.Parse([]byte(text))
	if err != nil {
		// cv_empty and cv_no_headers: nothing to analyze, so no chain.
		msg = nil
	}
	return Verify(tb.Context(), r, msg, Options{Now: suiteNow})
}

func TestValiMailSuite(t *testing.T) {
	docs := loadSuite(t)
	total, passed, mapped := 0, 0, 0
	var misses []string
	for _, d := range docs {
		_, r := newDNS(t, d.TXT)
		names := make([]string, 0, len(d.Tests))
		for name := range d.Tests {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c := d.Tests[name]
			total++
			want, m := c.expected()
			if m {
				mapped++
			}
			got := verifyText(t, r, c.Message)
			// The suite has no DNS failures, so Result and the RFC 8617
			// status must agree.
			if got.ChainStatus == want && got.Result == want {
				passed++
				continue
			}
			misses = append(misses, name)
			t.Errorf("%s (%s): got result %s cv %s (%s), want %s", name, c.Description, got.Result, got.ChainStatus, got.Reason, want)
		}
	}
	t.Logf("ARC suite: %d/%d passed (%d empty expectations read as fail per RFC 8617 §5.2)", passed, total, mapped)
	shadowed, shadowPassed := 0, 0
	for _, d := range docs {
		_, r := newDNS(t, d.TXT)
		for name, c := range d.Shadowed {
			shadowed++
			want, _ := c.expected()
			got := verifyText(t, r, c.Message)
			if got.ChainStatus == want && got.Result == want {
				shadowPassed++
				continue
			}
			t.Errorf("%s (%s): got result %s cv %s (%s), want %s", name, c.Description, got.Result, got.ChainStatus, got.Reason, want)
		}
	}
	t.Logf("ARC suite: the %d shadowed duplicate definitions: %d/%d passed", shadowed, shadowPassed, shadowed)
	if total != suiteSize {
		t.Errorf("got %d suite cases, want %d", total, suiteSize)
	}
	if passed != total {
		t.Errorf("ARC suite: %d misses: %s", len(misses), strings.Join(misses, ", "))
	}
}

// TestValiMailSuiteHeadersOnly strips the body from every case that passes
// with its body: the seals and the header signatures must still verify,
// and the result must say that the body was not checked.
func TestValiMailSuiteHeadersOnly(t *testing.T) {
	docs := loadSuite(t)
	checked := 0
	for _, d := range docs {
		_, r := newDNS(t, d.TXT)
		for name, c := range d.Tests {
			if want, _ := c.expected(); want != result.Pass {
				continue
			}
			msg, err := message.Parse([]byte(c.Message))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !msg.HasBody() {
				t.Fatalf("%s: the suite message has no body", name)
			}
			msg.Body = nil
			got := Verify(t.Context(), r, msg, Options{Now: suiteNow})
			checked++
			if got.Result != result.Pass || got.ChainStatus != result.Pass {
				t.Errorf("%s headers-only: got %s (%s), want pass", name, got.Result, got.Reason)
			}
			if got.Scope != dkimcore.ScopeHeadersOnly || got.BodyHash != dkimcore.BodyNotChecked {
				t.Errorf("%s headers-only: got scope %q bodyHash %q, want %q %q", name, got.Scope, got.BodyHash, dkimcore.ScopeHeadersOnly, dkimcore.BodyNotChecked)
			}
			for _, s := range got.Sets {
				if s.SealResult != result.Pass {
					t.Errorf("%s headers-only: got seal i=%d %s (%s), want pass", name, s.Instance, s.SealResult, s.Reason)
				}
				if s.AMSBodyHash != dkimcore.BodyNotChecked {
					t.Errorf("%s headers-only: got AMS i=%d bodyHash %q, want %q", name, s.Instance, s.AMSBodyHash, dkimcore.BodyNotChecked)
				}
			}
			if !hasFinding(got, "arc-headers-only") {
				t.Errorf("%s headers-only: got findings %v, want arc-headers-only", name, got.Findings)
			}
		}
	}
	t.Logf("ARC suite headers-only: %d passing cases re-checked without their body", checked)
	if checked < 40 {
		t.Errorf("got %d passing cases, want at least 40", checked)
	}
}

func hasFinding(r Result, code string) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}
