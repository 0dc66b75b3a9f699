package safenet_test

import (
	"net/netip"
	"testing"

	"headerlens/companion/safenet"
)

// TestSecurityClassifyDisguises: private, loopback and metadata addresses
// in every IPv6 disguise that embeds an IPv4 address (mapped, compatible,
// SIIT-translated, NAT64 well-known and local-use, 6to4, Teredo), zones,
// and the edges of each blocked range, must all be refused; the public
// equivalents where the disguise is legitimate must pass.
func TestSecurityClassifyDisguises(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.255.255.255", "0.0.0.0", "0.255.255.255", "10.255.255.255",
		"100.64.0.0", "100.127.255.255", "169.254.0.1", "169.254.169.254", "172.31.255.255",
		"192.0.0.8", "192.168.255.255", "198.19.255.255", "224.0.0.0", "239.255.255.255",
		"240.0.0.1", "255.255.255.255", "100.100.100.200", "168.63.129.16", "192.0.0.192",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"::ffff:255.255.255.255", "::127.0.0.1", "::8.8.8.8", "::ffff:0:7f00:1", "::ffff:0:808:808",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:101", "64:ff9b::6440:1",
		"64:ff9b::", "64:ff9b:1::808:808", "64:ff9b:1:ffff::1",
		"2002:7f00:1::1", "2002:808:808::1", "2001::1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
		"2001:db8::1", "3fff::1", "fc00::1", "fdff:ffff::1", "fd00:ec2::254", "fe80::1", "febf::1",
		"fec0::1", "ff02::1", "ff0e::1", "100::1", "5f00::1", "4000::1", "::2", "1::1",
		"fe80::1%eth0", "2606:4700::1111%eth0",
	}
	for _, s := range refused {
		a := netip.MustParseAddr(s)
		if r := safenet.Classify(a); r == "" {
			t.Errorf("Classify(%s): got allowed, want refused", s)
		}
		if err := (safenet.Policy{}).Check(a); !safenet.IsRefused(err) {
			t.Errorf("Check(%s): got %v, want a refusal", s, err)
		}
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "::ffff:8.8.8.8", "64:ff9b::808:808", "2606:4700::1111", "2a00:1450::1"}
	for _, s := range allowed {
		if r := safenet.Classify(netip.MustParseAddr(s)); r != "" {
			t.Errorf("Classify(%s): got refused (%s), want allowed", s, r)
		}
	}
}

// TestSecurityControlHook: the dialer hook is the last line of defence
// against DNS rebinding and against a dial path that skipped Check. It
// must refuse non-TCP networks, names instead of literals, refused
// addresses in any spelling and ports outside the set.
func TestSecurityControlHook(t *testing.T) {
	p := safenet.Policy{Ports: map[int]bool{25: true, 465: true, 587: true, 443: true}}
	refused := []struct{ network, address string }{
		{"tcp4", "127.0.0.1:25"},
		{"tcp6", "[::1]:25"},
		{"tcp6", "[::ffff:127.0.0.1]:25"},
		{"tcp6", "[64:ff9b::7f00:1]:25"},
		{"tcp6", "[fe80::1%lo]:25"},
		{"tcp4", "8.8.8.8:22"},
		{"tcp4", "8.8.8.8:0"},
		{"tcp4", "8.8.8.8:2525"},
		{"udp4", "8.8.8.8:25"},
		{"udp", "8.8.8.8:25"},
		{"tcp", "8.8.8.8:25"},
		{"unix", "/run/docker.sock"},
		{"tcp4", "localhost:25"},
		{"tcp4", "mx.example.com:25"},
		{"tcp4", "8.8.8.8"},
		{"tcp4", ""},
	}
	for _, tc := range refused {
		if err := p.Control(tc.network, tc.address, nil); !safenet.IsRefused(err) {
			t.Errorf("Control(%q, %q): got %v, want a refusal", tc.network, tc.address, err)
		}
	}
	for _, tc := range []struct{ network, address string }{{"tcp4", "8.8.8.8:25"}, {"tcp6", "[2606:4700::1111]:465"}, {"tcp4", "1.1.1.1:443"}} {
		if err := p.Control(tc.network, tc.address, nil); err != nil {
			t.Errorf("Control(%q, %q): got %v, want allowed", tc.network, tc.address, err)
		}
	}
	// The test-only private mode must still refuse what can never be a
	// unicast peer.
	priv := safenet.Policy{AllowPrivate: true}
	for _, s := range []string{"0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:255.255.255.255"} {
		if err := priv.Check(netip.MustParseAddr(s)); !safenet.IsRefused(err) {
			t.Errorf("AllowPrivate Check(%s): got %v, want a refusal", s, err)
		}
	}
}
