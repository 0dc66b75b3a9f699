package arc

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"headerlens/analyzer/message"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// TestGolden verifies each testdata/arc/golden/NN-name.eml with the keys of
// NN-name.zone (served by dohtest, root SOA included) and compares the
// whole Result JSON with NN-name.want.json. The fixture's URL, which
// changes from run to run, is written as DOH-FIXTURE.
func TestGolden(t *testing.T) {
	emls, err := filepath.Glob("../../testdata/arc/golden/*.eml")
	if err != nil || len(emls) == 0 {
		t.Fatalf("no golden cases (%v)", err)
	}
	for _, path := range emls {
		base := strings.TrimSuffix(path, ".eml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			srv := dohtest.NewServer(t, dohtest.ZoneFile(base+".zone"))
			r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			msg, err := message.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(Verify(t.Context(), r, msg, Options{Now: suiteNow}), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Bytes(t, base+".want.json", append(bytes.ReplaceAll(got, []byte(srv.URL()), []byte("DOH-FIXTURE")), '\n'))
		})
	}
}
