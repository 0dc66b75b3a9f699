package spf

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/dohresolver/dohtest"
	"headerlens/internal/golden"
)

// TestGolden evaluates each testdata/spf/cases/NN-name.zone with Check
// (HELO, then MAIL FROM) against the fixture DoH server and compares the
// JSON result, trace and lint included, with NN-name.want.json. The
// client address and identities are given in the zone file's header
// comments ("; ip: ...", "; helo: ...", "; mailfrom: ...").
func TestGolden(t *testing.T) {
	zones, err := filepath.Glob("../../testdata/spf/cases/*.zone")
	if err != nil || len(zones) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range zones {
		name := strings.TrimSuffix(filepath.Base(path), ".zone")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			args := map[string]string{}
			for _, line := range strings.Split(string(text), "\n") {
				if k, v, ok := strings.Cut(strings.TrimPrefix(line, "; "), ": "); ok && strings.HasPrefix(line, "; ") {
					args[k] = strings.TrimSpace(v)
				}
			}
			ip, err := netip.ParseAddr(args["ip"])
			if err != nil {
				t.Fatalf("%s: ip: %v", path, err)
			}
			srv := dohtest.NewServer(t, dohtest.ZoneText(".", string(text)))
			r := suiteResolver(t, srv)
			res := Check(context.Background(), r, ip, args["helo"], args["mailfrom"], Options{DefaultExplanation: "not authorized", Exchanger: r})
			golden.JSON(t, strings.TrimSuffix(path, ".zone")+".want.json", res)
		})
	}
}
