package safenet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// FirstAllowed returns the first of addrs that check accepts (nil check:
// every address), unmapped from IPv4-in-IPv6. With none, the error is the
// last refusal, or says that host has no addresses.
func FirstAllowed(host string, addrs []netip.Addr, check func(netip.Addr) error) (netip.Addr, error) {
	refused := fmt.Errorf("%s has no addresses", host)
	for _, a := range addrs {
		if check != nil {
			if err := check(a); err != nil {
				refused = err
				continue
			}
		}
		return a.Unmap(), nil
	}
	return netip.Addr{}, refused
}

// PinnedClient returns an HTTPS client for fetching from host that dials
// only dst, the address:port already vetted: no environment proxy and no
// new name resolution (so DNS rebinding cannot change the target), the
// certificate verified for host against roots (nil: the system roots),
// TLS 1.2 at least, header and handshake time bounded by timeout, no
// keep-alive, and no redirect followed (one could lead to a host whose
// address was never vetted: the 3xx response is returned as it is). done
// releases its connections.
func PinnedClient(dialer *net.Dialer, dst, host string, roots *x509.CertPool, timeout time.Duration) (client *http.Client, done func()) {
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", dst)
		},
		TLSClientConfig:        &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 16 << 10,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ForceAttemptHTTP2:      false,
	}
	client = &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return client, tr.CloseIdleConnections
}
