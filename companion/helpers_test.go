package companion_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
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

// nilResolver only exists to satisfy Config validation in TestConfig; it
// is never asked anything.
type nilResolver struct{}

var errUnused = errors.New("unused")

func (nilResolver) LookupTXT(context.Context, string) ([]string, error) { return nil, errUnused }
func (nilResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, errUnused
}
func (nilResolver) LookupMX(context.Context, string) ([]*net.MX, error) { return nil, errUnused }
func (nilResolver) LookupTLSA(context.Context, string) ([]*dns.TLSA, bool, error) {
	return nil, false, errUnused
}
