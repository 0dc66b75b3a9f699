package safenet

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr string
		want string // substring of the reason; "" = allowed
	}{
		{"0.0.0.0", "this network"},
		{"0.1.2.3", "this network"},
		{"10.0.0.1", "private"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.254", "CGNAT"},
		{"100.100.100.200", "Alibaba"},
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"169.254.1.1", "link-local"},
		{"169.254.169.254", "metadata"},
		{"169.254.170.2", "metadata"},
		{"168.63.129.16", "Azure"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.0.0.8", "IETF protocol"},
		{"192.0.0.192", "Oracle"},
		{"192.0.2.10", "documentation"},
		{"192.88.99.1", "6to4 relay"},
		{"192.168.1.1", "private"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.1", "benchmarking"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"::127.0.0.1", "IPv4-compatible"},
		{"::ffff:127.0.0.1", "IPv4-mapped loopback"},
		{"::ffff:10.1.2.3", "IPv4-mapped private"},
		{"::ffff:169.254.169.254", "IPv4-mapped cloud metadata"},
		{"64:ff9b::7f00:1", "NAT64 loopback"},
		{"64:ff9b::a9fe:a9fe", "NAT64 cloud metadata"},
		{"64:ff9b:1::1", "local-use NAT64"},
		{"100::1", "discard"},
		{"2001::1", "Teredo"},
		{"2001:2::1", "benchmarking"},
		{"2001:10::1", "ORCHID"},
		{"2001:20::1", "ORCHIDv2"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"2002:7f00:1::1", "6to4"},
		{"5f00::1", "SRv6"},
		{"fc00::1", "unique local"},
		{"fd00:ec2::254", "AWS IPv6"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "zone"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"4000::1", "outside IPv6 global unicast"},
		// Globally reachable addresses.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.32.0.1", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
		{"2001:4860:4860::8888", ""},
		{"2a00:1450:4001::1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tc.addr)
			got := Classify(a)
			if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
				t.Errorf("Classify(%s): got %q, want %q", tc.addr, got, tc.want)
			}
			err := Policy{}.Check(a)
			if (err != nil) != (tc.want != "") {
				t.Errorf("Check(%s): got %v, want refused=%v", tc.addr, err, tc.want != "")
			}
			if err != nil && !IsRefused(err) {
				t.Errorf("IsRefused(%v): got false, want true", err)
			}
		})
	}
}

func TestAllowPrivate(t *testing.T) {
	p := Policy{AllowPrivate: true}
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", true}, {"10.0.0.1", true}, {"::1", true},
		{"0.0.0.0", false}, {"::", false}, {"224.0.0.1", false}, {"255.255.255.255", false}, {"ff02::1", false},
	}
	for _, tc := range tests {
		if got := p.Check(netip.MustParseAddr(tc.addr)) == nil; got != tc.ok {
			t.Errorf("Check(%s): got allowed=%v, want %v", tc.addr, got, tc.ok)
		}
	}
}

func TestControl(t *testing.T) {
	p := Policy{Ports: map[int]bool{25: true}}
	tests := []struct {
		network, address string
		ok               bool
	}{
		{"tcp4", "8.8.8.8:25", true},
		{"tcp6", "[2001:4860:4860::8888]:25", true},
		{"tcp4", "8.8.8.8:80", false},
		{"tcp4", "127.0.0.1:25", false},
		{"tcp6", "[::ffff:127.0.0.1]:25", false},
		{"udp4", "8.8.8.8:25", false},
		{"tcp4", "mx.example.com:25", false},
	}
	for _, tc := range tests {
		err := p.Control(tc.network, tc.address, nil)
		if got := err == nil; got != tc.ok {
			t.Errorf("Control(%s, %s): got %v, want allowed=%v", tc.network, tc.address, err, tc.ok)
		}
	}
}

// TestDialerRefusesLoopback dials a real loopback listener through the
// guarded dialer: the hook must stop the connection before it is made.
func TestDialerRefusesLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	d := Policy{}.Dialer()
	d.Timeout = time.Second
	_, err = d.Dial("tcp", ln.Addr().String())
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "loopback") {
		t.Fatalf("Dial: got %v, want a loopback refusal", err)
	}
	select {
	case <-accepted:
		t.Fatal("listener accepted a connection: got one, want none")
	case <-time.After(100 * time.Millisecond):
	}
	// The same dial is allowed with AllowPrivate.
	c, err := Policy{AllowPrivate: true}.Dialer().Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("Dial with AllowPrivate: got %v, want success", err)
	}
	c.Close()
}
