package dmarc

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// TestGolden evaluates each testdata/dmarc/cases/NN-name.input.json against
// NN-name.zone (served by dohtest under a root SOA) and compares the whole
// Result JSON with NN-name.want.json.
func TestGolden(t *testing.T) {
	dir := filepath.Join(testdataDir(t), "cases")
	inputs, err := filepath.Glob(filepath.Join(dir, "*.input.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no cases in %s (%v)", dir, err)
	}
	for _, inPath := range inputs {
		base := strings.TrimSuffix(inPath, ".input.json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			raw, err := os.ReadFile(inPath)
			if err != nil {
				t.Fatal(err)
			}
			var in Input
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil {
				t.Fatalf("%s: %v", inPath, err)
			}
			srv := dohtest.NewServer(t, dohtest.ZoneText(".", rootSOA+"\n"), dohtest.ZoneFile(base+".zone"))
			r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{srv.URL()}, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			golden.JSON(t, base+".want.json", Evaluate(ctx, r, in))
		})
	}
}
