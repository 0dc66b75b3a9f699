package companion

import (
	"net/netip"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(1, 2, 100, 100) // 1/s per client, burst 2
	a := netip.MustParseAddr("2001:db8:1:2::1")
	sameNet := netip.MustParseAddr("2001:db8:1:2:ffff::9")
	otherNet := netip.MustParseAddr("2001:db8:1:3::1")
	steps := []struct {
		client netip.Addr
		at     time.Duration
		want   bool
	}{
		{a, 0, true},
		{sameNet, 0, true},  // same /64: second token
		{a, 0, false},       // bucket empty
		{otherNet, 0, true}, // another /64 has its own bucket
		{a, 500 * time.Millisecond, false},
		{a, 1000 * time.Millisecond, true}, // refilled one token
		{a, 1000 * time.Millisecond, false},
		{netip.MustParseAddr("::ffff:192.0.2.1"), 0, true}, // mapped = 192.0.2.1
		{netip.MustParseAddr("192.0.2.1"), 0, true},
		{netip.MustParseAddr("192.0.2.1"), 0, false},
	}
	for i, s := range steps {
		got, wait := l.allow(s.client, t0.Add(s.at))
		if got != s.want {
			t.Errorf("step %d (%s at %v): got %v, want %v", i, s.client, s.at, got, s.want)
		}
		if !got && wait <= 0 {
			t.Errorf("step %d: got wait %v, want > 0", i, wait)
		}
	}
}

func TestLimiterBoundedTable(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(1, 1, 1e9, 1e9)
	for i := range maxClients + 500 {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.allow(a, t0)
	}
	if got := len(l.clients); got > maxClients {
		t.Errorf("clients: got %d, want ≤ %d", got, maxClients)
	}
	// Once the buckets have refilled, a sweep frees the table.
	l.allow(netip.MustParseAddr("192.0.2.200"), t0.Add(time.Hour))
	if got := len(l.clients); got > 1 {
		t.Errorf("clients after sweep: got %d, want 1", got)
	}
}
