//go:build !js

package dohresolver

import (
	"context"
	"testing"
)

// BenchmarkLookupTXTCached measures a lookup answered from the cache.
func BenchmarkLookupTXTCached(b *testing.B) {
	_, r := newFixture(b, Config{})
	ctx := context.Background()
	if _, err := r.LookupTXT(ctx, "multi.example.com"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.LookupTXT(ctx, "multi.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupTXTUncached measures a full DoH exchange with dohtest over
// a reused local HTTP connection.
func BenchmarkLookupTXTUncached(b *testing.B) {
	_, r := newFixture(b, Config{CacheSize: -1})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.LookupTXT(ctx, "multi.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
