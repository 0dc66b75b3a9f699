//go:build !js

package dohresolver

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"

	"headerlens/lookup"
)

func TestLookupTXT(t *testing.T) {
	for _, method := range []string{"POST", "GET"} {
		_, r := newFixture(t, Config{Method: method})
		tests := []struct {
			name string
			want []string
		}{
			{"example.com", []string{"v=spf1 ip4:192.0.2.0/24 -all"}},
			{"EXAMPLE.com.", []string{"v=spf1 ip4:192.0.2.0/24 -all"}},
			{"multi.example.com", []string{"v=DKIM1; k=rsa; p=MIGfMA0GCSq", "second record"}},
			{"escaped.example.com", []string{"semi;colon \"quoted\" back\\slash \xff"}},
			{"www.example.com", []string{"host text"}},
			{"a.b.example.com", []string{"deep"}},
			{"anything.wild.example.com", []string{"wildcard"}},
			{"outside.example.com", []string{"net target"}},
		}
		for _, tt := range tests {
			got, err := r.LookupTXT(context.Background(), tt.name)
			if err != nil {
				t.Errorf("%s LookupTXT(%q): %v", method, tt.name, err)
				continue
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s LookupTXT(%q) = %q, want %q", method, tt.name, got, tt.want)
			}
		}
	}
}

func TestLookupErrors(t *testing.T) {
	_, r := newFixture(t, Config{})
	tests := []struct {
		name     string
		kind     Kind
		notFound bool
		temp     bool
	}{
		{"nonexistent.example.com", KindNXDomain, true, false},
		{"ns1.example.com", KindNoData, true, false},
		{"b.example.com", KindNoData, true, false}, // empty non-terminal
		{"dangling.example.com", KindNXDomain, true, false},
		{"loop1.example.com", KindMalformed, false, true},
		{"unknown.test", KindRcode, false, true}, // REFUSED: not served
		{"bad..name", KindInvalidName, false, false},
		{"bücher.example", KindInvalidName, false, false},
	}
	for _, tt := range tests {
		_, err := r.LookupTXT(context.Background(), tt.name)
		if got := KindOf(err); got != tt.kind {
			t.Errorf("LookupTXT(%q) kind = %v (%v), want %v", tt.name, got, err, tt.kind)
		}
		var de *net.DNSError
		if !errors.As(err, &de) {
			t.Errorf("LookupTXT(%q) error %T is not a *net.DNSError", tt.name, err)
			continue
		}
		if got := lookup.IsNotFound(err); got != tt.notFound {
			t.Errorf("IsNotFound(LookupTXT(%q)) = %v, want %v", tt.name, got, tt.notFound)
		}
		if got := lookup.IsTempFail(err); got != tt.temp {
			t.Errorf("IsTempFail(LookupTXT(%q)) = %v, want %v", tt.name, got, tt.temp)
		}
	}
}

func TestLookupNetIP(t *testing.T) {
	_, r := newFixture(t, Config{})
	tests := []struct {
		network, host string
		want          []string
	}{
		{"ip4", "example.com", []string{"192.0.2.10"}},
		{"ip6", "example.com", []string{"2001:db8::10"}},
		{"ip", "example.com", []string{"192.0.2.10", "2001:db8::10"}},
		{"ip", "ipv4only.example.com", []string{"192.0.2.4"}},
		{"ip", "ipv6only.example.com", []string{"2001:db8::6"}},
		{"ip4", "www.example.com", []string{"192.0.2.80"}},
		{"ip", "192.0.2.99", []string{"192.0.2.99"}},
	}
	for _, tt := range tests {
		got, err := r.LookupNetIP(context.Background(), tt.network, tt.host)
		if err != nil {
			t.Errorf("LookupNetIP(%q, %q): %v", tt.network, tt.host, err)
			continue
		}
		var want []netip.Addr
		for _, s := range tt.want {
			want = append(want, netip.MustParseAddr(s))
		}
		if !slices.Equal(got, want) {
			t.Errorf("LookupNetIP(%q, %q) = %v, want %v", tt.network, tt.host, got, want)
		}
	}
	_, err := r.LookupNetIP(context.Background(), "ip", "nonexistent.example.com")
	if !lookup.IsNotFound(err) {
		t.Errorf("LookupNetIP(nonexistent) error = %v, want not found", err)
	}
}

func TestLookupMXAddrTLSA(t *testing.T) {
	srv, r := newFixture(t, Config{})
	mx, err := r.LookupMX(context.Background(), "example.com")
	if err != nil {
		t.Fatalf("LookupMX: %v", err)
	}
	var got []string
	for _, m := range mx {
		got = append(got, m.Host)
	}
	if want := []string{"mx1.example.com.", "mx2.example.com."}; !slices.Equal(got, want) {
		t.Errorf("LookupMX = %v, want %v", got, want)
	}
	names, err := r.LookupAddr(context.Background(), "192.0.2.10")
	slices.Sort(names)
	if want := []string{"alias.example.com.", "example.com."}; err != nil || !slices.Equal(names, want) {
		t.Errorf("LookupAddr = %v, %v, want %v", names, err, want)
	}
	recs, ad, err := r.LookupTLSA(context.Background(), "_25._tcp.mx1.example.com")
	if err != nil || len(recs) != 1 || ad {
		t.Errorf("LookupTLSA = %v, ad %v, %v; want 1 record, ad false", recs, ad, err)
	}
	srv.SetAD("example.com")
	r2, _ := New(Config{Endpoints: []string{srv.URL()}})
	recs, ad, err = r2.LookupTLSA(context.Background(), "_25._tcp.mx1.example.com")
	if err != nil || len(recs) != 1 || !ad {
		t.Errorf("LookupTLSA with AD = %v, ad %v, %v; want 1 record, ad true", recs, ad, err)
	}
}
