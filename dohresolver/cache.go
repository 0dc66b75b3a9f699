package dohresolver

import (
	"container/list"
	"sync"
	"time"

	"headerlens/dnswire"
)

const (
	// maxPositiveTTL caps how long an answer is cached, whatever its TTL.
	maxPositiveTTL = time.Hour
	// maxNegativeTTL caps how long NXDOMAIN and NODATA are cached
	// (RFC 2308 §5 lets resolvers cap it; an analyzer should see fixes
	// soon).
	maxNegativeTTL = 5 * time.Minute
)

// cache is an LRU cache of validated answers keyed by question, each kept
// for its TTL.
type cache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front: most recently used
	items map[string]*list.Element
	now   func() time.Time
}

type cacheEntry struct {
	key     string
	ans     *answer
	stored  time.Time
	expires time.Time
}

func newCache(max int, now func() time.Time) *cache {
	return &cache{max: max, ll: list.New(), items: map[string]*list.Element{}, now: now}
}

// cacheTTL returns how long m may be cached, 0 for not at all.
//
// Positive answers live for the smallest TTL in the answer section
// (RFC 1035 §3.2.1, RFC 2181 §5.2: the chain is only as fresh as its
// shortest-lived record). Negative answers (NXDOMAIN, NODATA) live for the
// lesser of the SOA record's TTL and its MINIMUM field, and are not
// cached without an SOA (RFC 2308 §5). Other RCODEs are not cached.
func cacheTTL(m *dnswire.Msg, qtype dnswire.Type) time.Duration {
	switch m.Rcode {
	case dnswire.RcodeSuccess, dnswire.RcodeNameError:
	default:
		return 0
	}
	if m.Rcode == dnswire.RcodeSuccess && countType(m, qtype) > 0 {
		ttl := uint32(1<<31 - 1)
		for _, rr := range m.Answer {
			ttl = min(ttl, rr.TTL)
		}
		return min(time.Duration(ttl)*time.Second, maxPositiveTTL)
	}
	for _, rr := range m.Authority {
		if soa, ok := rr.Data.(*dnswire.SOA); ok {
			ttl := min(rr.TTL, soa.Minimum)
			// A CNAME leading to the negative answer bounds it too.
			for _, a := range m.Answer {
				ttl = min(ttl, a.TTL)
			}
			return min(time.Duration(ttl)*time.Second, maxNegativeTTL)
		}
	}
	return 0
}

// get returns the cached answer for key with TTLs decreased by the time
// spent in the cache, or nil.
func (c *cache) get(key string) *answer {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	e := el.Value.(*cacheEntry)
	now := c.now()
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return nil
	}
	c.ll.MoveToFront(el)
	age := uint32(now.Sub(e.stored) / time.Second)
	m := e.ans.msg.Copy()
	for _, sec := range [][]dnswire.RR{m.Answer, m.Authority} {
		for i := range sec {
			if rr := &sec[i]; rr.TTL > age {
				rr.TTL -= age
			} else {
				rr.TTL = 0
			}
		}
	}
	return &answer{msg: m, endpoint: e.ans.endpoint, cached: true}
}

// put stores ans under key for ttl.
func (c *cache) put(key string, ans *answer, ttl time.Duration) {
	if c == nil || ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	e := &cacheEntry{key: key, ans: ans, stored: now, expires: now.Add(ttl)}
	if el, ok := c.items[key]; ok {
		el.Value = e
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// len returns the number of entries, expired ones included.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
