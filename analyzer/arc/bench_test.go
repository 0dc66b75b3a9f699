package arc

import (
	"testing"

	"headerlens/analyzer/result"
)

// BenchmarkVerifyThreeHopsHeadersOnly validates a 3-instance chain (two
// rsa-sha256 hops, one ed25519-sha256) from its header alone. Keys come
// from the DoH fixture through the real client, whose cache answers after
// the first iteration.
func BenchmarkVerifyThreeHopsHeadersOnly(b *testing.B) {
	bl := newBuilder()
	bl.seal(b, 1, result.None, hop1)
	bl.seal(b, 2, result.Pass, hop2)
	bl.seal(b, 3, result.Pass, hop3)
	_, r := hopDNS(b)
	msg := bl.message(b, false)
	if got := Verify(b.Context(), r, msg, Options{}); got.Result != result.Pass {
		b.Fatalf("got %s (%s), want pass", got.Result, got.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := Verify(b.Context(), r, msg, Options{}); got.Result != result.Pass {
			b.Fatalf("got %s, want pass", got.Result)
		}
	}
}
