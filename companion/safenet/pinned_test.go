package safenet_test

import (
	"errors"
	"net/netip"
	"testing"

	"headerlens/companion/safenet"
)

func TestFirstAllowed(t *testing.T) {
	private := errors.New("private")
	check := func(a netip.Addr) error {
		if a.IsPrivate() || a.Unmap().IsPrivate() {
			return private
		}
		return nil
	}
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	tests := []struct {
		name    string
		addrs   []netip.Addr
		check   func(netip.Addr) error
		want    netip.Addr
		wantErr error
	}{
		{"first public", []netip.Addr{a("10.0.0.1"), a("192.0.2.1"), a("198.51.100.1")}, check, a("192.0.2.1"), nil},
		{"mapped is unmapped", []netip.Addr{a("::ffff:192.0.2.7")}, check, a("192.0.2.7"), nil},
		{"all refused: the refusal", []netip.Addr{a("10.0.0.1")}, check, netip.Addr{}, private},
		{"no check", []netip.Addr{a("10.0.0.1")}, nil, a("10.0.0.1"), nil},
	}
	for _, tc := range tests {
		got, err := safenet.FirstAllowed("h.example", tc.addrs, tc.check)
		if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
			t.Errorf("%s: FirstAllowed = %v, %v; want %v, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := safenet.FirstAllowed("h.example", nil, check); err == nil || err.Error() != "h.example has no addresses" {
		t.Errorf("no addresses: error %v, want \"h.example has no addresses\"", err)
	}
}
