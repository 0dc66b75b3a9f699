package arc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/result"
)

// signSuiteFile is the ValiMail ARC signing suite (MIT, licence beside it):
// each test gives a message and the ARC Set a sealer must add to it.
const signSuiteFile = "../../testdata/arc/arc-draft-sign-tests.yml"

type signDoc struct {
	Tests map[string]signCase `yaml:"tests"`
	TXT   map[string]string   `yaml:"txt-records"`
}

type signCase struct {
	Description string `yaml:"description"`
	Message     string `yaml:"message"`
	AS          string `yaml:"AS"`
	AMS         string `yaml:"AMS"`
	AAR         string `yaml:"AAR"`
}

// unfoldSuite rebuilds a field value the suite prints folded for reading.
// Its README fixes the signed format: no white space except one space
// after each separating semicolon, so a line break is a space after a
// semicolon and nothing elsewhere (inside a base64 value).
func unfoldSuite(s string) string {
	var out strings.Builder
	for i, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if i > 0 && strings.HasSuffix(out.String(), ";") {
			out.WriteByte(' ')
		}
		out.WriteString(strings.TrimSpace(l))
	}
	return out.String()
}

// TestValiMailSigningOutputs adds the ARC Set each signing test expects to
// its message and validates the result: these seals and signatures were
// made by the suite's generator, independently of this package. A chain
// whose new seal says cv=fail fails (RFC 8617 §5.2 step 2), and that seal
// must still verify over its own set (§5.1.2).
func TestValiMailSigningOutputs(t *testing.T) {
	b, err := os.ReadFile(signSuiteFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	checked, noSet := 0, 0
	for {
		var d signDoc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		// Key records are printed folded too; base64 has no spaces.
		for k, v := range d.TXT {
			d.TXT[k] = strings.ReplaceAll(strings.TrimSpace(v), "\n", "")
		}
		_, r := newDNS(t, d.TXT)
		names := make([]string, 0, len(d.Tests))
		for name := range d.Tests {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c := d.Tests[name]
			if strings.TrimSpace(c.AS) == "" {
				// no_additional_sig: a sealer adds nothing to a chain
				// that already failed (RFC 8617 §5.1 step 2).
				noSet++
				continue
			}
			checked++
			text := "ARC-Seal: " + unfoldSuite(c.AS) + "\nARC-Message-Signature: " + unfoldSuite(c.AMS) +
				"\nARC-Authentication-Results: " + unfoldSuite(c.AAR) + "\n" + c.Message
			got := verifyText(t, r, text)
			wantFail := strings.Contains(unfoldSuite(c.AS), "cv=fail")
			newest := got.Sets[len(got.Sets)-1]
			switch {
			case wantFail:
				if got.Result != result.Fail || newest.SealResult != result.Pass {
					t.Errorf("%s: got %s with newest seal %s (%s), want fail with the seal verifying", name, got.Result, newest.SealResult, newest.Reason)
				}
			case got.Result != result.Pass || got.BodyHash != dkimcore.BodyVerified:
				t.Errorf("%s (%s): got %s, bodyHash %s (%s), want pass, verified", name, c.Description, got.Result, got.BodyHash, got.Reason)
			}
			_, wantAR, _ := strings.Cut(unfoldSuite(c.AAR), "; ")
			if newest.AuthResults != wantAR {
				t.Errorf("%s: got authResults %q, want %q", name, newest.AuthResults, wantAR)
			}
		}
	}
	t.Logf("ARC signing suite outputs: %d sets validated, %d tests add no set", checked, noSet)
	if checked != 16 || noSet != 1 {
		t.Errorf("got %d sets and %d without, want 16 and 1", checked, noSet)
	}
}
