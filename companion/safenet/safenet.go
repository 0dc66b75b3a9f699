// Package safenet decides which network destinations the companion may
// contact, so that its probes can never be turned into an open proxy, a port
// scanner or a way into private networks and cloud metadata services.
//
// Only globally reachable unicast addresses pass. The special-purpose
// registries consulted are RFC 6890 with its updates (IANA IPv4 and IPv6
// Special-Purpose Address Registries), RFC 1918 (private IPv4), RFC 6598
// (shared address space, 100.64.0.0/10), RFC 3927 and RFC 4291 §2.5.6
// (link-local), RFC 5737 and RFC 3849, RFC 9637 (documentation), RFC 2544 and
// RFC 5180 (benchmarking), RFC 4193 (unique local), RFC 3879 (deprecated
// site-local), RFC 3056 and RFC 7526 (6to4), RFC 4380 (Teredo), RFC 6052 and
// RFC 8215 (NAT64), RFC 4291 §2.5.5 (IPv4-compatible and IPv4-mapped IPv6).
//
// Addresses are checked twice: once after resolution (Policy.Check), and again
// on the socket actually being connected (Policy.Control, a net.Dialer
// Control hook), which closes the DNS-rebinding window because the caller
// dials the vetted address literal, never a name.
package safenet

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

// RefusedError says that a destination was refused by the policy.
type RefusedError struct {
	// Addr is the refused address (invalid when the port was refused).
	Addr netip.Addr
	// Port is the refused port (0 when the address was refused).
	Port int
	// Reason names the address class or rule, for example "loopback".
	Reason string
}

// Error implements error.
func (e *RefusedError) Error() string {
	if e.Port != 0 && !e.Addr.IsValid() {
		return fmt.Sprintf("destination port %d refused: %s", e.Port, e.Reason)
	}
	return fmt.Sprintf("destination %s refused: %s", e.Addr, e.Reason)
}

// IsPolicyRefusal marks the error as a policy decision, so that packages
// that do not import safenet can tell it from a network failure.
func (e *RefusedError) IsPolicyRefusal() bool { return true }

// IsRefused reports whether err (or an error it wraps) is a *RefusedError.
func IsRefused(err error) bool {
	var re *RefusedError
	return errors.As(err, &re)
}

type block struct {
	prefix netip.Prefix
	reason string
}

func mustBlocks(pairs ...string) []block {
	out := make([]block, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, block{netip.MustParsePrefix(pairs[i]), pairs[i+1]})
	}
	return out
}

// Cloud metadata endpoints are listed first so the reason names them even
// when a wider block (link-local, CGNAT, ULA) also covers them.
var blocked4 = mustBlocks(
	"169.254.169.254/32", "cloud metadata service (AWS, GCP, Azure, OpenStack)",
	"169.254.170.2/32", "cloud metadata service (AWS ECS task credentials)",
	"169.254.169.123/32", "cloud metadata service (AWS time sync)",
	"100.100.100.200/32", "cloud metadata service (Alibaba Cloud)",
	"168.63.129.16/32", "cloud metadata service (Azure WireServer)",
	"192.0.0.192/32", "cloud metadata service (Oracle Cloud)",
	"0.0.0.0/8", "this network (RFC 791, RFC 6890)", // includes unspecified
	"10.0.0.0/8", "private (RFC 1918)",
	"100.64.0.0/10", "shared address space / CGNAT (RFC 6598)",
	"127.0.0.0/8", "loopback (RFC 1122 §3.2.1.3)",
	"169.254.0.0/16", "link-local (RFC 3927)",
	"172.16.0.0/12", "private (RFC 1918)",
	"192.0.0.0/24", "IETF protocol assignments (RFC 6890 §2.2.2)",
	"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)",
	"192.88.99.0/24", "6to4 relay anycast (RFC 7526)",
	"192.168.0.0/16", "private (RFC 1918)",
	"198.18.0.0/15", "benchmarking (RFC 2544)",
	"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)",
	"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)",
	"224.0.0.0/4", "multicast (RFC 5771)",
	"255.255.255.255/32", "limited broadcast (RFC 919)",
	"240.0.0.0/4", "reserved (RFC 1112 §4)",
)

