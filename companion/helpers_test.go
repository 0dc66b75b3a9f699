package companion_test

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"testing"

	"headerlens/companion"
	"headerlens/dohresolver"
)

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, b)
	}
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// idleResolver is a real DoH client pointed at a closed loopback port, for
// tests that only need a Config to validate; it is never asked anything.
func idleResolver(t *testing.T) companion.Resolver {
	t.Helper()
	r, err := dohresolver.New(dohresolver.Config{Endpoints: []string{"http://127.0.0.1:9/dns-query"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
