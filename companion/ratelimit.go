package companion

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// bucket is a token bucket: capacity burst, refilled at rate tokens/s.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends one token if available; otherwise it returns how long until
// one will be.
func (b *bucket) take(now time.Time, rate float64, burst int) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(burst), now
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+el*rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	return false, wait
}

// maxClients bounds the per-client table. When full, idle (refilled)
// buckets are dropped; if none are, new clients share one overflow bucket.
const maxClients = 10000

// limiter is a per-client plus global token-bucket rate limiter.
type limiter struct {
	mu          sync.Mutex
	rate        float64
	burst       int
	globalRate  float64
	globalBurst int
	global      bucket
	clients     map[netip.Prefix]*bucket
	overflow    bucket
}

func newLimiter(rate float64, burst int, grate float64, gburst int) *limiter {
	return &limiter{rate: rate, burst: burst, globalRate: grate, globalBurst: gburst, clients: map[netip.Prefix]*bucket{}}
}

// clientKey groups IPv6 clients by /64, the usual allocation to one
// subscriber, so one host cannot evade the limit by rotating addresses.
func clientKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// allow charges one request from client. It returns false and the time to
// wait when the client's or the global bucket is empty.
func (l *limiter) allow(client netip.Addr, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := clientKey(client)
	b, ok := l.clients[key]
	if !ok {
		if len(l.clients) >= maxClients {
			l.sweep(now)
		}
		if len(l.clients) >= maxClients {
			b = &l.overflow
		} else {
			b = &bucket{}
			l.clients[key] = b
		}
	}
	// Check the client first so that one noisy client does not drain the
	// global bucket with requests that would be refused anyway.
	if ok, wait := b.take(now, l.rate, l.burst); !ok {
		return false, wait
	}
	if ok, wait := l.global.take(now, l.globalRate, l.globalBurst); !ok {
		b.tokens++ // refund: the client was not served
		return false, wait
	}
	return true, 0
}

// sweep drops buckets that have refilled completely; they hold no state.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
}