var blocked6 = mustBlocks(
	"fd00:ec2::254/128", "cloud metadata service (AWS IPv6)",
	"::/128", "unspecified (RFC 4291 §2.5.2)",
	"::1/128", "loopback (RFC 4291 §2.5.3)",
	"::/96", "IPv4-compatible IPv6, deprecated (RFC 4291 §2.5.5.1)",
	"64:ff9b:1::/48", "local-use NAT64 (RFC 8215)",
	"100::/64", "discard-only (RFC 6666)",
	"2001::/32", "Teredo (RFC 4380)",
	"2001:2::/48", "benchmarking (RFC 5180)",
	"2001:10::/28", "ORCHID, deprecated (RFC 4843)",
	"2001:20::/28", "ORCHIDv2 (RFC 7343)",
	"2001:db8::/32", "documentation (RFC 3849)",
	"3fff::/20", "documentation (RFC 9637)",
	"2002::/16", "6to4 (RFC 3056, deprecated by RFC 7526)",
	"5f00::/16", "SRv6 SIDs (RFC 9602)",
	"fc00::/7", "unique local (RFC 4193)",
	"fe80::/10", "link-local (RFC 4291 §2.5.6)",
	"fec0::/10", "site-local, deprecated (RFC 3879)",
	"ff00::/8", "multicast (RFC 4291 §2.7)",
)

var (
	nat64WKP      = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 §2.1
	globalUnicast = netip.MustParsePrefix("2000::/3")     // RFC 4291 §2.4
)

// Policy is a destination policy. The zero value is the strict production
// policy: global unicast only, and only the ports in Ports (when Ports is
// empty, every port is accepted by CheckPort; callers restrict ports).
type Policy struct {
	// AllowPrivate turns the address checks off for every class except
	// the unspecified address and multicast. It exists for tests against
	// loopback servers (--unsafe-allow-private-targets) and must never be
	// set in production.
	AllowPrivate bool
	// Ports, when non-empty, is the set of destination ports that may be
	// connected to.
	Ports map[int]bool
}

// Classify returns "" when a is a globally reachable unicast address, and
// otherwise the name of the first special-purpose class that contains it.
func Classify(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid address"
	}
	if a.Zone() != "" {
		return "scoped address with zone (RFC 4007)"
	}
	if a.Is4In6() {
		// RFC 4291 §2.5.5.2: IPv4-mapped; judged by the IPv4 address it
		// carries, so ::ffff:127.0.0.1 is loopback.
		if r := Classify(a.Unmap()); r != "" {
			return "IPv4-mapped " + r
		}
		return ""
	}
	if a.Is4() {
		for _, b := range blocked4 {
			if b.prefix.Contains(a) {
				return b.reason
			}
		}
		return ""
	}
	for _, b := range blocked6 {
		if b.prefix.Contains(a) {
			return b.reason
		}
	}
	if nat64WKP.Contains(a) {
		// RFC 6052 §2.1: the well-known NAT64 prefix embeds an IPv4
		// address in the last 32 bits; RFC 6052 §3.1 forbids it for
		// non-global IPv4 addresses, and we judge it by that address.
		b := a.As16()
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		if r := Classify(v4); r != "" {
			return "NAT64 " + r
		}
		return ""
	}
	if !globalUnicast.Contains(a) {
		return "outside IPv6 global unicast 2000::/3 (RFC 4291 §2.4)"
	}
	return ""
}

// Check returns a *RefusedError when a may not be contacted.
func (p Policy) Check(a netip.Addr) error {
	if p.AllowPrivate {
		if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a.Unmap() == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return &RefusedError{Addr: a, Reason: "not a unicast address"}
		}
		return nil
	}
	if r := Classify(a); r != "" {
		return &RefusedError{Addr: a, Reason: r}
	}
	return nil
}

// CheckPort returns a *RefusedError when port is not in p.Ports.
func (p Policy) CheckPort(port int) error {
	if len(p.Ports) > 0 && !p.Ports[port] {
		return &RefusedError{Port: port, Reason: "port not allowed"}
	}
	return nil
}

// CheckAddrPort checks both halves of ap.
func (p Policy) CheckAddrPort(ap netip.AddrPort) error {
	if err := p.Check(ap.Addr()); err != nil {
		return err
	}
	return p.CheckPort(int(ap.Port()))
}

// Control is a net.Dialer Control hook. It re-checks the address the socket
// is about to connect to, whatever name or literal the caller dialled, so a
// resolver answer that changed between check and dial, or a dial path that
// bypassed the check, still cannot reach a refused destination.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp4", "tcp6":
	default:
		return &RefusedError{Reason: "network " + strconv.Quote(network) + " not allowed"}
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Reason: "unparsable destination " + strconv.Quote(address)}
	}
	return p.CheckAddrPort(ap)
}

// Dialer returns a net.Dialer whose Control hook enforces p. The caller
// should still dial vetted address literals (see Policy.Check).
func (p Policy) Dialer() *net.Dialer {
	return &net.Dialer{Control: p.Control}
}
